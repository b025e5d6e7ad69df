"""Actors of the ATOM IoU-Net (upstream ``ltr/actors/bbreg.py``)."""
from __future__ import annotations

from typing import Dict, Tuple

import torch

from ltr.actors.base_actor import BaseActor


class AtomActor(BaseActor):
    """ATOM: the IoU-Net predicts the IoU of every test proposal; ``loss = objective(pred, proposal_iou)``
    (MSE in the recipe) over ``(frames * sequences, proposals)``."""

    def __call__(self, data: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, Dict[str, float]]:
        iou_pred = self.net(data['train_images'], data['test_images'], data['train_anno'], data['test_proposals'])
        iou_pred = iou_pred.reshape(-1, iou_pred.shape[2])
        iou_gt = data['proposal_iou'].reshape(-1, data['proposal_iou'].shape[2])
        loss = self.objective(iou_pred, iou_gt)
        return loss, {'Loss/total': loss.item(), 'Loss/iou': loss.item()}


class AtomBBKLActor(BaseActor):
    """ATOM with PrDiMP's KL-trained IoU-Net: ``loss = objective(scores, proposal_density, gt_density)``
    (``KLRegression``, Monte Carlo over the proposals)."""

    def __call__(self, data: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, Dict[str, float]]:
        scores = self.net(data['train_images'], data['test_images'], data['train_anno'], data['test_proposals'])
        scores = scores.reshape(-1, scores.shape[2])
        proposal_density = data['proposal_density'].reshape(-1, data['proposal_density'].shape[2])
        gt_density = data['gt_density'].reshape(-1, data['gt_density'].shape[2])
        loss = self.objective(scores, sample_density=proposal_density, gt_density=gt_density, mc_dim=1)
        return loss, {'Loss/total': loss.item(), 'Loss/bb_ce': loss.item()}
