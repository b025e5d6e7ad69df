"""Small building blocks shared by the correlation necks."""
from __future__ import annotations

import torch
import torch.nn as nn


class SEModule(nn.Module):
    """Squeeze-and-excitation channel attention (upstream ``neck/neck_utils.py``).

    Global average pool -> 1x1 conv C -> C/r (bias) -> ReLU -> 1x1 conv C/r -> C (bias) -> sigmoid,
    and the input is multiplied by the resulting per-channel weights. Keys: ``fc1``, ``fc2``.
    """

    def __init__(self, channels: int, reduction: int = 4):
        super().__init__()
        if channels % reduction:
            raise ValueError(f"SEModule: channels ({channels}) must be divisible by reduction ({reduction})")
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, channels // reduction, kernel_size=1)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(channels // reduction, channels, kernel_size=1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Re-weight the channels of `x` (B, C, H, W)."""
        w = self.sigmoid(self.fc2(self.relu(self.fc1(self.avg_pool(x)))))
        return x * w
