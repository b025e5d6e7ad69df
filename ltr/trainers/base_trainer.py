"""The epoch loop with checkpointing and automatic resume (upstream ``ltr/trainers/base_trainer.py``).

Checkpoints: ``<workspace_dir>/checkpoints/<project_path>/<NetType>_ep%04d.pth.tar`` in the official
format (``ltr.admin.loading.save_network_checkpoint``) plus what resuming needs: optimizer and
scheduler state, RNG states (as tensors/lists, so ``weights_only`` loading accepts them), the
resolved settings (plain values) and the stat histories. Only rank 0 writes; writes are atomic.
"""
from __future__ import annotations

import os
import random
from collections import OrderedDict
from typing import Any, Dict, Optional

import numpy as np
import torch

from ltr.admin.loading import CheckpointError, latest_checkpoint, load_checkpoint, load_state_dict_strict, \
    save_network_checkpoint, unwrap
from ltr.admin.local_settings import public_attrs


SCHEDULER_PROGRESS = ('last_epoch', '_step_count', '_last_lr', '_is_initial', '_get_lr_called_within_step')


def plain_settings(settings: Any) -> Dict[str, Any]:
    """The settings as plain values (numbers, strings, lists, dicts) for checkpoints and settings files."""
    def plain(v):
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if hasattr(v, '__dict__') and not callable(v):
            return {k: plain(x) for k, x in public_attrs(v).items()}
        return str(v)
    return {k: plain(v) for k, v in public_attrs(settings).items()}


def rng_states() -> Dict[str, Any]:
    """Python, NumPy and torch RNG states in a form ``torch.load(weights_only=True)`` accepts."""
    np_state = np.random.get_state()
    return {'python': list(random.getstate()[1]) + [random.getstate()[0], random.getstate()[2]],
            'numpy': [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
            'torch': torch.get_rng_state()}


def set_rng_states(states: Dict[str, Any]) -> None:
    """Restore the states written by :func:`rng_states`."""
    py = states['python']
    random.setstate((py[-2], tuple(py[:-2]), py[-1]))
    np_state = states['numpy']
    np.random.set_state((np_state[0], np_state[1].numpy().astype(np.uint32), *np_state[2:]))
    torch.set_rng_state(states['torch'])


class BaseTrainer:
    """Runs epochs, steps the scheduler, saves every ``settings.save_interval`` epochs and resumes."""

    def __init__(self, actor, loaders, optimizer, settings, lr_scheduler=None):
        self.actor = actor
        self.loaders = loaders
        self.optimizer = optimizer
        self.lr_scheduler = lr_scheduler
        self.settings = settings
        self.epoch = 0
        self.epochs_run: list = []  # epochs trained by this process (after a resume: only the new ones)
        self.stats: Dict[str, Dict[str, Any]] = OrderedDict()
        self.device = getattr(settings, 'device', None) or torch.device('cpu')
        self.actor.to(self.device)
        workspace = settings.env.workspace_dir
        self._checkpoint_dir = os.path.join(workspace, 'checkpoints', settings.project_path)

    @property
    def is_main_process(self) -> bool:
        return getattr(self.settings, 'local_rank', -1) in (-1, 0) and getattr(self.settings, 'rank', 0) == 0

    def train_epoch(self) -> None:
        raise NotImplementedError

    def train(self, max_epochs: int, load_latest: bool = True) -> None:
        """Train until `max_epochs`, first resuming from the latest checkpoint when `load_latest`."""
        if load_latest and self.load_checkpoint() and self.is_main_process:
            print(f"resumed from {self.checkpoint_path(self.epoch)} (epoch {self.epoch})", flush=True)
        for epoch in range(self.epoch + 1, max_epochs + 1):
            self.epoch = epoch
            self.train_epoch()
            self.epochs_run.append(epoch)
            if self.lr_scheduler is not None:
                self.lr_scheduler.step()
            interval = getattr(self.settings, 'save_interval', 5)
            if self.is_main_process and (epoch % interval == 0 or epoch == max_epochs):
                self.save_checkpoint()

    def checkpoint_path(self, epoch: int) -> str:
        net_type = type(unwrap(self.actor.net)).__name__
        return os.path.join(self._checkpoint_dir, f'{net_type}_ep{epoch:04d}.pth.tar')

    def save_checkpoint(self) -> str:
        """Write the current state; returns the file path."""
        path = self.checkpoint_path(self.epoch)
        extra = OrderedDict([
            ('optimizer', self.optimizer.state_dict()),
            ('lr_scheduler', self.lr_scheduler.state_dict() if self.lr_scheduler is not None else None),
            ('stats', {loader: {name: list(getattr(meter, 'history', [])) for name, meter in stats.items()}
                       for loader, stats in self.stats.items()}),
            ('settings', plain_settings(self.settings)),
            ('rng_states', rng_states()),
        ])
        save_network_checkpoint(path, self.actor.net, epoch=self.epoch, actor_type=type(self.actor).__name__,
                                extra=extra)
        return path

    def load_checkpoint(self, path: Optional[str] = None) -> bool:
        """Resume from `path` or the latest ``*_epNNNN.pth.tar`` of this recipe; False when there is none."""
        path = path or latest_checkpoint(self._checkpoint_dir)
        if path is None:
            return False
        ckpt = load_checkpoint(path)
        net = unwrap(self.actor.net)
        if ckpt.get('net_type') != type(net).__name__:
            raise CheckpointError(f"{path}: cannot resume a {type(net).__name__} from a '{ckpt.get('net_type')}' "
                                  "checkpoint")
        load_state_dict_strict(net, ckpt['net'], path)
        self.optimizer.load_state_dict(ckpt['optimizer'])
        if self.lr_scheduler is not None and ckpt.get('lr_scheduler') is not None:
            # the file gives the progress; the schedule (step size, gamma, ...) stays the recipe's, so a
            # changed recipe value or --set override applies to the rest of a resumed run
            schedule = {k: v for k, v in self.lr_scheduler.state_dict().items() if k not in SCHEDULER_PROGRESS}
            self.lr_scheduler.load_state_dict(ckpt['lr_scheduler'])
            self.lr_scheduler.__dict__.update(schedule)
        if ckpt.get('rng_states') is not None:
            set_rng_states(ckpt['rng_states'])
        self.epoch = int(ckpt['epoch'])
        return True
