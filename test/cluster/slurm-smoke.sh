#!/usr/bin/env bash
# The documented Slurm recipe (examples/slurm/, docs/cluster.md) on a real one-node Slurm cluster started here: Debian's
# slurmctld + slurmd and a private munged (own key, socket, state, logs, ports), all stopped by pid on exit. Checks:
#   1. --array=0-2 gives a summary.csv byte-identical to a single `matrix run`;
#   2. with --array=1-3, scancel stops a task mid-shard, the merge job fails naming the missing cell, and resubmitting
#      finishes the matrix without redoing a finished cell, again byte-identical to the single run;
#   3. a merge with a shard folder left out fails under --strict, naming the missing cells.
# Needs root (the daemons run as root) and node on PATH. Run from anywhere: test/cluster/slurm-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
t0=$SECONDS
say() { printf '[slurm-smoke %3ds] %s\n' $((SECONDS - t0)) "$*"; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "must run as root (slurmd runs jobs as root here)"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing Debian's Slurm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

work=$(mktemp -d /tmp/om2p-slurm-XXXXXX)
pids=()
cleanup() {
  local code=$?
  # every daemon by its own pid, newest first; a job still running dies with slurmd's step daemons
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then scancel --full --quiet --user=root 2>/dev/null || true; fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$code" != 0 ]; then
    for log in "$work"/log/*.log "$work"/runs/*/logs/*.out; do [ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }; done
  fi
  rm -rf "$work"
  say "stopped the cluster (exit $code)"
}
trap cleanup EXIT

# --- a private munge ---
mkdir -p "$work"/{munge,state/ctld,state/d,log,run}
chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
socket=$work/munge/munge.socket
munged --force --foreground --socket="$socket" --key-file="$work/munge/munge.key" --pid-file="$work/run/munged.pid" \
  --log-file="$work/log/munged.log" --seed-file="$work/munge/munge.seed" 2>>"$work/log/munged.log" &
pids+=($!)
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || fail "munged did not open $socket"

# --- a one-node Slurm with the machine's CPUs ---
cpus=$(nproc)
host=$(hostname -s)
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=om2p-smoke
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=26817
SlurmdPort=26818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$work/state/ctld
SlurmdSpoolDir=$work/state/d
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=smoke Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >>"$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >>"$work/log/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.2; done
sinfo -h -o %T | grep -q idle || fail "the node did not come up: $(sinfo 2>&1 | tail -n 2)"
say "cluster up: node $host, $cpus CPUs"

# --- the matrix: 4 tiny cells (bc and om2p, seeds 0 and 1) on the smoke datasets, 3 shards ---
export OM2P_DATA_DIR=$work/data
spec=$work/spec.json
cat >"$spec" <<'EOF'
{
  "name": "slurm-smoke",
  "preset": "cpu",
  "datasetPreset": "smoke",
  "algorithms": [
    { "name": "om2p", "config": { "hidden": [32, 32], "batchSize": 32 } },
    { "name": "bc", "config": { "hidden": [32, 32], "batchSize": 32 } }
  ],
  "environments": [{ "name": "simple_spread" }],
  "datasets": ["expert"],
  "seeds": [0, 1],
  "budget": { "updates": 40, "evalEvery": 20, "episodes": 4 }
}
EOF
cli() { node bin/om2p-bench.js "$@"; }
runs=$work/runs

# the job ids of one submission; waits until the merge job has ended and prints its state
submit() { examples/slurm/submit.sh "$spec" "$1" "$2" 1; }
wait_job() {
  local job=$1 state
  for _ in $(seq 1200); do
    state=$(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2)
    case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) echo "$state"; return; esac
    sleep 0.5
  done
  fail "job $job did not end within 10 minutes"
}
results() { find "$1/cells" -maxdepth 1 -name '*.json' ! -name '*.weights.json' 2>/dev/null | wc -l; }

say "reference: one matrix run of all cells"
cli datasets build --for "$spec" --no-progress 2>"$work/log/datasets.log"
cli matrix run "$spec" --workers "$cpus" --no-progress --out "$runs/single" >/dev/null 2>"$work/log/single.log"
cli report "$runs/single" --strict >/dev/null 2>>"$work/log/single.log"
say "reference done"

# --- check 1: a 0-based array ---
out=$runs/array-0-2
read -r data shards merge < <(submit "$out" 0-2)
state=$(wait_job "$merge")
[ "$state" = COMPLETED ] || fail "--array=0-2: merge job $merge ended $state: $(cat "$out"/logs/merge-*.out)"
cmp "$runs/single/summary.csv" "$out/merged/summary.csv" || fail "--array=0-2: summary.csv differs from the single run"
say "check 1, --array=0-2: jobs $data $shards $merge; cells per shard: $(for d in "$out"/shard-*; do printf '%s=%s ' "${d##*/}" "$(results "$d")"; done); summary.csv identical to the single run"

# --- check 2: a 1-based array, one task cancelled mid-shard, then resubmitted ---
out=$runs/array-1-3
read -r data shards merge < <(submit "$out" 1-3)
# shard 1 of 3 holds 2 of the 4 cells (equal costs: cells go to shards 1, 2, 3, 1 in id order); cancel it after its first
for _ in $(seq 1200); do [ "$(results "$out/shard-1-of-3")" -ge 1 ] && break; sleep 0.2; done
[ "$(results "$out/shard-1-of-3")" = 1 ] || fail "shard 1 did not stop at 1 of its cells before the cancel: $(results "$out/shard-1-of-3")"
finished=$(find "$out/shard-1-of-3/cells" -maxdepth 1 -name '*.json' ! -name '*.weights.json')
before=$(sha256sum "$finished")
scancel "${shards}_1"
state=$(wait_job "$merge")
[ "$state" = FAILED ] || fail "the merge after a cancelled task should fail (missing cells), it ended $state"
grep -q '^error: 1 of 4 cells missing' "$out"/logs/merge-*.out || fail "the merge did not name the missing cell: $(cat "$out"/logs/merge-*.out)"
# nothing of the cancelled task lives on (with npx, npm's renamed process and its node survived linuxproc's cancel)
if pgrep -f "$out/shard-" >/dev/null; then fail "a process of the cancelled task survived: $(pgrep -af "$out/shard-")"; fi
[ "$(results "$out/shard-1-of-3")" = 1 ] || fail "the cancelled task went on writing cells"
say "check 2a: scancel ${shards}_1 stopped the task with 1 of its 2 cells written; the merge job ended FAILED naming the missing cell:"
grep -A1 '^error:' "$out"/logs/merge-*.out | sed 's/^/    /'
read -r data2 shards2 merge2 < <(submit "$out" 1-3)
state=$(wait_job "$merge2")
[ "$state" = COMPLETED ] || fail "the resubmission's merge ended $state"
[ "$(sha256sum "$finished")" = "$before" ] || fail "the resubmission rewrote the finished cell $finished"
resumed=$(grep -h 'in this shard 1/3' "$out/logs/shard-${shards2}_1.out")
echo "$resumed" | grep -q '1 already finished, 1 to run' || fail "shard 1 did not resume: $resumed"
for k in 2 3; do grep -q "in this shard $k/3, 1 already finished, 0 to run" "$out/logs/shard-${shards2}_$k.out" || fail "shard $k redid its cell"; done
cmp "$runs/single/summary.csv" "$out/merged/summary.csv" || fail "after the resubmission summary.csv differs from the single run"
say "check 2b: resubmitted --array=1-3 (jobs $data2 $shards2 $merge2): shard 1 '${resumed#*: }', shards 2 and 3 ran nothing; the finished cell's file is unchanged; summary.csv identical to the single run"

# --- check 3: a shard folder missing from the merge ---
set +e
missing=$(cli matrix merge "$out/shard-1-of-3" "$out/shard-3-of-3" --out "$runs/partial" --strict 2>&1 >/dev/null)
code=$?
set -e
[ "$code" = 1 ] || fail "merge --strict without shard 2 exited $code"
expected=$(find "$out/shard-2-of-3/cells" -maxdepth 1 -name '*.json' ! -name '*.weights.json' -printf '%f\n' | sed 's/\.json$//')
for id in $expected; do echo "$missing" | grep -q "^  $id " || fail "merge did not name the missing cell $id: $missing"; done
say "check 3: merge --strict without shard-2-of-3 exited 1:"
echo "$missing" | sed 's/^/    /'
say "PASS in $((SECONDS - t0)) s"
