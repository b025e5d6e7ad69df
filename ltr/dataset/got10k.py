"""GOT-10k training reader: ``<root>`` is the ``train`` folder (``ltr/dataset/got10k.py`` upstream).

``<root>/list.txt`` names the sequence folders; each holds ``groundtruth.txt`` (comma floats),
``absence.label`` and ``cover.label`` (one integer per line), ``meta_info.ini`` (``key: value``
lines) and frames ``%08d.jpg`` from 1 (optional ``masks/%08d.png``). Visible = not absent, cover > 0
and a valid box; ``visible_ratio`` = cover / 8.

Splits index into ``list.txt`` with the files of ``ltr/data_specs``: ``train``, ``val``,
``vottrain``, ``votval`` (the val/vot splits are subsets of the official train set).
"""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ltr.admin.environment import env_settings
from ltr.data.annotations import AnnotationError, list_file, read_boxes, read_flags
from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_video_dataset import BaseVideoDataset, frames_of_annotation, valid_and_visible
from ltr.dataset.metadata_cache import load_or_build
from ltr.dataset.sequence_files import has_mask_folder, read_frame_masks

DATA_SPECS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'data_specs')
SPLIT_FILES = {'train': 'got10k_train_split.txt', 'val': 'got10k_val_split.txt',
               'vottrain': 'got10k_vot_train_split.txt', 'votval': 'got10k_vot_val_split.txt'}
META_KEYS = {'object_class': 'object_class_name', 'motion_class': 'motion_class', 'major_class': 'major_class',
             'root_class': 'root_class', 'motion_adverb': 'motion_adverb'}


def read_meta_info(path: str) -> Dict[str, Optional[str]]:
    """Object/motion classes from a ``meta_info.ini`` (``key: value`` lines); None for absent keys or file."""
    meta = OrderedDict((v, None) for v in META_KEYS.values())
    if not os.path.isfile(path):
        return meta
    with open(path, 'r', errors='replace') as f:
        for line in f:
            key, sep, value = line.partition(':')
            if sep and key.strip() in META_KEYS:
                meta[META_KEYS[key.strip()]] = value.strip()
    return meta


def read_split_ids(path: str) -> List[int]:
    """Integer sequence indices, one per line, of a split file."""
    ids = []
    for lineno, line in enumerate(list_file(path), 1):
        if not line.isdigit():
            raise AnnotationError(f"{path}, line {lineno}: not a sequence index: '{line}'")
        ids.append(int(line))
    return ids


class Got10k(BaseVideoDataset):
    """GOT-10k train-folder sequences of a split (see the module docstring)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader, split: Optional[str] = None,
                 seq_ids: Optional[Sequence[int]] = None, cache_dir: Optional[str] = None):
        root = env_settings().require_dir('got10k_dir') if root is None else root
        list_path = os.path.join(root, 'list.txt')
        if not os.path.isfile(list_path):
            raise FileNotFoundError(f"GOT-10k root '{root}' has no list.txt (got10k_dir must be the 'train' folder)")
        super().__init__('GOT10k', root, image_loader)
        meta = load_or_build('got10k', root, lambda: self._build_meta(list_path), version=1,
                             sources=[list_path], cache_dir=cache_dir)
        all_seqs = meta['sequences']
        if split is not None and seq_ids is not None:
            raise ValueError("Got10k: give either split or seq_ids, not both")
        if split is not None:
            if split not in SPLIT_FILES:
                raise ValueError(f"Got10k: unknown split '{split}' (use one of {', '.join(SPLIT_FILES)})")
            split_file = os.path.join(DATA_SPECS, SPLIT_FILES[split])
            if not os.path.isfile(split_file):
                raise FileNotFoundError(f"{split_file}: split file missing (pytracking's ltr/data_specs/"
                                        f"{SPLIT_FILES[split]}, one index into list.txt per line)")
            seq_ids = read_split_ids(split_file)
        elif seq_ids is None:
            seq_ids = range(len(all_seqs))
        bad = [i for i in seq_ids if not 0 <= i < len(all_seqs)]
        if bad:
            raise ValueError(f"Got10k: sequence index {bad[0]} out of range: {list_path} lists {len(all_seqs)} sequences")
        self.sequence_list = [all_seqs[i] for i in seq_ids]
        self.sequence_meta_info = {s: meta['meta'][s] for s in self.sequence_list}
        with_masks = set(meta['with_masks'])
        self._has_mask = bool(self.sequence_list) and all(s in with_masks for s in self.sequence_list)
        self.seq_per_class = {}
        for i, s in enumerate(self.sequence_list):
            self.seq_per_class.setdefault(self.sequence_meta_info[s]['object_class_name'], []).append(i)
        self.class_list = sorted(c for c in self.seq_per_class if c is not None)

    def _build_meta(self, list_path: str) -> Dict:
        seqs = [line.split(',')[0] for line in list_file(list_path)]
        meta = {s: read_meta_info(os.path.join(self.root, s, 'meta_info.ini')) for s in seqs}
        with_masks = [s for s in seqs if has_mask_folder(os.path.join(self.root, s))]
        return {'sequences': seqs, 'meta': meta, 'with_masks': with_masks}

    def has_class_info(self) -> bool:
        return True

    def has_occlusion_info(self) -> bool:
        return True

    def has_mask(self) -> bool:
        return self._has_mask

    def get_sequences_in_class(self, class_name: str) -> List[int]:
        return self.seq_per_class[class_name]

    def get_class_name(self, seq_id: int) -> Optional[str]:
        return self.sequence_meta_info[self.sequence_list[seq_id]]['object_class_name']

    def _sequence_path(self, seq_id: int) -> str:
        return os.path.join(self.root, self.sequence_list[seq_id])

    def get_sequence_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        seq_path = self._sequence_path(seq_id)
        bbox = torch.from_numpy(read_boxes(os.path.join(seq_path, 'groundtruth.txt')).astype(np.float32))
        absence = read_flags(os.path.join(seq_path, 'absence.label'))
        cover = read_flags(os.path.join(seq_path, 'cover.label'))
        for name, flags in (('absence.label', absence), ('cover.label', cover)):
            if len(flags) != bbox.shape[0]:
                raise AnnotationError(f"{os.path.join(seq_path, name)}: {len(flags)} labels for {bbox.shape[0]} boxes")
        info = valid_and_visible(bbox, torch.from_numpy((absence == 0) & (cover > 0)))
        info['visible_ratio'] = torch.from_numpy(cover.astype(np.float32) / 8)
        return info

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[Dict] = None):
        seq_path = self._sequence_path(seq_id)
        frames = [self.image_loader(os.path.join(seq_path, f'{f + 1:08d}.jpg')) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        anno_frames = frames_of_annotation(anno, frame_ids)
        if self._has_mask:
            anno_frames['mask'] = read_frame_masks(seq_path, frame_ids)
        return frames, anno_frames, self.sequence_meta_info[self.sequence_list[seq_id]]
