#!/usr/bin/env bash
# steel_train throughput on CPU per backbone, at a small (64x320) and the thesis' (128x800) resolution, and
# the prefetcher's standalone delivery rate next to the step's consumption rate. Figures go to
# docs/BENCHMARKS.md.
#   [STEPS=3] [MODES="thesis trainable"] scripts/bench/bench_train.sh [BATCH=8] [BACKBONES="resnet34 ... efficientnet-b7"] [SIZES="64x320 128x800"]
# Steady-state step time: each case runs 1 and then 1+STEPS training batches in fresh processes; the
# difference of their training seconds over STEPS excludes start-up and the first (warm-up) step.
set -euo pipefail
cd "$(dirname "$0")/../.."
BATCH=${1:-8}
BACKBONES=${2:-"resnet34 resnet50 resnet101 efficientnet-b0 efficientnet-b1 efficientnet-b3 efficientnet-b5 efficientnet-b7"}
SIZES=${3:-"64x320 128x800"}
STEPS=${STEPS:-3}
BIN=${BUILD_DIR:-build}
WORK=${WORK:-/tmp/steel_bench_train}
mkdir -p "$WORK"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), batch $BATCH"
[ -f "$WORK/kaggle/train.csv" ] || "$BIN/data_prep/steel_synth" --out "$WORK/kaggle" --images 400 --seed 1 --overwrite >/dev/null 2>&1

train_seconds() {  # backbone size batches -> training seconds of the single epoch
  local out="$WORK/runs_$1_$2_$3"
  rm -rf "$out"
  "$BIN/launcher/steel_train" --backbone "$1" --data "$WORK/prep_$2" --out "$out" --fold 0 --epochs 1 \
    --batch-size "$BATCH" --max-train-batches "$3" --max-val-batches 1 --encoder-mode "$MODE" --progress false \
    --log-level warn >"$WORK/last.log" 2>&1 || { echo "FAILED: $1 $2 (see $WORK/last.log)" >&2; exit 1; }
  # images_per_second = batches * BATCH / training seconds
  awk -F, -v n="$3" -v b="$BATCH" 'NR==2 {printf "%.4f", n * b / $9}' "$out/$1/fold_0/metrics.csv"
}

for size in $SIZES; do
  h=${size%x*}; w=${size#*x}
  [ -f "$WORK/prep_$size/fold_0.h5" ] || "$BIN/data_prep/steel_prep" --csv "$WORK/kaggle/train.csv" \
    --images "$WORK/kaggle/train_images" --out "$WORK/prep_$size" --test-per-class 0 --test-multi 0 \
    --balance-to none --folds 5 --height "$h" --width "$w" --seed 1 --overwrite >/dev/null 2>&1
  echo
  echo "== $size: prefetcher alone (2 threads, batch $BATCH) =="
  "$BIN/launcher/steel_loader_bench" "$WORK/prep_$size" "$BATCH" 2 2
  echo "== $size: training step, images/s (steady state over $STEPS steps) =="
  printf "%-16s %-10s %12s\n" backbone mode images/s
  for MODE in ${MODES:-thesis trainable}; do
    for b in $BACKBONES; do
      t1=$(train_seconds "$b" "$size" 1)
      tn=$(train_seconds "$b" "$size" $((STEPS + 1)))
      echo "$b $MODE $t1 $tn" | awk -v s="$STEPS" -v bs="$BATCH" '{printf "%-16s %-10s %12.2f\n", $1, $2, s * bs / ($4 - $3)}'
    done
  done
done
