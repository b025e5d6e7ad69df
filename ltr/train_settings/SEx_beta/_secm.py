"""Shared builder of the SEcm training recipes: datasets -> processing -> sampler -> loader -> actor -> trainer.

A recipe sets its values on ``settings`` (see :func:`set_defaults` for the upstream SEcm_r34 values),
builds its datasets and network, and calls :func:`train`. Command-line ``--set`` overrides keep
precedence over what the recipe assigns (``ltr.admin.settings.Settings``).
"""
from __future__ import annotations

import json
import os
from typing import Sequence

import torch

from ltr.actors.secm import SEcm_Actor
from ltr.admin.fileio import atomic_write_text
from ltr.admin.loading import load_checkpoint, load_state_dict_strict
from ltr.admin.multigpu import wrap_ddp
from ltr.data.loader import LTRLoader
from ltr.data.processing import SEMaskProcessing
from ltr.data.sampler import SEMaskSampler
from ltr.data.transforms import recipe_transforms
from ltr.trainers.base_trainer import plain_settings
from ltr.trainers.ltr_trainer import LTRTrainer


def set_defaults(settings) -> None:
    """The upstream SEcm_r34 values (``ltr/train_settings/SEx_beta/SEcm_r34.py``, spec (e))."""
    settings.batch_size = 32
    settings.num_workers = 4
    settings.normalize_mean = [0.485, 0.456, 0.406]
    settings.normalize_std = [0.229, 0.224, 0.225]
    settings.search_area_factor = 2.0
    settings.output_sz = 256
    settings.center_jitter_factor = {'train': 0, 'test': 0.25}
    settings.scale_jitter_factor = {'train': 0, 'test': 0.25}
    settings.brightness_jitter = 0.2
    settings.grayscale_probability = 0.05
    settings.samples_per_epoch = 4000 * 32
    settings.val_samples_per_epoch = 500 * 32
    settings.val_epoch_interval = 5
    settings.max_gap = 50
    settings.lr = 1e-3
    settings.lr_step_size = 8
    settings.lr_gamma = 0.5
    settings.epochs = 40
    settings.save_interval = 5
    settings.mask_loss_weight = 1000.0
    settings.corner_loss = 'mse'  # upstream; 'l1' for a fine-tuning stage (CORNER_LOSSES)
    settings.backbone_lr_factor = 1.0  # upstream: one learning rate for the backbone and the heads
    settings.seed = 0
    settings.pretrained_new_modules = []  # submodules --pretrained may lack (load_pretrained_net)


CORNER_LOSSES = {'mse': torch.nn.MSELoss, 'l1': torch.nn.L1Loss}


def corner_objective(name: str) -> torch.nn.Module:
    """The corner loss named by ``settings.corner_loss`` (``mse``: upstream's; ``l1``: mean absolute error in crop
    pixels, whose gradient does not fade as the corners near the truth)."""
    if name not in CORNER_LOSSES:
        raise ValueError(f"settings.corner_loss must be one of {sorted(CORNER_LOSSES)}, got {name!r}")
    return CORNER_LOSSES[name]()


def upstream_datasets():
    """SEcm_r34's training sets and weights (LaSOT train 1, GOT-10k train 1, COCO 1, ImageNet VID 1, ImageNet
    DET 1, YouTube-VOS 2, saliency 3) and its validation set (LaSOT test): ``(train, weights, val)``.

    Roots come from ltr/admin/local.py (or ``LTR_<ATTR>``); a missing one is reported by name."""
    from ltr.dataset import Got10k, ImagenetDET, ImagenetVID, Lasot, MSCOCOSeq, Saliency, YouTubeVOS
    train = [Lasot(split='train'), Got10k(split='train'), MSCOCOSeq(), ImagenetVID(), ImagenetDET(),
             YouTubeVOS(), Saliency()]
    return train, [1, 1, 1, 1, 1, 2, 3], [Lasot(split='test')]


