"""ImageNet VID reader: tracklets from ``<root>/Annotations/VID/train/<set>/<video>/%06d.xml``.

Frames: ``<root>/Data/VID/train/<set>/<video>/%06d.JPEG``. A tracklet starts at the first frame
holding its ``trackid`` and ends before the first later frame without it (``ltr/dataset/imagenetvid.py``
upstream). Boxes ``[xmin, ymin, xmax - xmin, ymax - ymin]``. Visible = valid box, or also
``<occluded>0`` with ``use_target_visible=True``. Sequences can be filtered by length and by the
first box's share of the image (``max_target_area``). The parsed XMLs are cached.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ltr.admin.environment import env_settings
from ltr.data.image_loader import default_image_loader
from ltr.dataset.base_video_dataset import BaseVideoDataset, frames_of_annotation, valid_and_visible
from ltr.dataset.imagenet_xml import image_size, object_box, parse_xml, text_of
from ltr.dataset.metadata_cache import load_or_build


def target_to_image_ratio(seq: Dict) -> float:
    """sqrt(area of the first box / image area)."""
    w, h = seq['anno'][0][2], seq['anno'][0][3]
    return float(np.sqrt(max(w * h, 0) / float(seq['image_size'][0] * seq['image_size'][1])))


def _video_tracklets(anno_dir: str, set_name: str, vid_name: str) -> List[Dict]:
    files = sorted(f for f in os.listdir(anno_dir) if f.endswith('.xml'))
    if not files:
        return []
    roots = [parse_xml(os.path.join(anno_dir, f)) for f in files]
    size = image_size(roots[0], os.path.join(anno_dir, files[0]))
    first_number = int(files[0][:-4])
    per_frame = []
    for f, r in zip(files, roots):
        path = os.path.join(anno_dir, f)
        per_frame.append({text_of(o, 'trackid', path): (o, path) for o in r.findall('object')})
    starts = {}
    for i, objs in enumerate(per_frame):
        for tid in objs:
            starts.setdefault(tid, i)
    tracklets = []
    for tid, start in starts.items():
        boxes, occluded, class_name = [], [], None
        for objs in per_frame[start:]:
            if tid not in objs:
                break
            obj, path = objs[tid]
            class_name = class_name or text_of(obj, 'name', path)
            boxes.append(object_box(obj, path))
            occ = obj.find('occluded')
            occluded.append(occ is not None and (occ.text or '0').strip() != '0')
        tracklets.append({'set': set_name, 'video': vid_name, 'class_name': class_name,
                          'start_frame': first_number + start, 'anno': boxes,
                          'target_visible': [not o for o in occluded], 'image_size': list(size)})
    return tracklets


class ImagenetVID(BaseVideoDataset):
    """ImageNet VID tracklets (see the module docstring)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader, min_length: int = 0,
                 max_target_area: float = 1, use_target_visible: bool = False, cache_dir: Optional[str] = None):
        root = env_settings().require_dir('imagenet_dir') if root is None else root
        anno_root = os.path.join(root, 'Annotations', 'VID', 'train')
        if not os.path.isdir(anno_root):
            raise FileNotFoundError(f"ImageNet VID root '{root}' has no Annotations/VID/train folder")
        super().__init__('ImagenetVID', root, image_loader)
        seqs = load_or_build('imagenetvid', root, lambda: self._parse(anno_root), version=1,
                             sources=[anno_root], cache_dir=cache_dir)
        self.sequence_list = [s for s in seqs if len(s['anno']) >= min_length and
                              target_to_image_ratio(s) < max_target_area]
        self.use_target_visible = use_target_visible
        self.class_list = sorted({s['class_name'] for s in self.sequence_list})

    @staticmethod
    def _parse(anno_root: str) -> List[Dict]:
        seqs = []
        for set_name in sorted(os.listdir(anno_root)):
            set_dir = os.path.join(anno_root, set_name)
            if not os.path.isdir(set_dir):
                continue
            for vid_name in sorted(os.listdir(set_dir)):
                if os.path.isdir(os.path.join(set_dir, vid_name)):
                    seqs += _video_tracklets(os.path.join(set_dir, vid_name), set_name, vid_name)
        return seqs

    def get_sequence_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        seq = self.sequence_list[seq_id]
        bbox = torch.tensor(seq['anno'], dtype=torch.float32).reshape(-1, 4)
        visible = torch.tensor(seq['target_visible'], dtype=torch.bool) if self.use_target_visible else None
        return valid_and_visible(bbox, visible)

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[Dict] = None):
        seq = self.sequence_list[seq_id]
        folder = os.path.join(self.root, 'Data', 'VID', 'train', seq['set'], seq['video'])
        frames = [self.image_loader(os.path.join(folder, f"{seq['start_frame'] + f:06d}.JPEG")) for f in frame_ids]
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        meta = {'object_class_name': seq['class_name'], 'motion_class': None, 'major_class': None,
                'root_class': None, 'motion_adverb': None}
        return frames, frames_of_annotation(anno, frame_ids), meta
