#!/usr/bin/env bash
# CI: a throwaway single-node Slurm cluster (munge, slurmctld, slurmd from Debian's packages, started
# without systemd) runs a sharded nines run as a 4-task array job plus a dependent merge job, through
# contrib/slurm/submit.sh, and the merged outputs must be byte-identical to a single-process run.
#
#   bash .ci/slurm.sh NINES_BINARY
#
# Needs root (CI runs as root). Leaves nothing running: the daemons it started are stopped on exit.
set -euo pipefail

nines=$(realpath "${1:?usage: slurm.sh NINES_BINARY}")
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/nines-slurm.XXXXXX)
state=$work/slurm
node=$(hostname -s)
timeout=180

log() { printf '[slurm %(%H:%M:%S)T] %s\n' -1 "$*"; }
logs() {
    for f in "$state"/log/*.log; do
        [ -f "$f" ] && { echo "----- $f"; tail -n 40 "$f"; }
    done
    for f in "$work"/*.log; do
        [ -f "$f" ] && { echo "----- $f"; cat "$f"; }
    done
    return 0
}
die() { log "FAILED: $*"; logs; exit 1; }

# --- install (Debian's packages; their init scripts must not start anything)
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurmctld slurmd slurm-client munge"
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    rc=0
    { apt-get update -q && apt-get install -y -q --no-install-recommends \
        slurmctld slurmd slurm-client munge; } >"$work/apt.log" 2>&1 || rc=$?
    [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    [ "$rc" = 0 ] || { tail -n 30 "$work/apt.log"; die "apt-get install failed"; }
fi
log "$(slurmd -V)"

# --- start: munge, then the controller and the node daemon, all ours to stop
mkdir -p "$state"/{ctld,spool,log,run}
started_munge=0
stop_all() {
    set +e
    if [ -s "$state/run/slurmctld.pid" ]; then
        timeout 10 squeue -h -o %A 2>/dev/null | xargs -r timeout 10 scancel 2>/dev/null
    fi
    for d in slurmd slurmctld; do
        f=$state/run/$d.pid
        if [ -s "$f" ]; then
            p=$(cat "$f")
            kill -TERM "$p" 2>/dev/null
            for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$p" 2>/dev/null
        fi
    done
    if [ "$started_munge" = 1 ] && [ -s /run/munge/munged.pid ]; then
        kill -TERM "$(cat /run/munge/munged.pid)" 2>/dev/null
    fi
    rm -rf "$work"
}
trap stop_all EXIT

munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
if ! munge_ok; then
    if [ ! -s /etc/munge/munge.key ]; then
        mkdir -p /etc/munge
        mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null ||
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    mkdir -p /run/munge /var/lib/munge /var/log/munge
    chown munge:munge /etc/munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge
    chmod 0700 /etc/munge /var/log/munge
    chmod 0400 /etc/munge/munge.key
    chmod 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged
    started_munge=1
    for _ in $(seq 1 50); do munge_ok && break; sleep 0.1; done
    munge_ok || die "munged does not answer"
fi

hw=$(slurmd -C | head -n 1)
mkdir -p /etc/slurm
if [ -f /etc/slurm/slurm.conf ] && ! grep -q "written by nines CI" /etc/slurm/slurm.conf; then
    cp /etc/slurm/slurm.conf "/etc/slurm/slurm.conf.bak.$(date +%s)"
fi
cat >/etc/slurm/slurm.conf <<EOF
# written by nines CI (.ci/slurm.sh): a throwaway single-node cluster
ClusterName=ninesci
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MailProg=/bin/true
MinJobAge=3600
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/run/slurmctld.pid
SlurmdPidFile=$state/run/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 ${hw#NodeName=* } State=UNKNOWN
PartitionName=ci Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
/usr/sbin/slurmctld -c -i || die "slurmctld did not start"
/usr/sbin/slurmd -N "$node" || die "slurmd did not start"
deadline=$((SECONDS + timeout))
until [ "$(timeout 5 sinfo -h -n "$node" -o %T 2>/dev/null || true)" = idle ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "node $node not idle after ${timeout}s"
    sleep 0.2
done
log "cluster up: $(sinfo -h -o '%P %D %T %c CPUs')"

# --- the sharded run: 4 array tasks, then the merge, as a user would submit them
scenario=$here/scenarios/web-farm.toml
reps=4000
cd "$work"
ids=$(NINES="$nines" SBATCH_CPUS_PER_TASK=1 "$here/contrib/slurm/submit.sh" "$scenario" 4 "$work/parts" "$work/merged" -n "$reps") ||
    die "submit failed"
log "$ids"
merge_job=$(sed -n 's/.*merge: job \([0-9]*\).*/\1/p' <<<"$ids")
while [ -n "$(timeout 15 squeue -h 2>/dev/null || echo busy)" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { squeue; die "jobs not finished after ${timeout}s"; }
    sleep 0.5
done
state_of_merge=$(timeout 15 scontrol -o show job "$merge_job" | sed -n 's/.*JobState=\([A-Z]*\).*/\1/p')
[ "$state_of_merge" = COMPLETED ] || die "merge job $merge_job ended $state_of_merge"
completed=$(timeout 15 scontrol -o show job | grep -c 'JobState=COMPLETED .*ExitCode=0:0' || true)
[ "$completed" = 5 ] || die "$completed of 5 jobs (4 shards, 1 merge) completed"

# --- the same run in one process must give the same bytes
"$nines" run "$scenario" -n "$reps" --quiet --no-charts --out "$work/single" >/dev/null
for f in summary.csv replications.csv; do
    cmp "$work/single/$f" "$work/merged/$f" || die "$f of the merged shards differs from the single run"
done
log "PASS: 4 shards on Slurm merged byte-identical to a single run ($reps replications)"
