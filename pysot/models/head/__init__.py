"""RPN heads by config name (``cfg.RPN.TYPE``)."""
from __future__ import annotations

from typing import Dict, Type

import torch.nn as nn

from pysot.models.head.rpn import DepthwiseRPN, MultiRPN

RPNS: Dict[str, Type[nn.Module]] = {'DepthwiseRPN': DepthwiseRPN, 'MultiRPN': MultiRPN}


def get_rpn_head(name: str, **kwargs) -> nn.Module:
    """The RPN head `name` built with `kwargs` (ValueError naming the available ones)."""
    if name not in RPNS:
        raise ValueError(f"unknown RPN.TYPE '{name}' (available: {', '.join(RPNS)})")
    return RPNS[name](**kwargs)
