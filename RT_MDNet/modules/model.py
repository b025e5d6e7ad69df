"""RT-MDNet network (upstream ``external/RT_MDNet/modules/model.py``): VGG-M-like conv1..conv3, adaptive
RoIAlign on the conv3 map, fc4, fc5 and K domain branches fc6; the online loss and the metrics.

State-dict keys are upstream's (``spec/checkpoints/rtmdnet.json``): the model file ``rt-mdnet.pth`` is
``{'shared_layers': MDNet.layers.state_dict()}`` (conv1..fc5); the branches are not stored (the tracker
trains its one branch online). :meth:`MDNet.load_model` loads it strictly: a wrong file is a
:class:`~ltr.admin.loading.CheckpointError`.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Dict, Iterable, Mapping, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.ops import roi_align

from ltr.admin.loading import CheckpointError, check_state_dict, load_checkpoint

__all__ = ['LRN', 'RoIAlignAdaMax', 'MDNet', 'BinaryLoss', 'accuracy', 'precision', 'RECEPTIVE_FIELD']

RECEPTIVE_FIELD = 75.0  # image pixels one conv3 cell sees (upstream MDNet.receptive_field)


class LRN(nn.Module):
    """Upstream's LRN: ``x / (2 + alpha * avg(x^2))^beta`` over a ``local_size`` window (within a channel,
    or across channels). MDNet uses the defaults (size 1, so the average is ``x^2`` itself)."""

    def __init__(self, local_size: int = 1, alpha: float = 1e-4, beta: float = 0.75, across_channels: bool = False) -> None:
        super().__init__()
        self.local_size, self.alpha, self.beta, self.across_channels = int(local_size), alpha, beta, across_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pad = (self.local_size - 1) // 2
        sq = x.pow(2)
        if self.local_size == 1:  # MDNet's setting: the window average is x^2 itself
            avg = sq
        elif self.across_channels:
            avg = F.avg_pool3d(sq.unsqueeze(1), (self.local_size, 1, 1), stride=1, padding=(pad, 0, 0)).squeeze(1)
        else:
            avg = F.avg_pool2d(sq, self.local_size, stride=1, padding=pad)
        return x / avg.mul(self.alpha).add(2.0).pow(self.beta)


class RoIAlignAdaMax(nn.Module):
    """Upstream ``RoIAlignAdaMax(aligned_h, aligned_w, spatial_scale)``: a ``(h + 4) x (w + 4)`` grid of
    bilinear point samples per roi, then ``max_pool2d(3, stride 2)`` -> ``h x w``.

    Upstream's adaptive kernel samples at ``start + p * bin`` with ``bin = (x2 - x1) * scale + 1`` over
    the grid size (``p = 0..n-1``, no half-bin offset) and gives 0 outside the map. Here
    ``torchvision.ops.roi_align`` (``aligned=False``, ``sampling_ratio=1``: one sample at each bin
    centre) is called on the roi shifted by half a bin, which puts its samples on exactly those
    points; samples outside ``[0, size)`` are zeroed as upstream. Differences that remain (see
    ``doc/differences.md``): in the last cell ``[size - 1, size)`` torchvision clamps to the last
    row/column where upstream extrapolates, and for bins of 1.5 cells or more upstream interpolates
    between cells ``round(bin)`` apart where torchvision uses neighbouring cells.

    rois: ``(K, 5)`` float ``[batch_index, x1, y1, x2, y2]`` in input pixels.
    """

    def __init__(self, aligned_height: int = 3, aligned_width: int = 3, spatial_scale: float = 1.0 / 8) -> None:
        super().__init__()
        self.aligned_height, self.aligned_width = int(aligned_height), int(aligned_width)
        self.spatial_scale = float(spatial_scale)

    def forward(self, features: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        n_h, n_w = self.aligned_height + 4, self.aligned_width + 4
        s = self.spatial_scale
        rois = rois.to(features.dtype)
        x1, y1 = rois[:, 1] * s, rois[:, 2] * s
        bin_w = ((rois[:, 3] - rois[:, 1]) * s + 1.0).clamp(min=0) / n_w
        bin_h = ((rois[:, 4] - rois[:, 2]) * s + 1.0).clamp(min=0) / n_h
        start_x, start_y = x1 - bin_w / 2, y1 - bin_h / 2
        shifted = torch.stack([rois[:, 0], start_x / s, start_y / s, (start_x + n_w * bin_w) / s,
                               (start_y + n_h * bin_h) / s], dim=1)
        pooled = roi_align(features, shifted, (n_h, n_w), spatial_scale=s, sampling_ratio=1, aligned=False)
        H, W = features.shape[-2:]
        grid_x = x1[:, None] + torch.arange(n_w, device=rois.device, dtype=rois.dtype)[None] * bin_w[:, None]
        grid_y = y1[:, None] + torch.arange(n_h, device=rois.device, dtype=rois.dtype)[None] * bin_h[:, None]
        inside = (((grid_y >= 0) & (grid_y < H))[:, :, None] & ((grid_x >= 0) & (grid_x < W))[:, None, :])
        if not bool(inside.all()):
            pooled = pooled * inside[:, None].to(pooled.dtype)
        return _max_pool_3x3_stride2(pooled)


def _max_pool_3x3_stride2(x: torch.Tensor) -> torch.Tensor:
    """``F.max_pool2d(x, 3, stride=2)`` (no padding) by strided slices: same values, much faster on CPU for
    many tiny maps (upstream pools a 7 x 7 grid per roi and channel)."""
    h_out, w_out = (x.shape[-2] - 3) // 2 + 1, (x.shape[-1] - 3) // 2 + 1
    rows = torch.maximum(torch.maximum(x[..., 0:2 * h_out - 1:2, :], x[..., 1:2 * h_out:2, :]),
                         x[..., 2:2 * h_out + 1:2, :])
    return torch.maximum(torch.maximum(rows[..., 0:2 * w_out - 1:2], rows[..., 1:2 * w_out:2]),
                         rows[..., 2:2 * w_out + 1:2])


def _conv_layers() -> nn.Sequential:
    return nn.Sequential(OrderedDict([
        ('conv1', nn.Sequential(nn.Conv2d(3, 96, kernel_size=7, stride=2), nn.ReLU(), LRN(),
                                nn.MaxPool2d(kernel_size=3, stride=2))),
        ('conv2', nn.Sequential(nn.Conv2d(96, 256, kernel_size=5, stride=2), nn.ReLU(), LRN())),
        ('conv3', nn.Sequential(nn.Conv2d(256, 512, kernel_size=3, stride=1, dilation=3), nn.ReLU())),
        ('fc4', nn.Sequential(nn.Linear(512 * 3 * 3, 512), nn.ReLU())),
        ('fc5', nn.Sequential(nn.Dropout(0.5), nn.Linear(512, 512), nn.ReLU())),
    ]))


class MDNet(nn.Module):
    """RT-MDNet: ``layers`` (conv1, conv2, conv3, fc4, fc5), ``branches`` (K x [Dropout, Linear(512, 2)])
    and ``roi_align_model`` (:class:`RoIAlignAdaMax` ``(3, 3, 1/8)``, no parameters).

    args:
        model_path: ``.pth`` file ``{'shared_layers': layers.state_dict()}`` loaded strictly, or None
            (random weights).
        K: number of domain branches (tracking uses 1).
    """

    def __init__(self, model_path: Optional[str] = None, K: int = 1) -> None:
        super().__init__()
        self.K = K
        self.layers = _conv_layers()
        self.branches = nn.ModuleList([nn.Sequential(nn.Dropout(0.5), nn.Linear(512, 2)) for _ in range(K)])
        self.roi_align_model = RoIAlignAdaMax(3, 3, 1.0 / 8)
        self.receptive_field = RECEPTIVE_FIELD
        if model_path is not None:
            self.load_model(model_path)
        self.build_param_dict()

    # -- parameters by upstream name (conv1_weight, fc4_bias, fc6_0_weight, ...) ---------------------
    def build_param_dict(self) -> None:
        """``self.params``: upstream's flat names -> parameters (used for learnable sets and lr multipliers)."""
        self.params: Dict[str, nn.Parameter] = OrderedDict()
        for name, module in self.layers.named_children():
            _append_params(self.params, module, name)
        for k, module in enumerate(self.branches):
            _append_params(self.params, module, f'fc6_{k}')

    def set_learnable_params(self, layers: Iterable[str]) -> None:
        """Train only parameters whose upstream name starts with one of `layers` (e.g. ``['fc']``)."""
        prefixes = tuple(layers)
        for name, p in self.params.items():
            p.requires_grad = name.startswith(prefixes)

    def get_learnable_params(self) -> Dict[str, nn.Parameter]:
        """The parameters with ``requires_grad``, by upstream name."""
        return OrderedDict((k, p) for k, p in self.params.items() if p.requires_grad)

    # -- forward ---------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor, k: int = 0, in_layer: str = 'conv1', out_layer: str = 'fc6') -> torch.Tensor:
        """Run from `in_layer` to `out_layer` ('conv1'..'fc5', 'fc6' = branch `k` logits, 'fc6_softmax')."""
        names = [n for n, _ in self.layers.named_children()]
        if in_layer not in names:
            raise ValueError(f"in_layer must be one of {names}, got {in_layer!r}")
        if out_layer not in names + ['fc6', 'fc6_softmax']:
            raise ValueError(f"out_layer must be one of {names + ['fc6', 'fc6_softmax']}, got {out_layer!r}")
        run = False
        for name, module in self.layers.named_children():
            run = run or name == in_layer
            if run:
                x = module(x)
                if name == out_layer:
                    return x
        x = self.branches[k](x)
        return F.softmax(x, dim=1) if out_layer == 'fc6_softmax' else x

    # -- loading ---------------------------------------------------------------------------------
    def load_model(self, model_path: str) -> None:
        """Load ``{'shared_layers': ...}`` from `model_path` strictly (CheckpointError when absent or not matching)."""
        if os.path.splitext(model_path)[1] != '.pth':
            raise CheckpointError(f"{model_path}: RT-MDNet model files are .pth ({{'shared_layers': state_dict}})")
        states = load_checkpoint(model_path)
        self.load_shared_layers(states, model_path)

    def load_shared_layers(self, states: Mapping, source: str = 'state dict') -> None:
        """Load the ``'shared_layers'`` entry of `states` into ``self.layers`` (strict, clear error)."""
        if not isinstance(states, Mapping) or 'shared_layers' not in states:
            keys = list(states)[:5] if isinstance(states, Mapping) else type(states).__name__
            raise CheckpointError(f"{source}: not an RT-MDNet model file: expected a dict with 'shared_layers', got {keys}")
        shared = states['shared_layers']
        if not isinstance(shared, Mapping):
            raise CheckpointError(f"{source}: 'shared_layers' is not a state dict")
        check_state_dict(self.layers, shared, source)
        self.layers.load_state_dict(shared, strict=True)


