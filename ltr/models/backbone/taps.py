"""What the backbones with named taps share: checking tap names, and frozen stages that stay in eval mode."""
from __future__ import annotations

from typing import List, Sequence

import torch.nn as nn


def check_layer_names(names: Sequence[str], arg: str, known: Sequence[str]) -> None:
    """Raise for a string instead of a list, names not in `known`, or an empty ``output_layers``."""
    if isinstance(names, str):
        raise TypeError(f"{arg} must be a list of layer names, got the string '{names}'")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"{arg}: unknown layer(s) {unknown}; known: {list(known)}")
    if arg == 'output_layers' and not names:
        raise ValueError("output_layers must name at least one layer")


class FrozenStages:
    """Mixin for an ``nn.Module`` whose ``_frozen_modules()`` get no gradients and keep fixed BatchNorm
    statistics: call :meth:`freeze` once built; ``train()`` leaves those modules in eval mode."""

    def _frozen_modules(self) -> List[nn.Module]:
        raise NotImplementedError

    def freeze(self) -> None:
        """``requires_grad=False`` for every parameter of the frozen modules."""
        for m in self._frozen_modules():
            m.requires_grad_(False)

    def train(self, mode: bool = True):
        """Set train/eval mode; frozen stages always stay in eval mode (fixed BN statistics)."""
        super().train(mode)
        for m in self._frozen_modules():
            m.train(False)
        return self
