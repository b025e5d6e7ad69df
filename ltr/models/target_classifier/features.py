"""Classification feature blocks put on top of the backbone (pytracking's ``target_classifier/features.py``).

Children are numbered as upstream's ``nn.Sequential`` (``feature_extractor.0.conv1.weight`` for the
ResNet-18 block, ``feature_extractor.0.weight`` for ResNet-50's single 3x3 conv), so checkpoint keys match.
"""
from __future__ import annotations

from typing import Optional

import torch.nn as nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from ltr.models.layers.normalization import InstanceL2Norm

__all__ = ['residual_basic_block', 'residual_basic_block_pool', 'residual_bottleneck']


def residual_basic_block(feature_dim: int = 256, num_blocks: int = 1, l2norm: bool = True, final_conv: bool = False,
                         norm_scale: float = 1.0, out_dim: Optional[int] = None, final_relu: bool = False,
                         init_pool: bool = False) -> nn.Sequential:
    """``num_blocks`` ResNet basic blocks, an optional final 3x3 conv (no bias) to `out_dim`, then L2 norm."""
    out_dim = feature_dim if out_dim is None else out_dim
    layers = [nn.MaxPool2d(kernel_size=3, stride=2, padding=1)] if init_pool else []
    for i in range(num_blocks):
        odim = feature_dim if i < num_blocks - 1 + int(final_conv) else out_dim
        layers.append(BasicBlock(feature_dim, odim))
    if final_conv:
        layers.append(nn.Conv2d(feature_dim, out_dim, kernel_size=3, padding=1, bias=False))
        if final_relu:
            layers.append(nn.ReLU(inplace=True))
    if l2norm:
        layers.append(InstanceL2Norm(scale=norm_scale))
    return nn.Sequential(*layers)


def residual_basic_block_pool(feature_dim: int = 256, num_blocks: int = 1, l2norm: bool = True,
                              final_conv: bool = False, norm_scale: float = 1.0, out_dim: Optional[int] = None,
                              pool: bool = True) -> nn.Sequential:
    """As :func:`residual_basic_block`, with a stride-2 max-pool before the normalisation."""
    out_dim = feature_dim if out_dim is None else out_dim
    layers = []
    for i in range(num_blocks):
        odim = feature_dim if i < num_blocks - 1 + int(final_conv) else out_dim
        layers.append(BasicBlock(feature_dim, odim))
    if final_conv:
        layers.append(nn.Conv2d(feature_dim, out_dim, kernel_size=3, padding=1, bias=False))
    if pool:
        layers.append(nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    if l2norm:
        layers.append(InstanceL2Norm(scale=norm_scale))
    return nn.Sequential(*layers)


def residual_bottleneck(feature_dim: int = 256, num_blocks: int = 1, l2norm: bool = True, final_conv: bool = False,
                        norm_scale: float = 1.0, out_dim: Optional[int] = None, final_relu: bool = False,
                        final_pool: bool = False) -> nn.Sequential:
    """ResNet bottleneck blocks on ``4 * feature_dim`` channels, optional final 3x3 conv (no bias), L2 norm."""
    out_dim = feature_dim if out_dim is None else out_dim
    layers = []
    for i in range(num_blocks):
        planes = feature_dim if i < num_blocks - 1 + int(final_conv) else out_dim // 4
        layers.append(Bottleneck(4 * feature_dim, planes))
    if final_conv:
        layers.append(nn.Conv2d(4 * feature_dim, out_dim, kernel_size=3, padding=1, bias=False))
        if final_relu:
            layers.append(nn.ReLU(inplace=True))
        if final_pool:
            layers.append(nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    if l2norm:
        layers.append(InstanceL2Norm(scale=norm_scale))
    return nn.Sequential(*layers)
