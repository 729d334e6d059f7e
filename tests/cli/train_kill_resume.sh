#!/usr/bin/env bash
# A hard kill (SIGKILL: no handler runs, no checkpoint is written on the way out) in the middle of an epoch,
# then --resume from the last epoch's checkpoint: the run must end with exactly the metrics of an
# uninterrupted one. EfficientNet-B0 (drop-connect draws from the CPU generator, restored from the checkpoint)
# with train-time flips, so every random stream the trainer has is exercised.
#   train_kill_resume.sh STEEL_TRAIN STEEL_COMPARE_WEIGHTS PREP_DIR WORK_DIR
set -uo pipefail
train=$1; compare=$2; prep=$3; work=$4
rm -rf "$work"; mkdir -p "$work"
common=(--backbone efficientnet-b0 --encoder-mode trainable --flips true --data "$prep" --fold 0 --epochs 4
        --batch-size 2 --max-train-batches 4 --max-val-batches 1 --threads 1 --bn-momentum 0.1 --progress false
        --log-level warn)
"$train" "${common[@]}" --out "$work/straight" || { echo "FAIL: the uninterrupted run failed"; exit 1; }

fold=$work/killed/efficientnet-b0/fold_0
"$train" "${common[@]}" --out "$work/killed" &
pid=$!
# checkpoint.pt appears (renamed into place, so complete) after epoch 1's metrics row; the kill then lands in
# epoch 2's steps.
for _ in $(seq 1 1200); do
  [ -f "$fold/checkpoint.pt" ] && break
  sleep 0.05
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
metrics=$fold/metrics.csv
rows=$(($(wc -l <"$metrics") - 1))
echo "killed after $rows epoch(s)"
[ -f "$fold/checkpoint.pt" ] && [ "$rows" -ge 1 ] && [ "$rows" -lt 4 ] && [ ! -f "$fold/result.csv" ] ||
  { echo "FAIL: the kill did not land inside the run after a checkpoint"; exit 1; }

"$train" "${common[@]/warn/info}" --out "$work/killed" --resume >"$work/resume.log" 2>&1 ||
  { cat "$work/resume.log"; echo "FAIL: the resumed run failed"; exit 1; }
grep -q "fold 0: resuming at epoch" "$work/resume.log" || { cat "$work/resume.log"; echo "FAIL: did not resume"; exit 1; }
diff <(cut -d, -f1-7 "$work/straight/efficientnet-b0/fold_0/metrics.csv") <(cut -d, -f1-7 "$metrics") ||
  { echo "FAIL: the resumed run differs from the uninterrupted one"; exit 1; }
# Every tensor of the restored best weights, BatchNorm statistics included, exactly equal.
"$compare" "$work/straight/efficientnet-b0/fold_0/best.h5" "$work/killed/efficientnet-b0/fold_0/best.h5" \
  efficientnet-b0 0 0 || { echo "FAIL: best.h5 differs"; exit 1; }
echo "PASS: killed with SIGKILL after $rows epoch(s); the resumed run matches the uninterrupted one"
