"""HOG feature for the pytracking extractors: wraps the KCF tracker's HOG (one implementation).

Not used by upstream's ECO parameters (deep features only); the hand-crafted ECO parameter set
(``parameter/eco/hc.py``) uses it so ECO runs without a network file.
"""
from __future__ import annotations

import cv2
import numpy as np
import torch

from pytracking.features.featurebase import FeatureBase
from pytracking.tracker.kcf.features import hog_gray_features, num_feature_channels

__all__ = ['HOG']


class HOG(FeatureBase):
    """Gradient-orientation histograms per `cell_size` cell (plus the cell's mean intensity) of the
    gray patch; patches must be multiples of `cell_size`. Stride = ``cell_size * pool_stride``."""

    def __init__(self, cell_size: int = 4, num_orientations: int = 9, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cell_size = int(cell_size)
        self.num_orientations = int(num_orientations)

    def dim(self) -> int:
        return num_feature_channels(self.num_orientations)

    def stride(self) -> int:
        return self.cell_size * self.pool_stride

    def extract(self, im: torch.Tensor) -> torch.Tensor:
        feats = []
        for patch in im:
            rgb = patch.permute(1, 2, 0).clamp(0, 255).round().to(torch.uint8).cpu().numpy()
            gray = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
            feats.append(torch.from_numpy(hog_gray_features(gray, self.cell_size, self.num_orientations)))
        return torch.stack(feats).to(im.device)
