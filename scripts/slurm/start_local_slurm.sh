#!/usr/bin/env bash
# start_local_slurm.sh - bring up a real single-node Slurm cluster (munged +
# slurmctld + slurmd) on this machine, for the `slurm` ctest label (tests/slurm)
# and for trying slurm/*.sbatch by hand. Idempotent: safe to run again; it only
# (re)starts what is not running, and restarts daemons when the generated
# slurm.conf changed. Needs root and apt access (a fresh Debian 12 container is
# enough). No systemd and no cgroups needed. Tested on Debian 12 (Slurm
# 22.05.8, munge 0.5.15, Open MPI 4.1.4). Adapted from
# shared/reference/local_slurm/start_local_slurm.sh; stop with
# scripts/slurm/stop_local_slurm.sh.
#
# Environment knobs (all optional):
#   SLURM_NODE        node name              (default: hostname -s)
#   SLURM_CPUS        CPUs for the node      (default: from `slurmd -C`)
#   SLURM_MEM_MB      RealMemory in MB       (default: from `slurmd -C`)
#   SLURM_KILLWAIT    seconds SIGTERM->SIGKILL (default 10; Slurm default 30)
#   SLURM_INSTALL     1 = apt-get install missing packages (default 1)
#   SLURM_WITH_MPI    1 = also install openmpi-bin libopenmpi-dev (default 1)
#   SLURM_CLEAN       1 = start slurmctld with -c (forget old jobs) (default 0)
#   SLURM_WAIT_S      seconds to wait for the node to become idle (default 60)
#   SLURM_CONF        path of slurm.conf (default /etc/slurm/slurm.conf)
#   SLURM_CRED_EXPIRE seconds a requeued job waits before it may start again
#                     (AuthInfo=cred_expire; Slurm default 120, here 10)
set -euo pipefail

