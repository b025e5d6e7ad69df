"""Convolutions on tensors or TensorLists (pytracking ``libs/operation.py`` semantics).

Used by the ATOM/ECO-style filters: ``conv2d`` with a ``mode`` that picks the padding, ``conv1x1`` as a
matrix product over the channel dimension.
"""
from __future__ import annotations

from typing import Optional, Union

import torch
import torch.nn.functional as F

from pytracking.libs.tensorlist import tensor_operation

__all__ = ['conv2d', 'conv1x1']


@tensor_operation
def conv2d(input: torch.Tensor, weight: Optional[torch.Tensor], bias: Optional[torch.Tensor] = None,
           stride: Union[int, tuple] = 1, padding: Union[int, tuple] = 0, dilation: Union[int, tuple] = 1,
           groups: int = 1, mode: Optional[str] = None) -> torch.Tensor:
    """``F.conv2d`` where `mode` may replace `padding`: ``'same'`` (output of the input's size; even filters are
    padded by k//2 and the last row/column is dropped, as upstream ``libs/operation.py``), ``'valid'`` (no
    padding) or ``'full'``. A `weight` of None returns `input` (upstream)."""
    if weight is None:
        return input
    if mode is None:
        return F.conv2d(input, weight, bias, stride, padding, dilation, groups)
    if padding != 0:
        raise ValueError("conv2d: give either padding or mode, not both")
    keep_h = keep_w = None
    if mode == 'same':
        padding = ((weight.shape[2] // 2) * dilation, (weight.shape[3] // 2) * dilation)
        keep_h = -1 if weight.shape[2] % 2 == 0 else None
        keep_w = -1 if weight.shape[3] % 2 == 0 else None
    elif mode == 'valid':
        padding = (0, 0)
    elif mode == 'full':
        padding = ((weight.shape[2] - 1) * dilation, (weight.shape[3] - 1) * dilation)
    else:
        raise ValueError(f"conv2d: unknown mode {mode!r}; use 'same', 'valid', 'full' or None")
    out = F.conv2d(input, weight, bias, stride, padding, dilation, groups)
    return out[:, :, :keep_h, :keep_w]


@tensor_operation
def conv1x1(input: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """1x1 convolution as a matrix product: input (N, C, H, W), weight (D, C) or (D, C, 1, 1) -> (N, D, H, W)."""
    if weight.dim() == 4:
        if weight.shape[2:] != (1, 1):
            raise ValueError(f"conv1x1: weight must be (D, C) or (D, C, 1, 1), got {tuple(weight.shape)}")
        weight = weight.reshape(weight.shape[0], weight.shape[1])
    if input.dim() != 4 or input.shape[1] != weight.shape[1]:
        raise ValueError(f"conv1x1: input {tuple(input.shape)} does not match weight {tuple(weight.shape)}")
    n, c, h, w = input.shape
    return torch.matmul(weight, input.reshape(n, c, h * w)).reshape(n, weight.shape[0], h, w)
