#!/usr/bin/env bash
# N-invariance of steel_train: the same global batches on 1 and on 2 ranks (SyncBatchNorm, Reducer) must end
# with the same weights and BatchNorm statistics, and the same training loss.
# Adam divides by sqrt(v) + eps: with Keras's eps 1e-7 a gradient near zero turns float32 rounding differences
# (the ranks sum in another order) into whole lr-sized steps, so this test uses eps 1, where Adam's step is
# proportional to the gradient and compares what data parallelism computes: gradients and BatchNorm statistics.
#   train_equivalence.sh STEEL_TRAIN COMPARE_WEIGHTS PREP_DIR OUT_DIR [STEEL_TRAIN OPTIONS...]
# (scripts/gpu/device_check.sh adds --device cuda --dist-backend gloo.)
set -euo pipefail
train=$1; compare=$2; prep=$3; out=$4
shift 4
rm -rf "$out"
common=(--backbone resnet18 --encoder-mode trainable --data "$prep" --fold 0 --epochs 1 --batch-size 8
        --max-train-batches 3 --max-val-batches 2 --threads 1 --lr 1e-2 --adam-eps 1 --bn-momentum 0.1 --progress false
        "$@")
mpirun -np 1 "$train" "${common[@]}" --out "$out/np1"
mpirun -np 2 "$train" "${common[@]}" --out "$out/np2"
"$compare" "$out/np1/resnet18/fold_0/best.h5" "$out/np2/resnet18/fold_0/best.h5" resnet18 1e-4 1e-5
# train_loss (column 2) of the single epoch, relative difference below 1e-5
paste -d, <(sed -n 2p "$out/np1/resnet18/fold_0/metrics.csv") <(sed -n 2p "$out/np2/resnet18/fold_0/metrics.csv") |
  awk -F, '{d = ($2 - $11) / $2; if (d < 0) d = -d; printf "train_loss np1 %s np2 %s rel diff %.2g\n", $2, $11, d;
            exit (d < 1e-5 ? 0 : 1)}'
# run.json attributes every collective of a training step to its purpose: on 2 ranks SyncBatchNorm's
# all-reduces, the gradient buckets, the step flag (and the one-time bucket rebuild) add up to all of them; on
# 1 rank there are none.
python3 - "$out/np1/resnet18/fold_0/run.json" "$out/np2/resnet18/fold_0/run.json" <<'PY'
import json, sys
one, two = (json.load(open(p)) for p in sys.argv[1:3])
assert one["collective_time_per_training_step"] == {} and one["collectives_per_training_step"] == 0, one
times = two["collective_time_per_training_step"]
for purpose in ("sync_batch_norm", "gradient_buckets", "step_flags"):
    assert times.get(purpose, {}).get("calls", 0) > 0, f"{purpose} missing: {times}"
total = sum(t["calls"] for t in times.values())
assert abs(total - two["collectives_per_training_step"]) < 1e-9, (total, two["collectives_per_training_step"], times)
print("collectives per step by purpose:", {k: round(v["calls"], 2) for k, v in times.items()})
PY
