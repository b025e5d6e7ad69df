"""doc/arena_slurm.sh as a job array would run it: tasks 1..3 of 3 (SLURM's variables set by hand) on a synthetic
set write together what one unsharded run writes; a task outside an array says so."""
import glob
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, 'doc', 'arena_slurm.sh')


def box_files(folder):
    return {os.path.basename(p): open(p, 'rb').read() for p in glob.glob(os.path.join(folder, '*.txt'))
            if not p.endswith('_time.txt')}


def test_array_tasks_together_are_the_unsharded_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('LTR_', 'PYTRACKING_', 'ARENA_', 'SLURM_'))}
    env.update(PYTHONPATH=REPO, LTR_WORKSPACE_DIR=str(tmp_path / 'ws'), PYTRACKING_LASOT_PATH='',
               ARENA_SYNTHETIC_SEQUENCES='3', ARENA_SYNTHETIC_FRAMES='4', ARENA_SYNTHETIC_SIZE='96x72',
               RUN='arena/LaSOT/run_kcf.py', WORKERS='1', THREADS='1', REPO_DIR=REPO,
               VIRTUAL_ENV=os.path.dirname(os.path.dirname(sys.executable)),
               PATH=os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', ''))
    for task in (1, 2, 3):
        done = subprocess.run(['bash', SCRIPT], env=dict(env, ARENA_SAVE_DIR=str(tmp_path / 'sharded'),
                                                         SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_TASK_COUNT='3'),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    whole = subprocess.run([sys.executable, os.path.join(REPO, 'arena', 'LaSOT', 'run_kcf.py'), '--quiet'],
                           env=dict(env, ARENA_SAVE_DIR=str(tmp_path / 'whole')), capture_output=True, text=True,
                           timeout=300)
    assert whole.returncode == 0, whole.stderr
    sharded = box_files(str(tmp_path / 'sharded' / 'Synthetic-LaSOT' / 'kcf_default'))
    assert len(sharded) == 3 and sharded == box_files(str(tmp_path / 'whole' / 'Synthetic-LaSOT' / 'kcf_default'))
    lone = subprocess.run(['bash', SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert lone.returncode != 0 and 'job array' in lone.stderr
