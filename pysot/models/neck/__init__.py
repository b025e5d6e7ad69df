"""Necks by config name (``cfg.ADJUST.TYPE``)."""
from __future__ import annotations

from typing import Dict, Type

import torch.nn as nn

from pysot.models.neck.neck import AdjustAllLayer, AdjustLayer

NECKS: Dict[str, Type[nn.Module]] = {'AdjustLayer': AdjustLayer, 'AdjustAllLayer': AdjustAllLayer}


def get_neck(name: str, **kwargs) -> nn.Module:
    """The neck `name` built with `kwargs` (ValueError naming the available ones)."""
    if name not in NECKS:
        raise ValueError(f"unknown ADJUST.TYPE '{name}' (available: {', '.join(NECKS)})")
    return NECKS[name](**kwargs)
