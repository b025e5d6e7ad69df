"""Generation parameters of the synthetic tracking benchmark: difficulty knobs, sizes and names.

Every knob is declared once here with its default; unknown names are rejected. The defaults are
the ones `benchmarks/synthetic_difficulty.py` measures (static-box AUC, centre-oracle AUC, absent
fraction) and `doc/synthetic.md` documents.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Tuple

# Version of the generated pixels and files: bumped whenever the same parameters give other output
# (2: backgrounds and textures computed by region, analytic patterns, premultiplied compositing).
FORMAT_VERSION = 2
# The LaSOT class of a sequence is the shape family of its target (round robin over the index).
FAMILIES = ('rectangle', 'ellipse', 'polygon', 'blob')
LAYOUTS = ('lasot', 'got10k', 'vot')  # vot: the VOT2020 sequence layout (evaluation only, one split: test)
SPLITS = ('train', 'val', 'test')
# Each split draws from its own random stream and its own LaSOT sequence numbers (k = 3j + slot + 1,
# interleaved like the real LaSOT test/train numbers), so splits never collide in one tree.
SPLIT_SLOT = {'test': 0, 'train': 1, 'val': 2}
GOT10K_SPLIT_NAME = {'train': 'Train', 'val': 'Val', 'test': 'Test'}


# Upper limits of the knobs whose larger values cannot be generated (memory of the warped shapes or of the
# panned background, overflow of exp(log-scale), millions of occluders / distractors); generous for any use.
MAX_KNOB = {'min_target_px': 1000.0, 'motion_amplitude': 10.0, 'scale_change': 5.0, 'aspect_change': 5.0,
            'pan_px': 1000.0, 'occlusions_per_100': 100.0, 'out_of_view_per_100': 100.0,
            'num_distractors': 20, 'occluder_size': 10.0}


class SyntheticConfigError(ValueError):
    """An invalid generation parameter; the message names the parameter."""


@dataclass(frozen=True)
class SyntheticConfig:
    """Difficulty knobs of the generator (sizes are fractions of the frame unless named *_px).

    Motion, scale, aspect and rotation are smooth curves (sums of a few random sinusoids with
    periods between ``min_period`` and ``max_period`` frames) so any frame can be rendered without
    rendering the frames before it.
    """
    target_size: Tuple[float, float] = (0.10, 0.24)   # initial sqrt(w*h) / sqrt(W*H), uniform range
    min_target_px: float = 12.0                        # smallest target side in pixels
    max_target_frac: float = 0.7                       # largest target side / frame side
    motion_amplitude: float = 0.30                     # roaming of the centre, fraction of the frame side
    min_period: float = 40.0                           # fastest curve period (frames)
    max_period: float = 400.0                          # slowest curve period (frames)
    scale_change: float = 0.80                         # amplitude of log-scale change
    aspect_change: float = 0.70                        # amplitude of log-aspect change
    rotation_deg: float = 35.0                         # amplitude of in-plane rotation (degrees)
    num_distractors: Tuple[int, int] = (1, 3)          # similar-looking objects per sequence (inclusive)
    occlusions_per_100: float = 1.0                    # occluders crossing the target per 100 frames
    occluder_size: Tuple[float, float] = (0.5, 1.3)    # occluder size relative to the target
    out_of_view_per_100: float = 0.12                  # out-of-view spells per 100 frames
    out_of_view_frames: Tuple[int, int] = (4, 10)      # frames fully out of view per spell
    pan_px: float = 60.0                               # background panning amplitude (pixels at 640 wide)
    illumination: float = 0.25                         # amplitude of the global gain change
    blur_speed_px: float = 8.0                         # target speed (px/frame) above which it is blurred
    blur_factor: float = 0.6                           # blur length = factor * speed
    jpeg_quality: int = 90                             # quality of the written frames

    def to_dict(self) -> Dict[str, Any]:
        """JSON-friendly dict (tuples become lists)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> 'SyntheticConfig':
        """Build a config from `values`; unknown names are an error naming them."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise SyntheticConfigError(f"unknown synthetic knob(s): {', '.join(unknown)}")
        kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in values.items()}
        return cls(**kwargs).validated()

    def replace(self, **changes: Any) -> 'SyntheticConfig':
        """A copy with some knobs changed (unknown names rejected)."""
        return SyntheticConfig.from_dict({**self.to_dict(), **changes})

    def validated(self) -> 'SyntheticConfig':
        """Return self after checking ranges; raises SyntheticConfigError naming the bad knob."""
        def need(ok: bool, name: str, what: str) -> None:
            if not ok:
                raise SyntheticConfigError(f"synthetic knob {name}={getattr(self, name)!r}: {what}")
        for name in ('target_size', 'occluder_size', 'num_distractors', 'out_of_view_frames'):
            v = getattr(self, name)
            need(isinstance(v, tuple) and len(v) == 2 and all(_is_number(x) and math.isfinite(x) for x in v)
                 and 0 <= v[0] <= v[1], name, 'expected a range [low, high] with 0 <= low <= high')
        for f in dataclasses.fields(self):
            if not isinstance(f.default, tuple):
                v = getattr(self, f.name)
                need(_is_number(v) and math.isfinite(v), f.name, 'expected a finite number')
        for name, top in MAX_KNOB.items():
            v = getattr(self, name)
            need((v[1] if isinstance(v, tuple) else v) <= top, name, f'expected at most {top}')
        need(0 < self.target_size[0] and self.target_size[1] < 1, 'target_size', 'expected within (0, 1)')
        need(self.min_target_px >= 1, 'min_target_px', 'expected >= 1')
        need(0 < self.max_target_frac <= 1, 'max_target_frac', 'expected in (0, 1]')
        need(0 < self.min_period <= self.max_period, 'min_period', 'expected 0 < min_period <= max_period')
        need(1 <= self.jpeg_quality <= 100, 'jpeg_quality', 'expected 1..100')
        for name in ('motion_amplitude', 'scale_change', 'aspect_change', 'rotation_deg', 'occlusions_per_100',
                     'out_of_view_per_100', 'pan_px', 'illumination', 'blur_speed_px', 'blur_factor'):
            need(getattr(self, name) >= 0, name, 'expected >= 0')
        need(self.illumination < 1, 'illumination', 'expected < 1')
        return self


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def parse_size(text: str) -> Tuple[int, int]:
    """Parse ``'WxH'`` into positive ints ``(W, H)``; raises SyntheticConfigError otherwise."""
    parts = str(text).lower().split('x')
    try:
        w, h = (int(p) for p in parts)
    except ValueError:
        raise SyntheticConfigError(f"--size '{text}': expected WxH, e.g. 640x480") from None
    if w < 16 or h < 16:
        raise SyntheticConfigError(f"--size '{text}': width and height must be at least 16 pixels")
    return w, h


def check_positive(name: str, value: int) -> int:
    """Return `value` if it is a positive int, else raise SyntheticConfigError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise SyntheticConfigError(f"{name}={value!r}: expected a positive integer")
    return value


def family_of(index: int) -> str:
    """Shape family (= LaSOT class) of sequence `index` (0-based)."""
    return FAMILIES[index % len(FAMILIES)]


def sequence_name(layout: str, split: str, index: int) -> str:
    """Folder name of sequence `index` (0-based) of `split`: ``GOT-10k_Test_000001``, or ``blob-4`` (LaSOT and VOT)."""
    if layout == 'got10k':
        return f"GOT-10k_{GOT10K_SPLIT_NAME[split]}_{index + 1:06d}"
    j = index // len(FAMILIES)
    return f"{family_of(index)}-{3 * j + SPLIT_SLOT[split] + 1}"


def check_layout_split(layout: str, split: str) -> None:
    """Raise SyntheticConfigError for an unknown layout or split."""
    if layout not in LAYOUTS:
        raise SyntheticConfigError(f"--layout '{layout}': expected one of {', '.join(LAYOUTS)}")
    if split not in SPLITS:
        raise SyntheticConfigError(f"--split '{split}': expected one of {', '.join(SPLITS)}")
    if layout == 'vot' and split != 'test':
        raise SyntheticConfigError(f"--split '{split}': the VOT layout has one split, test (an evaluation set)")
