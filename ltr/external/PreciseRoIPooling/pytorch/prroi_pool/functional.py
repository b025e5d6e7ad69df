"""Precise RoI pooling as a closed form in plain PyTorch (differentiable, batched over boxes).

Semantics follow the upstream operator (vacancy/PreciseRoIPooling ``prroi_pooling_gpu_impl.cu``):

* the feature map is the bilinear interpolant of its samples, sample ``(i, j)`` sitting at the
  continuous position ``(y, x) = (i, j)``; samples outside the map are zero, so the interpolant
  fades linearly to 0 over the one cell beyond the border and is 0 further out;
* a box ``[b, x1, y1, x2, y2]`` is scaled by ``spatial_scale`` (no half-pixel offset); its size is
  ``max(x2 - x1, 0)`` by ``max(y2 - y1, 0)``, cut into ``pooled_height x pooled_width`` equal bins;
* each output is the exact integral of the interpolant over its bin divided by the bin area, and 0
  when the bin area is 0.

The interpolant is ``f(y, x) = sum_ij F[i, j] hat(y - i) hat(x - j)`` with ``hat(t) = max(0, 1 - |t|)``,
so the integral over a bin ``[y0, y1] x [x0, x1]`` separates into
``sum_ij F[i, j] Wy[i] Wx[j]`` with ``Wy[i] = G(y1 - i) - G(y0 - i)``, ``G`` the antiderivative of
``hat``. The per-box weight matrices ``(K, ph, H)`` and ``(K, pw, W)`` are built in one shot and
contracted with the features by one matrix product over the columns and one
batched (per box) product over the rows; autograd gives the exact gradients with
respect to the features and to the box coordinates.
"""
from __future__ import annotations

from typing import Tuple

import torch


def hat_antiderivative(t: torch.Tensor) -> torch.Tensor:
    """``G(t) = integral of max(0, 1 - |s|) for s from -inf to t`` (0 below -1, 1 above 1, C1 everywhere)."""
    u = t.clamp(-1.0, 1.0)
    return torch.where(u <= 0, 0.5 * (u + 1.0) ** 2, 1.0 - 0.5 * (1.0 - u) ** 2)


def bin_weights(start: torch.Tensor, end: torch.Tensor, num_bins: int, size: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Integration weights of the samples along one axis for every bin of every box.

    args:
        start, end: (K,) box extent along the axis, in feature-map cells.
        num_bins: bins along the axis; size: feature-map length along the axis.
    returns:
        weights (K, num_bins, size) with ``weights[k, p, i]`` = integral of ``hat(t - i)`` over bin p,
        and the bin length (K,) (``max(end - start, 0) / num_bins``).
    """
    bin_len = (end - start).clamp(min=0) / num_bins
    steps = torch.arange(num_bins, dtype=start.dtype, device=start.device)
    lo = start[:, None] + bin_len[:, None] * steps                     # (K, P) bin starts
    hi = lo + bin_len[:, None]                                         # (K, P) bin ends
    grid = torch.arange(size, dtype=start.dtype, device=start.device)  # sample positions
    weights = hat_antiderivative(hi[:, :, None] - grid) - hat_antiderivative(lo[:, :, None] - grid)
    return weights, bin_len


def _check_inputs(features: torch.Tensor, rois: torch.Tensor) -> None:
    if features.dim() != 4:
        raise ValueError(f"prroi_pool2d: features must be (B, C, H, W), got shape {tuple(features.shape)}")
    if rois.dim() != 2 or rois.shape[1] != 5:
        raise ValueError(f"prroi_pool2d: rois must be (K, 5) [batch_index, x1, y1, x2, y2], got shape {tuple(rois.shape)}")
    if not features.is_floating_point():
        raise TypeError(f"prroi_pool2d: features must be a floating-point tensor, got {features.dtype}")


def _batch_indices(rois: torch.Tensor, batch_size: int) -> torch.Tensor:
    idx = rois[:, 0].detach()
    as_long = idx.round().long()
    if rois.shape[0] and (bool((idx != as_long.to(idx.dtype)).any()) or int(as_long.min()) < 0
                          or int(as_long.max()) >= batch_size):
        raise ValueError(f"prroi_pool2d: rois[:, 0] must be integer batch indices in [0, {batch_size - 1}], "
                         f"got values in [{float(idx.min())}, {float(idx.max())}]")
    return as_long


def _pool_one_image(feat: torch.Tensor, boxes: torch.Tensor, pooled_height: int, pooled_width: int) -> torch.Tensor:
    """Pool boxes (K, 4) [x1, y1, x2, y2] (feature cells) from one feature map (C, H, W) -> (K, C, ph, pw)."""
    _, height, width = feat.shape
    wy, bin_h = bin_weights(boxes[:, 1], boxes[:, 3], pooled_height, height)   # (K, ph, H)
    wx, bin_w = bin_weights(boxes[:, 0], boxes[:, 2], pooled_width, width)     # (K, pw, W)
    num, channels = boxes.shape[0], feat.shape[0]
    # Contract W for all boxes in one GEMM: (C*H, W) @ (W, K*pw) -> (C, H, K, pw).
    cols = (feat.reshape(channels * height, width) @ wx.permute(2, 0, 1).reshape(width, num * pooled_width))
    cols = cols.reshape(channels, height, num, pooled_width).permute(2, 1, 0, 3).reshape(num, height, channels * pooled_width)
    # Then H per box, batched over boxes: (K, ph, H) @ (K, H, C*pw) -> (K, C, ph, pw).
    integral = torch.bmm(wy, cols).reshape(num, pooled_height, channels, pooled_width).permute(0, 2, 1, 3)
    area = bin_h * bin_w
    # Upstream: a bin of zero area pools to 0. The safe denominator keeps the gradient finite there.
    positive = area > 0
    safe_area = torch.where(positive, area, torch.ones_like(area))
    pooled = integral / safe_area[:, None, None, None]
    return torch.where(positive[:, None, None, None], pooled, torch.zeros_like(pooled))


def prroi_pool2d(features: torch.Tensor, rois: torch.Tensor, pooled_height: int, pooled_width: int,
                 spatial_scale: float) -> torch.Tensor:
    """Precise RoI pooling of `rois` (K, 5) ``[batch_index, x1, y1, x2, y2]`` (input-image pixels)
    from `features` (B, C, H, W) -> (K, C, pooled_height, pooled_width).

    Differentiable with respect to `features` and to the box coordinates ``rois[:, 1:]``.
    """
    _check_inputs(features, rois)
    batch, channels = features.shape[:2]
    boxes = rois[:, 1:].to(features.dtype) * spatial_scale
    if rois.shape[0] == 0:
        return features.new_zeros((0, channels, pooled_height, pooled_width))
    batch_idx = _batch_indices(rois, batch)
    if batch == 1:
        return _pool_one_image(features[0], boxes, pooled_height, pooled_width)

    # Several images: pool each image's boxes together (a loop over images, not boxes), then put the
    # results back in the boxes' order.
    order = torch.argsort(batch_idx, stable=True)
    counts = torch.bincount(batch_idx, minlength=batch).tolist()
    sorted_boxes = boxes[order].split(counts)
    parts = [_pool_one_image(features[b], sorted_boxes[b], pooled_height, pooled_width)
             for b in range(batch) if counts[b]]
    pooled_sorted = torch.cat(parts, dim=0)
    return pooled_sorted[torch.argsort(order)]
