"""Filter optimisers of DiMP and PrDiMP (pytracking's ``target_classifier/optimizer.py``).

Each module unrolls a few steepest-descent iterations on the discriminative objective, with the step
length chosen by a Gauss-Newton (DiMP) or Newton (PrDiMP) quadratic model, and learns parts of the
objective itself (step-length scale, regulariser, and for DiMP the label/mask/weight functions of
the distance to the target centre).

Call form (all three): ``weights, weight_iterates, losses = opt(weights, feat, bb, sample_weight=None,
num_iter=None, compute_losses=True)`` with ``weights (sequences, C, fH, fW)``, ``feat (images,
[sequences], C, H, W)`` and ``bb (images, [sequences], 4)`` xywh in image pixels; ``losses[i]`` is the
objective at iterate ``i`` (``num_iter + 1`` values) when `compute_losses`.
"""
from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.models.layers import activation
from ltr.models.layers import filter as filter_layer
from ltr.models.layers.distance import DistanceMap

__all__ = ['DiMPSteepestDescentGN', 'DiMPL2SteepestDescentGN', 'PrDiMPSteepestDescentNewton']

Result = Tuple[torch.Tensor, List[torch.Tensor], List[torch.Tensor]]


def _image_sizes(feat: torch.Tensor, filter_sz: Sequence[int]) -> Tuple[int, int, Tuple[int, int]]:
    """images, sequences and score size (one more row/column for even filters) of `feat`."""
    num_images = feat.shape[0]
    num_sequences = feat.shape[1] if feat.dim() == 5 else 1
    output_sz = (feat.shape[-2] + (filter_sz[0] + 1) % 2, feat.shape[-1] + (filter_sz[1] + 1) % 2)
    return num_images, num_sequences, output_sz


def _sizes(weights: torch.Tensor, feat: torch.Tensor) -> Tuple[int, int, Tuple[int, int], Tuple[int, int]]:
    """images, sequences, filter size and score size."""
    filter_sz = (weights.shape[-2], weights.shape[-1])
    num_images, num_sequences, output_sz = _image_sizes(feat, filter_sz)
    return num_images, num_sequences, filter_sz, output_sz


def _sqrt_sample_weight(sample_weight: Optional[torch.Tensor], num_images: int, num_sequences: int):
    """Square roots of the per-image sample weights as a residual factor (uniform ``1/images`` when None)."""
    if sample_weight is None:
        return math.sqrt(1.0 / num_images)
    return sample_weight.sqrt().reshape(num_images, num_sequences, 1, 1)


def _l2_objective(residuals: torch.Tensor, weights: torch.Tensor, reg_weight: torch.Tensor,
                  num_sequences: int) -> torch.Tensor:
    """``(sum residual^2 + reg * ||w||^2) / sequences``, the least-squares objective of both DiMP variants."""
    return ((residuals ** 2).sum() + reg_weight * (weights ** 2).sum()) / num_sequences


def _gauss_newton_curvature(scores_grad: torch.Tensor, num_images: int, num_sequences: int) -> torch.Tensor:
    """Per sequence ``||J g||^2``: the Gauss-Newton model's curvature along the gradient (`scores_grad` = J g)."""
    return (scores_grad * scores_grad).reshape(num_images, num_sequences, -1).sum(dim=(0, 2))


def _target_centers(bb: torch.Tensor, feat_stride: float, filter_sz: Sequence[int]) -> torch.Tensor:
    """Box centres in score-map cells, (row, col); even filters shift the score grid by half a cell."""
    offset = (torch.tensor(filter_sz, dtype=bb.dtype, device=bb.device) % 2) / 2.0
    return ((bb[..., :2] + bb[..., 2:] / 2) / feat_stride).flip((-1,)) - offset


