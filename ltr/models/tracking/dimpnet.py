"""The DiMP network and its constructors (pytracking's ``ltr/models/tracking/dimpnet.py``).

``DiMPnet`` = ResNet backbone (``feature_extractor``) + target classifier (``classifier``, a
:class:`~ltr.models.target_classifier.linear_filter.LinearFilter`) + IoU-Net box regressor
(``bb_regressor``, :class:`~ltr.models.bbreg.AtomIoUNet`). The constructors keep upstream's names,
module path and keyword arguments, because official checkpoints pickle a call to them
(``spec/checkpoints/{dimp18,dimp50,prdimp18,prdimp50,super_dimp}.json`` ``upstream_constructor``):

- ``dimpnet18`` / ``dimpnet50``: DiMP (steepest descent with Gauss-Newton steps on the learned loss);
  SuperDiMP is ``dimpnet50`` with other weights;
- ``klcedimpnet18`` / ``klcedimpnet50``: PrDiMP (KL-divergence objective, Newton steps).

``dimpnet18`` and ``klcedimpnet18`` take ``backbone='efficientnet_lite0'`` for a small CPU network: the
heads on ImageNet-pretrained EfficientNet-Lite0 taps offered under ResNet stage names
(:func:`ltr.models.bbreg.atom.lite0_backbone`; ``layer2`` = stride 8, 40 ch; ``layer3`` = stride 16, 112 ch).
The DiMP tracker runs such a network unchanged.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn

from ltr.admin.model_constructor import model_constructor
from ltr.models import backbone as backbones
from ltr.models import bbreg as bbmodels
from ltr.models.backbone.resnet import LAYER_NAMES
from ltr.models.bbreg.atom import BACKBONES, backbone_channels, lite0_backbone
from ltr.models.target_classifier import features as clf_features
from ltr.models.target_classifier import initializer as clf_initializer
from ltr.models.target_classifier import optimizer as clf_optimizer
from ltr.models.target_classifier.linear_filter import LinearFilter

__all__ = ['DiMPnet', 'dimpnet18', 'dimpnet50', 'klcedimpnet18', 'klcedimpnet50']


class DiMPnet(nn.Module):
    """Backbone + DiMP classifier + IoU-Net.

    args:
        feature_extractor: backbone returning an ordered dict of named feature maps.
        classifier: target classification module (``LinearFilter``).
        bb_regressor: IoU-Net box regressor.
        classification_layer: backbone layer(s) feeding the classifier (``'layer3'``).
        bb_regressor_layer: backbone layers feeding the IoU-Net (``['layer2', 'layer3']``).
    """

    def __init__(self, feature_extractor: nn.Module, classifier: nn.Module, bb_regressor: nn.Module,
                 classification_layer: Union[str, Sequence[str]], bb_regressor_layer: Sequence[str]) -> None:
        super().__init__()
        self.feature_extractor = feature_extractor
        self.classifier = classifier
        self.bb_regressor = bb_regressor
        self.classification_layer = ([classification_layer] if isinstance(classification_layer, str)
                                     else list(classification_layer))
        self.bb_regressor_layer = list(bb_regressor_layer)
        self.output_layers = sorted(set(self.classification_layer + self.bb_regressor_layer))

    def forward(self, train_imgs: torch.Tensor, test_imgs: torch.Tensor, train_bb: torch.Tensor,
                test_proposals: torch.Tensor, *args: Any, **kwargs: Any):
        """Training path: classifier scores on the test images (one map per filter iterate) and the
        IoU-Net predictions for `test_proposals`. Images ``(images, sequences, 3, H, W)``."""
        if train_imgs.dim() != 5 or test_imgs.dim() != 5:
            raise ValueError('DiMPnet.forward expects 5-dimensional (images, sequences, 3, H, W) inputs')
        train_feat = self.extract_backbone_features(train_imgs.reshape(-1, *train_imgs.shape[-3:]))
        test_feat = self.extract_backbone_features(test_imgs.reshape(-1, *test_imgs.shape[-3:]))
        target_scores = self.classifier(self.get_backbone_clf_feat(train_feat), self.get_backbone_clf_feat(test_feat),
                                        train_bb, *args, **kwargs)
        iou_pred = self.bb_regressor(self.get_backbone_bbreg_feat(train_feat), self.get_backbone_bbreg_feat(test_feat),
                                     train_bb, test_proposals)
        return target_scores, iou_pred

    def get_backbone_clf_feat(self, backbone_feat: Dict[str, torch.Tensor]):
        """The classifier's backbone feature (a tensor for one layer, else an ordered dict)."""
        if len(self.classification_layer) == 1:
            return backbone_feat[self.classification_layer[0]]
        return OrderedDict((l, backbone_feat[l]) for l in self.classification_layer)

    def get_backbone_bbreg_feat(self, backbone_feat: Dict[str, torch.Tensor]) -> List[torch.Tensor]:
        """The IoU-Net's backbone features, in ``bb_regressor_layer`` order."""
        return [backbone_feat[l] for l in self.bb_regressor_layer]

    def extract_classification_feat(self, backbone_feat: Dict[str, torch.Tensor]) -> torch.Tensor:
        """Classification features (feature block + L2 norm) of backbone features."""
        return self.classifier.extract_classification_feat(self.get_backbone_clf_feat(backbone_feat))

    def extract_backbone_features(self, im: torch.Tensor, layers: Optional[Sequence[str]] = None):
        """Backbone taps `layers` (default: every layer the heads use) of normalised images ``(N, 3, H, W)``."""
        return self.feature_extractor(im, self.output_layers if layers is None else list(layers))

    def extract_features(self, im: torch.Tensor, layers: Optional[Sequence[str]] = None):
        """Backbone taps plus ``'classification'`` (the classifier features) when listed in `layers`."""
        layers = self.bb_regressor_layer + ['classification'] if layers is None else list(layers)
        if 'classification' not in layers:
            return self.feature_extractor(im, layers)
        backbone_layers = sorted(set(l for l in layers + self.classification_layer if l != 'classification'))
        all_feat = self.feature_extractor(im, backbone_layers)
        all_feat['classification'] = self.extract_classification_feat(all_feat)
        return OrderedDict((l, all_feat[l]) for l in layers)


