"""ImageNet DET reader (AR ``ltr/dataset/ardataset/imagenetdet.py``): every object is a one-frame sequence.

Layout as prepared for pysot/AR: ``<root>/Annotations/DET/train/<sub>/...xml`` and
``<root>/Data/DET/train/<sub>/...JPEG`` with sub-sets ``a`` (``<wnid>/<name>.xml``, one level
deeper) and ``b``..``h`` (``<name>.xml``); upstream leaves out ``i``. Boxes
``[xmin, ymin, xmax - xmin, ymax - ymin]``. The parsed XMLs are cached.
"""
from __future__ import annotations

import glob
import os
from typing import Dict, List, Optional, Sequence

import numpy as np

from ltr.admin.environment import env_settings
from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_image_dataset import BaseImageDataset
from ltr.dataset.imagenet_xml import image_size, object_box, parse_xml, text_of
from ltr.dataset.metadata_cache import load_or_build

DEFAULT_SUBSETS = ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h')


class ImagenetDET(BaseImageDataset):
    """ImageNet DET objects (see the module docstring)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader, min_length: int = 0,
                 max_target_area: float = 1, subsets: Sequence[str] = DEFAULT_SUBSETS, cache_dir: Optional[str] = None):
        root = env_settings().require_dir('imagenetdet_dir') if root is None else root
        anno_root = os.path.join(root, 'Annotations', 'DET', 'train')
        if not os.path.isdir(anno_root):
            raise FileNotFoundError(f"ImageNet DET root '{root}' has no Annotations/DET/train folder")
        super().__init__('ImagenetDET', root, image_loader)
        seqs = load_or_build('imagenetdet', root, lambda: self._parse(anno_root, subsets), version=1,
                             options=f'subsets={list(subsets)}', sources=[anno_root], cache_dir=cache_dir)
        self.sequence_list = [s for s in seqs if np.sqrt(max(s['anno'][2] * s['anno'][3], 0) /
                                                         float(s['image_size'][0] * s['image_size'][1])) < max_target_area]
        self.class_list = sorted({s['class_name'] for s in self.sequence_list})

    @staticmethod
    def _parse(anno_root: str, subsets: Sequence[str]) -> List[Dict]:
        seqs = []
        for sub in subsets:
            sub_dir = os.path.join(anno_root, sub)
            pattern = os.path.join(sub_dir, '*', '*.xml') if sub == 'a' else os.path.join(sub_dir, '*.xml')
            for xml in sorted(glob.glob(pattern)):
                root = parse_xml(xml)
                size = image_size(root, xml)
                rel = os.path.relpath(xml, anno_root)[:-4] + '.JPEG'
                for obj in root.findall('object'):
                    seqs.append({'path': rel, 'anno': object_box(obj, xml), 'image_size': list(size),
                                 'class_name': text_of(obj, 'name', xml)})
        return seqs

    def _box(self, seq_id: int):
        return self.sequence_list[seq_id]['anno']

    def _image(self, seq_id: int) -> np.ndarray:
        return self.image_loader(os.path.join(self.root, 'Data', 'DET', 'train', self.sequence_list[seq_id]['path']))

    def get_meta_info(self, seq_id: int) -> Dict:
        return {'object_class_name': self.sequence_list[seq_id]['class_name'], 'motion_class': None,
                'major_class': None, 'root_class': None, 'motion_adverb': None}
