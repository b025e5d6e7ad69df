"""Cross-correlation ops of the Siamese heads (STVIR/pysot ``pysot/core/xcorr.py``)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ['xcorr_depthwise']


def xcorr_depthwise(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Channel-wise correlation of search features `x` (B, C, H, W) with `kernel` (B, C, h, w).

    Output (B, C, H - h + 1, W - w + 1): channel c of sample b is ``x[b, c]`` correlated (no flip, no
    padding) with ``kernel[b, c]``; one grouped convolution for the whole batch.
    """
    batch, channel = kernel.shape[:2]
    if x.shape[:2] != kernel.shape[:2]:
        raise ValueError(f"xcorr_depthwise: search {tuple(x.shape)} and kernel {tuple(kernel.shape)} differ in batch/channels")
    out = F.conv2d(x.reshape(1, batch * channel, x.shape[2], x.shape[3]),
                   kernel.reshape(batch * channel, 1, kernel.shape[2], kernel.shape[3]), groups=batch * channel)
    return out.reshape(batch, channel, out.shape[2], out.shape[3])