def _frozen(frozen_backbone_layers: Union[str, Sequence[str]]) -> List[str]:
    """Backbone stages to freeze: upstream's ``'all'`` means every stage; ``'bn1'`` (listed by SuperDiMP's
    recipe) is part of our ``'conv1'`` stage."""
    if isinstance(frozen_backbone_layers, str):
        if frozen_backbone_layers != 'all':
            raise ValueError(f"frozen_backbone_layers must be a list of layer names or 'all', got "
                             f"{frozen_backbone_layers!r}")
        return list(LAYER_NAMES)
    names = ['conv1' if n == 'bn1' else n for n in frozen_backbone_layers]
    return list(dict.fromkeys(names))


def _bb_regressor(resnet50: bool, iou_input_dim, iou_inter_dim, backbone: str = 'resnet18') -> nn.Module:
    if backbone != 'resnet18':
        return bbmodels.AtomIoUNet(input_dim=backbone_channels(backbone, ['layer2', 'layer3']),
                                   pred_input_dim=iou_input_dim, pred_inter_dim=iou_inter_dim)
    if resnet50:  # layer2/layer3 of ResNet-50 have 4x the channels of ResNet-18's
        return bbmodels.AtomIoUNet(input_dim=(4 * 128, 4 * 256), pred_input_dim=iou_input_dim,
                                   pred_inter_dim=iou_inter_dim)
    return bbmodels.AtomIoUNet(pred_input_dim=iou_input_dim, pred_inter_dim=iou_inter_dim)


def _clf_features(resnet50: bool, classification_layer: str, clf_feat_blocks: int, clf_feat_norm: bool,
                  final_conv: bool, out_feature_dim: int, filter_size: int, final_relu: bool = False,
                  backbone: str = 'resnet18') -> nn.Module:
    norm_scale = math.sqrt(1.0 / (out_feature_dim * filter_size * filter_size))
    if not resnet50:
        # upstream's ResNet-18 block always assumes 256 input channels
        feature_dim = 256 if backbone == 'resnet18' else backbone_channels(backbone, [classification_layer])[0]
        return clf_features.residual_basic_block(feature_dim=feature_dim, num_blocks=clf_feat_blocks,
                                                 l2norm=clf_feat_norm,
                                                 final_conv=final_conv, norm_scale=norm_scale,
                                                 out_dim=out_feature_dim, final_relu=final_relu)
    feature_dims = {'layer3': 256, 'layer4': 512}
    if classification_layer not in feature_dims:
        raise ValueError(f"classification_layer must be 'layer3' or 'layer4', got {classification_layer!r}")
    return clf_features.residual_bottleneck(feature_dim=feature_dims[classification_layer], num_blocks=clf_feat_blocks,
                                            l2norm=clf_feat_norm, final_conv=final_conv, norm_scale=norm_scale,
                                            out_dim=out_feature_dim, final_relu=final_relu)


