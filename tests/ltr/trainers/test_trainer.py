"""Trainer: checkpoints in the official layout, resume without repeating epochs, only rank 0 writes."""
import os
import types

import numpy as np
import pytest
import torch

from ltr.actors.secm import SEcm_Actor
from ltr.admin.loading import load_checkpoint, load_network
from ltr.admin.settings import Settings
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
from ltr.trainers.ltr_trainer import LTRTrainer
from pytracking.refine_modules.refine_module import RefineModule

SZ = 64


class ListLoader(list):
    """The loader interface the trainer needs: name, training, epoch_interval, stack_dim, set_epoch."""

    def __init__(self, batches, name='train', training=True):
        super().__init__(batches)
        self.name, self.training, self.epoch_interval, self.stack_dim = name, training, 1, 1
        self.epochs_seen = []

    def set_epoch(self, epoch):
        self.epochs_seen.append(epoch)


def make_batch(gen, b=2, with_mask=True):
    anno = torch.tensor([[SZ / 4, SZ / 4, SZ / 2, SZ / 2]]).repeat(1, b, 1)
    return {'train_images': torch.randn(1, b, 3, SZ, SZ, generator=gen),
            'test_images': torch.randn(1, b, 3, SZ, SZ, generator=gen),
            'train_anno': anno, 'test_anno': anno + torch.rand(1, b, 4, generator=gen),
            'test_masks': (torch.rand(1, b, 1, SZ, SZ, generator=gen) > 0.5).float(),
            'mask': torch.tensor([1] * (b - 1) + [0]) if with_mask else torch.zeros(b, dtype=torch.int64)}


def make_trainer(workspace, rank=0):
    torch.manual_seed(0)
    settings = Settings()
    settings.env.workspace_dir = str(workspace)
    settings.env.tensorboard_dir = str(workspace / 'tb')
    settings.project_path = 'ltr/SEx_beta/SEcm_test'
    settings.save_interval = 1
    settings.local_rank = rank
    settings.device = torch.device('cpu')
    net = SEcm_resnet18(backbone_pretrained=False, input_sz=SZ)
    actor = SEcm_Actor(net, {'corner': torch.nn.MSELoss(), 'mask': torch.nn.BCELoss()})
    gen = torch.Generator().manual_seed(1)
    loader = ListLoader([make_batch(gen), make_batch(gen, with_mask=False)])
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    return LTRTrainer(actor, [loader], optimizer, settings, scheduler), loader


def test_checkpoint_per_epoch_in_official_layout_and_resume(tmp_path):
    trainer, loader = make_trainer(tmp_path)
    trainer.train(2)
    folder = tmp_path / 'checkpoints' / 'ltr' / 'SEx_beta' / 'SEcm_test'
    assert sorted(os.listdir(folder)) == ['SEcmnet_ep0001.pth.tar', 'SEcmnet_ep0002.pth.tar']
    ckpt = load_checkpoint(str(folder / 'SEcmnet_ep0002.pth.tar'))
    assert ckpt['epoch'] == 2 and ckpt['net_type'] == 'SEcmnet' and ckpt['actor_type'] == 'SEcm_Actor'
    assert ckpt['lr_scheduler']['last_epoch'] == 2
    assert len(ckpt['stats']['train']['Loss/total']) == 2
    weights = {k: v.clone() for k, v in trainer.actor.net.state_dict().items()}

    probe, _ = make_trainer(tmp_path)
    assert probe.load_checkpoint() and probe.epoch == 2
    assert all(torch.equal(probe.actor.net.state_dict()[k], v) for k, v in weights.items())

    resumed, loader2 = make_trainer(tmp_path)
    resumed.train(3)  # resumes at epoch 3: epochs 1-2 are not repeated
    assert loader2.epochs_seen == [3]
    assert sorted(os.listdir(folder))[-1] == 'SEcmnet_ep0003.pth.tar'
    assert resumed.optimizer.param_groups[0]['lr'] == pytest.approx(1e-3 * 0.5 ** 3)


def test_training_checkpoint_rebuilds_the_network(tmp_path):
    trainer, _ = make_trainer(tmp_path)
    trainer.train(1)
    path = trainer.checkpoint_path(1)
    net = load_network(path, expected_net_type='SEcmnet')
    assert net.input_sz == SZ
    for k, v in trainer.actor.net.state_dict().items():
        assert torch.equal(net.state_dict()[k], v)
    # the training checkpoint drives the refiner at test time
    refiner = RefineModule(path, device='cpu')
    assert refiner.input_sz == SZ
    frame = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    refiner.initialize(frame, [50, 40, 30, 20])
    for mode in ('corner', 'mask', 'all'):
        box = refiner.refine(frame, [52, 41, 33, 18], mode=mode)
        assert box.dtype == np.float64 and box.shape == (4,) and np.all(np.isfinite(box))


def test_only_rank_zero_writes(tmp_path):
    trainer, _ = make_trainer(tmp_path, rank=1)
    trainer.train(1)
    assert not (tmp_path / 'checkpoints').exists()


def test_training_lowers_the_loss_on_a_fixed_batch(tmp_path):
    trainer, loader = make_trainer(tmp_path)
    trainer.settings.save_interval = 100
    trainer.lr_scheduler = None
    del loader[1:]
    trainer.train(8, load_latest=False)
    history = trainer.stats['train']['Loss/corner'].history
    assert history[-1] < history[0]


def test_resume_keeps_the_progress_but_takes_the_recipes_schedule(tmp_path):
    trainer, _ = make_trainer(tmp_path)  # StepLR step 1, gamma 0.5
    trainer.train(2)
    resumed, _ = make_trainer(tmp_path)
    resumed.lr_scheduler = torch.optim.lr_scheduler.StepLR(resumed.optimizer, step_size=3, gamma=0.1)
    assert resumed.load_checkpoint()
    assert resumed.lr_scheduler.last_epoch == 2 and resumed.lr_scheduler.step_size == 3
    assert resumed.optimizer.param_groups[0]['lr'] == pytest.approx(1e-3 * 0.5 ** 2)  # the file's progress
    resumed.train(3)  # epoch 3: 3 % 3 == 0, so the new gamma applies
    assert resumed.optimizer.param_groups[0]['lr'] == pytest.approx(1e-3 * 0.5 ** 2 * 0.1)
