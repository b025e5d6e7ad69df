"""Pixel-wise correlation neck of SEcm_r34 (upstream ``ltr/models/neck/PtCorr.py``).

The reference branch stores a kernel: the central half (rows and columns ``H//4 .. 3H//4`` for the
fixed search factor 2) of the reference ``layer3`` map, where the target sits because the reference
crop is centred on the true box. The test branch correlates every kernel cell with every test pixel
(``corr[b, k, y, x] = sum_c kernel[b, c, k] * test[b, c, y, x]``, k row-major over the window), then
applies ``post_corr`` (three 1x1 conv-BN-ReLU) and SE channel attention.
"""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn as nn

from ltr.models.neck.neck_utils import SEModule

REF_SEARCH_FACTOR = 2  # upstream hard-codes sr = 2 (TODO there: "adaptive crop region")


def central_window(size: int, search_factor: int = REF_SEARCH_FACTOR) -> slice:
    """Rows (or columns) of the reference map covered by the target: ``size*(sr-1)//(2sr) : size*(sr+1)//(2sr)``."""
    return slice(size * (search_factor - 1) // (2 * search_factor), size * (search_factor + 1) // (2 * search_factor))


def pixel_correlation(kernel: torch.Tensor, feat: torch.Tensor) -> torch.Tensor:
    """Pixel-wise correlation: (B, C, kh, kw) kernel with (B, C, H, W) features -> (B, kh*kw, H, W).

    Output channel k = row-major index over the kernel window; no normalisation or scaling.
    """
    if kernel.shape[:2] != feat.shape[:2]:
        raise ValueError(f"pixel_correlation: kernel {tuple(kernel.shape)} and features {tuple(feat.shape)} "
                         f"differ in batch or channels")
    b, c, h, w = feat.shape
    ker = kernel.reshape(b, c, -1).transpose(1, 2)  # (B, K, C)
    return torch.bmm(ker, feat.reshape(b, c, h * w)).reshape(b, -1, h, w)


class PtCorr(nn.Module):
    """Pixel-wise correlation + post-correlation convs + SE attention.

    args:
        pool_size: side of the reference kernel window (8 for 256 crops); the correlation has
            ``pool_size**2`` channels.
        use_post_corr: apply the three 1x1 conv-BN-ReLU layers (64 -> 128 -> 128 -> 64 for pool 8).
    """

    def __init__(self, pool_size: int = 8, use_post_corr: bool = True):
        super().__init__()
        self.pool_size = pool_size
        num_corr_channel = pool_size * pool_size
        self.use_post_corr = use_post_corr
        out_channels = 64 if use_post_corr else num_corr_channel
        if use_post_corr:
            self.post_corr = nn.Sequential(
                nn.Conv2d(num_corr_channel, 128, kernel_size=1), nn.BatchNorm2d(128), nn.ReLU(),
                nn.Conv2d(128, 128, kernel_size=1), nn.BatchNorm2d(128), nn.ReLU(),
                nn.Conv2d(128, 64, kernel_size=1), nn.BatchNorm2d(64), nn.ReLU(),
            )
        self.channel_attention = SEModule(out_channels, reduction=4)
        self.spatial_attention = nn.Sequential()  # kept for upstream parity (empty, unused)
        self.out_channels = out_channels
        self.ref_kernel = None

    def get_ref_kernel(self, feat_list: Sequence[torch.Tensor], bb: torch.Tensor) -> torch.Tensor:
        """Store (and return) the central window of the single reference feature map.

        `bb` (num_images, B, 4) is checked for shape only: upstream never reads the box values,
        the window is fixed because the reference crop is centred on the target.
        """
        if bb.dim() != 3:
            raise ValueError(f"get_ref_kernel: reference boxes must be (num_images, B, 4), got {tuple(bb.shape)}")
        if len(feat_list) != 1:
            raise ValueError(f"get_ref_kernel: exactly one feature level is supported, got {len(feat_list)}")
        feat = feat_list[0]
        rows, cols = central_window(feat.shape[-2]), central_window(feat.shape[-1])
        kernel = feat[:, :, rows, cols]
        if kernel.shape[-2:] != (self.pool_size, self.pool_size):
            raise ValueError(f"get_ref_kernel: a {feat.shape[-2]}x{feat.shape[-1]} reference map gives a "
                             f"{kernel.shape[-2]}x{kernel.shape[-1]} window, but pool_size is {self.pool_size}")
        self.ref_kernel = kernel
        return kernel

    def fuse_feat(self, feat_list: Sequence[torch.Tensor]) -> torch.Tensor:
        """Correlate the stored kernel with the single test feature map -> (B, out_channels, H, W)."""
        if self.ref_kernel is None:
            raise RuntimeError("PtCorr.fuse_feat called before get_ref_kernel (run the reference branch first)")
        if len(feat_list) != 1:
            raise ValueError(f"fuse_feat: exactly one feature level is supported, got {len(feat_list)}")
        corr = pixel_correlation(self.ref_kernel, feat_list[0])
        if self.use_post_corr:
            corr = self.post_corr(corr)
        return self.channel_attention(corr)
