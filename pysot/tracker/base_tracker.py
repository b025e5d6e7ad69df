"""pysot's tracker API (STVIR/pysot ``pysot/tracker/base_tracker.py``): ``init(img, bbox)`` and
``track(img) -> {'bbox': [x, y, w, h], 'best_score': s}`` on BGR uint8 images.

The crop itself is the pysot family of ``ltr.data.processing_utils`` (:func:`get_subwindow_pysot`,
all crop conventions live in that one module); :meth:`SiameseTracker.get_subwindow` turns it into the
network input: a (1, 3, S, S) float32 tensor of BGR values 0-255 (pysot does not normalise), on the
model's device (upstream moves it to CUDA when ``cfg.CUDA``; here the device comes from the model).
"""
from __future__ import annotations

import abc
from typing import Any, Dict, Sequence

import numpy as np
import torch

from ltr.data.processing_utils import get_subwindow_pysot

__all__ = ['BaseTracker', 'SiameseTracker', 'check_bgr_image', 'check_xywh']


def check_bgr_image(img: Any) -> np.ndarray:
    """`img` itself when it is a uint8 ``H x W x 3`` numpy array (pysot: BGR), else a ValueError saying what it is."""
    if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3 \
            or img.shape[0] < 1 or img.shape[1] < 1:
        what = f"dtype {img.dtype} shape {img.shape}" if isinstance(img, np.ndarray) else type(img).__name__
        raise ValueError(f"pysot trackers take a BGR uint8 H x W x 3 numpy image, got {what}")
    return img


def check_xywh(bbox: Any, name: str = 'bbox') -> np.ndarray:
    """`bbox` as float64 (4,) ``x, y, w, h``; ValueError naming `name` unless finite with w, h > 0."""
    box = np.asarray(bbox, dtype=np.float64).reshape(-1)
    if box.size != 4 or not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
        raise ValueError(f"{name} must be 4 finite numbers [x, y, w, h] with w, h > 0, got {np.asarray(bbox).tolist()}")
    return box


class BaseTracker(abc.ABC):
    """Single-object tracker on BGR images (pysot's interface)."""

    @abc.abstractmethod
    def init(self, img: np.ndarray, bbox: Sequence[float]) -> None:
        """Start on `bbox` = [x, y, w, h] (0-based) in the BGR image `img`."""

    @abc.abstractmethod
    def track(self, img: np.ndarray) -> Dict[str, Any]:
        """Track in the next BGR image: ``{'bbox': [x, y, w, h], ...}``."""


class SiameseTracker(BaseTracker):
    """A tracker that crops square exemplar/search windows (pysot convention)."""

    device: torch.device = torch.device('cpu')

    def get_subwindow(self, im: np.ndarray, pos: Sequence[float], model_sz: int, original_sz: float,
                      avg_chans: Sequence[float]) -> torch.Tensor:
        """The ``original_sz`` square around `pos` (cx, cy), resized to ``model_sz``: (1, 3, S, S) float32 on ``self.device``."""
        patch = get_subwindow_pysot(im, pos, model_sz, original_sz, avg_chans)
        tensor = torch.from_numpy(patch.transpose(2, 0, 1)[np.newaxis].astype(np.float32))
        return tensor.to(self.device)
