#!/usr/bin/env bash
# A signal to the whole mpirun job stops every rank at the same step; one checkpoint is written, the job exits
# with 75, and --resume ends with exactly the metrics of an uninterrupted run.
#   train_preempt.sh STEEL_TRAIN PREP_DIR OUT_DIR
set -euo pipefail
train=$1; prep=$2; out=$3
rm -rf "$out"
common=(--backbone resnet18 --encoder-mode trainable --data "$prep" --fold 0 --epochs 4 --batch-size 8
        --max-train-batches 4 --max-val-batches 2 --threads 1 --lr 1e-3 --bn-momentum 0.1 --progress false)
mpirun -np 2 "$train" "${common[@]}" --out "$out/straight"

mpirun -np 2 "$train" "${common[@]}" --out "$out/stopped" &
job=$!
metrics="$out/stopped/resnet18/fold_0/metrics.csv"
for _ in $(seq 1 600); do [ -f "$metrics" ] && break; sleep 0.05; done
# Open MPI's mpirun forwards SIGUSR1 to every rank (Slurm would signal the tasks directly).
kill -USR1 "$job"
set +e; wait "$job"; code=$?; set -e
echo "interrupted job exit code: $code"
[ "$code" -eq 75 ] || { echo "expected exit code 75 (checkpointed, requeue)"; exit 1; }
rows=$(($(wc -l < "$metrics") - 1))
[ "$rows" -lt 4 ] || { echo "the run finished before the signal; nothing was tested"; exit 1; }

mpirun -np 2 "$train" "${common[@]}" --out "$out/stopped" --resume
# Everything but the timing columns must be identical.
diff <(cut -d, -f1-7 "$out/straight/resnet18/fold_0/metrics.csv") <(cut -d, -f1-7 "$metrics")
echo "resumed run matches the uninterrupted one ($rows epoch(s) before the stop)"
