#!/usr/bin/env bash
# Data-parallel cost on CPU: training images/s with 1 and 2 ranks at the same global batch, SyncBatchNorm on
# and off, and the collectives per step (run.json). Same synthetic 64x320 set as bench_train.sh.
#   [STEPS=4] scripts/bench/bench_dist.sh [BACKBONE=resnet34] [GLOBAL_BATCH=8]
# Steady state as in bench_train.sh: runs of 1 and 1+STEPS batches, difference over STEPS.
# Decomposition, two ways: (a) by subtraction: per-rank compute is measured by 1 rank with half the batch
# (1 thread, like each of the two ranks); what 2 ranks add on top of it is communication, and SyncBatchNorm's
# part is what turning it off removes. (b) Timed inside the collectives: run.json's
# collective_time_per_training_step (rank 0), steady state from the same two runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
BACKBONE=${1:-resnet34}
GB=${2:-8}
STEPS=${STEPS:-4}
BIN=${BUILD_DIR:-build}
WORK=${WORK:-/tmp/steel_bench_train}
PREP="$WORK/prep_64x320"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
if [ ! -f "$PREP/fold_0.h5" ]; then  # the same data as bench_train.sh prepares
  [ -f "$WORK/kaggle/train.csv" ] || "$BIN/data_prep/steel_synth" --out "$WORK/kaggle" --images 400 --seed 1 --overwrite >/dev/null 2>&1
  "$BIN/data_prep/steel_prep" --csv "$WORK/kaggle/train.csv" --images "$WORK/kaggle/train_images" --out "$PREP" \
    --test-per-class 0 --test-multi 0 --balance-to none --folds 5 --height 64 --width 320 --seed 1 --overwrite >/dev/null 2>&1
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $BACKBONE, trainable"

# ranks threads batch sync_bn batches -> "train_seconds collectives_per_step"
run() {
  local out="$WORK/dist_$1_$2_$3_$4_$5"
  rm -rf "$out"
  mpirun -np "$1" --bind-to none "$BIN/launcher/steel_train" --backbone "$BACKBONE" --encoder-mode trainable \
    --data "$PREP" --out "$out" --fold 0 --epochs 1 --batch-size "$3" --sync-bn "$4" --threads "$2" \
    --max-train-batches "$5" --max-val-batches 1 --progress false --log-level warn >"$WORK/last.log" 2>&1 ||
    { echo "FAILED (see $WORK/last.log)" >&2; exit 1; }
  local ips cps
  ips=$(awk -F, 'NR==2 {print $9}' "$out/$BACKBONE/fold_0/metrics.csv")
  cps=$(grep -o '"collectives_per_training_step": [0-9.]*' "$out/$BACKBONE/fold_0/run.json" | awk '{print $2}')
  echo "$5 $3 $ips $cps" | awk '{printf "%.4f %s", $1 * $2 / $3, $4}'
}
steady() {  # ranks threads batch sync_bn -> "seconds_per_step collectives_per_step"
  local a b
  a=$(run "$1" "$2" "$3" "$4" 1); b=$(run "$1" "$2" "$3" "$4" $((STEPS + 1)))
  echo "$a $b" | awk -v s="$STEPS" '{printf "%.4f %s", ($3 - $1) / s, $4}'
}
printf "%-44s %10s %10s %14s\n" case s/step images/s collectives
report() { echo "$2" | awk -v name="$1" -v gb="$3" '{printf "%-44s %10.3f %10.2f %14s\n", name, $1, gb / $1, $2}'; }
one_full=$(steady 1 2 "$GB" true);            report "1 rank, 2 threads, batch $GB" "$one_full" "$GB"
one_half=$(steady 1 1 $((GB / 2)) true);      report "1 rank, 1 thread, batch $((GB / 2)) (per-rank compute)" "$one_half" $((GB / 2))
two_sync=$(steady 2 1 "$GB" true);            report "2 ranks x 1 thread, global $GB, SyncBN on" "$two_sync" "$GB"
two_nosync=$(steady 2 1 "$GB" false);         report "2 ranks x 1 thread, global $GB, SyncBN off" "$two_nosync" "$GB"
echo "$one_half $two_sync $two_nosync" | awk '{
  printf "communication share of the 2-rank step: %.1f%% (all-reduce + flags %.1f%%, SyncBatchNorm %.1f%%)\n",
    100 * ($3 - $1) / $3, 100 * ($5 - $1) / $3, 100 * ($3 - $5) / $3 }'
/usr/bin/python3 - "$WORK/dist_2_1_${GB}_true_1/$BACKBONE/fold_0/run.json" \
  "$WORK/dist_2_1_${GB}_true_$((STEPS + 1))/$BACKBONE/fold_0/run.json" "$STEPS" "${two_sync%% *}" <<'PY'
import json, sys
short, long = (json.load(open(p))["collective_time_per_training_step"] for p in sys.argv[1:3])
steps, step_seconds = int(sys.argv[3]), float(sys.argv[4])
print("timed inside the collectives (rank 0, steady state), 2 ranks, SyncBatchNorm on:")
print(f"  {'purpose':<18} {'calls/step':>10} {'s/step':>8} {'share of step':>14}")
for purpose in sorted(p for p in long if p != "bucket_rebuild"):  # one-time, in step 2 of the long run only
    total = lambda t, n: t.get(purpose, {}).get("seconds", 0.0) * n
    seconds = (total(long, steps + 1) - total(short, 1)) / steps
    calls = (long[purpose]["calls"] * (steps + 1) - short.get(purpose, {}).get("calls", 0.0)) / steps
    note = "  (in flight, overlapped with backward)" if purpose == "gradient_buckets" else ""
    print(f"  {purpose:<18} {calls:>10.1f} {seconds:>8.3f} {100 * seconds / step_seconds:>13.1f}%{note}")
PY
