#!/usr/bin/env bash
# Starts steel_fault_peer as two ranks (env launcher on 127.0.0.1). One rank dies or stalls; the survivor
# must exit with code 4 (DistError) within a bound and name the failed rank in its error.
# Usage: fault_test.sh <steel_fault_peer> <victim rank> <die|stall> <timeout ms> <bound s>
set -u
prog=$1 victim=$2 mode=$3 timeout_ms=$4 bound_s=$5
survivor=$((1 - victim))
port=$((20000 + (RANDOM % 20000)))
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

start=$(date +%s)
pids=()
for rank in 0 1; do
  RANK=$rank WORLD_SIZE=2 LOCAL_RANK=$rank MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
    timeout -s KILL $((bound_s + 30)) "$prog" "$victim" "$mode" "$timeout_ms" >"$log_dir/$rank.log" 2>&1 &
  pids+=($!)
done
wait "${pids[$survivor]}"
rc=$?
elapsed=$(($(date +%s) - start))
# pids[] are the `timeout` wrappers: SIGKILL to a wrapper would orphan a stalled peer, which then spins on
# a core for good. Kill the peer itself, then the wrapper.
pkill -KILL -P "${pids[$victim]}" 2>/dev/null
kill -KILL "${pids[$victim]}" 2>/dev/null
wait "${pids[$victim]}" 2>/dev/null

echo "--- survivor rank $survivor (exit $rc after ${elapsed}s):"
cat "$log_dir/$survivor.log"
echo "--- victim rank $victim:"
cat "$log_dir/$victim.log"

status=0
if [ "$rc" -ne 4 ]; then echo "FAIL: survivor exit code $rc, expected 4 (DistError)"; status=1; fi
if [ "$elapsed" -gt "$bound_s" ]; then echo "FAIL: took ${elapsed}s, bound ${bound_s}s"; status=1; fi
if ! grep -q "rank $victim" "$log_dir/$survivor.log"; then echo "FAIL: error does not name rank $victim"; status=1; fi
[ $status -eq 0 ] && echo "OK"
exit $status
