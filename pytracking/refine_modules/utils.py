"""Helpers of the refiner at test time (upstream ``pytracking/refine_modules/utils.py``).

The mask helpers live in ``ltr/data/processing_utils.py`` (shared with training) and are
re-exported here under their upstream import path.
"""
from __future__ import annotations

import torch

from ltr.data.processing_utils import binarize_mask, mask2bbox

__all__ = ['binarize_mask', 'mask2bbox', 'delta2bbox']


def delta2bbox(delta: torch.Tensor, crop_sz: int = 256) -> torch.Tensor:
    """Bbox-head deltas (B, 4) -> xywh boxes in crop pixels, relative to the central half of the crop.

    centre = ``crop_sz/2 * (1 + d_xy)``, size = ``crop_sz/2 * exp(d_wh)`` (upstream hard-codes 128 for 256 crops).
    """
    half = crop_sz / 2.0
    centre = half + delta[:, :2] * half
    size = half * torch.exp(delta[:, 2:])
    return torch.cat((centre - 0.5 * size, size), dim=1)

