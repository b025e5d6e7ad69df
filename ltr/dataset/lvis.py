"""LVIS reader through the ``lvis`` API, with masks: every annotation is a one-frame sequence.

Layout: ``<root>/annotations/lvis_v1_<split>.json`` (or ``lvis_v0.5_<split>.json``) and COCO 2017
images in ``<root>/images/train2017`` / ``val2017``. LVIS v0.5 images carry ``file_name``; v1 images
only ``coco_url``, whose last two parts give ``<folder>/<file>``. Boxes ``[x, y, w, h]``; masks
from ``ann_to_mask`` (``ltr/dataset/lvis.py`` upstream).
"""
from __future__ import annotations

import os
from typing import Dict, Optional

import numpy as np
from lvis.lvis import LVIS as LVISApi

from ltr.admin.environment import env_settings
from ltr.data.annotations import AnnotationError
from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_image_dataset import BaseImageDataset
from ltr.dataset.json_file import read_json


class _PreloadedLVIS(LVISApi):
    """The lvis API over already-parsed JSON content (so parse errors can name the file and line)."""

    def __init__(self, content: Dict):
        self._content = content
        super().__init__('<preloaded>')

    def _load_json(self, path):
        return self._content


def annotation_file(root: str, split: str) -> str:
    """The LVIS annotation file of `split` under `root` (v1 preferred over v0.5)."""
    for version in ('v1', 'v0.5'):
        path = os.path.join(root, 'annotations', f'lvis_{version}_{split}.json')
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"LVIS root '{root}' has neither annotations/lvis_v1_{split}.json "
                            f"nor annotations/lvis_v0.5_{split}.json")


class LVIS(BaseImageDataset):
    """LVIS instances with masks (see the module docstring)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader, split: str = 'train',
                 min_area: Optional[float] = None):
        root = env_settings().require_dir('lvis_dir') if root is None else root
        super().__init__('lvis', root, image_loader)
        self.anno_path = annotation_file(root, split)
        content = read_json(self.anno_path)
        for key in ('images', 'annotations', 'categories'):
            if key not in content:
                raise AnnotationError(f"{self.anno_path}: no '{key}' entry")
        self.lvis_set = _PreloadedLVIS(content)
        self.split = split
        self.cats = self.lvis_set.cats
        self.sequence_list = [a for a, ann in self.lvis_set.anns.items()
                              if min_area is None or ann.get('area', 0) > min_area]
        self.class_list = sorted({c['name'] for c in self.cats.values()})

    def has_mask(self) -> bool:
        return True

    def has_class_info(self) -> bool:
        return True

    def _ann(self, seq_id: int) -> Dict:
        return self.lvis_set.anns[self.sequence_list[seq_id]]

    def _image_path(self, image: Dict) -> str:
        if 'file_name' in image:
            return os.path.join(self.root, 'images', f'{self.split}2017', image['file_name'])
        folder, name = image['coco_url'].rstrip('/').split('/')[-2:]
        return os.path.join(self.root, 'images', folder, name)

    def _box(self, seq_id: int):
        return self._ann(seq_id)['bbox']

    def _image(self, seq_id: int) -> np.ndarray:
        return self.image_loader(self._image_path(self.lvis_set.imgs[self._ann(seq_id)['image_id']]))

    def _mask(self, seq_id: int) -> np.ndarray:
        return self.lvis_set.ann_to_mask(self._ann(seq_id))

    def get_meta_info(self, seq_id: int) -> Dict:
        cat = self.cats.get(self._ann(seq_id)['category_id'], {})
        return {'object_class_name': cat.get('name'), 'motion_class': None, 'major_class': None,
                'root_class': None, 'motion_adverb': None}