def _loader(name: str, datasets, weights, samples: int, processing, settings, training: bool,
            epoch_interval: int = 1) -> LTRLoader:
    rank, world = getattr(settings, 'rank', 0), getattr(settings, 'world_size', 1)
    # every rank draws its own samples: the seed includes the rank; each rank gets 1/world of the epoch
    sampler = SEMaskSampler(datasets, weights, samples_per_epoch=samples // world if training else samples,
                            max_gap=settings.max_gap, processing=processing,
                            seed=settings.seed * 1000003 + rank * 7919 + (0 if training else 1))
    return LTRLoader(name, sampler, training=training, batch_size=settings.batch_size,
                     num_workers=settings.num_workers, shuffle=False, drop_last=True, stack_dim=1,
                     epoch_interval=epoch_interval, seed=sampler.seed)


def load_pretrained_net(net: torch.nn.Module, path: str, new_modules: Sequence[str] = ()) -> None:
    """``--pretrained PATH``: initialise `net` from the ``net`` weights of a checkpoint (strict).

    Entries of the submodules named in `new_modules` (e.g. ``corner_head.fine``) that the file lacks keep
    their initial values (a warm start of a network with new parts); any other difference is an error."""
    state = dict(load_checkpoint(path)['net'])
    prefixes = tuple(m + '.' for m in new_modules)
    for key, value in net.state_dict().items():
        if key.startswith(prefixes) and key not in state:
            state[key] = value
    load_state_dict_strict(net, state, path)


def parameter_groups(net: torch.nn.Module, lr: float, backbone_lr_factor: float):
    """Trainable parameters in two groups: the backbone at ``lr * backbone_lr_factor``, the rest at `lr`.

    With factor 1 this is one group of all parameters (upstream's ``Adam(net.parameters())``; frozen
    parameters get no gradient and are never updated either way)."""
    if backbone_lr_factor == 1.0:
        return [{'params': list(net.parameters())}]
    module = net.module if hasattr(net, 'module') else net
    backbone = {id(p) for p in module.feature_extractor.parameters()}
    trainable = [p for p in net.parameters() if p.requires_grad]
    return [{'params': [p for p in trainable if id(p) in backbone], 'lr': lr * backbone_lr_factor},
            {'params': [p for p in trainable if id(p) not in backbone]}]


def train(settings, train_datasets: Sequence, train_weights: Sequence[float], val_datasets: Sequence,
          net: torch.nn.Module) -> LTRTrainer:
    """Build the data pipeline, actor, optimiser and trainer, and train for ``settings.epochs``."""
    joint, train_transform, val_transform = recipe_transforms(
        settings.brightness_jitter, settings.grayscale_probability, settings.normalize_mean, settings.normalize_std)
    common = dict(search_area_factor=settings.search_area_factor, output_sz=settings.output_sz,
                  center_jitter_factor=settings.center_jitter_factor, scale_jitter_factor=settings.scale_jitter_factor,
                  mode='sequence')
    processing_train = SEMaskProcessing(**common, transform=train_transform, joint_transform=joint)
    processing_val = SEMaskProcessing(**common, transform=val_transform)

    loaders = [_loader('train', train_datasets, train_weights, settings.samples_per_epoch, processing_train,
                       settings, training=True)]
    if val_datasets:
        loaders.append(_loader('val', val_datasets, None, settings.val_samples_per_epoch, processing_val, settings,
                               training=False, epoch_interval=settings.val_epoch_interval))

    if getattr(settings, 'pretrained', None):
        load_pretrained_net(net, settings.pretrained, settings.pretrained_new_modules)
    net = wrap_ddp(net.to(settings.device), settings)
    objective = {'corner': corner_objective(settings.corner_loss), 'mask': torch.nn.BCELoss()}
    actor = SEcm_Actor(net, objective, loss_weight={'corner': 1.0, 'mask': settings.mask_loss_weight})
    optimizer = torch.optim.Adam(parameter_groups(net, settings.lr, settings.backbone_lr_factor), lr=settings.lr)
    lr_scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=settings.lr_step_size, gamma=settings.lr_gamma)
    settings.check_overrides()
    trainer = LTRTrainer(actor, loaders, optimizer, settings, lr_scheduler)
    if trainer.is_main_process:  # the resolved settings, next to the checkpoints
        atomic_write_text(os.path.join(trainer._checkpoint_dir, 'settings.json'),
                          json.dumps(plain_settings(settings), indent=1, sort_keys=True, default=str) + '\n')
    trainer.train(settings.epochs, load_latest=True)
    return trainer
