#!/usr/bin/env bash
# Quick start, command 1: install dependencies, build, and run the main job end to end on the
# embedded default: a small synthetic Severstal-format dataset, prepared into HDF5 fold shards at an
# eighth of the thesis's resolution, then the study in miniature (2 backbones x 5 folds, evaluation, report)
# on the CPU, long enough for the models to find the defects.
# Everything lands in ./runs/demo (override with OUT=...).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
# Only what the main job runs (the test command builds the rest, tests and benchmarks included).
TARGETS="steel_synth steel_prep steel_sweep steel_train steel_eval steel_report" scripts/build.sh
BIN=${BUILD_DIR:-build}
OUT=${OUT:-runs/demo}
IMAGES=${IMAGES:-1200}  # enough for every fold to see the rarest class (type 2)
rm -rf "$OUT"
mkdir -p "$OUT"

"$BIN/data_prep/steel_synth" --out "$OUT/kaggle" --images "$IMAGES" --seed 1
# The thesis's defaults (250 test images, 1291 per class) need the full 12,568-image set; a small
# synthetic set gets a proportionally small test set and the median-count balancing rule.
"$BIN/data_prep/steel_prep" --csv "$OUT/kaggle/train.csv" --images "$OUT/kaggle/train_images" \
  --out "$OUT/prep" --test-per-class 2 --test-multi 2 --balance-to auto --folds 5 --seed 1 \
  --height 32 --width 160

# The study, small: steel_sweep trains every fold of two thesis backbones, then evaluates every fold and the
# fold ensemble on the held-out test shard and writes the thesis-style report. What it takes to learn in
# minutes on 2 cores (docs/BENCHMARKS.md, "The main job"): 32x160 records (4x fewer pixels than 64x320), a
# global batch of 8, Adam at lr 6e-3, 8 epochs (about 260 steps per fold); everything trains (no ImageNet
# weights can be downloaded here, and a frozen random encoder learns little); PyTorch's BatchNorm momentum
# lets validation settle within a short run (docs/TRAINING.md). One process per run with every core: on 2
# cores two ranks train slower than one process with two threads (RANKS=2 runs the data-parallel path).
# 10 pixels at 32x160 is the thesis's 200-pixel rule at 128x800 scaled by area.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
RANKS=${RANKS:-1}
THREADS=$(( $(nproc) / RANKS > 1 ? $(nproc) / RANKS : 1 ))  # intra-op threads per rank
status=0
"$BIN/launcher/steel_sweep" --mode local --data "$OUT/prep" --out "$OUT/runs" --report "$OUT/report" \
  --backbones "${BACKBONES:-resnet34,efficientnet-b0}" --folds all --ranks "$RANKS" \
  --train-args "--epochs ${EPOCHS:-8} --batch-size 8 --lr 0.006 --encoder-mode trainable --bn-momentum 0.1 \
                --threads $THREADS --progress false" \
  --eval-args "--min-pixels 10 --overlays 4" || status=$?
if [ "$status" -ne 0 ]; then
  # A failed run still leaves a report of what finished (missing runs marked missing): say where it is.
  echo
  echo "main job: steel_sweep exited with $status; the report of what finished is $OUT/report/index.md" >&2
  exit "$status"
fi

echo
echo "main job done: dataset in $OUT/kaggle, shards in $OUT/prep (see $OUT/prep/summary.txt),"
echo "runs in $OUT/runs/<backbone>/ (folds.csv, fold_<k>/metrics.csv, test_metrics.csv, overlays/)"
echo "report: $OUT/report/index.md"
