"""Box conversions, IoU and clipping: the one place for box arithmetic.

Boxes are ``(x, y, w, h)`` (top-left corner, pixels, float) unless a function name says
``xyxy`` (corners) or ``cxcywh`` (centre and size). Functions work on numpy arrays and torch
tensors alike, on a single box ``(4,)`` or on a stack ``(..., 4)``.

The module does not import torch: a tensor can only exist once torch is imported, so tensors are recognised
through ``sys.modules`` (evaluation, which is NumPy only, never loads torch through here).
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Optional, Sequence, Tuple, Union

import numpy as np

if TYPE_CHECKING:
    import torch

Array = Union[np.ndarray, 'torch.Tensor']


def _torch_if_tensor(x: Any):
    """The torch module when `x` is a tensor, else None."""
    torch = sys.modules.get('torch')
    return torch if torch is not None and isinstance(x, torch.Tensor) else None


def _stack(parts, like: Array) -> Array:
    torch = _torch_if_tensor(like)
    if torch is not None:
        return torch.stack(parts, dim=-1)
    return np.stack(parts, axis=-1)


def xywh_to_xyxy(box: Array) -> Array:
    """``(x, y, w, h)`` -> ``(x1, y1, x2, y2)`` with ``x2 = x + w`` (continuous corners)."""
    return _stack([box[..., 0], box[..., 1], box[..., 0] + box[..., 2], box[..., 1] + box[..., 3]], box)


def xyxy_to_xywh(box: Array) -> Array:
    """``(x1, y1, x2, y2)`` -> ``(x, y, w, h)`` with ``w = x2 - x1``."""
    return _stack([box[..., 0], box[..., 1], box[..., 2] - box[..., 0], box[..., 3] - box[..., 1]], box)


def xywh_to_cxcywh(box: Array) -> Array:
    """``(x, y, w, h)`` -> ``(cx, cy, w, h)`` with ``cx = x + w/2`` (continuous centre)."""
    return _stack([box[..., 0] + 0.5 * box[..., 2], box[..., 1] + 0.5 * box[..., 3], box[..., 2], box[..., 3]], box)


def cxcywh_to_xywh(box: Array) -> Array:
    """``(cx, cy, w, h)`` -> ``(x, y, w, h)``."""
    return _stack([box[..., 0] - 0.5 * box[..., 2], box[..., 1] - 0.5 * box[..., 3], box[..., 2], box[..., 3]], box)


def iou_xywh(a: Array, b: Array) -> Array:
    """IoU of boxes with continuous corners (``x2 = x + w``); 0 where the union is empty."""
    torch = _torch_if_tensor(a)
    lib = torch if torch is not None else np
    x1 = lib.maximum(a[..., 0], b[..., 0])
    y1 = lib.maximum(a[..., 1], b[..., 1])
    x2 = lib.minimum(a[..., 0] + a[..., 2], b[..., 0] + b[..., 2])
    y2 = lib.minimum(a[..., 1] + a[..., 3], b[..., 1] + b[..., 3])
    # an overlap is never wider than the narrower box: x + w - x can round above w (w tiny next to x),
    # which made the IoU of a box with itself exceed 1
    iw = lib.minimum(x2 - x1, lib.minimum(a[..., 2], b[..., 2])).clip(min=0)
    ih = lib.minimum(y2 - y1, lib.minimum(a[..., 3], b[..., 3])).clip(min=0)
    inter = iw * ih
    union = a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - inter
    if torch is not None:
        return torch.where(union > 0, inter / union.clamp(min=1e-12), torch.zeros_like(union))
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def is_valid_xywh(box: Sequence[float]) -> bool:
    """True when the box is finite and has positive width and height."""
    b = np.asarray(box, dtype=np.float64).reshape(-1)
    return b.size == 4 and bool(np.all(np.isfinite(b))) and b[2] > 0 and b[3] > 0


def overlaps_image(box: Sequence[float], image_hw: Tuple[int, int]) -> bool:
    """True when the xywh box shares some area with an image of size `image_hw` = (H, W)."""
    x, y, w, h = (float(v) for v in np.asarray(box, dtype=np.float64).reshape(4))
    H, W = image_hw
    return x < W and y < H and x + w > 0 and y + h > 0


def clip_box_xywh(box: Sequence[float], image_hw: Tuple[int, int], min_sz: float = 10) -> np.ndarray:
    """Clip a box to the image as upstream ``pytracking/RF_utils.py bbox_clip`` (min size `min_sz`).

    ``x1`` is clamped to ``[0, W - min_sz]`` and ``x2`` to ``[min_sz, W]`` (same for y), then the
    box is returned as float64 xywh. This is the state the arena feeds back to base trackers.
    """
    x, y, w, h = (float(v) for v in np.asarray(box, dtype=np.float64).reshape(4))
    H, W = image_hw
    x1 = max(0.0, min(x, W - min_sz))
    y1 = max(0.0, min(y, H - min_sz))
    x2 = max(float(min_sz), min(x + w, float(W)))
    y2 = max(float(min_sz), min(y + h, float(H)))
    return np.array([x1, y1, x2 - x1, y2 - y1], dtype=np.float64)


def mask_to_xywh(mask: np.ndarray) -> np.ndarray:
    """Tight box of the non-zero pixels: ``x = x_min``, ``w = x_max - x_min + 1`` (inclusive pixels).

    Returns ``[0, 0, 0, 0]`` for an empty mask.
    """
    ys, xs = np.nonzero(np.asarray(mask))
    if xs.size == 0:
        return np.zeros(4, dtype=np.float64)
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    return np.array([x0, y0, x1 - x0 + 1, y1 - y0 + 1], dtype=np.float64)


def iou_xywh_inclusive(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU with inclusive pixel corners, as the LaSOT/OTB toolkits' ``calcRectInt.m``.

    ``right = x + w - 1`` and each axis' intersection is ``min(right) - max(left) + 1`` (clipped
    at 0); areas are ``w * h``. Works on ``(..., 4)`` numpy arrays; NaN where the union is 0.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    # same operation order as calcRectInt.m, so results agree to the last bit
    right_a, right_b = (a[..., 0] + a[..., 2]) - 1, (b[..., 0] + b[..., 2]) - 1
    top_a, top_b = (a[..., 1] + a[..., 3]) - 1, (b[..., 1] + b[..., 3]) - 1
    iw = np.maximum(0, (np.minimum(right_a, right_b) - np.maximum(a[..., 0], b[..., 0])) + 1)
    ih = np.maximum(0, (np.minimum(top_a, top_b) - np.maximum(a[..., 1], b[..., 1])) + 1)
    inter = iw * ih
    with np.errstate(divide='ignore', invalid='ignore'):
        return inter / (a[..., 2] * a[..., 3] + b[..., 2] * b[..., 3] - inter)


def rect_to_rel(box: torch.Tensor, sz_norm: Optional[torch.Tensor] = None) -> torch.Tensor:
    """xywh -> the IoU-Net 'relative' box space ``(cx / s_w, cy / s_h, log w, log h)`` (upstream
    ``ltr/data/bounding_box_utils.py rect_to_rel``); ``s = sz_norm``, or the box's own size when None."""
    centre = box[..., :2] + 0.5 * box[..., 2:]
    centre_rel = centre / (box[..., 2:] if sz_norm is None else sz_norm)
    import torch
    return torch.cat((centre_rel, torch.log(box[..., 2:])), dim=-1)


def rel_to_rect(box_rel: torch.Tensor, sz_norm: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Inverse of :func:`rect_to_rel`: relative box space -> xywh."""
    import torch
    size = torch.exp(box_rel[..., 2:])
    centre = box_rel[..., :2] * (size if sz_norm is None else sz_norm)
    return torch.cat((centre - 0.5 * size, size), dim=-1)
