"""Distance maps with soft (triangular) binning, the input of DiMP's learned label, mask and weight
predictors (pytracking's ``ltr/models/layers/distance.py``)."""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ['DistanceMap']


class DistanceMap(nn.Module):
    """Distance of every output cell to a centre, encoded in `num_bins` triangular bins.

    Bin ``k`` (``k < num_bins - 1``) has value ``max(0, 1 - |d / bin_displacement - k|)``; the last bin
    is ``clamp(1 + d / bin_displacement - (num_bins - 1), 0, 1)``, so it saturates to 1 for every distance
    beyond the range. The bins of one cell sum to 1.
    """

    def __init__(self, num_bins: int, bin_displacement: float = 1.0) -> None:
        super().__init__()
        self.num_bins = num_bins
        self.bin_displacement = bin_displacement

    def forward(self, center: torch.Tensor, output_sz: Sequence[int]) -> torch.Tensor:
        """`center`: ``(batch, 2)`` (row, col) positions; returns ``(batch, num_bins, H, W)``."""
        center = center.reshape(-1, 2)
        dev = center.device
        bins = torch.arange(self.num_bins, dtype=torch.float32, device=dev).reshape(1, -1, 1, 1)
        rows = torch.arange(int(output_sz[0]), dtype=torch.float32, device=dev).reshape(1, 1, -1, 1)
        cols = torch.arange(int(output_sz[1]), dtype=torch.float32, device=dev).reshape(1, 1, 1, -1)
        d0 = rows - center[:, 0].reshape(-1, 1, 1, 1)
        d1 = cols - center[:, 1].reshape(-1, 1, 1, 1)
        bin_diff = torch.sqrt(d0 * d0 + d1 * d1) / self.bin_displacement - bins
        return torch.cat((F.relu(1.0 - bin_diff[:, :-1].abs()), (1.0 + bin_diff[:, -1:]).clamp(0, 1)), dim=1)
