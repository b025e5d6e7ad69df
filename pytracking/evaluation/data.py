"""Sequences of the evaluation benchmarks: frames (paths), ground truth, visibility, class, masks.

Building a :class:`Sequence` reads annotation files only; frame and mask images are read on demand.
"""
from __future__ import annotations

import os
from collections import abc
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Union

import numpy as np


@dataclass
class Sequence:
    """One annotated video.

    ``ground_truth_rect`` is ``(N, 4)`` float64 xywh (NaN rows where a set has no box);
    ``target_visible`` is a bool ``(N,)`` (False = fully occluded or out of view) or None when the
    set has no such flags; ``masks`` are mask file paths (one per frame) when the sequence folder
    has a ``masks/`` folder; ``attributes`` maps attribute names to 0/1 when an attribute file exists.
    """
    name: str
    frames: 'abc.Sequence[str]'  # paths; FramePaths or a list
    dataset: str
    ground_truth_rect: np.ndarray
    object_class: Optional[str] = None
    target_visible: Optional[np.ndarray] = None
    masks: Optional[List[str]] = None
    attributes: Dict[str, int] = field(default_factory=dict)
    resolution: Optional[tuple] = None  # (width, height) where the set's metadata gives it (GOT-10k)

    def __len__(self) -> int:
        return int(self.ground_truth_rect.shape[0])

    def init_info(self) -> dict:
        """What a tracker's ``initialize`` receives: the first box (and the first mask when present)."""
        info = {'init_bbox': self.ground_truth_rect[0].copy()}
        if self.masks:
            info['init_mask'] = self.load_mask(0)
        return info

    def load_mask(self, frame: int) -> np.ndarray:
        """Mask of a 0-based frame as uint8 ``H x W`` (0/255), read from ``masks/``."""
        if not self.masks:
            raise ValueError(f"sequence {self.name} has no masks/ folder")
        from ltr.data.image_loader import imread_mask  # OpenCV only when a mask is read: evaluation never needs it
        return imread_mask(self.masks[frame])


class SequenceList(list):
    """A list of sequences that can also be indexed by sequence name."""

    def __getitem__(self, item: Union[int, slice, str]):
        if isinstance(item, str):
            for seq in self:
                if seq.name == item:
                    return seq
            raise KeyError(f"no sequence named '{item}'")
        result = super().__getitem__(item)
        return SequenceList(result) if isinstance(item, slice) else result

    def names(self) -> List[str]:
        """Sequence names in order."""
        return [s.name for s in self]

    def __add__(self, other: Iterable[Sequence]) -> 'SequenceList':
        return SequenceList(list(self) + list(other))


class FramePaths(abc.Sequence):
    """``folder/%0<digits>d.<ext>`` for `count` frames numbered from `first`, built on access
    (a list of 685k paths for LaSOT would cost seconds per evaluation that never opens a frame).

    ``count=None`` means: as many frames as the folder holds ``*.<ext>`` files, counted on first use
    (test splits such as GOT-10k test and TrackingNet TEST only annotate the first frame).
    """

    def __init__(self, folder: str, count: Optional[int], first: int = 1, digits: int = 8, ext: str = 'jpg'):
        self._folder = folder
        self._prefix = os.path.join(folder, '')
        self._count, self._first, self._digits, self._ext = count, first, digits, ext

    def __len__(self) -> int:
        if self._count is None:
            suffix = '.' + self._ext
            try:
                self._count = sum(1 for f in os.listdir(self._folder) if f.endswith(suffix))
            except FileNotFoundError:
                raise FileNotFoundError(f"{self._folder}: frame folder not found") from None
        return self._count

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f'frame {i} out of range (0..{n - 1})')
        return f'{self._prefix}{i + self._first:0{self._digits}d}.{self._ext}'

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


def frame_paths(folder: str, count: Optional[int], first: int = 1, digits: int = 8, ext: str = 'jpg') -> FramePaths:
    """``folder/%0<digits>d.<ext>`` for `count` frames numbered from `first` (None: count the files on first use)."""
    return FramePaths(folder, count, first, digits, ext)


def mask_paths(seq_dir: str, count: int, first: int = 1) -> Optional[FramePaths]:
    """Paths ``masks/%08d.png`` when the sequence folder has a ``masks/`` folder, else None."""
    folder = os.path.join(seq_dir, 'masks')
    return frame_paths(folder, count, first, 8, 'png') if os.path.isdir(folder) else None
