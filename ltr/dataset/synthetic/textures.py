"""Procedural textures and shape masks of the synthetic benchmark (all randomness from a numpy Generator).

A :class:`Texture` draws all its random parameters when it is made (so the random stream does not
depend on which textures are later drawn) and computes pixels only when asked, and only for the
region asked: ``texture.rgb(x0, y0, x1, y1)`` equals the same slice of the full texture. A crop
of a frame therefore pays for the background it shows, not for the whole background.
"""
from __future__ import annotations

import math
from typing import List, Optional, Tuple

import cv2
import numpy as np

SHAPE_RES = 96  # side of the canonical square holding a shape's texture and alpha

_LEVELS, _SPOT_LEVELS = 64, 4
_RAMP3 = np.linspace(0, 255, 3, dtype=np.float32)[:, None]
_MIX_WEIGHTS = np.linspace(0, 1, _LEVELS, dtype=np.float32)[:, None, None]
_SPOT_WEIGHTS = np.linspace(0, 1, _SPOT_LEVELS, dtype=np.float32)[None, :, None]
_COARSE = 4     # texture pixels per coarse noise pixel (a power of two: region resizes stay aligned)


def random_palette(rng: np.random.Generator, n: int = 3) -> np.ndarray:
    """``n`` random RGB colours (float32 0..255) with distinct brightness."""
    cols = rng.uniform(0, 255, size=(n, 3)).astype(np.float32)
    ramp = _RAMP3 if n == 3 else np.linspace(0, 255, n, dtype=np.float32)[:, None]
    cols[:, :] = cols * 0.7 + ramp * 0.3
    return cols[rng.permutation(n)]


def _coarse_noise(grids, coarse_h: int, coarse_w: int) -> np.ndarray:
    """Sum of octave grids (amplitudes halving) upsampled to ``coarse_h x coarse_w``, normalised to [0, 1]."""
    out = np.zeros((coarse_h, coarse_w), np.float32)
    amp = 1.0
    for grid in grids:
        out += amp * cv2.resize(grid, (coarse_w, coarse_h), interpolation=cv2.INTER_CUBIC)
        amp *= 0.5
    lo, hi = float(out.min()), float(out.max())
    return (out - lo) * (1.0 / max(hi - lo, 1e-6))


