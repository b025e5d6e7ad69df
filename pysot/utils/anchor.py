"""RPN anchors (STVIR/pysot ``pysot/utils/anchor.py`` and ``SiamRPNTracker.generate_anchor``).

For each ratio r (then each scale s): ``ws = int(sqrt(stride**2 / r))``, ``hs = int(ws * r)``, anchor
``(ws*s) x (hs*s)`` centred on 0. With stride 8, ratios [0.33, 0.5, 1, 2, 3], scale 8 the sizes are
104x32, 88x40, 64x64, 40x80, 32x96.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

__all__ = ['Anchors', 'anchor_grid']


class Anchors:
    """The A = len(ratios) * len(scales) base anchors, ``self.anchors`` (A, 4) float32 ``x1, y1, x2, y2``."""

    def __init__(self, stride: int, ratios: Sequence[float], scales: Sequence[float], image_center: float = 0,
                 size: int = 0) -> None:
        self.stride = stride
        self.ratios = list(ratios)
        self.scales = list(scales)
        self.image_center = 0  # upstream ignores the arguments here too (used by training only)
        self.size = 0
        self.anchor_num = len(self.scales) * len(self.ratios)
        self.anchors = self.generate_anchors()

    def generate_anchors(self) -> np.ndarray:
        """(A, 4) float32 corner boxes centred on the origin, ratio-major order."""
        anchors = np.zeros((self.anchor_num, 4), dtype=np.float32)
        area = self.stride * self.stride
        count = 0
        for r in self.ratios:
            ws = int(math.sqrt(area * 1.0 / r))
            hs = int(ws * r)
            for s in self.scales:
                w, h = ws * s, hs * s
                anchors[count] = [-w * 0.5, -h * 0.5, w * 0.5, h * 0.5]
                count += 1
        return anchors


def anchor_grid(stride: int, ratios: Sequence[float], scales: Sequence[float], score_size: int) -> np.ndarray:
    """All anchors of a ``score_size`` x ``score_size`` map as (A*S*S, 4) float32 ``cx, cy, w, h``.

    Row ``a*S*S + i*S + j`` is base anchor a at column j, row i, centred at
    ``((j - S//2) * stride, (i - S//2) * stride)`` relative to the search crop's centre; the same order
    as the flattened network outputs.
    """
    base = Anchors(stride, ratios, scales)
    x1, y1, x2, y2 = base.anchors.T
    per_anchor = np.stack([(x1 + x2) * 0.5, (y1 + y2) * 0.5, x2 - x1, y2 - y1], 1)
    num = per_anchor.shape[0]
    grid = np.repeat(per_anchor, score_size * score_size, axis=0)
    offsets = (np.arange(score_size) - score_size // 2) * base.stride
    xx, yy = np.meshgrid(offsets, offsets)
    grid[:, 0] = np.tile(xx.reshape(-1), num).astype(np.float32)
    grid[:, 1] = np.tile(yy.reshape(-1), num).astype(np.float32)
    return grid.astype(np.float32)
