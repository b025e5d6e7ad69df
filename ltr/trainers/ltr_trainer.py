"""Training over the loaders of a recipe: batches, stats, progress bars and tensorboard logs.

Samples skipped because a frame could not be read (``skipped_samples`` of each item,
:func:`ltr.data.sampler.draw_skipping_broken_frames`) are summed per loader and epoch: tensorboard
``<loader>/data/skipped_samples`` and the epoch's log line when not zero.
"""
from __future__ import annotations

import os
import time
from collections import OrderedDict
from typing import Dict

import torch
from tqdm import tqdm

from ltr.admin.stats import AverageMeter
from ltr.data.sampler import SKIPPED_KEY
from ltr.trainers.base_trainer import BaseTrainer


def move_to(data, device):
    """Move every tensor of a (nested) batch to `device`."""
    if isinstance(data, torch.Tensor):
        return data.to(device, non_blocking=True)
    if isinstance(data, dict):
        return type(data)({k: move_to(v, device) for k, v in data.items()})
    if isinstance(data, (list, tuple)):
        return type(data)(move_to(v, device) for v in data)
    return data


class LTRTrainer(BaseTrainer):
    """Runs each loader every ``loader.epoch_interval`` epochs; training loaders step the optimizer."""

    def __init__(self, actor, loaders, optimizer, settings, lr_scheduler=None):
        super().__init__(actor, loaders, optimizer, settings, lr_scheduler)
        self.stats = OrderedDict((loader.name, OrderedDict()) for loader in self.loaders)
        self.skipped_samples = OrderedDict((loader.name, 0) for loader in self.loaders)  # this epoch's
        self._writer = None
        if self.is_main_process and getattr(settings.env, 'tensorboard_dir', ''):
            from tensorboardX import SummaryWriter
            self._writer = SummaryWriter(os.path.join(settings.env.tensorboard_dir, settings.project_path))

    def _update_stats(self, loader_name: str, new_stats: Dict[str, float], batch_size: int) -> None:
        stats = self.stats[loader_name]
        for name, value in new_stats.items():
            stats.setdefault(name, AverageMeter()).update(float(value), batch_size)

    def _count_skipped(self, loader_name: str, data) -> None:
        """Take the items' ``skipped_samples`` (draws skipped for unreadable frames) out of a batch and add them to
        this epoch's count of `loader_name`."""
        skipped = data.pop(SKIPPED_KEY, None) if isinstance(data, dict) else None
        if skipped is not None:
            self.skipped_samples[loader_name] += int(torch.as_tensor(skipped).sum())

    def cycle_dataset(self, loader) -> None:
        """One pass over `loader` (with gradient steps when it is a training loader)."""
        self.actor.train(loader.training)
        torch.set_grad_enabled(loader.training)
        if hasattr(loader, 'set_epoch'):
            loader.set_epoch(self.epoch)
        start = time.time()
        bar = tqdm(loader, desc=f'[{loader.name}] epoch {self.epoch}', disable=not self.is_main_process,
                   dynamic_ncols=True, leave=False)
        for data in bar:
            self._count_skipped(loader.name, data)
            data = move_to(data, self.device)
            loss, stats = self.actor(data)
            if loader.training:
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
            batch_size = data['train_images'].shape[loader.stack_dim]
            self._update_stats(loader.name, stats, batch_size)
            bar.set_postfix({k: f'{m.avg:.4f}' for k, m in list(self.stats[loader.name].items())[:3]})
        self._update_stats(loader.name, {'time/epoch_s': time.time() - start}, 1)
        torch.set_grad_enabled(True)

    def train_epoch(self) -> None:
        for loader in self.loaders:
            if self.epoch % loader.epoch_interval == 0:
                self.cycle_dataset(loader)
        self._log_epoch()

    def _log_epoch(self) -> None:
        lr = self.optimizer.param_groups[0]['lr']
        for loader_name, stats in self.stats.items():
            for name, meter in stats.items():
                meter.new_epoch()
                if meter.has_new_data and self._writer is not None:
                    self._writer.add_scalar(f'{loader_name}/{name}', meter.history[-1], self.epoch)
        skipped = {name: n for name, n in self.skipped_samples.items() if n}
        if self._writer is not None:
            for loader_name, n in self.skipped_samples.items():
                self._writer.add_scalar(f'{loader_name}/data/skipped_samples', n, self.epoch)
            self._writer.add_scalar('train/lr', lr, self.epoch)
            self._writer.flush()
        if self.is_main_process:
            summary = ', '.join(f'{loader}/{name} {meter.history[-1]:.4f}' for loader, stats in self.stats.items()
                                for name, meter in stats.items() if meter.has_new_data and not name.startswith('time'))
            tqdm.write(f'epoch {self.epoch}: lr {lr:.2e}, {summary}' + ''.join(
                f', {name}/skipped samples (unreadable frames) {n}' for name, n in skipped.items()))
        self.skipped_samples = OrderedDict((name, 0) for name in self.skipped_samples)
