"""Train a network from a recipe: ``python ltr/run_training.py <group> <recipe>`` (e.g. ``SEx_beta SEcm_r34``).

Works from any folder, as a single process or under ``torchrun``/``torch.distributed.launch``
(``ltr/run_training_multigpu.py`` is the upstream name for the same entry point). The recipe is
``ltr/train_settings/<group>/<recipe>.py`` and its ``run(settings)``.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import Dict, List, Optional

if __package__ in (None, ''):  # run as a script: make the repository importable without installation
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # repo root, not ltr/

import cv2
import torch

from ltr.admin.cli import UserInputError, run_cli
from ltr.admin.multigpu import init_distributed
from ltr.admin.settings import Settings, parse_value


def available_recipes() -> List[str]:
    """``group/recipe`` names under ``ltr/train_settings``."""
    import ltr.train_settings as ts
    names = []
    for group in pkgutil.iter_modules(ts.__path__):
        if group.ispkg:
            sub = importlib.import_module(f'ltr.train_settings.{group.name}')
            names += [f'{group.name}/{m.name}' for m in pkgutil.iter_modules(sub.__path__) if not m.name.startswith('_')]
    return sorted(names)


def load_recipe(train_module: str, train_name: str):
    """Import ``ltr.train_settings.<train_module>.<train_name>``; a clear error lists the recipes that exist."""
    name = f'ltr.train_settings.{train_module}.{train_name}'
    if not (train_module.isidentifier() and train_name.isidentifier()):
        raise UserInputError(f"invalid recipe name {train_module} {train_name}")
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and name.startswith(e.name):
            raise UserInputError(f"no recipe ltr/train_settings/{train_module}/{train_name}.py "
                                 f"(available: {', '.join(available_recipes())})") from None
        raise


def run_training(train_module: str, train_name: str, *, local_rank: Optional[int] = None,
                 cudnn_benchmark: bool = True, pretrained: Optional[str] = None,
                 overrides: Optional[Dict[str, object]] = None):
    """Set up the process (distributed when launched so), the settings, and run the recipe.

    Returns what the recipe's ``run`` returns (the SEcm recipes return their trainer).
    """
    cv2.setNumThreads(0)
    torch.backends.cudnn.benchmark = cudnn_benchmark
    recipe = load_recipe(train_module, train_name)
    settings = Settings()
    settings.lock(overrides or {})
    dist = init_distributed(local_rank, use_gpu=settings.use_gpu)
    settings.module_name = train_module
    settings.script_name = train_name
    settings.project_path = f'ltr/{train_module}/{train_name}'
    settings.local_rank = dist.local_rank
    settings.rank = dist.rank
    settings.world_size = dist.world_size
    settings.device = dist.device
    settings.pretrained = pretrained
    try:
        return recipe.run(settings)
    finally:
        if dist.world_size > 1 and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()


def _bool(text: str) -> bool:
    if text.lower() in ('1', 'true', 'yes'):
        return True
    if text.lower() in ('0', 'false', 'no'):
        return False
    raise argparse.ArgumentTypeError(f"expected true/false, got '{text}'")


def _override(text: str):
    if '=' not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got '{text}'")
    name, value = text.split('=', 1)
    return name.strip(), parse_value(value)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description='Train a network with an ltr recipe.')
    parser.add_argument('train_module', help='recipe group, e.g. SEx_beta')
    parser.add_argument('train_name', help='recipe name, e.g. SEcm_r34')
    parser.add_argument('--cudnn_benchmark', '--cudnn-benchmark', type=_bool, default=True)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=None,
                        help='set by torch.distributed.launch (torchrun sets LOCAL_RANK instead)')
    parser.add_argument('--pretrained', default=None, help='checkpoint whose network weights initialise the run')
    parser.add_argument('--set', dest='overrides', action='append', type=_override, default=[], metavar='NAME=VALUE',
                        help='override a recipe setting, e.g. --set batch_size=8 (repeatable)')
    args = parser.parse_args(argv)
    run_training(args.train_module, args.train_name, local_rank=args.local_rank,
                 cudnn_benchmark=args.cudnn_benchmark, pretrained=args.pretrained, overrides=dict(args.overrides))


if __name__ == '__main__':
    run_cli(main)
