"""DiMP-family parameter sets (upstream ``pytracking/parameter/dimp/*.py``) built by one function.

Each file (``dimp18``, ``dimp50``, ``prdimp18``, ``prdimp50``, ``super_dimp``) calls :func:`dimp_parameters`
with only what differs from the DiMP-18/50 defaults, as the upstream files differ. Every knob the tracker
reads is declared here once with its default; an unknown name is an error. Upstream's misspelled
``dispalcement_scale`` is declared as ``displacement_scale``.
"""
from __future__ import annotations

from typing import Any, Dict, Sequence, Union

from pytracking.features.net_wrappers import NetWithBackbone
from pytracking.utils.params import TrackerParams

__all__ = ['dimp_parameters', 'DIMP_CONSTRUCTORS', 'PRDIMP_CONSTRUCTORS']

DIMP_CONSTRUCTORS = ('dimpnet18', 'dimpnet50')
PRDIMP_CONSTRUCTORS = ('klcedimpnet18', 'klcedimpnet50')

_AUGMENTATION = {'fliplr': True,
                 'rotate': [10, -10, 45, -45],
                 'blur': [(3, 1), (1, 3), (2, 2)],
                 'relativeshift': [(0.6, 0.6), (-0.6, 0.6), (0.6, -0.6), (-0.6, -0.6)],
                 'dropout': (2, 0.2)}