def _gaussian(center: torch.Tensor, output_sz: Sequence[int], sigma: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Separable squared distances (rows, cols) of every cell to `center` ``(images, sequences, 2)``."""
    center = center.reshape(center.shape[0], -1, center.shape[-1])
    k0 = torch.arange(output_sz[0], dtype=center.dtype, device=center.device).reshape(1, 1, -1, 1)
    k1 = torch.arange(output_sz[1], dtype=center.dtype, device=center.device).reshape(1, 1, 1, -1)
    dist0 = (k0 - center[:, :, 0].reshape(*center.shape[:2], 1, 1)) ** 2
    dist1 = (k1 - center[:, :, 1].reshape(*center.shape[:2], 1, 1)) ** 2
    return dist0, dist1


class _SteepestDescent(nn.Module):
    """What the three optimisers share: iterations, feature stride, the learned step-length scale and
    filter regulariser (``reg = max(filter_reg^2, min_filter_reg^2)``), and the step along the gradient."""

    def __init__(self, num_iter: int, feat_stride: int, init_step_length: float, init_filter_reg: float,
                 min_filter_reg: float, detach_length: float, alpha_eps: float) -> None:
        super().__init__()
        self.num_iter = num_iter
        self.feat_stride = feat_stride
        self.log_step_length = nn.Parameter(math.log(init_step_length) * torch.ones(1))
        self.filter_reg = nn.Parameter(init_filter_reg * torch.ones(1))
        self.min_filter_reg = min_filter_reg
        self.detach_length = detach_length
        self.alpha_eps = alpha_eps

    def _reg_weight(self) -> torch.Tensor:
        return (self.filter_reg * self.filter_reg).clamp(min=self.min_filter_reg ** 2)

    def _step(self, weights: torch.Tensor, weights_grad: torch.Tensor, curvature: torch.Tensor,
              reg_weight: torch.Tensor, step_length_factor: torch.Tensor) -> torch.Tensor:
        """`weights` moved along -`weights_grad` by the minimiser of the quadratic model whose curvature along
        the gradient is `curvature` (per sequence, data term) plus ``(reg + alpha_eps) * ||g||^2``, scaled by
        the learned `step_length_factor`."""
        alpha_num = (weights_grad * weights_grad).sum(dim=(1, 2, 3))
        alpha_den = (curvature + (reg_weight + self.alpha_eps) * alpha_num).clamp(1e-8)
        return weights - (step_length_factor * (alpha_num / alpha_den).reshape(-1, 1, 1, 1)) * weights_grad

    def _gauss_newton_step(self, weights: torch.Tensor, feat: torch.Tensor, residuals: torch.Tensor,
                           score_mask: torch.Tensor, sample_weight, filter_sz: Sequence[int],
                           reg_weight: torch.Tensor, step_length_factor: torch.Tensor) -> torch.Tensor:
        """One steepest-descent step of a least-squares objective whose residuals are
        ``sample_weight * (act(scores) - label)`` with ``act'(scores) = score_mask``: the gradient (up to a
        factor 2), its image under the Jacobian, and :meth:`_step` with the Gauss-Newton curvature."""
        num_images, num_sequences, _ = _image_sizes(feat, filter_sz)
        residuals_mapped = score_mask * (sample_weight * residuals)
        weights_grad = filter_layer.apply_feat_transpose(feat, residuals_mapped, filter_sz,
                                                         training=self.training) + reg_weight * weights
        scores_grad = sample_weight * (score_mask * filter_layer.apply_filter(feat, weights_grad))
        return self._step(weights, weights_grad, _gauss_newton_curvature(scores_grad, num_images, num_sequences),
                          reg_weight, step_length_factor)


class DiMPSteepestDescentGN(_SteepestDescent):
    """DiMP's optimiser: steepest descent with Gauss-Newton step lengths on the learned hinge-like loss.

    The residual of a cell is ``v * (act(s, m) - y)`` with label ``y``, target mask ``m`` and spatial
    weight ``v`` predicted from the distance to the target centre (``label_map_predictor``,
    ``target_mask_predictor``, ``spatial_weight_predictor``: 1x1 convs on a :class:`DistanceMap`).
    The objective is ``sum residual^2 + reg * ||w||^2`` (per sequence; ``reg = max(filter_reg^2, min_reg^2)``).
    """

    def __init__(self, num_iter: int = 1, feat_stride: int = 16, init_step_length: float = 1.0,
                 init_filter_reg: float = 1e-2, init_gauss_sigma: float = 1.0, num_dist_bins: int = 5,
                 bin_displacement: float = 1.0, mask_init_factor: float = 4.0, score_act: str = 'relu',
                 act_param: Optional[float] = None, min_filter_reg: float = 1e-3, mask_act: str = 'sigmoid',
                 detach_length: float = float('Inf'), alpha_eps: float = 0) -> None:
        super().__init__(num_iter, feat_stride, init_step_length, init_filter_reg, min_filter_reg, detach_length,
                         alpha_eps)
        self.distance_map = DistanceMap(num_dist_bins, bin_displacement)

        d = torch.arange(num_dist_bins, dtype=torch.float32).reshape(1, -1, 1, 1) * bin_displacement
        if init_gauss_sigma == 0:
            init_gauss = torch.zeros_like(d)
            init_gauss[0, 0, 0, 0] = 1
        else:
            init_gauss = torch.exp(-1 / 2 * (d / init_gauss_sigma) ** 2)
        self.label_map_predictor = nn.Conv2d(num_dist_bins, 1, kernel_size=1, bias=False)
        self.label_map_predictor.weight.data = init_gauss - init_gauss.min()

        if mask_act == 'sigmoid':
            mask_layers, init_bias = [nn.Conv2d(num_dist_bins, 1, kernel_size=1, bias=False), nn.Sigmoid()], 0.0
        elif mask_act == 'linear':
            mask_layers, init_bias = [nn.Conv2d(num_dist_bins, 1, kernel_size=1, bias=False)], 0.5
        else:
            raise ValueError(f"mask_act must be 'sigmoid' or 'linear', got {mask_act!r}")
        self.target_mask_predictor = nn.Sequential(*mask_layers)
        self.target_mask_predictor[0].weight.data = mask_init_factor * torch.tanh(2.0 - d) + init_bias

        self.spatial_weight_predictor = nn.Conv2d(num_dist_bins, 1, kernel_size=1, bias=False)
        self.spatial_weight_predictor.weight.data.fill_(1.0)

        if score_act == 'bentpar':
            self.score_activation = activation.BentIdentPar(act_param)
            self.score_activation_deriv = activation.BentIdentParDeriv(act_param)
        elif score_act == 'relu':
            self.score_activation = activation.LeakyReluPar()
            self.score_activation_deriv = activation.LeakyReluParDeriv()
        else:
            raise ValueError(f"score_act must be 'relu' or 'bentpar', got {score_act!r}")

    def loss_terms(self, feat: torch.Tensor, bb: torch.Tensor, filter_sz: Sequence[int],
                   sample_weight: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(label map y, target mask m, total residual weight) of the objective, shaped like the scores."""
        num_images, num_sequences, output_sz = _image_sizes(feat, filter_sz)
        center = _target_centers(bb, self.feat_stride, filter_sz).reshape(-1, 2)
        dist_map = self.distance_map(center, output_sz)
        shape = (num_images, num_sequences, *dist_map.shape[-2:])
        label_map = self.label_map_predictor(dist_map).reshape(shape)
        target_mask = self.target_mask_predictor(dist_map).reshape(shape)
        spatial_weight = self.spatial_weight_predictor(dist_map).reshape(shape)
        return label_map, target_mask, _sqrt_sample_weight(sample_weight, num_images, num_sequences) * spatial_weight

    def objective(self, weights: torch.Tensor, feat: torch.Tensor, bb: torch.Tensor,
                  sample_weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The loss this module minimises, at filter `weights` (what ``losses`` reports)."""
        label_map, target_mask, weight = self.loss_terms(feat, bb, weights.shape[-2:], sample_weight)
        return self._loss(weights, feat, label_map, target_mask, weight)

    def _loss(self, weights, feat, label_map, target_mask, weight) -> torch.Tensor:
        num_sequences = feat.shape[1] if feat.dim() == 5 else 1
        scores = self.score_activation(filter_layer.apply_filter(feat, weights), target_mask)
        return _l2_objective(weight * (scores - label_map), weights, self._reg_weight(), num_sequences)

    def forward(self, weights: torch.Tensor, feat: torch.Tensor, bb: torch.Tensor,
                sample_weight: Optional[torch.Tensor] = None, num_iter: Optional[int] = None,
                compute_losses: bool = True) -> Result:
        num_iter = self.num_iter if num_iter is None else num_iter
        _, num_sequences, filter_sz, _ = _sizes(weights, feat)
        step_length_factor = torch.exp(self.log_step_length)
        reg_weight = self._reg_weight()
        label_map, target_mask, sample_weight = self.loss_terms(feat, bb, filter_sz, sample_weight)
        backprop_through_learning = self.detach_length > 0

        weight_iterates, losses = [weights], []
        for i in range(num_iter):
            if not backprop_through_learning or (i > 0 and i % self.detach_length == 0):
                weights = weights.detach()
            scores = filter_layer.apply_filter(feat, weights)
            scores_act = self.score_activation(scores, target_mask)
            score_mask = self.score_activation_deriv(scores, target_mask)
            residuals = sample_weight * (scores_act - label_map)
            if compute_losses:
                losses.append(_l2_objective(residuals, weights, reg_weight, num_sequences))
            # exact minimiser of the Gauss-Newton model along the gradient
            weights = self._gauss_newton_step(weights, feat, residuals, score_mask, sample_weight, filter_sz,
                                              reg_weight, step_length_factor)
            weight_iterates.append(weights)

        if compute_losses:
            losses.append(self._loss(weights, feat, label_map, target_mask, sample_weight))
        return weights, weight_iterates, losses


class DiMPL2SteepestDescentGN(_SteepestDescent):
    """Simpler DiMP optimiser: fixed Gaussian label, hinge where the label is below `hinge_threshold`."""

    def __init__(self, num_iter: int = 1, feat_stride: int = 16, init_step_length: float = 1.0,
                 gauss_sigma: float = 1.0, hinge_threshold: float = -999, init_filter_reg: float = 1e-2,
                 min_filter_reg: float = 1e-3, detach_length: float = float('Inf'), alpha_eps: float = 0.0) -> None:
        super().__init__(num_iter, feat_stride, init_step_length, init_filter_reg, min_filter_reg, detach_length,
                         alpha_eps)
        self.hinge_threshold = hinge_threshold
        self.gauss_sigma = gauss_sigma

    def get_label(self, center: torch.Tensor, output_sz: Sequence[int]) -> torch.Tensor:
        """Unnormalised Gaussian of std `gauss_sigma` cells around `center`."""
        dist0, dist1 = _gaussian(center, output_sz, self.gauss_sigma)
        return torch.exp(-dist0 / (2 * self.gauss_sigma ** 2)) * torch.exp(-dist1 / (2 * self.gauss_sigma ** 2))

    def forward(self, weights: torch.Tensor, feat: torch.Tensor, bb: torch.Tensor,
                sample_weight: Optional[torch.Tensor] = None, num_iter: Optional[int] = None,
                compute_losses: bool = True) -> Result:
        num_iter = self.num_iter if num_iter is None else num_iter
        num_images, num_sequences, filter_sz, output_sz = _sizes(weights, feat)
        step_length_factor = torch.exp(self.log_step_length)
        reg_weight = self._reg_weight()
        label_map = self.get_label(_target_centers(bb, self.feat_stride, filter_sz), output_sz)
        target_mask = (label_map > self.hinge_threshold).float()
        label_map = label_map * target_mask
        sample_weight = _sqrt_sample_weight(sample_weight, num_images, num_sequences)

        def act(scores):
            return target_mask * scores + (1.0 - target_mask) * F.relu(scores)

        weight_iterates, losses = [weights], []
        for i in range(num_iter):
            if i > 0 and i % self.detach_length == 0:
                weights = weights.detach()
            scores = filter_layer.apply_filter(feat, weights)
            score_mask = target_mask + (1.0 - target_mask) * (scores.detach() > 0).float()
            residuals = sample_weight * (act(scores) - label_map)
            if compute_losses:
                losses.append(_l2_objective(residuals, weights, reg_weight, num_sequences))
            weights = self._gauss_newton_step(weights, feat, residuals, score_mask, sample_weight, filter_sz,
                                              reg_weight, step_length_factor)
            weight_iterates.append(weights)

        if compute_losses:
            scores = act(filter_layer.apply_filter(feat, weights))
            losses.append(_l2_objective(sample_weight * (scores - label_map), weights, reg_weight, num_sequences))
        return weights, weight_iterates, losses


class PrDiMPSteepestDescentNewton(_SteepestDescent):
    """PrDiMP's optimiser: KL divergence between a Gaussian label density and the softmax of the scores,
    minimised by steepest descent with Newton step lengths.

    Objective per sequence: ``sum_images w_i * (log sum exp(s) - <label_density, s>) + reg * ||f||^2``.
    """

    def __init__(self, num_iter: int = 1, feat_stride: int = 16, init_step_length: float = 1.0,
                 init_filter_reg: float = 1e-2, gauss_sigma: float = 1.0, min_filter_reg: float = 1e-3,
                 detach_length: float = float('Inf'), alpha_eps: float = 0.0, init_uni_weight: Optional[float] = None,
                 normalize_label: bool = False, label_shrink: float = 0, softmax_reg: Optional[float] = None,
                 label_threshold: float = 0.0) -> None:
        super().__init__(num_iter, feat_stride, init_step_length, init_filter_reg, min_filter_reg, detach_length,
                         alpha_eps)
        self.gauss_sigma = gauss_sigma
        self.uni_weight = 0 if init_uni_weight is None else init_uni_weight
        self.normalize_label = normalize_label
        self.label_shrink = label_shrink
        self.softmax_reg = softmax_reg
        self.label_threshold = label_threshold

    def get_label_density(self, center: torch.Tensor, output_sz: Sequence[int]) -> torch.Tensor:
        """Gaussian label density around `center` (one-hot when ``gauss_sigma == 0``), thresholded,
        optionally normalised to sum 1, mixed with a uniform density and shrunk."""
        dist0, dist1 = _gaussian(center, output_sz, self.gauss_sigma)
        if self.gauss_sigma == 0:
            one_hot0 = F.one_hot(dist0.reshape(-1, dist0.shape[-2]).argmin(dim=-1), dist0.shape[-2]).to(dist0.dtype)
            one_hot1 = F.one_hot(dist1.reshape(-1, dist1.shape[-1]).argmin(dim=-1), dist1.shape[-1]).to(dist1.dtype)
            gauss = one_hot0.reshape(dist0.shape) * one_hot1.reshape(dist1.shape)
        else:
            g0 = torch.exp(-1.0 / (2 * self.gauss_sigma ** 2) * dist0)
            g1 = torch.exp(-1.0 / (2 * self.gauss_sigma ** 2) * dist1)
            gauss = (g0 / (2 * math.pi * self.gauss_sigma ** 2)) * g1
        gauss = gauss * (gauss > self.label_threshold).float()
        if self.normalize_label:
            gauss = gauss / (gauss.sum(dim=(-2, -1), keepdim=True) + 1e-8)
        return (1.0 - self.label_shrink) * ((1.0 - self.uni_weight) * gauss
                                            + self.uni_weight / (output_sz[0] * output_sz[1]))

    def forward(self, weights: torch.Tensor, feat: torch.Tensor, bb: torch.Tensor,
                sample_weight: Optional[torch.Tensor] = None, num_iter: Optional[int] = None,
                compute_losses: bool = True) -> Result:
        num_iter = self.num_iter if num_iter is None else num_iter
        num_images, num_sequences, filter_sz, output_sz = _sizes(weights, feat)
        step_length_factor = torch.exp(self.log_step_length)
        reg_weight = self._reg_weight()
        label_density = self.get_label_density(_target_centers(bb, self.feat_stride, filter_sz), output_sz)
        if sample_weight is None:
            sample_weight = feat.new_tensor([1.0 / num_images])
        else:
            sample_weight = sample_weight.reshape(num_images, num_sequences, 1, 1)
        exp_reg = 0 if self.softmax_reg is None else math.exp(self.softmax_reg)

        def loss(scores, w):
            per_image = torch.log(scores.exp().sum(dim=(-2, -1)) + exp_reg) - (label_density * scores).sum(dim=(-2, -1))
            return (torch.sum(sample_weight.reshape(sample_weight.shape[0], -1) * per_image) / num_sequences
                    + reg_weight * (w ** 2).sum() / num_sequences)

        weight_iterates, losses = [weights], []
        for i in range(num_iter):
            if i > 0 and i % self.detach_length == 0:
                weights = weights.detach()
            scores = filter_layer.apply_filter(feat, weights)
            scores_softmax = activation.softmax_reg(scores.reshape(num_images, num_sequences, -1), dim=2,
                                                    reg=self.softmax_reg).reshape(scores.shape)
            res = sample_weight * (scores_softmax - label_density)
            if compute_losses:
                losses.append(loss(scores, weights))
            weights_grad = filter_layer.apply_feat_transpose(feat, res, filter_sz, training=self.training) \
                + reg_weight * weights

            # Newton step length: g^T H g with the softmax Hessian diag(p) - p p^T in score space
            scores_grad = filter_layer.apply_filter(feat, weights_grad)
            sm_scores_grad = scores_softmax * scores_grad
            hes_scores_grad = sm_scores_grad - scores_softmax * torch.sum(sm_scores_grad, dim=(-2, -1), keepdim=True)
            grad_hes_grad = (scores_grad * hes_scores_grad).reshape(num_images, num_sequences, -1).sum(dim=2).clamp(min=0)
            grad_hes_grad = (sample_weight.reshape(sample_weight.shape[0], -1) * grad_hes_grad).sum(dim=0)
            weights = self._step(weights, weights_grad, grad_hes_grad, reg_weight, step_length_factor)
            weight_iterates.append(weights)

        if compute_losses:
            losses.append(loss(filter_layer.apply_filter(feat, weights), weights))
        return weights, weight_iterates, losses
