"""Shrink a training checkpoint to what inference needs, for shipping a network in the repository.

    python -m ltr.admin.compact_checkpoint SRC.pth.tar DST.pth.tar [--float32]

Keeps ``epoch``, ``actor_type``, ``net_type``, ``net``, ``net_info``, ``constructor`` and the plain
``settings`` dict of the run (its recipe values: frame size, crop size, seed ...; not the trainer's
paths in ``settings['env']``, and ``settings['pretrained']`` by its file name only); drops the optimiser,
scheduler, random-number states and stat histories. Floating-point weights are stored as float16 unless
``--float32``: loading copies them into the float32 network (``load_state_dict`` casts), so the network
computes in float32. A tensor with a value beyond float16's range (such as a BatchNorm running variance of
4e6) stays float32; values below float16's normal range lose only absolute precision (~6e-8), negligible
next to the weights' scale and BatchNorm's eps. The recorded constructor gets ``backbone_pretrained=False``
(the file holds every weight). The output loads with :func:`ltr.admin.loading.load_network` like any
checkpoint; its sha256 is printed.
"""
from __future__ import annotations

import argparse
import hashlib
import os
from collections import OrderedDict
from typing import List, Optional

import torch

from ltr.admin.cli import UserInputError, run_cli
from ltr.admin.fileio import atomic_path
from ltr.admin.loading import CheckpointError, load_checkpoint
from ltr.admin.model_constructor import NetConstructor

KEPT = ('epoch', 'actor_type', 'net_type', 'net', 'net_info', 'constructor', 'settings')


def sha256_of(path: str) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


FLOAT16_MAX = torch.finfo(torch.float16).max


def storage_dtype(tensor: torch.Tensor) -> torch.dtype:
    """float16 for a floating-point `tensor` whose values all lie within float16's range, else its own dtype."""
    if not tensor.is_floating_point() or tensor.numel() == 0:
        return tensor.dtype
    magnitude = tensor.detach().abs()
    fits = bool(torch.isfinite(magnitude).all()) and float(magnitude.max()) <= FLOAT16_MAX
    return torch.float16 if fits else tensor.dtype


def compact_checkpoint(src: str, dst: str, half: bool = True) -> str:
    """Write the inference part of checkpoint `src` to `dst` (atomically); returns the sha256 of `dst`."""
    ckpt = load_checkpoint(src)
    if not isinstance(ckpt, dict) or 'net' not in ckpt or not isinstance(ckpt.get('constructor'), NetConstructor):
        raise CheckpointError(f"{src}: not a network checkpoint with a constructor")
    state = OrderedDict((k, ckpt[k]) for k in KEPT if k in ckpt)
    if half:
        state['net'] = OrderedDict((k, v.to(storage_dtype(v))) for k, v in ckpt['net'].items())
    if isinstance(state.get('settings'), dict):  # without the trainer's paths; a warm start by its file name only
        state['settings'] = {k: (os.path.basename(v) if k == 'pretrained' and isinstance(v, str) else v)
                             for k, v in state['settings'].items() if k != 'env'}
    else:
        state.pop('settings', None)  # an upstream Settings object: not needed for inference
    constructor = ckpt['constructor']
    kwds = dict(constructor.kwds)
    if 'backbone_pretrained' in kwds:
        kwds['backbone_pretrained'] = False
    state['constructor'] = NetConstructor(constructor.fun_name, constructor.fun_module, constructor.args, kwds)
    with atomic_path(dst) as tmp:
        torch.save(state, tmp)
    return sha256_of(dst)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='training checkpoint')
    parser.add_argument('dst', help='compact checkpoint to write')
    parser.add_argument('--float32', action='store_true', help='keep float32 weights (default: store float16)')
    args = parser.parse_args(argv)
    try:
        digest = compact_checkpoint(args.src, args.dst, half=not args.float32)
    except CheckpointError as e:
        raise UserInputError(str(e)) from None
    print(f"wrote {args.dst} (sha256 {digest})")


if __name__ == '__main__':
    run_cli(main)
