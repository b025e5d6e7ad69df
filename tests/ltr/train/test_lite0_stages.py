"""The demo refiner's two stages: SEcm_lite0_synthetic (coarse corner head), then SEcm_lite0_synthetic_s8 warm-started
from stage 1's latest checkpoint with the stride-8 corner refinement added."""
import os

import pytest
import torch

from ltr.admin.loading import load_checkpoint, load_network
from ltr.run_training import run_training
from pytracking.evaluation.refiner_source import SYNTHETIC_STAGES, train_synthetic_refiner

pytestmark = pytest.mark.usefixtures('one_torch_thread')

TINY = dict(batch_size=2, samples_per_epoch=4, epochs=1, output_sz=64, num_sequences=4, frames=20,
            frame_size=[160, 120], save_interval=1, num_workers=0, use_gpu=False)


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv('LTR_WORKSPACE_DIR', str(tmp_path))
    monkeypatch.setenv('LTR_TENSORBOARD_DIR', str(tmp_path / 'tb'))
    return tmp_path


def _checkpoint(workspace, stage, epoch=1):
    return str(workspace / 'checkpoints' / 'ltr' / stage[0] / stage[1] / f'SEcmnet_ep{epoch:04d}.pth.tar')


def test_stage_two_starts_from_stage_one_and_adds_the_stride_8_corner_refinement(workspace):
    trainer = train_synthetic_refiner(TINY)
    first, second = (_checkpoint(workspace, s) for s in SYNTHETIC_STAGES)
    assert os.path.isfile(first) and os.path.isfile(second) and trainer.epoch == 1
    coarse, fine = (load_network(p, expected_net_type='SEcmnet', backbone_pretrained=False) for p in (first, second))
    assert coarse.corner_skip_layer is None and fine.corner_skip_layer == 'block3'
    assert load_checkpoint(second)['settings']['pretrained'] == first
    # stage 2 trained every part: its weights moved away from stage 1's (and the new branch away from zero)
    c, f = coarse.state_dict(), fine.state_dict()
    assert not torch.equal(c['corner_head.conv1_tl.0.weight'], f['corner_head.conv1_tl.0.weight'])
    assert float(f['corner_head.fine.2.weight'].abs().sum()) > 0
    assert all(k in f for k in c) and all(k in c or k.startswith('corner_head.fine.') for k in f)


def test_stage_two_without_stage_one_names_the_command(workspace):
    with pytest.raises(FileNotFoundError, match='run_training.py SEx_beta SEcm_lite0_synthetic'):
        run_training(*SYNTHETIC_STAGES[1], overrides=TINY)
