"""The VOT toolkit's region format: ``groundtruth.txt`` of a VOT sequence and the masks spoken over TraX.

One region per line (``vot`` toolkit ``vot/region/io.py``, ``parse_region`` / ``Mask.__str__``):

- rectangle ``x,y,w,h``; polygon ``x1,y1,x2,y2,...`` (three points or more); special code ``c``
  (0 unknown, 1 initialisation, 2 failure);
- mask ``m<x0>,<y0>,<w>,<h>,<r0>,<r1>,...``: a ``w x h`` bitmap placed at ``(x0, y0)``, written as
  run lengths over its rows (row-major), alternating zeros and ones and starting with zeros (``r0``
  may be 0). A whole-frame mask is written as its tight region (an empty mask as ``m0,0,0,0,0``).

Also the mask helpers of the VOT2020 trackers (upstream ``arena/VOT2020/utils/utils.py``): a mask the
toolkit sends ends at the target, so it is padded to the frame (:func:`pad_to_frame`); the box-only
baselines report the mask of their box (:func:`mask_of_box`); a tracker starts from the box of the
initial mask (:func:`init_box_of_mask`).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import List, Sequence, Tuple, Union

import numpy as np

from ltr.admin.fileio import atomic_write_text
from ltr.data.bounding_box_utils import mask_to_xywh

__all__ = ['VotRegionError', 'MaskRegion', 'Region', 'mask_to_rle', 'rle_to_mask', 'encode_mask', 'encode_rectangle',
           'parse_region', 'read_regions', 'write_regions', 'pad_to_frame', 'mask_of_box', 'init_box_of_mask',
           'MIN_INIT_SIDE']

MIN_INIT_SIDE = 2  # a tracker cannot start from a mask whose box is narrower or lower than this (pixels)


class VotRegionError(ValueError):
    """A malformed region line or a mask a tracker cannot start from; the message says which and why."""


@dataclass(frozen=True)
class MaskRegion:
    """A mask region: uint8 0/1 `mask` (``h x w``) whose top-left pixel is at `offset` ``(x, y)`` of the frame."""
    mask: np.ndarray
    offset: Tuple[int, int]

    def full_size(self, frame_hw: Tuple[int, int]) -> np.ndarray:
        """The ``H x W`` uint8 mask of the frame; the parts of the region outside the frame are dropped."""
        H, W = int(frame_hw[0]), int(frame_hw[1])
        out = np.zeros((H, W), dtype=np.uint8)
        x0, y0 = self.offset
        h, w = self.mask.shape
        fx1, fy1 = max(x0, 0), max(y0, 0)
        fx2, fy2 = min(x0 + w, W), min(y0 + h, H)
        if fx2 > fx1 and fy2 > fy1:
            out[fy1:fy2, fx1:fx2] = self.mask[fy1 - y0:fy2 - y0, fx1 - x0:fx2 - x0]
        return out


Region = Union[MaskRegion, np.ndarray, int]  # mask, rectangle (4,) / polygon (N, 2) float64, special code


def mask_to_rle(mask: np.ndarray) -> List[int]:
    """Run lengths of the non-zero pixels of `mask` in row-major order, starting with a run of zeros
    (0 when the first pixel is set); ``[0]`` for an empty array (the toolkit's ``mask_to_rle``)."""
    flat = np.asarray(mask).reshape(-1) != 0
    if flat.size == 0:
        return [0]
    starts = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    runs = np.diff(np.concatenate(([0], starts, [flat.size]))).tolist()
    return [0] + runs if flat[0] else runs


def rle_to_mask(rle: Sequence[int], width: int, height: int) -> np.ndarray:
    """``height x width`` uint8 0/1 mask of run lengths `rle` (zeros first). Runs shorter than the mask leave
    zeros (as the toolkit's ``rle_to_mask``); longer runs or negative lengths are a VotRegionError."""
    runs = np.asarray(rle, dtype=np.int64).reshape(-1)
    if width < 0 or height < 0 or np.any(runs < 0):
        raise VotRegionError(f"mask region {width}x{height} with run lengths {runs.tolist()[:8]}: negative value")
    if runs.sum() > width * height:
        raise VotRegionError(f"mask region {width}x{height}: run lengths add up to {int(runs.sum())} pixels, "
                             f"more than {width * height}")
    values = np.arange(runs.size, dtype=np.int64) % 2
    flat = np.zeros(width * height, dtype=np.uint8)
    flat[:runs.sum()] = np.repeat(values, runs)
    return flat.reshape(height, width)


def encode_mask(mask: np.ndarray) -> str:
    """Region line of a whole-frame mask: its tight region with the offset, ``m0,0,0,0,0`` when empty."""
    box = mask_to_xywh(mask).astype(np.int64)
    x, y, w, h = (int(v) for v in box)
    region = np.asarray(mask)[y:y + h, x:x + w]
    return f"m{x},{y},{w},{h}," + ','.join(str(r) for r in mask_to_rle(region))


def encode_rectangle(box: Sequence[float]) -> str:
    """Region line of an ``(x, y, w, h)`` rectangle as the toolkit's ``Rectangle`` writes it: each value stored as
    float32, printed as Python's shortest text of that float."""
    return ','.join(str(float(v)) for v in np.asarray(box, dtype=np.float64).reshape(4).astype(np.float32))


def _numbers(line: str, kind: type) -> list:
    try:
        return [kind(v) for v in line.split(',')]
    except ValueError:
        raise VotRegionError(f"region '{line[:40]}': not a list of numbers") from None


def parse_region(text: str) -> Region:
    """One region line -> :class:`MaskRegion`, a float64 rectangle ``(4,)`` or polygon ``(N, 2)``, or the int
    code of a special region. A rectangle or polygon with a NaN is the special code 0 (as the toolkit).
    Malformed text is a VotRegionError."""
    line = text.strip()
    if line.startswith('m'):
        values = _numbers(line[1:], int)
        if len(values) < 5:
            raise VotRegionError(f"mask region '{line[:40]}': expected x0,y0,w,h and run lengths")
        x0, y0, w, h = values[:4]
        return MaskRegion(rle_to_mask(values[4:], w, h), (x0, y0))
    values = _numbers(line, float)
    if len(values) == 1:
        return int(values[0])
    if len(values) == 4 or (len(values) >= 6 and len(values) % 2 == 0):
        if any(math.isnan(v) for v in values):
            return 0
        array = np.asarray(values, dtype=np.float64)
        return array if len(values) == 4 else array.reshape(-1, 2)
    raise VotRegionError(f"region '{line[:40]}': {len(values)} numbers is neither a rectangle nor a polygon")


def read_regions(path: str) -> List[Region]:
    """The regions of a region file (``groundtruth.txt``), one per non-empty line; errors name the file and line."""
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise VotRegionError(f"{path}: no such file") from None
    regions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            regions.append(parse_region(line))
        except VotRegionError as e:
            raise VotRegionError(f"{path}, line {number}: {e}") from None
    return regions


def write_regions(path: str, lines: Sequence[str]) -> None:
    """Write region lines (:func:`encode_mask`, :func:`encode_rectangle`) to `path`, atomically."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write_text(path, ''.join(line + '\n' for line in lines))


def pad_to_frame(mask: np.ndarray, frame_hw: Tuple[int, int]) -> np.ndarray:
    """`mask` anchored at the frame's top-left corner, zero-padded right and down to ``H x W`` and cut where it
    is larger (upstream ``make_full_size``: the mask TraX delivers ends at the target)."""
    H, W = int(frame_hw[0]), int(frame_hw[1])
    mask = np.asarray(mask)[:H, :W]
    return np.pad(mask, ((0, H - mask.shape[0]), (0, W - mask.shape[1])), mode='constant')


def mask_of_box(box: Sequence[float], frame_hw: Tuple[int, int]) -> np.ndarray:
    """uint8 0/1 ``H x W`` mask of an ``(x, y, w, h)`` box: corners rounded, clipped to the frame (upstream
    ``mask_from_rect``, what the box-only VOT2020 baselines report)."""
    H, W = int(frame_hw[0]), int(frame_hw[1])
    x, y, w, h = (float(v) for v in np.asarray(box, dtype=np.float64).reshape(4))
    mask = np.zeros((H, W), dtype=np.uint8)
    x0, y0 = max(int(round(x)), 0), max(int(round(y)), 0)
    x1, y1 = min(int(round(x + w)), W), min(int(round(y + h)), H)
    mask[y0:y1, x0:x1] = 1
    return mask


def init_box_of_mask(mask: np.ndarray) -> np.ndarray:
    """The float64 ``(x, y, w, h)`` box a tracker starts from: the tight box of the mask's non-zero pixels
    (upstream ``rect_from_mask``). A mask that is empty or whose box is under ``MIN_INIT_SIDE`` pixels wide or
    high (a single pixel, a line) is a VotRegionError."""
    box = mask_to_xywh(mask)
    if box[2] == 0:
        raise VotRegionError("cannot initialise from an empty mask (no target pixel)")
    if min(box[2], box[3]) < MIN_INIT_SIDE:
        raise VotRegionError(f"cannot initialise from a mask whose box {box.astype(int).tolist()} is under "
                             f"{MIN_INIT_SIDE} pixels wide or high ({int(np.count_nonzero(mask))} target pixels)")
    return box
