"""ModelBuilder: the SiamRPN++ network assembled from a pysot config (STVIR/pysot ``model_builder.py``).

Inference API as upstream: ``template(z)`` stores the template features, ``track(x)`` returns
``{'cls': (1, 2A, S, S), 'loc': (1, 4A, S, S), 'mask': None}``. Inputs are BGR float tensors with
values 0-255 (not normalised), as pysot's crops. The state-dict keys are ``backbone.*``,
``neck.downsampleN.*`` and ``rpn_head.rpnN.*`` (``spec/checkpoints/siamrpn_r50_l234_dwxcorr.json``).

Difference from upstream: the config is an argument (default: the global ``pysot.core.config.cfg``),
so models of several experiments can live in one process; the mask branch (SiamMask) is not built.
"""
from __future__ import annotations

from typing import Dict, Optional

import torch
import torch.nn as nn

from pysot.core.config import ConfigError, cfg as global_cfg
from pysot.models.backbone import get_backbone
from pysot.models.head import get_rpn_head
from pysot.models.neck import get_neck

__all__ = ['ModelBuilder']


class ModelBuilder(nn.Module):
    """Backbone -> (neck) -> RPN head, built from `config` (a pysot CfgNode; None = the global ``cfg``)."""

    def __init__(self, config=None) -> None:
        super().__init__()
        self.cfg = config if config is not None else global_cfg
        c = self.cfg
        if c.MASK.MASK:
            raise ConfigError("MASK.MASK: true (SiamMask) is not supported by this ModelBuilder; use a SiamRPN++ config")
        try:
            self.backbone = get_backbone(c.BACKBONE.TYPE, **c.BACKBONE.KWARGS)
            if c.ADJUST.ADJUST:
                self.neck = get_neck(c.ADJUST.TYPE, **c.ADJUST.KWARGS)
            self.rpn_head = get_rpn_head(c.RPN.TYPE, **c.RPN.KWARGS)
        except TypeError as e:  # a KWARGS entry the module does not take
            raise ConfigError(f"config does not fit the model: {e}") from None
        self.zf = None

    def _features(self, image: torch.Tensor):
        feats = self.backbone(image)
        return self.neck(feats) if self.cfg.ADJUST.ADJUST else feats

    def template(self, z: torch.Tensor) -> None:
        """Compute and keep the template features of the exemplar crop `z` (1, 3, E, E)."""
        self.zf = self._features(z)

    def track(self, x: torch.Tensor) -> Dict[str, Optional[torch.Tensor]]:
        """Correlate the search crop `x` (1, 3, I, I) with the stored template: ``{'cls', 'loc', 'mask'}``."""
        if self.zf is None:
            raise RuntimeError("ModelBuilder.track: call template(z) first")
        cls, loc = self.rpn_head(self.zf, self._features(x))
        return {'cls': cls, 'loc': loc, 'mask': None}
