"""Saliency reader with masks (AR ``ltr/dataset/ardataset/saliency.py``): one image, one object.

Layout: ``<root>/images/%08d.jpg`` and ``<root>/gt/%08d.png`` (uint8, 255 = object). The box is the
inclusive-pixel box of the non-zero ground-truth pixels (upstream: box of the external contours);
the mask is ``gt == 255``. The boxes are cached.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional

import numpy as np

from ltr.admin.environment import env_settings
from ltr.data.bounding_box_utils import mask_to_xywh
from ltr.data.image_loader import default_image_loader, imread_mask
from ltr.dataset.base_image_dataset import BaseImageDataset
from ltr.dataset.metadata_cache import load_or_build


class Saliency(BaseImageDataset):
    """Saliency images with masks (see the module docstring)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader, name: str = 'saliency',
                 cache_dir: Optional[str] = None):
        root = env_settings().require_dir('saliency_dir') if root is None else root
        gt_dir = os.path.join(root, 'gt')
        if not os.path.isdir(gt_dir) or not os.path.isdir(os.path.join(root, 'images')):
            raise FileNotFoundError(f"saliency root '{root}' needs images/ and gt/ folders")
        super().__init__(name, root, image_loader)
        boxes = load_or_build('saliency', root, lambda: self._parse(gt_dir), version=1, sources=[gt_dir],
                              cache_dir=cache_dir)
        self.sequence_list: List[str] = sorted(boxes)
        self._boxes: Dict[str, list] = boxes

    @staticmethod
    def _parse(gt_dir: str) -> Dict[str, list]:
        names = sorted(f[:-4] for f in os.listdir(gt_dir) if f.endswith('.png'))
        return {n: mask_to_xywh(imread_mask(os.path.join(gt_dir, n + '.png')) > 0).tolist() for n in names}

    def has_mask(self) -> bool:
        return True

    def _box(self, seq_id: int):
        return self._boxes[self.sequence_list[seq_id]]

    def _image(self, seq_id: int) -> np.ndarray:
        return self.image_loader(os.path.join(self.root, 'images', self.sequence_list[seq_id] + '.jpg'))

    def _mask(self, seq_id: int) -> np.ndarray:
        return imread_mask(os.path.join(self.root, 'gt', self.sequence_list[seq_id] + '.png')) == 255
