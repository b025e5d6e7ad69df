"""Small feature helpers (pytracking ``features/util.py``)."""
from __future__ import annotations

import torch

from pytracking.features.featurebase import FeatureBase

__all__ = ['Concatenate']


class Concatenate(FeatureBase):
    """Several single-map features with the same stride, concatenated along the channels."""

    def __init__(self, features, **kwargs) -> None:
        super().__init__(**kwargs)
        self.features = list(features)
        strides = {f.stride() for f in self.features}
        if len(strides) != 1:
            raise ValueError(f"Concatenate: features have different strides {sorted(strides)}")
        self.input_stride = strides.pop()

    def initialize(self) -> None:
        for f in self.features:
            f.initialize()

    def dim(self) -> int:
        return sum(f.dim() for f in self.features)

    def stride(self) -> int:
        return self.pool_stride * self.input_stride

    def extract(self, im: torch.Tensor) -> torch.Tensor:
        return torch.cat([f.get_feature(im) for f in self.features], dim=1)
