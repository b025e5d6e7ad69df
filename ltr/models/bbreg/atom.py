"""ATOMnet: a ResNet backbone plus the IoU-Net box regressor (upstream ``ltr/models/bbreg/atom.py``).

The constructors ``atom_resnet18`` / ``atom_resnet50`` are the ones the official ``atom_default.pth``
pickles (``ltr.models.bbreg.atom:atom_resnet18``); keys: ``feature_extractor.*`` (ResNet incl. the
unused layer4 and fc, as the file carries them) and ``bb_regressor.*``.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Optional, Sequence

import torch
import torch.nn as nn

from ltr.admin.model_constructor import model_constructor
from ltr.models.backbone import resnet18, resnet50
from ltr.models.bbreg.atom_iou_net import AtomIoUNet


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
                  backbone_pretrained: bool = True) -> ATOMnet:
    """ATOM with ResNet-18 (layer2 128 ch, layer3 256 ch); the official ``atom_default.pth`` network."""
    backbone = resnet18(pretrained=backbone_pretrained)
    iou_predictor = AtomIoUNet(pred_input_dim=iou_input_dim, pred_inter_dim=iou_inter_dim)
    return ATOMnet(feature_extractor=backbone, bb_regressor=iou_predictor, bb_regressor_layer=['layer2', 'layer3'],
                   extractor_grad=False)


@model_constructor
def atom_resnet50(iou_input_dim: Sequence[int] = (256, 256), iou_inter_dim: Sequence[int] = (256, 256),
                  backbone_pretrained: bool = True) -> ATOMnet:
    """ATOM with ResNet-50 (layer2 512 ch, layer3 1024 ch)."""
    backbone = resnet50(pretrained=backbone_pretrained)
    iou_predictor = AtomIoUNet(input_dim=(4 * 128, 4 * 256), pred_input_dim=iou_input_dim, pred_inter_dim=iou_inter_dim)
    return ATOMnet(feature_extractor=backbone, bb_regressor=iou_predictor, bb_regressor_layer=['layer2', 'layer3'],
                   extractor_grad=False)
