"""Shared builder of the DiMP-family recipes (DiMP-18/50, PrDiMP-18/50, SuperDiMP).

:func:`set_defaults` holds upstream pytracking's ``ltr/train_settings/dimp/dimp50.py`` values; each recipe
changes what its upstream file changes (``dimp18``: batch 26 and its learning rates; ``prdimp*``: KL
proposals, label densities and losses; ``super_dimp``: 6x search areas of 352 px, inside-major crops,
flips, 40000 samples per epoch). Pipeline: datasets -> DiMPProcessing or KLDiMPProcessing -> DiMPSampler
(3 train + 3 test frames, causal) -> loaders -> DiMPActor or KLDiMPActor -> Adam over the recipe's
parameter groups -> StepLR -> trainer (``ltr/train_settings/bbreg/_atom.py`` plumbing).
"""
from __future__ import annotations

from typing import Callable, Dict, Sequence

import torch

from ltr.data.processing_tracking import DiMPProcessing, KLDiMPProcessing
from ltr.data.sampler_tracking import DiMPSampler
from ltr.models.loss import KLRegression, KLRegressionGrid, LBHinge
from ltr.train_settings.bbreg import _atom
from ltr.train_settings.bbreg._atom import upstream_datasets  # noqa: F401  (the recipes' datasets)
from ltr.trainers.ltr_trainer import LTRTrainer

# The DiMP classifier's learning rates of dimp50.py (the IoU-Net at the default lr, the backbone at 2e-5).
DIMP50_PARAM_GROUPS = {'classifier.filter_initializer': 5e-5, 'classifier.filter_optimizer': 5e-4,
                       'classifier.feature_extractor': 5e-5, 'bb_regressor': None, 'feature_extractor': 2e-5}
HINGE_LOSS_WEIGHT = {'iou': 1, 'test_clf': 100, 'test_init_clf': 100, 'test_iter_clf': 400}
KL_PROPOSAL_PARAMS = {'boxes_per_frame': 128, 'gt_sigma': (0.05, 0.05), 'proposal_sigma': [(0.05, 0.05), (0.5, 0.5)]}


def set_defaults(settings) -> None:
    """Upstream ``dimp50.py``: batch 10, 26000 samples per epoch, 5x crops of 288 px (18x18 features, 4x4
    filter), jitter train 3 / 0.25, test 4.5 / 0.5, 8 proposals per frame, hinge threshold 0.05, dataset
    weights LaSOT 0.25, GOT-10k 1, TrackingNet 1, COCO 1, max gap 30, Adam with the DiMP-50 groups around
    lr 2e-4, StepLR 15 epochs x 0.2, 50 epochs."""
    _atom.set_defaults(settings)  # normalisation, transforms, seed, checkpoint interval
    settings.batch_size = 10
    settings.search_area_factor = 5.0
    settings.output_sigma_factor = 1 / 4
    settings.target_filter_sz = 4
    settings.feature_sz = 18
    settings.output_sz = settings.feature_sz * 16
    settings.center_jitter_factor = {'train': 3, 'test': 4.5}
    settings.scale_jitter_factor = {'train': 0.25, 'test': 0.5}
    settings.hinge_threshold = 0.05
    settings.crop_type = 'replicate'
    settings.max_scale_change = None
    settings.proposal_params = {'min_iou': 0.1, 'boxes_per_frame': 8, 'sigma_factor': [0.01, 0.05, 0.1, 0.2, 0.3]}
    settings.label_density_normalize = True  # used by the KL recipes only
    settings.dataset_weights = [0.25, 1, 1, 1]
    settings.samples_per_epoch = 26000
    settings.val_samples_per_epoch = 5000
    settings.max_gap = 30
    settings.num_train_frames = 3
    settings.num_test_frames = 3
    settings.loss_weight = dict(HINGE_LOSS_WEIGHT)
    settings.lr = 2e-4
    settings.param_groups = dict(DIMP50_PARAM_GROUPS)
    settings.lr_step_size = 15
    settings.lr_gamma = 0.2
    settings.epochs = 50


def set_synthetic_defaults(settings) -> None:
    """The DiMP-family CPU recipes on the synthetic benchmark (``dimp_synthetic``, ``prdimp_synthetic``): the
    upstream values, then :func:`ltr.train_settings.bbreg._atom.set_synthetic_cpu_defaults`, then one schedule:
    batch 8, 40 epochs of 160 samples (32 validation samples), lr x0.2 every 15 epochs, one dataset."""
    set_defaults(settings)
    _atom.set_synthetic_cpu_defaults(settings)
    settings.batch_size = 8
    settings.samples_per_epoch = 160
    settings.val_samples_per_epoch = 32
    settings.epochs = 40
    settings.lr_step_size = 15
    settings.dataset_weights = [1]


def output_sigma(settings) -> float:
    """Label std relative to the crop side: ``output_sigma_factor / search_area_factor``."""
    return settings.output_sigma_factor / settings.search_area_factor


def init_gauss_sigma(settings) -> float:
    """The network's ``init_gauss_sigma`` / ``gauss_sigma``: the label std in feature cells."""
    return output_sigma(settings) * settings.feature_sz


def label_params(settings) -> Dict:
    """``label_function_params``: Gaussian labels of std ``output_sigma`` on the ``feature_sz`` grid of a
    ``target_filter_sz`` filter."""
    return {'feature_sz': settings.feature_sz, 'sigma_factor': output_sigma(settings),
            'kernel_sz': settings.target_filter_sz}


def _processing(settings, kl: bool):
    common = dict(crop_type=settings.crop_type, max_scale_change=settings.max_scale_change,
                  proposal_params=settings.proposal_params, label_function_params=label_params(settings))
    if not kl:
        return _atom.processing_pair(settings, DiMPProcessing, **common)
    density = dict(label_params(settings), **({'normalize': True} if settings.label_density_normalize else {}))
    return _atom.processing_pair(settings, KLDiMPProcessing, label_density_params=density, **common)


def hinge_objective(settings) -> Dict[str, torch.nn.Module]:
    """DiMP's objective: MSE on the IoU-Net's IoUs, LBHinge on the classifier's scores."""
    return {'iou': torch.nn.MSELoss(), 'test_clf': LBHinge(threshold=settings.hinge_threshold)}


def kl_objective(settings, classifier: str = 'kl') -> Dict[str, torch.nn.Module]:
    """PrDiMP's objective (KL regression for the IoU-Net, grid KL for the classifier); SuperDiMP keeps
    DiMP's hinge classifier loss (``classifier='hinge'``)."""
    clf = {'clf_ce': KLRegressionGrid()} if classifier == 'kl' else {'test_clf': LBHinge(threshold=settings.hinge_threshold)}
    return {'bb_ce': KLRegression(), **clf}


def train(settings, train_datasets: Sequence, val_datasets: Sequence, net: torch.nn.Module,
          actor_class: Callable, objective: Dict[str, torch.nn.Module], kl: bool = False) -> LTRTrainer:
    """DiMP/KL processing (`kl`), DiMPSampler, `actor_class(net, objective, settings.loss_weight)`, then
    :func:`ltr.train_settings.bbreg._atom.train`."""
    processing_train, processing_val = _processing(settings, kl)
    loaders = _atom.make_loaders(settings, DiMPSampler, train_datasets, settings.dataset_weights, val_datasets,
                                 processing_train, processing_val)
    return _atom.train(settings, loaders, net,
                       lambda n: actor_class(net=n, objective=objective, loss_weight=settings.loss_weight))
