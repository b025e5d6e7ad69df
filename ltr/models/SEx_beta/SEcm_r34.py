"""SEcm_r34: the Alpha-Refine refiner (upstream ``ltr/models/SEx_beta/SEcm_r34.py``).

ResNet backbone -> pixel-wise correlation neck with SE attention (``neck/PtCorr.py``) -> coarse
corner head with soft-argmax (``head/corner_coarse.py``) and fine mask head (``head/mask.py``).
Official checkpoints pickle ``fun_module='ltr.models.SEx_beta.SEcm_r34', fun_name='SEcm_resnet34'``,
so this module path and the constructor name must stay importable. The state dict (354 entries,
incl. the unused layer4 + fc of the backbone) equals ``spec/checkpoints/secm_r34.json``.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from ltr.admin.model_constructor import model_constructor
from ltr.models.backbone import resnet18, resnet34
from ltr.models.head.corner_coarse import Corner_Predictor
from ltr.models.head.corner_fine import Corner_Predictor_s8
from ltr.models.head.mask import Mask_Predictor_fine
from ltr.models.neck.PtCorr import PtCorr, central_window

FEATURE_STRIDE = 16  # layer3
TEST_LAYERS = ('conv1', 'layer1', 'layer2', 'layer3')
RESNET_LOW_CHANNELS = (64, 64, 128)  # conv1, layer1, layer2 of ResNet-18/34
MASK_LOW_CHANNELS = (64, 256, 512)  # what the adjust layers give the mask head (upstream's widths)
BRANCHES = ('corner', 'mask')


def _adjust(in_planes: int, out_planes: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_planes, out_planes, kernel_size=1), nn.BatchNorm2d(out_planes), nn.ReLU())


class SEcmnet(nn.Module):
    """Scale-estimation network with a corner branch and a mask branch.

    args:
        feature_extractor: backbone returning the taps named in `test_layers` (ResNet: ``conv1``..``layer3``).
        neck_module: PtCorr neck.
        head_module: (corner head, mask head).
        used_layers: backbone layers of the reference branch (``['layer3']``).
        extractor_grad: False freezes the backbone (``unfreeze_layer3`` then re-enables layer3).
        input_sz: crop size the heads were built for.
        test_layers: the backbone taps at strides 2, 4, 8 (mask skips) and 16 (correlation).
        low_channels: channels of the three skip taps; ``mask_channels``: what their 1x1 adjust layers
            give the mask head.
        corner_skip_layer: a backbone tap the corner head takes besides the fused feature
            (``corner_fine.Corner_Predictor_s8``); None: the upstream corner head, fused feature only.
    """

    def __init__(self, feature_extractor: nn.Module, neck_module: nn.Module, head_module: Tuple[nn.Module, nn.Module],
                 used_layers: Sequence[str], extractor_grad: bool = True, unfreeze_layer3: bool = False,
                 input_sz: int = 256, test_layers: Sequence[str] = TEST_LAYERS,
                 low_channels: Sequence[int] = RESNET_LOW_CHANNELS, mask_channels: Sequence[int] = MASK_LOW_CHANNELS,
                 corner_skip_layer: Optional[str] = None):
        super().__init__()
        self.feature_extractor = feature_extractor
        self.neck = neck_module
        if len(head_module) != 2:
            raise ValueError(f"SEcmnet: head_module must be (corner_head, mask_head), got {len(head_module)} heads")
        self.corner_head, self.mask_head = head_module
        self.used_layers = list(used_layers)
        self.input_sz = input_sz
        if len(test_layers) != 4 or len(low_channels) != 3 or len(mask_channels) != 3:
            raise ValueError("SEcmnet: test_layers names 4 taps (strides 2, 4, 8, 16); low_channels and "
                             "mask_channels give 3 widths")
        self.test_layers = tuple(test_layers)
        self.corr_layer = self.test_layers[3]
        self.corner_skip_layer = corner_skip_layer
        # 1x1 conv-BN-ReLU on the skip taps for the mask head (ResNet: 64 -> 64, 64 -> 256, 128 -> 512)
        self.feat_adjust = nn.ModuleList([_adjust(c, m) for c, m in zip(low_channels, mask_channels)])
        if not extractor_grad:
            for p in self.feature_extractor.parameters():
                p.requires_grad_(False)
        if unfreeze_layer3:
            for p in self.feature_extractor.layer3.parameters():
                p.requires_grad_(True)

    @property
    def heads(self) -> Tuple[str, ...]:
        """Names of the prediction heads this network has (``('corner', 'mask')``)."""
        return BRANCHES

    def forward(self, train_imgs: torch.Tensor, test_imgs: torch.Tensor, train_bb: torch.Tensor,
                mode: str = 'train') -> Dict[str, torch.Tensor]:
        """Reference branch on `train_imgs`/`train_bb`, then the test branch on `test_imgs`.

        Images are (1, B, 3, S, S) or (B, 3, S, S); `train_bb` holds B boxes. ``mode='train'``
        returns ``{'corner': (B, 4), 'mask': (B, 1, S, S)}``.
        """
        self.forward_ref(train_imgs, train_bb)
        return self.forward_test(test_imgs, mode)

    def forward_ref(self, train_imgs: torch.Tensor, train_bb: torch.Tensor) -> None:
        """Extract the reference kernel (stored in the neck) from the reference crops."""
        num_sequences = train_imgs.shape[-4]
        num_train_images = train_imgs.shape[0] if train_imgs.dim() == 5 else 1
        feats = self.extract_backbone_features(train_imgs.reshape(-1, *train_imgs.shape[-3:]))
        self.neck.get_ref_kernel(list(feats.values()), train_bb.reshape(num_train_images, num_sequences, 4))

    def forward_test(self, test_imgs: torch.Tensor, mode: str = 'train',
                     branches: Sequence[str] = ('corner',)) -> Dict[str, torch.Tensor]:
        """Test branch. ``mode='train'``: corner and mask. ``mode='test'``: ``feat`` plus the `branches` asked for."""
        if mode not in ('train', 'test'):
            raise ValueError(f"forward_test: mode should be 'train' or 'test', got {mode!r}")
        unknown = [b for b in branches if b not in BRANCHES]
        if unknown:
            raise ValueError(f"forward_test: unknown branch(es) {unknown}; SEcmnet has {list(BRANCHES)}")
        wanted = BRANCHES if mode == 'train' else tuple(branches)
        layers = self.test_layers if 'mask' in wanted else (self.corr_layer,)
        if 'corner' in wanted and self.corner_skip_layer and self.corner_skip_layer not in layers:
            layers = (self.corner_skip_layer,) + layers
        feats = self.extract_backbone_features(test_imgs.reshape(-1, *test_imgs.shape[-3:]), layers=layers)
        fusion_feat = self.neck.fuse_feat([feats[self.corr_layer]])

        output: Dict[str, torch.Tensor] = OrderedDict()
        if mode == 'test':
            output['feat'] = fusion_feat
        if 'corner' in wanted:
            output['corner'] = (self.corner_head(fusion_feat, feats[self.corner_skip_layer]) if self.corner_skip_layer
                                else self.corner_head(fusion_feat))
        if 'mask' in wanted:
            low = [adjust(feats[name]) for adjust, name in zip(self.feat_adjust, self.test_layers[:3])]
            output['mask'] = self.mask_head(fusion_feat, low)
        return output

    def extract_backbone_features(self, im: torch.Tensor, layers: Optional[Sequence[str]] = None):
        """Backbone features of `im` for `layers` (default: ``used_layers``)."""
        return self.feature_extractor(im, self.used_layers if layers is None else layers)

    def extract_features(self, im: torch.Tensor, layers: Sequence[str]):
        """Backbone features of `im` for `layers`."""
        return self.feature_extractor(im, layers)


def _secm(backbone: nn.Module, used_layers: Sequence[str], pool_size: Optional[int], unfreeze_layer3: bool,
          input_sz: int, test_layers: Sequence[str] = TEST_LAYERS, low_channels: Sequence[int] = RESNET_LOW_CHANNELS,
          mask_channels: Sequence[int] = MASK_LOW_CHANNELS, corner_skip: Optional[Tuple[str, int]] = None) -> SEcmnet:
    """SEcmnet over `backbone`: PtCorr neck, corner head and mask head sized for `input_sz` crops.

    `corner_skip` ``(tap name, channels)`` of a stride-8 backbone tap gives the corner head a stride-8
    refinement (``Corner_Predictor_s8``); None: the upstream corner head."""
    if input_sz % 32:
        raise ValueError(f"input_sz must be a multiple of 32 (stride-16 features, central half window), got {input_sz}")
    feat_sz = input_sz // FEATURE_STRIDE
    window = central_window(feat_sz)
    window_sz = window.stop - window.start
    if pool_size is None:
        pool_size = window_sz
    if pool_size != window_sz:
        raise ValueError(f"pool_size={pool_size} does not match input_sz={input_sz}: the {feat_sz}x{feat_sz} "
                         f"stride-16 map has a {window_sz}x{window_sz} central window")
    neck = PtCorr(pool_size=pool_size)
    if corner_skip is None:
        corner_head = Corner_Predictor(inplanes=neck.out_channels, feat_sz=feat_sz, stride=FEATURE_STRIDE)
    else:
        corner_head = Corner_Predictor_s8(inplanes=neck.out_channels, skip_channels=corner_skip[1], feat_sz=feat_sz,
                                          stride=FEATURE_STRIDE)
    mask_head = Mask_Predictor_fine(input_sz=input_sz, low_channels=mask_channels)
    return SEcmnet(feature_extractor=backbone, neck_module=neck, head_module=(corner_head, mask_head),
                   used_layers=used_layers, extractor_grad=True, unfreeze_layer3=unfreeze_layer3, input_sz=input_sz,
                   test_layers=test_layers, low_channels=low_channels, mask_channels=mask_channels,
                   corner_skip_layer=None if corner_skip is None else corner_skip[0])


@model_constructor
def SEcm_resnet34(backbone_pretrained: bool = True, used_layers: Sequence[str] = ('layer3',),
                  pool_size: Optional[int] = None, unfreeze_layer3: bool = False, input_sz: int = 256,
                  frozen_backbone_layers: Sequence[str] = ()) -> SEcmnet:
    """AR34c+m: SEcmnet with a ResNet-34 backbone (the official ``SEcmnet_ep0040-c.pth.tar``).

    `backbone_pretrained` loads local ImageNet weights (never downloads); `pool_size` None means
    ``input_sz // 32`` (8); `frozen_backbone_layers` (e.g. ``['conv1', 'layer1']``) are not trained.
    The official recipe uses ``used_layers=['layer3'], pool_size=8, unfreeze_layer3=True``.
    """
    backbone = resnet34(output_layers=list(used_layers), pretrained=backbone_pretrained,
                        frozen_layers=list(frozen_backbone_layers))
    return _secm(backbone, used_layers, pool_size, unfreeze_layer3, input_sz)


@model_constructor
def SEcm_resnet18(backbone_pretrained: bool = True, used_layers: Sequence[str] = ('layer3',),
                  pool_size: Optional[int] = None, unfreeze_layer3: bool = False, input_sz: int = 256,
                  frozen_backbone_layers: Sequence[str] = ()) -> SEcmnet:
    """AR18c+m: the same heads on a ResNet-18 backbone (upstream published weights but no constructor)."""
    backbone = resnet18(output_layers=list(used_layers), pretrained=backbone_pretrained,
                        frozen_layers=list(frozen_backbone_layers))
    return _secm(backbone, used_layers, pool_size, unfreeze_layer3, input_sz)
