"""Training processing of the Alpha-Refine refiner (``ltr/data/ardata/SEprocessing.py`` upstream).

For the template (train) and search (test) frames of a sample: jitter the ground-truth box
(size ``wh * exp(N(0,1) * s)`` per axis; centre ``+ sqrt(w'h') * c * (U(0,1) - 0.5)`` per axis, with
the jittered size ``w'h'``), crop around the jittered box with ``sample_target_SE`` (factor 2,
256 px, zero padding), map the ground truth into the crop with ``transform_image_to_crop_SE``
(clamped to the crop), crop the masks identically (uint8 0/1, bilinear) as float ``(1, 256, 256)``
and apply the transforms. The recipe jitters only the search frame (train 0, test 0.25), so the
template target always fills the central 128 x 128.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import cv2
import numpy as np
import torch

from ltr.data.processing_utils import sample_target_SE, transform_image_to_crop_SE
from ltr.data.tensordict import TensorDict
from ltr.data.transforms import ToTensor


def stack_tensors(x):
    """Stack a list of tensors into one tensor (other values unchanged); one tensor becomes a view."""
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], torch.Tensor):
        if len(x) == 1:  # the usual single template / search frame: no copy (the batch collation copies)
            return x[0].unsqueeze(0)
        return torch.stack(list(x))
    return x


def jittered_box(box: torch.Tensor, center_jitter: float, scale_jitter: float) -> torch.Tensor:
    """Jitter an xywh box: size ``wh * exp(N(0,1) * scale_jitter)``, centre moved by
    ``sqrt(w'h') * center_jitter * (U(0,1) - 0.5)`` per axis (torch's global generator)."""
    box = box.to(torch.float32)
    size = box[2:4] * torch.exp(torch.randn(2) * scale_jitter)
    max_offset = (size.prod().sqrt() * center_jitter).item()
    center = box[0:2] + 0.5 * box[2:4] + max_offset * (torch.rand(2) - 0.5)
    return torch.cat((center - 0.5 * size, size), dim=0)


def crop_frames_SE(frames: List[np.ndarray], crop_boxes: List[torch.Tensor], gt_boxes: List[torch.Tensor],
                   search_area_factor: float, output_sz: int, mode: int = cv2.BORDER_CONSTANT):
    """Crop every frame around its crop box; returns (crops, GT boxes in crop pixels as float32 tensors)."""
    crops, boxes = [], []
    for frame, crop_box, gt in zip(frames, crop_boxes, gt_boxes):
        crop, h_f, w_f = sample_target_SE(frame, crop_box, search_area_factor, output_sz, mode=mode)
        crops.append(crop)
        boxes.append(torch.as_tensor(transform_image_to_crop_SE(gt.to(torch.float32), crop_box, h_f, w_f,
                                                                output_sz), dtype=torch.float32))
    return crops, boxes


def crop_masks_SE(masks: List[np.ndarray], crop_boxes: List[torch.Tensor], search_area_factor: float,
                  output_sz: int, mode: int = cv2.BORDER_CONSTANT) -> List[torch.Tensor]:
    """Crop 0/1 masks like their frames: float ``(1, output_sz, output_sz)`` tensors."""
    out = []
    for mask, crop_box in zip(masks, crop_boxes):
        m = np.asarray(mask)
        m = m[..., 0] if m.ndim == 3 else m
        # no copy of the full-frame mask when it is already uint8 (the sampler hands 0/1 uint8)
        crop, _, _ = sample_target_SE(np.asarray(m, dtype=np.uint8), crop_box, search_area_factor, output_sz,
                                      mode=mode)
        out.append(torch.from_numpy(np.ascontiguousarray(crop)).float().unsqueeze(0))
    return out


class BaseProcessing:
    """Holds the 'train', 'test' and 'joint' transforms (`transform` for both frames unless overridden)."""

    def __init__(self, transform=ToTensor(), train_transform=None, test_transform=None, joint_transform=None):
        self.transform = {'train': transform if train_transform is None else train_transform,
                          'test': transform if test_transform is None else test_transform,
                          'joint': joint_transform}

    def __call__(self, data: TensorDict) -> TensorDict:
        raise NotImplementedError


class SEMaskProcessing(BaseProcessing):
    """Crops, jitter and mask crops for SEcm training (see the module docstring).

    Args:
        search_area_factor: crop side relative to the (jittered) box side (2.0).
        output_sz: crop size in pixels (256).
        center_jitter_factor, scale_jitter_factor: dicts with 'train' and 'test' amounts. An amount may also be
            a list (a mixture, our extension): each frame draws one index uniformly (torch's generator) and
            uses that entry of both lists, which must then have the same length.
        mode: 'sequence' (outputs keep a frame dimension: ``(n, 3, H, W)``) or 'pair' (one frame each).
        transform, train_transform, test_transform, joint_transform: see BaseProcessing.
    """

    def __init__(self, search_area_factor: float, output_sz: int, center_jitter_factor: Dict[str, float],
                 scale_jitter_factor: Dict[str, float], mode: str = 'pair', *args, **kwargs):
        super().__init__(*args, **kwargs)
        if mode not in ('pair', 'sequence'):
            raise ValueError(f"mode must be 'pair' or 'sequence', got '{mode}'")
        self.search_area_factor = search_area_factor
        self.output_sz = output_sz
        for split in ('train', 'test'):
            c, sc = center_jitter_factor[split], scale_jitter_factor[split]
            if isinstance(c, (list, tuple)) != isinstance(sc, (list, tuple)) or \
                    (isinstance(c, (list, tuple)) and (len(c) != len(sc) or not c)):
                raise ValueError(f"center_jitter_factor['{split}'] and scale_jitter_factor['{split}'] must both be "
                                 f"numbers or both non-empty lists of one length, got {c!r} and {sc!r}")
        self.center_jitter_factor = center_jitter_factor
        self.scale_jitter_factor = scale_jitter_factor
        self.mode = mode

    def _get_jittered_box(self, box: torch.Tensor, split: str) -> torch.Tensor:
        center, scale = self.center_jitter_factor[split], self.scale_jitter_factor[split]
        if isinstance(center, (list, tuple)):
            k = int(torch.randint(len(center), ()).item())
            center, scale = center[k], scale[k]
        return jittered_box(box, center, scale)

    def __call__(self, data: TensorDict) -> TensorDict:
        if self.transform['joint'] is not None:
            n_train = len(data['train_images'])
            joint = self.transform['joint'](*(list(data['train_images']) + list(data['test_images'])))
            joint = joint if isinstance(joint, (list, tuple)) else [joint]
            data['train_images'], data['test_images'] = list(joint[:n_train]), list(joint[n_train:])
        for s in ('train', 'test'):
            if self.mode == 'pair' and len(data[s + '_images']) != 1:
                raise ValueError(f"pair mode needs one {s} frame, got {len(data[s + '_images'])}")
            crop_boxes = [self._get_jittered_box(torch.as_tensor(a), s) for a in data[s + '_anno']]
            crops, boxes = crop_frames_SE(data[s + '_images'], crop_boxes, [torch.as_tensor(a) for a in data[s + '_anno']],
                                          self.search_area_factor, self.output_sz)
            data[s + '_images'] = [self.transform[s](c) for c in crops]
            data[s + '_anno'] = boxes
            data[s + '_masks'] = crop_masks_SE(data[s + '_masks'], crop_boxes, self.search_area_factor, self.output_sz)
        if self.mode == 'sequence':
            return data.apply(stack_tensors)
        return data.apply(lambda x: x[0] if isinstance(x, list) else x)
