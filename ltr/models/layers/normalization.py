"""Instance L2 normalisation of feature maps (pytracking's ``ltr/models/layers/normalization.py``)."""
from __future__ import annotations

import torch
import torch.nn as nn

__all__ = ['InstanceL2Norm']


class InstanceL2Norm(nn.Module):
    """Scale each sample so that its squared L2 norm is ``scale^2 * C*H*W`` (`size_average`) or ``scale^2``."""

    def __init__(self, size_average: bool = True, eps: float = 1e-5, scale: float = 1.0) -> None:
        super().__init__()
        self.size_average = size_average
        self.eps = eps
        self.scale = scale

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        sq = torch.sum((input * input).reshape(input.shape[0], 1, 1, -1), dim=3, keepdim=True) + self.eps
        if self.size_average:
            numel = input.shape[1] * input.shape[2] * input.shape[3]
            return input * (self.scale * (numel / sq).sqrt())
        return input * (self.scale / sq.sqrt())
