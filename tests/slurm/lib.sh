# lib.sh - helpers for the tests in tests/slurm (sourced). Every wait is bounded.

# The job's (or array's) states, one word per task, sorted and unique: "COMPLETED", "PENDING RUNNING", ...
# Empty when the controller no longer knows the job (MinJobAge 300 s after it ended).
job_states() {
  scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# wait_job JOB SECONDS: wait until every task of JOB is in a final state; prints the states.
# Returns 0 when all COMPLETED, 1 when some other final state, 2 on timeout.
wait_job() {
  local job=$1 limit=$2 end st
  end=$(( $(date +%s) + limit ))
  while :; do
    st=$(job_states "$job")
    case " $st " in
      *" PENDING "*|*" RUNNING "*|*" CONFIGURING "*|*" COMPLETING "*|*" REQUEUED "*|*" SUSPENDED "*|*" RESIZING "*|"  ") ;;
      *) echo "$st"; [ "$st" = COMPLETED ]; return $? ;;
    esac
    [ "$(date +%s)" -ge "$end" ] && { echo "TIMEOUT after ${limit}s (states: $st)"; return 2; }
    sleep 0.2
  done
}

# wait_file FILE SECONDS [JOB]: wait for FILE; give up early when JOB has ended
wait_file() {
  local end=$(( $(date +%s) + $2 )) n=0
  until [ -s "$1" ]; do
    [ "$(date +%s)" -ge "$end" ] && return 1
    n=$((n + 1))
    if [ -n "${3:-}" ] && [ $((n % 10)) -eq 0 ]; then
      case " $(job_states "$3") " in *" PENDING "*|*" RUNNING "*|*" CONFIGURING "*) ;; *) return 1 ;; esac
    fi
    sleep 0.1
  done
}

# dump FILE...: print files (job logs) to help diagnose a failure
dump() {
  local f
  for f in "$@"; do [ -f "$f" ] && { echo "----- $f"; tail -n 80 "$f"; }; done
  echo "----- squeue"; squeue 2>&1 | head -20
}
