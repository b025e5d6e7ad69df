"""The KCF tracker's image patch sampler (its features, HOG + cell-mean intensity, are
:func:`pytracking.features.hog.hog_gray_features`)."""
from __future__ import annotations

from typing import Tuple

import cv2
import numpy as np

__all__ = ['extract_patch']


def extract_patch(gray: np.ndarray, center_rc: np.ndarray, size_hw: np.ndarray,
                  out_hw: Tuple[int, int]) -> Tuple[np.ndarray, np.ndarray, float]:
    """Crop a `size_hw` window centred at `center_rc` from `gray` and resample it to `out_hw`.

    Pixels outside the image replicate the border. The crop is snapped to whole pixels; returns
    ``(patch uint8 out_hw, actual crop centre (row, col) float64, image pixels per patch pixel)``
    so callers map patch displacements back without losing the sub-pixel part.
    """
    H, W = gray.shape[:2]
    out_h, out_w = int(out_hw[0]), int(out_hw[1])
    # Crop side in whole pixels, with the resampling ratio of the (isotropic) window kept exact.
    ratio = float(size_hw[0]) / out_h
    crop_h = max(1, int(round(out_h * ratio)))
    crop_w = max(1, int(round(out_w * ratio)))
    top = int(np.floor(center_rc[0] - crop_h / 2 + 0.5))
    left = int(np.floor(center_rc[1] - crop_w / 2 + 0.5))
    crop = _crop_replicate(gray, top, left, crop_h, crop_w, H, W)
    if (crop_h, crop_w) != (out_h, out_w):
        interp = cv2.INTER_AREA if crop_h > out_h else cv2.INTER_LINEAR
        crop = cv2.resize(crop, (out_w, out_h), interpolation=interp)
    actual_center = np.array([top + crop_h / 2, left + crop_w / 2], dtype=np.float64)
    return crop, actual_center, crop_h / out_h


def _crop_replicate(img: np.ndarray, top: int, left: int, h: int, w: int, H: int, W: int) -> np.ndarray:
    """``img[top:top+h, left:left+w]`` with out-of-image pixels replicating the nearest border pixel."""
    if top >= 0 and left >= 0 and top + h <= H and left + w <= W:
        return img[top:top + h, left:left + w]
    y1, y2 = max(top, 0), min(top + h, H)
    x1, x2 = max(left, 0), min(left + w, W)
    if y1 < y2 and x1 < x2:
        inner = np.ascontiguousarray(img[y1:y2, x1:x2])
        return cv2.copyMakeBorder(inner, y1 - top, top + h - y2, x1 - left, left + w - x2, cv2.BORDER_REPLICATE)
    # Window entirely outside the image: every pixel takes the nearest border pixel.
    rows = np.clip(np.arange(top, top + h), 0, H - 1)
    cols = np.clip(np.arange(left, left + w), 0, W - 1)
    return img[rows[:, None], cols[None, :]]
