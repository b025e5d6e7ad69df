"""Helpers shared by the readers of per-sequence folder layouts (LaSOT, GOT-10k, TrackingNet, synthetic).

Masks: a sequence folder may hold ``masks/%08d.png`` (uint8, 0/255; the synthetic benchmark writes
them, numbered like the frames). A reader loads them when the folder exists.
"""
from __future__ import annotations

import os
from typing import List, Sequence

import numpy as np
import torch

from ltr.data.image_loader import imread_mask

MASK_DIR = 'masks'


def has_mask_folder(seq_path: str) -> bool:
    """True when the sequence folder holds a ``masks/`` folder."""
    return os.path.isdir(os.path.join(seq_path, MASK_DIR))


def read_frame_masks(seq_path: str, frame_ids: Sequence[int], first_number: int = 1) -> List[torch.Tensor]:
    """Masks of 0-based `frame_ids` from ``masks/%08d.png`` (file number = id + `first_number`) as float 0/1."""
    out = []
    for f in frame_ids:
        m = imread_mask(os.path.join(seq_path, MASK_DIR, f'{f + first_number:08d}.png'))
        out.append(torch.from_numpy((m > 127).astype(np.float32)))
    return out
