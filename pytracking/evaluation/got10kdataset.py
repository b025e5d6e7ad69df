"""GOT-10k reader: ``<root>/<split>/list.txt``, per sequence ``groundtruth.txt``, ``absence.label``,
``cover.label`` and ``meta_info.ini`` (all optional but the ground truth); frames ``%08d.jpg`` from 1.

The real test split has only the first box; the synthetic generator keeps full ground truth there.
"""
from __future__ import annotations

import os
import re
from typing import Optional

import numpy as np

from ltr.data.annotations import list_file, read_boxes
from pytracking.evaluation.data import Sequence, SequenceList, frame_paths, mask_paths
from pytracking.evaluation.readers_common import read_flag_file, require_file, resolve_root

SPLITS = ('train', 'val', 'test')
_RESOLUTION = re.compile(r'^\s*resolution\s*:\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)', re.MULTILINE)


def _meta(seq_dir: str) -> tuple:
    """(object class, (width, height)) from ``meta_info.ini`` where present."""
    path = os.path.join(seq_dir, 'meta_info.ini')
    if not os.path.isfile(path):
        return None, None
    with open(path, 'r') as f:
        text = f.read()
    cls = re.search(r'^\s*object_class\s*:\s*(.+?)\s*$', text, re.MULTILINE)
    res = _RESOLUTION.search(text)
    return (cls.group(1) if cls else None), ((int(res.group(1)), int(res.group(2))) if res else None)


def read_got10k_sequence(split_dir: str, name: str, dataset: str = 'got10k') -> Sequence:
    """One GOT-10k-layout sequence; visible = not absent and cover > 0 where the labels exist."""
    seq_dir = os.path.join(split_dir, name)
    gt = read_boxes(require_file(os.path.join(seq_dir, 'groundtruth.txt')))
    n = gt.shape[0]
    visible = None
    absence = os.path.join(seq_dir, 'absence.label')
    cover = os.path.join(seq_dir, 'cover.label')
    if n > 1 and os.path.isfile(absence):
        visible = read_flag_file(absence, n) == 0
    if n > 1 and os.path.isfile(cover):
        cov = read_flag_file(cover, n) > 0
        visible = cov if visible is None else visible & cov
    cls, resolution = _meta(seq_dir)
    count = n if n > 1 else None  # the test split annotates only frame 1: count the frames instead
    return Sequence(name=name, frames=frame_paths(seq_dir, count), dataset=dataset, ground_truth_rect=gt,
                    object_class=cls, target_visible=visible, masks=mask_paths(seq_dir, count),
                    resolution=resolution)


def got10k_dataset(root: Optional[str] = None, split: str = 'val', dataset: str = 'got10k') -> SequenceList:
    """GOT-10k sequences of `split` (train/val/test); `root` (holding the split folders) defaults to
    ``env_settings().got10k_path``."""
    if split not in SPLITS:
        raise ValueError(f"GOT-10k split must be one of {SPLITS}, got '{split}'")
    split_dir = os.path.join(resolve_root(root, 'got10k_path'), split)
    names = list_file(os.path.join(split_dir, 'list.txt'))
    return SequenceList(read_got10k_sequence(split_dir, s, dataset) for s in names)
