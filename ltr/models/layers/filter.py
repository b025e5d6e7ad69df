"""Applying a batch of correlation filters to a batch of feature maps, and its transpose (pytracking's
``ltr/models/layers/filter.py``): the building blocks of the DiMP classifier and its steepest-descent optimiser.

Shapes (``[]`` = optional dimension):

- ``feat``: ``(images, [sequences], C, H, W)``, one feature map per training/test image and sequence;
- ``filter``: ``(sequences, C, fH, fW)`` (one filter per sequence) or ``(sequences, filters, C/groups, fH, fW)``;
- scores: ``(images, sequences, yH, yW)`` or ``(images, sequences, filters, yH, yW)``, with
  ``yH = H + 1 - fH % 2`` padded by ``fH // 2`` (an even filter gives one more output row/column).
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn.functional as F

__all__ = ['apply_filter', 'apply_feat_transpose', 'filter_gradient']


def _num_sequences(feat: torch.Tensor) -> int:
    return feat.shape[1] if feat.dim() == 5 else 1


def apply_filter(feat: torch.Tensor, filter: torch.Tensor,
                 dilation_factors: Optional[Dict[int, int]] = None) -> torch.Tensor:
    """Correlate every image of sequence ``s`` with filter ``s`` (a grouped ``conv2d``).

    `dilation_factors` (multiple filters only) maps a dilation to how many consecutive filters use it.
    """
    multiple_filters = filter.dim() == 5
    padding = (filter.shape[-2] // 2, filter.shape[-1] // 2)
    num_images = feat.shape[0]
    num_sequences = _num_sequences(feat)
    num_channels = feat.shape[-3]
    groups = num_channels // filter.shape[-3]
    num_filters = filter.shape[1] if multiple_filters else 1
    if num_filters % groups != 0 or num_channels % groups != 0:
        raise ValueError(f"apply_filter: {num_channels} feature channels do not split into groups of "
                         f"filter depth {filter.shape[-3]} ({num_filters} filters)")
    stacked = feat.reshape(num_images, -1, feat.shape[-2], feat.shape[-1])

    if not multiple_filters:
        scores = F.conv2d(stacked, filter, padding=padding, groups=num_sequences)
        return scores.reshape(num_images, num_sequences, scores.shape[-2], scores.shape[-1])

    if dilation_factors is None:
        scores = F.conv2d(stacked, filter.reshape(-1, *filter.shape[-3:]), padding=padding,
                          groups=num_sequences * groups)
        return scores.reshape(num_images, num_sequences, -1, scores.shape[-2], scores.shape[-1])

    parts, start = [], 0
    for dilation, count in dilation_factors.items():
        part = filter[:, start:start + count].contiguous()
        pad = [p + dilation - 1 for p in padding]
        s = F.conv2d(stacked, part.reshape(-1, *part.shape[-3:]), padding=pad, groups=num_sequences * groups,
                     dilation=dilation)
        parts.append(s.reshape(num_images, num_sequences, -1, s.shape[-2], s.shape[-1]))
        start += count
    return torch.cat(parts, dim=2)


def apply_feat_transpose(feat: torch.Tensor, input: torch.Tensor, filter_ksz: Union[int, Tuple[int, int]],
                         training: bool = True, groups: int = 1) -> torch.Tensor:
    """The adjoint of :func:`apply_filter` with respect to the filter: ``sum_images feat^T * input``.

    `input` (e.g. residuals) has the score shape; the result has the filter shape ``(sequences, C, fH, fW)``
    (or ``(sequences, filters, C, fH, fW)`` for 5-dimensional `input`). ``<apply_filter(feat, f), r> =
    <f, apply_feat_transpose(feat, r)>`` for every filter ``f``. `training` is accepted for upstream
    compatibility (upstream picks between two equivalent implementations).
    """
    if groups != 1:
        raise NotImplementedError('apply_feat_transpose: only groups=1 is implemented (as upstream)')
    ksz = (filter_ksz, filter_ksz) if isinstance(filter_ksz, int) else tuple(filter_ksz)
    num_images = feat.shape[0]
    num_sequences = _num_sequences(feat)
    multiple_filters = input.dim() == 5
    num_filters = input.shape[2] if multiple_filters else 1
    pad = [k // 2 for k in ksz]

    # Channels of all (image, sequence) pairs become the batch; each pair is correlated with its own
    # input map (one group per pair), which gives d<scores>/d<filter> for every channel at once.
    grad = F.conv2d(feat.reshape(-1, feat.shape[-3], feat.shape[-2], feat.shape[-1]).permute(1, 0, 2, 3),
                    input.reshape(-1, 1, input.shape[-2], input.shape[-1]),
                    padding=pad, groups=num_images * num_sequences)
    # grad: (C, images * sequences * filters, fH', fW'); crop to the filter size (odd/even kernels)
    grad = grad[..., :ksz[0], :ksz[1]]
    if multiple_filters:
        grad = grad.reshape(-1, num_images, num_sequences, num_filters, ksz[0], ksz[1]).sum(dim=1)
        return grad.permute(1, 2, 0, 3, 4)
    grad = grad.reshape(-1, num_images, num_sequences, ksz[0], ksz[1]).sum(dim=1)
    return grad.permute(1, 0, 2, 3)


def filter_gradient(feat: torch.Tensor, filter: torch.Tensor, label: Optional[torch.Tensor] = None,
                    training: bool = True) -> torch.Tensor:
    """Gradient of ``0.5 * ||apply_filter(feat, filter) - label||^2`` with respect to `filter`."""
    residuals = apply_filter(feat, filter)
    if label is not None:
        residuals = residuals - label
    return apply_feat_transpose(feat, residuals, (filter.shape[-2], filter.shape[-1]), training=training)
