"""Actors of DiMP, PrDiMP and SuperDiMP (upstream ``ltr/actors/tracking.py``).

The classifier returns one score map per filter iterate (the initial filter, the optimiser's
intermediate iterates, the final filter). Its loss is a weighted sum over the iterates (upstream):
``w_final * L(final) + w_init * L(initial) + w_iter / (n - 2) * sum L(intermediate)`` (a list of
per-iterate weights instead of ``w_iter`` weighs each intermediate iterate); the weights are
``loss_weight['test_clf' | 'test_init_clf' | 'test_iter_clf']`` (hinge loss on ``test_label``) or
``['clf_ce' | 'clf_ce_init' | 'clf_ce_iter']`` (grid KL on ``test_label_density``). A weight left out
drops its term.
"""
from __future__ import annotations

import math
from typing import Callable, Dict, List, Optional, Tuple, Union

import torch

from ltr.actors.base_actor import BaseActor

Weight = Union[float, List[float]]


def iterate_losses(losses: List[torch.Tensor], w_final: float, w_init: Optional[float],
                   w_iter: Optional[Weight]) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The weighted (final, initial, intermediate) terms of per-iterate `losses` (0 for a missing weight,
    and for the intermediate term when there are fewer than 3 iterates)."""
    final = w_final * losses[-1]
    init = w_init * losses[0] if w_init is not None else torch.zeros(())
    inner = losses[1:-1]
    if w_iter is None or not inner:
        mid = torch.zeros(())
    elif isinstance(w_iter, (list, tuple)):
        mid = sum(a * b for a, b in zip(w_iter, inner))
    else:
        mid = (w_iter / len(inner)) * sum(inner)
    return final, init, mid


def _iterate_stats(final: str, init: str, inner: str, losses: List[torch.Tensor]) -> Dict[str, float]:
    """Unweighted per-iterate losses under upstream's stat names: final, initial, mean of the intermediate."""
    stats = {final: losses[-1].item(), init: losses[0].item()}
    if len(losses) > 2:
        stats[inner] = sum(l.item() for l in losses[1:-1]) / (len(losses) - 2)
    return stats


HINGE_STATS = ('ClfTrain/test_loss', 'ClfTrain/test_init_loss', 'ClfTrain/test_iter_loss')
KL_STATS = ('ClfTrain/clf_ce', 'ClfTrain/clf_ce_init', 'ClfTrain/clf_ce_iter')


class DiMPActor(BaseActor):
    """DiMP: hinge classification losses over the filter iterates + IoU-Net MSE on ``proposal_iou``.

    `objective`: ``{'iou': MSELoss, 'test_clf': LBHinge}``; `loss_weight`: ``iou``, ``test_clf`` and
    optionally ``test_init_clf``, ``test_iter_clf`` (upstream default ``{'iou': 1, 'test_clf': 1}``).
    """

    def __init__(self, net, objective: Dict[str, Callable], loss_weight: Optional[Dict[str, Weight]] = None):
        super().__init__(net, objective)
        self.loss_weight = {'iou': 1.0, 'test_clf': 1.0} if loss_weight is None else dict(loss_weight)

    def __call__(self, data: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, Dict[str, float]]:
        target_scores, iou_pred = self.net(train_imgs=data['train_images'], test_imgs=data['test_images'],
                                           train_bb=data['train_anno'], test_proposals=data['test_proposals'])
        clf_losses = [self.objective['test_clf'](s, data['test_label'], data['test_anno']) for s in target_scores]
        w = self.loss_weight
        clf, clf_init, clf_iter = iterate_losses(clf_losses, w['test_clf'], w.get('test_init_clf'),
                                                 w.get('test_iter_clf'))
        loss_iou = w['iou'] * self.objective['iou'](iou_pred, data['proposal_iou'])
        loss = loss_iou + clf + clf_init + clf_iter
        stats = {'Loss/total': loss.item(), 'Loss/iou': loss_iou.item(), 'Loss/target_clf': clf.item()}
        if 'test_init_clf' in w:
            stats['Loss/test_init_clf'] = clf_init.item()
        if 'test_iter_clf' in w:
            stats['Loss/test_iter_clf'] = clf_iter.item()
        stats.update(_iterate_stats(*HINGE_STATS, clf_losses))
        return loss, stats


class KLDiMPActor(BaseActor):
    """PrDiMP and SuperDiMP: the IoU-Net trained with ``bb_ce`` (KL regression on the proposal and
    ground-truth densities of valid test frames: ``test_anno[..., 0] < 99999``), the classifier with the
    DiMP hinge terms (``test_clf``...) and/or the PrDiMP grid-KL terms (``clf_ce``...).

    Raises RuntimeError when the loss is NaN or infinite (upstream raises too).
    """

    def __init__(self, net, objective: Dict[str, Callable], loss_weight: Optional[Dict[str, Weight]] = None):
        super().__init__(net, objective)
        self.loss_weight = {'bb_ce': 1.0} if loss_weight is None else dict(loss_weight)

    def __call__(self, data: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, Dict[str, float]]:
        target_scores, bb_scores = self.net(train_imgs=data['train_images'], test_imgs=data['test_images'],
                                            train_bb=data['train_anno'], test_proposals=data['test_proposals'])
        w = self.loss_weight
        is_valid = data['test_anno'][:, :, 0] < 99999.0
        bb_ce = self.objective['bb_ce'](bb_scores[is_valid, :], sample_density=data['proposal_density'][is_valid, :],
                                        gt_density=data['gt_density'][is_valid, :], mc_dim=1)
        loss_bb_ce = w['bb_ce'] * bb_ce
        loss = loss_bb_ce
        stats = {'Loss/bb_ce': bb_ce.item(), 'Loss/loss_bb_ce': loss_bb_ce.item()}
        if 'test_clf' in w:
            losses = [self.objective['test_clf'](s, data['test_label'], data['test_anno']) for s in target_scores]
            clf, clf_init, clf_iter = iterate_losses(losses, w['test_clf'], w.get('test_init_clf'),
                                                     w.get('test_iter_clf'))
            loss = loss + clf + clf_init + clf_iter
            stats['Loss/target_clf'] = clf.item()
            if 'test_init_clf' in w:
                stats['Loss/test_init_clf'] = clf_init.item()
            if 'test_iter_clf' in w:
                stats['Loss/test_iter_clf'] = clf_iter.item()
            stats.update(_iterate_stats(*HINGE_STATS, losses))
        if 'clf_ce' in w:
            losses = [self.objective['clf_ce'](s, data['test_label_density'], grid_dim=(-2, -1))
                      for s in target_scores]
            ce, ce_init, ce_iter = iterate_losses(losses, w['clf_ce'], w.get('clf_ce_init'), w.get('clf_ce_iter'))
            loss = loss + ce + ce_init + ce_iter
            stats['Loss/clf_ce'] = ce.item()
            if 'clf_ce_init' in w:
                stats['Loss/clf_ce_init'] = ce_init.item()
            if 'clf_ce_iter' in w and len(losses) > 2:
                stats['Loss/clf_ce_iter'] = ce_iter.item()
            stats.update(_iterate_stats(*KL_STATS, losses))
        if not math.isfinite(loss.item()):
            raise RuntimeError(f"KLDiMPActor: the loss is {loss.item()} (stats {stats})")
        stats['Loss/total'] = loss.item()
        return loss, stats
