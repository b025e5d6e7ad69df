"""COCO 2017 reader through pycocotools: every non-crowd instance is a one-frame sequence.

Layout: ``<root>/annotations/instances_<split>2017.json`` and images in ``<root>/images/<split>2017/``
(pytracking) or ``<root>/<split>2017/`` (AR). Boxes are COCO's ``[x, y, w, h]``. ``MSCOCOSeq``
is the recipe's box-only reader (``with_masks=False``, as upstream's SEcm recipe); ``MSCOCOSeq17``
returns the instance masks too (``annToMask``, AR ``coco_seq_17.py``).
"""
from __future__ import annotations

import contextlib
import io
import os
from typing import Dict, Optional

import numpy as np

from ltr.admin.environment import env_settings
from ltr.data.annotations import AnnotationError
from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_image_dataset import BaseImageDataset
from ltr.dataset.json_file import read_json


def image_folder(root: str, split: str) -> str:
    """``images/<split>2017`` when present, else ``<split>2017``."""
    nested = os.path.join(root, 'images', f'{split}2017')
    return nested if os.path.isdir(nested) else os.path.join(root, f'{split}2017')


def load_coco(path: str):
    """A pycocotools ``COCO`` index of `path` (JSON errors name the file and line; no chatter on stdout)."""
    from pycocotools.coco import COCO
    content = read_json(path)
    for key in ('images', 'annotations', 'categories'):
        if key not in content:
            raise AnnotationError(f"{path}: no '{key}' entry")
    api = COCO()
    api.dataset = content
    with contextlib.redirect_stdout(io.StringIO()):
        api.createIndex()
    return api


class MSCOCOSeq(BaseImageDataset):
    """COCO 2017 non-crowd instances (see the module docstring)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader, split: str = 'train',
                 with_masks: bool = False, min_area: Optional[float] = None):
        root = env_settings().require_dir('coco_dir') if root is None else root
        if split not in ('train', 'val'):
            raise ValueError(f"MSCOCOSeq: split must be 'train' or 'val', got '{split}'")
        super().__init__('coco', root, image_loader)
        self.anno_path = os.path.join(root, 'annotations', f'instances_{split}2017.json')
        self.img_path = image_folder(root, split)
        self.coco_set = load_coco(self.anno_path)
        self.cats = self.coco_set.cats
        self.with_masks = with_masks
        self.sequence_list = [a for a, ann in self.coco_set.anns.items() if not ann.get('iscrowd', 0) and
                              (min_area is None or ann.get('area', 0) > min_area)]
        self.class_list = sorted({c['name'] for c in self.cats.values()})

    def has_mask(self) -> bool:
        return self.with_masks

    def has_class_info(self) -> bool:
        return True

    def _ann(self, seq_id: int) -> Dict:
        return self.coco_set.anns[self.sequence_list[seq_id]]

    def _box(self, seq_id: int):
        return self._ann(seq_id)['bbox']

    def _image(self, seq_id: int) -> np.ndarray:
        info = self.coco_set.imgs[self._ann(seq_id)['image_id']]
        return self.image_loader(os.path.join(self.img_path, info['file_name']))

    def _mask(self, seq_id: int) -> np.ndarray:
        return self.coco_set.annToMask(self._ann(seq_id))

    def get_meta_info(self, seq_id: int) -> Dict:
        cat = self.cats.get(self._ann(seq_id)['category_id'], {})
        return {'object_class_name': cat.get('name'), 'motion_class': None, 'major_class': cat.get('supercategory'),
                'root_class': None, 'motion_adverb': None}


class MSCOCOSeq17(MSCOCOSeq):
    """COCO 2017 instances with masks (AR ``MSCOCOSeq17``)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader, split: str = 'train',
                 min_area: Optional[float] = None):
        super().__init__(root, image_loader, split=split, with_masks=True, min_area=min_area)
        self.name = 'coco17'
