"""ATOM default parameters (upstream ``pytracking/parameter/atom/default.py``; network ``atom_default.pth``
as Alpha-Refine's arena uses it). The upstream per-feature ``deep_params`` are flattened into this one
object. Upstream spells one knob ``dispalcement_scale``; it is declared here as ``displacement_scale``."""
import torch

from pytracking.utils.params import TrackerParams


def parameters() -> TrackerParams:
    """Every knob the ATOM tracker reads, with its upstream value."""
    return TrackerParams({
        # network and feature
        'net_path': ('atom_default.pth', 'ATOMnet checkpoint, resolved against network_path'),
        'net': (None, 'a ready ATOMnet object instead of net_path (tests, notebooks)'),
        'output_layers': (['layer3'], 'backbone layers of the online classifier'),
        'normalize_power': (2, 'per-sample feature normalisation power (None: off)'),
        # patch sampling
        'max_image_sample_size': ((18 * 16) ** 2, 'largest search patch area (pixels)'),
        'min_image_sample_size': ((18 * 16) ** 2, 'smallest search patch area (pixels)'),
        'search_area_scale': (5, 'search patch side / target side'),
        'search_area_shape': ('square', "'square' or 'initrect'"),
        'feature_size_odd': (False, 'odd feature size (False suits the even 4x4 kernel)'),
        # optimisation
        'CG_iter': (5, 'CG iterations per filter update after the first frame'),
        'init_CG_iter': (60, 'total CG iterations on the first frame'),
        'init_GN_iter': (6, 'Gauss-Newton iterations on the first frame'),
        'post_init_CG_iter': (0, 'CG iterations after the Gauss-Newton stage'),
        'fletcher_reeves': (False, 'Fletcher-Reeves (True) or Polak-Ribiere (False) in the filter updates'),
        'standard_alpha': (True, 'standard CG step length formula'),
        'CG_forgetting_rate': (None, 'forgetting rate of the last CG direction (None: reset every update)'),
        # learning (upstream deep_params)
        'learning_rate': (0.01, 'sample memory learning rate'),
        'init_samples_minimum_weight': (0.25, 'minimum total weight of the first-frame samples'),
        'output_sigma_factor': (1 / 4, 'label Gaussian sigma relative to the target size'),
        'kernel_size': ((4, 4), 'classifier filter size'),
        'compressed_dim': (64, 'projection output channels'),
        'filter_reg': (1e-1, 'filter regularisation'),
        'projection_reg': (1e-4, 'projection matrix regularisation'),
        'use_augmentation': (True, 'learn from the augmented first-frame samples'),
        'translation_weight': (1.0, 'score weight of the feature'),
        'sample_memory_size': (250, 'training sample memory'),
        'train_skipping': (10, 'update the filter every n-th frame'),
        # windowing and detection
        'feature_window': (False, 'multiply features by a Hann window'),
        'window_output': (False, 'multiply scores by a Hann window'),
        'perform_hn_without_windowing': (False, 'look for hard negatives on the unwindowed scores'),
        'scale_factors': (torch.ones(1), 'search scales (one when the IoU-Net is used)'),
        'score_upsample_factor': (1, 'Fourier upsampling of the scores'),
        # first-frame augmentation
        'augmentation': ({'fliplr': True,
                          'rotate': [5, -5, 10, -10, 20, -20, 30, -30, 45, -45, -60, 60],
                          'blur': [(2, 0.2), (0.2, 2), (3, 1), (1, 3), (2, 2)],
                          'relativeshift': [(0.6, 0.6), (-0.6, 0.6), (0.6, -0.6), (-0.6, -0.6)],
                          'dropout': (7, 0.2)}, 'first-frame augmentation'),
        'augmentation_expansion_factor': (2, 'augmented patches are cut from a patch this much larger'),
        'random_shift_factor': (1 / 3, 'random shift of each augmented sample (fraction of the patch)'),
        # factorised convolution
        'update_projection_matrix': (True, 'learn the projection matrix on the first frame'),
        'proj_init_method': ('randn', "'pca' or 'randn'"),
        'filter_init_method': ('randn', "'zeros' or 'randn'"),
        'projection_activation': ('none', "'none', 'relu', 'elu' or ('mlu', a)"),
        'response_activation': (('mlu', 0.05), "'none', 'relu', 'elu' or ('mlu', a)"),
        # advanced localisation
        'advanced_localization': (True, 'distractor / target-not-found handling'),
        'target_not_found_threshold': (0.25, 'absolute score below which the target is lost'),
        'distractor_threshold': (0.8, 'relative score of a distractor'),
        'hard_negative_threshold': (0.5, 'relative score of a hard negative'),
        'target_neighborhood_scale': (2.2, 'target neighbourhood masked out around the peak'),
        'displacement_scale': (0.8, 'displacement that counts as far for distractors (upstream dispalcement_scale)'),
        'hard_negative_learning_rate': (0.02, 'learning rate of hard-negative frames'),
        'hard_negative_CG_iter': (5, 'CG iterations after a hard negative'),
        'update_scale_when_uncertain': (True, 'let the IoU-Net change the scale when uncertain'),
        'use_classifier': (True, 'move the target with the classifier before the IoU-Net'),
        # IoU-Net
        'use_iou_net': (True, 'refine the box with the IoU-Net'),
        'iounet_augmentation': (False, 'modulation from the augmented samples too'),
        'iounet_k': (3, 'average of the k best boxes'),
        'num_init_random_boxes': (9, 'jittered boxes besides the classifier box'),
        'box_jitter_pos': (0.1, 'centre jitter (fraction of sqrt(w h))'),
        'box_jitter_sz': (0.5, 'size jitter (fraction of sqrt(w h))'),
        'maximal_aspect_ratio': (6, 'boxes beyond this aspect ratio are dropped'),
        'box_refinement_iter': (5, 'gradient ascent steps'),
        'box_refinement_step_length': (1, 'gradient ascent step length'),
        'box_refinement_step_decay': (1, 'step length decay per step'),
        'box_refinement_space': ('default', "'default' or 'relative'"),
        'use_iounet_pos_for_learning': (True, 'train on the IoU-Net position'),
    })
