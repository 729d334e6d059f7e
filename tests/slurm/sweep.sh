#!/usr/bin/env bash
# sweep.sh BIN PREP SLURM_DIR WORK - the whole sweep on a real Slurm, twice.
# Run 1: steel_sweep --mode slurm submits slurm/train.sbatch as one array (2 backbones x 2 folds, two tasks
# at a time on the 2-CPU node), then eval.sbatch (afterany on the array) and report.sbatch (afterany on
# eval); --wait blocks until they end. resnet18 fold 1 is given a corrupt checkpoint first, so its task
# fails: the sweep must exit 1, --status must show that run failed with its exit code, and the report must
# still come out, with 1 fold for resnet18 and 2 for resnet34.
# Run 2: the bad checkpoint removed, the same command again: finished tasks return at once, the failed
# fold trains, and the sweep exits 0 with both backbones at 2 folds.
set -uo pipefail
bin=$(realpath "$1"); prep=$(realpath "$2"); slurm_dir=$(realpath "$3"); work=$(realpath -m "$4")
. "$(dirname "$0")/lib.sh"
sweep=$bin/steel_sweep
[ -x "$sweep" ] || { echo "FAIL: $sweep not built"; exit 1; }
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
fail() { echo "FAIL: $*"; dump "$work"/runs/slurm_logs/*.out "$work"/*.out "$work"/*.log; exit 1; }

args="--epochs 2 --batch-size 8 --max-train-batches 2 --max-val-batches 1 --threads 1 --lr 1e-3
      --encoder-mode trainable --bn-momentum 0.1 --progress false"
sweep_args=(--mode slurm --data "$prep" --out "$work/runs" --report "$work/report"
  --backbones resnet18,resnet34 --folds 0,1 --ranks 1 --train-args "$(echo $args)"
  --eval-args "--min-pixels 50 --overlays 1 --threads 1"
  --slurm-dir "$slurm_dir" --partition debug --time 00:20:00)
folds_in_report() { grep "^$1,steel," "$work/report/figure55.csv" | cut -d, -f3; }

mkdir -p "$work/runs/resnet18/fold_1"
echo "not a checkpoint" >"$work/runs/resnet18/fold_1/checkpoint.pt"
start=$(date +%s)
timeout 170 "$sweep" "${sweep_args[@]}" --wait 2>&1 | tee "$work/sweep1.log"
rc=${PIPESTATUS[0]}
echo "run 1: steel_sweep exit code $rc after $(( $(date +%s) - start )) s"
[ "$rc" -eq 1 ] || fail "run 1: expected exit code 1 for a sweep with a failed run (124 = did not finish in 170 s)"
[ -s "$work/report/index.md" ] || fail "run 1: a partly failed sweep got no report/index.md"
"$sweep" "${sweep_args[@]}" --status | tee "$work/status1.log"
grep -Eq '^resnet18 +1 +failed .*exit code 3 \(slurm job [0-9]+_1\)' "$work/status1.log" ||
  fail "run 1: --status does not show resnet18 fold 1 as failed with exit code 3 and its job"
[ "$(folds_in_report resnet18)" = 1 ] || fail "run 1: expected resnet18 with its 1 finished fold in figure55.csv"
[ "$(folds_in_report resnet34)" = 2 ] || fail "run 1: expected resnet34 with 2 folds in figure55.csv"
cp "$work/runs/resnet34/fold_0/metrics.csv" "$work/resnet34_fold0_run1.csv"

rm "$work/runs/resnet18/fold_1/checkpoint.pt"
start=$(date +%s)
timeout 170 "$sweep" "${sweep_args[@]}" --wait 2>&1 | tee "$work/sweep2.log"
rc=${PIPESTATUS[0]}
echo "run 2: steel_sweep exit code $rc after $(( $(date +%s) - start )) s"
[ "$rc" -eq 0 ] || fail "run 2: steel_sweep failed (124 = did not finish in 170 s)"
[ ! -e "$work/runs/resnet18/fold_1/sweep_failed.txt" ] || fail "run 2: the failure marker outlived the success"
for b in resnet18 resnet34; do
  echo "figure55 $b folds: $(folds_in_report $b)"
  [ "$(folds_in_report $b)" = 2 ] || fail "run 2: $b: expected a steel row with 2 folds in figure55.csv"
  [ -s "$work/runs/$b/test_metrics.csv" ] || fail "run 2: $b: eval wrote no test_metrics.csv"
done
cmp -s "$work/resnet34_fold0_run1.csv" "$work/runs/resnet34/fold_0/metrics.csv" ||
  fail "run 2: a finished run was trained again (its metrics.csv changed)"
echo "PASS: a failed task still got evaluation and a report; rerunning trained only the missing fold"
