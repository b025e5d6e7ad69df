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

__all__ = ['LRN', 'RoIAlignAdaMax', 'upstream_ada_samples', 'ROI_KERNELS', 'MDNet', 'BinaryLoss', 'accuracy', 'precision', 'RECEPTIVE_FIELD']

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


ROI_KERNELS = ('upstream', 'torchvision')


class RoIAlignAdaMax(nn.Module):
    """Upstream ``RoIAlignAdaMax(aligned_h, aligned_w, spatial_scale)``: a ``(h + 4) x (w + 4)`` grid of
    point samples per roi, then ``max_pool2d(3, stride 2)`` -> ``h x w``.

    Upstream's CUDA kernel (IlchaeJung/RT-MDNet ``roi_align_kernel.cu``, ``ROIAlignAdaForward``) samples
    at ``start + p * bin`` with ``bin = ((end - start) * scale + 1) / n`` (``p = 0..n-1``, no half-bin
    offset), gives 0 for points outside the map, and otherwise sums, per axis, the map at ``lo`` and
    ``lo + stride`` (``stride = max(1, round(bin))``, ``lo = min(floor(pos), size - 2)``) weighted by
    ``1 - |pos - lo - k| / stride``, reading the flat memory (a neighbour past the last column or row is
    the next row or channel). For a stride of 1 inside ``[0, size - 1)`` that is bilinear interpolation.

    ``kernel='upstream'`` (default) gives those numbers: rois whose samples all have stride 1 and lie in
    ``[0, size - 1)`` or outside the map go through ``torchvision.ops.roi_align`` (``aligned=False``,
    ``sampling_ratio=1``, roi shifted by half a bin so its bin centres are these points; outside points
    zeroed), the others through the kernel written out (:func:`upstream_ada_samples`). ``'torchvision'``
    sends every roi through torchvision (the former behaviour: in the last cell torchvision clamps to
    the last row/column, and it interpolates between neighbouring cells for any bin size).

    rois: ``(K, 5)`` float ``[batch_index, x1, y1, x2, y2]`` in input pixels.
    """

    def __init__(self, aligned_height: int = 3, aligned_width: int = 3, spatial_scale: float = 1.0 / 8,
                 kernel: str = 'upstream') -> None:
        super().__init__()
        if kernel not in ROI_KERNELS:
            raise ValueError(f"RoIAlignAdaMax kernel must be one of {ROI_KERNELS}, got {kernel!r}")
        self.aligned_height, self.aligned_width = int(aligned_height), int(aligned_width)
        self.spatial_scale = float(spatial_scale)
        self.kernel = kernel

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
        if self.kernel == 'upstream':
            last_row = ((grid_y >= H - 1) & (grid_y < H)).any(1)
            last_col = ((grid_x >= W - 1) & (grid_x < W)).any(1)
            wide = (_cuda_round(bin_w) > 1) | (_cuda_round(bin_h) > 1)
            exact = (last_row | last_col | wide) & inside.flatten(1).any(1)
            if bool(exact.any()):
                idx = exact.nonzero().reshape(-1)
                cells = torch.stack([rois[idx, 0], x1[idx], y1[idx], rois[idx, 3] * s, rois[idx, 4] * s], dim=1)
                pooled = pooled.index_copy(0, idx, upstream_ada_samples(features, cells, n_h, n_w))
        return _max_pool_3x3_stride2(pooled)


def _cuda_round(x: torch.Tensor) -> torch.Tensor:
    """CUDA's ``round`` (halves away from zero) for the non-negative bin sizes."""
    return torch.floor(x + 0.5)


def upstream_ada_samples(features: torch.Tensor, cells: torch.Tensor, n_h: int, n_w: int,
                         chunk: int = 64) -> torch.Tensor:
    """Upstream's ``ROIAlignAdaForward`` point samples ``(K, C, n_h, n_w)`` written out.

    cells: ``(K, 5)`` ``[batch_index, x1, y1, x2, y2]`` in map cells (already times ``spatial_scale``).
    Reads past the whole tensor (undefined upstream) give 0.
    """
    N, C, H, W = features.shape
    flat = features.reshape(-1)
    dtype, device = features.dtype, features.device
    ph = torch.arange(n_h, dtype=dtype, device=device)
    pw = torch.arange(n_w, dtype=dtype, device=device)
    channel_rows = (torch.arange(C, device=device) * H)[None, :, None, None]
    parts = []
    for part in cells.split(chunk):
        batch = part[:, 0].long()
        bin_w = (part[:, 3] - part[:, 1] + 1).clamp(min=0) / n_w
        bin_h = (part[:, 4] - part[:, 2] + 1).clamp(min=0) / n_h
        stride_w = _cuda_round(bin_w).clamp(min=1)
        stride_h = _cuda_round(bin_h).clamp(min=1)
        xs = part[:, 1:2] + pw * bin_w[:, None]
        ys = part[:, 2:3] + ph * bin_h[:, None]
        lo_x = torch.clamp(torch.floor(xs), max=W - 2)
        lo_y = torch.clamp(torch.floor(ys), max=H - 2)
        total = torch.zeros(len(part), C, n_h, n_w, dtype=dtype, device=device)
        for k_y in (0, 1):
            for k_x in (0, 1):
                dy, dx = k_y * stride_h[:, None], k_x * stride_w[:, None]
                row = (lo_y + dy).long()
                col = (lo_x + dx).long()
                offset = ((batch * C)[:, None, None, None] * H + channel_rows + row[:, None, :, None]) * W + \
                    col[:, None, None, :]
                valid = (offset >= 0) & (offset < flat.numel())
                value = flat[offset.clamp(0, flat.numel() - 1)] * valid
                wy = 1 - (ys - lo_y - dy).abs() / stride_h[:, None]
                wx = 1 - (xs - lo_x - dx).abs() / stride_w[:, None]
                total += value * (wy[:, :, None] * wx[:, None, :])[:, None]
        inside = ((ys >= 0) & (ys < H))[:, :, None] & ((xs >= 0) & (xs < W))[:, None, :]
        parts.append(total * inside[:, None].to(dtype))
    return torch.cat(parts)


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