def _append_params(params: Dict[str, nn.Parameter], module: nn.Module, prefix: str) -> None:
    """Upstream ``append_params``: ``<prefix>_<name>`` for the parameters of `module`'s direct children."""
    for child in module.children():
        for k, p in child._parameters.items():
            if p is None:
                continue
            name = f'{prefix}_bn_{k}' if isinstance(child, nn.BatchNorm2d) else f'{prefix}_{k}'
            if name in params:
                raise RuntimeError(f"duplicated parameter name {name}")
            params[name] = p


class BinaryLoss(nn.Module):
    """Upstream's loss: mean over all samples of ``-log softmax`` of the right class (positives: 1, negatives: 0)."""

    def forward(self, pos_score: torch.Tensor, neg_score: torch.Tensor) -> torch.Tensor:
        pos_loss = -F.log_softmax(pos_score, dim=1)[:, 1]
        neg_loss = -F.log_softmax(neg_score, dim=1)[:, 0]
        return (pos_loss.sum() + neg_loss.sum()) / (pos_loss.size(0) + neg_loss.size(0))


def accuracy(pos_score: torch.Tensor, neg_score: torch.Tensor) -> Tuple[float, float]:
    """Upstream ``Accuracy``: fractions of positives with logit 1 > logit 0 and of negatives with the reverse."""
    pos = float((pos_score[:, 1] > pos_score[:, 0]).sum()) / (pos_score.size(0) + 1e-8)
    neg = float((neg_score[:, 1] < neg_score[:, 0]).sum()) / (neg_score.size(0) + 1e-8)
    return pos, neg


def precision(pos_score: torch.Tensor, neg_score: torch.Tensor) -> float:
    """Upstream ``Precision``: fraction of positives among the ``len(pos)`` highest target logits."""
    scores = torch.cat((pos_score[:, 1], neg_score[:, 1]), 0)
    top = torch.topk(scores, pos_score.size(0))[1]
    return float((top < pos_score.size(0)).float().sum()) / (pos_score.size(0) + 1e-8)
