"""Image datasets (COCO, LVIS, ImageNet DET, saliency) as one-frame videos of the BaseVideoDataset interface.

Every object instance is a "sequence" of one frame. ``get_frames`` ignores the frame ids (upstream
samplers pass 1 for image datasets) and returns the one image once per requested id.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch

from ltr.dataset.base_video_dataset import BaseVideoDataset, valid_and_visible


class BaseImageDataset(BaseVideoDataset):
    """Subclasses implement ``_box(seq_id)`` (xywh), ``_image(seq_id)`` and, with masks, ``_mask(seq_id)``."""

    def is_video_sequence(self) -> bool:
        return False

    def _box(self, seq_id: int) -> Sequence[float]:
        raise NotImplementedError

    def _image(self, seq_id: int) -> np.ndarray:
        raise NotImplementedError

    def _mask(self, seq_id: int) -> np.ndarray:
        raise NotImplementedError(f"{self.name} has no masks")

    def get_meta_info(self, seq_id: int) -> Optional[Dict]:
        return None

    def get_sequence_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        bbox = torch.tensor(np.asarray(self._box(seq_id), dtype=np.float32).reshape(1, 4))
        return valid_and_visible(bbox)

    def get_frames(self, seq_id: int, frame_ids: Sequence[int],
                   anno: Optional[Dict] = None) -> Tuple[list, Dict[str, list], Optional[Dict]]:
        if anno is None:
            anno = self.get_sequence_info(seq_id)
        image = self._image(seq_id)
        frames = [image.copy() for _ in frame_ids]
        anno_frames = {k: [v[0, ...].clone() for _ in frame_ids]
                       for k, v in anno.items() if isinstance(v, torch.Tensor) and v.dim() >= 1}
        if self.has_mask():
            mask = torch.from_numpy(np.asarray(self._mask(seq_id) > 0, dtype=np.float32))
            anno_frames['mask'] = [mask.clone() for _ in frame_ids]
        return frames, anno_frames, self.get_meta_info(seq_id)
