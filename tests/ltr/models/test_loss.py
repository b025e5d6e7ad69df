"""Losses of the base-tracker recipes against hand-computed values."""
import math

import pytest
import torch

from ltr.models.loss import KLRegression, KLRegressionGrid, LBHinge, MLRegression


def test_lbhinge_ignores_negative_scores_below_the_threshold():
    loss = LBHinge(threshold=0.05)
    label = torch.tensor([0.01, 0.5])
    # background cell: relu(-0.3) = 0 vs 0; target cell: 0.2 vs 0.5 -> (0 + 0.09) / 2
    assert loss(torch.tensor([-0.3, 0.2]), label).item() == pytest.approx(0.045)
    # a positive score on background costs its square: (0.16 + 0.09) / 2
    assert loss(torch.tensor([0.4, 0.2]), label).item() == pytest.approx(0.125)
    assert LBHinge()(torch.tensor([-0.3, 0.2]), label).item() == pytest.approx((0.31 ** 2 + 0.09) / 2)
    assert LBHinge(threshold=0.05, clip=0.1)(torch.tensor([0.4, 0.2]), label).item() == pytest.approx(0.1)


def test_kl_regression_by_monte_carlo():
    # scores (0, log 2), proposal density 0.5 each, ground truth density (1, 0):
    # log(mean(exp(s) / r)) = log((2 + 4) / 2) = log 3; mean(s q / r) = 0
    scores = torch.tensor([[0.0, math.log(2)]])
    r = torch.tensor([[0.5, 0.5]])
    assert KLRegression()(scores, r, torch.tensor([[1.0, 0.0]]), mc_dim=1).item() == pytest.approx(math.log(3))
    # q = (0, 2): mean(s q / r) = (0 + log 2 * 4) / 2
    assert KLRegression()(scores, r, torch.tensor([[0.0, 2.0]]), mc_dim=1).item() == \
        pytest.approx(math.log(3) - 2 * math.log(2))


def test_ml_regression_uses_sample_zero_as_ground_truth():
    scores = torch.tensor([[1.0, 0.0, math.log(3)]])
    density = torch.tensor([[-1.0, 0.5, 0.25]])
    # log(((1 / 0.5) + (3 / 0.25)) / 2) - 1 = log 7 - 1
    assert MLRegression()(scores, density, mc_dim=1).item() == pytest.approx(math.log(7) - 1)
    with pytest.raises(ValueError, match='ground truth'):
        MLRegression()(scores, density.abs(), mc_dim=1)


def test_kl_regression_grid_is_cross_entropy_of_the_softmax():
    q = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
    # scores = log q: log sum exp = 0, so the loss is the entropy of q
    assert KLRegressionGrid()(q.log()[None], q[None], grid_dim=(-2, -1)).item() == \
        pytest.approx(-(q * q.log()).sum().item(), rel=1e-6)
    # flat scores: log 4 whatever q
    assert KLRegressionGrid()(torch.zeros(1, 2, 2), q[None], grid_dim=(-2, -1)).item() == pytest.approx(math.log(4))
