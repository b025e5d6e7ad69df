"""The plan of one synthetic sequence: objects, textures and closed-form motion.

Every quantity of frame ``t`` is a closed-form function of ``t`` (sums of sinusoids, linear paths,
smooth out-of-view spells), so any frame, or any crop of it, can be rendered without the frames
before it. All random choices come from two generators seeded with ``[seed, split slot, index, k]``
(k = 0: motion, k = 1: textures and shapes). Every random parameter is drawn when the plan is
made, in a fixed order; pixels (textures, shapes, background regions) are computed only when a
render needs them. Same arguments, same plan and pixels, in any process.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

import math

import cv2
import numpy as np

from ltr.dataset.synthetic.config import SPLIT_SLOT, SyntheticConfig, family_of
from ltr.dataset.synthetic.textures import SHAPE_RES, ColourJitter, Shape, Texture

RAMP_FRAMES = 10.0  # frames to leave or re-enter the view at an out-of-view spell
BG_SCALE = 2        # frame pixels per background-texture pixel


class Curve:
    """``f(t) = sum_k a_k sin(2 pi f_k t + p_k) - offset``: a smooth random curve."""

    def __init__(self, amps, freqs, phases, offset: float = 0.0):
        self.amps = [float(v) for v in amps]
        self.freqs = [float(v) for v in freqs]
        self.phases = [float(v) for v in phases]
        self.offset = float(offset)
        self._terms = [(a, 2 * math.pi * f, p) for a, f, p in zip(self.amps, self.freqs, self.phases)]

    def at(self, t: float) -> float:
        """Value at one frame `t` (pure Python: rendering calls this a lot)."""
        return sum(a * math.sin(w * t + p) for a, w, p in self._terms) - self.offset

    def __call__(self, t) -> np.ndarray:
        if isinstance(t, (int, float)):
            return self.at(t)
        t = np.asarray(t, dtype=np.float64)
        return (np.sin(2 * np.pi * np.array(self.freqs) * t[..., None] + np.array(self.phases)) @ np.array(self.amps)
                - self.offset)


def random_curve(rng: np.random.Generator, amplitude: float, cfg: SyntheticConfig,
                 components: int = 3, zero_at_start: bool = False) -> Curve:
    """Curve whose |value| stays within `amplitude` (weights sum to it); periods log-uniform in the config range."""
    u = rng.random(3 * components).tolist()  # one draw: log-periods, weights, phases
    lo, hi = math.log(cfg.min_period), math.log(cfg.max_period)
    freqs = [math.exp(-(lo + (hi - lo) * v)) for v in u[:components]]
    w = [0.3 + 0.7 * v for v in u[components:2 * components]]
    total = sum(w)
    amps = [amplitude * v / total for v in w]
    phases = [2 * math.pi * v for v in u[2 * components:]]
    if zero_at_start:
        # start at 0 and keep |f| within the amplitude after the shift: halve the excursion
        offset = 0.5 * sum(a * math.sin(p) for a, p in zip(amps, phases))
        return Curve([0.5 * a for a in amps], freqs, phases, offset)
    return Curve(amps, freqs, phases)


@dataclass
class Spell:
    """An out-of-view spell: the target leaves through `edge` (0 left, 1 right, 2 top, 3 bottom)."""
    start: float       # first frame fully out
    end: float         # last frame fully out
    edge: int

    def weight(self, t: np.ndarray) -> np.ndarray:
        """0 far from the spell, 1 while fully out, a cosine ramp of RAMP_FRAMES in between."""
        d = np.maximum(self.start - t, t - self.end)
        r = np.clip(d / RAMP_FRAMES, 0.0, 1.0)
        return np.where(d <= 0, 1.0, 0.5 + 0.5 * np.cos(np.pi * r))

    def weight_at(self, t: float) -> float:
        """:meth:`weight` of one frame (pure Python)."""
        d = max(self.start - t, t - self.end)
        if d <= 0:
            return 1.0
        return 0.5 + 0.5 * math.cos(math.pi * min(d / RAMP_FRAMES, 1.0))


@dataclass
class MovingObject:
    """A textured shape in a ``SHAPE_RES`` square moved, scaled, stretched and turned over time.

    ``centre``/``size`` (any frames) or ``centre_at``/``size_at`` (one frame) give the centre and the
    square's width and height in pixels; ``affine(t)`` maps the square onto the frame.
    """
    make_texture: Callable[[], np.ndarray]  # -> SHAPE_RES x SHAPE_RES x 3 uint8 (made on first use)
    make_alpha: Callable[[], np.ndarray]    # -> SHAPE_RES x SHAPE_RES uint8 0..255 (made on first use)
    centre0: List[float]           # (x, y) pixels
    velocity: List[float]          # (dx, dy) pixels per frame
    path_x: Curve                  # pixels
    path_y: Curve
    side: float                    # square side (pixels) at scale 1, aspect 1
    log_scale: Curve
    log_aspect: Curve
    aspect0: float
    angle0: float                  # radians
    angle: Curve                   # radians
    side_limits: Tuple[float, float]
    frame_size: Tuple[int, int]    # (W, H)
    spells: List[Spell] = field(default_factory=list)
    _affines: dict = field(default_factory=dict, repr=False, compare=False)
    _images: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.centre0 = [float(v) for v in self.centre0]
        self.velocity = [float(v) for v in self.velocity]

    # Texture and shape parameters are drawn with the plan; their pixels are made only when the
    # object is first drawn: a crop that does not show an occluder never pays for its texture.
    @property
    def texture(self) -> np.ndarray:
        if 'texture' not in self._images:
            self._images['texture'] = self.make_texture()
        return self._images['texture']

    @property
    def alpha(self) -> np.ndarray:
        if 'alpha' not in self._images:
            self._images['alpha'] = self.make_alpha()
        return self._images['alpha']

    @property
    def rgba(self) -> np.ndarray:
        """Premultiplied colour (colour * alpha / 255) and alpha in one 4-channel image (one warp draws
        the object; interpolating premultiplied colour keeps the edges free of dark or bright fringes)."""
        if 'rgba' not in self._images:
            a = self.alpha
            premultiplied = cv2.multiply(self.texture, cv2.merge([a, a, a]), scale=1.0 / 255.0)
            self._images['rgba'] = cv2.merge([*cv2.split(premultiplied), a])
        return self._images['rgba']

    def size(self, t: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Width and height of the square (pixels) at frames `t`."""
        s = self.side * np.exp(self.log_scale(t))
        a = self.aspect0 * np.exp(self.log_aspect(t))
        lo, hi = self.side_limits
        return np.clip(s * np.sqrt(a), lo, hi), np.clip(s / np.sqrt(a), lo, hi)

    def centre(self, t) -> np.ndarray:
        """``(..., 2)`` centre in pixel-centre coordinates, out-of-view spells included."""
        t = np.asarray(t, dtype=np.float64)
        if t.ndim == 0:
            return np.array(self.centre_at(float(t)))
        c = np.stack([self.centre0[0] + self.velocity[0] * t + self.path_x(t),
                      self.centre0[1] + self.velocity[1] * t + self.path_y(t)], -1)
        if not self.spells:
            return c
        w, h = self.size(t)
        reach = 0.75 * np.hypot(w, h) + 2.0  # beyond the half-diagonal of the turned square
        W, H = self.frame_size
        for sp in self.spells:
            b = sp.weight(t)
            out = c.copy()
            if sp.edge == 0:
                out[..., 0] = -reach
            elif sp.edge == 1:
                out[..., 0] = W - 1 + reach
            elif sp.edge == 2:
                out[..., 1] = -reach
            else:
                out[..., 1] = H - 1 + reach
            c = (1 - b)[..., None] * c + b[..., None] * out
        return c

    def size_at(self, t: float) -> Tuple[float, float]:
        """:meth:`size` of one frame (pure Python)."""
        s = self.side * math.exp(self.log_scale.at(t))
        ra = math.sqrt(self.aspect0 * math.exp(self.log_aspect.at(t)))
        lo, hi = self.side_limits
        return min(max(s * ra, lo), hi), min(max(s / ra, lo), hi)

    def centre_at(self, t: float, size: Optional[Tuple[float, float]] = None) -> Tuple[float, float]:
        """:meth:`centre` of one frame (pure Python); `size` = :meth:`size_at` when already known."""
        cx = self.centre0[0] + self.velocity[0] * t + self.path_x.at(t)
        cy = self.centre0[1] + self.velocity[1] * t + self.path_y.at(t)
        if not self.spells:
            return cx, cy
        w, h = size or self.size_at(t)
        reach = 0.75 * math.hypot(w, h) + 2.0
        W, H = self.frame_size
        for sp in self.spells:
            b = sp.weight_at(t)
            if b == 0.0:
                continue
            if sp.edge == 0:
                cx = (1 - b) * cx + b * -reach
            elif sp.edge == 1:
                cx = (1 - b) * cx + b * (W - 1 + reach)
            elif sp.edge == 2:
                cy = (1 - b) * cy + b * -reach
            else:
                cy = (1 - b) * cy + b * (H - 1 + reach)
        return cx, cy

    def speed(self, t: float) -> Tuple[float, float]:
        """Velocity (dx, dy) in pixels per frame at frame `t` (central difference)."""
        (ax, ay), (bx, by) = self.centre_at(t - 0.5), self.centre_at(t + 0.5)
        return bx - ax, by - ay

    def radius_at(self, t: float) -> Tuple[float, float, float]:
        """Centre and bounding-circle radius (the square's half diagonal) at frame `t`."""
        w, h = self.size_at(t)
        cx, cy = self.centre_at(t, (w, h))
        return cx, cy, 0.5 * math.hypot(w, h)

    def affine(self, t: float) -> np.ndarray:
        """2x3 map from the canonical square's pixel centres to frame pixel centres at frame `t` (memoised)."""
        key = float(t)
        cached = self._affines.get(key)
        if cached is None:
            if len(self._affines) >= 1024:
                self._affines.clear()
            cached = self._affines[key] = self._affine(key)
        return cached

    def _affine(self, t: float) -> np.ndarray:
        w, h = self.size_at(t)
        cx, cy = self.centre_at(t, (w, h))
        th = self.angle0 + self.angle.at(t)
        co, si = math.cos(th), math.sin(th)
        a, b, c, d = co * w / SHAPE_RES, -si * h / SHAPE_RES, si * w / SHAPE_RES, co * h / SHAPE_RES
        half = (SHAPE_RES - 1) / 2.0
        return np.array([[a, b, cx - (a + b) * half], [c, d, cy - (c + d) * half]])


