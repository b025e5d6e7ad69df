"""The one device rule of the project (DESIGN.md section 2): the device a caller names, else CUDA if
available, else CPU."""
from __future__ import annotations

from typing import Union

import torch

__all__ = ['resolve_device']


def resolve_device(device: Union[None, str, torch.device] = None) -> torch.device:
    """`device` as a ``torch.device``; None means CUDA when available, else CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
