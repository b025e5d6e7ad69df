"""AtomActor, DiMPActor and KLDiMPActor on a stub network: the weighted loss terms by hand."""
import math

import pytest
import torch

from ltr.actors import AtomActor, DiMPActor, KLDiMPActor
from ltr.models.loss import KLRegression, KLRegressionGrid, LBHinge


class StubNet(torch.nn.Module):
    """Returns fixed classifier iterates and IoU-Net outputs (scaled by a parameter so a gradient exists)."""

    def __init__(self, scores, iou):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.scores, self.iou = scores, iou

    def forward(self, train_imgs, test_imgs, train_bb, test_proposals):
        if self.scores is None:  # ATOMnet: IoUs only
            return self.scale * self.iou
        return [self.scale * s for s in self.scores], self.scale * self.iou


def _data(**extra):
    d = {'train_images': torch.zeros(1, 1, 3, 8, 8), 'test_images': torch.zeros(1, 1, 3, 8, 8),
         'train_anno': torch.zeros(1, 1, 4), 'test_anno': torch.ones(1, 1, 4), 'test_proposals': torch.zeros(1, 1, 2, 4)}
    d.update(extra)
    return d


def test_atom_actor_is_mse_of_the_proposal_ious():
    net = StubNet(None, torch.tensor([[[0.5, -0.5]]]))
    loss, stats = AtomActor(net, torch.nn.MSELoss())(_data(proposal_iou=torch.tensor([[[1.0, 0.0]]])))
    assert loss.item() == pytest.approx((0.25 + 0.25) / 2) and stats['Loss/iou'] == loss.item()


def test_dimp_actor_weights_final_initial_and_intermediate_iterates():
    label = torch.zeros(1, 1, 2, 2)
    label[0, 0, 0, 0] = 1.0
    # iterate k scores: k everywhere -> hinge loss ((k - 1)^2 + 3 k^2) / 4 (no negatives below 0.05 clipped)
    scores = [torch.full((1, 1, 2, 2), float(k)) for k in range(4)]
    per_iter = [((k - 1) ** 2 + 3 * k ** 2) / 4 for k in range(4)]
    net = StubNet(scores, torch.tensor([[[0.5, 0.0]]]))
    weights = {'iou': 1, 'test_clf': 100, 'test_init_clf': 100, 'test_iter_clf': 400}
    actor = DiMPActor(net, {'iou': torch.nn.MSELoss(), 'test_clf': LBHinge(threshold=0.05)}, weights)
    loss, stats = actor(_data(test_label=label, proposal_iou=torch.tensor([[[1.0, 0.0]]])))
    expected = 0.125 + 100 * per_iter[3] + 100 * per_iter[0] + 400 / 2 * (per_iter[1] + per_iter[2])
    assert loss.item() == pytest.approx(expected)
    assert stats['ClfTrain/test_loss'] == pytest.approx(per_iter[3])
    assert stats['ClfTrain/test_init_loss'] == pytest.approx(per_iter[0])
    assert stats['ClfTrain/test_iter_loss'] == pytest.approx((per_iter[1] + per_iter[2]) / 2)
    loss.backward()
    assert net.scale.grad is not None
    # a list of intermediate weights weighs each intermediate iterate
    actor.loss_weight = dict(weights, test_iter_clf=[1.0, 3.0])
    loss, _ = actor(_data(test_label=label, proposal_iou=torch.tensor([[[1.0, 0.0]]])))
    assert loss.item() == pytest.approx(0.125 + 100 * per_iter[3] + 100 * per_iter[0] + per_iter[1] + 3 * per_iter[2])


def test_kldimp_actor_prdimp_and_superdimp_terms():
    density = torch.full((1, 1, 2, 2), 0.25)
    scores = [torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2)]  # grid KL: log 4 each
    bb_scores = torch.tensor([[[0.0, math.log(2)]]])
    data = _data(test_label_density=density, proposal_density=torch.tensor([[[0.5, 0.5]]]),
                 gt_density=torch.tensor([[[1.0, 0.0]]]), test_label=density)
    net = StubNet(scores, bb_scores)
    prdimp = KLDiMPActor(net, {'bb_ce': KLRegression(), 'clf_ce': KLRegressionGrid()},
                         {'bb_ce': 0.0025, 'clf_ce': 0.25, 'clf_ce_init': 0.25, 'clf_ce_iter': 1.0})
    loss, stats = prdimp(data)
    assert stats['Loss/bb_ce'] == pytest.approx(math.log(3))
    assert loss.item() == pytest.approx(0.0025 * math.log(3) + (0.25 + 0.25 + 1.0) * math.log(4))
    # SuperDiMP: hinge classifier terms instead of the grid KL; an invalid test frame (x >= 99999) is left out
    superdimp = KLDiMPActor(net, {'bb_ce': KLRegression(), 'test_clf': LBHinge(threshold=0.05)},
                            {'bb_ce': 0.01, 'test_clf': 100, 'test_init_clf': 100, 'test_iter_clf': 400})
    hinge = 0.25 ** 2 * 4 / 4  # zero scores vs label 0.25 everywhere (above the threshold)
    loss, _ = superdimp(data)
    assert loss.item() == pytest.approx(0.01 * math.log(3) + (100 + 100 + 400) * hinge)
    two = dict(data, test_anno=torch.tensor([[[1.0, 1, 1, 1], [1e6, 1, 1, 1]]]),
               proposal_density=torch.tensor([[[0.5, 0.5], [1.0, 1.0]]]), gt_density=torch.tensor([[[1.0, 0.0], [9., 9.]]]))
    superdimp.net = StubNet(scores, torch.tensor([[[0.0, math.log(2)], [50.0, 50.0]]]))
    _, stats = superdimp(two)
    assert stats['Loss/bb_ce'] == pytest.approx(math.log(3))


def test_kldimp_actor_refuses_a_non_finite_loss():
    net = StubNet([torch.zeros(1, 1, 2, 2)], torch.tensor([[[float('nan'), 0.0]]]))
    actor = KLDiMPActor(net, {'bb_ce': KLRegression()}, {'bb_ce': 1.0})
    with pytest.raises(RuntimeError, match='nan'):
        actor(_data(proposal_density=torch.ones(1, 1, 2), gt_density=torch.ones(1, 1, 2)))