def _backbone(resnet50: bool, backbone_pretrained: bool, frozen_backbone_layers: Union[str, Sequence[str]],
              backbone: str = 'resnet18') -> nn.Module:
    if backbone == 'efficientnet_lite0':
        return lite0_backbone(backbone_pretrained, frozen_backbone_layers)
    if backbone != 'resnet18':
        raise ValueError(f"backbone must be one of {BACKBONES}, got {backbone!r}")
    build = backbones.resnet50 if resnet50 else backbones.resnet18
    return build(pretrained=backbone_pretrained, frozen_layers=_frozen(frozen_backbone_layers))


def _assemble(resnet50: bool, backbone_net: nn.Module, feature_extractor: nn.Module, initializer: nn.Module,
              optimizer: nn.Module, filter_size, classification_layer, iou_input_dim, iou_inter_dim,
              backbone: str = 'resnet18') -> DiMPnet:
    """The DiMPnet of the built parts; the IoU-Net is built last (upstream's order of random draws)."""
    classifier = LinearFilter(filter_size=filter_size, filter_initializer=initializer, filter_optimizer=optimizer,
                              feature_extractor=feature_extractor)
    return DiMPnet(feature_extractor=backbone_net, classifier=classifier,
                   bb_regressor=_bb_regressor(resnet50, iou_input_dim, iou_inter_dim, backbone),
                   classification_layer=classification_layer, bb_regressor_layer=['layer2', 'layer3'])


def _dimp(resnet50: bool, *, filter_size, optim_iter, optim_init_step, optim_init_reg, classification_layer,
          feat_stride, backbone_pretrained, clf_feat_blocks, clf_feat_norm, init_filter_norm, final_conv,
          out_feature_dim, init_gauss_sigma, num_dist_bins, bin_displacement, mask_init_factor, iou_input_dim,
          iou_inter_dim, score_act, act_param, target_mask_act, detach_length, frozen_backbone_layers,
          backbone='resnet18') -> DiMPnet:
    """DiMP (Gauss-Newton steepest descent on the learned loss) on a ResNet-18 or ResNet-50."""
    backbone_net = _backbone(resnet50, backbone_pretrained, frozen_backbone_layers, backbone)
    feature_extractor = _clf_features(resnet50, classification_layer, clf_feat_blocks, clf_feat_norm, final_conv,
                                      out_feature_dim, filter_size, backbone=backbone)
    initializer = clf_initializer.FilterInitializerLinear(filter_size=filter_size, filter_norm=init_filter_norm,
                                                          feature_dim=out_feature_dim)
    optimizer = clf_optimizer.DiMPSteepestDescentGN(
        num_iter=optim_iter, feat_stride=feat_stride, init_step_length=optim_init_step, init_filter_reg=optim_init_reg,
        init_gauss_sigma=init_gauss_sigma, num_dist_bins=num_dist_bins, bin_displacement=bin_displacement,
        mask_init_factor=mask_init_factor, score_act=score_act, act_param=act_param, mask_act=target_mask_act,
        detach_length=detach_length)
    return _assemble(resnet50, backbone_net, feature_extractor, initializer, optimizer, filter_size,
                     classification_layer, iou_input_dim, iou_inter_dim, backbone)


def _prdimp(resnet50: bool, *, filter_size, optim_iter, optim_init_step, optim_init_reg, classification_layer,
            feat_stride, backbone_pretrained, clf_feat_blocks, clf_feat_norm, init_filter_norm, final_conv,
            out_feature_dim, gauss_sigma, iou_input_dim, iou_inter_dim, detach_length, alpha_eps,
            train_feature_extractor, init_uni_weight, optim_min_reg, init_initializer, normalize_label, label_shrink,
            softmax_reg, label_threshold, final_relu, init_pool_square, frozen_backbone_layers,
            backbone='resnet18') -> DiMPnet:
    """PrDiMP (KL objective, Newton steepest descent) on a ResNet-18 or ResNet-50."""
    if not train_feature_extractor:
        frozen_backbone_layers = 'all'
    backbone_net = _backbone(resnet50, backbone_pretrained, frozen_backbone_layers, backbone)
    feature_extractor = _clf_features(resnet50, classification_layer, clf_feat_blocks, clf_feat_norm, final_conv,
                                      out_feature_dim, filter_size, final_relu=final_relu, backbone=backbone)
    initializer = clf_initializer.FilterInitializerLinear(filter_size=filter_size, filter_norm=init_filter_norm,
                                                          feature_dim=out_feature_dim, init_weights=init_initializer,
                                                          pool_square=init_pool_square)
    optimizer = clf_optimizer.PrDiMPSteepestDescentNewton(
        num_iter=optim_iter, feat_stride=feat_stride, init_step_length=optim_init_step, init_filter_reg=optim_init_reg,
        gauss_sigma=gauss_sigma, detach_length=detach_length, alpha_eps=alpha_eps, init_uni_weight=init_uni_weight,
        min_filter_reg=optim_min_reg, normalize_label=normalize_label, label_shrink=label_shrink,
        softmax_reg=softmax_reg, label_threshold=label_threshold)
    return _assemble(resnet50, backbone_net, feature_extractor, initializer, optimizer, filter_size,
                     classification_layer, iou_input_dim, iou_inter_dim, backbone)


