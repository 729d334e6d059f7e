#!/usr/bin/env bash
# Training images/s of steel against the same U-Net in Python PyTorch, eager and torch.compile, on one GPU: the
# same shapes, frozen parts, precision, TF32 setting and memory layout on both sides (steel_model_bench and
# scripts/bench/unet_reference.py bench; the reference is checked to be steel's model by the test
# cli.unet_reference). Prints every run's line, then a table with the ratios.
#   scripts/gpu/bench_gpu.sh [BUILD_DIR=build-cuda]
# Environment: BACKBONES, MODES ("thesis frozen trainable"), AMPS ("off bf16"), BATCH (16), STEPS (20), WARMUP (5),
# HEIGHT/WIDTH (128/800), TF32 (1), COMPILE (1: also torch.compile), ADAM (Python's Adam: default, multi-tensor on
# a GPU like steel's ForeachAdam; per-tensor: one parameter at a time), DEVICE (cuda; cpu to try the script
# anywhere), PYTHON.
set -uo pipefail
build=${1:-build-cuda}
cd "$(dirname "$0")/../.."
BACKBONES=${BACKBONES:-"resnet34 resnet50 resnet101 efficientnet-b0 efficientnet-b1 efficientnet-b3 efficientnet-b5 efficientnet-b7"}
MODES=${MODES:-"thesis frozen trainable"}; AMPS=${AMPS:-"off bf16"}
BATCH=${BATCH:-16}; STEPS=${STEPS:-20}; WARMUP=${WARMUP:-5}; HEIGHT=${HEIGHT:-128}; WIDTH=${WIDTH:-800}
TF32=${TF32:-1}; COMPILE=${COMPILE:-1}; ADAM=${ADAM:-default}; DEVICE=${DEVICE:-cuda}; python=${PYTHON:-python3}
steel_tf32=$([ "$TF32" = 1 ] && echo true || echo false)
python_tf32=(); [ "$TF32" = 1 ] || python_tf32=(--no-tf32)

# run COMMAND...: prints the command's result line (the last line with img/s), or its whole output and "-".
result_line() {
  local out line
  out=$("$@" 2>&1)
  line=$(printf '%s\n' "$out" | grep 'img/s' | tail -1)
  if [ -z "$line" ]; then printf '%s\n' "$out" >&2; echo "-"; else echo "$line"; fi
}
rate() { sed -n 's/.* \([0-9.]*\) img\/s.*/\1/p' | tail -1; }

rows=()
for backbone in $BACKBONES; do
  for mode in $MODES; do
    for amp in $AMPS; do
      shape=(--backbone "$backbone" --encoder-mode "$mode" --batch "$BATCH" --steps "$STEPS" --warmup "$WARMUP"
             --height "$HEIGHT" --width "$WIDTH" --device "$DEVICE" --amp "$amp")
      steel_line=$(result_line "$build/src/steel_model_bench" "${shape[@]}" --channels-last true --tf32 "$steel_tf32")
      eager_line=$(result_line "$python" scripts/bench/unet_reference.py bench "${shape[@]}" --channels-last \
                   --adam "$ADAM" "${python_tf32[@]}")
      compiled_line="-"
      if [ "$COMPILE" = 1 ]; then
        compiled_line=$(result_line "$python" scripts/bench/unet_reference.py bench "${shape[@]}" --channels-last \
                        --adam "$ADAM" "${python_tf32[@]}" --compile)
      fi
      printf '%s\n%s\n%s\n' "$steel_line" "$eager_line" "$compiled_line"
      s=$(echo "$steel_line" | rate); e=$(echo "$eager_line" | rate); c=$(echo "$compiled_line" | rate)
      gemm=$(echo "$steel_line" | sed -n 's/.*= *\([0-9.]*% of [a-z0-9]*\) GEMM.*/\1/p' | tr ' ' '_')
      rows+=("$backbone $mode $amp ${s:--} ${e:--} ${c:--} ${gemm:--}")
    done
  done
done

echo
printf '%-16s %-9s %-4s %10s %10s %10s %8s %8s  %s\n' backbone mode amp steel eager compile "s/eager" "s/comp" "steel of GEMM"
for row in "${rows[@]}"; do
  set -- $row
  awk -v b="$1" -v m="$2" -v a="$3" -v s="$4" -v e="$5" -v c="$6" -v g="$7" 'BEGIN {
    re = (s > 0 && e > 0) ? sprintf("%.2f", s / e) : "-"; rc = (s > 0 && c > 0) ? sprintf("%.2f", s / c) : "-"
    gsub("_", " ", g); printf "%-16s %-9s %-4s %10s %10s %10s %8s %8s  %s\n", b, m, a, s, e, c, re, rc, g }'
done
