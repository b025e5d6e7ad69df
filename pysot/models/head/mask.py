"""SiamMask's mask heads (STVIR/pysot ``pysot/models/head/mask.py``): the depth-wise correlation mask branch and
the refine module that turns one correlation vector into a 127 x 127 mask with the backbone's skip features.

Facts reproduced (key names in ``spec/checkpoints/siammask_r50_l3.json``):

* :class:`MaskCorr` is a :class:`DepthwiseXCorr` (``conv_kernel``, ``conv_search``, ``head``) with 3969 = 63 x 63
  outputs that also returns the correlation feature (B, 256, S, S) the refine module reads.
* :class:`Refine` at score-map position ``pos = (row, col)``: the correlation vector ``(256, 1, 1)`` is
  deconvolved (15 x 15, stride 15) to ``(32, 15, 15)``; then three stages, each ``post_i(upsample(h_i(out) +
  v_i(skip_i)))`` with nearest-neighbour upsampling to 31, 61 and 127, where the skips are windows of the
  search image's features at the position: layer2 (512 ch, padded by 4, 15 x 15 at ``pos``), layer1 (256 ch,
  padded by 8, 31 x 31 at ``2 pos``) and conv1 (64 ch, padded by 16, 61 x 61 at ``4 pos``). Output: the
  (B, 127 * 127) mask logits.
"""
from __future__ import annotations

from typing import Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from pysot.core.xcorr import xcorr_depthwise
from pysot.models.head.rpn import DepthwiseXCorr

__all__ = ['MaskCorr', 'Refine']


class MaskCorr(DepthwiseXCorr):
    """Mask branch: template/search 3x3 conv-BN-ReLU, depth-wise correlation, 1x1 head to `out_channels`."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int, kernel_size: int = 3) -> None:
        super().__init__(in_channels, hidden, out_channels, kernel_size)

    def forward(self, kernel: torch.Tensor, search: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """(mask logits (B, out, S, S), correlation feature (B, hidden, S, S))."""
        feature = xcorr_depthwise(self.conv_search(search), self.conv_kernel(kernel))
        return self.head(feature), feature


def _two_convs(cin: int, mid: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, mid, 3, padding=1), nn.ReLU(inplace=True),
                         nn.Conv2d(mid, cout, 3, padding=1), nn.ReLU(inplace=True))


class Refine(nn.Module):
    """SiamMask's refine module (see the module docstring); ``v*`` read the skips, ``h*`` the upsampled path."""

    OUT = 127

    def __init__(self) -> None:
        super().__init__()
        self.v0 = _two_convs(64, 16, 4)
        self.v1 = _two_convs(256, 64, 16)
        self.v2 = _two_convs(512, 128, 32)
        self.h2 = _two_convs(32, 32, 32)
        self.h1 = _two_convs(16, 16, 16)
        self.h0 = _two_convs(4, 4, 4)
        self.deconv = nn.ConvTranspose2d(256, 32, 15, 15)
        self.post0 = nn.Conv2d(32, 16, 3, padding=1)
        self.post1 = nn.Conv2d(16, 4, 3, padding=1)
        self.post2 = nn.Conv2d(4, 1, 3, padding=1)

    def forward(self, features: Sequence[torch.Tensor], corr_feature: torch.Tensor,
                pos: Tuple[int, int]) -> torch.Tensor:
        """Mask logits (B, 127 * 127) at score-map position `pos` = (row, col); `features` = the search image's
        conv1, layer1 and layer2 features."""
        r, c = int(pos[0]), int(pos[1])
        p0 = F.pad(features[0], [16, 16, 16, 16])[:, :, 4 * r:4 * r + 61, 4 * c:4 * c + 61]
        p1 = F.pad(features[1], [8, 8, 8, 8])[:, :, 2 * r:2 * r + 31, 2 * c:2 * c + 31]
        p2 = F.pad(features[2], [4, 4, 4, 4])[:, :, r:r + 15, c:c + 15]
        p3 = corr_feature[:, :, r, c].reshape(-1, corr_feature.shape[1], 1, 1)
        out = self.deconv(p3)
        out = self.post0(F.interpolate(self.h2(out) + self.v2(p2), size=(31, 31), mode='nearest'))
        out = self.post1(F.interpolate(self.h1(out) + self.v1(p1), size=(61, 61), mode='nearest'))
        out = self.post2(F.interpolate(self.h0(out) + self.v0(p0), size=(self.OUT, self.OUT), mode='nearest'))
        return out.reshape(-1, self.OUT * self.OUT)
