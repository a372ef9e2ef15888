#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying (and testing) Docs/Sweep.md's job array for real:
# Debian's slurm-wlm and munge, configured in a private directory and started directly (no systemd), as root.
#
#   Scripts/slurm-local.sh up       # install the packages if missing, write the config, start munged,
#                                   # slurmctld and slurmd; wait until the node takes jobs. Idempotent.
#   Scripts/slurm-local.sh status   # the daemons, the node and the queue
#   Scripts/slurm-local.sh env      # prints `export SLURM_CONF=...`: eval "$(Scripts/slurm-local.sh env)"
#   Scripts/slurm-local.sh down     # cancel the jobs, stop the daemons this script started; logs stay
#
# Everything lives under $NTK_SLURM_DIR (default /var/tmp/ntk-slurm): slurm.conf, the munge key and socket,
# the controller's state, slurmd's spool, pid files and logs. Nothing is written to /etc/slurm or /etc/munge,
# and no system service is touched: the client commands (sbatch, squeue, ...) find this cluster through
# SLURM_CONF. The daemons listen on ports $NTK_SLURM_PORT and $NTK_SLURM_PORT+1 (default 6817, 6818).
#
# The choices that matter in a container or a VM without systemd (Docs/Sweep.md#a-slurm-cluster-on-one-machine-make-test-slurm):
#   * ProctrackType=proctrack/linuxproc, TaskPlugin=task/none, JobAcctGatherType=jobacct_gather/none: no
#     cgroup plugin, so no cgroup.conf, no systemd/dbus delegation and no writable cgroup tree is needed.
#   * The node's CPUs, sockets, cores and memory come from `slurmd -C`, so the config fits the machine;
#     SelectType=select/cons_tres with CR_Core hands out cores (not memory): an `--cpus-per-task=2` array
#     task takes both cores of a 2-core machine, and the tasks run one after another.
#   * munged gets its own key, socket, pid and log files (AuthInfo=socket=... tells Slurm where).
set -euo pipefail

dir=${NTK_SLURM_DIR:-/var/tmp/ntk-slurm}
port=${NTK_SLURM_PORT:-6817}
conf=$dir/slurm.conf
munge_socket=$dir/munge/munge.socket.2
apt_packages=(slurm-wlm munge)

say() { echo "slurm-local: $*" >&2; }
die() { say "error: $*"; exit 1; }

need_root() {
  [[ $(id -u) == 0 ]] || die "run as root: munged, slurmctld and slurmd are started as root (SlurmUser=root)."
}

install_packages() {
  local missing=() p
  for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -qq
    # policy-rc.d or not, the packages' own services are not used: this script starts its daemons itself.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  local tool
  for tool in munged mungekey slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
    command -v "$tool" >/dev/null || die "$tool not found after installing ${apt_packages[*]}."
  done
}

