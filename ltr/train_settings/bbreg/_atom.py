"""Shared builder of the ATOM recipes, and the plumbing the DiMP builder (``dimp/_dimp.py``) reuses:
datasets -> processing -> sampler -> loader -> actor -> optimiser (parameter groups) -> scheduler -> trainer.

A recipe sets its values on ``settings`` (:func:`set_defaults` holds upstream pytracking's
``ltr/train_settings/bbreg/atom.py`` values), builds its datasets and network, and calls :func:`train`.
Command-line ``--set`` overrides keep precedence over what the recipe assigns.
"""
from __future__ import annotations

import json
import os
from typing import Callable, Dict, List, Optional, Sequence

import torch

from ltr.actors.bbreg import AtomActor
from ltr.admin.cli import UserInputError
from ltr.admin.fileio import atomic_write_text
from ltr.admin.loading import load_checkpoint, load_state_dict_strict, unwrap
from ltr.admin.multigpu import wrap_ddp
from ltr.data.loader import LTRLoader
from ltr.data.processing_tracking import ATOMProcessing, BoxAwareHorizontalFlip
from ltr.data.sampler_tracking import ATOMSampler
from ltr.data.transforms import Compose, Normalize, ToGrayscale, ToTensor, ToTensorAndJitter
from ltr.trainers.base_trainer import plain_settings
from ltr.trainers.ltr_trainer import LTRTrainer


def set_defaults(settings) -> None:
    """Upstream ``bbreg/atom.py``: batch 64, 1000 batches per epoch, 5x crops of 288 px, test jitter 4.5 / 0.5,
    16 proposals per frame, Adam 1e-3 on the IoU-Net only, StepLR 15 epochs x 0.2, 50 epochs."""
    settings.batch_size = 64
    settings.num_workers = 8
    settings.normalize_mean = [0.485, 0.456, 0.406]
    settings.normalize_std = [0.229, 0.224, 0.225]
    settings.search_area_factor = 5.0
    settings.feature_sz = 18
    settings.output_sz = settings.feature_sz * 16
    settings.center_jitter_factor = {'train': 0, 'test': 4.5}
    settings.scale_jitter_factor = {'train': 0, 'test': 0.5}
    settings.brightness_jitter = 0.2
    settings.grayscale_probability = 0.05
    settings.horizontal_flip_probability = 0.0  # upstream's ATOM and DiMP recipes do not flip (SuperDiMP does)
    settings.proposal_params = {'min_iou': 0.1, 'boxes_per_frame': 16, 'sigma_factor': [0.01, 0.05, 0.1, 0.2, 0.3]}
    settings.dataset_weights = [1, 1, 1, 1]
    settings.samples_per_epoch = 1000 * settings.batch_size
    settings.val_samples_per_epoch = 500 * settings.batch_size
    settings.val_epoch_interval = 5
    settings.max_gap = 50
    settings.num_train_frames = 1
    settings.num_test_frames = 1
    settings.backbone_pretrained = True
    settings.lr = 1e-3
    settings.param_groups = {'bb_regressor': None}  # module -> lr (None: settings.lr); others are not trained
    settings.lr_step_size = 15
    settings.lr_gamma = 0.2
    settings.epochs = 50
    settings.save_interval = 1  # upstream's trainer writes a checkpoint every epoch
    settings.seed = 0


def upstream_datasets():
    """The ATOM/DiMP training sets (LaSOT train, GOT-10k vottrain, TrackingNet chunks 0-3, COCO 2017 train)
    and validation set (GOT-10k votval): ``(train, val)``. Roots come from ltr/admin/local.py or ``LTR_<ATTR>``."""
    from ltr.dataset import Got10k, Lasot, MSCOCOSeq, TrackingNet
    train = [Lasot(split='train'), Got10k(split='vottrain'), TrackingNet(set_ids=list(range(4))), MSCOCOSeq()]
    return train, [Got10k(split='votval')]


def set_synthetic_cpu_defaults(settings) -> None:
    """What the ``*_synthetic`` CPU recipes change in every family: the synthetic benchmark rendered on the fly
    (640x480 frames, 60-frame videos, a practically unlimited number of them; the held-out ``val`` split for
    validation every epoch), 12x12 feature grids (192 px crops), one loader worker, a checkpoint per epoch."""
    settings.frame_size = [640, 480]
    settings.num_sequences = 100000
    settings.frames = 60
    settings.feature_sz = 12
    settings.output_sz = settings.feature_sz * 16
    settings.num_workers = 1
    settings.val_samples_per_epoch = 64
    settings.val_epoch_interval = 1
    settings.save_interval = 1


def synthetic_datasets(settings):
    """``([train], [val])``: the synthetic benchmark's train and val splits rendered on the fly (the test split is
    kept for tracking evaluation, ``benchmarks/tracker_training.py``)."""
    from ltr.dataset.synthetic.datasets import SyntheticTrackingOnTheFly

    def split(name: str):
        return SyntheticTrackingOnTheFly(num_sequences=settings.num_sequences, frames=settings.frames,
                                         size=tuple(settings.frame_size), seed=settings.seed, split=name)
    return [split('train')], [split('val')]


def transforms(settings):
    """``(joint, train, val)`` transforms: ToGrayscale (+ a box-aware flip when ``horizontal_flip_probability``)
    on all frames; ToTensorAndJitter (+ flip) + Normalize per training crop; ToTensor + Normalize per val crop."""
    flip = settings.horizontal_flip_probability
    joint = [ToGrayscale(settings.grayscale_probability)] + ([BoxAwareHorizontalFlip(flip)] if flip else [])
    train = [ToTensorAndJitter(settings.brightness_jitter)] + ([BoxAwareHorizontalFlip(flip)] if flip else []) + \
        [Normalize(settings.normalize_mean, settings.normalize_std)]
    val = [ToTensor(), Normalize(settings.normalize_mean, settings.normalize_std)]
    return Compose(joint), Compose(train), Compose(val)


