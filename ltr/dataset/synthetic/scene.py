"""The plan of one synthetic sequence: objects, textures and closed-form motion.

Every quantity of frame ``t`` is a closed-form function of ``t`` (sums of sinusoids, linear paths,
smooth out-of-view spells), so any frame, or any crop of it, can be rendered without the frames
before it. All random choices come from ``numpy.random.SeedSequence([seed, split slot, index])``
and streams spawned from it in a fixed order (motion, background, one per object image): same
arguments, same plan and pixels, in any process.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List, Tuple

import math

import numpy as np

from ltr.dataset.synthetic.config import SPLIT_SLOT, SyntheticConfig, family_of
from ltr.dataset.synthetic.textures import SHAPE_RES, colour_texture, jitter_colours, shape_alpha

RAMP_FRAMES = 10.0  # frames to leave or re-enter the view at an out-of-view spell
BG_SCALE = 2        # frame pixels per background-texture pixel


@dataclass
class Curve:
    """``f(t) = sum_k a_k sin(2 pi f_k t + p_k) - offset``: a smooth random curve."""
    amps: np.ndarray
    freqs: np.ndarray
    phases: np.ndarray
    offset: float = 0.0

    def __call__(self, t) -> np.ndarray:
        if isinstance(t, (int, float)):  # scalar fast path (rendering calls this a lot)
            return sum(a * math.sin(2 * math.pi * f * t + p)
                       for a, f, p in zip(self.amps.tolist(), self.freqs.tolist(), self.phases.tolist())) - self.offset
        t = np.asarray(t, dtype=np.float64)
        return np.sin(2 * np.pi * self.freqs * t[..., None] + self.phases) @ self.amps - self.offset


def random_curve(rng: np.random.Generator, amplitude: float, cfg: SyntheticConfig,
                 components: int = 3, zero_at_start: bool = False) -> Curve:
    """Curve whose |value| stays within `amplitude` (weights sum to it); periods log-uniform in the config range."""
    periods = np.exp(rng.uniform(np.log(cfg.min_period), np.log(cfg.max_period), components))
    w = rng.uniform(0.3, 1.0, components)
    amps = amplitude * w / w.sum()
    phases = rng.uniform(0, 2 * np.pi, components)
    curve = Curve(amps, 1.0 / periods, phases)
    if zero_at_start:
        curve.offset = float(curve(0.0))
        # keep |f| within the amplitude after the shift: halve the excursion
        curve.amps = curve.amps * 0.5
        curve.offset *= 0.5
    return curve


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


@dataclass
class MovingObject:
    """A textured shape in a ``SHAPE_RES`` square moved, scaled, stretched and turned over time.

    ``state(t)`` gives the centre, the square's width and height in pixels and its angle.
    """
    make_texture: Callable[[], np.ndarray]  # -> SHAPE_RES x SHAPE_RES x 3 uint8 (made on first use)
    make_alpha: Callable[[], np.ndarray]    # -> SHAPE_RES x SHAPE_RES uint8 0..255 (made on first use)
    centre0: np.ndarray            # (2,) pixels
    velocity: np.ndarray           # (2,) pixels per frame
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

    # Textures and shapes come from their own seed streams and are made only when an object is
    # first drawn: a crop that does not show an occluder never pays for its texture.
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
        """Texture and alpha in one 4-channel image (one warp draws the object)."""
        if 'rgba' not in self._images:
            self._images['rgba'] = np.dstack([self.texture, self.alpha])
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

    def speed(self, t: float) -> Tuple[float, float]:
        """Velocity (dx, dy) in pixels per frame at frame `t` (central difference)."""
        d = self.centre(t + 0.5) - self.centre(t - 0.5)
        return float(d[0]), float(d[1])

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
        c = self.centre(float(t))
        w, h = self.size(float(t))
        th = self.angle0 + float(self.angle(float(t)))
        rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        lin = rot @ np.diag([float(w) / SHAPE_RES, float(h) / SHAPE_RES])
        half = (SHAPE_RES - 1) / 2.0
        return np.concatenate([lin, (c - lin @ np.array([half, half]))[:, None]], 1)


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
    background: np.ndarray         # about (H + 2m)/2 x (W + 2m)/2 x 3 uint8 (BG_SCALE)
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
        return np.array([[s, 0.0, c - m - float(self.pan_x(t))], [0.0, s, c - m - float(self.pan_y(t))]])


def _side_limits(cfg: SyntheticConfig, width: int, height: int) -> Tuple[float, float]:
    return cfg.min_target_px, max(cfg.min_target_px, cfg.max_target_frac * min(width, height))


def _seeded(fn: Callable, seeds: np.random.SeedSequence, *args) -> Callable[[], np.ndarray]:
    """A maker calling ``fn(Generator(seeds), *args)``: the same image whenever (and wherever) it is made."""
    return lambda: fn(np.random.default_rng(seeds), *args)


def _look_alike(seeds: np.random.SeedSequence, model: 'MovingObject') -> Callable[[], np.ndarray]:
    """A maker of a texture similar to `model`'s (a distractor's)."""
    return lambda: jitter_colours(np.random.default_rng(seeds), model.texture)


def _moving_shape(rng: np.random.Generator, cfg: SyntheticConfig, family: str, make_texture: Callable,
                  shape_seeds: np.random.SeedSequence, side: float, centre0: np.ndarray, width: int, height: int,
                  roam: float, scale_amp: float, aspect_amp: float) -> MovingObject:
    """A shape roaming around `centre0` on smooth curves (target and distractors)."""
    side_px = float(side)
    return MovingObject(
        make_texture=make_texture, make_alpha=_seeded(shape_alpha, shape_seeds, family),
        centre0=np.asarray(centre0, dtype=np.float64),
        velocity=np.zeros(2), path_x=random_curve(rng, roam * width, cfg), path_y=random_curve(rng, roam * height, cfg),
        side=side_px, log_scale=random_curve(rng, scale_amp, cfg, zero_at_start=True),
        log_aspect=random_curve(rng, aspect_amp, cfg, zero_at_start=True),
        aspect0=float(np.exp(rng.uniform(-0.4, 0.4))), angle0=float(np.deg2rad(rng.uniform(-1, 1) * cfg.rotation_deg * 0.5)),
        angle=random_curve(rng, np.deg2rad(cfg.rotation_deg), cfg, zero_at_start=True),
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


def _occluder(rng: np.random.Generator, cfg: SyntheticConfig, target: MovingObject, num_frames: int,
              width: int, height: int, seeds: np.random.SeedSequence) -> MovingObject:
    """An occluder on a straight path that crosses the target around a random frame."""
    t_cross = float(rng.uniform(min(1.0, num_frames - 1), max(1.0, num_frames - 1)))
    tw, th = target.size(t_cross)
    tsize = float(np.sqrt(tw * th))
    family = ('rectangle', 'ellipse', 'polygon')[int(rng.integers(3))]
    speed = rng.uniform(1.5, 4.0) * max(width, height) / 640.0
    direction = rng.uniform(0, 2 * np.pi)
    v = speed * np.array([np.cos(direction), np.sin(direction)])
    perp = np.array([-v[1], v[0]]) / speed
    offset = rng.uniform(-0.45, 0.45) * tsize
    centre_cross = target.centre(t_cross) + perp * offset
    flat = Curve(np.zeros(1), np.zeros(1), np.zeros(1))
    return MovingObject(
        make_texture=_seeded(colour_texture, seeds.spawn(1)[0], SHAPE_RES, SHAPE_RES),
        make_alpha=_seeded(shape_alpha, seeds.spawn(1)[0], family),
        centre0=centre_cross - v * t_cross, velocity=v, path_x=flat, path_y=flat,
        side=tsize * rng.uniform(*cfg.occluder_size) * 1.1, log_scale=flat, log_aspect=flat,
        aspect0=float(np.exp(rng.uniform(-0.5, 0.5))), angle0=float(rng.uniform(0, np.pi)),
        angle=random_curve(rng, 0.3, cfg, zero_at_start=True), side_limits=(2.0, 4.0 * max(width, height)),
        frame_size=(width, height))


def _overlaps_at_start(a: MovingObject, b: MovingObject) -> bool:
    """True when the bounding circles of `a` and `b` overlap at frame 0."""
    ra = 0.5 * np.hypot(*a.size(0.0))
    rb = 0.5 * np.hypot(*b.size(0.0))
    return float(np.linalg.norm(a.centre(0.0) - b.centre(0.0))) < ra + rb


def plan_sequence(cfg: SyntheticConfig, seed: int, split: str, index: int, width: int, height: int,
                  num_frames: int) -> SequencePlan:
    """The plan of sequence `index` of `split` (deterministic in all arguments)."""
    motion_ss, texture_ss, objects_ss = np.random.SeedSequence([int(seed), SPLIT_SLOT[split], int(index)]).spawn(3)
    rng = np.random.default_rng(motion_ss)
    trng = np.random.default_rng(texture_ss)

    def seeds() -> np.random.SeedSequence:  # a fresh stream per object image, in plan order
        return objects_ss.spawn(1)[0]

    family = family_of(index)
    scale_px = max(width, height) / 640.0

    # background: textured, larger than the frame by the panning margin
    pan = cfg.pan_px * scale_px
    margin = int(np.ceil(pan)) + 2
    # drawn at half resolution (the warp to the frame upsamples it): a quarter of the cost
    background = colour_texture(trng, (height + 2 * margin) // BG_SCALE + 1, (width + 2 * margin) // BG_SCALE + 1,
                                pattern_weight=float(trng.uniform(0.2, 0.6)))

    side = float(rng.uniform(*cfg.target_size)) * np.sqrt(width * height) * 1.15
    centre0 = np.array([width, height]) * (0.5 + rng.uniform(-0.12, 0.12, 2))
    target = _moving_shape(rng, cfg, family, _seeded(colour_texture, seeds(), SHAPE_RES, SHAPE_RES), seeds(),
                           side, centre0, width, height, cfg.motion_amplitude, cfg.scale_change, cfg.aspect_change)
    # start the roaming curves at the chosen centre
    target.centre0 = target.centre0 - np.array([target.path_x(0.0), target.path_y(0.0)])
    target.spells = _spells(rng, cfg, num_frames)

    distractors = []
    for _ in range(int(rng.integers(cfg.num_distractors[0], cfg.num_distractors[1] + 1))):
        c = np.array([width, height]) * rng.uniform(0.1, 0.9, 2)
        d = _moving_shape(rng, cfg, family, _look_alike(seeds(), target), seeds(), side * rng.uniform(0.7, 1.3), c,
                          width, height, cfg.motion_amplitude, cfg.scale_change, cfg.aspect_change)
        distractors.append(d)

    occluders = []
    for _ in range(int(rng.poisson(cfg.occlusions_per_100 * num_frames / 100.0))):
        occ = _occluder(rng, cfg, target, num_frames, width, height, seeds())
        if not _overlaps_at_start(occ, target):
            occluders.append(occ)

    return SequencePlan(
        name_index=index, split=split, seed=int(seed), family=family, width=width, height=height,
        num_frames=num_frames, config=cfg, background=background, bg_margin=margin,
        pan_x=random_curve(rng, pan, cfg), pan_y=random_curve(rng, pan * 0.5, cfg),
        gain=random_curve(rng, cfg.illumination, cfg, zero_at_start=True), target=target,
        distractors=distractors, occluders=occluders)
