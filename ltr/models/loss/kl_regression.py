"""Probabilistic regression losses of PrDiMP (upstream ``ltr/models/loss/kl_regression.py``).

The network's scores ``s`` define an unnormalised density ``p(y) ~ exp(s(y))``; the losses are the KL
divergence from a ground-truth density ``q`` (up to the constant entropy of ``q``) or the negative
log-likelihood of the ground truth, estimated from samples or a grid.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn


class KLRegression(nn.Module):
    """KL divergence estimated with Monte Carlo samples ``y_k`` drawn from a proposal density ``r``:

    ``L = log(1/K sum_k exp(s_k) / r_k) - 1/K sum_k s_k q_k / r_k`` along `mc_dim`, averaged over the rest
    (``r_k`` = `sample_density` + `eps`, ``q_k`` = `gt_density`).
    """

    def __init__(self, eps: float = 0.0):
        super().__init__()
        self.eps = eps

    def forward(self, scores: torch.Tensor, sample_density: torch.Tensor, gt_density: torch.Tensor,
                mc_dim: int = -1) -> torch.Tensor:
        exp_val = scores - torch.log(sample_density + self.eps)
        loss = torch.logsumexp(exp_val, dim=mc_dim) - math.log(scores.shape[mc_dim]) - \
            torch.mean(scores * (gt_density / (sample_density + self.eps)), dim=mc_dim)
        return loss.mean()


class MLRegression(nn.Module):
    """Negative log-likelihood of the ground truth (sample 0 along `mc_dim` = 1, its proposal density
    marked -1) with the partition function estimated from the other samples:
    ``L = log(1/(K-1) sum_{k>0} exp(s_k) / r_k) - s_0``."""

    def __init__(self, eps: float = 0.0):
        super().__init__()
        self.eps = eps

    def forward(self, scores: torch.Tensor, sample_density: torch.Tensor, gt_density=None,
                mc_dim: int = -1) -> torch.Tensor:
        if mc_dim != 1:
            raise ValueError("MLRegression supports mc_dim=1 only")
        if not bool((sample_density[:, 0, ...] == -1).all()):
            raise ValueError("MLRegression: the first sample must be the ground truth (proposal density -1); "
                             "draw proposals with add_mean_box=True")
        exp_val = scores[:, 1:, ...] - torch.log(sample_density[:, 1:, ...] + self.eps)
        loss = torch.logsumexp(exp_val, dim=mc_dim) - math.log(scores.shape[mc_dim] - 1) - scores[:, 0, ...]
        return loss.mean()


class KLRegressionGrid(nn.Module):
    """KL divergence on a grid (PrDiMP's classifier): ``L = log sum exp(s) + log(a) - a sum(s q)`` over
    `grid_dim` with cell area ``a`` = `grid_scale`, averaged over the rest."""

    def forward(self, scores: torch.Tensor, gt_density: torch.Tensor, grid_dim=-1,
                grid_scale: float = 1.0) -> torch.Tensor:
        score_corr = grid_scale * torch.sum(scores * gt_density, dim=grid_dim)
        loss = torch.logsumexp(scores, dim=grid_dim) + math.log(grid_scale) - score_corr
        return loss.mean()
