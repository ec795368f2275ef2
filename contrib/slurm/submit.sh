#!/bin/bash
# Submits a sharded nines run to Slurm: an array job of N shards and a merge job that starts when all
# of them have succeeded. Prints the two job ids.
#
#   contrib/slurm/submit.sh SCENARIO N PARTS_DIR OUT_DIR [nines run options...]
#   e.g. contrib/slurm/submit.sh scenarios/web-farm.toml 16 /scratch/$USER/parts output/web-farm -n 1000000
#
# Set NINES to the nines binary if it is not on the PATH of the compute nodes, and pass sbatch
# options (partition, account, time limit) through SBATCH_* environment variables, e.g.
# SBATCH_PARTITION=batch SBATCH_TIMELIMIT=2:00:00.
set -euo pipefail

scenario=${1:?usage: submit.sh SCENARIO N PARTS_DIR OUT_DIR [nines run options]}
n=${2:?number of shards}
parts=${3:?parts directory}
out=${4:?output directory}
shift 4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$parts"

array=$(sbatch --parsable --array="1-$n" "$here/nines-shard.sbatch" "$scenario" "$parts" "$@")
merge=$(sbatch --parsable --dependency="afterok:$array" "$here/nines-merge.sbatch" "$parts" "$out")
echo "shards: job $array (1-$n); merge: job $merge"
