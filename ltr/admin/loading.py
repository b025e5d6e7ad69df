"""Checkpoints in the upstream PyTracking/ltr format, loaded safely.

A checkpoint is a dict saved with ``torch.save``: ``epoch``, ``actor_type``, ``net_type``, ``net``
(state dict of the unwrapped network), ``net_info``, ``constructor`` (a pickled
:class:`~ltr.admin.model_constructor.NetConstructor`), and upstream training extras
(``optimizer``, ``stats``, ``settings``).

Loading never runs pickled code: files are read with ``torch.load(weights_only=True)`` and an
allow-list. The constructor class is allowed (under its current and its legacy ``dlframework``
name); the upstream training objects (settings, the user's ``ltr.admin.local`` environment, stat
meters) come back as inert placeholders that hold their attributes and do nothing. Anything else
is refused with :class:`CheckpointError` naming the class.
"""
from __future__ import annotations

import glob
import inspect
import os
import pickle
import re
import warnings
from collections import OrderedDict
from typing import Any, Dict, Iterable, Optional, Sequence, Union

import torch

from ltr.admin.fileio import atomic_path
from ltr.admin.model_constructor import ConstructorError, NetConstructor

CHECKPOINT_NAME = re.compile(r'_ep\d{4}\.pth\.tar$')


class CheckpointError(RuntimeError):
    """A checkpoint is missing, unreadable, unsafe, or does not match the network; one-line message."""


class InertObject:
    """Stand-in for an upstream training object found in a checkpoint (settings, stats, environment).

    It only holds the attributes that were pickled; it has no behaviour and imports nothing.
    """

    pickled_name = ''

    def __repr__(self) -> str:
        return f"<inert {self.pickled_name}: {sorted(vars(self))}>"


_INERT_NAMES = [
    'ltr.admin.settings.Settings',
    'ltr.admin.local.EnvironmentSettings',
    'ltr.admin.stats.AverageMeter',
    'ltr.admin.stats.StatValue',
]
_LEGACY = {  # old pytracking files pickle the same classes under dlframework.* module names
    'ltr.admin.': ['dlframework.common.utils.'],
}


def _with_legacy_names(name: str) -> Iterable[str]:
    yield name
    for new, olds in _LEGACY.items():
        if name.startswith(new):
            for old in olds:
                yield old + name[len(new):]


def _safe_globals() -> list:
    allowed = [(NetConstructor, n) for n in _with_legacy_names('ltr.admin.model_constructor.NetConstructor')]
    for name in _INERT_NAMES:
        for alias in _with_legacy_names(name):
            cls = type(alias.rsplit('.', 1)[1], (InertObject,), {'pickled_name': alias})
            allowed.append((cls, alias))
    return allowed


def _unreadable(path: str, err: BaseException) -> CheckpointError:
    """The one-line error of a file ``torch.load`` cannot read safely. torch's own message advises retrying
    with ``weights_only=False``; a safe loader must not pass that on, so only the unpickler's finding (or
    the exception's first line) is kept."""
    text = str(err)
    found = re.search(r'WeightsUnpickler error:\s*(.+?)(?:\n\s*\n|$)', text, re.S)
    detail = ' '.join((found.group(1) if found else text.split('\n')[0]).split())
    if 'weights_only' in detail or 'Weights only load failed' in detail:
        detail = ''
    if not found:
        detail = f"{type(err).__name__}: {detail}" if detail else type(err).__name__
    return CheckpointError(f"{path}: not a readable checkpoint ({detail[:200]})")


def load_checkpoint(path: str, missing_hint: str = '') -> Dict[str, Any]:
    """Read a checkpoint file safely (weights only + the allow-list) and return its contents.

    `missing_hint` is appended to the error when the file does not exist (e.g. where the official
    file goes).
    """
    if not os.path.isfile(path):
        raise CheckpointError(f"{path}: no such checkpoint file" + (f"; {missing_hint}" if missing_hint else ''))
    try:
        with torch.serialization.safe_globals(_safe_globals()):
            return torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r'GLOBAL ([\w.]+)', str(e))
        if found:
            raise CheckpointError(f"{path}: refused to load: the file needs '{found.group(1)}', which a checkpoint "
                                  "may not contain (only tensors, the network constructor, settings and stats); "
                                  "nothing was run") from None
        raise _unreadable(path, e) from None
    except Exception as e:  # torch.load on a file that is no checkpoint raises KeyError, RuntimeError, EOFError ...
        raise _unreadable(path, e) from None


def unwrap(net: torch.nn.Module) -> torch.nn.Module:
    """The network inside DataParallel/DistributedDataParallel wrappers (what checkpoints store)."""
    while isinstance(net, (torch.nn.DataParallel, torch.nn.parallel.DistributedDataParallel)):
        net = net.module
    return net