@dataclass
class SequencePlan:
    """Everything needed to render any frame of one sequence."""
    name_index: int
    split: str
    seed: int
    family: str
    width: int
    height: int
    num_frames: int
    config: SyntheticConfig
    background: Texture            # about (H + 2m)/2 x (W + 2m)/2 pixels (BG_SCALE), computed by region
    bg_margin: int
    pan_x: Curve
    pan_y: Curve
    gain: Curve
    target: MovingObject
    distractors: List[MovingObject]
    occluders: List[MovingObject]

    def background_affine(self, t: float) -> np.ndarray:
        """2x3 map from background-texture pixels to frame pixels at frame `t` (slow panning)."""
        # texture pixel i covers frame corners [s*i, s*(i+1)): its centre is s*i + (s-1)/2
        m, s = self.bg_margin, float(BG_SCALE)
        c = (s - 1) / 2.0
        return np.array([[s, 0.0, c - m - self.pan_x.at(t)], [0.0, s, c - m - self.pan_y.at(t)]])


def _side_limits(cfg: SyntheticConfig, width: int, height: int) -> Tuple[float, float]:
    return cfg.min_target_px, max(cfg.min_target_px, cfg.max_target_frac * min(width, height))


def _moving_shape(rng: np.random.Generator, cfg: SyntheticConfig, make_texture: Callable, shape: Shape,
                  side: float, centre0, width: int, height: int) -> MovingObject:
    """A shape roaming around `centre0` on smooth curves (target and distractors)."""
    roam = cfg.motion_amplitude
    return MovingObject(
        make_texture=make_texture, make_alpha=shape.alpha, centre0=centre0, velocity=(0.0, 0.0),
        path_x=random_curve(rng, roam * width, cfg), path_y=random_curve(rng, roam * height, cfg),
        side=float(side), log_scale=random_curve(rng, cfg.scale_change, cfg, zero_at_start=True),
        log_aspect=random_curve(rng, cfg.aspect_change, cfg, zero_at_start=True),
        aspect0=math.exp(rng.uniform(-0.4, 0.4)), angle0=math.radians(rng.uniform(-1, 1) * cfg.rotation_deg * 0.5),
        angle=random_curve(rng, math.radians(cfg.rotation_deg), cfg, zero_at_start=True),
        side_limits=_side_limits(cfg, width, height), frame_size=(width, height))


