"""Default parameters of the KCF tracker: every knob it reads is declared here, once, with its default."""
from pytracking.utils.params import TrackerParams


def parameters() -> TrackerParams:
    """The KCF knobs with their defaults (HOG-KCF values of Henriques et al. 2015 where they apply)."""
    return TrackerParams({
        'padding': (2.5, 'search window side = (1 + padding) * target side'),
        'template_size': (128, 'the search window is resampled to this area (pixels, as a square side)'),
        'cell_size': (4, 'HOG cell side in resampled pixels'),
        'min_cells': (4, 'smallest feature map side, in cells'),
        'num_orientations': (9, 'unsigned gradient orientation bins'),
        'lambda_': (1e-4, 'ridge regression regularisation'),
        'output_sigma_factor': (0.1, 'label Gaussian sigma / sqrt(target area)'),
        'kernel_sigma': (0.5, 'Gaussian kernel bandwidth'),
        'interp_factor': (0.02, 'linear model update rate per frame'),
        'num_scales': (3, 'scales searched per frame (fixed aspect ratio)'),
        'scale_step': (1.05, 'ratio between neighbouring scales'),
        'scale_penalty': (0.98, 'peak multiplier for scales other than 1 (favours keeping the size)'),
        'min_target_size': (4.0, 'the scale search never shrinks the target below this side (pixels)'),
    })
