#!/usr/bin/env bash
# steel_prep throughput against (a) the decode-only floor and (b) a straightforward Python
# reference of the same pipeline, on the same synthetic images, in one session, for both chunk codecs
# (Blosc, the default, and gzip). Also checks that the reference and steel_prep store identical pixels.
# Figures go to docs/BENCHMARKS.md.
#   scripts/bench/bench_prep.sh [IMAGES=3000] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
IMAGES=${1:-3000}
RUNS=${2:-3}
BIN=${BUILD_DIR:-build}
WORK=${WORK:-/tmp/steel_bench_prep}
mkdir -p "$WORK"
if [ ! -f "$WORK/kaggle_$IMAGES/train.csv" ]; then
  "$BIN/data_prep/steel_synth" --out "$WORK/kaggle_$IMAGES" --images "$IMAGES" --seed 1 --overwrite
fi
DATA="$WORK/kaggle_$IMAGES"
# Thesis-shaped work at a smaller scale: a 250-image-style test set, balancing with augmented
# copies, and defect-free images so that a few thousand full-size JPEGs are decoded.
PREP_ARGS=(--csv "$DATA/train.csv" --images "$DATA/train_images" --test-per-class 10 --test-multi 10
           --balance-to 400 --include-clean 1300 --folds 5 --seed 1 --overwrite)

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() {
  local s e; s=$(date +%s.%N)
  "$@" >"$WORK/last.log" 2>&1 || { echo "FAILED: $* (see $WORK/last.log)" >&2; tail -5 "$WORK/last.log" >&2; exit 1; }
  e=$(date +%s.%N); echo "$e - $s" | bc -l
}
PY=/usr/bin/python3  # Debian's interpreter, which has python3-h5py/-hdf5plugin/-opencv/-numpy

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
"$BIN/data_prep/steel_prep" "${PREP_ARGS[@]}" --out "$WORK/prep" 2>&1 | grep -E 'records from'
SOURCES=$(tail -n +2 "$WORK/prep/manifest.csv" | cut -d, -f3 | sort -u | wc -l)
RECORDS=$(($(wc -l < "$WORK/prep/manifest.csv") - 1))
echo "workload: $SOURCES source images -> $RECORDS records at 128x800"


set -o pipefail
t_floor=$(for i in $(seq "$RUNS"); do timed "$BIN/data_prep/steel_decode_bench" "$WORK/prep/manifest.csv" "$DATA/train_images"; done | median)
printf "%-34s %10s %18s %14s %10s\n" "pipeline" "seconds" "source images/s" "records/s" "MB on disk"
row() {  # name seconds [output folder]
  local mb="-"; [ -n "${3:-}" ] && mb=$(du -sm "$3" | cut -f1)
  printf "%-34s %10.2f %18.0f %14.0f %10s\n" "$1" "$2" "$(echo "$SOURCES / $2" | bc -l)" "$(echo "$RECORDS / $2" | bc -l)" "$mb"
}
row "decode-only floor (C++)" "$t_floor"
for codec in blosc gzip; do
  t_prep=$(for i in $(seq "$RUNS"); do timed "$BIN/data_prep/steel_prep" "${PREP_ARGS[@]}" --compression "$codec" --out "$WORK/prep_$codec"; done | median)
  t_py=$(for i in $(seq "$RUNS"); do timed $PY scripts/bench/prep_reference.py "$DATA/train.csv" "$DATA/train_images" "$WORK/prep/manifest.csv" "$WORK/ref_$codec" --compression "$codec"; done | median)
  row "steel_prep --compression $codec" "$t_prep" "$WORK/prep_$codec"
  row "Python reference, $codec" "$t_py" "$WORK/ref_$codec"
  echo "  $codec: steel_prep $(echo "$t_py / $t_prep" | bc -l | cut -c1-5)x faster than Python; $(echo "$t_prep / $t_floor" | bc -l | cut -c1-5)x the decode-only time"
  $PY - "$WORK/prep_$codec" "$WORK/ref_$codec" <<'PY'
import sys, h5py, hdf5plugin, numpy as np
for split in ["test", "fold_0"]:
    a = h5py.File(f"{sys.argv[1]}/{split}.h5", "r"); b = h5py.File(f"{sys.argv[2]}/{split}.h5", "r")
    same = [np.array_equal(a[k][:], b[k][:]) for k in ("images", "masks", "labels")]
    print(f"  check {split}: images, masks, labels identical = {same}")
    if not all(same): sys.exit(f"{split}: steel_prep and the Python reference differ")
PY
done
