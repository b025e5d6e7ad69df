"""Candidate boxes around a target (upstream ``external/RT_MDNet/modules/sample_generator.py``).

Randomness comes from a generator passed in: a legacy ``numpy.random.RandomState`` (the tracker's, so the
draws are upstream's ``np.random`` ones: ``rand`` = ``random``, ``randn`` = ``standard_normal``) or a
``numpy.random.Generator``. Boxes are xywh, float32 as upstream.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

import numpy as np

from ltr.data.bounding_box_utils import iou_xywh

__all__ = ['SampleGenerator', 'gen_samples']


class SampleGenerator:
    """Draws `n` boxes around a box (``__call__(bb, n)``).

    args:
        type: 'gaussian' (shift ``trans_f * mean(w, h) * clip(0.5 N(0,1), -1, 1)``, scale
            ``scale_f ** clip(0.5 N(0,1), -1, 1)``), 'uniform' (shift ``trans_f * mean(w, h) * U(-1, 1)``,
            scale ``scale_f ** U(-1, 1)``) or 'whole' (centres on a grid over the image, random order).
        img_size: ``(W, H)`` of the image.
        aspect_f: when given, w and h are multiplied by ``aspect_f ** (r, -r)``, ``r ~ U(-1, 1)`` first.
        valid: keep whole boxes inside the image (centres clipped), else only centres in ``[0, W] x [0, H]``.
        rng: a ``numpy.random.RandomState`` or ``Generator`` (default: ``RandomState(0)``).
    Sizes are clipped to ``[5, img_size - 5]``.
    """

    TYPES = ('gaussian', 'uniform', 'whole')

    def __init__(self, type: str, img_size: Sequence[float], trans_f: float = 1, scale_f: float = 1,
                 aspect_f: Optional[float] = None, valid: bool = False,
                 rng: Union[np.random.RandomState, np.random.Generator, None] = None) -> None:
        if type not in self.TYPES:
            raise ValueError(f"SampleGenerator type must be one of {self.TYPES}, got {type!r}")
        self.type = type
        self.img_size = np.array(img_size)
        self.trans_f = trans_f
        self.scale_f = scale_f
        self.aspect_f = aspect_f
        self.valid = valid
        self.rng = rng if rng is not None else np.random.RandomState(0)

    def __call__(self, bb: Sequence[float], n: int) -> np.ndarray:
        """`n` boxes ``(n, 4)`` float32 xywh drawn around `bb` (xywh)."""
        n = int(n)
        bb = np.array(bb, dtype='float32')
        centre = np.array([bb[0] + bb[2] / 2, bb[1] + bb[3] / 2, bb[2], bb[3]], dtype='float32')
        samples = np.tile(centre[None, :], (n, 1))
        rng = self.rng
        if self.aspect_f is not None:
            ratio = rng.random((n, 1)) * 2 - 1
            samples[:, 2:] *= self.aspect_f ** np.concatenate([ratio, -ratio], axis=1)
        if self.type == 'gaussian':
            samples[:, :2] += self.trans_f * np.mean(bb[2:]) * np.clip(0.5 * rng.standard_normal((n, 2)), -1, 1)
            samples[:, 2:] *= self.scale_f ** np.clip(0.5 * rng.standard_normal((n, 1)), -1, 1)
        elif self.type == 'uniform':
            samples[:, :2] += self.trans_f * np.mean(bb[2:]) * (rng.random((n, 2)) * 2 - 1)
            samples[:, 2:] *= self.scale_f ** (rng.random((n, 1)) * 2 - 1)
        else:  # whole
            m = int(2 * np.sqrt(n))
            xy = np.dstack(np.meshgrid(np.linspace(0, 1, m), np.linspace(0, 1, m))).reshape(-1, 2)
            xy = rng.permutation(xy)[:n]
            samples[:, :2] = bb[2:] / 2 + xy * (self.img_size - bb[2:] / 2 - 1)
            samples[:, 2:] *= self.scale_f ** (rng.random((n, 1)) * 2 - 1)
        # np.maximum keeps the upper bound >= 5 on images under 10 px (upstream's clip would invert)
        samples[:, 2:] = np.clip(samples[:, 2:], 5, np.maximum(self.img_size - 5., 5.))
        if self.valid:
            samples[:, :2] = np.clip(samples[:, :2], samples[:, 2:] / 2, self.img_size - samples[:, 2:] / 2 - 1)
        else:
            samples[:, :2] = np.clip(samples[:, :2], 0, self.img_size)
        samples[:, :2] -= samples[:, 2:] / 2
        return samples

    def set_trans_f(self, trans_f: float) -> None:
        self.trans_f = trans_f

    def get_trans_f(self) -> float:
        return self.trans_f


def gen_samples(generator: SampleGenerator, bbox: Sequence[float], n: float,
                overlap_range: Optional[Tuple[float, float]] = None,
                scale_range: Optional[Tuple[float, float]] = None) -> np.ndarray:
    """Up to `n` boxes from `generator` around `bbox`, keeping those whose IoU with `bbox` lies in
    `overlap_range` and whose area ratio lies in `scale_range` (both inclusive).

    As upstream: batches of ``remain * factor`` candidates with ``factor = 2, 4, 8``; whatever passed
    by then is returned, so fewer than `n` (even 0) boxes are possible.
    """
    n = int(n)
    bbox = np.asarray(bbox, dtype=np.float64)
    if overlap_range is None and scale_range is None:
        return generator(bbox, n)
    samples = np.zeros((0, 4), dtype='float32')
    remain, factor = n, 2
    while remain > 0 and factor < 16:
        drawn = generator(bbox, remain * factor)
        keep = np.ones(len(drawn), dtype=bool)
        if overlap_range is not None:
            r = np.clip(iou_xywh(drawn.astype(np.float64), bbox[None, :]), 0, 1)
            keep &= (r >= overlap_range[0]) & (r <= overlap_range[1])
        if scale_range is not None:
            s = np.prod(drawn[:, 2:], axis=1) / np.prod(bbox[2:])
            keep &= (s >= scale_range[0]) & (s <= scale_range[1])
        samples = np.concatenate([samples, drawn[keep][:remain]])
        remain = n - len(samples)
        factor *= 2
    return samples
