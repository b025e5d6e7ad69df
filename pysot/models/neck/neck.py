"""Adjust layers: 1x1 conv + BN per backbone tap, with the template's centre crop (STVIR/pysot ``neck.py``)."""
from __future__ import annotations

from typing import List, Sequence, Union

import torch
import torch.nn as nn

__all__ = ['AdjustLayer', 'AdjustAllLayer']


class AdjustLayer(nn.Module):
    """1x1 conv (no bias) + BN to `out_channels`; feature maps narrower than 20 (the template's
    15x15) are cut to their central ``center_size`` x ``center_size`` (7x7)."""

    def __init__(self, in_channels: int, out_channels: int, center_size: int = 7) -> None:
        super().__init__()
        self.downsample = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
            nn.BatchNorm2d(out_channels),
        )
        self.center_size = center_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.downsample(x)
        if x.size(3) < 20:
            left = (x.size(3) - self.center_size) // 2
            x = x[:, :, left:left + self.center_size, left:left + self.center_size]
        return x


class AdjustAllLayer(nn.Module):
    """One :class:`AdjustLayer` per tap: ``downsample`` for one tap, else ``downsample2``, ``downsample3``, ..."""

    def __init__(self, in_channels: Sequence[int], out_channels: Sequence[int], center_size: int = 7) -> None:
        super().__init__()
        if len(in_channels) != len(out_channels):
            raise ValueError(f"AdjustAllLayer: {len(in_channels)} in_channels but {len(out_channels)} out_channels")
        self.num = len(out_channels)
        if self.num == 1:
            self.downsample = AdjustLayer(in_channels[0], out_channels[0], center_size)
        else:
            for i, (cin, cout) in enumerate(zip(in_channels, out_channels)):
                self.add_module(f'downsample{i + 2}', AdjustLayer(cin, cout, center_size))

    def forward(self, features: Union[torch.Tensor, List[torch.Tensor]]) -> Union[torch.Tensor, List[torch.Tensor]]:
        if self.num == 1:
            return self.downsample(features)
        return [getattr(self, f'downsample{i + 2}')(f) for i, f in enumerate(features)]
