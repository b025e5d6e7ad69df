"""YouTube-VOS reader with masks (AR ``ltr/dataset/ardataset/youtube_vos.py``): one sequence per object.

Layout: ``<root>/train/meta.json`` (``videos -> <id> -> objects -> <k> -> frames``),
``<root>/train/JPEGImages/<video>/<frame>.jpg`` and palette PNGs
``<root>/train/Annotations/<video>/<frame>.png`` whose pixel value is the object id. For every
annotated frame (the union of the objects' frame lists) each object covering more than
`min_pixels` pixels (upstream 1000) gets an entry; an object's sequence is its entries in frame
order (frames where it is absent or too small are skipped, as upstream). Boxes are the
inclusive-pixel box of the object's mask. The parsed PNGs are cached.

Difference from upstream: upstream reads the PNG as grayscale and uses grey levels as ids; we
read the palette index, the id YouTube-VOS writes (the same split into objects, correct ids).
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from PIL import Image

from ltr.admin.environment import env_settings
from ltr.data.annotations import AnnotationError
from ltr.data.bounding_box_utils import mask_to_xywh
from ltr.data.image_loader import ImageReadError, default_image_loader
from ltr.dataset.base_video_dataset import BaseVideoDataset, frames_of_annotation, valid_and_visible
from ltr.dataset.json_file import read_json
from ltr.dataset.metadata_cache import load_or_build


def read_instance_mask(path: str) -> np.ndarray:
    """Object ids of a YouTube-VOS/DAVIS annotation PNG as uint8 ``H x W`` (palette index; grey for 'L' files)."""
    try:
        with Image.open(path) as im:
            if im.mode not in ('P', 'L'):
                im = im.convert('L')
            return np.array(im, dtype=np.uint8)
    except FileNotFoundError:
        raise ImageReadError(f"{path}: no such file") from None
    except OSError as e:
        raise ImageReadError(f"{path}: cannot be decoded ({e})") from None


def _video_entries(ann_dir: str, video: str, frames: List[str], min_pixels: int) -> Dict[int, List[Dict]]:
    per_object: Dict[int, List[Dict]] = {}
    for frame in frames:
        ids = read_instance_mask(os.path.join(ann_dir, video, frame + '.png'))
        h, w = ids.shape
        for obj_id in np.unique(ids):
            if obj_id == 0:
                continue
            mask = ids == obj_id
            if int(mask.sum()) <= min_pixels:
                continue
            per_object.setdefault(int(obj_id), []).append(
                {'file_name': f'{video}/{frame}', 'id': int(obj_id), 'h': h, 'w': w,
                 'bbox': mask_to_xywh(mask).tolist()})
    return per_object


class YouTubeVOS(BaseVideoDataset):
    """YouTube-VOS objects with masks (see the module docstring)."""

    def __init__(self, root: Optional[str] = None, image_loader=default_image_loader, min_length: int = 0,
                 max_target_area: float = 1, min_pixels: int = 1000, cache_dir: Optional[str] = None):
        root = env_settings().require_dir('youtubevos_dir') if root is None else root
        meta_path = os.path.join(root, 'train', 'meta.json')
        if not os.path.isfile(meta_path):
            raise FileNotFoundError(f"YouTube-VOS root '{root}' has no train/meta.json")
        super().__init__('youtube_vos', root, image_loader)
        seqs = load_or_build('youtubevos', root, lambda: self._parse(meta_path, min_pixels), version=1,
                             options=f'min_pixels={min_pixels}', sources=[meta_path], cache_dir=cache_dir)
        self.sequence_list = [s for s in seqs if len(s) >= min_length and self._first_ratio(s) < max_target_area]

    @staticmethod
    def _first_ratio(seq: List[Dict]) -> float:
        b = seq[0]
        return float(np.sqrt(b['bbox'][2] * b['bbox'][3] / float(b['h'] * b['w'])))

    def _parse(self, meta_path: str, min_pixels: int) -> List[List[Dict]]:
        meta = read_json(meta_path)
        try:
            videos = meta['videos']
        except (KeyError, TypeError):
            raise AnnotationError(f"{meta_path}: no 'videos' entry") from None
        ann_dir = os.path.join(self.root, 'train', 'Annotations')
        seqs = []
        for video, info in videos.items():
            frames = sorted({f for obj in info.get('objects', {}).values() for f in obj.get('frames', [])})
            per_object = _video_entries(ann_dir, video, frames, min_pixels)
            seqs += [per_object[k] for k in sorted(per_object)]
        return seqs

    def has_mask(self) -> bool:
        return True

    def get_sequence_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        bbox = torch.tensor([e['bbox'] for e in self.sequence_list[seq_id]], dtype=torch.float32).reshape(-1, 4)
        return valid_and_visible(bbox)

    def get_frames(self, seq_id: int, frame_ids: Sequence[int], anno: Optional[Dict] = None):
        seq = self.sequence_list[seq_id]
        frames, masks = [], []
        for f in frame_ids:
            entry = seq[f]
            frames.append(self.image_loader(os.path.join(self.root, 'train', 'JPEGImages', entry['file_name'] + '.jpg')))
            ids = read_instance_mask(os.path.join(self.root, 'train', 'Annotations', entry['file_name'] + '.png'))
            masks.append(torch.from_numpy((ids == entry['id']).astype(np.float32)))
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        anno_frames = frames_of_annotation(anno, frame_ids)
        anno_frames['mask'] = masks
        return frames, anno_frames, None


Youtube_VOS = YouTubeVOS  # upstream class name
