"""Small building blocks shared by pytracking's heads (upstream ``ltr/models/layers/blocks.py``).

The Sequential/attribute layout fixes the state-dict key names of the official checkpoints:
``conv_block`` -> ``<name>.0.weight`` (conv), ``<name>.1.*`` (BatchNorm); ``LinearBlock`` ->
``<name>.linear.*``, ``<name>.bn.*``.
"""
from __future__ import annotations

import torch
import torch.nn as nn


def conv_block(in_planes: int, out_planes: int, kernel_size: int = 3, stride: int = 1, padding: int = 1,
               dilation: int = 1, bias: bool = True, batch_norm: bool = True, relu: bool = True,
               padding_mode: str = 'zeros') -> nn.Sequential:
    """Conv2d [+ BatchNorm2d] [+ ReLU] as one Sequential; ``padding_mode='replicate'`` pads explicitly first."""
    if padding_mode not in ('zeros', 'replicate'):
        raise ValueError(f"conv_block: padding_mode must be 'zeros' or 'replicate', got '{padding_mode}'")
    layers = []
    if padding_mode == 'replicate' and padding > 0:
        layers.append(nn.ReplicationPad2d(padding))
        padding = 0
    layers.append(nn.Conv2d(in_planes, out_planes, kernel_size=kernel_size, stride=stride, padding=padding,
                            dilation=dilation, bias=bias))
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_planes))
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class LinearBlock(nn.Module):
    """Fully connected layer over a flattened ``in_planes x input_sz x input_sz`` map [+ BatchNorm] [+ ReLU].

    ``forward(x (N, in_planes, input_sz, input_sz))`` -> (N, out_planes). The BatchNorm is a
    ``BatchNorm2d`` applied to the vector seen as ``(N, out_planes, 1, 1)`` (upstream's choice, which
    the checkpoints' ``bn.*`` keys follow).
    """

    def __init__(self, in_planes: int, out_planes: int, input_sz: int, bias: bool = True, batch_norm: bool = True,
                 relu: bool = True):
        super().__init__()
        self.linear = nn.Linear(in_planes * input_sz * input_sz, out_planes, bias=bias)
        self.bn = nn.BatchNorm2d(out_planes) if batch_norm else None
        self.relu = nn.ReLU(inplace=True) if relu else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Flatten, project, normalise, rectify."""
        x = self.linear(x.reshape(x.shape[0], -1))
        if self.bn is not None:
            x = self.bn(x.reshape(x.shape[0], x.shape[1], 1, 1))
        if self.relu is not None:
            x = self.relu(x)
        return x.reshape(x.shape[0], -1)
