"""Initial target filters for the DiMP classifier (pytracking's ``target_classifier/initializer.py``).

The filter is pooled from the target region of the training features with precise RoI pooling
(``ltr.external.PreciseRoIPooling``), optionally after a conv layer, and averaged over the images.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

__all__ = ['FilterPool', 'FilterInitializer', 'FilterInitializerLinear', 'FilterInitializerZero',
           'FilterInitializerSiamese']


def _init_conv_weights(module: nn.Module, zero: bool = False) -> None:
    """He-normal convs (std ``sqrt(2 / (k*k*out))``, or zeros), zero biases, unit BatchNorms (upstream's init)."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            if zero:
                m.weight.data.zero_()
            else:
                n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, math.sqrt(2. / n))
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.data.fill_(1)
            m.bias.data.zero_()


def _mean_over_images(weights: torch.Tensor, num_images: int) -> torch.Tensor:
    if num_images > 1:
        return weights.reshape(num_images, -1, *weights.shape[-3:]).mean(dim=0)
    return weights


class FilterPool(nn.Module):
    """Pool the target box of each image into a ``filter_size x filter_size`` map (PrRoIPool).

    With `pool_square`, the box is replaced by the square of equal area around its centre.
    """

    def __init__(self, filter_size: int = 1, feature_stride: int = 16, pool_square: bool = False) -> None:
        super().__init__()
        from ltr.external.PreciseRoIPooling.pytorch.prroi_pool import PrRoIPool2D
        self.prroi_pool = PrRoIPool2D(filter_size, filter_size, 1 / feature_stride)
        self.pool_square = pool_square

    def forward(self, feat: torch.Tensor, bb: torch.Tensor) -> torch.Tensor:
        """`feat` ``(N, C, H, W)``, `bb` ``(N, 4)`` xywh image coordinates -> ``(N, C, fs, fs)``."""
        bb = bb.reshape(-1, 4)
        batch_index = torch.arange(bb.shape[0], dtype=bb.dtype, device=bb.device).reshape(-1, 1)
        box = bb.clone()
        if self.pool_square:
            side = box[:, 2:4].prod(dim=1, keepdim=True).sqrt()
            box[:, :2] += box[:, 2:] / 2 - side / 2
            box[:, 2:] = side
        box[:, 2:4] = box[:, 0:2] + box[:, 2:4]
        return self.prroi_pool(feat, torch.cat((batch_index, box), dim=1))


class FilterInitializer(nn.Module):
    """Conv blocks before pooling the target region, 1x1 convs after it (upstream's non-linear initialiser)."""

    def __init__(self, filter_size: int = 1, feature_dim: int = 256, feature_stride: int = 16,
                 pool_square: bool = False, filter_norm: bool = True, num_filter_pre_convs: int = 1,
                 num_filter_post_convs: int = 0) -> None:
        super().__init__()
        from ltr.models.layers.blocks import conv_block
        self.filter_pool = FilterPool(filter_size=filter_size, feature_stride=feature_stride, pool_square=pool_square)
        self.filter_norm = filter_norm
        pre = [conv_block(feature_dim, feature_dim, kernel_size=3, padding=1) for _ in range(num_filter_pre_convs)]
        self.filter_pre_layers = nn.Sequential(*pre) if pre else None
        post = [conv_block(feature_dim, feature_dim, kernel_size=1, padding=0) for _ in range(num_filter_post_convs)]
        post.append(nn.Conv2d(feature_dim, feature_dim, kernel_size=1, padding=0))
        self.filter_post_layers = nn.Sequential(*post)
        _init_conv_weights(self)

    def forward(self, feat: torch.Tensor, bb: torch.Tensor) -> torch.Tensor:
        """`feat` ``(images, [sequences], C, H, W)``, `bb` ``(images, [sequences], 4)`` -> ``(sequences, C, fs, fs)``."""
        num_images = bb.shape[0] if bb.dim() == 3 else 1
        feat = feat.reshape(-1, *feat.shape[-3:])
        if self.filter_pre_layers is not None:
            feat = self.filter_pre_layers(feat)
        weights = _mean_over_images(self.filter_post_layers(self.filter_pool(feat, bb)), num_images)
        if self.filter_norm:
            weights = weights / (weights.shape[1] * weights.shape[2] * weights.shape[3])
        return weights


class FilterInitializerLinear(nn.Module):
    """One linear conv (``filter_conv``), then the pooled target region, averaged over images.

    `init_weights` ``'zero'`` starts the conv at zero (PrDiMP's ``init_initializer='zero'``).
    """

    def __init__(self, filter_size: int = 1, feature_dim: int = 256, feature_stride: int = 16,
                 pool_square: bool = False, filter_norm: bool = True, conv_ksz: int = 3,
                 init_weights: str = 'default') -> None:
        super().__init__()
        if init_weights not in ('default', 'zero'):
            raise ValueError(f"init_weights must be 'default' or 'zero', got {init_weights!r}")
        self.filter_conv = nn.Conv2d(feature_dim, feature_dim, kernel_size=conv_ksz, padding=conv_ksz // 2)
        self.filter_pool = FilterPool(filter_size=filter_size, feature_stride=feature_stride, pool_square=pool_square)
        self.filter_norm = filter_norm
        _init_conv_weights(self, zero=init_weights == 'zero')

    def forward(self, feat: torch.Tensor, bb: torch.Tensor) -> torch.Tensor:
        """`feat` ``(images, [sequences], C, H, W)``, `bb` ``(images, [sequences], 4)`` -> ``(sequences, C, fs, fs)``."""
        num_images = feat.shape[0]
        feat = self.filter_conv(feat.reshape(-1, *feat.shape[-3:]))
        weights = _mean_over_images(self.filter_pool(feat, bb), num_images)
        if self.filter_norm:
            weights = weights / (weights.shape[1] * weights.shape[2] * weights.shape[3])
        return weights


class FilterInitializerZero(nn.Module):
    """An all-zero initial filter ``(sequences, feature_dim, filter_size, filter_size)``."""

    def __init__(self, filter_size: int = 1, feature_dim: int = 256) -> None:
        super().__init__()
        self.filter_size = (feature_dim, filter_size, filter_size)

    def forward(self, feat: torch.Tensor, bb: torch.Tensor) -> torch.Tensor:
        num_sequences = feat.shape[1] if feat.dim() == 5 else 1
        return feat.new_zeros(num_sequences, *self.filter_size)


class FilterInitializerSiamese(nn.Module):
    """Only the pooled target region (as Siamese trackers), averaged over images."""

    def __init__(self, filter_size: int = 1, feature_stride: int = 16, pool_square: bool = False,
                 filter_norm: bool = True) -> None:
        super().__init__()
        self.filter_pool = FilterPool(filter_size=filter_size, feature_stride=feature_stride, pool_square=pool_square)
        self.filter_norm = filter_norm

    def forward(self, feat: torch.Tensor, bb: torch.Tensor) -> torch.Tensor:
        num_images = feat.shape[0]
        weights = _mean_over_images(self.filter_pool(feat.reshape(-1, *feat.shape[-3:]), bb), num_images)
        if self.filter_norm:
            weights = weights / (weights.shape[1] * weights.shape[2] * weights.shape[3])
        return weights
