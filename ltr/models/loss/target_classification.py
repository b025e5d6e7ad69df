"""Target-classification losses (upstream ``ltr/models/loss/target_classification.py``)."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


class LBHinge(nn.Module):
    """DiMP's classification loss: an error metric (MSE) with a hinge on the lower bound.

    Where the label is below `threshold` (background), the prediction enters as ``relu(prediction)`` and
    the target is 0, so negative scores cost nothing; elsewhere the prediction is compared with the label:
    ``metric(neg * relu(s) + pos * s, pos * y)`` with ``neg = [y < threshold]``, ``pos = 1 - neg``.
    `threshold` None means -100 (no hinge); `clip` caps the loss.
    """

    def __init__(self, error_metric: Optional[nn.Module] = None, threshold: Optional[float] = None,
                 clip: Optional[float] = None):
        super().__init__()
        self.error_metric = nn.MSELoss() if error_metric is None else error_metric
        self.threshold = threshold if threshold is not None else -100
        self.clip = clip

    def forward(self, prediction: torch.Tensor, label: torch.Tensor,
                target_bb: Optional[torch.Tensor] = None) -> torch.Tensor:
        negative = (label < self.threshold).float()
        positive = 1.0 - negative
        prediction = negative * F.relu(prediction) + positive * prediction
        loss = self.error_metric(prediction, positive * label)
        if self.clip is not None:
            loss = torch.min(loss, torch.tensor([self.clip], device=loss.device))
        return loss