def _spells(rng: np.random.Generator, cfg: SyntheticConfig, num_frames: int) -> List[Spell]:
    """Out-of-view spells, none in the first 15% of the video (frame 0 always shows the target)."""
    n = int(rng.poisson(cfg.out_of_view_per_100 * num_frames / 100.0))
    spells = []
    lo = max(0.15 * num_frames, RAMP_FRAMES + 1)
    for _ in range(n):
        if lo >= num_frames - 1:
            break
        dur = float(rng.integers(cfg.out_of_view_frames[0], cfg.out_of_view_frames[1] + 1))
        start = float(rng.uniform(lo, num_frames - 1))
        spells.append(Spell(start, start + max(dur - 1, 0), int(rng.integers(4))))
    return spells


_FLAT = Curve(np.zeros(1), np.zeros(1), np.zeros(1))


def _occluder(rng: np.random.Generator, trng: np.random.Generator, cfg: SyntheticConfig, target: MovingObject,
              num_frames: int, width: int, height: int) -> MovingObject:
    """An occluder on a straight path that crosses the target around a random frame."""
    t_cross = float(rng.uniform(min(1.0, num_frames - 1), max(1.0, num_frames - 1)))
    tw, th = target.size_at(t_cross)
    tsize = math.sqrt(tw * th)
    family = ('rectangle', 'ellipse', 'polygon')[int(rng.integers(3))]
    speed = rng.uniform(1.5, 4.0) * max(width, height) / 640.0
    direction = rng.uniform(0, 2 * np.pi)
    vx, vy = speed * math.cos(direction), speed * math.sin(direction)
    offset = rng.uniform(-0.45, 0.45) * tsize
    cx, cy = target.centre_at(t_cross)
    # cross the target's path at t_cross, `offset` pixels to the side of its centre
    cx, cy = cx - vy / speed * offset, cy + vx / speed * offset
    texture = Texture(trng, SHAPE_RES, SHAPE_RES)
    shape = Shape(trng, family)
    return MovingObject(
        make_texture=texture.rgb, make_alpha=shape.alpha,
        centre0=(cx - vx * t_cross, cy - vy * t_cross), velocity=(vx, vy), path_x=_FLAT, path_y=_FLAT,
        side=tsize * rng.uniform(*cfg.occluder_size) * 1.1, log_scale=_FLAT, log_aspect=_FLAT,
        aspect0=math.exp(rng.uniform(-0.5, 0.5)), angle0=float(rng.uniform(0, np.pi)),
        angle=random_curve(rng, 0.3, cfg, zero_at_start=True), side_limits=(2.0, 4.0 * max(width, height)),
        frame_size=(width, height))


