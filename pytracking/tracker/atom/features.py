"""ATOM's deep feature (upstream ``pytracking/features/deep.py ATOMResNet18``): the ATOMnet backbone's
``layer3`` for the online classifier, plus the IoU-Net inputs of the same patches.

Patches ((N, 3, H, W) RGB in [0, 255]) are divided by 255 and normalised with the ImageNet mean/std;
the classification map is scaled per sample to unit mean ``|f|^p`` (``normalize_power``, upstream
``MultiFeatureBase.get_feature``). Each ``extract`` also stores the raw backbone maps the IoU-Net
needs (``iounet_backbone_features``: layer2, layer3) and the IoU-Net test-branch features
(``iounet_features``).
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch

from pytracking.libs import TensorList
from pytracking.utils.loading import load_network

MODEL_ZOO_HINT = ("download atom_default.pth (pytracking model zoo; see MODEL_ZOO.md, entry 'ATOM') into "
                  "network_path")
_STRIDE = {'conv1': 2, 'layer1': 4, 'layer2': 8, 'layer3': 16, 'layer4': 32}


class ATOMResNet18:
    """Backbone features of an ATOMnet for the classifier and the IoU-Net.

    args:
        net_path: checkpoint name, resolved against ``network_path`` (ignored when `net` is given).
        output_layers: classifier layers (upstream: ``['layer3']``).
        normalize_power: per-sample feature normalisation power (None: off).
        net: a ready ATOMnet (tests, or a network already in memory).
        device: where the network runs.
    """

    def __init__(self, net_path: str = 'atom_default.pth', output_layers: Sequence[str] = ('layer3',),
                 normalize_power: Optional[float] = 2, net: Optional[torch.nn.Module] = None,
                 device: Optional[torch.device] = None):
        self.net_path = net_path
        self.output_layers = list(output_layers)
        unknown = [l for l in self.output_layers if l not in _STRIDE]
        if unknown:
            raise ValueError(f"ATOMResNet18: unknown output layer(s) {unknown}; known: {list(_STRIDE)}")
        self.normalize_power = normalize_power
        self.net = net
        self.device = torch.device('cpu') if device is None else torch.device(device)
        self.iounet_backbone_features: Optional[TensorList] = None
        self.iounet_features: Optional[TensorList] = None

    def initialize(self) -> None:
        """Load the network (once) and move it to the device in eval mode, frozen."""
        if self.net is None:
            self.net = load_network(self.net_path, expected_net_type='ATOMnet', missing_hint=MODEL_ZOO_HINT)
        self.net = self.net.to(self.device).eval()
        for p in self.net.parameters():
            p.requires_grad_(False)
        self.iou_predictor = self.net.bb_regressor
        self.iounet_feature_layers = list(self.net.bb_regressor_layer)
        self.feature_layers = sorted(set(self.output_layers + self.iounet_feature_layers), key=list(_STRIDE).index)
        self.mean = torch.tensor([0.485, 0.456, 0.406], device=self.device).view(1, -1, 1, 1)
        self.std = torch.tensor([0.229, 0.224, 0.225], device=self.device).view(1, -1, 1, 1)

    def stride(self) -> int:
        """Stride of the classifier feature (the deepest output layer)."""
        return max(_STRIDE[l] for l in self.output_layers)

    def size(self, im_sz: torch.Tensor) -> torch.Tensor:
        """Feature-map size (h, w) of a patch of `im_sz` pixels."""
        return torch.div(im_sz, self.stride(), rounding_mode='floor')

    def extract(self, patches: torch.Tensor) -> TensorList:
        """Classifier features (normalised) of `patches`; also stores the IoU-Net inputs."""
        im = (patches.to(self.device) / 255 - self.mean) / self.std
        with torch.no_grad():
            out = self.net.extract_features(im, self.feature_layers)
            self.iounet_backbone_features = TensorList([out[l].clone() for l in self.iounet_feature_layers])
            self.iounet_features = TensorList(self.iou_predictor.get_iou_feat(self.iounet_backbone_features))
        feats = TensorList([out[l] for l in self.output_layers])
        if self.normalize_power is not None:
            p = self.normalize_power
            feats = TensorList([f / ((f.abs() ** p).flatten(1).mean(dim=1).view(-1, 1, 1, 1) + 1e-10) ** (1 / p)
                                for f in feats])
        return feats
