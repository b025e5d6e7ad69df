"""Run a base tracker on a dataset: ``python pytracking/run_tracker.py kcf default --dataset synthetic_lasot``.

Results: ``<results_path>/<tracker>/<param>[_<runid:03d>]/<seq>.txt`` (comma, 4 decimals, one box per
line) and ``<seq>_time.txt``; finished sequences are skipped (resume). ``results_path`` comes from
``pytracking/evaluation/local.py`` / ``PYTRACKING_RESULTS_PATH`` or ``--results-path``. Dataset names:
``pytracking.evaluation.datasets`` (``lasot``, ``got10k_val``, ``trackingnet``, ``otb``, ...,
``synthetic_lasot``, ``synthetic_got10k_val``); a synthetic set without ``--dataset-root`` is the
default synthetic tree under ``<workspace_dir>/synthetic/`` (generated on first use).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

if __package__ in (None, ''):  # run as a script: make the repository importable without installation
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from ltr.admin.cli import UserInputError, run_cli  # noqa: E402
from pytracking.evaluation.data import SequenceList  # noqa: E402


def load_dataset(name: str, root: Optional[str] = None) -> SequenceList:
    """Dataset `name` at `root` (configured root when None; synthetic sets: the default generated tree)."""
    from pytracking.evaluation.datasets import DATASETS, get_dataset
    if name not in DATASETS:
        raise UserInputError(f"--dataset {name}: unknown (known: {', '.join(sorted(DATASETS))})")
    if name.startswith('synthetic_') and not root:
        from ltr.dataset.synthetic import ensure_synthetic_benchmark
        layout, split = ('lasot', 'test') if name == 'synthetic_lasot' else ('got10k', name.rsplit('_', 1)[1])
        root = ensure_synthetic_benchmark(layout=layout, split=split)
    return get_dataset(name, root)


def select_sequences(dataset: SequenceList, sequence: Optional[str]) -> SequenceList:
    """The whole dataset, or the one sequence named `sequence` (a name, or an index as upstream)."""
    if sequence is None:
        return dataset
    if sequence in dataset.names():
        return SequenceList([dataset[sequence]])
    if sequence.lstrip('-').isdigit() and -len(dataset) <= int(sequence) < len(dataset):
        return SequenceList([dataset[int(sequence)]])
    raise UserInputError(f"--sequence {sequence}: no such sequence name or index in a dataset of {len(dataset)} "
                         f"(e.g. {', '.join(dataset.names()[:3])})")


def run_tracker(tracker_name: str, tracker_param: str, run_id: Optional[int] = None, dataset_name: str = 'synthetic_lasot',
                sequence: Optional[str] = None, debug: int = 0, threads: int = 0, dataset_root: Optional[str] = None,
                results_path: Optional[str] = None) -> str:
    """Run one tracker on a dataset (or one of its sequences); returns the results folder."""
    from pytracking.evaluation.running import run_dataset
    from pytracking.tracker_factory import Tracker
    try:
        tracker = Tracker(tracker_name, tracker_param, run_id, results_path=results_path)
    except ValueError as e:
        raise UserInputError(str(e)) from None
    dataset = select_sequences(load_dataset(dataset_name, dataset_root), sequence)
    run_dataset(dataset, [tracker], debug=bool(debug), threads=threads)
    return tracker.results_dir


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description='Run a tracker on a dataset or sequence.')
    p.add_argument('tracker_name', help='name of the tracking method (pytracking/tracker/<name>)')
    p.add_argument('tracker_param', help='name of the parameter file (pytracking/parameter/<name>/<param>.py)')
    p.add_argument('--runid', '--run-id', '--run_id', dest='runid', type=int, default=None, help='the run id')
    p.add_argument('--dataset', '--dataset_name', '--dataset-name', dest='dataset_name', default='synthetic_lasot',
                   help='dataset name (default synthetic_lasot)')
    p.add_argument('--sequence', default=None, help='sequence name or index')
    p.add_argument('--debug', type=int, default=0, help='debug level (results are not written when > 0)')
    p.add_argument('--threads', type=int, default=0, help='worker processes (0: run in this process)')
    p.add_argument('--dataset-root', '--dataset_root', dest='dataset_root', default=None, help='dataset root')
    p.add_argument('--results-path', '--results_path', dest='results_path', default=None,
                   help='results root (default: env_settings().results_path)')
    args = p.parse_args(argv)
    out = run_tracker(args.tracker_name, args.tracker_param, args.runid, args.dataset_name, args.sequence,
                      args.debug, args.threads, args.dataset_root, args.results_path)
    print(f"results: {out}")
    return 0


if __name__ == '__main__':
    run_cli(main)
