#!/usr/bin/env bash
# steel_train's TensorBoard log, read back with TensorBoard's own reader (the pinned PyPI package).
#   tensorboard_log.sh STEEL_TRAIN PREP_DIR OUT_DIR
set -euo pipefail
train=$1; prep=$2; out=$3
here=$(cd "$(dirname "$0")/../.." && pwd)
python=$("$here/scripts/install_tensorboard.sh")
rm -rf "$out"
"$train" --backbone resnet18 --data "$prep" --out "$out" --fold 0 --epochs 2 --batch-size 2 --max-train-batches 3 \
  --max-val-batches 1 --threads 1 --progress false --log-level warn
"$python" "$here/tests/cli/tensorboard_log.py" "$out/resnet18/fold_0" 3 3
