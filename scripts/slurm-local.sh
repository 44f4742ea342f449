#!/bin/sh
# Starts (or stops) a one-node Slurm cluster on this machine, for trying
# `wafersim sweep --emit slurm` and for tests/integration/slurm.sh
# (doc/cluster.md). Needs root and the Debian packages slurmctld, slurmd,
# slurm-client and munge. The daemons' pids are kept in $STATE (default
# /tmp/wafersim-slurm) so that `stop` ends exactly those processes.
#   sh scripts/slurm-local.sh start|stop
set -eu
STATE=${STATE:-/tmp/wafersim-slurm}
cmd=${1:-start}
stop() {
    for d in slurmd slurmctld munged; do
        if [ -f "$STATE/$d.pid" ]; then
            kill "$(cat "$STATE/$d.pid")" 2>/dev/null || true
            rm -f "$STATE/$d.pid"
        fi
    done
}
if [ "$cmd" = stop ]; then
    stop
    exit 0
fi
[ "$(id -u)" = 0 ] || { echo "slurm-local.sh: needs root" >&2; exit 1; }
mkdir -p "$STATE/ctld" "$STATE/d" "$STATE/munge" /run/munge /etc/slurm
chown munge:munge /run/munge "$STATE/munge"
host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.8 }' /proc/meminfo)
cat > /etc/slurm/slurm.conf <<EOF2
# written by wafersim scripts/slurm-local.sh: one node, no accounting, no cgroups
ClusterName=wafersim-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF2
runuser -u munge -- /usr/sbin/munged --pid-file="$STATE/munge/munged.pid" --force
cp "$STATE/munge/munged.pid" "$STATE/munged.pid" 2>/dev/null || true
/usr/sbin/slurmctld
/usr/sbin/slurmd
i=0
until sinfo -h -o %T 2>/dev/null | grep -q idle; do
    i=$((i + 1))
    [ "$i" -lt 60 ] || { echo "slurm-local.sh: the node did not become idle; see $STATE/*.log" >&2; exit 1; }
    sleep 1
done
sinfo
