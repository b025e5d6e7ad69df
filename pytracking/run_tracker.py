"""Run a base tracker on a dataset: ``python pytracking/run_tracker.py kcf default --dataset synthetic_lasot``.

Results: ``<results_path>/<tracker>/<param>[_<runid:03d>]/<seq>.txt`` (comma, 4 decimals, one box per
line) and ``<seq>_time.txt``; finished sequences are skipped (resume). ``results_path`` comes from
``pytracking/evaluation/local.py`` / ``PYTRACKING_RESULTS_PATH`` or ``--results-path``. Dataset names:
``pytracking.evaluation.datasets`` (``lasot``, ``got10k_val``, ``trackingnet``, ``otb``, ...,
``synthetic_lasot``, ``synthetic_got10k_val``); a synthetic set without ``--dataset-root`` is the
default synthetic tree under ``<workspace_dir>/synthetic/`` (generated on first use).

Parallel and sharded runs (doc/arena.md): ``--workers N`` tracks N sequences at a time in N processes (each
builds its tracker once; GPUs of ``CUDA_VISIBLE_DEVICES`` assigned round-robin), ``--threads`` is upstream's
name for the same, ``--torch-threads`` the torch threads of each worker; ``--shard I/N`` runs only shard I of
N (sequence k, 0-based, belongs to shard ``k mod N + 1``), for several machines or a cluster job array on one
shared results folder. Results do not depend on either. A sequence that raises is reported in one line (its
traceback in ``<seq>_error.log``) and the others go on; the exit status is the number of failed sequences
(at most 125).

Broken frames (doc/arena.md): a frame that cannot be read keeps the last box and is listed per sequence in
``run_info.json`` beside the results (``run_info.shard-I-of-N.json`` for a shard); a broken first frame, or any
with ``--strict``, fails its sequence. The results folder is checked for writing before tracking starts; a result
file the disk refuses stops the run in one line (what was written stays; run again to resume).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional, Tuple

if __package__ in (None, ''):  # run as a script: make the repository importable without installation
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from ltr.admin.cli import UserInputError, run_cli  # noqa: E402
from pytracking.evaluation.data import SequenceList  # noqa: E402
from tqdm import tqdm  # noqa: E402


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
                results_path: Optional[str] = None, *, workers: Optional[int] = None, torch_threads: Optional[int] = None,
                shard: Optional[str] = None, progress: bool = True,
                strict: bool = False) -> Tuple[str, List[str]]:
    """Run one tracker on a dataset (or one of its sequences, or one shard); returns the results folder and the
    failed sequences' lines. `threads` is upstream's process count (``workers`` overrides it); `torch_threads`
    per process (None: 1 when running in several processes, else torch's default). Broken frames keep the last
    box and are listed in the run record (:func:`run_record_path`); with `strict` they fail their sequence."""
    from ltr.admin.fileio import ensure_writable_folder
    from pytracking.evaluation.running import RunRecord, TrackerRunStep, parse_shard, run_record_path, \
        run_sequence_pool, run_sequence, shard_sequences
    from pytracking.tracker_factory import Tracker
    try:
        tracker = Tracker(tracker_name, tracker_param, run_id, results_path=results_path)
        dataset = select_sequences(load_dataset(dataset_name, dataset_root), sequence)
        parsed_shard = parse_shard(shard) if shard else None
        if parsed_shard:
            dataset = shard_sequences(dataset, *parsed_shard)
    except ValueError as e:
        raise UserInputError(str(e)) from None
    if debug:  # upstream: debug runs show what happens and write nothing
        for seq in dataset:
            run_sequence(seq, tracker, debug=True)
        return tracker.results_dir, []
    workers = max(1, workers if workers is not None else threads)
    if torch_threads is None:
        torch_threads = 1 if workers > 1 else 0
    if torch_threads > 0 and workers == 1:
        import torch
        torch.set_num_threads(torch_threads)
    ensure_writable_folder(tracker.results_dir)
    record = RunRecord(run_record_path(tracker.results_dir, parsed_shard))
    failed = []

    def on_failed(failure) -> None:
        failed.append(failure.line())
        record.failed(failure.name, failure.error)
        tqdm.write(f"failed: {failure.line()}")

    run_sequence_pool(dataset, tracker.results_dir, TrackerRunStep(tracker), workers=workers, threads=torch_threads,
                      progress=progress, desc=f'{tracker_name} {tracker_param}', strict=strict,
                      on_done=record.done, on_failed=on_failed)
    return tracker.results_dir, failed


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description='Run a tracker on a dataset or sequence.')
    p.add_argument('tracker_name', help='name of the tracking method (pytracking/tracker/<name>)')
    p.add_argument('tracker_param', help='name of the parameter file (pytracking/parameter/<name>/<param>.py)')
    p.add_argument('--runid', '--run-id', '--run_id', dest='runid', type=int, default=None, help='the run id')
    p.add_argument('--dataset', '--dataset_name', '--dataset-name', dest='dataset_name', default='synthetic_lasot',
                   help='dataset name (default synthetic_lasot)')
    p.add_argument('--sequence', default=None, help='sequence name or index')
    p.add_argument('--debug', type=int, default=0, help='debug level (results are not written when > 0)')
    p.add_argument('--workers', type=int, default=None,
                   help='sequences tracked at a time, each in its own process (default 1)')
    p.add_argument('--threads', type=int, default=0, help="upstream's name of --workers (0: run in this process)")
    p.add_argument('--torch-threads', '--torch_threads', dest='torch_threads', type=int, default=None,
                   help="torch threads per process (default: 1 with several workers, else torch's default)")
    p.add_argument('--shard', default=None, help='run only shard I of N (I/N; sequence k goes to shard k mod N + 1)')
    p.add_argument('--dataset-root', '--dataset_root', dest='dataset_root', default=None, help='dataset root')
    p.add_argument('--results-path', '--results_path', dest='results_path', default=None,
                   help='results root (default: env_settings().results_path)')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    p.add_argument('--strict', action='store_true',
                   help='a frame that cannot be read fails its sequence (default: the last box is kept and the frame '
                        'listed in run_info.json)')
    args = p.parse_args(argv)
    out, failed = run_tracker(args.tracker_name, args.tracker_param, args.runid, args.dataset_name, args.sequence,
                              args.debug, args.threads, args.dataset_root, args.results_path, workers=args.workers,
                              torch_threads=args.torch_threads, shard=args.shard, progress=not args.quiet,
                              strict=args.strict)
    print(f"results: {out}")
    if failed:
        print(f"error: {len(failed)} sequence(s) failed (tracebacks in {out}/<seq>_error.log)", file=sys.stderr)
    return min(len(failed), 125)


if __name__ == '__main__':
    run_cli(main)
