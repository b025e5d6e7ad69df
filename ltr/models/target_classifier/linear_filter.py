"""``LinearFilter``: the DiMP target classification module (pytracking's ``target_classifier/linear_filter.py``).

At tracking time the tracker calls :meth:`LinearFilter.extract_classification_feat`,
:meth:`LinearFilter.get_filter` (first frame), :meth:`LinearFilter.classify` and the optimiser
(``filter_optimizer``) directly; ``forward`` is the training path.
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

import torch
import torch.nn as nn

from ltr.models.layers import filter as filter_layer
from ltr.models.target_classifier.initializer import _init_conv_weights

__all__ = ['LinearFilter']


class LinearFilter(nn.Module):
    """Feature block + filter initialiser + filter optimiser; scores = correlation of features with the filter."""

    def __init__(self, filter_size: int, filter_initializer: nn.Module, filter_optimizer: Optional[nn.Module] = None,
                 feature_extractor: Optional[nn.Module] = None) -> None:
        super().__init__()
        self.filter_size = filter_size
        self.filter_initializer = filter_initializer
        self.filter_optimizer = filter_optimizer
        self.feature_extractor = feature_extractor
        if feature_extractor is not None:
            _init_conv_weights(feature_extractor)

    def forward(self, train_feat: torch.Tensor, test_feat: torch.Tensor, train_bb: torch.Tensor,
                *args: Any, **kwargs: Any) -> List[torch.Tensor]:
        """Learn a filter on the train images and score the test images with every filter iterate.

        `train_bb` ``(images, sequences, 4)`` xywh in image coordinates; returns a list of score maps
        ``(test_images, sequences, H', W')``.
        """
        if train_bb.dim() != 3:
            raise ValueError(f"train_bb must be (images, sequences, 4), got shape {tuple(train_bb.shape)}")
        num_sequences = train_bb.shape[1]
        if train_feat.dim() == 5:
            train_feat = train_feat.reshape(-1, *train_feat.shape[-3:])
        if test_feat.dim() == 5:
            test_feat = test_feat.reshape(-1, *test_feat.shape[-3:])
        train_feat = self.extract_classification_feat(train_feat, num_sequences)
        test_feat = self.extract_classification_feat(test_feat, num_sequences)
        _, filter_iter, _ = self.get_filter(train_feat, train_bb, *args, **kwargs)
        return [self.classify(f, test_feat) for f in filter_iter]

    def extract_classification_feat(self, feat: torch.Tensor, num_sequences: Optional[int] = None) -> torch.Tensor:
        """Classification features from backbone features (reshaped to ``(images, sequences, ...)`` if given)."""
        if self.feature_extractor is None:
            return feat
        out = self.feature_extractor(feat)
        if num_sequences is None:
            return out
        return out.reshape(-1, num_sequences, *out.shape[-3:])

    def classify(self, weights: torch.Tensor, feat: torch.Tensor) -> torch.Tensor:
        """Scores of the filter `weights` on classification features `feat`."""
        return filter_layer.apply_filter(feat, weights)

    def get_filter(self, feat: torch.Tensor, bb: torch.Tensor, *args: Any,
                   **kwargs: Any) -> Tuple[torch.Tensor, List[torch.Tensor], Optional[List[torch.Tensor]]]:
        """Initial filter from `feat`/`bb`, then the optimiser; returns (filter, iterates, losses)."""
        weights = self.filter_initializer(feat, bb)
        if self.filter_optimizer is None:
            return weights, [weights], None
        return self.filter_optimizer(weights, feat=feat, bb=bb, *args, **kwargs)

    def train_classifier(self, backbone_feat: torch.Tensor, bb: torch.Tensor) -> Tuple[torch.Tensor, Any]:
        """Final filter and training losses from backbone features and boxes ``(images, sequences, 4)``."""
        num_sequences = bb.shape[1]
        if backbone_feat.dim() == 5:
            backbone_feat = backbone_feat.reshape(-1, *backbone_feat.shape[-3:])
        train_feat = self.extract_classification_feat(backbone_feat, num_sequences)
        final_filter, _, losses = self.get_filter(train_feat, bb)
        return final_filter, losses

    def track_frame(self, filter_weights: torch.Tensor, backbone_feat: torch.Tensor) -> torch.Tensor:
        """Scores of `filter_weights` on the classification features of `backbone_feat`."""
        num_sequences = None
        if backbone_feat.dim() == 5:
            num_sequences = backbone_feat.shape[1]
            backbone_feat = backbone_feat.reshape(-1, *backbone_feat.shape[-3:])
        return filter_layer.apply_filter(self.extract_classification_feat(backbone_feat, num_sequences), filter_weights)
