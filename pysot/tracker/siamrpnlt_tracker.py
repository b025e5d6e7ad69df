"""Long-term SiamRPN++ (STVIR/pysot ``pysot/tracker/siamrpnlt_tracker.py``).

As :class:`SiamRPNTracker`, plus a lost state: when the best score falls below
``TRACK.CONFIDENCE_LOW`` the tracker keeps its box and searches a ``TRACK.LOST_INSTANCE_SIZE``
window (831 px) with an almost flat cosine window (influence 0.001) until a score above
``TRACK.CONFIDENCE_HIGH`` is found. Upstream quirk kept: the state (``center_pos``, ``size``) is
updated BEFORE the boundary clip, so only the returned box is clipped.
"""
from __future__ import annotations

from typing import Any, Dict

import numpy as np
import torch

from pysot.tracker.base_tracker import check_bgr_image
from pysot.tracker.siamrpn_tracker import SiamRPNTracker, bbox_clip

__all__ = ['SiamRPNLTTracker']

LOST_WINDOW_INFLUENCE = 0.001  # upstream constant while lost


class SiamRPNLTTracker(SiamRPNTracker):
    """SiamRPN++ with re-detection in a larger window while lost (``longterm_state``)."""

    def __init__(self, model: Any, config=None) -> None:
        super().__init__(model, config)
        self.longterm_state = False

    @torch.inference_mode()
    def track(self, img: np.ndarray) -> Dict[str, Any]:
        """Track in the BGR image `img`: ``{'bbox': [x, y, w, h], 'best_score': float}``."""
        img = check_bgr_image(img)
        t = self.cfg.TRACK
        if self.longterm_state:
            instance_size, influence = t.LOST_INSTANCE_SIZE, LOST_WINDOW_INFLUENCE
        else:
            instance_size, influence = t.INSTANCE_SIZE, t.WINDOW_INFLUENCE
        score, pred_bbox, penalty, best_idx, scale_z = self._search(img, instance_size, influence)
        if best_idx is None:  # no finite candidate: lost
            self.longterm_state = True
            return self._unchanged(img)
        bbox = pred_bbox[:, best_idx] / scale_z
        lr = penalty[best_idx] * score[best_idx] * t.LR
        best_score = float(score[best_idx])
        if best_score >= t.CONFIDENCE_LOW:
            cx = bbox[0] + self.center_pos[0]
            cy = bbox[1] + self.center_pos[1]
            width = self.size[0] * (1 - lr) + bbox[2] * lr
            height = self.size[1] * (1 - lr) + bbox[3] * lr
        else:
            cx, cy = self.center_pos
            width, height = self.size
        self.center_pos = np.array([cx, cy])
        self.size = np.array([width, height])
        cx, cy, width, height = bbox_clip(cx, cy, width, height, img.shape[:2])
        if best_score < t.CONFIDENCE_LOW:
            self.longterm_state = True
        elif best_score > t.CONFIDENCE_HIGH:
            self.longterm_state = False
        return {'bbox': [float(cx - width / 2), float(cy - height / 2), float(width), float(height)],
                'best_score': best_score}
