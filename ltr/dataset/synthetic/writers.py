"""Writers of one synthetic sequence in the real LaSOT, GOT-10k and VOT2020 on-disk layouts.

A sequence is written into a hidden temporary folder next to its final place and renamed into
place when complete, so a half-written sequence never looks complete.

LaSOT (``<root>/<class>/<class>-<k>/``): ``img/%08d.jpg`` (from 1), ``groundtruth.txt`` (one
``x,y,w,h`` line per frame), ``full_occlusion.txt`` and ``out_of_view.txt`` (one comma line of
0/1), ``nlp.txt`` (one sentence). GOT-10k (``<root>/<split>/GOT-10k_<Split>_%06d/``): ``%08d.jpg``
(from 1), ``groundtruth.txt``, ``absence.label``, ``cover.label`` (0..8), ``cut_by_image.label``
(one value per line), ``meta_info.ini``. VOT2020 (``<root>/<name>/``, the sequence folder of a VOT
workspace): ``color/%08d.jpg`` (from 1), ``groundtruth.txt`` (one mask region per frame in the toolkit's
format, ``ltr/data/vot_region.py``), ``anchor.value`` (the anchors of the toolkit's multistart experiment)
and ``sequence`` (the toolkit's ``key=value`` metadata). All: ``masks/%08d.png`` (uint8 0/255, DESIGN.md
section 7). Absent frames are written as ``0,0,0,0`` (LaSOT, GOT-10k) or an empty mask (VOT) as the real
sets do.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from typing import List, Optional

import cv2
import numpy as np

from ltr.admin.fileio import atomic_write_text
from ltr.data.annotations import write_boxes, write_flags
from ltr.data.vot_region import encode_mask, write_regions
from ltr.dataset.synthetic.render import annotate_frame, render_frame
from ltr.dataset.synthetic.scene import SequencePlan

TMP_PREFIX = '.tmp-synthetic-'
ANNOTATION_FPS = 10  # GOT-10k meta_info.ini says 10Hz
VOT_ANCHOR_SPACING = 50  # frames between two anchors of a VOT2020 sequence (the VOT2020 short-term set's spacing)
VOT_FPS = 30  # the fps the toolkit's sequence files give when a sequence names none


@dataclass
class SequenceAnnotation:
    """Per-frame ground truth of one sequence (what the files hold)."""
    boxes: np.ndarray           # (N, 4) float64 xywh; 0,0,0,0 when absent
    absent: np.ndarray          # (N,) bool: mask empty
    out_of_view: np.ndarray     # (N,) bool
    full_occlusion: np.ndarray  # (N,) bool
    cover: np.ndarray           # (N,) int64, visible ratio in eighths (0..8)
    cut_by_image: np.ndarray    # (N,) bool

    @classmethod
    def from_frames(cls, frames: list) -> 'SequenceAnnotation':
        """Stack the per-frame dicts of :func:`annotate_frame`."""
        return cls(boxes=np.stack([f['box'] for f in frames]).astype(np.float64),
                   absent=np.array([f['absent'] for f in frames], bool),
                   out_of_view=np.array([f['out_of_view'] for f in frames], bool),
                   full_occlusion=np.array([f['full_occlusion'] for f in frames], bool),
                   cover=np.array([f['cover'] for f in frames], np.int64),
                   cut_by_image=np.array([f['cut_by_image'] for f in frames], bool))


def annotate_sequence(plan: SequencePlan) -> SequenceAnnotation:
    """Ground truth of every frame of `plan`, from masks only (no texture drawn, nothing written)."""
    return SequenceAnnotation.from_frames([annotate_frame(plan, t) for t in range(plan.num_frames)])


_HUES = ((0, 'red'), (30, 'orange'), (55, 'yellow'), (90, 'green'), (165, 'cyan'), (215, 'blue'),
         (270, 'purple'), (320, 'pink'), (360, 'red'))


def colour_name(rgb: np.ndarray) -> str:
    """A plain colour word for an RGB colour (grey levels, else the nearest hue)."""
    r, g, b = (float(v) / 255.0 for v in rgb)
    hi, lo = max(r, g, b), min(r, g, b)
    if hi - lo < 0.12:
        return 'white' if hi > 0.8 else 'black' if hi < 0.2 else 'grey'
    if hi == r:
        hue = (60 * (g - b) / (hi - lo)) % 360
    elif hi == g:
        hue = 60 * (b - r) / (hi - lo) + 120
    else:
        hue = 60 * (r - g) / (hi - lo) + 240
    return min(_HUES, key=lambda h: abs(h[0] - hue))[1]


def describe(plan: SequencePlan) -> str:
    """The ``nlp.txt`` sentence of a sequence (LaSOT gives one sentence per video)."""
    alpha = plan.target.alpha >= 128
    colour = colour_name(plan.target.texture[alpha].mean(0))
    return f"{colour} {plan.family} moving among similar {plan.family}s"


def _motion_adverb(plan: SequencePlan) -> str:
    t = np.arange(plan.num_frames, dtype=np.float64)
    c = plan.target.centre(t)
    speed = float(np.mean(np.hypot(*np.diff(c, axis=0).T))) if plan.num_frames > 1 else 0.0
    speed /= max(plan.width, plan.height) / 640.0
    return 'slowly' if speed < 2 else 'fast' if speed > 6 else 'normally'


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{(s // 60) % 60:02d}:{s % 60:02d}"


def meta_info_text(plan: SequencePlan) -> str:
    """GOT-10k ``meta_info.ini``: the real file's keys in the real order (readers index lines 5..9)."""
    lines = ['[METAINFO]',
             f"url: synthetic://seed{plan.seed}/{plan.split}/{plan.name_index}",
             'begin: 00:00:00',
             f"end: {_clock(plan.num_frames / ANNOTATION_FPS)}",
             f"anno_fps: {ANNOTATION_FPS}Hz",
             f"object_class: {plan.family}",
             'motion_class: moving',
             'major_class: synthetic shape',
             'root_class: object',
             f"motion_adverb: {_motion_adverb(plan)}",
             f"resolution: ({plan.width}, {plan.height})"]
    return '\n'.join(lines) + '\n'


