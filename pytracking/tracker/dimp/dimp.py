"""The DiMP tracker (upstream ``pytracking/tracker/dimp/dimp.py``): DiMP-18/50, PrDiMP-18/50 and SuperDiMP.

Per frame: crop the search region around ``pos`` at scale ``target_scale`` (``image_sample_size`` pixels),
score it with the online target filter, localise the peak (with distractor handling when
``advanced_localization``), refine the box with the IoU-Net (steepest ascent on the predicted IoU,
:mod:`pytracking.tracker.base.iounet_refine`), and update the filter from a memory of weighted samples
with the network's own optimiser (``classifier.filter_optimizer``).

State (pytracking's): ``pos`` (row, col centre), ``target_sz`` (h, w), ``target_scale`` (search region
/ ``img_sample_sz``), ``base_target_sz``, all float32 tensors on the CPU. The inherited
:meth:`~pytracking.tracker.base.basetracker.BaseTracker.set_target_box` writes them (upstream's arena
rule), so the next search region is centred on a fed-back box at its scale.

Defaults reproduce upstream's numbers (AlphaRefine ``pytracking/tracker/dimp/dimp.py``), including its
randomness: AlphaRefine's file calls ``torch.manual_seed(1)`` before every random augmentation shift
and at the start of every IoU-Net refinement, so all shifts are one and the same draw, the dropout
copies come from the stream right after it, and every frame's IoU-Net start boxes are the same draws.
Here the draws come from the tracker's own generator, reseeded with ``params.seed`` (1) at the same
points, so torch's global RNG is never touched (``random_draws='pytracking'``: one continuing stream,
as pytracking master draws). Opt-in deviations (default off, ``doc/differences.md``):
``clamp_iounet_scale`` (the IoU-Net scale clamped to ``[min_scale_factor, max_scale_factor]`` like
classifier scale updates) and ``reset_iounet_pos_each_frame`` (``pos`` follows only the current frame's
IoU-Net box; upstream reuses the last one when a refinement keeps no box). No visdom/plots.
``search_area_box`` (xywh of the last crop) is kept for tests and visualisation.
"""
from __future__ import annotations

import math
import time
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from ltr.models.layers import activation
from ltr.models.target_classifier.initializer import FilterInitializerZero
from pytracking.features import augmentation
from pytracking.features.preprocessing import numpy_to_torch, sample_patch_multiscale, sample_patch_transformed
from pytracking.libs import TensorList, dcf
from pytracking.libs.sample_memory import update_sample_weights
from pytracking.tracker.base import iounet_refine
from pytracking.tracker.base.basetracker import BaseTracker, check_image, check_init_box

__all__ = ['DiMP']


