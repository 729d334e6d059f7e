#!/usr/bin/env bash
# Issue 4's model benchmark: forward+backward images/s, FLOPs per image and peak memory per backbone at 128x800
# on CPU, encoder trainable and frozen, beside the fp32 GEMM rate measured in the same process.
#   scripts/bench/bench_models.sh [BATCH=2] [STEPS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BUILD_DIR:-build}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for mode in trainable frozen; do
  for b in resnet34 resnet50 resnet101 efficientnet-b0 efficientnet-b1 efficientnet-b3 efficientnet-b5 efficientnet-b7; do
    "$BIN/src/steel_model_bench" --backbone "$b" --encoder-mode "$mode" --batch "${1:-2}" --steps "${2:-3}"
  done
done