# The public constructors keep upstream's names and keyword arguments (a checkpoint replays them); each
# forwards its arguments, ``locals()`` taken first thing, i.e. exactly its parameters, to one builder.
@model_constructor
def dimpnet18(filter_size=1, optim_iter=5, optim_init_step=1.0, optim_init_reg=0.01, classification_layer='layer3',
              feat_stride=16, backbone_pretrained=True, clf_feat_blocks=1, clf_feat_norm=True, init_filter_norm=False,
              final_conv=True, out_feature_dim=256, init_gauss_sigma=1.0, num_dist_bins=5, bin_displacement=1.0,
              mask_init_factor=4.0, iou_input_dim=(256, 256), iou_inter_dim=(256, 256), score_act='relu',
              act_param=None, target_mask_act='sigmoid', detach_length=float('Inf'),
              frozen_backbone_layers=(), backbone='resnet18') -> DiMPnet:
    """DiMP with a ResNet-18 backbone (official ``dimp18.pth``); ``backbone='efficientnet_lite0'`` for the
    small CPU variant (see the module docstring)."""
    return _dimp(False, **locals())


@model_constructor
def dimpnet50(filter_size=1, optim_iter=5, optim_init_step=1.0, optim_init_reg=0.01, classification_layer='layer3',
              feat_stride=16, backbone_pretrained=True, clf_feat_blocks=0, clf_feat_norm=True, init_filter_norm=False,
              final_conv=True, out_feature_dim=512, init_gauss_sigma=1.0, num_dist_bins=5, bin_displacement=1.0,
              mask_init_factor=4.0, iou_input_dim=(256, 256), iou_inter_dim=(256, 256), score_act='relu',
              act_param=None, target_mask_act='sigmoid', detach_length=float('Inf'),
              frozen_backbone_layers=()) -> DiMPnet:
    """DiMP with a ResNet-50 backbone (official ``dimp50.pth`` and ``super_dimp.pth.tar``)."""
    return _dimp(True, **locals())


@model_constructor
def klcedimpnet18(filter_size=1, optim_iter=5, optim_init_step=1.0, optim_init_reg=0.01, classification_layer='layer3',
                  feat_stride=16, backbone_pretrained=True, clf_feat_blocks=1, clf_feat_norm=True,
                  init_filter_norm=False, final_conv=True, out_feature_dim=256, gauss_sigma=1.0,
                  iou_input_dim=(256, 256), iou_inter_dim=(256, 256), detach_length=float('Inf'), alpha_eps=0.0,
                  train_feature_extractor=True, init_uni_weight=None, optim_min_reg=1e-3, init_initializer='default',
                  normalize_label=False, label_shrink=0, softmax_reg=None, label_threshold=0, final_relu=False,
                  init_pool_square=False, frozen_backbone_layers=(), backbone='resnet18') -> DiMPnet:
    """PrDiMP with a ResNet-18 backbone (official ``prdimp18.pth.tar``); ``backbone='efficientnet_lite0'``
    for the small CPU variant (see the module docstring)."""
    return _prdimp(False, **locals())


@model_constructor
def klcedimpnet50(filter_size=1, optim_iter=5, optim_init_step=1.0, optim_init_reg=0.01, classification_layer='layer3',
                  feat_stride=16, backbone_pretrained=True, clf_feat_blocks=0, clf_feat_norm=True,
                  init_filter_norm=False, final_conv=True, out_feature_dim=512, gauss_sigma=1.0,
                  iou_input_dim=(256, 256), iou_inter_dim=(256, 256), detach_length=float('Inf'), alpha_eps=0.0,
                  train_feature_extractor=True, init_uni_weight=None, optim_min_reg=1e-3, init_initializer='default',
                  normalize_label=False, label_shrink=0, softmax_reg=None, label_threshold=0, final_relu=False,
                  frozen_backbone_layers=()) -> DiMPnet:
    """PrDiMP with a ResNet-50 backbone (official ``prdimp50.pth.tar``; upstream has no ``init_pool_square`` here)."""
    return _prdimp(True, init_pool_square=False, **locals())
