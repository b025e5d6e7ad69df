"""Every base-tracker recipe (ATOM, DiMP-18/50, PrDiMP-18/50, SuperDiMP) runs two training steps on fake
dataset trees in the real layouts, through ``run_training`` and the recipe's own datasets, processing,
sampler, actor, parameter groups and trainer; the checkpoint lands in the official layout and holds the
upstream network type and constructor."""
import os

import pytest
import torch

from ltr.admin.loading import load_network
from ltr.run_training import run_training

pytestmark = pytest.mark.usefixtures('one_torch_thread')

# tiny but real: 2 sequences per batch, 2 batches, one epoch, 4x4 (ATOM) / 6x6 (DiMP) feature grids
TINY = dict(batch_size=2, samples_per_epoch=4, epochs=1, num_workers=0, backbone_pretrained=False, use_gpu=False)
RECIPES = [('bbreg', 'atom', 'ATOMnet', 'atom_resnet18', 4),
           ('dimp', 'dimp18', 'DiMPnet', 'dimpnet18', 6),
           ('dimp', 'dimp50', 'DiMPnet', 'dimpnet50', 6),
           ('dimp', 'prdimp18', 'DiMPnet', 'klcedimpnet18', 6),
           ('dimp', 'prdimp50', 'DiMPnet', 'klcedimpnet50', 6),
           ('dimp', 'super_dimp', 'DiMPnet', 'dimpnet50', 6)]


@pytest.fixture
def workspace(tmp_path, monkeypatch, tracking_dataset_trees):
    for var, root in tracking_dataset_trees.items():
        monkeypatch.setenv(var, root)
    monkeypatch.setenv('LTR_WORKSPACE_DIR', str(tmp_path))
    monkeypatch.setenv('LTR_TENSORBOARD_DIR', str(tmp_path / 'tb'))
    return tmp_path


@pytest.mark.parametrize('group,recipe,net_type,constructor,feature_sz', RECIPES)
def test_recipe_runs_two_steps_on_fake_trees(workspace, group, recipe, net_type, constructor, feature_sz):
    trainer = run_training(group, recipe, overrides=dict(TINY, feature_sz=feature_sz))
    assert trainer.epochs_run == [1]
    history = trainer.stats['train']['Loss/total'].history
    assert len(history) == 1 and torch.isfinite(torch.tensor(history[0]))
    assert len(trainer.loaders[0]) == 2  # 4 samples in batches of 2
    folder = workspace / 'checkpoints' / 'ltr' / group / recipe
    assert sorted(os.listdir(folder)) == [f'{net_type}_ep0001.pth.tar', 'settings.json']
    net = load_network(str(folder / f'{net_type}_ep0001.pth.tar'))  # rebuilt from the pickled constructor, strict
    assert type(net).__name__ == net_type and net.constructor.fun_name == constructor


def test_a_second_run_resumes_from_the_last_checkpoint(workspace, capsys):
    overrides = dict(TINY, feature_sz=6)
    run_training('dimp', 'dimp18', overrides=overrides)
    trainer = run_training('dimp', 'dimp18', overrides=dict(overrides, epochs=2))
    assert trainer.epochs_run == [2] and 'resumed from' in capsys.readouterr().out
    folder = workspace / 'checkpoints' / 'ltr' / 'dimp' / 'dimp18'
    assert sorted(f for f in os.listdir(folder) if f.endswith('.tar')) == ['DiMPnet_ep0001.pth.tar',
                                                                         'DiMPnet_ep0002.pth.tar']
    # the optimiser keeps the recipe's five parameter groups and their learning rates
    assert [g['lr'] for g in trainer.optimizer.param_groups] == [5e-5, 5e-4, 5e-5, 1e-3, 2e-4]


def test_a_misspelled_override_is_refused(workspace):
    from ltr.admin.cli import UserInputError
    with pytest.raises(UserInputError, match='unknown setting'):
        run_training('bbreg', 'atom', overrides=dict(TINY, feature_sz=4, proposal_parms={}))
