"""LaSOT training reader: ``<root>/<class>/<class>-<k>/`` (``ltr/dataset/lasot.py`` upstream).

Per sequence: ``groundtruth.txt`` (one ``x,y,w,h`` line per frame, integers, as LaSOT writes it),
``full_occlusion.txt`` and ``out_of_view.txt`` (one comma-separated line of 0/1), frames
``img/%08d.jpg`` from 1, optional ``masks/%08d.png``. A frame is visible when it is neither fully
occluded nor out of view (and its box is valid). Boxes are used as written, as upstream.

Splits: ``split='train'`` uses ``<root>/training_set.txt`` when present (synthetic trees), else
``ltr/data_specs/lasot_train_split.txt`` (the 1120 official training sequences); ``split='test'``
uses ``<root>/testing_set.txt`` when present, else every sequence on disk not in the train list.
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


def _scan_sequences(root: str) -> List[str]:
    """All ``<class>-<k>`` sequence folders under `root`, sorted by class then number."""
    seqs = []
    for cls in sorted(os.listdir(root)):
        cls_dir = os.path.join(root, cls)
        if not os.path.isdir(cls_dir):
            continue
        for name in os.listdir(cls_dir):
            if name.startswith(cls + '-') and os.path.isdir(os.path.join(cls_dir, name)):
                seqs.append(name)
    return sorted(seqs, key=lambda s: (s.rsplit('-', 1)[0], int(s.rsplit('-', 1)[1]) if s.rsplit('-', 1)[1].isdigit() else 0))


class Lasot(BaseVideoDataset):
    """LaSOT sequences of a split (see the module docstring)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader, split: Optional[str] = None,
                 vid_ids: Optional[Sequence[int]] = None, cache_dir: Optional[str] = None):
        root = env_settings().require_dir('lasot_dir') if root is None else root
        if not os.path.isdir(root):
            raise FileNotFoundError(f"LaSOT root '{root}' does not exist")
        super().__init__('LaSOT', root, image_loader)
        meta = load_or_build('lasot', root, lambda: self._build_meta(root), version=1, sources=[root, os.path.join(root, 'training_set.txt')],
                             cache_dir=cache_dir)
        self.sequence_list = self._select(meta['all'], split, vid_ids)
        with_masks = set(meta['with_masks'])
        self._has_mask = bool(self.sequence_list) and all(s in with_masks for s in self.sequence_list)
        self.class_list = sorted({s.rsplit('-', 1)[0] for s in self.sequence_list})
        self.seq_per_class = {}
        for i, s in enumerate(self.sequence_list):
            self.seq_per_class.setdefault(s.rsplit('-', 1)[0], []).append(i)

    def _build_meta(self, root: str) -> Dict:
        seqs = _scan_sequences(root)
        with_masks = [s for s in seqs if has_mask_folder(os.path.join(root, s.rsplit('-', 1)[0], s))]
        return {'all': seqs, 'with_masks': with_masks}

    def _select(self, on_disk: List[str], split: Optional[str], vid_ids: Optional[Sequence[int]]) -> List[str]:
        if split is not None and vid_ids is not None:
            raise ValueError("Lasot: give either split or vid_ids, not both")
        if vid_ids is not None:  # upstream: vid_ids select <class>-<id> of every class
            ids = set(int(v) for v in vid_ids)
            return [s for s in on_disk if int(s.rsplit('-', 1)[1]) in ids]
        if split is None:
            return list(on_disk)
        if split not in ('train', 'test'):
            raise ValueError(f"Lasot: unknown split '{split}' (use 'train' or 'test')")
        local = os.path.join(self.root, f'{split}ing_set.txt')
        if os.path.isfile(local):
            wanted = list_file(local)
        else:
            train = list_file(os.path.join(DATA_SPECS, 'lasot_train_split.txt'))
            wanted = train if split == 'train' else [s for s in on_disk if s not in set(train)]
        present = set(on_disk)
        missing = [s for s in wanted if s not in present]
        if missing:
            raise FileNotFoundError(f"LaSOT root '{self.root}' lacks {len(missing)} sequence(s) of split '{split}', "
                                    f"e.g. {missing[0]}")
        return wanted

    def has_class_info(self) -> bool:
        return True

    def has_occlusion_info(self) -> bool:
        return True

    def has_mask(self) -> bool:
        return self._has_mask

    def get_sequences_in_class(self, class_name: str) -> List[int]:
        return self.seq_per_class[class_name]

    def _sequence_path(self, seq_id: int) -> str:
        name = self.sequence_list[seq_id]
        return os.path.join(self.root, name.rsplit('-', 1)[0], name)

    def _read_visible(self, seq_path: str, n: int) -> torch.Tensor:
        occlusion = read_flags(os.path.join(seq_path, 'full_occlusion.txt'))
        out_of_view = read_flags(os.path.join(seq_path, 'out_of_view.txt'))
        for path, flags in (('full_occlusion.txt', occlusion), ('out_of_view.txt', out_of_view)):
            if len(flags) != n:
                raise AnnotationError(f"{os.path.join(seq_path, path)}: {len(flags)} flags for {n} boxes")
        return torch.from_numpy((occlusion == 0) & (out_of_view == 0))

    def get_sequence_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        seq_path = self._sequence_path(seq_id)
        bbox = torch.from_numpy(read_boxes(os.path.join(seq_path, 'groundtruth.txt')).astype(np.float32))
        return valid_and_visible(bbox, self._read_visible(seq_path, bbox.shape[0]))

    def get_meta_info(self, seq_id: int) -> Dict:
        return OrderedDict({'object_class_name': self.sequence_list[seq_id].rsplit('-', 1)[0], 'motion_class': None,
                            'major_class': None, 'root_class': None, 'motion_adverb': None})

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[Dict] = None):
        seq_path = self._sequence_path(seq_id)
        frames = [self.image_loader(os.path.join(seq_path, 'img', f'{f + 1:08d}.jpg')) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        anno_frames = frames_of_annotation(anno, frame_ids)
        if self._has_mask:
            anno_frames['mask'] = read_frame_masks(seq_path, frame_ids)
        return frames, anno_frames, self.get_meta_info(seq_id)
