"""ResNet-18 with VGG-M conv1 (pytracking's ``resnet18_vggmconv1``): the feature network of ECO.

Keys: torchvision ResNet-18 (``conv1``, ``bn1``, ``layer1..4``, ``fc``) plus ``vggmconv1`` (Conv2d
3->96, 7x7, stride 2, padding 3, with bias) - the key set of ``spec/checkpoints/eco_resnet18_vggmconv1.json``.
Tap ``vggconv1`` = LRN(ReLU(vggmconv1(x))) (local size 5, alpha 5e-4, beta 0.75, k 2, computed from the
image in parallel to the ResNet stem); the other taps are those of :mod:`ltr.models.backbone.resnet`.

The official file is a *plain* state dict (no ltr checkpoint wrapper). Upstream loads it with
``strict=False`` (a wrong file silently leaves random weights); here it is loaded strictly, on CPU,
with ``weights_only=True``, and any mismatch is an error naming the file.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from typing import Optional, Sequence

import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock

from ltr.admin.model_constructor import model_constructor
from ltr.models.backbone.resnet import LAYER_NAMES, ResNet

__all__ = ['ResNetVGGm1', 'resnet18_vggmconv1', 'load_plain_state_dict', 'VGGM_LAYER_NAMES']

VGGM_LAYER_NAMES = ('vggconv1',) + LAYER_NAMES


class ResNetVGGm1(ResNet):
    """ResNet-18 whose forward can also return the VGG-M conv1 tap ``vggconv1`` (stride 2, 96 channels)."""

    def __init__(self, output_layers: Sequence[str] = ('vggconv1', 'layer3'), num_classes: int = 1000):
        super().__init__(BasicBlock, [2, 2, 2, 2], output_layers=('layer3',), num_classes=num_classes)
        _check_names(output_layers)
        self.output_layers = list(output_layers)
        self.vggmconv1 = nn.Conv2d(3, 96, kernel_size=7, stride=2, padding=3, bias=True)
        self.vgglrn = nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)
        # Same init as the ResNet convs (upstream: N(0, sqrt(2 / (k * k * out_channels)))).
        nn.init.kaiming_normal_(self.vggmconv1.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, x: torch.Tensor, output_layers: Optional[Sequence[str]] = None) -> 'OrderedDict[str, torch.Tensor]':
        """``{name: feature}`` for the requested taps (``vggconv1`` first, then network order)."""
        wanted = self.output_layers if output_layers is None else list(output_layers)
        _check_names(wanted)
        out: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
        if 'vggconv1' in wanted:
            out['vggconv1'] = self.vgglrn(torch.relu(self.vggmconv1(x)))
        rest = [n for n in wanted if n != 'vggconv1']
        if rest:
            out.update(super().forward(x, rest))
        return out


def _check_names(names: Sequence[str]) -> None:
    if isinstance(names, str):
        raise TypeError(f"output_layers must be a list of layer names, got the string '{names}'")
    unknown = [n for n in names if n not in VGGM_LAYER_NAMES]
    if unknown or not names:
        raise ValueError(f"output_layers: unknown or no layer(s) {list(unknown)}; known: {list(VGGM_LAYER_NAMES)}")


def load_plain_state_dict(net: nn.Module, path: str) -> nn.Module:
    """Load the plain state dict at `path` into `net` strictly (CPU, weights only).

    Raises FileNotFoundError naming the file when it is missing, ValueError naming the file and the
    first missing/unexpected keys or the shape mismatch when it is not this network's state dict."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"network file not found: {path}")
    try:
        state = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as err:  # unpicklable / not a torch file: one message naming the file
        raise ValueError(f"{path}: not a readable plain state dict ({type(err).__name__}: {str(err).splitlines()[0]})") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        kind = type(state).__name__ if not isinstance(state, dict) else f"dict with keys {list(state)[:4]}"
        raise ValueError(f"{path}: expected a plain state dict of tensors, got a {kind}")
    own = net.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        raise ValueError(f"{path}: state dict does not match {type(net).__name__}: "
                         f"{len(missing)} missing (e.g. {missing[:3]}), {len(unexpected)} unexpected (e.g. {unexpected[:3]})")
    bad = [k for k in own if tuple(own[k].shape) != tuple(state[k].shape)]
    if bad:
        k = bad[0]
        raise ValueError(f"{path}: shape of '{k}' is {tuple(state[k].shape)}, expected {tuple(own[k].shape)}")
    net.load_state_dict(state, strict=True)
    return net


@model_constructor
def resnet18_vggmconv1(output_layers: Optional[Sequence[str]] = None, path: Optional[str] = None) -> ResNetVGGm1:
    """ResNet-18 + VGG-M conv1 (upstream ``resnet18_vggmconv1``); `path` = a plain state dict loaded strictly."""
    net = ResNetVGGm1(output_layers=['vggconv1', 'layer3'] if output_layers is None else output_layers)
    if path is not None:
        load_plain_state_dict(net, path)
    return net
