"""ResNet with dilated (atrous) layer3/layer4 at stride 8, as SiamRPN++ uses it.

Facts reproduced from STVIR/pysot ``pysot/models/backbone/resnet_atrous.py`` (state-dict keys
``conv1, bn1, layer1..layer4`` with ``downsample.0/1``, no ``fc``):

* ``conv1`` is 7x7, stride 2, **padding 0** (127 -> 61, 255 -> 125 before the max-pool).
* ``layer2`` strides by 2 with an unpadded 3x3 ``conv2`` and a **3x3** stride-2 downsample
  (not torchvision's 1x1); ``layer3``/``layer4`` keep stride 1 with dilation 2/4 (their first block
  and its 3x3 downsample use half the dilation). Spatial sizes: 127 -> 15 and 255 -> 31 for layers 2-4.
* ``forward`` returns the taps ``[conv1-relu, layer1, layer2, layer3, layer4]`` selected by
  ``used_layers`` (one tensor when one layer is used, else a list in that order).
* Weight init: convs ``N(0, sqrt(2 / (k*k*out)))``, BN weight 1 and bias 0.
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Type, Union

import torch
import torch.nn as nn

__all__ = ['ResNet', 'BasicBlock', 'Bottleneck', 'resnet18', 'resnet34', 'resnet50']


class BasicBlock(nn.Module):
    """Two 3x3 convolutions (ResNet-18/34 block) with pysot's padding/dilation rule."""
    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: Optional[nn.Module] = None,
                 dilation: int = 1) -> None:
        super().__init__()
        padding = dilation if dilation > 1 else 2 - stride
        first_dilation, first_padding = dilation, padding
        if downsample is not None and dilation > 1:
            first_dilation = first_padding = dilation // 2
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=3, stride=stride, padding=first_padding,
                               dilation=first_dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        residual = x if self.downsample is None else self.downsample(x)
        return self.relu(out + residual)


class Bottleneck(nn.Module):
    """1x1 - 3x3 - 1x1 bottleneck (ResNet-50 block) with pysot's padding/dilation rule."""
    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: Optional[nn.Module] = None,
                 dilation: int = 1) -> None:
        super().__init__()
        if stride != 1 and dilation != 1:
            raise ValueError("Bottleneck: stride and dilation cannot both differ from 1")
        if downsample is not None and dilation > 1:
            dilation //= 2  # the first block of a dilated layer uses half the dilation
        padding = dilation if dilation > 1 else 2 - stride
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=padding, dilation=dilation,
                               bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        residual = x if self.downsample is None else self.downsample(x)
        return self.relu(out + residual)


Block = Union[Type[BasicBlock], Type[Bottleneck]]


class ResNet(nn.Module):
    """pysot's atrous ResNet; ``used_layers`` picks the returned taps (0 = conv1 after ReLU, 1..4 = layers)."""

    def __init__(self, block: Block, layers: Sequence[int], used_layers: Sequence[int]) -> None:
        super().__init__()
        used = [int(i) for i in used_layers]
        if not used or any(i not in range(5) for i in used):
            raise ValueError(f"used_layers must be indices in 0..4, got {list(used_layers)}")
        self.used_layers = used
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=0, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.feature_size = 128 * block.expansion
        # layer3/4 exist (and have weights) only when used, as upstream
        self.layer3 = self._make_layer(block, 256, layers[2], stride=1, dilation=2) if 3 in used else None
        self.layer4 = self._make_layer(block, 512, layers[3], stride=1, dilation=4) if 4 in used else None
        if self.layer4 is not None:
            self.feature_size = 512 * block.expansion
        elif self.layer3 is not None:
            self.feature_size = (256 + 128) * block.expansion
        self._init_weights()

    def _make_layer(self, block: Block, planes: int, blocks: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
        downsample = None
        out_planes = planes * block.expansion
        if stride != 1 or self.inplanes != out_planes:
            if stride == 1 and dilation == 1:
                conv = nn.Conv2d(self.inplanes, out_planes, kernel_size=1, stride=stride, bias=False)
            else:  # pysot: a 3x3 downsample, dilated by half the layer's dilation
                dd = dilation // 2 if dilation > 1 else 1
                pad = dd if dilation > 1 else 0
                conv = nn.Conv2d(self.inplanes, out_planes, kernel_size=3, stride=stride, padding=pad, dilation=dd,
                                 bias=False)
            downsample = nn.Sequential(conv, nn.BatchNorm2d(out_planes))
        layers: List[nn.Module] = [block(self.inplanes, planes, stride, downsample, dilation=dilation)]
        self.inplanes = out_planes
        layers += [block(self.inplanes, planes, dilation=dilation) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def _init_weights(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / n))
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> Union[torch.Tensor, List[torch.Tensor]]:
        """The taps in ``used_layers`` (a tensor for one, a list for several)."""
        x0 = self.relu(self.bn1(self.conv1(x)))
        p1 = self.layer1(self.maxpool(x0))
        p2 = self.layer2(p1)
        p3 = self.layer3(p2) if self.layer3 is not None else p2
        p4 = self.layer4(p3) if self.layer4 is not None else p3
        taps = [x0, p1, p2, p3, p4]
        out = [taps[i] for i in self.used_layers]
        return out[0] if len(out) == 1 else out


def resnet18(**kwargs) -> ResNet:
    """ResNet-18 (BasicBlock, [2, 2, 2, 2]); kwargs: ``used_layers``."""
    return ResNet(BasicBlock, [2, 2, 2, 2], **kwargs)


def resnet34(**kwargs) -> ResNet:
    """ResNet-34 (BasicBlock, [3, 4, 6, 3]); kwargs: ``used_layers``."""
    return ResNet(BasicBlock, [3, 4, 6, 3], **kwargs)


def resnet50(**kwargs) -> ResNet:
    """ResNet-50 (Bottleneck, [3, 4, 6, 3]); kwargs: ``used_layers``."""
    return ResNet(Bottleneck, [3, 4, 6, 3], **kwargs)
