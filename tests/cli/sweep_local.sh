#!/usr/bin/env bash
# steel_sweep --mode local end to end on the CLI tests' prepared folds: train 2 folds, evaluate, report; a rerun
# skips finished runs; a run left with only a checkpoint is resumed; --status tells the states apart.
#   sweep_local.sh STEEL_SWEEP PREP_DIR WORK_DIR
set -euo pipefail
sweep=$1; prep=$2; work=$3
rm -rf "$work"
args=(--data "$prep" --out "$work/runs" --report "$work/report" --backbones resnet18 --folds 0,1
      --train-args "--epochs 2 --batch-size 4 --max-train-batches 2 --max-val-batches 1 --threads 1 --progress false"
      --eval-args "--min-pixels 50 --overlays 1 --threads 1")
"$sweep" "${args[@]}" --status | tee "$work.status0"
grep -q "2 runs: 2 pending" "$work.status0"

"$sweep" "${args[@]}" > "$work.log1" 2>&1 || { cat "$work.log1"; exit 1; }
grep -q "2 runs: 2 finished" "$work.log1"
test -f "$work/report/index.md"
test -f "$work/runs/resnet18/test_metrics.csv"
grep -q "^ensemble," "$work/runs/resnet18/test_metrics.csv"
cp "$work/runs/resnet18/fold_1/metrics.csv" "$work.metrics1"

# Rerun: nothing is retrained.
"$sweep" "${args[@]}" > "$work.log2" 2>&1 || { cat "$work.log2"; exit 1; }
[ "$(grep -c 'finished; skipped' "$work.log2")" -eq 2 ] || { cat "$work.log2"; exit 1; }
cmp "$work.metrics1" "$work/runs/resnet18/fold_1/metrics.csv" || { echo "a finished run was retrained"; exit 1; }

# An interrupted run: fold 1 trained for one epoch only (the same settings but --epochs 1, under mpirun -np 1
# --bind-to none like the sweep's runs, since CPU binding changes the last digits), its result removed, so it holds a
# checkpoint after epoch 1. --status calls it "started"; the sweep resumes it at epoch 2, and the run ends
# with exactly the metrics of the uninterrupted one.
rm -rf "$work/runs/resnet18/fold_1"
mpirun -np 1 --bind-to none "$(dirname "$sweep")/steel_train" --backbone resnet18 --fold 1 --data "$prep" --out "$work/runs" \
  --epochs 1 --batch-size 4 --max-train-batches 2 --max-val-batches 1 --threads 1 --progress false \
  > "$work.log_epoch1" 2>&1 || { cat "$work.log_epoch1"; exit 1; }
rm "$work/runs/resnet18/fold_1/result.csv"
"$sweep" "${args[@]}" --status | tee "$work.status3"
grep -Eq "resnet18 +1 +started +1" "$work.status3"
"$sweep" "${args[@]}" > "$work.log3" 2>&1 || { cat "$work.log3"; exit 1; }
grep -q "fold 0 finished; skipped" "$work.log3"
grep -q "fold 1: resuming at epoch 2 step 0" "$work.log3" || { cat "$work.log3"; exit 1; }
grep -q "2 runs: 2 finished" "$work.log3"
diff <(cut -d, -f1-7 "$work.metrics1") <(cut -d, -f1-7 "$work/runs/resnet18/fold_1/metrics.csv") ||
  { echo "the resumed run differs from the uninterrupted one"; exit 1; }
echo "local sweep: trained, skipped on rerun, resumed an interrupted run to the same metrics"
