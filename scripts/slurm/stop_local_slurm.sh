#!/usr/bin/env bash
# stop_local_slurm.sh - stop the cluster started by scripts/slurm/start_local_slurm.sh.
# Cancels all jobs while the controller still runs (slurmstepd processes outlive
# slurmd), then stops slurmd, slurmctld and munged by the PIDs in their pid
# files, never by process name. Safe to run when nothing is running.
#   --purge   also delete saved job state, spool and logs (next start is clean)
# Knob: SLURM_CONF (default /etc/slurm/slurm.conf), read for KillWait.
set -uo pipefail
log() { printf '[stop_local_slurm] %s\n' "$*" >&2; }
[ "$(id -u)" -eq 0 ] || { log "must run as root"; exit 1; }
PURGE=0; [ "${1:-}" = "--purge" ] && PURGE=1
export SLURM_CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
KILLWAIT=$(sed -n 's/^KillWait=//p' "$SLURM_CONF" 2>/dev/null | head -1)
KILLWAIT=${KILLWAIT:-30}

stop_pidfile() {  # $1 = pid file, $2 = name: SIGTERM, 10 s, then SIGKILL
  local pid
  [ -s "$1" ] || return 0
  pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $2 (pid $pid)"
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "$2 still alive, SIGKILL"; kill -9 "$pid"; }
  fi
  rm -f "$1"
}

# 1. cancel jobs: steps get SIGTERM, then SIGKILL after KillWait
if [ -s /run/slurmctld.pid ] && kill -0 "$(cat /run/slurmctld.pid)" 2>/dev/null; then
  jobs=$(squeue -h -o '%A' 2>/dev/null | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    log "cancelling jobs: $jobs"
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null
    for _ in $(seq 1 $(( (KILLWAIT + 10) * 2 ))); do
      [ -z "$(squeue -h -o '%A' 2>/dev/null)" ] && break; sleep 0.5
    done
  fi
fi
# 2. daemons, in reverse start order
stop_pidfile /run/slurmd.pid slurmd
stop_pidfile /run/slurmctld.pid slurmctld
stop_pidfile /run/munge/munged.pid munged

if [ "$PURGE" = 1 ]; then
  log "purging state/spool/logs"
  rm -rf /var/spool/slurmctld /var/spool/slurmd
  rm -f /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log /var/log/slurm/jobcomp.log
fi
log "stopped"