def save_network_checkpoint(path: str, net: torch.nn.Module, *, epoch: int = 0, actor_type: Optional[str] = None,
                            extra: Optional[Dict[str, Any]] = None) -> None:
    """Write `net` in the official checkpoint format (atomically); `extra` adds fields such as ``optimizer``."""
    net = unwrap(net)
    state = OrderedDict([
        ('epoch', epoch),
        ('actor_type', actor_type),
        ('net_type', type(net).__name__),
        ('net', net.state_dict()),
        ('net_info', getattr(net, 'info', None)),
        ('constructor', getattr(net, 'constructor', None)),
    ])
    state.update(extra or {})
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def check_state_dict(net: torch.nn.Module, state_dict: Dict[str, torch.Tensor], source: str) -> None:
    """Raise CheckpointError listing the first mismatching keys/shapes between `state_dict` and `net`."""
    own = net.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    shapes = [f"{k} {tuple(state_dict[k].shape)} vs {tuple(own[k].shape)}" for k in own
              if k in state_dict and hasattr(state_dict[k], 'shape') and tuple(state_dict[k].shape) != tuple(own[k].shape)]
    problems = []
    if missing:
        problems.append(f"missing keys {missing[:5]}" + (f" (+{len(missing) - 5} more)" if len(missing) > 5 else ''))
    if unexpected:
        problems.append(f"unexpected keys {unexpected[:5]}" + (f" (+{len(unexpected) - 5} more)" if len(unexpected) > 5 else ''))
    if shapes:
        problems.append(f"shape mismatch (file vs network) {shapes[:5]}")
    if problems:
        raise CheckpointError(f"{source}: state dict does not match {type(net).__name__}: " + '; '.join(problems))


def load_state_dict_strict(net: torch.nn.Module, state_dict: Dict[str, torch.Tensor], source: str) -> torch.nn.Module:
    """Load `state_dict` into `net` with ``strict=True`` after a readable key/shape check."""
    check_state_dict(net, state_dict, source)
    net.load_state_dict(state_dict, strict=True)
    return net


def recipe_checkpoint_dir(train_module: str, train_name: str, workspace_dir: Optional[str] = None) -> str:
    """Where the trainer writes recipe ``train_module/train_name``'s checkpoints:
    ``<workspace_dir>/checkpoints/ltr/<train_module>/<train_name>`` (default workspace: ``env_settings()``)."""
    if workspace_dir is None:
        from ltr.admin.environment import env_settings
        workspace_dir = env_settings().workspace_dir
    return os.path.join(workspace_dir, 'checkpoints', 'ltr', train_module, train_name)


def latest_checkpoint(folder: str) -> Optional[str]:
    """Newest ``*_epNNNN.pth.tar`` in `folder` (by epoch number), or None. Other names are never picked."""
    files = [f for f in glob.glob(os.path.join(folder, '*.pth.tar')) if CHECKPOINT_NAME.search(f)]
    return max(files, key=lambda f: (int(CHECKPOINT_NAME.search(f).group(0)[3:7]), f)) if files else None


def _checkpoint_file(path: str) -> str:
    if os.path.isdir(path):
        found = latest_checkpoint(path)
        if found is None:
            candidates = sorted(glob.glob(os.path.join(path, '*.pth.tar')))
            if len(candidates) != 1:
                raise CheckpointError(f"{path}: folder holds {len(candidates)} *.pth.tar files; name the file to load")
            found = candidates[0]
        return found
    return path


def _constructor_kwargs(constructor: NetConstructor, overrides: Dict[str, Any], source: str) -> None:
    """Apply constructor overrides whose name the constructor accepts (upstream warns about the others).

    ``backbone_pretrained`` is False unless `overrides` names it: the file's state dict overwrites every
    weight, so building must not read (or need) ImageNet backbone files; a constructor without that
    argument is left as it is, without a warning."""
    params = inspect.signature(constructor.resolve()).parameters
    if 'backbone_pretrained' in params:
        constructor.kwds['backbone_pretrained'] = False
    for name, value in overrides.items():
        if name in params:
            constructor.kwds[name] = value
        else:
            warnings.warn(f"{source}: constructor {constructor.fun_name} has no argument '{name}'; ignored")


def load_network(path: str, expected_net_type: Union[None, str, Sequence[str]] = None, missing_hint: str = '',
                 **constructor_kwargs) -> torch.nn.Module:
    """Rebuild a network from a checkpoint (its pickled constructor) and load its weights strictly.

    `path` is a file or a folder (the latest ``*_epNNNN.pth.tar`` in it). `expected_net_type` (a
    class name or several) guards against a file of another network. The network is built with
    ``backbone_pretrained=False`` (upstream's pickled constructors record True, which would read ImageNet
    backbone files that the loaded state dict then overwrites); `constructor_kwargs` replace the recorded
    constructor arguments they name.
    """
    path = _checkpoint_file(path)
    ckpt = load_checkpoint(path, missing_hint)
    if not isinstance(ckpt, dict) or 'net' not in ckpt or not isinstance(ckpt.get('constructor'), NetConstructor):
        found = sorted(ckpt) if isinstance(ckpt, dict) else type(ckpt).__name__
        raise CheckpointError(f"{path}: not a network checkpoint with a constructor (expected keys 'net', "
                              f"'constructor'; found {found})")
    constructor = ckpt['constructor']
    if expected_net_type is not None:
        expected = (expected_net_type,) if isinstance(expected_net_type, str) else tuple(expected_net_type)
        if ckpt.get('net_type') not in expected:
            raise CheckpointError(f"{path}: expected a {' or '.join(expected)} network, found net_type "
                                  f"'{ckpt.get('net_type')}' built by {constructor.fun_module}.{constructor.fun_name}")
    try:
        _constructor_kwargs(constructor, constructor_kwargs, path)
        net = constructor.get()
    except ConstructorError as e:
        raise CheckpointError(f"{path}: {e}") from None
    load_state_dict_strict(net, ckpt['net'], path)
    net.constructor = constructor
    if 'net_info' in ckpt:
        net.info = ckpt['net_info']
    return net