def _write_image(path: str, rgb: np.ndarray, quality: int) -> None:
    if not cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)]):
        raise OSError(f"{path}: cannot write image")


def _write_mask(path: str, mask: np.ndarray) -> None:
    if not cv2.imwrite(path, mask, [cv2.IMWRITE_PNG_COMPRESSION, 1]):
        raise OSError(f"{path}: cannot write mask")


def _render_into(plan: SequencePlan, image_dir: str, mask_dir: str,
                 regions: Optional[List[str]] = None) -> SequenceAnnotation:
    """Render and write every frame and mask; the VOT region line of each mask goes to `regions` when given."""
    os.makedirs(image_dir, exist_ok=True)
    os.makedirs(mask_dir, exist_ok=True)
    frames = []
    for t in range(plan.num_frames):
        img, mask = render_frame(plan, t)
        _write_image(os.path.join(image_dir, f"{t + 1:08d}.jpg"), img, plan.config.jpeg_quality)
        _write_mask(os.path.join(mask_dir, f"{t + 1:08d}.png"), mask)
        if regions is not None:
            regions.append(encode_mask(mask))
        frames.append(annotate_frame(plan, t))
    return SequenceAnnotation.from_frames(frames)


def _write_lasot_files(folder: str, plan: SequencePlan, anno: SequenceAnnotation) -> None:
    write_boxes(os.path.join(folder, 'groundtruth.txt'), anno.boxes)
    write_flags(os.path.join(folder, 'full_occlusion.txt'), anno.full_occlusion.astype(np.int64))
    write_flags(os.path.join(folder, 'out_of_view.txt'), anno.out_of_view.astype(np.int64))
    atomic_write_text(os.path.join(folder, 'nlp.txt'), describe(plan) + '\n')


