"""``PrRoIPool2D``: the module form of :func:`prroi_pool2d` (upstream class name and arguments)."""
from __future__ import annotations

import torch
import torch.nn as nn

from .functional import prroi_pool2d

__all__ = ['PrRoIPool2D']


class PrRoIPool2D(nn.Module):
    """Precise RoI pooling to a ``pooled_height x pooled_width`` grid.

    args:
        pooled_height, pooled_width: output bins per box.
        spatial_scale: feature-map cells per input-image pixel (1/stride, e.g. 1/8 for layer2).

    ``forward(features (B, C, H, W), rois (K, 5) [batch_index, x1, y1, x2, y2])`` -> (K, C, ph, pw).
    The module has no parameters or buffers, so it adds no state-dict keys.
    """

    def __init__(self, pooled_height: int, pooled_width: int, spatial_scale: float):
        super().__init__()
        self.pooled_height = int(pooled_height)
        self.pooled_width = int(pooled_width)
        self.spatial_scale = float(spatial_scale)
        if self.pooled_height <= 0 or self.pooled_width <= 0:
            raise ValueError(f"PrRoIPool2D: pooled size must be positive, got {pooled_height}x{pooled_width}")

    def forward(self, features: torch.Tensor, rois: torch.Tensor) -> torch.Tensor:
        """Pool every box of `rois` from its image in `features`."""
        return prroi_pool2d(features, rois, self.pooled_height, self.pooled_width, self.spatial_scale)

    def extra_repr(self) -> str:
        return f'kernel_size=({self.pooled_height}, {self.pooled_width}), spatial_scale={self.spatial_scale}'