log() { printf '[start_local_slurm] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"

SLURM_CONF=${SLURM_CONF:-/etc/slurm/slurm.conf}
export SLURM_CONF
SLURM_INSTALL=${SLURM_INSTALL:-1}
SLURM_WITH_MPI=${SLURM_WITH_MPI:-1}
SLURM_KILLWAIT=${SLURM_KILLWAIT:-10}
SLURM_CLEAN=${SLURM_CLEAN:-0}
SLURM_WAIT_S=${SLURM_WAIT_S:-60}
SLURM_CRED_EXPIRE=${SLURM_CRED_EXPIRE:-10}
STATE_DIR=/var/spool/slurmctld
SPOOL_DIR=/var/spool/slurmd
LOG_DIR=/var/log/slurm
CTLD_PID=/run/slurmctld.pid
SLURMD_PID=/run/slurmd.pid
MUNGE_RUN=/run/munge
MUNGE_PID=$MUNGE_RUN/munged.pid
T_START=$(date +%s)

# ---------------------------------------------------------------- packages
need_pkgs=()
command -v slurmctld >/dev/null 2>&1 || need_pkgs+=(slurmctld)
command -v slurmd    >/dev/null 2>&1 || need_pkgs+=(slurmd)
command -v sbatch    >/dev/null 2>&1 || need_pkgs+=(slurm-client)
command -v munged    >/dev/null 2>&1 || need_pkgs+=(munge)
if [ "$SLURM_WITH_MPI" = 1 ]; then
  command -v mpirun  >/dev/null 2>&1 || need_pkgs+=(openmpi-bin)
  command -v mpicc   >/dev/null 2>&1 || need_pkgs+=(libopenmpi-dev)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  [ "$SLURM_INSTALL" = 1 ] || die "missing packages: ${need_pkgs[*]}"
  log "installing: ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # apt-cache may know nothing before the first update on a fresh machine
  apt-get update -q >/dev/null
  # --no-install-recommends keeps it to ~6 packages; the slurm-wlm
  # metapackage would drag in ~30 (rrd, influxdb, ipmi, hdf5 plugins ...).
  # In containers policy-rc.d denies service start; we start daemons below.
  apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# ---------------------------------------------------------------- node facts
NODE=${SLURM_NODE:-$(hostname -s)}
# `slurmd -C` prints e.g. "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1
# CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105". RealMemory must not
# exceed what slurmd detects or the node goes INVAL/DRAIN ("Low RealMemory").
HW=$(slurmd -C | head -1)
hw() { printf '%s\n' "$HW" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
CPUS=${SLURM_CPUS:-$(hw CPUs)}
MEM=${SLURM_MEM_MB:-$(hw RealMemory)}
if [ -z "${SLURM_CPUS:-}" ]; then
  TOPO="Boards=$(hw Boards) SocketsPerBoard=$(hw SocketsPerBoard) CoresPerSocket=$(hw CoresPerSocket) ThreadsPerCore=$(hw ThreadsPerCore)"
else
  TOPO=""   # custom CPU count: let Slurm derive a flat topology
fi

# ---------------------------------------------------------------- munge
if [ ! -s /etc/munge/munge.key ]; then
  log "creating munge key"
  mkdir -p /etc/munge
  if command -v mungekey >/dev/null 2>&1; then
    mungekey -c -k /etc/munge/munge.key          # munge >= 0.5.14
  else
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
  fi
fi
chown munge:munge /etc/munge /etc/munge/munge.key
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key
# systemd's RuntimeDirectory normally creates /run/munge; do it by hand.
mkdir -p "$MUNGE_RUN" /var/lib/munge /var/log/munge
chown munge:munge "$MUNGE_RUN" /var/lib/munge /var/log/munge
chmod 0755 "$MUNGE_RUN"
if ! { [ -s "$MUNGE_PID" ] && kill -0 "$(cat "$MUNGE_PID")" 2>/dev/null; }; then
  log "starting munged"
  rm -f "$MUNGE_RUN/munge.socket.2" "$MUNGE_RUN/munge.socket.2.lock"
  # munged must run as the key owner (user munge), not root.
  runuser -u munge -- /usr/sbin/munged
fi
for i in $(seq 1 50); do
  munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
  sleep 0.2
  [ "$i" = 50 ] && die "munged does not answer (see /var/log/munge/munged.log)"
done

# ---------------------------------------------------------------- slurm.conf
mkdir -p "$(dirname "$SLURM_CONF")" "$STATE_DIR" "$SPOOL_DIR" "$LOG_DIR"
NEW_CONF=$(mktemp)
cat >"$NEW_CONF" <<EOF
# generated by start_local_slurm.sh - single-node CI cluster
ClusterName=localci
# 127.0.0.1 in parentheses = no DNS needed for the controller address
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# a requeued job is held (Reason=BeginTime) for cred_expire seconds; the
# default 120 s would make every requeue (steel_train exit 75) slow in CI
AuthInfo=cred_expire=${SLURM_CRED_EXPIRE}
# PMIx so that plain 'srun ./mpi_prog' wires up Debian's Open MPI 4.1
MpiDefault=pmix
# no cgroups at all: works in containers / VMs without a delegated cgroup tree
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# a flat file with one line per finished job (state, exit code): sacct is
# unavailable without slurmdbd, scontrol forgets jobs after MinJobAge
JobCompType=jobcomp/filetxt
JobCompLoc=${LOG_DIR}/jobcomp.log
SwitchType=switch/none
SchedulerType=sched/backfill
# look for startable jobs every 2 s (default 60 s main loop / 30 s backfill): a requeued job whose
# BeginTime has passed starts at once instead of waiting for the next pass
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
# cores only, memory not a consumable: jobs need no --mem
SelectTypeParameters=CR_Core
# node comes back by itself after slurmd restarts
ReturnToService=2
KillWait=${SLURM_KILLWAIT}
MailProg=/bin/true
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldPidFile=${CTLD_PID}
SlurmdPidFile=${SLURMD_PID}
StateSaveLocation=${STATE_DIR}
SlurmdSpoolDir=${SPOOL_DIR}
SlurmctldLogFile=${LOG_DIR}/slurmctld.log
SlurmdLogFile=${LOG_DIR}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=${NODE} NodeAddr=127.0.0.1 NodeHostname=${NODE} CPUs=${CPUS} ${TOPO} RealMemory=${MEM} State=UNKNOWN
PartitionName=debug Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
CONF_CHANGED=0
if ! cmp -s "$NEW_CONF" "$SLURM_CONF"; then
  [ -f "$SLURM_CONF" ] && cp "$SLURM_CONF" "$SLURM_CONF.bak.$(date +%s)"
  install -m 0644 "$NEW_CONF" "$SLURM_CONF"
  CONF_CHANGED=1
  log "wrote $SLURM_CONF"
fi
rm -f "$NEW_CONF"

running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
stop_pidfile() {  # stop the daemon recorded in pid file $1 (by PID only)
  local pid
  running "$1" || return 0
  pid=$(cat "$1"); kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
if [ "$CONF_CHANGED" = 1 ]; then   # a new node/port config needs a restart
  stop_pidfile "$SLURMD_PID"
  stop_pidfile "$CTLD_PID"
fi

# ---------------------------------------------------------------- daemons
if ! running "$CTLD_PID"; then
  log "starting slurmctld"
  ctld_args=()
  [ "$SLURM_CLEAN" = 1 ] && ctld_args+=(-c)   # -c: discard saved job state
  # daemonizes; writes $CTLD_PID. Missing *_state files on first start are
  # logged as errors but are harmless.
  /usr/sbin/slurmctld "${ctld_args[@]}"
fi
for i in $(seq 1 50); do scontrol ping >/dev/null 2>&1 && break; sleep 0.2; done
scontrol ping | grep -q UP || die "slurmctld not up (see $LOG_DIR/slurmctld.log)"
if ! running "$SLURMD_PID"; then
  log "starting slurmd -N $NODE"
  /usr/sbin/slurmd -N "$NODE"
fi

# ---------------------------------------------------------------- wait idle
deadline=$(( $(date +%s) + SLURM_WAIT_S ))
while :; do
  st=$(sinfo -h -n "$NODE" -o '%t' 2>/dev/null | head -1 || true)
  case "$st" in
    idle|mix|alloc) break ;;
    drain|drng|down|down\*|inval|fail)
      # e.g. left DOWN by an unclean earlier stop: resume it once
      log "node state '$st' - resuming"
      scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true ;;
  esac
  [ "$(date +%s)" -ge "$deadline" ] && {
    sinfo -N -l >&2 || true; tail -20 "$LOG_DIR/slurmd.log" >&2 || true
    die "node $NODE not idle after ${SLURM_WAIT_S}s (state '$st')"; }
  sleep 0.5
done
log "cluster up in $(( $(date +%s) - T_START ))s: node=$NODE cpus=$CPUS mem=${MEM}MB conf=$SLURM_CONF"
sinfo
