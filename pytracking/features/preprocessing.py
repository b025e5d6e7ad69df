"""Patch sampling of the pytracking trackers under the upstream module path.

The functions live in ``ltr.data.processing_utils`` (one module for every crop convention,
DESIGN.md section 2); this module keeps pytracking's names importable from
``pytracking.features.preprocessing``.
"""
from ltr.data.processing_utils import (numpy_to_torch, sample_patch, sample_patch_multiscale,
                                       sample_patch_transformed, torch_to_numpy)

__all__ = ['numpy_to_torch', 'torch_to_numpy', 'sample_patch', 'sample_patch_multiscale', 'sample_patch_transformed']
