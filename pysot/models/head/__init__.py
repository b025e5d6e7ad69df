"""Heads by config name: RPN heads (``cfg.RPN.TYPE``), SiamMask's mask head (``cfg.MASK.TYPE``) and refine module
(``cfg.REFINE.TYPE``), as STVIR/pysot ``pysot/models/head/__init__.py``."""
from __future__ import annotations

from typing import Dict, Type

import torch.nn as nn

from pysot.models.head.mask import MaskCorr, Refine
from pysot.models.head.rpn import DepthwiseRPN, MultiRPN

RPNS: Dict[str, Type[nn.Module]] = {'DepthwiseRPN': DepthwiseRPN, 'MultiRPN': MultiRPN}
MASKS: Dict[str, Type[nn.Module]] = {'MaskCorr': MaskCorr}
REFINE: Dict[str, Type[nn.Module]] = {'Refine': Refine}


def _build(kind: str, table: Dict[str, Type[nn.Module]], name: str, **kwargs) -> nn.Module:
    if name not in table:
        raise ValueError(f"unknown {kind} '{name}' (available: {', '.join(table)})")
    return table[name](**kwargs)


def get_rpn_head(name: str, **kwargs) -> nn.Module:
    """The RPN head `name` built with `kwargs` (ValueError naming the available ones)."""
    return _build('RPN.TYPE', RPNS, name, **kwargs)


def get_mask_head(name: str, **kwargs) -> nn.Module:
    """SiamMask's mask head `name` built with `kwargs` (ValueError naming the available ones)."""
    return _build('MASK.TYPE', MASKS, name, **kwargs)


def get_refine_head(name: str) -> nn.Module:
    """SiamMask's refine module `name` (ValueError naming the available ones)."""
    return _build('REFINE.TYPE', REFINE, name)
