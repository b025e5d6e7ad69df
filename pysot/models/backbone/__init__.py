"""Backbones by config name (``cfg.BACKBONE.TYPE``), as STVIR/pysot ``pysot/models/backbone/__init__.py``."""
from __future__ import annotations

from typing import Callable, Dict

import torch.nn as nn

from pysot.models.backbone.resnet_atrous import resnet18, resnet34, resnet50

BACKBONES: Dict[str, Callable[..., nn.Module]] = {
    'resnet18': resnet18,
    'resnet34': resnet34,
    'resnet50': resnet50,
}


def get_backbone(name: str, **kwargs) -> nn.Module:
    """The backbone `name` built with `kwargs` (ValueError naming the available ones)."""
    if name not in BACKBONES:
        raise ValueError(f"unknown BACKBONE.TYPE '{name}' (available: {', '.join(BACKBONES)})")
    return BACKBONES[name](**kwargs)
