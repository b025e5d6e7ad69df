"""TrackingNet training reader: ``<root>/TRAIN_<k>/anno/<seq>.txt`` and ``TRAIN_<k>/frames/<seq>/<i>.jpg``.

Frames are numbered from 0 without padding (``0.jpg``, ``1.jpg``, ...), boxes are comma-separated
``x,y,w,h`` (``ltr/dataset/tracking_net.py`` upstream). TrackingNet has no occlusion labels:
visible = valid box.
"""
from __future__ import annotations

import os
import re
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ltr.admin.environment import env_settings
from ltr.data.annotations import read_boxes
from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_video_dataset import BaseVideoDataset, frames_of_annotation, valid_and_visible
from ltr.dataset.metadata_cache import load_or_build

_CHUNK = re.compile(r'^TRAIN_(\d+)$')


class TrackingNet(BaseVideoDataset):
    """TrackingNet training chunks `set_ids` (None: every ``TRAIN_<k>`` folder present)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader,
                 set_ids: Optional[Sequence[int]] = None, cache_dir: Optional[str] = None):
        root = env_settings().require_dir('trackingnet_dir') if root is None else root
        if not os.path.isdir(root):
            raise FileNotFoundError(f"TrackingNet root '{root}' does not exist")
        super().__init__('TrackingNet', root, image_loader)
        present = sorted(int(m.group(1)) for m in map(_CHUNK.match, os.listdir(root)) if m)
        if set_ids is None:
            set_ids = present
        missing = [k for k in set_ids if k not in present]
        if missing:
            raise FileNotFoundError(f"TrackingNet root '{root}' has no TRAIN_{missing[0]} folder")
        if not set_ids:
            raise FileNotFoundError(f"TrackingNet root '{root}' holds no TRAIN_<k> folder")
        chunks = [os.path.join(root, f'TRAIN_{k}') for k in set_ids]
        listing = load_or_build('trackingnet', root, lambda: self._scan(set_ids), options=f'sets={list(set_ids)}',
                                version=1, sources=[os.path.join(c, 'anno') for c in chunks], cache_dir=cache_dir)
        self.sequence_list = [(int(k), name) for k, name in listing]

    def _scan(self, set_ids: Sequence[int]) -> List[list]:
        seqs = []
        for k in set_ids:
            anno_dir = os.path.join(self.root, f'TRAIN_{k}', 'anno')
            if not os.path.isdir(anno_dir):
                raise FileNotFoundError(f"{anno_dir}: no such folder")
            seqs += [[int(k), f[:-4]] for f in sorted(os.listdir(anno_dir)) if f.endswith('.txt')]
        return seqs

    def _chunk(self, seq_id: int) -> str:
        return os.path.join(self.root, f'TRAIN_{self.sequence_list[seq_id][0]}')

    def get_sequence_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        path = os.path.join(self._chunk(seq_id), 'anno', self.sequence_list[seq_id][1] + '.txt')
        return valid_and_visible(torch.from_numpy(read_boxes(path).astype(np.float32)))

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[Dict] = None):
        frame_dir = os.path.join(self._chunk(seq_id), 'frames', self.sequence_list[seq_id][1])
        frames = [self.image_loader(os.path.join(frame_dir, f'{f}.jpg')) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        return frames, frames_of_annotation(anno, frame_ids), None
