#!/bin/bash
# Submits a matrix to Slurm: the datasets once, then one array task per shard, then merge + report.
# usage (from the om2p-bench checkout): examples/slurm/submit.sh <spec> <out> <array, e.g. 1-8> [CPUs per task]
# Prints the three job ids. Resubmitting the same command finishes an interrupted matrix without redoing cells.
set -euo pipefail
spec=$1
out=$2
array=$3
cpus=${4:-1}
mkdir -p "$out/logs"
# every dataset of the spec, built once into the shared data folder (OM2P_DATA_DIR or --data-dir) before any shard starts
data=$(sbatch --parsable --job-name=om2p-data --cpus-per-task="$cpus" --output="$out/logs/data-%j.out" \
  --wrap "exec node bin/om2p-bench.js datasets build --for '$spec' --no-progress")
shards=$(sbatch --parsable --dependency="afterok:$data" --array="$array" --cpus-per-task="$cpus" \
  --output="$out/logs/shard-%A_%a.out" examples/slurm/matrix-shard.sbatch "$spec" "$out")
# afterany, not afterok: when a task fails or is cancelled the merge still runs and names the missing cells (exit 1)
merge=$(sbatch --parsable --dependency="afterany:$shards" --job-name=om2p-merge --output="$out/logs/merge-%j.out" \
  --wrap "node bin/om2p-bench.js matrix merge '$out'/shard-*-of-* --out '$out/merged' --strict && exec node bin/om2p-bench.js report '$out/merged' --strict")
echo "$data $shards $merge"
