"""Colour features (pytracking ``features/color.py``): raw RGB or grayscale pixels in [-0.5, 0.5]."""
from __future__ import annotations

import torch

from pytracking.features.featurebase import FeatureBase

__all__ = ['RGB', 'Grayscale']


class RGB(FeatureBase):
    """The three colour channels, ``im / 255 - 0.5``; stride = ``pool_stride``."""

    def dim(self) -> int:
        return 3

    def stride(self) -> int:
        return self.pool_stride

    def extract(self, im: torch.Tensor) -> torch.Tensor:
        return im / 255 - 0.5


class Grayscale(FeatureBase):
    """Mean of the colour channels, ``/ 255 - 0.5``; stride = ``pool_stride``."""

    def dim(self) -> int:
        return 1

    def stride(self) -> int:
        return self.pool_stride

    def extract(self, im: torch.Tensor) -> torch.Tensor:
        return im.mean(dim=1, keepdim=True) / 255 - 0.5
