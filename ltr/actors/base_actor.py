"""Actors turn a batch into a loss and stats: network + objective (upstream ``ltr/actors``)."""
from __future__ import annotations

from typing import Dict, Tuple

import torch


class BaseActor:
    """Holds the network and the objective; subclasses implement ``__call__(data) -> (loss, stats)``."""

    def __init__(self, net: torch.nn.Module, objective):
        self.net = net
        self.objective = objective

    def __call__(self, data: Dict[str, torch.Tensor]) -> Tuple[torch.Tensor, Dict[str, float]]:
        raise NotImplementedError

    def to(self, device) -> None:
        self.net.to(device)

    def train(self, mode: bool = True) -> None:
        self.net.train(mode)

    def eval(self) -> None:
        self.train(False)
