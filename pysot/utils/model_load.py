"""Loading pysot model files (STVIR/pysot ``pysot/utils/model_load.py``), strictly.

Accepted files, as upstream: a flat state dict (the model-zoo ``model.pth``) or a training snapshot
``{'state_dict': ..., ...}``; a ``module.`` prefix (DataParallel) is removed.

Difference from upstream: upstream's ``load_pretrain`` loads with ``strict=False`` and only logs
missing or unused keys, so a wrong file silently leaves random weights in the tracker. Here every
network key must be in the file and every file key in the network, with the same shapes; otherwise
a :class:`ltr.admin.loading.CheckpointError` names the file and the first mismatching keys. The one
exception is BatchNorm's ``num_batches_tracked`` counter (unused at inference): a file written
before PyTorch 0.4.1 has none, and it is set to 0 as torch itself does for such files. Files are read
with ``torch.load(weights_only=True)`` (no pickled code runs).
"""
from __future__ import annotations

import os
from typing import Dict, Union

import torch
import torch.nn as nn

from ltr.admin.loading import CheckpointError, load_checkpoint, load_state_dict_strict

__all__ = ['remove_prefix', 'model_state_dict', 'load_pretrain']


def remove_prefix(state_dict: Dict[str, torch.Tensor], prefix: str) -> Dict[str, torch.Tensor]:
    """`state_dict` with `prefix` removed from the keys that start with it."""
    return {(k[len(prefix):] if k.startswith(prefix) else k): v for k, v in state_dict.items()}


def model_state_dict(contents: object, source: str) -> Dict[str, torch.Tensor]:
    """The network state dict inside a loaded pysot file (flat, or under ``'state_dict'``), prefix removed."""
    if not isinstance(contents, dict):
        raise CheckpointError(f"{source}: not a pysot model file (a {type(contents).__name__}, not a state dict)")
    state = contents.get('state_dict', contents)
    if not isinstance(state, dict) or not state or not all(isinstance(v, torch.Tensor) for v in state.values()):
        keys = ', '.join(list(map(str, contents))[:5])
        raise CheckpointError(f"{source}: not a pysot model file (expected a flat state dict or {{'state_dict': ...}}, "
                              f"found keys {keys})")
    return remove_prefix(state, 'module.')


def load_pretrain(model: nn.Module, pretrained_path: Union[str, os.PathLike], missing_hint: str = '') -> nn.Module:
    """Load the pysot model file `pretrained_path` into `model` strictly (see the module docstring); returns `model`."""
    path = os.fspath(pretrained_path)
    state = model_state_dict(load_checkpoint(path, missing_hint), path)
    own = model.state_dict()
    for key, value in own.items():  # pre-0.4.1 files have no BN counters
        if key.endswith('num_batches_tracked') and key not in state:
            state[key] = torch.zeros_like(value)
    return load_state_dict_strict(model, state, path)
