"""Actor of the SEcm refiner: corner regression + mask loss (upstream ``ltr/actors/ar_actors/SEcm.py``)."""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import torch

from ltr.actors.base_actor import BaseActor
from ltr.data.bounding_box_utils import iou_xywh, xywh_to_xyxy, xyxy_to_xywh


class SEcm_Actor(BaseActor):
    """``loss = corner_MSE + 1000 * mask_BCE`` (mask term only when the batch has mask samples).

    `objective` maps ``'corner'`` and ``'mask'`` to loss modules (upstream: ``MSELoss``, ``BCELoss``);
    `loss_weight` their weights. Stats: total/corner/mask losses and the mean IoU of predicted boxes.
    """

    def __init__(self, net, objective, loss_weight: Optional[Dict[str, float]] = None):
        super().__init__(net, objective)
        self.loss_weight = {'corner': 1.0, 'mask': 1000.0, **(loss_weight or {})}

    def __call__(self, data: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, Dict[str, float]]:
        out = self.net(data['train_images'], data['test_images'], data['train_anno'], mode='train')
        pred = out['corner'].view(-1, 4)
        gt_xywh = data['test_anno'].view(-1, 4)
        loss_corner = self.objective['corner'](pred, xywh_to_xyxy(gt_xywh))
        loss = self.loss_weight['corner'] * loss_corner
        stats = {'Loss/corner': loss_corner.item()}
        has_mask = data['mask'].view(-1).bool()
        if bool(has_mask.any()):
            pred_mask = out['mask'].reshape(has_mask.numel(), -1)[has_mask]
            gt_mask = data['test_masks'].reshape(has_mask.numel(), -1)[has_mask]
            loss_mask = self.objective['mask'](pred_mask, gt_mask)
            loss = loss + self.loss_weight['mask'] * loss_mask
            stats['Loss/mask'] = loss_mask.item()
        stats['Loss/total'] = loss.item()
        with torch.no_grad():
            stats['IoU'] = iou_xywh(xyxy_to_xywh(pred.detach()), gt_xywh).mean().item()
        return loss, stats
