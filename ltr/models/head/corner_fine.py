"""Corner head with a stride-8 refinement (ours; not an upstream module).

The coarse head (``corner_coarse.Corner_Predictor``, the upstream corner head) predicts top-left and
bottom-right logit maps at stride 16. Here they are upsampled to stride 8 (bilinear) and a small
branch adds a correction computed from the fused feature (upsampled) and a stride-8 backbone tap, so
the soft-argmax runs over a grid twice as fine and sees edge detail the stride-16 correlation lost.

The correction's last convolution starts at zero: a network warm-started from a coarse-only
checkpoint begins with (nearly) the coarse head's corners. The fine grid places cell ``j`` where the
bilinear upsampling samples the coarse map, ``stride * (j / 2 - 1/4)`` (coarse cell ``i`` sits at
``stride * i``, upstream's top-left-of-cell convention), so the warm start keeps its geometry.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.models.head.corner_coarse import Corner_Predictor, conv_bn_relu


class Corner_Predictor_s8(Corner_Predictor):
    """Coarse corner head (its keys unchanged) plus ``fine``: conv-BN-ReLU (C + skip -> fine_channels),
    conv-BN-ReLU (-> fine_channels / 2), 1x1 conv (-> 2 logit corrections, tl and br).

    args:
        inplanes, channel, feat_sz, stride: as :class:`Corner_Predictor` (stride-16 side `feat_sz`).
        skip_channels: channels of the stride-8 backbone tap (2 * feat_sz per side).
        fine_channels: width of the refinement branch.
    """

    def __init__(self, inplanes: int = 64, skip_channels: int = 40, channel: int = 256, feat_sz: int = 8,
                 stride: int = 16, fine_channels: int = 64):
        super().__init__(inplanes=inplanes, channel=channel, feat_sz=feat_sz, stride=stride)
        self.fine = nn.Sequential(conv_bn_relu(inplanes + skip_channels, fine_channels),
                                  conv_bn_relu(fine_channels, fine_channels // 2),
                                  nn.Conv2d(fine_channels // 2, 2, kernel_size=1))
        nn.init.zeros_(self.fine[2].weight)
        nn.init.zeros_(self.fine[2].bias)
        fine_sz = 2 * feat_sz
        cells = (torch.arange(fine_sz, dtype=torch.float32) / 2 - 0.25) * stride
        self.register_buffer('fine_x', cells.repeat(fine_sz), persistent=False)
        self.register_buffer('fine_y', cells.repeat_interleave(fine_sz), persistent=False)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """(B, C, feat_sz, feat_sz) fused feature and (B, skip_channels, 2 feat_sz, 2 feat_sz) tap ->
        (B, 4) corners ``(x_tl, y_tl, x_br, y_br)`` in crop pixels."""
        fine_sz = 2 * self.feat_sz
        if x.shape[-2:] != (self.feat_sz, self.feat_sz) or skip.shape[-2:] != (fine_sz, fine_sz):
            raise ValueError(f"Corner_Predictor_s8: feature {tuple(x.shape[-2:])} and skip {tuple(skip.shape[-2:])} "
                             f"must be {self.feat_sz} and {fine_sz} per side")
        coarse = torch.cat(self.get_score_maps(x), dim=1)
        up = lambda t: F.interpolate(t, size=(fine_sz, fine_sz), mode='bilinear', align_corners=False)
        logits = up(coarse) + self.fine(torch.cat((up(x), skip), dim=1))
        prob = torch.softmax(logits.flatten(2), dim=2)  # (B, 2, fine_sz^2): tl, br
        xs, ys = prob @ self.fine_x, prob @ self.fine_y
        return torch.stack((xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1]), dim=1)
