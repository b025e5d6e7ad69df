"""ATOM's online classifier as least-squares problems (upstream ``tracker/atom/optim.py``).

The classifier is ``response = act(filter * act_p(P x))``: a 1x1 projection ``P`` compressing the
backbone feature, then a small spatial filter. ``FactorizedConvProblem`` learns both on the first
frame (Gauss-Newton), ``ConvProblem`` updates only the filter afterwards (CG). Residuals are the
weighted response errors plus Tikhonov terms; inner products are kept per feature block, and the
preconditioner divides by the regularisation weights.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F

from pytracking.libs import TensorList
from pytracking.libs import operation
from pytracking.libs.optimization import L2Problem

__all__ = ['FactorizedConvProblem', 'ConvProblem', 'filter_response']


def filter_response(samples: torch.Tensor, filt: torch.Tensor) -> torch.Tensor:
    """Correlation of `samples` (N, C, H, W) with `filt` (1, C, kh, kw), 'same' size (N, 1, H, W) (even kernels:
    upstream's padding k//2 with the last row/column dropped, in ``operation.conv2d``)."""
    return operation.conv2d(samples, filt, mode='same')


def _weighted(residuals: TensorList, sample_weights: TensorList) -> TensorList:
    return TensorList([r * w.sqrt().view(-1, 1, 1, 1) for r, w in zip(residuals, sample_weights)])


class FactorizedConvProblem(L2Problem):
    """Joint filter + projection problem of the first frame. Variable: ``[filters..., projections...]``."""

    def __init__(self, training_samples: TensorList, y: TensorList, filter_reg: TensorList, projection_reg: TensorList,
                 sample_weights: TensorList, projection_activation: Callable, response_activation: Callable):
        self.training_samples = training_samples
        self.y = y
        self.filter_reg = filter_reg
        self.projection_reg = projection_reg
        self.sample_weights = sample_weights
        self.projection_activation = projection_activation
        self.response_activation = response_activation
        self.diag_M = TensorList(list(filter_reg) + list(projection_reg))

    def __call__(self, x: TensorList) -> TensorList:
        num = len(x) // 2
        filters, projections = x[:num], x[num:]
        compressed = TensorList([self.projection_activation(operation.conv1x1(s, p))
                                 for s, p in zip(self.training_samples, projections)])
        scores = TensorList([self.response_activation(filter_response(c, f)) for c, f in zip(compressed, filters)])
        residuals = _weighted(scores - self.y, self.sample_weights)
        residuals.extend([math.sqrt(r) * f for r, f in zip(self.filter_reg, filters)])
        residuals.extend([math.sqrt(r) * p for r, p in zip(self.projection_reg, projections)])
        return residuals

    def ip_input(self, a: TensorList, b: TensorList) -> TensorList:
        """One inner product per feature block (its filter and projection together), for both halves."""
        num = len(a) // 2
        ip = TensorList([(af * bf).sum() + (ap * bp).sum()
                         for af, bf, ap, bp in zip(a[:num], b[:num], a[num:], b[num:])])
        return TensorList(list(ip) + [v.clone() for v in ip])

    def M1(self, x: TensorList) -> TensorList:
        return TensorList([v / d for v, d in zip(x, self.diag_M)])


class ConvProblem(L2Problem):
    """Filter-only problem of the later frames (projection fixed). Variable: ``[filters...]``."""

    def __init__(self, training_samples: TensorList, y: TensorList, filter_reg: TensorList, sample_weights: TensorList,
                 response_activation: Callable):
        self.training_samples = training_samples
        self.y = y
        self.filter_reg = filter_reg
        self.sample_weights = sample_weights
        self.response_activation = response_activation

    def __call__(self, x: TensorList) -> TensorList:
        scores = TensorList([self.response_activation(filter_response(s, f)) for s, f in zip(self.training_samples, x)])
        residuals = _weighted(scores - self.y, self.sample_weights)
        residuals.extend([math.sqrt(r) * f for r, f in zip(self.filter_reg, x)])
        return residuals

    def ip_input(self, a: TensorList, b: TensorList) -> TensorList:
        return TensorList([(u * v).sum().reshape(1) for u, v in zip(a, b)])


def activation(spec) -> Callable[[torch.Tensor], torch.Tensor]:
    """Upstream activation knob: 'none', 'relu', 'elu' or ('mlu', a) = ELU(leaky_relu(x, 1/a), a)."""
    name, param = (spec, None) if not isinstance(spec, (tuple, list)) else (spec[0], spec[1])
    if name == 'none':
        return lambda x: x
    if name == 'relu':
        return F.relu
    if name == 'elu':
        return F.elu
    if name == 'mlu':
        return lambda x: F.elu(F.leaky_relu(x, 1 / param), param)
    raise ValueError(f"unknown activation {spec!r} ('none', 'relu', 'elu' or ('mlu', a))")
