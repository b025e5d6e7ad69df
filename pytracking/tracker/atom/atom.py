"""ATOM tracker (upstream ``pytracking/tracker/atom/atom.py``, as run by Alpha-Refine's arena).

Per frame: the online classifier (1x1 projection + 4x4 filter on ResNet-18 ``layer3`` features of a
search patch ``search_area_scale`` times the target) gives a score map, upsampled in the Fourier
domain; its peak (with distractor / not-found handling when ``advanced_localization``) moves the
target; the IoU-Net then refines the box by gradient ascent on its predicted IoU
(``pytracking/tracker/base/iounet_refine.py``). The classifier is learnt on the first frame from 30
augmented samples (Gauss-Newton on filter + projection) and updated with conjugate gradient every
``train_skipping`` frames from a weighted sample memory.

State (pytracking names): ``pos`` (row, col centre, ``y + (h-1)/2`` convention), ``target_sz`` (h, w),
``target_scale`` (search patch = ``target_scale * img_sample_sz`` image pixels), ``base_target_sz``.
The feed-back hook (:meth:`BaseTracker.set_target_box`) overwrites these; the next search patch is
centred at the new ``pos`` with the new scale (as upstream's ``run_atom_RF.py``).
"""
from __future__ import annotations

import math
import time
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from pytracking.features import augmentation
from pytracking.features.preprocessing import numpy_to_torch, sample_patch_multiscale, sample_patch_transformed
from pytracking.libs import TensorList, dcf, fourier, operation
from pytracking.libs.optimization import ConjugateGradient, GaussNewtonCG
from pytracking.libs.sample_memory import update_sample_weights
from pytracking.tracker.atom.features import ATOMResNet18
from pytracking.tracker.atom.optim import ConvProblem, FactorizedConvProblem, activation, filter_response
from pytracking.tracker.base import BaseTracker
from pytracking.tracker.base.basetracker import check_image, check_init_box
from pytracking.tracker.base.iounet_refine import (BoxRefinementSettings, augmented_target_boxes,
                                                   iou_modulation, iounet_box, network_iou_predictor, refine_box)
from pytracking.utils.device import resolve_device

__all__ = ['ATOM']


