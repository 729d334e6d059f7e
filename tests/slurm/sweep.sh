#!/usr/bin/env bash
# sweep.sh BIN PREP SLURM_DIR WORK - the whole sweep on a real Slurm: steel_sweep --mode slurm submits
# slurm/train.sbatch as one array (2 backbones x 2 folds, two tasks at a time on the 2-CPU node), then
# eval.sbatch (afterok on the array) and report.sbatch (afterok on eval), and --wait blocks until they end.
# Checks: steel_sweep exits 0, REPORT/index.md exists, and figure55.csv has a steel row with 2 folds for
# both backbones.
set -uo pipefail
bin=$(realpath "$1"); prep=$(realpath "$2"); slurm_dir=$(realpath "$3"); work=$(realpath -m "$4")
. "$(dirname "$0")/lib.sh"
sweep=$bin/steel_sweep
[ -x "$sweep" ] || { echo "FAIL: $sweep not built"; exit 1; }
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
fail() { echo "FAIL: $*"; dump "$work"/runs/slurm_logs/*.out "$work"/*.out "$work"/*.log; exit 1; }

args="--epochs 2 --batch-size 8 --max-train-batches 2 --max-val-batches 1 --threads 1 --lr 1e-3
      --encoder-mode trainable --bn-momentum 0.1 --progress false"
start=$(date +%s)
timeout 170 "$sweep" --mode slurm --data "$prep" --out "$work/runs" --report "$work/report" \
  --backbones resnet18,resnet34 --folds 0,1 --ranks 1 --train-args "$(echo $args)" \
  --eval-args "--min-pixels 50 --overlays 1 --threads 1" \
  --slurm-dir "$slurm_dir" --partition debug --time 00:20:00 --wait 2>&1 | tee "$work/sweep.log"
rc=${PIPESTATUS[0]}
echo "steel_sweep exit code $rc after $(( $(date +%s) - start )) s"
[ "$rc" -eq 0 ] || fail "steel_sweep failed (124 = did not finish in 170 s)"
[ -s "$work/report/index.md" ] || fail "no report/index.md"
for b in resnet18 resnet34; do
  row=$(grep "^$b,steel," "$work/report/figure55.csv")
  echo "figure55: $row"
  [ "$(echo "$row" | cut -d, -f3)" = 2 ] || fail "$b: expected a steel row with 2 folds in figure55.csv"
  [ -s "$work/runs/$b/test_metrics.csv" ] || fail "$b: eval wrote no test_metrics.csv"
done
echo "PASS: sweep trained, evaluated and reported 2 backbones x 2 folds"
