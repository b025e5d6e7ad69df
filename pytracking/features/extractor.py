"""Feature extractors: sample patches from the image and run every feature on them
(pytracking ``features/extractor.py`` semantics).

:class:`MultiResolutionExtractor` returns one map per feature block (a TensorList), at each block's
own resolution; blocks of all features are flattened in order.
"""
from __future__ import annotations

from typing import Callable, List, Optional, Sequence

import torch

from pytracking.features.featurebase import FeatureBase
from pytracking.features.preprocessing import sample_patch
from pytracking.libs import TensorList

__all__ = ['ExtractorBase', 'MultiResolutionExtractor']


def _flatten(items) -> TensorList:
    """Nested lists/TensorLists -> one flat TensorList (upstream ``TensorList.unroll``)."""
    out = TensorList()
    for e in items:
        if isinstance(e, (list, tuple)):
            out.extend(_flatten(e))
        else:
            out.append(e)
    return out


class ExtractorBase:
    """Holds the features; :meth:`initialize` prepares them (loads networks)."""

    def __init__(self, features: Sequence[FeatureBase]) -> None:
        self.features = list(features)

    def initialize(self) -> None:
        for f in self.features:
            f.initialize()


class MultiResolutionExtractor(ExtractorBase):
    """Extract all feature blocks from patches sampled at several scales.

    args:
        features: the feature objects.
        patch_mode: border mode of ``sample_patch`` (``'replicate'``, ``'inside'``, ...).
        max_scale_change: limit of the ``inside`` modes.
    """

    def __init__(self, features: Sequence[FeatureBase], patch_mode: str = 'replicate',
                 max_scale_change: Optional[float] = None) -> None:
        super().__init__(features)
        self.patch_mode = patch_mode
        self.max_scale_change = max_scale_change
        self.is_color = None

    def _active(self) -> List[FeatureBase]:
        return [f for f in self.features if self.is_color is None or (self.is_color and f.use_for_color)
                or (not self.is_color and f.use_for_gray)]

    def set_is_color(self, is_color: bool) -> None:
        """Use only the features meant for colour (or grayscale) images."""
        self.is_color = is_color

    def stride(self) -> torch.Tensor:
        """Stride of every block (float tensor)."""
        return torch.tensor([float(s) for s in _flatten([f.stride() for f in self._active()])])

    def size(self, input_sz: torch.Tensor) -> TensorList:
        """Feature map size of every block for patches of `input_sz`."""
        return _flatten([f.size(input_sz) for f in self._active()])

    def dim(self) -> TensorList:
        """Channels of every block."""
        return _flatten([f.dim() for f in self._active()])

    def get_fparams(self, name: Optional[str] = None) -> TensorList:
        """The features' ``fparams`` (or their attribute `name`), one entry per block."""
        if name is None:
            return _flatten([f.fparams for f in self._active()])
        return _flatten([getattr(f.fparams, name) for f in self._active()])

    def get_attribute(self, name: str, ignore_missing: bool = False) -> TensorList:
        """Attribute `name` of every feature."""
        if ignore_missing:
            return TensorList([getattr(f, name) for f in self._active() if hasattr(f, name)])
        return TensorList([getattr(f, name) for f in self._active()])

    def _features_of(self, patches: torch.Tensor) -> TensorList:
        return _flatten([f.get_feature(patches) for f in self._active()])

    def extract(self, im: torch.Tensor, pos: torch.Tensor, scales, image_sz: torch.Tensor,
                return_patches: bool = False):
        """Features of patches of size ``scale * image_sz`` centred at `pos` (row, col), one per scale,
        each resampled to `image_sz`. Returns the TensorList of blocks (N = #scales), and the patch
        coordinates (and the patches) with `return_patches`."""
        if isinstance(scales, (int, float)):
            scales = [scales]
        patches, coords = zip(*(sample_patch(im, pos, float(s) * image_sz, image_sz, mode=self.patch_mode,
                                             max_scale_change=self.max_scale_change) for s in scales))
        patches, coords = torch.cat(patches), torch.cat(coords)
        feats = self._features_of(patches)
        return (feats, coords, patches) if return_patches else (feats, coords)

    def extract_transformed(self, im: torch.Tensor, pos: torch.Tensor, scale: float, image_sz: torch.Tensor,
                            transforms: Sequence[Callable[[torch.Tensor], torch.Tensor]]) -> TensorList:
        """Features of the patch at `pos`/`scale` under every transform (the init-frame augmentation)."""
        patch, _ = sample_patch(im, pos, float(scale) * image_sz, image_sz)
        return self._features_of(torch.cat([T(patch) for T in transforms]))