class ATOM(BaseTracker):
    """ATOM with the IoU-Net box refinement; see the module docstring. Parameters:
    ``pytracking/parameter/atom/default.py`` (``params.net`` may hold a ready ATOMnet)."""

    def __init__(self, params) -> None:
        super().__init__(params)
        self.features: Optional[ATOMResNet18] = None
        self.device = resolve_device(params.device)
        # Load the network now: a missing or wrong file is one clear error before any frame is tracked.
        self._init_features()

    # ------------------------------------------------------------------ initialisation
    def _init_features(self) -> ATOMResNet18:
        p = self.params
        if self.features is None:
            self.features = ATOMResNet18(net_path=p.net_path, output_layers=p.output_layers,
                                         normalize_power=p.normalize_power, net=p.net, device=self.device)
            self.features.initialize()
        return self.features

    def initialize(self, image: np.ndarray, info: Dict[str, Any]) -> Dict[str, Any]:
        """Learn the classifier and the IoU modulation from the box ``info['init_bbox']`` (xywh) in RGB `image`."""
        box = check_init_box(info)
        check_image(image)
        tic = time.time()
        p = self.params
        self.frame_num = 1
        self.box_settings = BoxRefinementSettings.from_params(p)

        x, y, w, h = (float(v) for v in box)
        self.pos = torch.tensor([y + (h - 1) / 2, x + (w - 1) / 2])
        self.target_sz = torch.tensor([h, w])
        self.target_scale = 1.0
        search_area = float(torch.prod(self.target_sz * p.search_area_scale))
        if search_area > p.max_image_sample_size:
            self.target_scale = math.sqrt(search_area / p.max_image_sample_size)
        elif search_area < p.min_image_sample_size:
            self.target_scale = math.sqrt(search_area / p.min_image_sample_size)
        self.base_target_sz = self.target_sz / self.target_scale

        stride = self.features.stride()
        if p.search_area_shape == 'square':
            self.img_sample_sz = torch.round(torch.sqrt(torch.prod(self.base_target_sz * p.search_area_scale))) * torch.ones(2)
        elif p.search_area_shape == 'initrect':
            self.img_sample_sz = torch.round(self.base_target_sz * p.search_area_scale)
        else:
            raise ValueError(f"unknown search_area_shape '{p.search_area_shape}' (square, initrect)")
        if p.feature_size_odd:
            self.img_sample_sz += stride - self.img_sample_sz % (2 * stride)
        else:
            self.img_sample_sz += stride - (self.img_sample_sz + stride) % (2 * stride)
        self.img_support_sz = self.img_sample_sz
        self.feature_sz = self.features.size(self.img_sample_sz)
        self.output_sz = p.score_upsample_factor * self.img_support_sz
        self.kernel_size = tuple(p.kernel_size)

        lr = p.learning_rate
        self.direction_forget_factor = 0.0 if p.CG_forgetting_rate is None or lr >= 1 else (1 - lr) ** p.CG_forgetting_rate
        self.output_window = dcf.hann2d(self.output_sz.long().tolist(), centered=False).to(self.device) \
            if p.window_output else None
        self.feature_window = TensorList([dcf.hann2d(self.feature_sz.long().tolist()).to(self.device)])
        self.filter_reg = TensorList([torch.tensor(float(p.filter_reg))])
        self.projection_activation = activation(p.projection_activation)
        self.response_activation = activation(p.response_activation)

        im = numpy_to_torch(image)
        self.image_sz = torch.tensor([float(im.shape[2]), float(im.shape[3])])
        self.min_scale_factor = torch.max(10 / self.base_target_sz)
        self.max_scale_factor = torch.min(self.image_sz / self.base_target_sz)

        x = self.generate_init_samples(im)
        if p.use_iou_net:
            self.init_iou_net()
        self.init_projection_matrix(x)
        train_x = self.preprocess_sample(x)
        init_y = self.init_label_function(train_x)
        self.init_memory(train_x)
        self.init_optimization(train_x, init_y)
        self.pos_iounet = self.pos.clone()
        return {'time': time.time() - tic}

    def generate_init_samples(self, im: torch.Tensor) -> TensorList:
        """Features of the augmented first-frame patches (identity, shifts, flip, blurs, rotations, dropout)."""
        p = self.params
        aug_expansion_sz = self.img_sample_sz.clone()
        aug_output_sz = None
        if p.augmentation_expansion_factor is not None and p.augmentation_expansion_factor != 1:
            aug_expansion_sz = (self.img_sample_sz * p.augmentation_expansion_factor).long()
            aug_expansion_sz += (aug_expansion_sz - self.img_sample_sz.long()) % 2
            aug_expansion_sz = aug_expansion_sz.float()
            aug_output_sz = self.img_sample_sz.long().tolist()

        def rand_shift():
            if p.random_shift_factor > 0:
                return ((torch.rand(2) - 0.5) * self.img_sample_sz * p.random_shift_factor).long().tolist()
            return None

        aug = p.augmentation
        self.transforms: List[augmentation.Transform] = [augmentation.Identity(aug_output_sz)]
        self.transforms += [augmentation.Translation(s, aug_output_sz) for s in aug.get('shift', [])]
        self.transforms += [augmentation.Translation((torch.tensor(s, dtype=torch.float32) * self.img_sample_sz / 2).long().tolist(),
                                                     aug_output_sz) for s in aug.get('relativeshift', [])]
        if aug.get('fliplr', False):
            self.transforms.append(augmentation.FlipHorizontal(aug_output_sz, rand_shift()))
        self.transforms += [augmentation.Blur(s, aug_output_sz, rand_shift()) for s in aug.get('blur', [])]
        self.transforms += [augmentation.Scale(s, aug_output_sz, rand_shift()) for s in aug.get('scale', [])]
        self.transforms += [augmentation.Rotate(a, aug_output_sz, rand_shift()) for a in aug.get('rotate', [])]

        patches = sample_patch_transformed(im, self.pos, self.target_scale, aug_expansion_sz, self.transforms)
        init_samples = self.features.extract(patches)
        if not p.use_augmentation:
            init_samples = TensorList([s[0:1] for s in init_samples])
        if 'dropout' in aug:
            num, prob = aug['dropout']
            self.transforms += self.transforms[:1] * num
            if p.use_augmentation:
                init_samples = TensorList([torch.cat([s, F.dropout2d(s[0:1].expand(num, -1, -1, -1), p=prob, training=True)])
                                           for s in init_samples])
        return init_samples

    def init_iou_net(self) -> None:
        """Modulation vector of the target from the first-frame IoU-Net backbone features."""
        self.iou_target_box = iounet_box(self.pos, self.target_sz, self.pos.round(), self.target_scale, self.img_sample_sz)
        target_boxes = augmented_target_boxes(self.iou_target_box, self.transforms, self.params.iounet_augmentation)
        self.iou_modulation = iou_modulation(self.features.iou_predictor, self.features.iounet_backbone_features,
                                             target_boxes.to(self.device))

    def init_projection_matrix(self, x: TensorList) -> None:
        p = self.params
        self.compressed_dim = [p.compressed_dim] * len(x)
        if p.proj_init_method == 'pca':
            mats = [e.permute(1, 0, 2, 3).reshape(e.shape[1], -1) for e in x]
            mats = [m - m.mean(dim=1, keepdim=True) for m in mats]
            self.projection_matrix = TensorList([torch.linalg.svd(m @ m.t())[0][:, :d].t()[:, :, None, None].clone()
                                                 for m, d in zip(mats, self.compressed_dim)])
        elif p.proj_init_method == 'randn':
            self.projection_matrix = TensorList([e.new_zeros(d, e.shape[1], 1, 1).normal_(0, 1 / math.sqrt(e.shape[1]))
                                                 for e, d in zip(x, self.compressed_dim)])
        else:
            raise ValueError(f"unknown proj_init_method '{p.proj_init_method}' (pca, randn)")

    def _label(self, center: torch.Tensor) -> torch.Tensor:
        return dcf.label_function_spatial(self.feature_sz.long().tolist(), self.sigma, center).to(self.device)

    def _label_offset(self) -> torch.Tensor:
        # Even kernels: the response of a centred target is half a cell below/right of the map centre.
        return 0.5 * torch.tensor([(self.kernel_size[0] + 1) % 2, (self.kernel_size[1] + 1) % 2], dtype=torch.float32)

    def init_label_function(self, train_x: TensorList) -> TensorList:
        p = self.params
        self.y = TensorList([x.new_zeros(p.sample_memory_size, 1, x.shape[2], x.shape[3]) for x in train_x])
        self.sigma = (self.feature_sz / self.img_support_sz * self.base_target_sz).prod().sqrt() * p.output_sigma_factor * torch.ones(2)
        target_center_norm = (self.pos - self.pos.round()) / (self.target_scale * self.img_support_sz)
        for y, x in zip(self.y, train_x):
            center_pos = self.feature_sz * target_center_norm + self._label_offset()
            for i, t in enumerate(self.transforms[:x.shape[0]]):
                sample_center = center_pos + torch.tensor(t.shift, dtype=torch.float32) / self.img_support_sz * self.feature_sz
                y[i, 0] = self._label(sample_center)[0, 0]
        return TensorList([y[:x.shape[0]] for y, x in zip(self.y, train_x)])

    def init_memory(self, train_x: TensorList) -> None:
        p = self.params
        self.num_init_samples = [x.shape[0] for x in train_x]
        self.init_sample_weights = TensorList([x.new_ones(1) / x.shape[0] for x in train_x])
        self.init_training_samples = train_x
        self.num_stored_samples = list(self.num_init_samples)
        self.previous_replace_ind: List[Optional[int]] = [None] * len(train_x)
        self.sample_weights = TensorList([x.new_zeros(p.sample_memory_size) for x in train_x])
        for sw, init_sw, num in zip(self.sample_weights, self.init_sample_weights, self.num_init_samples):
            sw[:num] = init_sw
        self.training_samples = TensorList([x.new_zeros(p.sample_memory_size, d, x.shape[2], x.shape[3])
                                            for x, d in zip(train_x, self.compressed_dim)])

    def init_optimization(self, train_x: TensorList, init_y: TensorList) -> None:
        p = self.params
        self.filter = TensorList([x.new_zeros(1, d, k[0], k[1]) for x, d, k in
                                  zip(train_x, self.compressed_dim, [self.kernel_size] * len(train_x))])
        if p.filter_init_method == 'randn':
            for f in self.filter:
                f.normal_(0, 1 / f.numel())
        elif p.filter_init_method != 'zeros':
            raise ValueError(f"unknown filter_init_method '{p.filter_init_method}' (zeros, randn)")

        self.joint_losses: List[float] = []
        if p.update_projection_matrix:
            problem = FactorizedConvProblem(self.init_training_samples, init_y, self.filter_reg,
                                            TensorList([torch.tensor(float(p.projection_reg))]), self.init_sample_weights,
                                            self.projection_activation, self.response_activation)
            joint = GaussNewtonCG(problem, self.filter.concat(self.projection_matrix))
            if isinstance(p.init_CG_iter, (list, tuple)):
                joint.run(list(p.init_CG_iter))
            else:
                joint.run(p.init_CG_iter // p.init_GN_iter, p.init_GN_iter)
            self.joint_losses = list(joint.losses)

        compressed = self.project_sample(self.init_training_samples)
        for memory, init in zip(self.training_samples, compressed):
            memory[:init.shape[0]] = init
        self.conv_problem = ConvProblem(self.training_samples, self.y, self.filter_reg, self.sample_weights,
                                        self.response_activation)
        self.filter_optimizer = ConjugateGradient(self.conv_problem, self.filter, fletcher_reeves=p.fletcher_reeves,
                                                  standard_alpha=p.standard_alpha,
                                                  direction_forget_factor=self.direction_forget_factor)
        if not p.update_projection_matrix:
            self.filter_optimizer.run(p.init_CG_iter)
        self.filter_optimizer.run(p.post_init_CG_iter)
        del self.init_training_samples

    # ------------------------------------------------------------------ tracking
    def track(self, image: np.ndarray, info: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Localise the target in RGB `image`, refine its box, update the classifier; returns ``{'target_bbox': xywh}``."""
        check_image(image)
        p = self.params
        self.frame_num += 1
        im = numpy_to_torch(image)

        sample_pos = self.pos.round()
        sample_scales = self.target_scale * p.scale_factors
        test_x = self.extract_processed_sample(im, self.pos, sample_scales, self.img_sample_sz)
        scores_raw = self.apply_filter(test_x)
        translation_vec, scale_ind, scores, flag = self.localize_target(scores_raw)

        if flag != 'not_found':
            if p.use_iou_net:
                update_scale = p.update_scale_when_uncertain or flag != 'uncertain'
                if p.use_classifier:
                    self.update_state(sample_pos + translation_vec)
                self.refine_target_box(sample_pos, sample_scales[scale_ind], scale_ind, update_scale)
            elif p.use_classifier:
                self.update_state(sample_pos + translation_vec, sample_scales[scale_ind])
        self.debug_info = {'frame_num': self.frame_num, 'max_score': float(scores[scale_ind].max()), 'flag': flag}

        update_flag = flag not in ('not_found', 'uncertain')
        hard_negative = flag == 'hard_negative'
        learning_rate = p.hard_negative_learning_rate if hard_negative else None
        if update_flag:
            train_x = TensorList([x[scale_ind:scale_ind + 1] for x in test_x])
            train_y = self.get_label_function(sample_pos, sample_scales[scale_ind])
            self.update_memory(train_x, train_y, learning_rate)
        if hard_negative:
            self.filter_optimizer.run(p.hard_negative_CG_iter)
        elif (self.frame_num - 1) % p.train_skipping == 0:
            self.filter_optimizer.run(p.CG_iter)

        if p.use_iou_net and flag != 'not_found':
            self.pos = self.pos_iounet.clone()
        new_state = torch.cat((self.pos[[1, 0]] - (self.target_sz[[1, 0]] - 1) / 2, self.target_sz[[1, 0]]))
        return {'target_bbox': [float(v) for v in new_state]}

    def set_target_box(self, box_xywh: Sequence[float]) -> None:
        """Feed-back hook: the inherited state update, and the IoU-Net position follows it too."""
        super().set_target_box(box_xywh)
        self.pos = self.pos.float()
        self.target_sz = self.target_sz.float()
        self.pos_iounet = self.pos.clone()

    def extract_processed_sample(self, im: torch.Tensor, pos: torch.Tensor, scales: torch.Tensor,
                                 sz: torch.Tensor) -> TensorList:
        """Projected (and optionally windowed) classifier features of the search patches at `scales`."""
        patches, _ = sample_patch_multiscale(im, pos, scales.tolist(), sz)
        return self.preprocess_sample(self.project_sample(self.features.extract(patches)))

    def preprocess_sample(self, x: TensorList) -> TensorList:
        return TensorList([e * w for e, w in zip(x, self.feature_window)]) if self.params.feature_window else x

    def project_sample(self, x: TensorList, proj_matrix: Optional[TensorList] = None) -> TensorList:
        proj = self.projection_matrix if proj_matrix is None else proj_matrix
        return TensorList([self.projection_activation(operation.conv1x1(e, pm)) for e, pm in zip(x, proj)])

    def apply_filter(self, sample_x: TensorList) -> TensorList:
        return TensorList([filter_response(x, f) for x, f in zip(sample_x, self.filter)])

    def localize_target(self, scores_raw: TensorList):
        """Scores upsampled to ``output_sz`` by Fourier interpolation, peak -> translation (image pixels)."""
        p = self.params
        scores_raw = TensorList([p.translation_weight * s for s in scores_raw])
        sf_weighted = TensorList([fourier.cfft2(s) / (s.shape[2] * s.shape[3]) for s in scores_raw])
        for i in range(len(sf_weighted)):
            shift = math.pi * (1 - torch.tensor([self.kernel_size[0] % 2, self.kernel_size[1] % 2]) / self.feature_sz)
            sf_weighted[i] = fourier.shift_fs(sf_weighted[i], shift)
        scores = fourier.sample_fs(fourier.sum_fs(sf_weighted), self.output_sz.long().tolist())
        if self.output_window is not None and not p.perform_hn_without_windowing:
            scores = scores * self.output_window
        if p.advanced_localization:
            return self.localize_advanced(scores)

        max_score, max_disp = dcf.max2d(scores)
        scale_ind = int(torch.argmax(max_score.reshape(-1)))
        max_disp = max_disp.reshape(-1, 2).float().cpu()
        disp = (max_disp + self.output_sz / 2) % self.output_sz - self.output_sz / 2
        translation_vec = disp[scale_ind].view(-1) * (self.img_support_sz / self.output_sz) * self.target_scale
        translation_vec = translation_vec * float(p.scale_factors[scale_ind])
        return translation_vec, scale_ind, scores, None

    def localize_advanced(self, scores: torch.Tensor):
        """Peak with distractor handling: 'not_found', 'uncertain', 'hard_negative' or None (upstream rules)."""
        p = self.params
        sz = scores.shape[-2:]
        scores_orig = None
        if self.output_window is not None and p.perform_hn_without_windowing:
            scores_orig = _centre_scores(scores.clone())
            scores = scores * self.output_window
        scores = _centre_scores(scores)

        max_score1, max_disp1 = dcf.max2d(scores)
        scale_ind = int(torch.argmax(max_score1.reshape(-1)))
        max_score1 = max_score1.reshape(-1)[scale_ind]
        max_disp1 = max_disp1.reshape(-1, 2)[scale_ind].float().cpu()
        target_disp1 = max_disp1 - torch.div(self.output_sz, 2, rounding_mode='floor')
        translation_vec1 = target_disp1 * (self.img_support_sz / self.output_sz) * self.target_scale
        if float(max_score1) < p.target_not_found_threshold:
            return translation_vec1, scale_ind, scores, 'not_found'
        if scores_orig is not None:
            scores = scores_orig

        target_neigh_sz = p.target_neighborhood_scale * self.target_sz / self.target_scale
        top = max(round(float(max_disp1[0]) - float(target_neigh_sz[0]) / 2), 0)
        bottom = min(round(float(max_disp1[0]) + float(target_neigh_sz[0]) / 2 + 1), sz[0])
        left = max(round(float(max_disp1[1]) - float(target_neigh_sz[1]) / 2), 0)
        right = min(round(float(max_disp1[1]) + float(target_neigh_sz[1]) / 2 + 1), sz[1])
        masked = scores[scale_ind:scale_ind + 1].clone()
        masked[..., top:bottom, left:right] = 0

        max_score2, max_disp2 = dcf.max2d(masked)
        max_score2 = max_score2.reshape(-1)[0]
        max_disp2 = max_disp2.reshape(-1, 2)[0].float().cpu()
        target_disp2 = max_disp2 - torch.div(self.output_sz, 2, rounding_mode='floor')
        translation_vec2 = target_disp2 * (self.img_support_sz / self.output_sz) * self.target_scale

        if max_score2 > p.distractor_threshold * max_score1:
            disp_norm1 = torch.sqrt(torch.sum(target_disp1 ** 2))
            disp_norm2 = torch.sqrt(torch.sum(target_disp2 ** 2))
            disp_threshold = p.displacement_scale * math.sqrt(sz[0] * sz[1]) / 2
            if disp_norm2 > disp_threshold and disp_norm1 < disp_threshold:
                return translation_vec1, scale_ind, scores, 'hard_negative'
            if disp_norm2 < disp_threshold and disp_norm1 > disp_threshold:
                return translation_vec2, scale_ind, scores, 'hard_negative'
            return translation_vec1, scale_ind, scores, 'uncertain'
        if max_score2 > p.hard_negative_threshold * max_score1 and max_score2 > p.target_not_found_threshold:
            return translation_vec1, scale_ind, scores, 'hard_negative'
        return translation_vec1, scale_ind, scores, None

    # ------------------------------------------------------------------ memory and state
    def get_label_function(self, sample_pos: torch.Tensor, sample_scale) -> TensorList:
        target_center_norm = (self.pos - sample_pos) / (sample_scale * self.img_support_sz)
        center = self.feature_sz * target_center_norm + self._label_offset()
        return TensorList([self._label(center)])

    def update_memory(self, sample_x: TensorList, sample_y: TensorList, learning_rate: Optional[float] = None) -> None:
        replace_ind = self.update_sample_weights(learning_rate)
        self.previous_replace_ind = replace_ind
        for memory, x, ind in zip(self.training_samples, sample_x, replace_ind):
            memory[ind:ind + 1] = x
        for memory, y, ind in zip(self.y, sample_y, replace_ind):
            memory[ind:ind + 1] = y
        self.num_stored_samples = [n + 1 for n in self.num_stored_samples]

    def update_sample_weights(self, learning_rate: Optional[float] = None) -> List[int]:
        """Exponential forgetting with the initial samples kept at ``init_samples_minimum_weight`` in total;
        returns the memory slot each feature block replaces (the lowest weight after the initial ones)."""
        p = self.params
        lr = p.learning_rate if learning_rate is None else learning_rate
        return update_sample_weights(self.sample_weights, self.previous_replace_ind, self.num_stored_samples,
                                     self.num_init_samples, [lr] * len(self.sample_weights),
                                     p.init_samples_minimum_weight)

    def update_state(self, new_pos: torch.Tensor, new_scale: Optional[torch.Tensor] = None) -> None:
        """Move (and rescale) the target; the centre may leave the image by at most 30% of the target."""
        if new_scale is not None:
            self.target_scale = torch.as_tensor(new_scale).clamp(self.min_scale_factor, self.max_scale_factor)
            self.target_sz = self.base_target_sz * self.target_scale
        inside_offset = (0.2 - 0.5) * self.target_sz
        self.pos = torch.max(torch.min(new_pos, self.image_sz - inside_offset), inside_offset)

    def refine_target_box(self, sample_pos: torch.Tensor, sample_scale, scale_ind: int, update_scale: bool = True) -> None:
        """IoU-Net refinement of the current box in the search patch of scale `scale_ind`."""
        init_box = iounet_box(self.pos, self.target_sz, sample_pos, sample_scale, self.img_sample_sz)
        iou_features = TensorList([x[scale_ind:scale_ind + 1] for x in self.features.iounet_features])
        predict = network_iou_predictor(self.features.iou_predictor, self.iou_modulation, iou_features)
        result = refine_box(predict, init_box, self.box_settings, self.device)
        if result is None:
            return
        box, _ = result
        # upstream atom.py subtracts (img_sample_sz - 1) / 2 before flipping to (row, col): the same as DiMP's
        # box_to_state for the default square patch, the other axis' half size for search_area_shape 'initrect'
        new_pos = (box[:2] + box[2:] / 2 - (self.img_sample_sz - 1) / 2).flip((0,)) * sample_scale + sample_pos
        new_target_sz = box[2:].flip((0,)) * sample_scale
        self.pos_iounet = new_pos.clone()
        if self.params.use_iounet_pos_for_learning:
            self.pos = new_pos.clone()
        self.target_sz = new_target_sz
        if update_scale:
            self.target_scale = torch.sqrt(new_target_sz.prod() / self.base_target_sz.prod())


def _centre_scores(scores: torch.Tensor) -> torch.Tensor:
    """Roll the score map (zero displacement at index 0) so that zero displacement sits at ``size // 2`` (upstream)."""
    sz = scores.shape[-2:]
    scores = torch.cat([scores[..., (sz[0] + 1) // 2:, :], scores[..., :(sz[0] + 1) // 2, :]], -2)
    return torch.cat([scores[..., :, (sz[1] + 1) // 2:], scores[..., :, :(sz[1] + 1) // 2]], -1)