class DiMP(BaseTracker):
    """DiMP-family tracker; `params` from ``pytracking/parameter/dimp/<name>.py``.

    The network file is loaded when the tracker is built (so a missing or wrong file is one clear error
    before any frame is tracked) and shared by every tracker built from the same parameter object.
    """

    def __init__(self, params) -> None:
        super().__init__(params)
        if params.net is None:
            raise ValueError("DiMP parameters have no network: set params.net (pytracking/parameter/dimp/*.py)")
        params.net.load_network()
        self.net = params.net
        self.pos: Optional[torch.Tensor] = None
        self.target_sz: Optional[torch.Tensor] = None
        self.base_target_sz: Optional[torch.Tensor] = None
        self.frame_num = 0

    # ------------------------------------------------------------------ initialisation
    def initialize(self, image: np.ndarray, info: Dict[str, Any]) -> Dict[str, Any]:
        """Learn the target model from the first frame; ``info['init_bbox'] = [x, y, w, h]``."""
        image = check_image(image)
        state = check_init_box(info)
        tic = time.time()
        self.frame_num = 1
        self.device = torch.device(self.params.device) if self.params.device is not None else None
        self.net.initialize(self.device)
        self.device = self.net.device
        self.generator = torch.Generator().manual_seed(int(self.params.seed))
        self.pos_iounet = None

        im = numpy_to_torch(image)
        self.pos = torch.tensor([state[1] + (state[3] - 1) / 2, state[0] + (state[2] - 1) / 2], dtype=torch.float32)
        self.target_sz = torch.tensor([state[3], state[2]], dtype=torch.float32)
        self.image_sz = torch.tensor([im.shape[2], im.shape[3]], dtype=torch.float32)
        sz = self.params.image_sample_size
        self.img_sample_sz = torch.tensor([sz, sz] if isinstance(sz, (int, float)) else list(sz), dtype=torch.float32)
        self.img_support_sz = self.img_sample_sz

        search_area = torch.prod(self.target_sz * self.params.search_area_scale).item()
        # float32 as upstream (a Python float divided by a float32 tensor)
        self.target_scale = float(math.sqrt(search_area) / self.img_sample_sz.prod().sqrt())
        self.base_target_sz = self.target_sz / self.target_scale
        self.scale_factors = torch.tensor(self.params.scale_factors, dtype=torch.float32).reshape(-1)
        self.min_scale_factor = torch.max(10 / self.base_target_sz).item()
        self.max_scale_factor = torch.min(self.image_sz / self.base_target_sz).item()
        if self.params.random_draws not in ('alpharefine', 'pytracking'):
            raise ValueError(f"random_draws must be 'alpharefine' or 'pytracking', got {self.params.random_draws!r}")

        init_backbone_feat = self.generate_init_samples(im)
        self.init_classifier(init_backbone_feat)
        if self.params.use_iou_net:
            self.init_iou_net(init_backbone_feat)
        return {'time': time.time() - tic}

    def generate_init_samples(self, im: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Backbone features of the first-frame crop and its augmentations (identity first)."""
        mode = self.params.border_mode
        if mode == 'inside':
            # Only 'inside' shrinks and shifts the first-frame crop to fit the image (upstream dimp.py tests
            # mode == 'inside'; its 'inside_major' branch inside is dead code): 'inside_major' (super_dimp,
            # prdimp50) keeps the unshifted crop at target_scale, global_shift 0.
            sample_sz = self.target_scale * self.img_sample_sz
            shrink = (sample_sz / self.image_sz).max().clamp(min=1, max=self.params.patch_max_scale_change)
            sample_sz = sample_sz / shrink
            self.init_sample_scale = (sample_sz / self.img_sample_sz).prod().sqrt().item()
            tl = self.pos - (sample_sz - 1) / 2
            br = self.pos + sample_sz / 2 + 1
            global_shift = -((-tl).clamp(0) - (br - self.image_sz).clamp(0)) / self.init_sample_scale
        else:
            self.init_sample_scale = self.target_scale
            global_shift = torch.zeros(2)
        self.init_sample_pos = self.pos.round()

        factor = self.params.augmentation_expansion_factor
        aug_expansion_sz = self.img_sample_sz.clone()
        aug_output_sz = None
        if factor is not None and factor != 1:
            expanded = (self.img_sample_sz * factor).long()
            expanded += (expanded - self.img_sample_sz.long()) % 2
            aug_expansion_sz = expanded.float()
            aug_output_sz = self.img_sample_sz.long().tolist()

        shift0 = global_shift.long().tolist()
        self.transforms = [augmentation.Identity(aug_output_sz, shift0)]
        augs = self.params.augmentation if self.params.use_augmentation else {}
        if 'shift' in augs:
            self.transforms += [augmentation.Translation(s, aug_output_sz, shift0) for s in augs['shift']]
        if 'relativeshift' in augs:
            def absolute(shift):
                return (torch.tensor(shift, dtype=torch.float32) * self.img_sample_sz / 2).long().tolist()
            self.transforms += [augmentation.Translation(absolute(s), aug_output_sz, shift0) for s in augs['relativeshift']]
        if augs.get('fliplr', False):
            self.transforms.append(augmentation.FlipHorizontal(aug_output_sz, self._rand_shift(global_shift)))
        for sigma in augs.get('blur', []):
            self.transforms.append(augmentation.Blur(sigma, aug_output_sz, self._rand_shift(global_shift)))
        for scale in augs.get('scale', []):
            self.transforms.append(augmentation.Scale(scale, aug_output_sz, self._rand_shift(global_shift)))
        for angle in augs.get('rotate', []):
            self.transforms.append(augmentation.Rotate(angle, aug_output_sz, self._rand_shift(global_shift)))

        im_patches = sample_patch_transformed(im, self.init_sample_pos, self.init_sample_scale, aug_expansion_sz,
                                              self.transforms)
        with torch.no_grad():
            return self.net.extract_backbone(im_patches)

    def _reseed(self) -> None:
        """AlphaRefine's dimp.py calls ``torch.manual_seed(1)`` here; the tracker reseeds its own generator."""
        if self.params.random_draws == 'alpharefine':
            self.generator.manual_seed(int(self.params.seed))

    def _rand_shift(self, global_shift: torch.Tensor) -> Optional[List[int]]:
        """Random shift of a flip/blur/scale/rotate sample (upstream ``get_rand_shift``).

        'alpharefine': reseeded before every draw, so every call returns the same shift, and without the
        'inside' border shift (AlphaRefine calls ``get_rand_shift()`` with its default zero shift);
        'pytracking': successive draws plus the border shift (pytracking master's lambda).
        """
        self._reseed()
        factor = self.params.random_shift_factor
        if not factor or factor <= 0:
            return None
        rand = torch.rand(2, generator=self.generator)
        if self.params.random_draws == 'alpharefine':
            global_shift = torch.zeros(2)
        return ((rand - 0.5) * self.img_sample_sz * factor + global_shift).long().tolist()

    def init_classifier(self, init_backbone_feat: Dict[str, torch.Tensor]) -> None:
        """First-frame filter: classification features of all augmentations (+ dropout copies), optimiser run."""
        x = self.get_classification_features(init_backbone_feat)
        self._overwrite_classifier_params(feature_dim=x.shape[-3])
        augs = self.params.augmentation if self.params.use_augmentation else {}
        if 'dropout' in augs:
            num, prob = augs['dropout']
            self.transforms.extend(self.transforms[:1] * num)
            x = torch.cat([x, self._dropout2d(x[0:1].expand(num, -1, -1, -1), prob)])

        self.feature_sz = torch.tensor(list(x.shape[-2:]), dtype=torch.float32)
        ksz = self.net.classifier.filter_size
        self.kernel_size = torch.tensor([ksz, ksz] if isinstance(ksz, (int, float)) else list(ksz), dtype=torch.float32)
        self.output_sz = self.feature_sz + (self.kernel_size + 1) % 2

        self.output_window = None
        if self.params.window_output:
            if self.params.use_clipped_window:
                raise ValueError("use_clipped_window is not supported by this DiMP (no clipped Hann window in "
                                 "pytracking.libs.dcf); set window_output with use_clipped_window=False")
            self.output_window = dcf.hann2d(self.output_sz.long().tolist(), centered=True).to(self.device).reshape(
                *self.output_sz.long().tolist())

        target_boxes = self.init_target_boxes()
        with torch.no_grad():
            self.target_filter, _, losses = self.net.classifier.get_filter(
                x, target_boxes, num_iter=self.params.net_opt_iter, compute_losses=self.params.debug > 0)
        self.losses = torch.stack([l.reshape(()) for l in losses]) if losses else None
        if self.params.update_classifier:
            self.init_memory(TensorList([x]))

    def _dropout2d(self, x: torch.Tensor, prob: float) -> torch.Tensor:
        """``F.dropout2d(x, prob, training=True)`` with its own draws (``bernoulli_(1 - prob)``) taken from the
        tracker's generator (the state upstream's global RNG has here). On CUDA with 'alpharefine' draws the
        noise comes from a CUDA generator freshly seeded with ``seed``: upstream's ``torch.manual_seed(1)``
        also reseeded the CUDA generator and nothing drew from it since."""
        shape = (x.shape[0], x.shape[1], 1, 1)
        if x.is_cuda and self.params.random_draws == 'alpharefine':
            gen = torch.Generator(device=x.device).manual_seed(int(self.params.seed))
            noise = torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(1 - prob, generator=gen)
        else:
            noise = torch.empty(shape, dtype=x.dtype).bernoulli_(1 - prob, generator=self.generator).to(x.device)
        noise.div_(1 - prob)
        return x * noise

    def _overwrite_classifier_params(self, feature_dim: int) -> None:
        """Parameter-file overrides of the network's optimiser settings (upstream ``_overwrite_classifier_params``)."""
        opt = self.net.classifier.filter_optimizer
        for name in ('label_threshold', 'label_shrink', 'softmax_reg'):
            value = getattr(self.params, name)
            if value is not None:
                setattr(opt, name, value)
        if self.params.filter_reg is not None:
            opt.filter_reg.data.fill_(self.params.filter_reg)
            opt.min_filter_reg = self.params.filter_reg
        if self.params.filter_init_zero:
            self.net.classifier.filter_initializer = FilterInitializerZero(self.net.classifier.filter_size, feature_dim)

    def init_target_boxes(self) -> torch.Tensor:
        """Target boxes (crop coordinates, xywh) of the first-frame samples; also starts the box memory."""
        self.classifier_target_box = self.get_iounet_box(self.pos, self.target_sz, self.init_sample_pos,
                                                         self.init_sample_scale)
        boxes = torch.stack([self.classifier_target_box + torch.tensor([T.shift[1], T.shift[0], 0, 0],
                                                                       dtype=torch.float32) for T in self.transforms])
        boxes = boxes.to(self.device)
        self.target_boxes = boxes.new_zeros(self.params.sample_memory_size, 4)
        self.target_boxes[:boxes.shape[0]] = boxes
        return boxes

    def init_memory(self, train_x: TensorList) -> None:
        """Sample memory with the first-frame samples, equal weights summing to 1."""
        self.num_init_samples = train_x.size(0)
        self.num_stored_samples = list(self.num_init_samples)
        self.previous_replace_ind = [None] * len(self.num_stored_samples)
        self.sample_weights = TensorList([x.new_zeros(self.params.sample_memory_size) for x in train_x])
        for sw, num in zip(self.sample_weights, self.num_init_samples):
            sw[:num] = 1.0 / num
        self.training_samples = TensorList([x.new_zeros(self.params.sample_memory_size, *x.shape[1:]) for x in train_x])
        for ts, x in zip(self.training_samples, train_x):
            ts[:x.shape[0]] = x

    def init_iou_net(self, backbone_feat: Dict[str, torch.Tensor]) -> None:
        """IoU-Net modulation vector from the first-frame target (identity sample, or the shift/flip/blur ones)."""
        for p in self.net.bb_regressor.parameters():
            p.requires_grad_(False)
        self.classifier_target_box = self.get_iounet_box(self.pos, self.target_sz, self.init_sample_pos,
                                                         self.init_sample_scale)
        boxes = iounet_refine.augmented_target_boxes(self.classifier_target_box, self.transforms,
                                                     self.params.iounet_augmentation).to(self.device)
        self.iou_modulation = TensorList(iounet_refine.iou_modulation(
            self.net.bb_regressor, self.net.get_backbone_bbreg_feat(backbone_feat), boxes))
        self.box_settings = iounet_refine.BoxRefinementSettings.from_params(self.params)

    # ------------------------------------------------------------------ tracking
    def track(self, image: np.ndarray, info: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Localise, refine and update; returns ``{'target_bbox': [x, y, w, h], 'flag': ..., 'max_score': ...}``."""
        self._require_state('pos', 'target_sz', 'base_target_sz')
        image = check_image(image)
        self.frame_num += 1
        if self.params.reset_iounet_pos_each_frame:
            self.pos_iounet = None  # opt-in: only this frame's refinement may move pos below
        im = numpy_to_torch(image)

        backbone_feat, sample_coords = self.extract_backbone_features(
            im, self.get_centered_sample_pos(), self.target_scale * self.scale_factors, self.img_sample_sz)
        test_x = self.get_classification_features(backbone_feat)
        sample_pos, sample_scales = self.get_sample_location(sample_coords)
        scores_raw = self.classify_target(test_x)
        translation_vec, scale_ind, s, flag = self.localize_target(scores_raw, sample_pos, sample_scales)
        new_pos = sample_pos[scale_ind, :] + translation_vec

        if flag != 'not_found':
            if self.params.use_iou_net:
                update_scale = self.params.update_scale_when_uncertain or flag != 'uncertain'
                if self.params.use_classifier:
                    self.update_state(new_pos)
                self.refine_target_box(backbone_feat, sample_pos[scale_ind, :], sample_scales[scale_ind], scale_ind,
                                       update_scale)
            elif self.params.use_classifier:
                self.update_state(new_pos, sample_scales[scale_ind])

        hard_negative = flag == 'hard_negative'
        if flag not in ('not_found', 'uncertain') and self.params.update_classifier:
            train_x = test_x[scale_ind:scale_ind + 1, ...]
            target_box = self.get_iounet_box(self.pos, self.target_sz, sample_pos[scale_ind, :], sample_scales[scale_ind])
            self.update_classifier(train_x, target_box,
                                   self.params.hard_negative_learning_rate if hard_negative else None, s[scale_ind, ...])

        if self.params.use_iou_net and flag != 'not_found' and self.pos_iounet is not None:
            self.pos = self.pos_iounet.clone()

        max_score = float(s[scale_ind, ...].max().item())
        coords = sample_coords[scale_ind].float()  # [row1, col1, row2, col2] of the crop, end exclusive
        self.search_area_box = torch.cat((coords[[1, 0]], coords[[3, 2]] - coords[[1, 0]]))
        new_state = torch.cat((self.pos[[1, 0]] - (self.target_sz[[1, 0]] - 1) / 2, self.target_sz[[1, 0]]))
        if self.params.output_not_found_box and flag == 'not_found':
            box = [-1.0, -1.0, -1.0, -1.0]
        else:
            box = [float(v) for v in new_state.tolist()]
        return {'target_bbox': box, 'flag': flag, 'max_score': max_score}

    def get_sample_location(self, sample_coord: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Centre (row, col) and scale of each extracted crop from its image coordinates."""
        sample_coord = sample_coord.float()
        sample_pos = 0.5 * (sample_coord[:, :2] + sample_coord[:, 2:] - 1)
        sample_scales = ((sample_coord[:, 2:] - sample_coord[:, :2]) / self.img_sample_sz).prod(dim=1).sqrt()
        return sample_pos, sample_scales

    def get_centered_sample_pos(self) -> torch.Tensor:
        """Crop centre that puts the target on a score cell (half a cell shift when feature + kernel size is odd)."""
        return self.pos + ((self.feature_sz + self.kernel_size) % 2) * self.target_scale * \
            self.img_support_sz / (2 * self.feature_sz)

    def extract_backbone_features(self, im: torch.Tensor, pos: torch.Tensor, scales: torch.Tensor,
                                  sz: torch.Tensor) -> Tuple[Dict[str, torch.Tensor], torch.Tensor]:
        """Backbone features of the crops at `scales` around `pos`, and the crops' image coordinates."""
        im_patches, patch_coords = sample_patch_multiscale(im, pos, scales.tolist(), sz, mode=self.params.border_mode,
                                                           max_scale_change=self.params.patch_max_scale_change)
        with torch.no_grad():
            return self.net.extract_backbone(im_patches), patch_coords

    def get_classification_features(self, backbone_feat: Dict[str, torch.Tensor]) -> torch.Tensor:
        with torch.no_grad():
            return self.net.extract_classification_feat(backbone_feat)

    def classify_target(self, sample_x: torch.Tensor) -> torch.Tensor:
        """Scores of the current filter on classification features ``(scales, 1, H', W')``."""
        with torch.no_grad():
            return self.net.classifier.classify(self.target_filter, sample_x)

    def localize_target(self, scores: torch.Tensor, sample_pos: torch.Tensor,
                        sample_scales: torch.Tensor) -> Tuple[torch.Tensor, int, torch.Tensor, Optional[str]]:
        """Peak of the (pre-processed) scores -> (translation (row, col) in pixels, scale index, scores, flag)."""
        scores = scores.squeeze(1)
        method = self.params.score_preprocess
        if method == 'exp':
            scores = scores.exp()
        elif method == 'softmax':
            reg = getattr(self.net.classifier.filter_optimizer, 'softmax_reg', None)
            scores = activation.softmax_reg(scores.reshape(scores.shape[0], -1), dim=-1, reg=reg).reshape(scores.shape)
        elif method != 'none':
            raise ValueError(f"score_preprocess must be none, exp or softmax, got {method!r}")
        ksz = self.params.score_filter_ksz
        if ksz > 1:
            if ksz % 2 != 1:
                raise ValueError(f"score_filter_ksz must be odd, got {ksz}")
            kernel = scores.new_ones(1, 1, ksz, ksz)
            scores = F.conv2d(scores.reshape(-1, 1, *scores.shape[-2:]), kernel, padding=ksz // 2).reshape(scores.shape)

        if self.params.advanced_localization:
            return self.localize_advanced(scores, sample_pos, sample_scales)

        score_sz = torch.tensor(list(scores.shape[-2:]), dtype=torch.float32)
        output_sz = score_sz - (self.kernel_size + 1) % 2
        max_score, max_disp = dcf.max2d(scores)
        scale_ind = int(torch.argmax(max_score).item())
        target_disp = max_disp[scale_ind].float().cpu().reshape(-1) - (score_sz - 1) / 2
        translation_vec = target_disp * (self.img_support_sz / output_sz) * sample_scales[scale_ind]
        return translation_vec, scale_ind, scores, None

    def localize_advanced(self, scores: torch.Tensor, sample_pos: torch.Tensor,
                          sample_scales: torch.Tensor) -> Tuple[torch.Tensor, int, torch.Tensor, str]:
        """ATOM's distractor-aware localisation: flags 'normal', 'hard_negative', 'uncertain' or 'not_found'."""
        sz = scores.shape[-2:]
        score_sz = torch.tensor(list(sz), dtype=torch.float32)
        output_sz = score_sz - (self.kernel_size + 1) % 2
        score_center = (score_sz - 1) / 2
        p = self.params

        scores_hn = scores
        # upstream dimp.py applies the output window only together with perform_hn_without_windowing
        # (ATOM's version windows whenever window_output is set); no upstream DiMP set windows
        if self.output_window is not None and p.perform_hn_without_windowing:
            scores_hn = scores.clone()
            scores = scores * self.output_window

        max_score1, max_disp1 = dcf.max2d(scores)
        scale_ind = int(torch.argmax(max_score1).item())
        sample_scale = sample_scales[scale_ind]
        max_score1 = max_score1[scale_ind]
        max_disp1 = max_disp1[scale_ind].float().cpu().reshape(-1)
        target_disp1 = max_disp1 - score_center
        cell = (self.img_support_sz / output_sz) * sample_scale
        translation_vec1 = target_disp1 * cell

        if max_score1.item() < p.target_not_found_threshold:
            return translation_vec1, scale_ind, scores_hn, 'not_found'
        if p.uncertain_threshold is not None and max_score1.item() < p.uncertain_threshold:
            return translation_vec1, scale_ind, scores_hn, 'uncertain'
        if p.hard_sample_threshold is not None and max_score1.item() < p.hard_sample_threshold:
            return translation_vec1, scale_ind, scores_hn, 'hard_negative'

        # mask the neighbourhood of the first peak and look for a second one
        neigh = p.target_neighborhood_scale * (self.target_sz / sample_scale) * (output_sz / self.img_support_sz)
        top = max(round(max_disp1[0].item() - neigh[0].item() / 2), 0)
        bottom = min(round(max_disp1[0].item() + neigh[0].item() / 2 + 1), sz[0])
        left = max(round(max_disp1[1].item() - neigh[1].item() / 2), 0)
        right = min(round(max_disp1[1].item() + neigh[1].item() / 2 + 1), sz[1])
        scores_masked = scores_hn[scale_ind:scale_ind + 1, ...].clone()
        scores_masked[..., top:bottom, left:right] = 0

        max_score2, max_disp2 = dcf.max2d(scores_masked)
        max_disp2 = max_disp2.float().cpu().reshape(-1)
        target_disp2 = max_disp2 - score_center
        translation_vec2 = target_disp2 * cell
        prev_target_vec = (self.pos - sample_pos[scale_ind, :]) / cell

        if max_score2 > p.distractor_threshold * max_score1:
            disp_norm1 = torch.sqrt(torch.sum((target_disp1 - prev_target_vec) ** 2))
            disp_norm2 = torch.sqrt(torch.sum((target_disp2 - prev_target_vec) ** 2))
            disp_threshold = p.displacement_scale * math.sqrt(sz[0] * sz[1]) / 2
            if disp_norm2 > disp_threshold and disp_norm1 < disp_threshold:
                return translation_vec1, scale_ind, scores_hn, 'hard_negative'
            if disp_norm2 < disp_threshold and disp_norm1 > disp_threshold:
                return translation_vec2, scale_ind, scores_hn, 'hard_negative'
            return translation_vec1, scale_ind, scores_hn, 'uncertain'

        if max_score2 > p.hard_negative_threshold * max_score1 and max_score2 > p.target_not_found_threshold:
            return translation_vec1, scale_ind, scores_hn, 'hard_negative'
        return translation_vec1, scale_ind, scores_hn, 'normal'

    def update_state(self, new_pos: torch.Tensor, new_scale: Optional[torch.Tensor] = None) -> None:
        """Move to `new_pos` (kept so that ``target_inside_ratio`` of the target stays in the image)."""
        if new_scale is not None:
            self.target_scale = float(min(max(float(new_scale), self.min_scale_factor), self.max_scale_factor))
            self.target_sz = self.base_target_sz * self.target_scale
        inside_offset = (self.params.target_inside_ratio - 0.5) * self.target_sz
        self.pos = torch.max(torch.min(new_pos, self.image_sz - inside_offset), inside_offset)

    def get_iounet_box(self, pos: torch.Tensor, sz: torch.Tensor, sample_pos: torch.Tensor,
                       sample_scale: Any) -> torch.Tensor:
        """Box ``[x, y, w, h]`` in the crop's pixel frame of a target at `pos`/`sz` (image coordinates)."""
        return iounet_refine.iounet_box(pos, sz, sample_pos, sample_scale, self.img_sample_sz)

    # ------------------------------------------------------------------ model update
    def update_classifier(self, train_x: torch.Tensor, target_box: torch.Tensor, learning_rate: Optional[float] = None,
                          scores: Optional[torch.Tensor] = None) -> None:
        """Store the sample, then run the filter optimiser (hard negative, low score, or every ``train_skipping``)."""
        hard_negative = learning_rate is not None
        if learning_rate is None:
            learning_rate = self.params.learning_rate
        if hard_negative or self.frame_num % self.params.train_sample_interval == 0:
            self.update_memory(TensorList([train_x]), target_box, learning_rate)

        num_iter = 0
        low_th = self.params.low_score_opt_threshold
        if hard_negative:
            num_iter = self.params.net_opt_hn_iter
        elif low_th is not None and scores is not None and low_th > scores.max().item():
            num_iter = self.params.net_opt_low_iter
        elif (self.frame_num - 1) % self.params.train_skipping == 0:
            num_iter = self.params.net_opt_update_iter
        if not num_iter:
            return
        n = self.num_stored_samples[0]
        with torch.no_grad():
            self.target_filter, _, losses = self.net.classifier.filter_optimizer(
                self.target_filter, num_iter=num_iter, feat=self.training_samples[0][:n],
                bb=self.target_boxes[:n].clone(), sample_weight=self.sample_weights[0][:n],
                compute_losses=self.params.debug > 0)
        if losses and self.losses is not None:
            self.losses = torch.cat((self.losses, torch.stack([l.reshape(()) for l in losses])))

    def update_memory(self, sample_x: TensorList, target_box: torch.Tensor, learning_rate: float) -> None:
        """Write the sample and its box into the memory slot chosen by :meth:`update_sample_weights`."""
        replace_ind = self.update_sample_weights(self.sample_weights, self.previous_replace_ind,
                                                 self.num_stored_samples, self.num_init_samples, learning_rate)
        self.previous_replace_ind = replace_ind
        for train_samp, x, ind in zip(self.training_samples, sample_x, replace_ind):
            train_samp[ind:ind + 1, ...] = x
        self.target_boxes[replace_ind[0], :] = target_box.to(self.target_boxes.device)
        self.num_stored_samples = [n + 1 for n in self.num_stored_samples]

    def update_sample_weights(self, sample_weights: TensorList, previous_replace_ind: List[Optional[int]],
                              num_stored_samples: List[int], num_init_samples: List[int],
                              learning_rate: float) -> List[int]:
        """Exponentially decaying sample weights (new sample gets `learning_rate`); returns the slot to replace.

        Free slots are filled first; when the memory is full, the lowest-weight sample after the first-frame
        ones is replaced; the first-frame samples keep at least ``init_samples_minimum_weight`` of the total.
        """
        return update_sample_weights(sample_weights, previous_replace_ind, num_stored_samples, num_init_samples,
                                     [learning_rate] * len(sample_weights), self.params.init_samples_minimum_weight,
                                     fill_free_slots_first=True)

    # ------------------------------------------------------------------ IoU-Net
    def get_iou_features(self, backbone_feat: Dict[str, torch.Tensor]) -> TensorList:
        with torch.no_grad():
            return TensorList(self.net.bb_regressor.get_iou_feat(self.net.get_backbone_bbreg_feat(backbone_feat)))

    def refine_target_box(self, backbone_feat: Dict[str, torch.Tensor], sample_pos: torch.Tensor, sample_scale: Any,
                          scale_ind: int, update_scale: bool = True) -> None:
        """IoU-Net refinement of the current box in the crop of `scale_ind`; updates pos, size and scale."""
        self._reseed()  # AlphaRefine: torch.manual_seed(1) first thing in refine_target_box
        init_box = self.get_iounet_box(self.pos, self.target_sz, sample_pos, sample_scale)
        iou_features = TensorList([x[scale_ind:scale_ind + 1, ...] for x in self.get_iou_features(backbone_feat)])
        predict_iou = iounet_refine.network_iou_predictor(self.net.bb_regressor, self.iou_modulation, iou_features)
        found = iounet_refine.refine_box(predict_iou, init_box, self.box_settings, device=self.device,
                                         generator=self.generator)
        if found is None:
            return
        new_pos, new_target_sz = iounet_refine.box_to_state(found[0], sample_pos, sample_scale, self.img_sample_sz)
        new_scale = torch.sqrt(new_target_sz.prod() / self.base_target_sz.prod()).item()
        self.pos_iounet = new_pos.clone()
        if self.params.use_iounet_pos_for_learning:
            self.pos = new_pos.clone()
        self.target_sz = new_target_sz
        if update_scale:
            if self.params.clamp_iounet_scale:  # opt-in; upstream takes the IoU-Net scale unclamped
                new_scale = min(max(new_scale, self.min_scale_factor), self.max_scale_factor)
            self.target_scale = float(new_scale)