def _knobs() -> Dict[str, Any]:
    """Declarations ``{name: (default, doc)}`` with upstream dimp50.py values (and the tracker's built-in defaults)."""
    return {
        # search region
        'image_sample_size': (18 * 16, 'side of the resampled search region (pixels; int or (h, w))'),
        'search_area_scale': (5, 'search region side / target side'),
        'border_mode': ('replicate', "crop border handling: replicate, inside, inside_major"),
        'patch_max_scale_change': (None, "largest shrink of the crop in the 'inside' modes"),
        'scale_factors': ((1.0,), 'relative scales searched per frame'),
        'target_inside_ratio': (0.2, 'part of the target that must stay inside the image'),
        # memory and learning
        'sample_memory_size': (50, 'training samples kept in memory'),
        'learning_rate': (0.01, 'weight of a new sample'),
        'init_samples_minimum_weight': (0.25, 'minimum total weight of the first-frame samples'),
        'train_skipping': (20, 'optimise the filter every this many frames'),
        'train_sample_interval': (1, 'store a sample every this many frames'),
        'update_classifier': (True, 'learn the filter online'),
        'net_opt_iter': (10, 'optimiser iterations on the first frame'),
        'net_opt_update_iter': (2, 'optimiser iterations at a regular update'),
        'net_opt_hn_iter': (1, 'optimiser iterations after a hard negative'),
        'net_opt_low_iter': (1, 'optimiser iterations after a low score (with low_score_opt_threshold)'),
        'low_score_opt_threshold': (None, 'optimise when the max score is below this (None: never)'),
        'label_threshold': (None, 'override of the PrDiMP label threshold'),
        'label_shrink': (None, 'override of the PrDiMP label shrink'),
        'softmax_reg': (None, 'override of the PrDiMP softmax regularisation'),
        'filter_reg': (None, 'override of the learned filter regularisation'),
        'filter_init_zero': (False, 'start the filter at zero instead of the initialiser network'),
        # first-frame augmentation
        'use_augmentation': (True, 'augment the first frame'),
        'augmentation': (_AUGMENTATION, 'first-frame augmentations'),
        'augmentation_expansion_factor': (2, 'augmented crops are this much larger, then cropped back'),
        'random_shift_factor': (1 / 3, 'random shift of flip/blur/scale/rotate crops (fraction of the sample size)'),
        'seed': (1, 'seed of the random shifts, dropout and IoU-Net initial boxes (AlphaRefine: torch.manual_seed(1))'),
        'random_draws': ('alpharefine', "'alpharefine': reseed with `seed` before every random shift and every "
                                        "IoU-Net refinement as AlphaRefine's dimp.py (upstream's draws); "
                                        "'pytracking': one continuing stream (pytracking master)"),
        # localisation
        'window_output': (False, 'multiply the scores by a Hann window'),
        'use_clipped_window': (False, 'clipped Hann window'),
        'effective_search_area': (None, 'search area covered by the clipped window'),
        'perform_hn_without_windowing': (False, 'look for distractors in the unwindowed scores'),
        'score_preprocess': ('none', "scores before localisation: none, exp, softmax"),
        'score_filter_ksz': (1, 'box-filter the scores with this odd kernel size'),
        'advanced_localization': (True, 'distractor handling (hard negatives, uncertain, not found)'),
        'target_not_found_threshold': (0.25, 'max score below this: target not found'),
        'uncertain_threshold': (None, 'max score below this: uncertain (None: off)'),
        'hard_sample_threshold': (None, 'max score below this: hard negative (None: off)'),
        'distractor_threshold': (0.8, 'second peak above this fraction of the first: distractor'),
        'hard_negative_threshold': (0.5, 'second peak above this fraction of the first: hard negative'),
        'target_neighborhood_scale': (2.2, 'masked neighbourhood of the first peak, in target sizes'),
        'displacement_scale': (0.8, "distance threshold of the peaks (upstream 'dispalcement_scale')"),
        'hard_negative_learning_rate': (0.02, 'learning rate of hard-negative samples'),
        'update_scale_when_uncertain': (True, 'let the IoU-Net change the scale in uncertain frames'),
        'use_classifier': (True, 'move the target to the classifier peak'),
        'output_not_found_box': (False, 'output [-1, -1, -1, -1] when the target is not found'),
        # IoU-Net box refinement
        'use_iou_net': (True, 'refine the box with the IoU-Net'),
        'use_iounet_pos_for_learning': (True, 'learn from the IoU-Net position'),
        'box_refinement_space': ('default', "IoU-Net box parametrisation: default or relative"),
        'iounet_augmentation': (False, 'modulation vector from the augmented samples too'),
        'iounet_k': (3, 'average of the top-k refined boxes'),
        'num_init_random_boxes': (9, 'random boxes around the prediction, refined too'),
        'box_jitter_pos': (0.1, 'position jitter of the random boxes (fraction of the box side)'),
        'box_jitter_sz': (0.5, 'size jitter of the random boxes'),
        'maximal_aspect_ratio': (6, 'refined boxes beyond this aspect ratio are dropped'),
        'box_refinement_iter': (5, 'steepest-ascent steps on the predicted IoU'),
        'box_refinement_step_length': (1, 'step length (a number, or (position, size))'),
        'box_refinement_step_decay': (1, 'step length decay per step'),
        # opt-in deviations from upstream (doc/differences.md); False = upstream
        'clamp_iounet_scale': (False, 'opt-in: clamp the IoU-Net scale to [min_scale_factor, max_scale_factor]'),
        'reset_iounet_pos_each_frame': (False, "opt-in: pos follows only this frame's IoU-Net box (upstream reuses "
                                               "the last one after a refinement that kept no box)"),
        # network
        'net': (None, 'NetWithBackbone: the network file (or a ready network for tests)'),
    }


def dimp_parameters(net_path: str, model_zoo_entry: str, constructors: Sequence[str] = DIMP_CONSTRUCTORS,
                    **changes: Union[int, float, str, tuple, dict, None]) -> TrackerParams:
    """The DiMP knobs with upstream dimp50.py defaults, `changes` applied, and the network `net_path`.

    `model_zoo_entry` names the MODEL_ZOO.md row printed when the file is missing; `constructors` are the
    network constructors a file for this set must have been built with (DiMP vs PrDiMP).
    """
    params = TrackerParams(_knobs())
    params.update(changes)
    params.net = NetWithBackbone(net_path=net_path, expected_net_type='DiMPnet', expected_constructor=tuple(constructors),
                                 missing_hint=f"download it as listed in MODEL_ZOO.md ({model_zoo_entry})")
    return params


# the PrDiMP / SuperDiMP changes shared by prdimp18, prdimp50 and super_dimp (upstream files)
RELATIVE_IOUNET = dict(box_refinement_space='relative', box_refinement_iter=10, box_refinement_step_length=2.5e-3)
PRDIMP_SCORES = dict(score_preprocess='softmax', target_not_found_threshold=0.04)
LARGE_SEARCH = dict(image_sample_size=22 * 16, search_area_scale=6, border_mode='inside_major', patch_max_scale_change=1.5)
