"""Depth-wise cross-correlation RPN heads (STVIR/pysot ``pysot/models/head/rpn.py``).

Output layout (what the tracker decodes): ``cls`` (B, 2A, S, S) with channels ``[0, A)`` background
and ``[A, 2A)`` foreground logits of the A anchors; ``loc`` (B, 4A, S, S) with channel blocks
``dx, dy, dw, dh`` of A channels each.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from pysot.core.xcorr import xcorr_depthwise

__all__ = ['DepthwiseXCorr', 'DepthwiseRPN', 'MultiRPN']


def _conv_bn_relu(cin: int, cout: int, kernel_size: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel_size=kernel_size, bias=False), nn.BatchNorm2d(cout),
                         nn.ReLU(inplace=True))


class DepthwiseXCorr(nn.Module):
    """Template and search branches (3x3 conv-BN-ReLU each), depth-wise correlation, then a 1x1 head."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.conv_kernel = _conv_bn_relu(in_channels, hidden, kernel_size)
        self.conv_search = _conv_bn_relu(in_channels, hidden, kernel_size)
        self.head = nn.Sequential(
            nn.Conv2d(hidden, hidden, kernel_size=1, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, out_channels, kernel_size=1),
        )

    def forward(self, kernel: torch.Tensor, search: torch.Tensor) -> torch.Tensor:
        return self.head(xcorr_depthwise(self.conv_search(search), self.conv_kernel(kernel)))


class DepthwiseRPN(nn.Module):
    """Classification (2A channels) and regression (4A channels) depth-wise correlation branches."""

    def __init__(self, anchor_num: int = 5, in_channels: int = 256, out_channels: int = 256) -> None:
        super().__init__()
        self.cls = DepthwiseXCorr(in_channels, out_channels, 2 * anchor_num)
        self.loc = DepthwiseXCorr(in_channels, out_channels, 4 * anchor_num)

    def forward(self, z_f: torch.Tensor, x_f: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.cls(z_f, x_f), self.loc(z_f, x_f)


class MultiRPN(nn.Module):
    """One :class:`DepthwiseRPN` per backbone layer (``rpn2``, ``rpn3``, ...), fused by a plain mean or,
    when `weighted`, by the softmax of the learned ``cls_weight`` / ``loc_weight`` (one entry per layer)."""

    def __init__(self, anchor_num: int, in_channels: Sequence[int], weighted: bool = False) -> None:
        super().__init__()
        self.weighted = bool(weighted)
        self.num = len(in_channels)
        for i, channels in enumerate(in_channels):
            self.add_module(f'rpn{i + 2}', DepthwiseRPN(anchor_num, channels, channels))
        if self.weighted:
            self.cls_weight = nn.Parameter(torch.ones(self.num))
            self.loc_weight = nn.Parameter(torch.ones(self.num))

    def forward(self, z_fs: List[torch.Tensor], x_fs: List[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        outputs = [getattr(self, f'rpn{i + 2}')(z, x) for i, (z, x) in enumerate(zip(z_fs, x_fs))]
        cls = [c for c, _ in outputs]
        loc = [l for _, l in outputs]
        if not self.weighted:
            return sum(cls) / len(cls), sum(loc) / len(loc)
        cls_w = F.softmax(self.cls_weight, 0)
        loc_w = F.softmax(self.loc_weight, 0)
        return (sum(c * cls_w[i] for i, c in enumerate(cls)), sum(l * loc_w[i] for i, l in enumerate(loc)))
