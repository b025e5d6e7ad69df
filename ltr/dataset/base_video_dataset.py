"""The interface every training dataset implements (video datasets; image datasets are one-frame videos).

A dataset is a list of sequences. For a sequence id it gives:

- ``get_sequence_info(seq_id)`` -> dict with ``bbox`` (float32 tensor ``(N, 4)``, xywh pixels),
  ``valid`` (bool ``(N,)``: the box is usable, w > 0 and h > 0), ``visible`` (bool ``(N,)``: the
  target is in view and not fully occluded) and, for datasets with masks, ``has_mask`` True;
- ``get_frames(seq_id, frame_ids, anno=None)`` -> ``(frames, anno_frames, meta)``: frames are RGB
  uint8 ``H x W x 3`` arrays, ``anno_frames`` maps each key of the sequence info to a list with one
  entry per requested frame, plus ``mask`` (float32 ``H x W`` tensors in {0, 1}) when the dataset
  has masks; ``meta`` holds the object class and motion labels where known (else None).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import torch

from ltr.data.image_loader import default_image_loader


class BaseVideoDataset(torch.utils.data.Dataset):
    """Base class of the training datasets (see the module docstring for the contract)."""

    def __init__(self, name: str, root: str, image_loader=default_image_loader):
        self.name = name
        self.root = root
        self.image_loader = image_loader
        self.sequence_list: List = []
        self.class_list: List[str] = []

    def __len__(self) -> int:
        return self.get_num_sequences()

    def __getitem__(self, index):
        raise NotImplementedError("use get_frames(seq_id, frame_ids) through a sampler, not indexing")

    def is_video_sequence(self) -> bool:
        """True for video datasets; image datasets (COCO, DET, saliency) return False."""
        return True

    def is_synthetic_video_dataset(self) -> bool:
        """True when the 'video' is made from one image (augmentation only)."""
        return False

    def get_name(self) -> str:
        return self.name

    def get_num_sequences(self) -> int:
        return len(self.sequence_list)

    def has_class_info(self) -> bool:
        return False

    def has_occlusion_info(self) -> bool:
        return False

    def has_mask(self) -> bool:
        """True when ``get_frames`` returns a ``mask`` for every frame."""
        return False

    def get_num_classes(self) -> int:
        return len(self.class_list)

    def get_class_list(self) -> List[str]:
        return self.class_list

    def get_sequences_in_class(self, class_name: str) -> List[int]:
        raise NotImplementedError(f"{self.name} has no class information")

    def get_sequence_info(self, seq_id: int) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def get_frames(self, seq_id: int, frame_ids: Sequence[int],
                   anno: Optional[Dict] = None) -> Tuple[list, Dict[str, list], Optional[Dict]]:
        raise NotImplementedError


def frames_of_annotation(anno: Dict[str, torch.Tensor], frame_ids: Sequence[int]) -> Dict[str, list]:
    """Pick the rows of every per-frame annotation tensor for `frame_ids` (helper for ``get_frames``)."""
    return {key: [value[f, ...].clone() for f in frame_ids]
            for key, value in anno.items() if isinstance(value, torch.Tensor) and value.dim() >= 1}


def valid_and_visible(bbox: torch.Tensor, visible: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
    """Standard ``valid``/``visible`` flags: valid = positive size; visible = valid and not flagged absent."""
    valid = (bbox[:, 2] > 0) & (bbox[:, 3] > 0)
    vis = valid.clone() if visible is None else (visible.bool() & valid)
    return {'bbox': bbox, 'valid': valid, 'visible': vis}
