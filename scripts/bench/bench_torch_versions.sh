#!/usr/bin/env bash
# steel's training step built on Debian's LibTorch 1.13 (./build) against steel built on PyPI's torch 2.11
# (./build-torch2, CPU kernels of the CUDA wheel), on the same machine in the same run: PAIRS alternating runs
# of steel_model_bench per backbone, seconds per step, median (min-max) and the ratio of medians.
#   scripts/bench/bench_torch_versions.sh [BACKBONES...]     (default: resnet34 efficientnet-b0 efficientnet-b5)
# Environment: PAIRS (3), STEPS (3), THREADS (2), MODE (thesis), HEIGHT x WIDTH (128 x 800), BATCH (2).
set -euo pipefail
cd "$(dirname "$0")/../.."
backbones=("$@"); [ ${#backbones[@]} -gt 0 ] || backbones=(resnet34 efficientnet-b0 efficientnet-b5)
PAIRS=${PAIRS:-3}; STEPS=${STEPS:-3}; THREADS=${THREADS:-2}; MODE=${MODE:-thesis}
HEIGHT=${HEIGHT:-128}; WIDTH=${WIDTH:-800}; BATCH=${BATCH:-2}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "step: $MODE mode, ${HEIGHT}x${WIDTH}, batch $BATCH, $THREADS threads, $STEPS timed steps after 1 warm-up, $PAIRS pairs"
seconds() {  # BUILD_DIR BACKBONE -> seconds per step
  "$1/src/steel_model_bench" --backbone "$2" --encoder-mode "$MODE" --batch "$BATCH" --steps "$STEPS" \
    --height "$HEIGHT" --width "$WIDTH" --threads "$THREADS" | sed -n 's/.* \([0-9.]*\) s\/step.*/\1/p'
}
stats() { sort -g | awk '{v[NR]=$1} END {printf "%.3f (%.3f-%.3f)", v[int((NR+1)/2)], v[1], v[NR]}'; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
printf '| backbone | LibTorch 1.13.1 (Debian) | LibTorch 2.11.0 (PyPI wheel) | 2.11 / 1.13 |\n|---|---|---|---|\n'
for b in "${backbones[@]}"; do
  old=(); new=()
  for _ in $(seq "$PAIRS"); do
    old+=("$(seconds build "$b")")
    new+=("$(seconds build-torch2 "$b")")
  done
  o=$(printf '%s\n' "${old[@]}" | median); n=$(printf '%s\n' "${new[@]}" | median)
  printf '| %s | %s | %s | %.2f |\n' "$b" "$(printf '%s\n' "${old[@]}" | stats)" \
    "$(printf '%s\n' "${new[@]}" | stats)" "$(echo "$n / $o" | bc -l)"
done
