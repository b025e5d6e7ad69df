"""Two-process Gloo DDP of a DiMP recipe (dimp_synthetic) with the real entry point: identical parameters after
the steps, different samples per rank, one checkpoint written by rank 0 in the official layout."""
import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ddp_tracker_worker.py')


@pytest.mark.parametrize('launcher,port', [('torch.distributed.run', 29653), ('torch.distributed.launch', 29667)])
def test_two_process_gloo_dimp_training(tmp_path, launcher, port):
    out = tmp_path / 'out'
    out.mkdir()
    env = dict(os.environ, LTR_WORKSPACE_DIR=str(tmp_path), LTR_TENSORBOARD_DIR=str(tmp_path / 'tb'),
               OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    env.pop('LOCAL_RANK', None)
    cmd = [sys.executable, '-m', launcher, '--nproc_per_node=2', f'--master_port={port}', WORKER, str(out)]
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r0, r1 = [json.load(open(out / f'rank{r}.json')) for r in (0, 1)]
    assert (r0['world_size'], r1['world_size']) == (2, 2)
    assert r0['params'] and r0['params'] == r1['params']  # averaged gradients: identical trainable parameters
    assert r0['first_test_anno'] != r1['first_test_anno']  # each rank draws its own samples
    assert r0['batches_per_epoch'] == r1['batches_per_epoch'] == 2  # 8 samples / 2 ranks / (total batch 4 / 2)
    folder = tmp_path / 'checkpoints' / 'ltr' / 'dimp' / 'dimp_synthetic'
    assert sorted(os.listdir(folder)) == ['DiMPnet_ep0001.pth.tar', 'settings.json']
