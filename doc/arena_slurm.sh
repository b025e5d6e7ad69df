#!/bin/bash
# One arena run split over a SLURM job array: task I of N runs shard I/N (doc/arena_cluster.md).
#   sbatch --array=1-8 doc/arena_slurm.sh                          # 8 shards of ARDiMP on LaSOT
#   sbatch --array=1-8 --export=ALL,RUN=arena/LaSOT/run_atom_RF.py doc/arena_slurm.sh
#SBATCH --job-name=arena
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=4
#SBATCH --mem=16G
#SBATCH --time=08:00:00
#SBATCH --output=arena_%A_%a.log
set -euo pipefail

RUN=${RUN:-arena/LaSOT/run_dimp_RF.py}        # any arena run script
WORKERS=${WORKERS:-2}                          # processes per task (they share the task's GPU)
THREADS=${THREADS:-2}                          # torch threads per process: WORKERS x THREADS <= --cpus-per-task
# ARENA_SAVE_DIR and the dataset root (e.g. PYTRACKING_LASOT_PATH) must point to the shared file system;
# set them here or in pytracking/evaluation/local.py (create it once before submitting: see the doc).

cd "${REPO_DIR:-${SLURM_SUBMIT_DIR:-$(pwd)}}"
if [ -z "${VIRTUAL_ENV:-}" ] && [ -f .venv/bin/activate ]; then
    source .venv/bin/activate
fi

SHARDS=${SHARDS:-${SLURM_ARRAY_TASK_COUNT:?run as a job array (sbatch --array=1-N)}}   # N (set it when resubmitting one task)
SHARD="${SLURM_ARRAY_TASK_ID:?run as a job array (sbatch --array=1-N)}/${SHARDS}"
# exit status = number of failed sequences (0: all done); a failed task is resubmitted with --array=<I>
exec python "$RUN" --shard "$SHARD" --workers "$WORKERS" --threads "$THREADS" --quiet "$@"
