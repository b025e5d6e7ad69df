"""SiamMask tracker (STVIR/pysot ``pysot/tracker/siammask_tracker.py``), BGR images, pysot API.

The box is SiamRPN++'s (:class:`SiamRPNTracker`: same search, penalties, smoothing, clip; SiamMask's config
values ``PENALTY_K 0.10``, ``WINDOW_INFLUENCE 0.41``, ``LR 0.32``); then the mask of the chosen candidate:

    (row, col) = score-map position of the chosen anchor
    mask       = sigmoid(model.mask_refine((row, col)))          127 x 127 (MASK_OUTPUT_SIZE)
    s          = side of the search crop / INSTANCE_SIZE           (image pixels per crop pixel)
    sub_box    = [crop_x1 + (col - BASE_SIZE/2) * STRIDE * s, crop_y1 + (row - BASE_SIZE/2) * STRIDE * s,
                  EXEMPLAR_SIZE * s, EXEMPLAR_SIZE * s]             the image window the mask covers
    mask_in_img = the 127 x 127 mask warped onto the whole image so that it covers sub_box
                  (:func:`crop_back`: cv2.warpAffine, bilinear, 0 outside)

:func:`mask_polygon` is STVIR's ``_mask_post_processing``: the rotated rectangle (``cv2.minAreaRect``) of the
largest external contour of ``mask > TRACK.MASK_THERSHOLD`` when its area exceeds 100 px, else the corners of
the tracker's box. Alpha-Refine's arena used the axis-aligned ``cv2.boundingRect`` of that contour instead
(``external/pysot/pysot/tracker/siammask_tracker.py`` with ``VOT=False``): see
:class:`pysot.tracker.arena.SiamMaskRefiner`.

Differences from upstream: as :class:`SiamRPNTracker` (config argument, model's device, overflowing
candidates never chosen, crop size floor); when no candidate is finite the mask is all zeros.
"""
from __future__ import annotations

from typing import Any, Dict, Sequence

import cv2
import numpy as np
import torch

from pysot.core.config import ConfigError
from pysot.tracker.base_tracker import check_bgr_image
from pysot.tracker.siamrpn_tracker import SiamRPNTracker

__all__ = ['SiamMaskTracker', 'crop_back', 'mask_polygon', 'cxy_wh_2_rect', 'MIN_CONTOUR_AREA']

MIN_CONTOUR_AREA = 100  # upstream: a mask contour counts when its area exceeds this (pixels)


def cxy_wh_2_rect(pos: Sequence[float], sz: Sequence[float]) -> np.ndarray:
    """(cx, cy), (w, h) -> float64 ``[cx - w/2, cy - h/2, w, h]`` (pysot ``utils/bbox.py``)."""
    return np.array([pos[0] - sz[0] / 2, pos[1] - sz[1] / 2, sz[0], sz[1]], dtype=np.float64)


def crop_back(image: np.ndarray, bbox: Sequence[float], out_sz: Sequence[int], padding: float = 0) -> np.ndarray:
    """`image` warped by the affine map that sends `bbox` = (x, y, w, h) onto an ``out_sz`` = (W, H) canvas:
    ``a = (W - 1) / w``, ``b = (H - 1) / h``, ``x' = a x - a bx``, ``y' = b y - b by`` (upstream ``_crop_back``;
    bilinear, `padding` outside)."""
    a = (out_sz[0] - 1) / bbox[2]
    b = (out_sz[1] - 1) / bbox[3]
    mapping = np.array([[a, 0, -a * bbox[0]], [0, b, -b * bbox[1]]], dtype=np.float64)
    return cv2.warpAffine(image, mapping, (int(out_sz[0]), int(out_sz[1])), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=padding)


def largest_contour(mask: np.ndarray, threshold: float):
    """The largest external contour of ``mask > threshold`` as (K, 2) points when its area exceeds
    :data:`MIN_CONTOUR_AREA`, else None."""
    binary = (mask > threshold).astype(np.uint8)
    contours = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[-2]
    if not contours:
        return None
    areas = [cv2.contourArea(c) for c in contours]
    best = int(np.argmax(areas))
    return contours[best].reshape(-1, 2) if areas[best] > MIN_CONTOUR_AREA else None


def mask_polygon(mask: np.ndarray, threshold: float, center_pos: Sequence[float], size: Sequence[float]) -> np.ndarray:
    """STVIR's ``_mask_post_processing``: (4, 2) corners of the rotated rectangle of the largest contour of the
    thresholded mask, else of the axis-aligned box ``center_pos``, ``size``."""
    contour = largest_contour(mask, threshold)
    if contour is not None:
        return np.asarray(cv2.boxPoints(cv2.minAreaRect(contour)), dtype=np.float64)
    x, y, w, h = cxy_wh_2_rect(center_pos, size)
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float64)


class SiamMaskTracker(SiamRPNTracker):
    """SiamMask on BGR uint8 images: ``track(img) -> {'bbox', 'best_score', 'mask', 'polygon'}`` (``mask``: the
    H x W float32 probabilities in the image, ``polygon``: 8 numbers, see :func:`mask_polygon`)."""

    def __init__(self, model: Any, config=None) -> None:
        super().__init__(model, config)
        if not (hasattr(model, 'mask_head') and hasattr(model, 'refine_head')):
            raise ConfigError("SiamMaskTracker needs a model with a mask head and a refine module "
                              "(MASK.MASK: true, REFINE.REFINE: true)")

    @torch.inference_mode()
    def track(self, img: np.ndarray) -> Dict[str, Any]:
        """SiamRPN++'s box of the BGR image `img`, then SiamMask's mask of the chosen candidate."""
        img = check_bgr_image(img)
        out = super().track(img)
        mask = self._mask_in_image(img.shape[:2])
        polygon = mask_polygon(mask, self.cfg.TRACK.MASK_THERSHOLD, self.center_pos, self.size)
        return dict(out, mask=mask, polygon=polygon.flatten().tolist())

    def _mask_in_image(self, image_hw: Sequence[int]) -> np.ndarray:
        """The refine module's mask at the chosen candidate, mapped onto the image (zeros when none was chosen)."""
        im_h, im_w = int(image_hw[0]), int(image_hw[1])
        if self.best_index is None:
            return np.zeros((im_h, im_w), dtype=np.float32)
        t = self.cfg.TRACK
        _, row, col = np.unravel_index(self.best_index, (self.anchor_num, self.score_size, self.score_size))
        out_size = t.MASK_OUTPUT_SIZE
        mask = self.model.mask_refine((int(row), int(col))).sigmoid().squeeze()
        mask = mask.reshape(out_size, out_size).float().cpu().numpy()
        (cx, cy), s_x = self.search_region
        s = s_x / t.INSTANCE_SIZE
        sub_box = [cx - s_x / 2 + (col - t.BASE_SIZE / 2) * self.cfg.ANCHOR.STRIDE * s,
                   cy - s_x / 2 + (row - t.BASE_SIZE / 2) * self.cfg.ANCHOR.STRIDE * s,
                   s * t.EXEMPLAR_SIZE, s * t.EXEMPLAR_SIZE]
        s = out_size / sub_box[2]
        back_box = [-sub_box[0] * s, -sub_box[1] * s, im_w * s, im_h * s]
        return crop_back(mask, back_box, (im_w, im_h))
