"""Activations used by the DiMP classifier and its optimiser (pytracking's ``ltr/models/layers/activation.py``).

The parametric ones take the per-cell target mask ``a`` as second argument: ``a = 1`` is the identity
(target region, squared loss), ``a = 0`` a ReLU (background, hinge loss); their ``*Deriv`` modules give
the derivative with respect to the scores, used by the Gauss-Newton steps.
"""
from __future__ import annotations

from typing import Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ['softmax_reg', 'MLU', 'LeakyReluPar', 'LeakyReluParDeriv', 'BentIdentPar', 'BentIdentParDeriv']


def softmax_reg(x: torch.Tensor, dim: int, reg: Union[None, float, torch.Tensor] = None) -> torch.Tensor:
    """Softmax along `dim`; with `reg`, an extra logit `reg` joins the denominator (``exp(reg)`` is added)."""
    if reg is None:
        return torch.softmax(x, dim=dim)
    dim %= x.dim()
    if not isinstance(reg, torch.Tensor):
        reg = x.new_tensor([float(reg)])
    reg = reg.expand([1 if d == dim else x.shape[d] for d in range(x.dim())])
    full = torch.softmax(torch.cat((x, reg), dim=dim), dim=dim)
    return full.narrow(dim, 0, x.shape[dim])


class MLU(nn.Module):
    """``elu(leaky_relu(x, 1/min_val), min_val)``: linear above 0, bounded below by ``-min_val``."""

    def __init__(self, min_val: float, inplace: bool = False) -> None:
        super().__init__()
        self.min_val = min_val
        self.inplace = inplace

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return F.elu(F.leaky_relu(input, 1 / self.min_val, inplace=self.inplace), self.min_val, inplace=self.inplace)


class LeakyReluPar(nn.Module):
    """``(1 - a)/2 * |x| + (1 + a)/2 * x``: ReLU where ``a = 0``, identity where ``a = 1``."""

    def forward(self, x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        return (1.0 - a) / 2.0 * torch.abs(x) + (1.0 + a) / 2.0 * x


class LeakyReluParDeriv(nn.Module):
    """Derivative of :class:`LeakyReluPar` with respect to ``x`` (no gradient through ``sign``)."""

    def forward(self, x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        return (1.0 - a) / 2.0 * torch.sign(x.detach()) + (1.0 + a) / 2.0


class BentIdentPar(nn.Module):
    """Smooth version of :class:`LeakyReluPar`: ``|x|`` replaced by ``sqrt(x^2 + 4 b^2) - 2 b``."""

    def __init__(self, b: Optional[float] = 1.0) -> None:
        super().__init__()
        self.b = 1.0 if b is None else b

    def forward(self, x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        return (1.0 - a) / 2.0 * (torch.sqrt(x * x + 4.0 * self.b * self.b) - 2.0 * self.b) + (1.0 + a) / 2.0 * x


class BentIdentParDeriv(nn.Module):
    """Derivative of :class:`BentIdentPar` with respect to ``x``."""

    def __init__(self, b: Optional[float] = 1.0) -> None:
        super().__init__()
        self.b = 1.0 if b is None else b

    def forward(self, x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
        return (1.0 - a) / 2.0 * (x / torch.sqrt(x * x + 4.0 * self.b * self.b)) + (1.0 + a) / 2.0