def _noise_grids(rng: np.random.Generator, height: int, width: int, octaves: int, base_cells: int):
    """Random value grids of the octaves (``base_cells`` cells across the long side, doubling)."""
    long_side = max(height, width)
    grids = []
    for o in range(octaves):
        cells = base_cells * (2 ** o)
        grids.append(rng.random((max(2, cells * height // long_side + 1), cells + 1)).astype(np.float32))
    return grids


def _upsampled_region(coarse: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """Texture pixels ``[y0:y1, x0:x1]`` of ``coarse`` upsampled ``_COARSE`` times (bilinear).

    Only the coarse pixels that reach the region (one more on each side) are resized; the
    factor is a power of two, so each pixel equals the one of the full upsampled image.
    """
    d = _COARSE
    ch, cw = coarse.shape
    cx0, cy0 = max(0, x0 // d - 1), max(0, y0 // d - 1)
    cx1, cy1 = min(cw, (x1 - 1) // d + 2), min(ch, (y1 - 1) // d + 2)
    block = coarse[cy0:cy1, cx0:cx1]
    up = cv2.resize(block, ((cx1 - cx0) * d, (cy1 - cy0) * d), interpolation=cv2.INTER_LINEAR)
    return up[y0 - cy0 * d:y1 - cy0 * d, x0 - cx0 * d:x1 - cx0 * d]


class Texture:
    """An RGB texture over a ``height x width`` pixel domain: two palette colours mixed by smooth noise
    and a periodic pattern (stripes, checks or dots at a random angle and period), spots of a third.

    Random parameters are drawn at construction; pixels are computed on demand (:meth:`rgb`).
    """

    def __init__(self, rng: np.random.Generator, height: int, width: int, pattern_weight: float = 0.5):
        self.height, self.width = int(height), int(width)
        self.pattern_weight = float(pattern_weight)
        self.palette = random_palette(rng, 3)
        self._mix_grids = _noise_grids(rng, self.height, self.width, 3, int(rng.integers(2, 7)))
        self.pattern_kind = int(rng.integers(3))
        period = float(rng.integers(5, 13))
        angle = float(rng.uniform(0, np.pi))
        k = 2 * math.pi / period
        # pattern phase (u, v) at pixel (x, y): u = a x + b y, v = -b x + a y
        self._pattern_ab = (k * math.cos(angle), k * math.sin(angle))
        self._spot_grids = _noise_grids(rng, self.height, self.width, 2, int(rng.integers(3, 9)))
        self._coarse: Optional[Tuple[np.ndarray, np.ndarray]] = None
        self._full: Optional[np.ndarray] = None
        self._table: Optional[List[np.ndarray]] = None

    def _coarse_fields(self) -> Tuple[np.ndarray, np.ndarray]:
        if self._coarse is None:
            ch, cw = -(-self.height // _COARSE) + 1, -(-self.width // _COARSE) + 1
            self._coarse = (_coarse_noise(self._mix_grids, ch, cw), _coarse_noise(self._spot_grids, ch, cw))
        return self._coarse

    def _pattern(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        a, b = self._pattern_ab
        xs = np.arange(x0, x1, dtype=np.float32)
        ys = np.arange(y0, y1, dtype=np.float32)
        u = (np.float32(a) * xs)[None, :] + (np.float32(b) * ys)[:, None]
        if self.pattern_kind == 0:    # stripes
            return np.sin(u) * np.float32(0.5) + np.float32(0.5)
        v = (np.float32(-b) * xs)[None, :] + (np.float32(a) * ys)[:, None]
        if self.pattern_kind == 1:    # checks, with soft edges
            s = np.sin(u) * np.sin(v)
            return np.clip(s * np.float32(2.0) + np.float32(0.5), 0.0, 1.0)
        c = np.cos(u) * np.cos(v)     # dots
        return np.clip((c - np.float32(0.4)) * np.float32(4.0), 0.0, 1.0)

    def _colour_table(self) -> List[np.ndarray]:
        if self._table is None:
            wl, sl, p = _MIX_WEIGHTS, _SPOT_WEIGHTS, self.palette
            table = (p[0] * (1 - wl) + p[1] * wl) * (1 - sl) + p[2] * sl
            table = np.clip(table, 0, 255).astype(np.uint8).reshape(_LEVELS * _SPOT_LEVELS, 3)
            self._table = [np.ascontiguousarray(table[:, c]) for c in range(3)]
        return self._table

    def _compute(self, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
        mix_c, spot_c = self._coarse_fields()
        mix = _upsampled_region(mix_c, x0, y0, x1, y1)
        w = self.pattern_weight
        if w > 0:
            mix = mix * np.float32(1.0 - w) + self._pattern(x0, y0, x1, y1) * np.float32(w)
        # palette level * 4 + spot level (0..3): spots where the second noise exceeds 0.6 (soft edge 0.2)
        level = cv2.convertScaleAbs(mix, alpha=_LEVELS - 1)
        spots = cv2.convertScaleAbs(cv2.max(_upsampled_region(spot_c, x0, y0, x1, y1) - np.float32(0.6), 0.0),
                                    alpha=5.0 * (_SPOT_LEVELS - 1))
        idx = cv2.add(cv2.multiply(cv2.min(level, _LEVELS - 1), _SPOT_LEVELS), cv2.min(spots, _SPOT_LEVELS - 1))
        table = self._colour_table()
        # one single-channel lookup per colour channel (cheaper than a 3-channel lookup of a merged index);
        # a fourth channel of 255 because OpenCV warps 4-channel images much faster than 3-channel ones
        return cv2.merge([cv2.LUT(idx, table[c]) for c in range(3)] + [np.full_like(idx, 255)])

    def rgbx(self, x0: int = 0, y0: int = 0, x1: Optional[int] = None, y1: Optional[int] = None) -> np.ndarray:
        """Pixels ``[y0:y1, x0:x1]`` of the texture (default: all), clipped to the domain, as uint8
        RGB + a constant 255 channel. A region of more than half the domain is cut from the full
        texture (computed once, cached)."""
        x1 = self.width if x1 is None else x1
        y1 = self.height if y1 is None else y1
        x0, y0 = max(0, int(x0)), max(0, int(y0))
        x1, y1 = min(self.width, int(x1)), min(self.height, int(y1))
        if x1 <= x0 or y1 <= y0:
            return np.zeros((max(0, y1 - y0), max(0, x1 - x0), 4), np.uint8)
        if self._full is None and 2 * (x1 - x0) * (y1 - y0) <= self.width * self.height:
            return self._compute(x0, y0, x1, y1)
        if self._full is None:
            self._full = self._compute(0, 0, self.width, self.height)
        return self._full[y0:y1, x0:x1]

    def rgb(self, x0: int = 0, y0: int = 0, x1: Optional[int] = None, y1: Optional[int] = None) -> np.ndarray:
        """RGB uint8 pixels ``[y0:y1, x0:x1]`` of the texture (default: all), clipped to the domain."""
        return cv2.cvtColor(self.rgbx(x0, y0, x1, y1), cv2.COLOR_RGBA2RGB)


def colour_texture(rng: np.random.Generator, height: int, width: int, pattern_weight: float = 0.5) -> np.ndarray:
    """A whole RGB uint8 ``height x width`` :class:`Texture`."""
    return Texture(rng, height, width, pattern_weight).rgb()


class Shape:
    """A shape of `family` filling most of a ``SHAPE_RES`` square; parameters drawn now, pixels on demand."""

    def __init__(self, rng: np.random.Generator, family: str):
        self.family = family
        if family == 'rectangle':
            self.params = rng.uniform(0.75, 1.0, 2)
        elif family == 'ellipse':
            self.params = rng.uniform(0.8, 1.0, 2)
        elif family == 'polygon':
            n = int(rng.integers(5, 9))
            self.params = (np.sort(rng.uniform(0, 2 * np.pi, n)), rng.uniform(0.6, 1.0, n))
        elif family == 'blob':
            self.params = (rng.uniform(-0.18, 0.18, 4), rng.uniform(0, 2 * np.pi, 4))
        else:
            raise ValueError(f"unknown shape family '{family}'")

    def alpha(self, res: int = SHAPE_RES) -> np.ndarray:
        """uint8 alpha (0..255, anti-aliased edges) of the shape in a ``res x res`` square."""
        shift = 4  # sub-pixel vertex precision: 1/16 pixel
        one = 1 << shift
        img = np.zeros((res, res), np.uint8)
        c = (res - 1) / 2.0
        r = res * 0.48
        if self.family == 'rectangle':
            hw, hh = r * self.params
            pts = np.array([[c - hw, c - hh], [c + hw, c - hh], [c + hw, c + hh], [c - hw, c + hh]])
        elif self.family == 'ellipse':
            th = np.linspace(0, 2 * np.pi, 72, endpoint=False)
            pts = np.stack([c + r * self.params[0] * np.cos(th), c + r * self.params[1] * np.sin(th)], 1)
        elif self.family == 'polygon':
            ang, rad = self.params
            pts = np.stack([c + r * rad * np.cos(ang), c + r * rad * np.sin(ang)], 1)
        else:
            amps, phases = self.params
            th = np.linspace(0, 2 * np.pi, 120, endpoint=False)
            k = np.arange(2, 6)[:, None]
            rad = 1.0 + (amps[:, None] * np.cos(k * th + phases[:, None]) / np.sqrt(k - 1.0)).sum(0)
            rad = r * rad / rad.max()
            pts = np.stack([c + rad * np.cos(th), c + rad * np.sin(th)], 1)
        cv2.fillPoly(img, [np.round(pts * one).astype(np.int32)], 255, cv2.LINE_AA, shift)
        return img


def shape_alpha(rng: np.random.Generator, family: str, res: int = SHAPE_RES) -> np.ndarray:
    """uint8 0..255 alpha of a shape of `family` filling most of a ``res x res`` square (anti-aliased)."""
    return Shape(rng, family).alpha(res)


class ColourJitter:
    """A similar-looking copy of a texture: per-channel gains near 1 and a random 90-degree turn (drawn now)."""

    def __init__(self, rng: np.random.Generator, strength: float = 0.15):
        self.gains = rng.uniform(1 - strength, 1 + strength, 3).astype(np.float32)
        self.turns = int(rng.integers(4))

    def __call__(self, texture: np.ndarray) -> np.ndarray:
        out = cv2.convertScaleAbs(texture.astype(np.float32) * self.gains)
        return np.ascontiguousarray(np.rot90(out, self.turns))


def jitter_colours(rng: np.random.Generator, texture: np.ndarray, strength: float = 0.15) -> np.ndarray:
    """A similar-looking copy of `texture`: per-channel gains near 1 and a random 90-degree turn."""
    return ColourJitter(rng, strength)(texture)
