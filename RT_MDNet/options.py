"""RT-MDNet's options (upstream ``options.py``, IlchaeJung/RT-MDNet = AlphaRefine ``external/RT_MDNet``).

:data:`opts` keeps upstream's names and values (read-only reference); the tracker reads them through
:func:`parameters`, a :class:`~pytracking.utils.params.TrackerParams` declaring every knob once, so a
misspelled override is an error. Upstream knobs not used here: ``use_gpu`` (-> ``device``) and
``result_path``. Added knobs (upstream hard-coded them): ``replicate_num`` (the 100 extra jittered crops
of the first frame), ``n_top`` (top-scoring samples averaged), ``roi_align`` (the RoIAlign kernel's
numbers, see ``modules/model.py``), ``seed`` (upstream seeded numpy/torch
globally at import with 0; here each tracker has its own RandomState and torch state seeded with it, drawn
in upstream's order), ``model_path``.
"""
from __future__ import annotations

from collections import OrderedDict
from types import MappingProxyType
from typing import Any

from pytracking.utils.params import TrackerParams

__all__ = ['opts', 'parameters', 'MODEL_FILE']

MODEL_FILE = 'rt-mdnet.pth'

_OPTS = OrderedDict([
    ('img_size', (107, 'side of the target in the crop (the crop is scaled so that the target is this size)')),
    ('padding', (1.2, 'each sample box is enlarged by this factor before RoIAlign')),
    ('jitter', (True, 'first frame: also crop 6 shifted / rescaled copies of the scene')),
    ('adaptive_align', (True, 'use RoIAlignAdaMax (always True here; kept for the upstream name)')),
    ('batch_pos', (32, 'positives per training iteration')),
    ('batch_neg', (96, 'negatives per training iteration (the hardest of batch_neg_cand)')),
    ('batch_neg_cand', (1024, 'negative candidates scored for hard-negative mining')),
    ('batch_test', (256, 'batch size when scoring negative candidates')),
    ('n_samples', (256, 'candidate boxes per frame')),
    ('trans_f', (0.6, 'candidate translation factor (x mean target side)')),
    ('scale_f', (1.05, 'candidate scale factor')),
    ('trans_f_expand', (1.4, 'translation factor after a failure (search expansion)')),
    ('n_bbreg', (1000, 'bounding-box regression training samples')),
    ('overlap_bbreg', ((0.6, 1), 'IoU range of bbreg samples')),
    ('scale_bbreg', ((1, 2), 'area ratio range of bbreg samples')),
    ('lr_init', (0.0001, 'learning rate of the initial training')),
    ('maxiter_init', (50, 'iterations of the initial training')),
    ('n_pos_init', (500, 'positive samples in the first frame')),
    ('n_neg_init', (5000, 'negative samples in the first frame')),
    ('overlap_pos_init', ((0.7, 1), 'IoU range of first-frame positives')),
    ('overlap_neg_init', ((0, 0.5), 'IoU range of first-frame negatives')),
    ('lr_update', (0.0003, 'learning rate of the online updates')),
    ('maxiter_update', (15, 'iterations per online update')),
    ('n_pos_update', (50, 'positives collected per successful frame')),
    ('n_neg_update', (200, 'negatives collected per successful frame')),
    ('overlap_pos_update', ((0.7, 1), 'IoU range of update positives')),
    ('overlap_neg_update', ((0, 0.3), 'IoU range of update negatives')),
    ('success_thr', (0.0, 'a frame succeeds when the mean top score exceeds this')),
    ('n_frames_short', (20, 'frames of positives used by a short-term update; frames of negatives kept')),
    ('n_frames_long', (100, 'frames of positives kept for long-term updates')),
    ('long_interval', (10, 'long-term update every this many frames')),
    ('w_decay', (0.0005, 'SGD weight decay')),
    ('momentum', (0.9, 'SGD momentum')),
    ('grad_clip', (10, 'gradient norm clip')),
    ('lr_mult', ({'fc6': 10}, 'learning-rate multipliers by parameter-name prefix')),
    ('ft_layers', (['fc'], 'parameter-name prefixes trained online')),
])

_ADDED = OrderedDict([
    ('model_path', (None, f'{MODEL_FILE} to load (None: random weights; the arena factory sets it)')),
    ('replicate_num', (100, 'extra jittered crops of the first frame (upstream replicateNum)')),
    ('n_top', (5, 'top-scoring candidates averaged into the target box')),
    ('roi_align', ('upstream', "RoIAlign numbers: 'upstream' (the CUDA kernel's, written out where torchvision "
                               "differs) or 'torchvision' (faster on CPU; differs on wide bins and the last cell)")),
    ('seed', (0, "seed of the tracker's numpy RandomState and torch state (upstream: np.random.seed(0), "
              "torch.manual_seed(0) at import)")),
])

#: upstream's option values by upstream name (read-only)
opts = MappingProxyType(OrderedDict((k, v[0]) for k, v in _OPTS.items()))


def parameters(**overrides: Any) -> TrackerParams:
    """RT-MDNet's knobs with upstream defaults (plus ``debug``, ``visualization``, ``device``); `overrides`
    must name declared knobs."""
    declared = OrderedDict(_OPTS)
    declared.update(_ADDED)
    params = TrackerParams(declared)
    # mutable defaults are copied so that one tracker's change never leaks into another
    params.update(lr_mult=dict(opts['lr_mult']), ft_layers=list(opts['ft_layers']))
    params.update(overrides)
    return params
