"""KCF: a kernelised correlation filter (Henriques et al., TPAMI 2015) with a coarse scale search.

A weights-free base tracker for the demo and the tests. Numpy FFTs, the HOG + intensity features of
``pytracking/features/hog.py``, Gaussian kernel correlation, a cosine window, a search window ``1 + padding`` times the
target, a linear model update, and a few scales (``scale_step ** k``) searched with the FIXED aspect
ratio of the initial box: the box is reasonably centred but imprecise in scale and aspect, which is
what Alpha-Refine corrects.

State (pytracking names): ``pos`` (row, col centre, float64), ``target_sz`` (h, w of the output box),
``target_scale`` (size of the search window relative to the one at initialisation, ``base_window_sz``)
and ``base_target_sz`` (initial h, w). ``track`` multiplies ``target_scale`` and ``target_sz`` by the
selected scale factor, so an aspect given through :meth:`set_target_box` is kept in later outputs.

The model is updated lazily: the frame of one ``track`` call is learnt at the start of the next call,
from the state at that moment. When the arena feeds a refined box back in between, the filter thus
learns the target at the refined position and scale (not at its own estimate).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import cv2
import numpy as np

from pytracking.tracker.base import BaseTracker
from pytracking.tracker.base.basetracker import check_image, check_init_box
from pytracking.features.hog import hog_gray_features
from pytracking.tracker.kcf.features import extract_patch

__all__ = ['KCF']


class KCF(BaseTracker):
    """Kernelised correlation filter with HOG + intensity features and a fixed-aspect scale search.

    ``set_target_box`` (inherited) changes ``pos``, ``target_sz`` and ``target_scale``: the next
    frame's search window is centred on the given box and sized ``base_window_sz * target_scale``
    (its scale is the geometric mean of the box's sides), and the output keeps the given box's aspect.
    """

    def initialize(self, image: np.ndarray, info: Dict[str, Any]) -> Dict[str, Any]:
        """Learn the filter from the box ``info['init_bbox']`` (xywh) in RGB `image`."""
        box = check_init_box(info)
        gray = _to_gray(check_image(image))
        p = self.params
        if p.num_scales < 1 or p.scale_step <= 0 or p.cell_size < 1 or p.template_size < p.cell_size:
            raise ValueError(f"invalid KCF parameters: num_scales={p.num_scales}, scale_step={p.scale_step}, "
                             f"cell_size={p.cell_size}, template_size={p.template_size}")
        x, y, w, h = box
        self.pos = np.array([y + h / 2, x + w / 2], dtype=np.float64)
        self.target_sz = np.array([h, w], dtype=np.float64)
        self.base_target_sz = self.target_sz.copy()
        self.target_scale = 1.0

        # Resample the search window so that its area is template_size**2, in whole cells.
        window = self.base_target_sz * (1.0 + p.padding)
        resize = p.template_size / float(np.sqrt(np.prod(window)))
        self.feature_sz = np.maximum(np.round(window * resize / p.cell_size), p.min_cells).astype(np.int64)
        self.patch_sz = self.feature_sz * p.cell_size
        # Exact window in image pixels at scale 1: same aspect as the patch, so resampling is isotropic.
        self.base_window_sz = self.patch_sz * (float(np.sqrt(np.prod(window))) / float(np.sqrt(np.prod(self.patch_sz))))

        fh, fw = (int(v) for v in self.feature_sz)
        self.cos_window = np.outer(np.hanning(fh + 2)[1:-1], np.hanning(fw + 2)[1:-1]).astype(np.float32)
        patch_per_image = self.patch_sz[0] / self.base_window_sz[0]
        sigma = float(np.sqrt(np.prod(self.base_target_sz))) * patch_per_image * p.output_sigma_factor / p.cell_size
        self.yf = np.fft.rfft2(_centred_gaussian(fh, fw, sigma))
        k = np.arange(p.num_scales) - (p.num_scales - 1) / 2.0
        self.scale_factors = float(p.scale_step) ** k
        self.scale_weights = np.where(k == 0, 1.0, float(p.scale_penalty))

        H, W = gray.shape
        self.min_scale = min(1.0, p.min_target_size / float(self.base_target_sz.min()))
        self.max_scale = max(1.0, max(H, W) / float(self.base_target_sz.max()))

        self.model_x: Optional[np.ndarray] = None
        self.model_alphaf: Optional[np.ndarray] = None
        self._train(gray, rate=1.0)
        self._pending: Optional[np.ndarray] = None
        self.frame_num = 1
        return {}

    def track(self, image: np.ndarray, info: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Locate the target in RGB `image`; returns ``{'target_bbox': [x, y, w, h], 'score': peak}``."""
        self._require_state('pos', 'model_alphaf')
        gray = _to_gray(check_image(image))
        self.frame_num += 1
        self._clamp_state(gray.shape)
        if self._pending is not None:
            self._train(self._pending, rate=self.params.interp_factor)

        responses, centres, ratios = self._responses(gray)
        peaks = responses.reshape(len(self.scale_factors), -1).max(axis=1) * self.scale_weights
        best = int(np.argmax(peaks))
        disp = _subpixel_peak(responses[best])
        # Response displacement in cells -> patch pixels -> image pixels of the selected scale.
        self.pos = centres[best] + disp * self.params.cell_size * ratios[best]
        s = float(self.scale_factors[best])
        self.target_scale *= s
        self.target_sz = self.target_sz * s
        self._clamp_state(gray.shape)
        self._pending = gray
        return {'target_bbox': [float(v) for v in self.get_target_box()], 'score': float(responses[best].max())}

    def search_region(self, scale_factor: float = 1.0) -> np.ndarray:
        """The image window (float64 xywh) the next ``track`` searches at `scale_factor` (before pixel snapping)."""
        self._require_state('pos', 'base_window_sz')
        size = self.base_window_sz * self.target_scale * scale_factor
        return np.array([self.pos[1] - size[1] / 2, self.pos[0] - size[0] / 2, size[1], size[0]], dtype=np.float64)

    # -- internals -------------------------------------------------------------------------------
    def _features(self, gray: np.ndarray, scale_factor: float) -> Tuple[np.ndarray, np.ndarray, float]:
        """Windowed features of the search window at `scale_factor`, its actual centre and pixel ratio."""
        patch, centre, ratio = extract_patch(gray, self.pos, self.base_window_sz * self.target_scale * scale_factor,
                                             (int(self.patch_sz[0]), int(self.patch_sz[1])))
        feat = hog_gray_features(patch, int(self.params.cell_size), int(self.params.num_orientations))
        return feat * self.cos_window, centre, ratio

    def _train(self, gray: np.ndarray, rate: float) -> None:
        """Learn the filter at the current state and blend it into the model with `rate`."""
        x, _, _ = self._features(gray, 1.0)
        xf = np.fft.rfft2(x)
        xx = float(np.square(x).sum())
        kf = np.fft.rfft2(self._kernel(xf, xx, xf[None], np.array([xx]))[0])
        alphaf = self.yf / (kf + self.params.lambda_)
        if self.model_x is None or rate >= 1.0:
            self.model_x, self.model_alphaf = x, alphaf
            self.model_xf, self.model_xx = xf, xx
        else:
            self.model_x = (1.0 - rate) * self.model_x + rate * x
            self.model_alphaf = (1.0 - rate) * self.model_alphaf + rate * alphaf
            self.model_xf = np.fft.rfft2(self.model_x)
            self.model_xx = float(np.square(self.model_x).sum())

    def _responses(self, gray: np.ndarray) -> Tuple[np.ndarray, list, list]:
        """Correlation responses ``(num_scales, fh, fw)`` and each window's centre and pixel ratio."""
        feats, centres, ratios = [], [], []
        for s in self.scale_factors:
            f, c, r = self._features(gray, float(s))
            feats.append(f)
            centres.append(c)
            ratios.append(r)
        z = np.stack(feats)
        zf = np.fft.rfft2(z)
        zz = np.square(z).reshape(len(feats), -1).sum(axis=1)
        kzf = np.fft.rfft2(self._kernel(self.model_xf, self.model_xx, zf, zz))
        shape = tuple(int(v) for v in self.feature_sz)
        return np.fft.irfft2(self.model_alphaf[None] * kzf, s=shape), centres, ratios

    def _kernel(self, xf: np.ndarray, xx: float, zf: np.ndarray, zz: np.ndarray) -> np.ndarray:
        """Gaussian kernel correlation ``(S, fh, fw)`` of model `xf` with each of the `zf` (KCF eq. 31)."""
        shape = tuple(int(v) for v in self.feature_sz)
        xy = np.fft.irfft2((zf * np.conj(xf)[None]).sum(axis=1), s=shape)
        numel = float(xf.shape[0] * shape[0] * shape[1])
        dist = np.maximum(xx + zz[:, None, None] - 2.0 * xy, 0.0) / numel
        return np.exp(-dist / self.params.kernel_sigma ** 2)

    def _clamp_state(self, image_hw: Tuple[int, int]) -> None:
        """Keep the centre inside the image and the scale within [min_scale, max_scale] (size follows)."""
        H, W = image_hw
        self.pos = np.clip(np.asarray(self.pos, dtype=np.float64), [0.0, 0.0], [float(H), float(W)])
        scale = float(np.clip(self.target_scale, self.min_scale, self.max_scale))
        if scale != self.target_scale:
            self.target_sz = np.asarray(self.target_sz, dtype=np.float64) * (scale / self.target_scale)
            self.target_scale = scale


def _to_gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def _centred_gaussian(h: int, w: int, sigma: float) -> np.ndarray:
    """Gaussian label with its peak at index (0, 0), wrapping around (the circular-shift convention)."""
    dy = np.fft.fftfreq(h) * h
    dx = np.fft.fftfreq(w) * w
    return np.exp(-0.5 * (dy[:, None] ** 2 + dx[None, :] ** 2) / sigma ** 2)


def _subpixel_peak(response: np.ndarray) -> np.ndarray:
    """Displacement (rows, cols) of the response maximum, wrapped to [-n/2, n/2), refined by a parabola."""
    h, w = response.shape
    r, c = np.unravel_index(int(np.argmax(response)), response.shape)
    dr = _parabola_offset(response[(r - 1) % h, c], response[r, c], response[(r + 1) % h, c])
    dc = _parabola_offset(response[r, (c - 1) % w], response[r, c], response[r, (c + 1) % w])
    rr = r + dr
    cc = c + dc
    if rr >= h / 2:
        rr -= h
    if cc >= w / 2:
        cc -= w
    return np.array([rr, cc], dtype=np.float64)


def _parabola_offset(left: float, centre: float, right: float) -> float:
    """Offset in [-0.5, 0.5] of the vertex of the parabola through three samples around a maximum."""
    denom = left - 2.0 * centre + right
    if denom >= 0:
        return 0.0
    return float(np.clip(0.5 * (left - right) / denom, -0.5, 0.5))
