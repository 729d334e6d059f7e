#!/usr/bin/env bash
# Training images/s of steel against the same U-Net in Python PyTorch, eager and torch.compile, on one GPU: the
# same shapes, frozen parts, precision and memory layout on both sides (steel_model_bench and
# scripts/bench/unet_reference.py bench; the reference is checked to be steel's model by the test
# cli.unet_reference). Prints every run's line, then a table with the ratios.
#   scripts/gpu/bench_gpu.sh [BUILD_DIR=build-cuda]
# Environment: BACKBONES, MODES ("thesis frozen trainable"), AMPS ("off bf16"), BATCH (16), STEPS (20), WARMUP (5),
# HEIGHT/WIDTH (128/800), COMPILE (1: also torch.compile), DEVICE (cuda; cpu to try the script anywhere).
set -uo pipefail
build=${1:-build-cuda}
cd "$(dirname "$0")/../.."
BACKBONES=${BACKBONES:-"resnet34 resnet50 resnet101 efficientnet-b0 efficientnet-b1 efficientnet-b3 efficientnet-b5 efficientnet-b7"}
MODES=${MODES:-"thesis frozen trainable"}; AMPS=${AMPS:-"off bf16"}
BATCH=${BATCH:-16}; STEPS=${STEPS:-20}; WARMUP=${WARMUP:-5}; HEIGHT=${HEIGHT:-128}; WIDTH=${WIDTH:-800}
COMPILE=${COMPILE:-1}; DEVICE=${DEVICE:-cuda}
python=${PYTHON:-python3}
rate() { sed -n 's/.* \([0-9.]*\) img\/s.*/\1/p' | tail -1; }

rows=()
for backbone in $BACKBONES; do
  for mode in $MODES; do
    for amp in $AMPS; do
      shape=(--backbone "$backbone" --encoder-mode "$mode" --batch "$BATCH" --steps "$STEPS" --warmup "$WARMUP"
             --height "$HEIGHT" --width "$WIDTH" --device "$DEVICE" --amp "$amp")
      steel_line=$("$build/src/steel_model_bench" "${shape[@]}" --channels-last true 2>&1 | tail -1)
      echo "$steel_line"
      eager_line=$("$python" scripts/bench/unet_reference.py bench "${shape[@]}" --channels-last 2>&1 | tail -1)
      echo "$eager_line"
      compiled=""
      if [ "$COMPILE" = 1 ]; then
        compiled_line=$("$python" scripts/bench/unet_reference.py bench "${shape[@]}" --channels-last --compile 2>&1 | tail -1)
        echo "$compiled_line"
        compiled=$(echo "$compiled_line" | rate)
      fi
      mfu=$(echo "$steel_line" | sed -n 's/.*= *\([0-9.]*\)% of GEMM.*/\1/p')
      rows+=("$backbone $mode $amp $(echo "$steel_line" | rate) $(echo "$eager_line" | rate) ${compiled:--} ${mfu:--}")
    done
  done
done

echo
printf '%-16s %-9s %-4s %10s %10s %10s %8s %8s %10s\n' backbone mode amp steel eager compile "s/eager" "s/comp" "steel %GEMM"
for row in "${rows[@]}"; do
  set -- $row
  awk -v b="$1" -v m="$2" -v a="$3" -v s="$4" -v e="$5" -v c="$6" -v f="$7" 'BEGIN {
    re = (s > 0 && e > 0) ? sprintf("%.2f", s / e) : "-"; rc = (s > 0 && c > 0) ? sprintf("%.2f", s / c) : "-"
    printf "%-16s %-9s %-4s %10s %10s %10s %8s %8s %10s\n", b, m, a, s, e, c, re, rc, f }'
done
