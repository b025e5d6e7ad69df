"""ATOMnet: a ResNet backbone plus the IoU-Net box regressor (upstream ``ltr/models/bbreg/atom.py``).

The constructors ``atom_resnet18`` / ``atom_resnet50`` are the ones the official ``atom_default.pth``
pickles (``ltr.models.bbreg.atom:atom_resnet18``); keys: ``feature_extractor.*`` (ResNet incl. the
unused layer4 and fc, as the file carries them) and ``bb_regressor.*``.

A small CPU variant (``backbone='efficientnet_lite0'``) puts the IoU-Net on ImageNet-pretrained
EfficientNet-Lite0 taps offered under ResNet stage names (:class:`ResNetNamedTaps`), so the ATOM and
DiMP trackers, which ask for ``layer2``/``layer3``, run it unchanged.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from ltr.admin.model_constructor import model_constructor
from ltr.models.backbone import resnet18, resnet50
from ltr.models.bbreg.atom_iou_net import AtomIoUNet

BACKBONES = ('resnet18', 'efficientnet_lite0')

# EfficientNet-Lite0 stages standing in for each ResNet stage (same stride): the tap is the last one
# listed, freezing a ResNet stage freezes all of them. Channels of the taps: 16, 24, 40, 112, 320.
LITE0_AS_RESNET: Dict[str, Tuple[str, ...]] = {
    'conv1': ('stem', 'block1'), 'layer1': ('block2',), 'layer2': ('block3',),
    'layer3': ('block4', 'block5'), 'layer4': ('block6', 'block7')}


class ResNetNamedTaps(nn.Module):
    """A backbone whose taps are requested by ResNet stage names: ``forward(x, ['layer2', 'layer3'])``
    returns the `body` taps ``names[l][-1]`` under the names asked for.

    args:
        body: a backbone with ``forward(x, output_layers) -> OrderedDict`` (EfficientNet-Lite0).
        names: ResNet stage name -> the body stages it stands for (:data:`LITE0_AS_RESNET`).
    """

    def __init__(self, body: nn.Module, names: Dict[str, Tuple[str, ...]]):
        super().__init__()
        self.body = body
        self.names = {k: tuple(v) for k, v in names.items()}

    def forward(self, x: torch.Tensor, output_layers: Sequence[str]) -> 'OrderedDict[str, torch.Tensor]':
        unknown = [l for l in output_layers if l not in self.names]
        if unknown:
            raise ValueError(f"unknown layer(s) {unknown}; this backbone offers {list(self.names)}")
        out = self.body(x, sorted({self.names[l][-1] for l in output_layers}))
        return OrderedDict((l, out[self.names[l][-1]]) for l in output_layers)


def lite0_backbone(pretrained: bool, frozen_layers: Union[str, Sequence[str]] = ()) -> ResNetNamedTaps:
    """EfficientNet-Lite0 (ImageNet weights when `pretrained`) behind ResNet stage names; `frozen_layers`
    are ResNet stage names (``'bn1'`` counts as ``'conv1'``) or ``'all'``."""
    from ltr.models.backbone.efficientnet_lite import efficientnet_lite0
    from ltr.models.backbone.efficientnet_lite import LAYER_NAMES as LITE0_STAGES
    if isinstance(frozen_layers, str):
        if frozen_layers != 'all':
            raise ValueError(f"frozen_layers must be a list of layer names or 'all', got {frozen_layers!r}")
        return ResNetNamedTaps(efficientnet_lite0(output_layers=['block5'], pretrained=pretrained,
                                                  frozen_layers=list(LITE0_STAGES)), LITE0_AS_RESNET)
    stages: List[str] = []
    for name in frozen_layers:
        name = 'conv1' if name == 'bn1' else name
        if name not in LITE0_AS_RESNET:
            raise ValueError(f"frozen layer {name!r}: not one of {list(LITE0_AS_RESNET)}")
        stages += [s for s in LITE0_AS_RESNET[name] if s not in stages]
    body = efficientnet_lite0(output_layers=['block5'], pretrained=pretrained, frozen_layers=stages)
    return ResNetNamedTaps(body, LITE0_AS_RESNET)


def backbone_channels(backbone: str, layers: Sequence[str]) -> Tuple[int, ...]:
    """Channels of the ResNet-named `layers` of `backbone` (``'resnet18'`` or ``'efficientnet_lite0'``)."""
    if backbone == 'resnet18':
        table = {'conv1': 64, 'layer1': 64, 'layer2': 128, 'layer3': 256, 'layer4': 512}
        return tuple(table[l] for l in layers)
    if backbone == 'efficientnet_lite0':
        from ltr.models.backbone.efficientnet_lite import tap_channels
        return tuple(tap_channels(LITE0_AS_RESNET[l][-1]) for l in layers)
    raise ValueError(f"backbone must be one of {BACKBONES}, got {backbone!r}")


class ATOMnet(nn.Module):
    """Backbone + IoU-Net.

    args:
        feature_extractor: backbone whose ``forward(im, layers)`` returns an OrderedDict of maps.
        bb_regressor: the IoU predictor (``AtomIoUNet``).
        bb_regressor_layer: backbone layers fed to the regressor (``['layer2', 'layer3']``).
        extractor_grad: False freezes the backbone parameters (ATOM trains only the regressor).
    """

    def __init__(self, feature_extractor: nn.Module, bb_regressor: nn.Module, bb_regressor_layer: Sequence[str],
                 extractor_grad: bool = True):
        super().__init__()
        self.feature_extractor = feature_extractor
        self.bb_regressor = bb_regressor
        self.bb_regressor_layer = list(bb_regressor_layer)
        if not extractor_grad:
            for p in self.feature_extractor.parameters():
                p.requires_grad_(False)

    def forward(self, train_imgs: torch.Tensor, test_imgs: torch.Tensor, train_bb: torch.Tensor,
                test_proposals: torch.Tensor) -> torch.Tensor:
        """IoU of `test_proposals` (num_test, S, N, 4) given train images/boxes -> (num_test, S, N).

        Images are (num_images, S, 3, H, W) or (S, 3, H, W). (Upstream reshapes the proposals with the
        number of *train* images; the two are equal in every upstream recipe, this uses the test count.)
        """
        num_sequences = train_imgs.shape[-4]
        num_train = train_imgs.shape[0] if train_imgs.dim() == 5 else 1
        num_test = test_imgs.shape[0] if test_imgs.dim() == 5 else 1
        train_feat = self.extract_backbone_features(train_imgs.reshape(-1, *train_imgs.shape[-3:]))
        test_feat = self.extract_backbone_features(test_imgs.reshape(-1, *test_imgs.shape[-3:]))
        return self.bb_regressor(list(train_feat.values()), list(test_feat.values()),
                                 train_bb.reshape(num_train, num_sequences, 4),
                                 test_proposals.reshape(num_test, num_sequences, -1, 4))

    def extract_backbone_features(self, im: torch.Tensor, layers: Optional[Sequence[str]] = None) -> 'OrderedDict[str, torch.Tensor]':
        """Backbone maps for `layers` (default: the regressor's layers)."""
        return self.feature_extractor(im, self.bb_regressor_layer if layers is None else list(layers))

    def extract_features(self, im: torch.Tensor, layers: Sequence[str]) -> 'OrderedDict[str, torch.Tensor]':
        """Backbone maps for any `layers`."""
        return self.feature_extractor(im, list(layers))


@model_constructor
def atom_resnet18(iou_input_dim: Sequence[int] = (256, 256), iou_inter_dim: Sequence[int] = (256, 256),
                  backbone_pretrained: bool = True, backbone: str = 'resnet18') -> ATOMnet:
    """ATOM with ResNet-18 (layer2 128 ch, layer3 256 ch); the official ``atom_default.pth`` network.

    ``backbone='efficientnet_lite0'``: the CPU variant on EfficientNet-Lite0 taps (40 and 112 ch at strides
    8 and 16), the whole backbone frozen with fixed BatchNorm statistics (ATOM trains only the IoU-Net)."""
    if backbone == 'resnet18':
        feature_extractor = resnet18(pretrained=backbone_pretrained)
    elif backbone == 'efficientnet_lite0':
        feature_extractor = lite0_backbone(backbone_pretrained, frozen_layers='all')
    else:
        raise ValueError(f"backbone must be one of {BACKBONES}, got {backbone!r}")
    iou_predictor = AtomIoUNet(input_dim=backbone_channels(backbone, ['layer2', 'layer3']),
                               pred_input_dim=iou_input_dim, pred_inter_dim=iou_inter_dim)
    return ATOMnet(feature_extractor=feature_extractor, bb_regressor=iou_predictor,
                   bb_regressor_layer=['layer2', 'layer3'], extractor_grad=False)


@model_constructor
def atom_resnet50(iou_input_dim: Sequence[int] = (256, 256), iou_inter_dim: Sequence[int] = (256, 256),
                  backbone_pretrained: bool = True) -> ATOMnet:
    """ATOM with ResNet-50 (layer2 512 ch, layer3 1024 ch)."""
    backbone = resnet50(pretrained=backbone_pretrained)
    iou_predictor = AtomIoUNet(input_dim=(4 * 128, 4 * 256), pred_input_dim=iou_input_dim, pred_inter_dim=iou_inter_dim)
    return ATOMnet(feature_extractor=backbone, bb_regressor=iou_predictor, bb_regressor_layer=['layer2', 'layer3'],
                   extractor_grad=False)
