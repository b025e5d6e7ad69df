"""Deep features (pytracking ``features/deep.py``): ResNet-18 + VGG-M conv1 (``ResNet18m1``), ECO's features.

The network file is the plain state dict ``resnet18_vggmconv1.pth`` (MODEL_ZOO.md entry
``resnet18_vggmconv1``), searched under every ``network_path`` entry as
``resnet18_vggmconv1/resnet18_vggmconv1.pth`` (upstream's code) and ``resnet18_vggmconv1.pth``
(upstream's docs download it there). It is loaded strictly: a wrong file is an error, never random
weights. ``random_weights=True`` (tests, benchmarks) skips the file.
"""
from __future__ import annotations

import os
from typing import List, Optional, Sequence

import torch

from ltr.admin.loading import CheckpointError
from ltr.models.backbone.resnet18_vggm import load_plain_state_dict, resnet18_vggmconv1
from pytracking.features.featurebase import MultiFeatureBase
from pytracking.libs import TensorList
from pytracking.utils.device import resolve_device

__all__ = ['ResNet18m1', 'resnet18_vggmconv1_candidates', 'NETWORK_FILE']

NETWORK_FILE = 'resnet18_vggmconv1.pth'
_LAYER_STRIDE = {'vggconv1': 2, 'conv1': 2, 'layer1': 4, 'layer2': 8, 'layer3': 16, 'layer4': 32}
_LAYER_DIM = {'vggconv1': 96, 'conv1': 64, 'layer1': 64, 'layer2': 128, 'layer3': 256, 'layer4': 512}


def resnet18_vggmconv1_candidates(net_path: Optional[str] = None) -> List[str]:
    """Files tried for the network, in order: `net_path` itself if given (absolute, or relative to each
    ``network_path`` entry), else ``<network_path>/resnet18_vggmconv1/resnet18_vggmconv1.pth`` then
    ``<network_path>/resnet18_vggmconv1.pth`` for every ``network_path`` entry."""
    if net_path is not None and os.path.isabs(net_path):
        return [net_path]
    from pytracking.utils.environment import env_settings
    roots = env_settings().network_path
    roots = [roots] if isinstance(roots, str) else list(roots)
    rel = [net_path] if net_path is not None else [os.path.join('resnet18_vggmconv1', NETWORK_FILE), NETWORK_FILE]
    return [os.path.join(root, r) for root in roots if root for r in rel]


class ResNet18m1(MultiFeatureBase):
    """ResNet-18 with VGG-M conv1: the layers `output_layers` (``vggconv1``, ``conv1``, ``layer1..4``).

    args:
        output_layers: network taps, one feature block each.
        net_path: network file (default: searched as in :func:`resnet18_vggmconv1_candidates`).
        device: torch device of the network (default: CUDA if available, else CPU).
        random_weights: skip the file and keep random weights (tests and speed benchmarks only).
        fparams, pool_stride, output_size, normalize_power: see :class:`MultiFeatureBase`.
    """

    def __init__(self, output_layers: Sequence[str], net_path: Optional[str] = None, device=None,
                 random_weights: bool = False, use_gpu: Optional[bool] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        unknown = [l for l in output_layers if l not in _LAYER_STRIDE]
        if unknown or not output_layers:
            raise ValueError(f"ResNet18m1: unknown output layer(s) {unknown}; known: {list(_LAYER_STRIDE)}")
        self.output_layers = list(output_layers)
        self.net_path = net_path
        if device is None and use_gpu is not None and not use_gpu:  # upstream's flag, kept for old parameter files
            device = 'cpu'
        self.device = resolve_device(device)
        self.random_weights = random_weights
        self.net = None
        if isinstance(self.pool_stride, int):
            self.pool_stride = [self.pool_stride] * len(self.output_layers)

    def initialize(self) -> None:
        """Build the network and load the file (once)."""
        if self.net is not None:
            return
        net = resnet18_vggmconv1(output_layers=self.output_layers)
        if not self.random_weights:
            load_plain_state_dict(net, self._find_file())
        self.net = net.to(self.device).eval()
        self.mean = torch.tensor([0.485, 0.456, 0.406], device=self.device).reshape(1, -1, 1, 1)
        self.std = torch.tensor([0.229, 0.224, 0.225], device=self.device).reshape(1, -1, 1, 1)

    def _find_file(self) -> str:
        candidates = resnet18_vggmconv1_candidates(self.net_path)
        for c in candidates:
            if os.path.isfile(c):
                return c
        raise CheckpointError(f"ECO network file {NETWORK_FILE} not found (tried {', '.join(candidates)}); download it "
                              f"as in MODEL_ZOO.md, entry 'resnet18_vggmconv1', into network_path "
                              f"(pytracking/evaluation/local.py or PYTRACKING_NETWORK_PATH)")

    def dim(self) -> TensorList:
        return TensorList([_LAYER_DIM[l] for l in self.output_layers])

    def stride(self) -> TensorList:
        return TensorList([s * _LAYER_STRIDE[l] for l, s in zip(self.output_layers, self.pool_stride)])

    def extract(self, im: torch.Tensor) -> TensorList:
        if self.net is None:
            self.initialize()
        x = (im.to(self.device) / 255 - self.mean) / self.std
        with torch.inference_mode():
            out = self.net(x, self.output_layers)
        return TensorList([out[l].clone() for l in self.output_layers])
