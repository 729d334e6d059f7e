#!/usr/bin/env bash
# train_preempt.sh BIN PREP SLURM_DIR WORK [LAUNCHER NTASKS] - slurm/train.sbatch under a real Slurm: a 1-task array trains
# resnet18 fold 0; after epoch 1 the batch shell gets SIGUSR1 (scancel --batch, as from
# --signal=B:USR1@120), forwards it to srun, steel_train checkpoints and exits 75, the script requeues the
# array task, Slurm starts it again (SLURM_RESTART_COUNT=1), steel_train resumes and finishes. Its
# metrics.csv (all but the timing columns) must equal an uninterrupted run of the same configuration.
# LAUNCHER (srun or mpirun, default srun) and NTASKS (ranks, default 1) choose how the job starts
# steel_train; the straight run has as many ranks (mpirun outside Slurm when more than 1).
set -uo pipefail
bin=$(realpath "$1"); prep=$(realpath "$2"); slurm_dir=$(realpath "$3"); work=$(realpath -m "$4")
launcher=${5:-srun}; ntasks=${6:-1}
. "$(dirname "$0")/lib.sh"
rm -rf "$work"; mkdir -p "$work"
fail() { echo "FAIL: $*"; dump "$work"/train-*.out "$work/straight.log"; exit 1; }

args="--epochs 4 --batch-size 8 --max-train-batches 4 --max-val-batches 2 --threads 1 --lr 1e-3
      --encoder-mode trainable --bn-momentum 0.1 --progress false"
# The uninterrupted run, outside Slurm, at the same time; with the same number of ranks, since 2 ranks
# round differently from 1 process.
straight_cmd=("$bin/steel_train")
if [ "$ntasks" -gt 1 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  # Binding changes the numbers (seen here: steel_train --threads 1 under mpirun --bind-to core differs
  # from --bind-to none in the 7th digit). mpirun inside the allocation binds each rank to a core, srun
  # with TaskPlugin=task/none does not bind: the straight run does the same.
  bind=none; [ "$launcher" = mpirun ] && bind=core
  straight_cmd=(mpirun -np "$ntasks" --bind-to "$bind" "${straight_cmd[@]}")
fi
# shellcheck disable=SC2086
"${straight_cmd[@]}" --backbone resnet18 --fold 0 --data "$prep" --out "$work/straight" $args \
  >"$work/straight.log" 2>&1 &
straight=$!

export STEEL_BIN=$bin STEEL_DATA=$prep STEEL_OUT=$work/runs STEEL_BACKBONES=resnet18 STEEL_FOLDS=0 \
       STEEL_SLURM_DIR=$slurm_dir STEEL_LAUNCHER=$launcher STEEL_TRAIN_ARGS="$(echo $args)"
job=$(sbatch --parsable --array=0 --ntasks="$ntasks" --cpus-per-task=1 --chdir "$work" \
        -o "$work/train-%A_%a.out" "$slurm_dir/train.sbatch") || fail "sbatch"
log=$work/train-${job}_0.out
echo "submitted array job $job"
# What steel_sweep chains after the array: an afterany dependency must wait for the requeued run to end,
# not fire when the first run exits for its requeue.
dep=$(sbatch --parsable --dependency=afterany:"$job" --chdir "$work" -o "$work/dependent.out" \
        --wrap "date +%s.%N > $work/dependent_ran") || fail "sbatch of the dependent job"
metrics=$work/runs/resnet18/fold_0/metrics.csv
wait_file "$metrics" 180 "$job" || fail "no metrics.csv within 180 s, or the job ended first (job states: $(job_states "$job"))"
# Only the batch shell (--batch), like --signal=B:USR1@..: the trap in train.sbatch must forward it.
scancel --batch --signal=USR1 "${job}_0" || fail "scancel"
echo "sent SIGUSR1 to the batch shell of ${job}_0 after $(($(wc -l <"$metrics") - 1)) epoch(s)"

st=$(wait_job "$job" 180); rc=$?
echo "job $job final state: $st"
wait "$straight" || fail "the straight run failed"
[ "$rc" -eq 0 ] || fail "job did not complete"
restarts=$(scontrol show job "$job" | grep -o 'Restarts=[0-9]*' | cut -d= -f2)
echo "restarts: $restarts"
echo "----- job log"; cat "$log"
grep -q 'got SIGUSR1: forwarding' "$log" || fail "the batch shell's trap did not run"
grep -q 'steel_train exit code 75' "$log" || fail "the first run did not end with exit code 75 (too late?)"
grep -q "requeueing ${job}_0" "$log" || fail "no requeue"
grep -q 'restart 1,' "$log" || fail "no second start with SLURM_RESTART_COUNT=1"
grep -q 'fold 0: resuming at epoch' "$log" || fail "the second start did not resume from the checkpoint"
[ "${restarts:-0}" -ge 1 ] || fail "scontrol shows Restarts=${restarts:-?}"
[ -f "$work/runs/resnet18/fold_0/result.csv" ] || fail "fold not finished"
wait_job "$dep" 60 >/dev/null || fail "the afterany dependent job did not complete"
[ "$(stat -c %Y "$work/dependent_ran")" -ge "$(stat -c %Y "$work/runs/resnet18/fold_0/result.csv")" ] ||
  fail "the afterany dependent job ran before the requeued run had finished"
diff <(cut -d, -f1-7 "$work/straight/resnet18/fold_0/metrics.csv") <(cut -d, -f1-7 "$metrics") \
  || fail "metrics differ from the uninterrupted run"
echo "PASS: requeued run matches the uninterrupted one"
