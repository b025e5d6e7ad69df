"""Training processing of the base trackers (upstream ``ltr/data/processing.py`` ``ATOMProcessing``,
``DiMPProcessing``, ``KLDiMPProcessing``).

For every train and test frame of a sample: the joint transform (all frames, one random roll), a jitter
of the ground-truth box (``ltr.data.processing.jittered_box``: size ``wh * exp(N(0,1) * s)``, centre moved
by ``sqrt(w'h') * c * (U(0,1) - 0.5)``), a crop around the jittered box with the family's crop
(ATOM: :func:`~ltr.data.processing_utils.jittered_center_crop`; DiMP:
:func:`~ltr.data.processing_utils.target_image_crop` with ``crop_type`` and ``max_scale_change``), the
ground truth mapped into the crop, and the split's transform per crop (its own roll). Then:

- ATOM / DiMP: ``proposal_params['boxes_per_frame']`` IoU-Net proposals per test frame by
  :func:`~ltr.data.processing_utils.perturb_box` (``min_iou``, ``sigma_factor``) and their IoU with the
  ground truth mapped to ``[-1, 1]`` (``proposal_iou``);
- DiMP: Gaussian label maps of the train and test boxes (``train_label``, ``test_label``,
  ``label_function_params`` = ``feature_sz``, ``sigma_factor``, ``kernel_sz``);
- PrDiMP (KL): proposals drawn from a Gaussian mixture with their densities (``test_proposals``,
  ``proposal_density``, ``gt_density``; ``proposal_sigma``, ``gt_sigma``, ``boxes_per_frame``) and, with
  ``label_density_params``, normalised label densities (``train_label_density``, ``test_label_density``).

Transforms are those of :mod:`ltr.data.transforms`; a transform step with a ``transform_box(box, image_hw,
*params)`` method (:class:`BoxAwareHorizontalFlip`, upstream's ``RandomHorizontalFlip`` of boxes) moves the
boxes with the image. ``mode='sequence'`` stacks the frames of a set (``(frames, ...)`` per item).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import torch

from ltr.data import processing_utils as prutils
from ltr.data.processing import BaseProcessing, jittered_box, stack_tensors
from ltr.data.tensordict import TensorDict
from ltr.data.transforms import Compose, RandomHorizontalFlip

CROP_TYPES = ('replicate', 'inside', 'inside_major')


class BoxAwareHorizontalFlip(RandomHorizontalFlip):
    """RandomHorizontalFlip that also flips boxes: ``x' = W - 1 - x - w`` (upstream flips the box corners
    ``x`` and ``x + w`` as pixel coordinates ``W - 1 - u``)."""

    def transform_box(self, box: torch.Tensor, image_hw: Tuple[int, int], do_flip: bool) -> torch.Tensor:
        if not do_flip:
            return box
        out = box.clone()
        out[0] = (image_hw[1] - 1) - (box[0] + box[2])
        return out


def _image_hw(img) -> Tuple[int, int]:
    if isinstance(img, torch.Tensor):
        return int(img.shape[-2]), int(img.shape[-1])
    return int(img.shape[0]), int(img.shape[1])


def _steps(transform) -> list:
    if transform is None:
        return []
    if isinstance(transform, Compose):
        return transform._steps()  # the fused steps Compose itself runs
    return [transform]


def _roll(step) -> tuple:
    params = step.roll()
    if params is None:
        return ()
    return params if isinstance(params, tuple) else (params,)


def transform_with_boxes(transform, images: Sequence, boxes: Sequence[torch.Tensor],
                         joint: bool = True) -> Tuple[List, List[torch.Tensor]]:
    """Apply `transform` (a Transform or Compose) to `images` and their `boxes`.

    `joint`: one random roll per step for all images (upstream ``joint=True``); else every (image, box)
    pair gets its own rolls (upstream ``joint=False``). Steps without ``transform_box`` leave boxes alone.
    """
    if not joint:
        pairs = [transform_with_boxes(transform, [im], [bb]) for im, bb in zip(images, boxes)]
        return [p[0][0] for p in pairs], [p[1][0] for p in pairs]
    images, boxes = list(images), list(boxes)
    for step in _steps(transform):
        params = _roll(step)
        if hasattr(step, 'transform_box'):
            boxes = [step.transform_box(bb, _image_hw(im), *params) for im, bb in zip(images, boxes)]
        images = [step.transform(im, *params) for im in images]
    return images, boxes


def _float_boxes(boxes) -> List[torch.Tensor]:
    return [torch.as_tensor(b, dtype=torch.float32) for b in boxes]


class _TrackingProcessing(BaseProcessing):
    """What the three processings share: joint transform, jitter, crops, per-crop transforms, stacking."""

    def __init__(self, search_area_factor: float, output_sz: int, center_jitter_factor: Dict[str, float],
                 scale_jitter_factor: Dict[str, float], mode: str = 'pair', *args, **kwargs):
        super().__init__(*args, **kwargs)
        if mode not in ('pair', 'sequence'):
            raise ValueError(f"mode must be 'pair' or 'sequence', got {mode!r}")
        self.search_area_factor = search_area_factor
        self.output_sz = output_sz
        self.center_jitter_factor = center_jitter_factor
        self.scale_jitter_factor = scale_jitter_factor
        self.mode = mode

    def _crop(self, frames, jittered: List[torch.Tensor], gt: List[torch.Tensor]):
        raise NotImplementedError

    def _crop_and_transform(self, data: TensorDict) -> TensorDict:
        if self.transform['joint'] is not None:
            n_train = len(data['train_images'])
            images, boxes = transform_with_boxes(self.transform['joint'],
                                                 list(data['train_images']) + list(data['test_images']),
                                                 _float_boxes(list(data['train_anno']) + list(data['test_anno'])))
            data['train_images'], data['test_images'] = images[:n_train], images[n_train:]
            data['train_anno'], data['test_anno'] = boxes[:n_train], boxes[n_train:]
        for s in ('train', 'test'):
            if self.mode == 'pair' and len(data[s + '_images']) != 1:
                raise ValueError(f"pair mode needs one {s} frame, got {len(data[s + '_images'])}")
            gt = _float_boxes(data[s + '_anno'])
            jittered = [jittered_box(a, self.center_jitter_factor[s], self.scale_jitter_factor[s]) for a in gt]
            crops, boxes = self._crop(data[s + '_images'], jittered, gt)
            data[s + '_images'], data[s + '_anno'] = transform_with_boxes(self.transform[s], crops, boxes, joint=False)
        return data

    def _finish(self, data: TensorDict) -> TensorDict:
        if self.mode == 'sequence':
            return data.apply(stack_tensors)
        return data.apply(lambda x: x[0] if isinstance(x, list) else x)


def _iou_proposals(box: torch.Tensor, params: Dict) -> Tuple[torch.Tensor, torch.Tensor]:
    """``boxes_per_frame`` proposals of `box` by :func:`perturb_box` and their IoU mapped to [-1, 1]."""
    method = params.get('proposal_method', 'default')
    n = params['boxes_per_frame']
    if method == 'default':
        proposals, ious = torch.zeros((n, 4)), torch.zeros(n)
        for i in range(n):
            proposals[i], ious[i] = prutils.perturb_box(box, min_iou=params['min_iou'],
                                                        sigma_factor=params['sigma_factor'])
    elif method == 'gmm':
        proposals, _, _ = prutils.sample_box_gmm(box, params['proposal_sigma'], num_samples=n)
        ious = prutils.iou(box.view(1, 4), proposals.view(-1, 4))
    else:
        raise ValueError(f"unknown proposal_method {method!r} (use 'default' or 'gmm')")
    return proposals, ious * 2 - 1


class ATOMProcessing(_TrackingProcessing):
    """ATOM: square crops of ``search_area_factor * sqrt(w*h)`` (replicated borders) and IoU proposals.

    Args: as the module docstring; `proposal_params` holds ``boxes_per_frame``, ``min_iou``,
    ``sigma_factor`` (and optionally ``proposal_method``).
    """

    def __init__(self, search_area_factor: float, output_sz: int, center_jitter_factor: Dict[str, float],
                 scale_jitter_factor: Dict[str, float], proposal_params: Dict, mode: str = 'pair', *args, **kwargs):
        super().__init__(search_area_factor, output_sz, center_jitter_factor, scale_jitter_factor, mode,
                         *args, **kwargs)
        self.proposal_params = proposal_params

    def _crop(self, frames, jittered, gt):
        return prutils.jittered_center_crop(frames, jittered, gt, self.search_area_factor, self.output_sz)

    def __call__(self, data: TensorDict) -> TensorDict:
        data = self._crop_and_transform(data)
        proposals, ious = zip(*[_iou_proposals(a, self.proposal_params) for a in data['test_anno']])
        data['test_proposals'], data['proposal_iou'] = list(proposals), list(ious)
        return self._finish(data)


class DiMPProcessing(_TrackingProcessing):
    """DiMP: adaptive crops (``crop_type`` 'replicate', 'inside' or 'inside_major', ``max_scale_change``),
    IoU proposals (when `proposal_params`) and Gaussian labels (when `label_function_params`)."""

    def __init__(self, search_area_factor: float, output_sz: int, center_jitter_factor: Dict[str, float],
                 scale_jitter_factor: Dict[str, float], crop_type: str = 'replicate',
                 max_scale_change: Optional[float] = None, mode: str = 'pair', proposal_params: Optional[Dict] = None,
                 label_function_params: Optional[Dict] = None, *args, **kwargs):
        super().__init__(search_area_factor, output_sz, center_jitter_factor, scale_jitter_factor, mode,
                         *args, **kwargs)
        if crop_type not in CROP_TYPES:
            raise ValueError(f"crop_type must be one of {CROP_TYPES}, got {crop_type!r}")
        self.crop_type = crop_type
        self.max_scale_change = max_scale_change
        self.proposal_params = proposal_params
        self.label_function_params = label_function_params

    def _crop(self, frames, jittered, gt):
        return prutils.target_image_crop(frames, jittered, gt, self.search_area_factor, self.output_sz,
                                         mode=self.crop_type, max_scale_change=self.max_scale_change)

    def _label(self, boxes: torch.Tensor) -> torch.Tensor:
        p = self.label_function_params
        return prutils.gaussian_label_function(boxes.view(-1, 4), p['sigma_factor'], p['kernel_sz'], p['feature_sz'],
                                               self.output_sz, end_pad_if_even=p.get('end_pad_if_even', True))

    def _proposals(self, data: TensorDict) -> None:
        if self.proposal_params:
            proposals, ious = zip(*[_iou_proposals(a, self.proposal_params) for a in data['test_anno']])
            data['test_proposals'], data['proposal_iou'] = list(proposals), list(ious)

    def _labels(self, data: TensorDict) -> None:
        if self.label_function_params is not None:
            data['train_label'] = self._label(data['train_anno'])
            data['test_label'] = self._label(data['test_anno'])

    def __call__(self, data: TensorDict) -> TensorDict:
        data = self._crop_and_transform(data)
        self._proposals(data)
        data = self._finish(data)
        self._labels(data)
        return data


class KLDiMPProcessing(DiMPProcessing):
    """PrDiMP / SuperDiMP: DiMP's crops and labels, proposals from a Gaussian mixture with densities
    (``proposal_params``: ``boxes_per_frame``, ``proposal_sigma``, ``gt_sigma``, ``add_mean_box``) and
    label densities (``label_density_params``: ``feature_sz``, ``sigma_factor``, ``kernel_sz``,
    ``normalize``, ``threshold``, ``uni_weight``, ``shrink``, ``interp_factor``, ``end_pad_if_even``)."""

    def __init__(self, search_area_factor: float, output_sz: int, center_jitter_factor: Dict[str, float],
                 scale_jitter_factor: Dict[str, float], crop_type: str = 'replicate',
                 max_scale_change: Optional[float] = None, mode: str = 'pair', proposal_params: Optional[Dict] = None,
                 label_function_params: Optional[Dict] = None, label_density_params: Optional[Dict] = None,
                 *args, **kwargs):
        super().__init__(search_area_factor, output_sz, center_jitter_factor, scale_jitter_factor, crop_type,
                         max_scale_change, mode, proposal_params, label_function_params, *args, **kwargs)
        self.label_density_params = label_density_params

    def _label_density(self, boxes: torch.Tensor) -> torch.Tensor:
        """Label density (upstream ``KLDiMPProcessing._generate_label_density``): a Gaussian density mixed
        with ``uni_weight``, values at or below ``threshold`` zeroed, optionally normalised to sum 1 (a map
        summing to <= 0.01 becomes uniform), scaled by ``1 - shrink``."""
        p = self.label_density_params
        feat_sz = p['feature_sz'] * p.get('interp_factor', 1)
        label = prutils.gaussian_label_function(boxes.view(-1, 4), p['sigma_factor'], p['kernel_sz'], feat_sz,
                                                self.output_sz, end_pad_if_even=p.get('end_pad_if_even', True),
                                                density=True, uni_bias=p.get('uni_weight', 0.0))
        label = label * (label > p.get('threshold', 0.0)).float()
        if p.get('normalize', False):
            total = label.sum(dim=(-2, -1))
            valid = total > 0.01
            label[valid] = label[valid] / total[valid].view(-1, 1, 1)
            label[~valid] = 1.0 / (label.shape[-2] * label.shape[-1])
        return label * (1.0 - p.get('shrink', 0.0))

    def _proposals(self, data: TensorDict) -> None:
        p = self.proposal_params
        out = [prutils.sample_box_gmm(a, p['proposal_sigma'], gt_sigma=p['gt_sigma'], num_samples=p['boxes_per_frame'],
                                      add_mean_box=p.get('add_mean_box', False)) for a in data['test_anno']]
        proposals, proposal_density, gt_density = zip(*out)
        data['test_proposals'] = list(proposals)
        data['proposal_density'] = list(proposal_density)
        data['gt_density'] = list(gt_density)

    def _labels(self, data: TensorDict) -> None:
        super()._labels(data)
        if self.label_density_params is not None:
            data['train_label_density'] = self._label_density(data['train_anno'])
            data['test_label_density'] = self._label_density(data['test_anno'])
