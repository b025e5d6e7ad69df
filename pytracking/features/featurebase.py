"""Base classes of pytracking's feature extractors (``features/featurebase.py`` semantics).

A feature turns a batch of image patches ``(N, 3, H, W)`` (float, 0..255, RGB) into a map (or a
TensorList of maps for :class:`MultiFeatureBase`), then optionally pools it (``pool_stride`` or
``output_size``) and normalises every sample to unit mean ``|f|^p`` (``normalize_power``):
``f /= (sum |f|^p / (C H W) + 1e-10)^(1/p)``.
"""
from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import torch
import torch.nn.functional as F

from pytracking.libs import TensorList

__all__ = ['FeatureParams', 'FeatureBase', 'MultiFeatureBase']


class FeatureParams:
    """Per-feature parameter holder (upstream ``utils/params.FeatureParams``): keyword arguments
    become attributes; lists become TensorLists (one entry per feature block)."""

    def __init__(self, **kwargs: Any) -> None:
        for name, val in kwargs.items():
            setattr(self, name, TensorList(val) if isinstance(val, list) else val)


def _normalize(feat: torch.Tensor, power: float) -> torch.Tensor:
    """Each sample divided by the p-th root of its mean ``|f|^p``."""
    n = feat.shape[0]
    norm = (feat.abs().reshape(n, -1) ** power).sum(dim=1) / (feat[0].numel()) + 1e-10
    return feat / norm.pow(1.0 / power).reshape(n, 1, 1, 1)


class FeatureBase:
    """One feature map per patch.

    args:
        fparams: the feature's parameters (a FeatureParams or TrackerParams), read by the tracker.
        pool_stride: average-pooling stride applied after extraction (1 = none).
        output_size: adaptive pooling to this size instead of `pool_stride`.
        normalize_power: p of the per-sample normalisation (None = none).
        use_for_color, use_for_gray: which images the feature applies to.
    """

    def __init__(self, fparams: Any = None, pool_stride: Optional[int] = None, output_size: Optional[Sequence[int]] = None,
                 normalize_power: Optional[float] = None, use_for_color: bool = True, use_for_gray: bool = True) -> None:
        self.fparams = fparams
        self.pool_stride = 1 if pool_stride is None else pool_stride
        self.output_size = output_size
        self.normalize_power = normalize_power
        self.use_for_color = use_for_color
        self.use_for_gray = use_for_gray

    def initialize(self) -> None:
        """Load what the feature needs (networks); called once before the first extraction."""

    def dim(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement dim()")

    def stride(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement stride()")

    def size(self, im_sz: torch.Tensor) -> torch.Tensor:
        """Feature map size (h, w) for a patch of size `im_sz`."""
        if self.output_size is None:
            return torch.as_tensor(im_sz) // self.stride()
        return torch.as_tensor(self.output_size)

    def extract(self, im: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement extract(im)")

    def _pool(self, feat: torch.Tensor, output_size, pool_stride) -> torch.Tensor:
        if output_size is not None:
            return F.adaptive_avg_pool2d(feat, output_size)
        if pool_stride != 1:
            return F.avg_pool2d(feat, pool_stride, pool_stride)
        return feat

    def get_feature(self, im: torch.Tensor) -> torch.Tensor:
        """Extract, pool and normalise the feature of the patches `im` (N, 3, H, W)."""
        feat = self._pool(self.extract(im), self.output_size, self.pool_stride)
        return feat if self.normalize_power is None else _normalize(feat, self.normalize_power)


class MultiFeatureBase(FeatureBase):
    """A feature giving several maps (e.g. several network layers); `pool_stride` and
    `output_size` are per map."""

    def size(self, im_sz: torch.Tensor) -> TensorList:
        if self.output_size is None:
            return TensorList([torch.as_tensor(im_sz) // s for s in self.stride()])
        return TensorList([torch.as_tensor(im_sz) // s if sz is None else torch.as_tensor(sz)
                           for sz, s in zip(self.output_size, self.stride())])

    def get_feature(self, im: torch.Tensor) -> TensorList:
        feats = self.extract(im)
        output_sz = [None] * len(feats) if self.output_size is None else self.output_size
        strides = self.pool_stride if isinstance(self.pool_stride, (list, tuple)) else [self.pool_stride] * len(feats)
        feats = TensorList([self._pool(f, sz, s) for f, sz, s in zip(feats, output_sz, strides)])
        if self.normalize_power is not None:
            feats = TensorList([_normalize(f, self.normalize_power) for f in feats])
        return feats