# The pid in FILE if that process is alive and is the daemon the file is named after (a stale pid file whose
# number went to another process does not count, so `down` never signals anything but its own daemons).
alive_pid() {
  local file=$1 pid name
  name=$(basename "$file" .pid)
  [[ -s $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$name"* ]] || return 1
  echo "$pid"
}

running() { alive_pid "$dir/run/munged.pid" >/dev/null && alive_pid "$dir/run/slurmctld.pid" >/dev/null \
              && alive_pid "$dir/run/slurmd.pid" >/dev/null; }

node_name() { hostname -s; }

write_config() {
  local node hardware
  node=$(node_name)
  # e.g. "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105"
  hardware=$(slurmd -C | head -n1)
  [[ $hardware == NodeName=* ]] || die "slurmd -C printed '$hardware', not a node line."
  hardware=${hardware#NodeName=* }
  cat >"$conf" <<EOF
# Written by Scripts/slurm-local.sh up: a one-node cluster for this machine ($(date -u +%FT%TZ)).
ClusterName=ntk-local
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: these work in a container or VM without systemd and without a delegated cgroup tree.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# Array tasks that finish quickly are scheduled again at once, not at the next backfill pass.
SchedulerParameters=sched_interval=5
MailProg=/bin/true
# From \`slurmd -C\` on this machine.
NodeName=$node NodeAddr=127.0.0.1 $hardware State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
  # munged checks permissions: the socket's directory must be searchable by all, the key readable by root alone.
  mkdir -p "$dir/munge"
  chmod 0755 "$dir/munge"
  if [[ ! -s $dir/munge/munge.key ]]; then
    mungekey --create --keyfile="$dir/munge/munge.key" 2>/dev/null \
      || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$dir/munge/munge.key"
  fi
  munged --key-file="$dir/munge/munge.key" --socket="$munge_socket" --pid-file="$dir/run/munged.pid" \
         --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
    || die "munged did not start; see $dir/log/munged.log."
  for _ in $(seq 50); do
    munge --socket="$munge_socket" -n </dev/null | unmunge --socket="$munge_socket" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "munged does not answer on $munge_socket; see $dir/log/munged.log."
}

# The daemons fork into the background and write their pid file a moment later.
wait_for_pidfile() {
  local name=$1
  for _ in $(seq 100); do
    alive_pid "$dir/run/$name.pid" >/dev/null && return 0
    sleep 0.1
  done
  die "$name did not start: $(grep -E 'fatal|error' "$dir/log/$name.log" 2>/dev/null | tail -n1)"
}

wait_for_node() {
  local state name
  for _ in $(seq 60); do
    for name in slurmctld slurmd; do
      alive_pid "$dir/run/$name.pid" >/dev/null \
        || die "$name stopped: $(grep -E 'fatal|error' "$dir/log/$name.log" | tail -n1); see $dir/log/$name.log."
    done
    state=$(sinfo -h -N -n "$(node_name)" -o %t 2>/dev/null || true)
    case $state in
      idle*|mix*|alloc*) return 0 ;;
    esac
    sleep 0.5
  done
  die "node $(node_name) is '${state:-unknown}' after 30 s, not idle; see $dir/log/slurmctld.log and $dir/log/slurmd.log."
}

cmd_up() {
  need_root
  install_packages
  export SLURM_CONF=$conf
  if running; then
    say "already up ($dir); node $(node_name): $(sinfo -h -N -n "$(node_name)" -o %t 2>/dev/null || echo '?')"
    return 0
  fi
  # Half-started from an earlier attempt: stop what is left, then start clean.
  stop_daemons
  mkdir -p "$dir/run" "$dir/log"
  # A fresh controller state each time: jobs of an earlier cluster are not revived.
  rm -rf "$dir/state" "$dir/spool"
  mkdir -p "$dir/state" "$dir/spool/$(node_name)"
  # Any failure from here on (die, or a command failing under set -e) stops what was started.
  started=0
  trap 'if ((!started)); then say "up failed; stopping the daemons started so far"; stop_daemons; fi' EXIT
  start_munge
  write_config
  # -i: ignore saved state; the daemons fork into the background and write their pid files.
  slurmctld -f "$conf" -i || die "slurmctld did not start; see $dir/log/slurmctld.log."
  wait_for_pidfile slurmctld
  slurmd -f "$conf" || die "slurmd did not start; see $dir/log/slurmd.log."
  wait_for_pidfile slurmd
  wait_for_node
  # shellcheck disable=SC2034  # read by the EXIT trap
  started=1
  say "up: cluster ntk-local, node $(node_name) ($(sinfo -h -N -o '%c CPUs, %m MB')), state in $dir"
  say "for sbatch/squeue in this shell: eval \"\$($0 env)\""
}

# Stops the daemons whose pid files are in $dir (the ones this script started), newest first.
stop_daemons() {
  local name pid
  for name in slurmd slurmctld munged; do
    if pid=$(alive_pid "$dir/run/$name.pid"); then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then
        say "$name ($pid) still running after 5 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      say "stopped $name ($pid)"
    fi
    rm -f "$dir/run/$name.pid"
  done
}

cmd_down() {
  need_root
  export SLURM_CONF=$conf
  if alive_pid "$dir/run/slurmctld.pid" >/dev/null; then
    scancel --full --quiet --partition=local 2>/dev/null || true
  fi
  stop_daemons
  say "down (logs in $dir/log)"
}

cmd_status() {
  export SLURM_CONF=$conf
  local name pid status=0
  for name in munged slurmctld slurmd; do
    if pid=$(alive_pid "$dir/run/$name.pid"); then echo "$name: running (pid $pid)"
    else echo "$name: not running"; status=3; fi
  done
  if ((status == 0)); then
    sinfo -N -o '%N %t %c %m'
    squeue -o '%.12i %.10j %.8T %.10M %R'
  fi
  return "$status"
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) echo "export SLURM_CONF=$conf" ;;
  *) echo "usage: $0 up|down|status|env   (state in \$NTK_SLURM_DIR, default /var/tmp/ntk-slurm)" >&2; exit 64 ;;
esac
