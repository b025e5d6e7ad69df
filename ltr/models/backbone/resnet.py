"""ResNet-18/34/50 backbones returning intermediate feature maps (pytracking's ``backbone/resnet.py``).

The modules keep torchvision's layout and therefore the state-dict key names of the official
pytracking/Alpha-Refine checkpoints (``conv1``, ``bn1``, ``layer1.0.conv1``, ..., ``fc``; see
``spec/checkpoints/*.json``). ``forward(x, output_layers)`` returns an ``OrderedDict`` of the requested
taps and stops after the deepest one, so a refiner that needs ``layer3`` never runs ``layer4``.

Taps: ``conv1`` (after bn1 + ReLU, before the max-pool: stride 2), ``layer1`` (4), ``layer2`` (8),
``layer3`` (16), ``layer4`` (32), ``fc`` (logits after global average pooling).

ImageNet weights are never downloaded: with ``pretrained=True`` they are read from a local file in
``env_settings().pretrained_networks`` (``<name>.pth`` or torchvision's ``<name>-<hash>.pth``).
"""
from __future__ import annotations

import glob
import os
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Type, Union

import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock, Bottleneck
from torchvision.models.resnet import ResNet as _TorchvisionResNet

from ltr.models.backbone.taps import FrozenStages, check_layer_names

LAYER_NAMES = ('conv1', 'layer1', 'layer2', 'layer3', 'layer4', 'fc')


class ResNet(FrozenStages, _TorchvisionResNet):
    """torchvision ResNet whose forward returns the requested intermediate layers.

    args:
        block, layers: torchvision block type and blocks per stage.
        output_layers: default taps when ``forward`` is called without ``output_layers``.
        frozen_layers: names of stages (``conv1`` also covers ``bn1``) whose parameters get
            ``requires_grad=False`` and whose BatchNorms stay in eval mode.
    """

    def __init__(self, block: Type[Union[BasicBlock, Bottleneck]], layers: List[int],
                 output_layers: Sequence[str] = ('layer3',), num_classes: int = 1000,
                 frozen_layers: Sequence[str] = ()):
        super().__init__(block, layers, num_classes=num_classes)
        _check_layer_names(output_layers, 'output_layers')
        _check_layer_names(frozen_layers, 'frozen_layers')
        self.output_layers = list(output_layers)
        self.frozen_layers = list(frozen_layers)
        self.freeze()

    def _frozen_modules(self) -> List[nn.Module]:
        names = []
        for name in self.frozen_layers:
            names += ['conv1', 'bn1'] if name == 'conv1' else [name]
        return [getattr(self, n) for n in names]

    def forward(self, x: torch.Tensor, output_layers: Optional[Sequence[str]] = None) -> 'OrderedDict[str, torch.Tensor]':
        """Run the network up to the deepest requested layer; return ``{name: feature}`` in network order."""
        wanted = self.output_layers if output_layers is None else list(output_layers)
        _check_layer_names(wanted, 'output_layers')
        last = max(LAYER_NAMES.index(n) for n in wanted)
        out: 'OrderedDict[str, torch.Tensor]' = OrderedDict()

        stages = (lambda t: self.relu(self.bn1(self.conv1(t))), lambda t: self.layer1(self.maxpool(t)),
                  self.layer2, self.layer3, self.layer4)
        for idx, stage in enumerate(stages):
            x = stage(x)
            if LAYER_NAMES[idx] in wanted:
                out[LAYER_NAMES[idx]] = x
            if idx == last:
                return _ordered(out, wanted)

        x = torch.flatten(self.avgpool(x), 1)
        out['fc'] = self.fc(x)
        return _ordered(out, wanted)


def _ordered(out: Dict[str, torch.Tensor], wanted: Sequence[str]) -> 'OrderedDict[str, torch.Tensor]':
    """Keep network order (conv1 before layer1 ...) whatever order the caller listed the layers in."""
    return OrderedDict((n, out[n]) for n in LAYER_NAMES if n in wanted)


def _check_layer_names(names: Sequence[str], arg: str) -> None:
    check_layer_names(names, arg, LAYER_NAMES)


def pretrained_weights_file(name: str, folder: Optional[str] = None) -> str:
    """Path of the local ImageNet weights for `name` (``resnet34.pth`` or ``resnet34-<hash>.pth``).

    `folder` defaults to ``ltr.admin.environment.env_settings().pretrained_networks``. Raises
    FileNotFoundError naming the folder and the expected file names when nothing is there.
    """
    if folder is None:
        from ltr.admin.environment import env_settings
        folder = env_settings().pretrained_networks
    candidates = [os.path.join(folder, f'{name}.pth')] + sorted(glob.glob(os.path.join(folder, f'{name}-*.pth')))
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"ImageNet weights for {name} not found: put torchvision's {name}-<hash>.pth (or {name}.pth) in "
        f"'{folder}' (pretrained_networks in ltr/admin/local.py or LTR_PRETRAINED_NETWORKS), "
        f"or build the network with backbone_pretrained=False")


def load_pretrained(net: ResNet, name: str, folder: Optional[str] = None) -> ResNet:
    """Load torchvision ImageNet weights for `name` from the local folder (strict, weights only)."""
    path = pretrained_weights_file(name, folder)
    state = torch.load(path, map_location='cpu', weights_only=True)
    if isinstance(state, dict) and 'state_dict' in state:
        state = state['state_dict']
    try:
        net.load_state_dict(state, strict=True)
    except RuntimeError as e:
        first = str(e).strip().splitlines()
        raise ValueError(f"{path}: not {name} ImageNet weights ({first[1].strip() if len(first) > 1 else first[0]})") from None
    return net


def _build(name: str, block, layers: List[int], output_layers, pretrained: bool, **kwargs) -> ResNet:
    net = ResNet(block, layers, output_layers=('layer3',) if output_layers is None else output_layers, **kwargs)
    if pretrained:
        load_pretrained(net, name)
    return net


def resnet18(output_layers: Optional[Sequence[str]] = None, pretrained: bool = False, **kwargs) -> ResNet:
    """ResNet-18 (BasicBlock [2, 2, 2, 2]); `pretrained` loads local ImageNet weights."""
    return _build('resnet18', BasicBlock, [2, 2, 2, 2], output_layers, pretrained, **kwargs)


def resnet34(output_layers: Optional[Sequence[str]] = None, pretrained: bool = False, **kwargs) -> ResNet:
    """ResNet-34 (BasicBlock [3, 4, 6, 3]); `pretrained` loads local ImageNet weights."""
    return _build('resnet34', BasicBlock, [3, 4, 6, 3], output_layers, pretrained, **kwargs)


def resnet50(output_layers: Optional[Sequence[str]] = None, pretrained: bool = False, **kwargs) -> ResNet:
    """ResNet-50 (Bottleneck [3, 4, 6, 3]); `pretrained` loads local ImageNet weights."""
    return _build('resnet50', Bottleneck, [3, 4, 6, 3], output_layers, pretrained, **kwargs)
