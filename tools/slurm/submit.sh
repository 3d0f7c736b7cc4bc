#!/usr/bin/env bash
# Submits a jgrok sweep to SLURM: a job array of N tasks (sweep.sbatch, task i trains shard i/N) and a merge job
# that runs after all of them, whatever their outcome, and writes DIR/sweep_index.json and DIR/sweep_summary.json.
# Task logs go to DIR/slurm/. Submitting again resumes the sweep (done runs are skipped).
#
# usage:  tools/slurm/submit.sh [--wait] SPEC DIR N [sbatch options for the array, e.g. --cpus-per-task=4]
#   --wait   return only when the merge job has ended (sbatch --wait)
#   $JGROK   the jgrok launcher on the nodes (default: jgrok next to this tools/ directory)
set -euo pipefail
wait=()
if [[ ${1:-} == --wait ]]; then
  wait=(--wait)
  shift
fi
if (( $# < 3 )); then
  echo "usage: $0 [--wait] SPEC DIR N [sbatch options]" >&2
  exit 2
fi
spec=$(realpath "$1")
dir=$(realpath -m "$2")
n=$3
shift 3
if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: N must be a positive integer, got '$n'" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export JGROK=${JGROK:-$(cd "$here/../.." && pwd)/jgrok}
# Check the spec before queueing anything: a bad spec is one line here rather than N failed tasks.
"$JGROK" sweep "$spec" --dry-run > /dev/null
mkdir -p "$dir/slurm"
array=$(sbatch --parsable --array="0-$((n - 1))" --output="$dir/slurm/sweep-%A_%a.out" "$@" \
  "$here/sweep.sbatch" "$spec" "$dir")
array=${array%%;*}
echo "jgrok: submitted sweep array job $array ($n tasks); logs in $dir/slurm/"
merge=$(sbatch --parsable "${wait[@]}" --dependency="afterany:$array" --job-name=jgrok-sweep-merge \
  --output="$dir/slurm/merge-%j.out" --wrap="$(printf '%q sweep merge %q' "$JGROK" "$dir")")
merge=${merge%%;*}
echo "jgrok: merge job $merge runs after $array"
