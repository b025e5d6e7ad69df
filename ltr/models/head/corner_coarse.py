"""Coarse corner head of SEcm_r34 (upstream ``ltr/models/head/corner_coarse.py``).

Two identical branches predict a top-left and a bottom-right logit map at feature resolution
(16x16 for 256 crops); a soft-argmax turns each map into a point in crop pixels.
"""
from __future__ import annotations

import torch
import torch.nn as nn


def conv_bn_relu(in_planes: int, out_planes: int, kernel_size: int = 3, padding: int = 1) -> nn.Sequential:
    """Conv (bias) -> BatchNorm -> ReLU, keys ``0`` (conv) and ``1`` (bn)."""
    return nn.Sequential(nn.Conv2d(in_planes, out_planes, kernel_size=kernel_size, padding=padding, bias=True),
                         nn.BatchNorm2d(out_planes), nn.ReLU(inplace=True))


class Corner_Predictor(nn.Module):
    """Corner head: per branch conv1..conv4 (3x3 conv-BN-ReLU, C -> 256 -> 128 -> 64 -> 32), conv5 1x1 -> 1.

    args:
        inplanes: channels of the fused feature (64).
        channel: width of the first conv (256).
        feat_sz: side of the feature map (input_sz / 16).
        stride: crop pixels per feature cell (16).

    The soft-argmax grid is the top-left corner of each cell (0, 16, ..., 240 for 256 crops, no
    +stride/2), as upstream, so predictions lie in ``[0, (feat_sz-1)*stride]``. The grids are
    non-persistent buffers: they follow ``.to(device)`` and stay out of the state dict.
    """

    def __init__(self, inplanes: int = 64, channel: int = 256, feat_sz: int = 16, stride: int = 16):
        super().__init__()
        self.feat_sz = feat_sz
        self.stride = stride
        widths = (inplanes, channel, channel // 2, channel // 4, channel // 8)
        for corner in ('tl', 'br'):
            for i in range(4):
                setattr(self, f'conv{i + 1}_{corner}', conv_bn_relu(widths[i], widths[i + 1]))
            setattr(self, f'conv5_{corner}', nn.Conv2d(widths[4], 1, kernel_size=1))
        cells = torch.arange(feat_sz, dtype=torch.float32) * stride
        # row-major flattening: index k = r * feat_sz + c -> x = 16 c, y = 16 r
        self.register_buffer('coord_x', cells.repeat(feat_sz), persistent=False)
        self.register_buffer('coord_y', cells.repeat_interleave(feat_sz), persistent=False)

    def _branch(self, x: torch.Tensor, corner: str) -> torch.Tensor:
        for i in range(1, 6):
            x = getattr(self, f'conv{i}_{corner}')(x)
        return x

    def get_score_maps(self, x: torch.Tensor):
        """Top-left and bottom-right logit maps, each (B, 1, feat_sz, feat_sz)."""
        return self._branch(x, 'tl'), self._branch(x, 'br')

    def soft_argmax(self, score_map: torch.Tensor):
        """Expected (x, y) in crop pixels under the softmax of a (B, 1, H, W) logit map."""
        if score_map.shape[-2:] != (self.feat_sz, self.feat_sz):
            raise ValueError(f"Corner_Predictor: score map {tuple(score_map.shape[-2:])} does not match "
                             f"feat_sz {self.feat_sz} (input size {self.feat_sz * self.stride})")
        prob = torch.softmax(score_map.flatten(1), dim=1)
        return prob @ self.coord_x, prob @ self.coord_y

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, feat_sz, feat_sz) -> (B, 4) corners ``(x_tl, y_tl, x_br, y_br)`` in crop pixels."""
        score_tl, score_br = self.get_score_maps(x)
        x_tl, y_tl = self.soft_argmax(score_tl)
        x_br, y_br = self.soft_argmax(score_br)
        return torch.stack((x_tl, y_tl, x_br, y_br), dim=1)
