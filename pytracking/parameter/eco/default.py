"""Default ECO parameters: upstream's ``pytracking/parameter/eco/default.py`` values (spec (g)).

Features: ResNet-18 + VGG-M conv1 (``vggconv1`` pooled by 2, ``layer3``) from the network file
``resnet18_vggmconv1.pth`` (MODEL_ZOO.md). :func:`eco_parameters` is the shared builder the other
ECO parameter sets call with their features.
"""
from __future__ import annotations

from typing import Any, Dict

import torch

from pytracking.features import deep
from pytracking.features.extractor import MultiResolutionExtractor
from pytracking.features.featurebase import FeatureParams
from pytracking.utils.params import TrackerParams

BLOCK_KNOBS: Dict[str, Any] = {
    'compressed_dim': (16, 'channels after the projection matrix'),
    'learning_rate': (0.025, 'sample-memory weight of a new sample (exponential forgetting)'),
    'output_sigma_factor': (1 / 16, 'label Gaussian sigma / sqrt(base target area), in feature cells'),
    'translation_weight': (1.0, "weight of this block's scores ('weightedsum' fusion)"),
    'use_augmentation': (True, 'train on the augmented first-frame samples'),
    'use_reg_window': (True, 'spatial regularisation window'),
    'reg_window_min': (1e-4, 'window value at the target centre'),
    'reg_window_edge': (10e-3, 'window value at the target border'),
    'reg_window_power': (2, 'window exponent'),
    'reg_sparsity_threshold': (0.05, 'DFT coefficients below this fraction of the maximum are dropped'),
    'reg_window_square': (False, 'regularisation window of a square target of the same area'),
    'reg_window_centered': (True, 'window grid centred (False: FFT order), upstream dcf.get_reg_filter'),
}


def block_params(**values: Any) -> TrackerParams:
    """Parameters of one feature block (declared knobs only)."""
    return TrackerParams(BLOCK_KNOBS, **values)


def eco_parameters(features: MultiResolutionExtractor, **overrides: Any) -> TrackerParams:
    """ECO's tracker knobs with upstream defaults, `features` as the extractor, then `overrides`."""
    return TrackerParams({
        'features': (features, 'MultiResolutionExtractor; each feature carries its block parameters'),
        'search_area_scale': (4.5, 'search side = sqrt(target area) * this'),
        'max_image_sample_size': (250 ** 2, 'largest sample area in pixels (larger targets are scaled down)'),
        'min_image_sample_size': (200 ** 2, 'smallest sample area in pixels'),
        'init_GN_iter': (10, 'Gauss-Newton steps on the first frame'),
        'init_CG_iter': (100, 'CG iterations on the first frame in total (per GN step: init_CG_iter // init_GN_iter)'),
        'post_init_CG_iter': (0, 'CG iterations after the first-frame optimisation'),
        'CG_iter': (5, 'CG iterations per filter update'),
        'fletcher_reeves': (False, 'filter updates: Fletcher-Reeves (True) or Polak-Ribiere (False)'),
        'standard_alpha': (True, 'CG step length rho / <p, Ap>'),
        'CG_forgetting_rate': (75, 'direction_forget_factor = (1 - max learning rate) ** this'),
        'precond_data_param': (0.3, 'preconditioner: weight of the per-channel sample energy'),
        'precond_reg_param': (0.15, 'preconditioner: weight of the regularisation energy'),
        'precond_proj_param': (35, 'preconditioner of the projection matrix'),
        'update_projection_matrix': (True, 'optimise the projection matrix jointly on the first frame'),
        'projection_reg': (5e-8, 'regularisation of the projection matrix'),
        'sample_memory_size': (200, 'slots of the sample memory'),
        'train_skipping': (10, 'update the filter when frame_num % train_skipping == 1'),
        # upstream: 1.02 ** torch.arange(-2, 3).float(), computed in float32
        'scale_factors': ((1.02 ** torch.arange(-2, 3).float()).tolist(), 'relative scales searched per frame'),
        'score_upsample_factor': (1, 'score grid = this * sample size'),
        'score_fusion_strategy': ('weightedsum', "'weightedsum' (translation_weight per block) or 'sum'"),
        'interpolation_method': ('bicubic', "'bicubic' or 'ideal'"),
        'interpolation_bicubic_a': (-0.75, "Keys' cubic kernel parameter"),
        'interpolation_centering': (True, 'sample n at the centre of its cell'),
        'interpolation_windowing': (False, 'not implemented (as upstream)'),
        'augmentation': ({'fliplr': True,
                          'rotate': [5, -5, 10, -10, 20, -20, 30, -30, 45, -45, -60, 60],
                          'blur': [(2, 0.2), (0.2, 2), (3, 1), (1, 3), (2, 2)],
                          'shift': [(6, 6), (-6, 6), (6, -6), (-6, -6)],
                          'dropout': (7, 0.2)}, 'first-frame augmentation'),
        'adopt_refined_aspect': (False, "opt-in: the feed-back also adopts the refined box's aspect ratio "
                                        "(False = upstream: ECO keeps its initial aspect)"),
        'seed': (0, 'seed of the first-frame dropout draws (= upstream after torch.manual_seed(seed))'),
    }, **overrides)


def parameters() -> TrackerParams:
    """Upstream ECO: deep features from ``resnet18_vggmconv1.pth`` (loaded when tracking starts)."""
    shallow = block_params(compressed_dim=16, learning_rate=0.025, output_sigma_factor=1 / 16,
                           translation_weight=0.4, reg_window_min=1e-4, reg_window_edge=10e-3,
                           reg_sparsity_threshold=0.05)
    deep_block = block_params(compressed_dim=64, learning_rate=0.0075, output_sigma_factor=1 / 4,
                              translation_weight=0.6, reg_window_min=10e-4, reg_window_edge=50e-3,
                              reg_sparsity_threshold=0.1)
    net = deep.ResNet18m1(output_layers=['vggconv1', 'layer3'], fparams=FeatureParams(feature_params=[shallow, deep_block]),
                          pool_stride=[2, 1], normalize_power=2)
    return eco_parameters(MultiResolutionExtractor([net], patch_mode='replicate'))
