"""Two-process Gloo DDP on CPU with the real entry points: identical parameters, different samples,
rank-0-only checkpoints, and resume after a kill."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ddp_worker.py')
CKPT = os.path.join('checkpoints', 'ltr', 'SEx_beta', 'SEcm_lite0_synthetic')


def _env(workspace):
    env = dict(os.environ, LTR_WORKSPACE_DIR=str(workspace), LTR_TENSORBOARD_DIR=str(workspace / 'tb'),
               OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    env.pop('LOCAL_RANK', None)
    return env


def _launch(kind, workspace, out, epochs, port):
    if kind == 'torchrun':
        cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2', f'--master_port={port}']
    else:
        cmd = [sys.executable, '-m', 'torch.distributed.launch', '--nproc_per_node=2', f'--master_port={port}']
    return cmd + [WORKER, str(out), str(epochs)]


def _reports(out):
    return [json.load(open(os.path.join(out, f'rank{r}.json'))) for r in (0, 1)]


@pytest.mark.parametrize('kind,port', [('torchrun', 29611), ('launch', 29623)])
def test_two_process_gloo_training(tmp_path, kind, port):
    out = tmp_path / 'out'
    out.mkdir()
    proc = subprocess.run(_launch(kind, tmp_path, out, 2, port), env=_env(tmp_path), cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r0, r1 = _reports(out)
    assert (r0['world_size'], r1['world_size']) == (2, 2)
    assert r0['params'] == r1['params']  # gradients are averaged: identical parameters on both ranks
    assert r0['first_test_anno'] != r1['first_test_anno']  # the seed includes the rank
    assert r0['batches_per_epoch'] == r1['batches_per_epoch'] == 2  # 8 samples / 2 ranks / batch 2
    assert sorted(os.listdir(tmp_path / CKPT)) == ['SEcmnet_ep0001.pth.tar', 'SEcmnet_ep0002.pth.tar', 'settings.json']


def test_killed_run_resumes_without_repeating_epochs(tmp_path):
    out = tmp_path / 'out'
    out.mkdir()
    cmd = _launch('torchrun', tmp_path, out, 20, 29637)
    proc = subprocess.Popen(cmd, env=_env(tmp_path), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    first = tmp_path / CKPT / 'SEcmnet_ep0001.pth.tar'
    deadline = time.time() + 300
    while not first.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    # torchrun starts its workers in their own sessions: kill them by their unique output path
    subprocess.run(['pkill', '-KILL', '-f', str(out)], check=False)
    proc.wait()
    time.sleep(1)
    assert first.exists(), 'no checkpoint before the kill'
    done = sorted(f for f in os.listdir(tmp_path / CKPT) if f.endswith('.pth.tar'))
    last_done = int(done[-1][10:14])
    assert last_done < 20

    proc = subprocess.run(_launch('torchrun', tmp_path, out, last_done + 1, 29641), env=_env(tmp_path), cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'resumed from' in proc.stdout + proc.stderr
    r0, r1 = _reports(out)
    assert r0['epochs_run'] == r1['epochs_run'] == [last_done + 1]
    assert r0['params'] == r1['params']
