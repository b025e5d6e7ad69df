"""ModelBuilder: the SiamRPN++ / SiamMask network assembled from a pysot config (STVIR/pysot ``model_builder.py``).

Inference API as upstream: ``template(z)`` stores the template features, ``track(x)`` returns
``{'cls': (1, 2A, S, S), 'loc': (1, 4A, S, S), 'mask': None}`` (SiamMask: ``'mask'`` = the mask head's
(1, 3969, S, S) logits), and SiamMask's ``mask_refine((row, col))`` the (1, 127 * 127) mask logits of the
refine module at a score-map position of the last ``track``. Inputs are BGR float tensors with values 0-255
(not normalised), as pysot's crops. State-dict keys: ``backbone.*``, ``neck.downsample*``, ``rpn_head.*``
and for SiamMask ``mask_head.*``, ``refine_head.*`` (``spec/checkpoints/siamrpn_r50_l234_dwxcorr.json``,
``spec/checkpoints/siammask_r50_l3.json``).

With ``MASK.MASK`` the backbone returns its conv1, layer1, layer2 and layer3 taps (``used_layers: [0, 1, 2,
3]``): the last one feeds the neck and the heads, the others are kept for the refine module (upstream).

Difference from upstream: the config is an argument (default: the global ``pysot.core.config.cfg``),
so models of several experiments can live in one process.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn

from pysot.core.config import ConfigError, cfg as global_cfg
from pysot.models.backbone import get_backbone
from pysot.models.head import get_mask_head, get_refine_head, get_rpn_head
from pysot.models.neck import get_neck

__all__ = ['ModelBuilder']


class ModelBuilder(nn.Module):
    """Backbone -> (neck) -> RPN head (+ SiamMask's mask head and refine module), built from `config` (a
    pysot CfgNode; None = the global ``cfg``)."""

    def __init__(self, config=None) -> None:
        super().__init__()
        self.cfg = config if config is not None else global_cfg
        c = self.cfg
        try:
            self.backbone = get_backbone(c.BACKBONE.TYPE, **c.BACKBONE.KWARGS)
            if c.ADJUST.ADJUST:
                self.neck = get_neck(c.ADJUST.TYPE, **c.ADJUST.KWARGS)
            self.rpn_head = get_rpn_head(c.RPN.TYPE, **c.RPN.KWARGS)
            if c.MASK.MASK:
                self.mask_head = get_mask_head(c.MASK.TYPE, **c.MASK.KWARGS)
                if c.REFINE.REFINE:
                    self.refine_head = get_refine_head(c.REFINE.TYPE)
        except TypeError as e:  # a KWARGS entry the module does not take
            raise ConfigError(f"config does not fit the model: {e}") from None
        self.zf = None
        self.xf: Optional[Sequence[torch.Tensor]] = None  # SiamMask: the search image's skip features
        self.mask_corr_feature: Optional[torch.Tensor] = None

    def _features(self, image: torch.Tensor, keep_skips: bool = False):
        feats = self.backbone(image)
        if self.cfg.MASK.MASK:
            if keep_skips:
                self.xf = feats[:-1]
            feats = feats[-1]
        return self.neck(feats) if self.cfg.ADJUST.ADJUST else feats

    def template(self, z: torch.Tensor) -> None:
        """Compute and keep the template features of the exemplar crop `z` (1, 3, E, E)."""
        self.zf = self._features(z)

    def track(self, x: torch.Tensor) -> Dict[str, Optional[torch.Tensor]]:
        """Correlate the search crop `x` (1, 3, I, I) with the stored template: ``{'cls', 'loc', 'mask'}``."""
        if self.zf is None:
            raise RuntimeError("ModelBuilder.track: call template(z) first")
        xf = self._features(x, keep_skips=True)
        cls, loc = self.rpn_head(self.zf, xf)
        mask = None
        if self.cfg.MASK.MASK:
            mask, self.mask_corr_feature = self.mask_head(self.zf, xf)
        return {'cls': cls, 'loc': loc, 'mask': mask}

    def mask_refine(self, pos) -> torch.Tensor:
        """SiamMask: mask logits (1, 127 * 127) of the refine module at score-map position `pos` = (row, col)."""
        if not hasattr(self, 'refine_head'):
            raise RuntimeError("ModelBuilder.mask_refine: this model has no refine module (MASK.MASK and REFINE.REFINE)")
        if self.mask_corr_feature is None:
            raise RuntimeError("ModelBuilder.mask_refine: call track(x) first")
        return self.refine_head(self.xf, self.mask_corr_feature, pos)
