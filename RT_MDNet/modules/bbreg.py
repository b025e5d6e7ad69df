"""Bounding-box regression on RoI features (upstream ``external/RT_MDNet/modules/bbreg.py``).

Upstream fits ``sklearn.linear_model.Ridge(alpha=1000)`` (intercept fitted, features not scaled);
:class:`RidgeRegression` is that estimator in closed form with numpy (the dual form when there are
fewer samples than features, as sklearn's cholesky solver does): same solution.
"""
from __future__ import annotations

from typing import Sequence, Tuple

import numpy as np
import torch

from ltr.data.bounding_box_utils import iou_xywh

__all__ = ['RidgeRegression', 'BBRegressor']


class RidgeRegression:
    """Least squares with an L2 penalty ``alpha * |W|^2`` and an unpenalised intercept (multi-output)."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)
        self.coef_ = None
        self.intercept_ = None

    def fit(self, X: np.ndarray, Y: np.ndarray) -> 'RidgeRegression':
        """Fit ``Y ~ X @ coef_.T + intercept_`` (X ``(n, d)``, Y ``(n, k)``)."""
        X = np.asarray(X, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64)
        if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y) or len(X) == 0:
            raise ValueError(f"ridge regression needs X (n, d) and Y (n, k) with n >= 1, got {X.shape} and {Y.shape}")
        x_mean, y_mean = X.mean(axis=0), Y.mean(axis=0)
        Xc, Yc = X - x_mean, Y - y_mean
        n, d = Xc.shape
        if n < d:  # dual: W = Xc^T (Xc Xc^T + alpha I)^-1 Yc
            kernel = Xc @ Xc.T
            kernel[np.diag_indices(n)] += self.alpha
            W = Xc.T @ np.linalg.solve(kernel, Yc)
        else:
            gram = Xc.T @ Xc
            gram[np.diag_indices(d)] += self.alpha
            W = np.linalg.solve(gram, Xc.T @ Yc)
        self.coef_ = W.T
        self.intercept_ = y_mean - x_mean @ W
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """``X @ coef_.T + intercept_``."""
        if self.coef_ is None:
            raise RuntimeError("RidgeRegression: call fit() first")
        return np.asarray(X, dtype=np.float64) @ self.coef_.T + self.intercept_


def _as_numpy(X) -> np.ndarray:
    return X.detach().cpu().numpy() if isinstance(X, torch.Tensor) else np.asarray(X)


class BBRegressor:
    """Box regressor: targets ``((cx' - cx) / w, (cy' - cy) / h, log(w' / w), log(h' / h))`` (R-CNN style).

    args:
        img_size: ``(W, H)`` of the image (predictions are limited to it as upstream).
        alpha: ridge penalty (upstream 1000).
        overlap, scale: training samples (and accepted predictions) must have IoU with the target in
            `overlap` and area ratio in `scale`.
    """

    def __init__(self, img_size: Sequence[float], alpha: float = 1000, overlap: Tuple[float, float] = (0.6, 1),
                 scale: Tuple[float, float] = (1, 2)) -> None:
        self.img_size = np.asarray(img_size, dtype=np.float64)
        self.alpha = alpha
        self.overlap_range = overlap
        self.scale_range = scale
        self.model = RidgeRegression(alpha=alpha)

    def _in_range(self, r: np.ndarray, s: np.ndarray) -> np.ndarray:
        return ((r >= self.overlap_range[0]) & (r <= self.overlap_range[1])
                & (s >= self.scale_range[0]) & (s <= self.scale_range[1]))

    def train(self, X, bbox: np.ndarray, gt: np.ndarray) -> None:
        """Fit on features `X` ``(n, d)`` of boxes `bbox` ``(n, 4)`` xywh against the target `gt` xywh.

        Only boxes with IoU in `overlap` and area ``bbox / gt`` in `scale` are used (ValueError if none).
        """
        X = _as_numpy(X)
        bbox = np.array(bbox, dtype=np.float64).reshape(-1, 4)
        gt = np.array(gt, dtype=np.float64).reshape(-1, 4)
        r = np.clip(iou_xywh(bbox, gt), 0, 1)
        s = np.prod(bbox[:, 2:], axis=1) / np.prod(gt[0, 2:])
        idx = self._in_range(r, s)
        if not np.any(idx):
            raise ValueError("BBRegressor.train: no training box within the overlap and scale ranges")
        self.model.fit(X[idx], self.get_examples(bbox[idx], gt))

    def predict(self, X, bbox: np.ndarray) -> np.ndarray:
        """Regressed boxes for features `X` of boxes `bbox` (xywh); a prediction whose IoU with its box
        or area ratio ``box / prediction`` leaves the training ranges keeps the box. As upstream, x and y
        are clipped at 0 and w, h limited to ``img_size - box_xy`` (of the input box)."""
        X = _as_numpy(X)
        bbox = np.array(bbox, dtype=np.float64).reshape(-1, 4)
        Y = self.model.predict(X)
        out = bbox.copy()
        centre = out[:, :2] + out[:, 2:] / 2
        centre = Y[:, :2] * out[:, 2:] + centre
        out[:, 2:] = np.exp(Y[:, 2:]) * out[:, 2:]
        out[:, :2] = centre - out[:, 2:] / 2
        r = np.clip(iou_xywh(bbox, out), 0, 1)
        s = np.prod(bbox[:, 2:], axis=1) / np.prod(out[:, 2:], axis=1)
        rejected = ~self._in_range(r, s)
        out[rejected] = bbox[rejected]
        out[:, :2] = np.maximum(out[:, :2], 0)
        out[:, 2:] = np.minimum(out[:, 2:], self.img_size - bbox[:, :2])
        return out

    @staticmethod
    def get_examples(bbox: np.ndarray, gt: np.ndarray) -> np.ndarray:
        """Regression targets ``(n, 4)`` of boxes `bbox` towards `gt` (both xywh; `gt` one row or n rows)."""
        bbox = np.array(bbox, dtype=np.float64).reshape(-1, 4)
        gt = np.array(gt, dtype=np.float64).reshape(-1, 4)
        b_c = bbox[:, :2] + bbox[:, 2:] / 2
        g_c = gt[:, :2] + gt[:, 2:] / 2
        dst_xy = (g_c - b_c) / bbox[:, 2:]
        dst_wh = np.log(gt[:, 2:] / bbox[:, 2:])
        return np.concatenate((dst_xy, dst_wh), axis=1)
