"""Run an experiment: ``python pytracking/run_experiment.py myexperiments kcf_synthetic [--threads N]``.

An experiment is a function in ``pytracking/experiments/<module>.py`` returning ``(trackers, dataset)``;
every tracker runs on every sequence (finished ones skipped), results as ``pytracking/run_tracker.py``.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import Callable, List, Optional

if __package__ in (None, ''):  # run as a script: make the repository importable without installation
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from ltr.admin.cli import UserInputError, run_cli  # noqa: E402


def load_experiment(module: str, name: str) -> Callable:
    """``pytracking.experiments.<module>.<name>``; UserInputError listing what exists when absent."""
    import pytracking.experiments as experiments
    modules = sorted(m.name for m in pkgutil.iter_modules(experiments.__path__))
    if module not in modules:
        raise UserInputError(f"no experiment module pytracking/experiments/{module}.py (available: {', '.join(modules)})")
    mod = importlib.import_module(f'pytracking.experiments.{module}')
    funcs = sorted(n for n, f in vars(mod).items()
                   if callable(f) and not n.startswith('_') and getattr(f, '__module__', '') == mod.__name__)
    if name not in funcs:
        raise UserInputError(f"no experiment {name} in pytracking/experiments/{module}.py (available: {', '.join(funcs)})")
    return getattr(mod, name)


def run_experiment(experiment_module: str, experiment_name: str, debug: int = 0, threads: int = 0) -> None:
    """Run every tracker of the experiment on its dataset."""
    from pytracking.evaluation.running import run_dataset
    trackers, dataset = load_experiment(experiment_module, experiment_name)()
    print(f"experiment {experiment_module}.{experiment_name}: {len(trackers)} tracker(s) x {len(dataset)} sequences")
    run_dataset(dataset, trackers, debug=bool(debug), threads=threads)


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description='Run an experiment (a list of trackers on a dataset).')
    p.add_argument('experiment_module', help='module in pytracking/experiments/')
    p.add_argument('experiment_name', help='function in that module')
    p.add_argument('--debug', type=int, default=0, help='debug level (results are not written when > 0)')
    p.add_argument('--threads', type=int, default=0, help='worker processes (0: run in this process)')
    args = p.parse_args(argv)
    run_experiment(args.experiment_module, args.experiment_name, args.debug, args.threads)
    return 0


if __name__ == '__main__':
    run_cli(main)
