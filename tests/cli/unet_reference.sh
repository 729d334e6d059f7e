#!/usr/bin/env bash
# The Python reference U-Net (scripts/bench/unet_reference.py, the GPU benchmark's Python side) is the same model
# as steel's: its Keras counts equal the thesis's Figure 56, a steel best.h5 loads into it layer for layer, and
# with those weights its loss on the test shard equals steel_eval's (float32 summation order apart).
#   unet_reference.sh STEEL_TRAIN STEEL_EVAL PREP_DIR OUT_DIR
set -euo pipefail
train=$1; eval=$2; prep=$3; out=$4
here=$(cd "$(dirname "$0")/../.." && pwd)
reference=(/usr/bin/python3 "$here/scripts/bench/unet_reference.py")
"${reference[@]}" params "$here/configs/thesis/thesis_figure56_params.csv"
rm -rf "$out"
# One ResNet and one EfficientNet (TF 'same' padding, squeeze-excitation, drop-connect off in eval mode).
for backbone in resnet18 efficientnet-b0; do
  "$train" --backbone "$backbone" --data "$prep" --out "$out" --fold 0 --epochs 1 --batch-size 8 \
    --max-train-batches 2 --max-val-batches 1 --bn-momentum 0.1 --threads 1 --progress false
  "$eval" --run "$out/$backbone" --data "$prep" --threads 1 >/dev/null
  steel=$(awk -F, '$1 == "fold_0" {print $3}' "$out/$backbone/test_metrics.csv")
  python=$("${reference[@]}" evaluate "$out/$backbone/fold_0/best.h5" "$backbone" "$prep/test.h5")
  awk -v b="$backbone" -v s="$steel" -v p="$python" 'BEGIN {
    d = (s - p) / s; if (d < 0) d = -d
    printf "%s: test loss steel_eval %s, Python reference %s, rel diff %.2g\n", b, s, p, d
    exit (d < 1e-6 ? 0 : 1) }'
done