def _write_got10k_files(folder: str, plan: SequencePlan, anno: SequenceAnnotation) -> None:
    write_boxes(os.path.join(folder, 'groundtruth.txt'), anno.boxes)
    write_flags(os.path.join(folder, 'absence.label'), anno.absent.astype(np.int64), one_per_line=True)
    write_flags(os.path.join(folder, 'cover.label'), anno.cover, one_per_line=True)
    write_flags(os.path.join(folder, 'cut_by_image.label'), anno.cut_by_image.astype(np.int64), one_per_line=True)
    atomic_write_text(os.path.join(folder, 'meta_info.ini'), meta_info_text(plan))


def vot_anchors(absent: np.ndarray, spacing: int = VOT_ANCHOR_SPACING) -> np.ndarray:
    """``anchor.value`` of a VOT2020 sequence: every `spacing` frames from the first, a visible frame is an anchor,
    1 (run forward to the end) or -1 (run backward to the start) whichever run is longer; 0 elsewhere."""
    n = len(absent)
    values = np.zeros(n, dtype=np.int64)
    for t in range(0, n, spacing):
        if not absent[t]:
            values[t] = 1 if n - t >= t + 1 else -1
    return values


def vot_sequence_properties(plan: SequencePlan, name: str) -> str:
    """The ``sequence`` file of a VOT sequence: the toolkit's ``key=value`` lines, keys sorted as it writes them."""
    props = {'channel.default': 'color', 'channels.color': 'color/%08d.jpg', 'format': 'default', 'fps': VOT_FPS,
             'height': plan.height, 'length': plan.num_frames, 'name': name, 'width': plan.width}
    return ''.join(f"{k}={v}\n" for k, v in sorted(props.items()))


def _write_vot_files(folder: str, plan: SequencePlan, anno: SequenceAnnotation, regions: List[str], name: str) -> None:
    write_regions(os.path.join(folder, 'groundtruth.txt'), regions)
    write_flags(os.path.join(folder, 'anchor.value'), vot_anchors(anno.absent), one_per_line=True)
    atomic_write_text(os.path.join(folder, 'sequence'), vot_sequence_properties(plan, name))


def write_sequence(plan: SequencePlan, seq_dir: str, layout: str) -> Optional[SequenceAnnotation]:
    """Render `plan` and write it at `seq_dir` in `layout` ('lasot', 'got10k' or 'vot'); atomic per sequence.

    Returns the annotation written, or None when `seq_dir` already exists (complete: skipped).
    """
    if os.path.isdir(seq_dir):
        return None
    parent = os.path.dirname(os.path.abspath(seq_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=TMP_PREFIX + os.path.basename(seq_dir) + '-', dir=parent)
    try:
        if layout == 'lasot':
            anno = _render_into(plan, os.path.join(tmp, 'img'), os.path.join(tmp, 'masks'))
            _write_lasot_files(tmp, plan, anno)
        elif layout == 'got10k':
            anno = _render_into(plan, tmp, os.path.join(tmp, 'masks'))
            _write_got10k_files(tmp, plan, anno)
        elif layout == 'vot':
            regions: List[str] = []
            anno = _render_into(plan, os.path.join(tmp, 'color'), os.path.join(tmp, 'masks'), regions)
            _write_vot_files(tmp, plan, anno, regions, os.path.basename(seq_dir))
        else:
            raise ValueError(f"unknown layout '{layout}'")
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a dataset folder should be readable
        os.rename(tmp, seq_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return anno


def remove_stale_temporaries(folder: str) -> int:
    """Delete leftovers of interrupted writes (``.tmp-synthetic-*`` folders) in `folder`; returns how many."""
    if not os.path.isdir(folder):
        return 0
    stale = [e for e in os.listdir(folder) if e.startswith(TMP_PREFIX) and os.path.isdir(os.path.join(folder, e))]
    for e in stale:
        shutil.rmtree(os.path.join(folder, e), ignore_errors=True)
    return len(stale)

