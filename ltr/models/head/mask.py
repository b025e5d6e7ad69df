"""Fine mask head of SEcm_r34 (upstream ``ltr/models/head/mask.py`` ``Mask_Predictor_fine``).

SiamMask-style refinement: the fused correlation feature (input/16) is upsampled step by step and
added to adjusted low-level backbone features (layer2 at input/8, layer1 at input/4, conv1 at
input/2); the logits are upsampled to the input size before the sigmoid.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_relu_pair(in_planes: int, mid_planes: int, out_planes: int) -> nn.Sequential:
    """Two 3x3 convs (bias) each followed by ReLU; keys ``0`` and ``2``."""
    return nn.Sequential(nn.Conv2d(in_planes, mid_planes, 3, padding=1), nn.ReLU(inplace=True),
                         nn.Conv2d(mid_planes, out_planes, 3, padding=1), nn.ReLU(inplace=True))


def upsample(x: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear resize to size x size (align_corners=False, as upstream's ``F.interpolate``)."""
    return F.interpolate(x, size=(size, size), mode='bilinear', align_corners=False)


class Mask_Predictor_fine(nn.Module):
    """Mask head: (fused feat, [conv1, layer1, layer2] adjusted features) -> (B, 1, S, S) probabilities.

    args:
        input_sz: crop size S (256); the intermediate sizes are S/8, S/4 and S/2.
        low_channels: channels of the adjusted (S/2, S/4, S/8) skip features (upstream: 64, 256, 512).
    """

    def __init__(self, input_sz: int = 256, low_channels: Sequence[int] = (64, 256, 512)):
        super().__init__()
        if input_sz % 8:
            raise ValueError(f"Mask_Predictor_fine: input_sz must be a multiple of 8, got {input_sz}")
        self.input_sz = input_sz
        self.v0 = conv_relu_pair(low_channels[0], 16, 4)
        self.v1 = conv_relu_pair(low_channels[1], 64, 16)
        self.v2 = conv_relu_pair(low_channels[2], 128, 32)
        self.h2 = conv_relu_pair(64, 32, 32)
        self.h1 = conv_relu_pair(16, 16, 16)
        self.h0 = conv_relu_pair(4, 4, 4)
        self.post0 = nn.Conv2d(32, 16, 3, padding=1)
        self.post1 = nn.Conv2d(16, 4, 3, padding=1)
        self.post2 = nn.Conv2d(4, 1, 3, padding=1)

    def forward(self, corr_feat: torch.Tensor, low_feats: Sequence[torch.Tensor]) -> torch.Tensor:
        """`low_feats` = adjusted (S/2, S/4, S/8) skip features with ``low_channels`` channels."""
        s = self.input_sz
        out = self.post0(upsample(self.h2(corr_feat), s // 8) + self.v2(low_feats[2]))
        out = self.post1(upsample(self.h1(out), s // 4) + self.v1(low_feats[1]))
        out = self.post2(upsample(self.h0(out), s // 2) + self.v0(low_feats[0]))
        return torch.sigmoid(upsample(out, s))
