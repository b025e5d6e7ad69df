"""Procedural textures and shape masks of the synthetic benchmark (all randomness from a numpy Generator)."""
from __future__ import annotations

import cv2
import numpy as np

SHAPE_RES = 96  # side of the canonical square holding a shape's texture and alpha


def value_noise(rng: np.random.Generator, height: int, width: int, octaves: int = 3,
                base_cells: int = 4) -> np.ndarray:
    """Smooth noise in [0, 1], ``height x width`` float32: random grids upsampled and summed over octaves.

    Octaves are summed on a coarse canvas (4 pixels or more per finest cell) and upsampled once.
    """
    long_side = max(height, width)
    finest = base_cells * 2 ** (octaves - 1)
    div = max(1, min(4, long_side // (4 * finest)))
    ch, cw = max(2, -(-height // div)), max(2, -(-width // div))
    out = np.zeros((ch, cw), np.float32)
    amp, total = 1.0, 0.0
    for o in range(octaves):
        cells = base_cells * (2 ** o)
        grid = rng.random((max(2, cells * height // long_side + 1), cells + 1)).astype(np.float32)
        out += amp * cv2.resize(grid, (cw, ch), interpolation=cv2.INTER_CUBIC)
        total += amp
        amp *= 0.5
    # normalise on the coarse canvas: a bilinear upsampling keeps its minimum and maximum
    lo, hi = float(out.min()), float(out.max())
    out = (out - lo) * (1.0 / max(hi - lo, 1e-6))
    if (ch, cw) != (height, width):
        out = cv2.resize(out, (width, height), interpolation=cv2.INTER_LINEAR)
    return out


def _pattern(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A periodic pattern in [0, 1] (stripes, checks or dots) at a random angle and period.

    One period is drawn as a small tile, repeated, and turned onto the image by one warp.
    """
    kind = int(rng.integers(3))
    period = int(rng.integers(5, 13))
    angle = float(rng.uniform(0, np.pi))
    u = (np.arange(period, dtype=np.float32) + 0.5) * (2 * np.pi / period)
    su, cu = np.sin(u), np.cos(u)
    if kind == 0:
        tile = np.tile(0.5 + 0.5 * su, (period, 1))
    elif kind == 1:
        tile = (np.sign(su[None, :] * su[:, None]) + 1) * 0.5
    else:
        tile = ((cu[None, :] * cu[:, None]) > 0.4).astype(np.float32)
    # output pixel (x, y) reads the pattern at R (x, y): shift by whole periods so every read lands
    # inside a pre-tiled block (a wrapping border would do the same, several times slower)
    rot = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    corners = rot @ np.array([[0, width, 0, width], [0, 0, height, height]], dtype=np.float64)
    lo = np.floor(corners.min(axis=1) / period) * period - period
    reps = np.ceil((corners.max(axis=1) - lo) / period).astype(int) + 2
    block = np.tile(tile.astype(np.float32), (reps[1], reps[0]))
    inv = np.concatenate([rot, -lo[:, None]], axis=1).astype(np.float32)
    return cv2.warpAffine(block, inv, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REFLECT)


def random_palette(rng: np.random.Generator, n: int = 3) -> np.ndarray:
    """``n`` random RGB colours (float32 0..255) with distinct brightness."""
    cols = rng.uniform(0, 255, size=(n, 3)).astype(np.float32)
    cols[:, :] = cols * 0.7 + np.linspace(0, 255, n, dtype=np.float32)[:, None] * 0.3
    return cols[rng.permutation(n)]


_LEVELS, _SPOT_LEVELS = 64, 4


def colour_texture(rng: np.random.Generator, height: int, width: int, pattern_weight: float = 0.5) -> np.ndarray:
    """RGB uint8 texture: two palette colours mixed by smooth noise and a periodic pattern, plus spots of a third.

    The mix is quantised and looked up in a small colour table (fast for background-sized textures).
    """
    palette = random_palette(rng, 3)
    mix = value_noise(rng, height, width, octaves=3, base_cells=int(rng.integers(2, 7)))
    if pattern_weight > 0:
        mix = cv2.addWeighted(mix, 1.0 - pattern_weight, _pattern(rng, height, width), pattern_weight, 0.0)
    spots = value_noise(rng, height, width, octaves=2, base_cells=int(rng.integers(3, 9)))
    wl = np.linspace(0, 1, _LEVELS, dtype=np.float32)[:, None, None]
    sl = np.linspace(0, 1, _SPOT_LEVELS, dtype=np.float32)[None, :, None]
    table = (palette[0] * (1 - wl) + palette[1] * wl) * (1 - sl) + palette[2] * sl
    table = np.clip(table, 0, 255).astype(np.uint8).reshape(_LEVELS * _SPOT_LEVELS, 3)
    wq = cv2.convertScaleAbs(mix, alpha=(_LEVELS - 1) * _SPOT_LEVELS)  # level * 4 (mix in [0, 1])
    wq = cv2.bitwise_and(wq, 255 - (_SPOT_LEVELS - 1))
    # spots cover where the second noise exceeds 0.6, with a soft edge of 0.2
    sq = cv2.convertScaleAbs(cv2.max(spots - 0.6, 0.0), alpha=5.0 * (_SPOT_LEVELS - 1))
    idx = cv2.add(wq, cv2.min(sq, _SPOT_LEVELS - 1))
    # one single-channel lookup per colour channel (cheaper than a 3-channel lookup of a merged index)
    return cv2.merge([cv2.LUT(idx, np.ascontiguousarray(table[:, c])) for c in range(3)])


def shape_alpha(rng: np.random.Generator, family: str, res: int = SHAPE_RES) -> np.ndarray:
    """uint8 0/255 alpha of a shape of `family` filling most of a ``res x res`` square (anti-aliased)."""
    ss = 4  # supersampling for smooth edges
    big = np.zeros((res * ss, res * ss), np.uint8)
    c = (res * ss - 1) / 2.0
    r = res * ss * 0.48
    if family == 'rectangle':
        hw, hh = r * rng.uniform(0.75, 1.0), r * rng.uniform(0.75, 1.0)
        cv2.rectangle(big, (int(c - hw), int(c - hh)), (int(c + hw), int(c + hh)), 255, -1)
    elif family == 'ellipse':
        cv2.ellipse(big, (int(c), int(c)), (int(r * rng.uniform(0.8, 1.0)), int(r * rng.uniform(0.8, 1.0))),
                    0, 0, 360, 255, -1)
    elif family == 'polygon':
        n = int(rng.integers(5, 9))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        rad = r * rng.uniform(0.6, 1.0, n)
        pts = np.stack([c + rad * np.cos(ang), c + rad * np.sin(ang)], 1)
        cv2.fillPoly(big, [np.round(pts).astype(np.int32)], 255)
    elif family == 'blob':
        th = np.linspace(0, 2 * np.pi, 180, endpoint=False)
        rad = np.ones_like(th)
        for k in range(2, 6):
            rad += rng.uniform(-0.18, 0.18) * np.cos(k * th + rng.uniform(0, 2 * np.pi)) / (k - 1) ** 0.5
        rad = r * rad / rad.max()
        pts = np.stack([c + rad * np.cos(th), c + rad * np.sin(th)], 1)
        cv2.fillPoly(big, [np.round(pts).astype(np.int32)], 255)
    else:
        raise ValueError(f"unknown shape family '{family}'")
    small = cv2.resize(big, (res, res), interpolation=cv2.INTER_AREA)
    return small


def jitter_colours(rng: np.random.Generator, texture: np.ndarray, strength: float = 0.15) -> np.ndarray:
    """A similar-looking copy of `texture`: per-channel gains near 1 and a random 90-degree turn."""
    gains = rng.uniform(1 - strength, 1 + strength, 3).astype(np.float32)
    out = np.clip(texture.astype(np.float32) * gains, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.rot90(out, int(rng.integers(4))))
