#!/usr/bin/env bash
# docs/sweeps.md's Slurm recipe, for real: a one-node Slurm (Debian's slurm-wlm + munge) started by
# this script in a temporary directory (its own slurm.conf, munge socket and ports, daemons as root
# on localhost), a 2-task job array running `sweep --shard $SLURM_ARRAY_TASK_ID/2`, then the merge
# as a dependent job; results.csv must equal a local sweep's byte for byte.
# Exit 77 (ctest: skipped) when not root or slurm-wlm / munge are not installed.
set -euo pipefail
bin=$1
skip() {
  echo "skipped: $*"
  exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root to start slurmctld, slurmd and munged"
for tool in slurmctld slurmd munged mungekey sbatch squeue scontrol sinfo; do
  command -v "$tool" >/dev/null || skip "$tool not found (apt-get install slurm-wlm munge)"
done

T=$(mktemp -d /tmp/gsim-slurm.XXXXXX)
chmod 755 "$T" # munged wants its socket's directory searchable by all
export SLURM_CONF=$T/slurm.conf
cleanup() {
  scontrol shutdown >/dev/null 2>&1 || true
  for f in slurmctld slurmd; do
    [ -s "$T/$f.pid" ] && kill "$(cat "$T/$f.pid")" 2>/dev/null || true
  done
  [ -s "$T/munged.pid" ] && kill "$(cat "$T/munged.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$T"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$T"/slurmctld.log "$T"/slurmd.log "$T"/task-*.txt "$T"/merge.txt; do
    [ -e "$f" ] && { echo "== $f"; tail -n 20 "$f"; }
  done
  exit 1
}
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

mungekey -c -k "$T/munge.key"
munged -f --key-file="$T/munge.key" --socket="$T/munge.sock" --log-file="$T/munged.log" \
  --pid-file="$T/munged.pid" --seed-file="$T/munged.seed"
host=$(hostname -s)
mkdir -p "$T/state" "$T/spool"
cat >"$SLURM_CONF" <<CONF
ClusterName=gsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge.sock
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=10 State=UP
CONF
slurmctld -i
slurmd -N "$host"
for _ in $(seq 60); do
  sinfo -h -o %T 2>/dev/null | grep -q idle && break
  sleep 0.5
done
sinfo -h -o %T 2>/dev/null | grep -q idle || fail "the node did not come up idle within 30 s"

grid=(--config configs/p4d16.json --set run.collectives=analytic --grid instances=8,16
  --grid checkpoint.replicas=1,2 --grid failures.rate_per_instance_day=0.01,0.02)
"$bin" sweep "${grid[@]}" --out "$T/local" -j 2 >/dev/null 2>&1

# The recipe of docs/sweeps.md: an array of n = 2 shards, then the merge once they have all ended.
cat >"$T/shard.sbatch" <<JOB
#!/bin/bash
#SBATCH --array=0-1
#SBATCH --cpus-per-task=1
exec "$bin" sweep ${grid[*]} --out "$T/sweep" --shard \$SLURM_ARRAY_TASK_ID/2 -j 1
JOB
array=$(sbatch --parsable --chdir="$PWD" -o "$T/task-%a.txt" "$T/shard.sbatch") || fail "sbatch of the array"
merge=$(sbatch --parsable --chdir="$PWD" -o "$T/merge.txt" --dependency="afterany:$array" \
  --wrap "\"$bin\" sweep-merge --out \"$T/sweep\"") || fail "sbatch of the merge"
for _ in $(seq 240); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && [ -e "$T/sweep/results.csv" ] ||
  fail "the array and the merge did not finish within 120 s"
grep -q "sweep: shard 0/2 runs 4 of 8 points" "$T/task-0.txt" || fail "task 0 did not run shard 0/2"
grep -q "sweep: shard 1/2 runs 4 of 8 points" "$T/task-1.txt" || fail "task 1 did not run shard 1/2"
grep -q "sweep-merge: 2 shards, 8 points, 0 failed" "$T/merge.txt" || fail "the merge job"
cmp "$T/local/results.csv" "$T/sweep/results.csv" || fail "the Slurm results.csv differs from the local one"
echo "slurm sweep ok: a 2-task array and a dependent merge gave the local results.csv"
