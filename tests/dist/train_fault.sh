#!/usr/bin/env bash
# Faults in a real two-rank steel_train (env launcher on 127.0.0.1, as a container or a bare-metal launcher
# starts it; mpirun would end the whole job itself and hide what steel_train does).
#   train_fault.sh STEEL_TRAIN PREP_DIR OUT_DIR term
#     SIGTERM to rank 1 only, after the first epoch: the stop flag is all-reduced at every step boundary, so
#     both ranks stop at the same step, write one checkpoint and exit 75; --resume with two ranks must end
#     with exactly the metrics of an uninterrupted two-rank run.
#   train_fault.sh STEEL_TRAIN PREP_DIR OUT_DIR kill
#     SIGKILL to rank 1 in the middle of training (inside forward/backward and the Reducer's bucket
#     all-reduces): rank 0 must exit 4 within 60 s and name rank 1.
set -u
train=$1; prep=$2; out=$3; mode=$4
rm -rf "$out"; mkdir -p "$out"
# kill: enough epochs that the run is still training when rank 1 dies
epochs=4; [ "$mode" = kill ] && epochs=200
common=(--backbone resnet18 --encoder-mode trainable --data "$prep" --fold 0 --epochs $epochs --patience 200 --batch-size 8
        --max-train-batches 4 --max-val-batches 2 --threads 1 --lr 1e-3 --bn-momentum 0.1 --progress false
        --dist-timeout 10)
pids=()
# Whatever happens, no steel_train outlives the test (pids[] are `timeout` wrappers; kill their children).
cleanup() { for p in "${pids[@]}"; do pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done; }
trap cleanup EXIT
# start_ranks DIR [args...]: two ranks in the background, logs in DIR/rank<r>.log
start_ranks() {
  local dir=$1; shift
  local port=$((20000 + RANDOM % 20000))
  pids=()
  for rank in 0 1; do
    RANK=$rank WORLD_SIZE=2 LOCAL_RANK=$rank MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
      timeout -s KILL 240 "$train" "${common[@]}" --out "$dir" "$@" >>"$out/rank$rank.log" 2>&1 &
    pids+=($!)
  done
}
fail() { echo "FAIL: $*"; for r in 0 1; do echo "--- rank $r log:"; tail -n 30 "$out/rank$r.log"; done; exit 1; }
wait_rows() {  # wait_rows METRICS N: until metrics.csv has N epoch rows (or 120 s)
  for _ in $(seq 1 1200); do
    [ -f "$1" ] && [ $(($(wc -l <"$1") - 1)) -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

case "$mode" in
  term)
    start_ranks "$out/straight"
    wait "${pids[0]}" || fail "uninterrupted run, rank 0 exit code $?"
    wait "${pids[1]}" || fail "uninterrupted run, rank 1 exit code $?"
    metrics=$out/stopped/resnet18/fold_0/metrics.csv
    start_ranks "$out/stopped"
    wait_rows "$metrics" 1 || fail "no epoch finished"
    # pids[] are the `timeout` wrappers, which pass SIGTERM on to steel_train.
    kill -TERM "${pids[1]}"
    wait "${pids[0]}"; rc0=$?
    wait "${pids[1]}"; rc1=$?
    echo "after SIGTERM to rank 1: rank 0 exit $rc0, rank 1 exit $rc1"
    [ "$rc0" -eq 75 ] && [ "$rc1" -eq 75 ] || fail "expected both ranks to checkpoint and exit 75"
    rows=$(($(wc -l <"$metrics") - 1))
    [ "$rows" -lt 4 ] || fail "the run finished before the signal; nothing was tested"
    start_ranks "$out/stopped" --resume
    wait "${pids[0]}" || fail "resumed run, rank 0 exit code $?"
    wait "${pids[1]}" || fail "resumed run, rank 1 exit code $?"
    diff <(cut -d, -f1-7 "$out/straight/resnet18/fold_0/metrics.csv") <(cut -d, -f1-7 "$metrics") ||
      fail "the resumed run differs from the uninterrupted one"
    echo "PASS: both ranks stopped together after $rows epoch(s); the resumed run matches"
    ;;
  kill)
    start=$(date +%s)
    start_ranks "$out/killed"
    wait_rows "$out/killed/resnet18/fold_0/metrics.csv" 1 || fail "no epoch finished"
    # pids[] are the `timeout` wrappers; SIGKILL must hit steel_train itself, which cannot pass it on.
    pkill -KILL -P "${pids[1]}" || fail "rank 1's steel_train was not running"
    killed_at=$(date +%s)
    wait "${pids[0]}"; rc0=$?
    elapsed=$(($(date +%s) - killed_at))
    echo "rank 0 exit $rc0, ${elapsed}s after rank 1 was killed ($(($(date +%s) - start))s in all)"
    [ "$rc0" -eq 4 ] || fail "rank 0 exit code $rc0, expected 4 (distributed-run failure)"
    [ "$elapsed" -le 60 ] || fail "rank 0 took ${elapsed}s to notice, bound 60s"
    grep -q "rank 1" "$out/rank0.log" || fail "rank 0's error does not name rank 1"
    grep -E "error|ERROR" "$out/rank0.log" | tail -n 3
    echo "PASS: rank 0 named the dead rank and exited 4"
    ;;
  *) echo "usage: train_fault.sh STEEL_TRAIN PREP_DIR OUT_DIR term|kill"; exit 2 ;;
esac
