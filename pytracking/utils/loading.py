"""Load tracking networks by file name, resolved against ``network_path`` (pytracking/evaluation/local.py)."""
from __future__ import annotations

import os
from typing import List, Sequence, Union

import torch

from ltr.admin import loading as ltr_loading
from pytracking.utils.environment import env_settings


def network_search_paths(net_path: str) -> List[str]:
    """Candidate files for `net_path`: itself when absolute or existing, else under each ``network_path`` entry."""
    if os.path.isabs(net_path) or os.path.exists(net_path):
        return [net_path]
    roots = env_settings().network_path
    roots = [roots] if isinstance(roots, str) else list(roots)
    return [os.path.join(r, net_path) for r in roots if r] or [net_path]


def resolve_network_path(net_path: str, missing_hint: str = '') -> str:
    """The first existing candidate of :func:`network_search_paths`, or CheckpointError naming them all."""
    candidates = network_search_paths(net_path)
    for c in candidates:
        if os.path.exists(c):
            return c
    tried = ', '.join(candidates)
    raise ltr_loading.CheckpointError(f"network file not found: {tried}" + (f"; {missing_hint}" if missing_hint else '')
                                      + " (set network_path in pytracking/evaluation/local.py or PYTRACKING_NETWORK_PATH)")


def load_network(net_path: str, expected_net_type: Union[None, str, Sequence[str]] = None, missing_hint: str = '',
                 **kwargs) -> torch.nn.Module:
    """Load a network for tracking: resolve the path, build it (no backbone pretraining) and load it strictly."""
    path = resolve_network_path(net_path, missing_hint)
    return ltr_loading.load_network(path, expected_net_type=expected_net_type, missing_hint=missing_hint, **kwargs)