def _overlaps_at_start(a: MovingObject, b: MovingObject) -> bool:
    """True when the bounding circles of `a` and `b` overlap at frame 0."""
    ax, ay, ra = a.radius_at(0.0)
    bx, by, rb = b.radius_at(0.0)
    return math.hypot(ax - bx, ay - by) < ra + rb


def _look_alike(jitter: ColourJitter, model: MovingObject) -> Callable[[], np.ndarray]:
    """A maker of a texture similar to `model`'s (a distractor's)."""
    return lambda: jitter(model.texture)


def plan_sequence(cfg: SyntheticConfig, seed: int, split: str, index: int, width: int, height: int,
                  num_frames: int) -> SequencePlan:
    """The plan of sequence `index` of `split` (deterministic in all arguments)."""
    key = [int(seed), SPLIT_SLOT[split], int(index)]
    rng = np.random.default_rng(key + [0])    # motion and placement
    trng = np.random.default_rng(key + [1])   # textures and shapes (parameters only: pixels are lazy)
    family = family_of(index)
    scale_px = max(width, height) / 640.0

    # background: textured, larger than the frame by the panning margin
    pan = cfg.pan_px * scale_px
    margin = int(math.ceil(pan)) + 2
    # at half resolution (the warp to the frame upsamples it), computed only where a render looks
    background = Texture(trng, (height + 2 * margin) // BG_SCALE + 1, (width + 2 * margin) // BG_SCALE + 1,
                         pattern_weight=float(trng.uniform(0.2, 0.6)))

    side = float(rng.uniform(*cfg.target_size)) * math.sqrt(width * height) * 1.15
    u = rng.uniform(-0.12, 0.12, 2)
    target_texture = Texture(trng, SHAPE_RES, SHAPE_RES)
    target = _moving_shape(rng, cfg, target_texture.rgb, Shape(trng, family), side,
                           (width * (0.5 + u[0]), height * (0.5 + u[1])), width, height)
    # start the roaming curves at the chosen centre
    target.centre0 = [target.centre0[0] - target.path_x.at(0.0), target.centre0[1] - target.path_y.at(0.0)]
    target.spells = _spells(rng, cfg, num_frames)

    distractors = []
    for _ in range(int(rng.integers(cfg.num_distractors[0], cfg.num_distractors[1] + 1))):
        c = rng.uniform(0.1, 0.9, 2)
        d = _moving_shape(rng, cfg, _look_alike(ColourJitter(trng), target), Shape(trng, family),
                          side * rng.uniform(0.7, 1.3), (width * c[0], height * c[1]), width, height)
        distractors.append(d)

    occluders = []
    for _ in range(int(rng.poisson(cfg.occlusions_per_100 * num_frames / 100.0))):
        occ = _occluder(rng, trng, cfg, target, num_frames, width, height)
        if not _overlaps_at_start(occ, target):
            occluders.append(occ)

    return SequencePlan(
        name_index=index, split=split, seed=int(seed), family=family, width=width, height=height,
        num_frames=num_frames, config=cfg, background=background, bg_margin=margin,
        pan_x=random_curve(rng, pan, cfg), pan_y=random_curve(rng, pan * 0.5, cfg),
        gain=random_curve(rng, cfg.illumination, cfg, zero_at_start=True), target=target,
        distractors=distractors, occluders=occluders)