def processing_pair(settings, make: Callable, **kwargs):
    """(train, val) processings ``make(search_area_factor, output_sz, jitter..., mode='sequence', **kwargs)`` with
    the recipe's transforms (upstream gives the validation processing the joint transform too)."""
    joint, train, val = transforms(settings)
    common = dict(search_area_factor=settings.search_area_factor, output_sz=settings.output_sz,
                  center_jitter_factor=settings.center_jitter_factor, scale_jitter_factor=settings.scale_jitter_factor,
                  mode='sequence', joint_transform=joint, **kwargs)
    return make(transform=train, **common), make(transform=val, **common)


def make_loader(name: str, sampler_class, datasets: Sequence, weights: Optional[Sequence[float]], samples: int,
                processing, settings, training: bool, epoch_interval: int = 1) -> LTRLoader:
    """A seeded sampler of `sampler_class` and its loader. ``batch_size`` is the total batch, as in upstream's
    one-process recipes: under DDP each of the `world` processes takes ``batch_size / world`` per step and
    1/world of a training epoch, and draws its own samples (the seed includes the rank). A validation sampler
    draws the same samples every time it runs, so its losses compare across epochs (upstream draws new ones)."""
    rank, world = getattr(settings, 'rank', 0), getattr(settings, 'world_size', 1)
    if settings.batch_size % world:
        raise UserInputError(f"batch_size {settings.batch_size} (the total batch) is not divisible by the "
                             f"{world} processes")
    sampler = sampler_class(datasets, weights, samples_per_epoch=samples // world if training else samples,
                            max_gap=settings.max_gap, num_test_frames=settings.num_test_frames,
                            num_train_frames=settings.num_train_frames, processing=processing,
                            seed=settings.seed * 1000003 + rank * 7919 + (0 if training else 1),
                            new_samples_each_epoch=training)
    return LTRLoader(name, sampler, training=training, batch_size=settings.batch_size // world,
                     num_workers=settings.num_workers, shuffle=False, drop_last=True, stack_dim=1,
                     epoch_interval=epoch_interval, seed=sampler.seed)


def make_loaders(settings, sampler_class, train_datasets: Sequence, train_weights: Optional[Sequence[float]],
                 val_datasets: Sequence, processing_train, processing_val) -> List[LTRLoader]:
    """The training loader and, when there are validation sets and samples, the validation loader."""
    loaders = [make_loader('train', sampler_class, train_datasets, train_weights, settings.samples_per_epoch,
                           processing_train, settings, training=True)]
    if val_datasets and settings.val_samples_per_epoch > 0:
        loaders.append(make_loader('val', sampler_class, val_datasets, [1] * len(val_datasets),
                                   settings.val_samples_per_epoch, processing_val, settings, training=False,
                                   epoch_interval=settings.val_epoch_interval))
    return loaders


def parameter_groups(net: torch.nn.Module, groups: Dict[str, Optional[float]]) -> List[dict]:
    """Adam parameter groups of upstream's recipes: ``{'classifier.filter_optimizer': 5e-4, 'bb_regressor':
    None, ...}`` -> one group per submodule (None: the optimiser's default lr). Parameters outside the
    listed modules are not optimised, as upstream."""
    module = unwrap(net)
    out = []
    for path, lr in groups.items():
        group = {'params': list(module.get_submodule(path).parameters())}
        if lr is not None:
            group['lr'] = lr
        out.append(group)
    return out


def train(settings, loaders: List[LTRLoader], net: torch.nn.Module, actor_factory: Callable) -> LTRTrainer:
    """Wrap `net` for DDP, build the actor (``actor_factory(net)``), Adam over ``settings.param_groups`` at
    ``settings.lr``, StepLR(``lr_step_size``, ``lr_gamma``), the trainer (resuming from the latest checkpoint),
    write the resolved settings next to the checkpoints, and train for ``settings.epochs``."""
    if getattr(settings, 'pretrained', None):  # --pretrained PATH: the network weights of another checkpoint
        load_state_dict_strict(net, load_checkpoint(settings.pretrained)['net'], settings.pretrained)
    net = wrap_ddp(net.to(settings.device), settings)
    actor = actor_factory(net)
    optimizer = torch.optim.Adam(parameter_groups(net, settings.param_groups), lr=settings.lr)
    lr_scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=settings.lr_step_size, gamma=settings.lr_gamma)
    settings.check_overrides()
    trainer = LTRTrainer(actor, loaders, optimizer, settings, lr_scheduler)
    if trainer.is_main_process:
        atomic_write_text(os.path.join(trainer._checkpoint_dir, 'settings.json'),
                          json.dumps(plain_settings(settings), indent=1, sort_keys=True, default=str) + '\n')
    trainer.train(settings.epochs, load_latest=True)
    return trainer


def train_atom(settings, train_datasets: Sequence, val_datasets: Sequence, net: torch.nn.Module) -> LTRTrainer:
    """The ATOM pipeline: ATOMProcessing (IoU proposals), ATOMSampler, AtomActor with MSE."""
    processing_train, processing_val = processing_pair(settings, ATOMProcessing,
                                                       proposal_params=settings.proposal_params)
    loaders = make_loaders(settings, ATOMSampler, train_datasets, settings.dataset_weights, val_datasets,
                           processing_train, processing_val)
    return train(settings, loaders, net, lambda n: AtomActor(net=n, objective=torch.nn.MSELoss()))
