"""ECO with hand-crafted features only (no network file): HOG (cell 4) and RGB (pooled by 8).

Not an upstream parameter set: it lets ECO run, be tested and benchmarked on machines without the
network file. Everything but the features and their block parameters comes from :mod:`default`.
"""
from __future__ import annotations

from pytracking.features.color import RGB
from pytracking.features.extractor import MultiResolutionExtractor
from pytracking.features.featurebase import FeatureParams
from pytracking.features.hog import HOG
from pytracking.parameter.eco.default import block_params, eco_parameters
from pytracking.utils.params import TrackerParams


def parameters() -> TrackerParams:
    """ECO-HC-like: HOG 10 channels -> 8, RGB 3 channels -> 3."""
    hog = HOG(cell_size=4, fparams=FeatureParams(feature_params=[block_params(
        compressed_dim=8, learning_rate=0.01, output_sigma_factor=1 / 16, translation_weight=0.7,
        reg_window_min=1e-4, reg_window_edge=10e-3, reg_sparsity_threshold=0.05)]), normalize_power=2)
    rgb = RGB(pool_stride=8, fparams=FeatureParams(feature_params=[block_params(
        compressed_dim=3, learning_rate=0.01, output_sigma_factor=1 / 16, translation_weight=0.3,
        reg_window_min=1e-4, reg_window_edge=10e-3, reg_sparsity_threshold=0.05)]), normalize_power=2)
    return eco_parameters(MultiResolutionExtractor([hog, rgb], patch_mode='replicate'))
