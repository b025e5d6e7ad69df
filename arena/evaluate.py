"""The evaluation command behind ``arena/<Benchmark>/eval.py``.

Scores every tracker folder found under ``--results-dir`` (``<results-dir>/<tracker>/<seq>.txt``)
against a LaSOT-layout benchmark or an OTB-style set (OTB100, NFS30, UAV123) (success / precision /
normalised precision, ``official`` or ``pysot`` convention) or a GOT-10k-layout one (AO / SR), prints one table sorted by the main score
and writes PNG plots (and the table) into ``--plot-dir``. Bad input prints one line naming tracker,
sequence, file and line, exits 1, and no table is printed.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, List, Optional

from tqdm import tqdm

from arena import paths
from ltr.admin.fileio import atomic_write_text
from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError
from pytracking.analysis.metrics import CONVENTIONS, Curves, GotScores, evaluate_sequences, got10k_scores
from pytracking.analysis.plots import save_plots
from pytracking.analysis.results import ResultError, find_trackers, read_tracker_results
from pytracking.analysis.tables import (attribute_table, got10k_json, got10k_table, results_json, sequence_table,
                                        summary_table)
from pytracking.evaluation.data import SequenceList
from pytracking.evaluation.got10kdataset import got10k_dataset
from pytracking.evaluation.lasotdataset import lasot_dataset
from pytracking.evaluation.nfsdataset import nfs_dataset
from pytracking.evaluation.otbdataset import otb_dataset
from pytracking.evaluation.uavdataset import uav_dataset


class EvalError(RuntimeError):
    """An evaluation that cannot run (no dataset, no trackers, ...); the message is one line."""


def build_parser(benchmark: str, defaults) -> argparse.ArgumentParser:
    """Flags in dash form with the underscore form and upstream ``eval.py`` names as aliases."""
    p = argparse.ArgumentParser(description=f'Evaluate tracker results on {benchmark}.')
    p.add_argument('--dataset-root', '--dataset_root', dest='dataset_root', default=None,
                   help=f"benchmark root (default: common_path.dataset_root_; unset -> synthetic benchmark)")
    p.add_argument('--results-dir', '--results_dir', '--tracker_path', '-p', dest='results_dir', default=None,
                   help='folder holding the tracker folders (default: <save_dir>/<dataset>)')
    p.add_argument('--dataset', '-d', default=None,
                   help=f'benchmark name: results under <save_dir>/<dataset> (default {benchmark}); '
                        f'arena/OTB/eval.py: {", ".join(OTB_STYLE)}')
    p.add_argument('--trackers', nargs='+', default=None, help='tracker names (default: every folder found)')
    p.add_argument('--tracker-prefix', '--tracker_prefix', '-t', dest='tracker_prefix', default='',
                   help='only trackers whose name starts with this')
    p.add_argument('--json', default=None, help='write the scores as JSON to this file')
    p.add_argument('--plot-dir', '--plot_dir', dest='plot_dir', default=None,
                   help='folder for the PNG plots and the table (default: the results folder)')
    p.add_argument('--convention', choices=CONVENTIONS, default='official')
    p.add_argument('--split', default=None, help='benchmark split (LaSOT: test/full/train; GOT-10k: val/test/train)')
    p.add_argument('--num', '-n', type=int, default=1, help='threads reading result files')
    p.add_argument('--show-video-level', '--show_video_level', '-s', dest='show_video_level',
                   action='store_true', help='also print per-sequence scores')
    p.add_argument('--no-plots', '--no_plots', dest='no_plots', action='store_true', help='do not write plots')
    return p


# OTB-style sets scored by ``arena/OTB/eval.py`` (``--dataset``, pysot's names): reader and root attribute
OTB_STYLE = {'OTB100': (otb_dataset, 'otb_path'), 'NFS30': (nfs_dataset, 'nfs_path'), 'UAV123': (uav_dataset, 'uav_path')}


def synthetic_benchmark_root(layout: str) -> str:
    """Root of the synthetic benchmark the arena falls back to (generated on first use), with the
    generator parameters of :func:`arena.paths.synthetic_params`."""
    from ltr.dataset.synthetic import SyntheticConfigError, SyntheticTreeError, ensure_synthetic_benchmark
    split = 'test' if layout == 'lasot' else 'val'
    try:
        return ensure_synthetic_benchmark(layout=layout, split=split, progress=False, **paths.synthetic_params())
    except (SyntheticConfigError, SyntheticTreeError) as e:
        raise EvalError(f"synthetic benchmark: {e}") from None


def resolve_benchmark(args, benchmark: str, configured_root: str, layout: str):
    """(root, benchmark name, note): the given or configured root, else the synthetic fallback
    (named ``Synthetic-<benchmark>``, never a real benchmark's name)."""
    if args.dataset_root:
        return args.dataset_root, benchmark, None
    if configured_root:
        return configured_root, benchmark, None
    root = synthetic_benchmark_root(layout)
    name = f'Synthetic-{benchmark}'
    return root, name, f"no {benchmark} root configured: evaluating the synthetic benchmark {name} at {root}"


def load_benchmark(args, benchmark: str, defaults, layout: str):
    """(sequences, benchmark name, note) for `layout` 'lasot', 'got10k' or 'otb' (OTB-style sets:
    ``--dataset`` picks OTB100, NFS30 or UAV123, roots from ``defaults.dataset_roots``)."""
    if layout == 'otb':
        bench = args.dataset or benchmark
        if bench not in OTB_STYLE:
            raise EvalError(f"--dataset {bench}: expected one of {', '.join(OTB_STYLE)}")
        roots = getattr(defaults, 'dataset_roots', {})
        root, name, note = resolve_benchmark(args, bench, roots.get(bench, defaults.dataset_root_), 'lasot')
        if note:  # the synthetic fallback is a LaSOT-layout tree
            return lasot_dataset(root, 'test', dataset=name), name, note
        return OTB_STYLE[bench][0](root, dataset=name), name, note
    bench = args.dataset or benchmark
    root, name, note = resolve_benchmark(args, bench, defaults.dataset_root_, layout)
    if layout == 'lasot':
        return lasot_dataset(root, args.split or 'test', dataset=name), name, note
    return got10k_dataset(root, args.split or 'val', dataset=name), name, note


def _load_all(results_dir: str, trackers: List[str], seqs: SequenceList, threads: int) -> Dict[str, list]:
    names, lengths = seqs.names(), [len(s) for s in seqs]
    load = lambda t: read_tracker_results(results_dir, t, names, lengths)
    if threads > 1 and len(trackers) > 1:
        with ThreadPoolExecutor(threads) as pool:
            return dict(zip(trackers, tqdm(pool.map(load, trackers), total=len(trackers), desc='reading results',
                                           disable=len(trackers) < 3)))
    return {t: load(t) for t in tqdm(trackers, desc='reading results', disable=len(trackers) < 3)}


def _select_trackers(args, results_dir: str, seqs: SequenceList) -> List[str]:
    if args.trackers:
        return [t.strip('/') for t in args.trackers if t.startswith(args.tracker_prefix)]
    trackers = find_trackers(results_dir, seqs.names(), args.tracker_prefix)
    if not trackers:
        raise EvalError(f"no tracker results under {results_dir} for the {len(seqs)} sequences")
    return trackers


def evaluate_lasot_layout(args, seqs: SequenceList, results_dir: str, benchmark: str) -> Dict[str, Curves]:
    """Curves of every selected tracker (all result files are read before anything is printed)."""
    trackers = _select_trackers(args, results_dir, seqs)
    preds = _load_all(results_dir, trackers, seqs, args.num)
    gts = [s.ground_truth_rect for s in seqs]
    vis = [s.target_visible for s in seqs]
    return {t: evaluate_sequences(seqs.names(), gts, preds[t], vis, args.convention) for t in trackers}


def evaluate_got10k_layout(args, seqs: SequenceList, results_dir: str) -> Dict[str, GotScores]:
    """GOT-10k scores of every selected tracker."""
    trackers = _select_trackers(args, results_dir, seqs)
    preds = _load_all(results_dir, trackers, seqs, args.num)
    gts = [s.ground_truth_rect for s in seqs]
    vis = [s.target_visible for s in seqs]
    res = [s.resolution for s in seqs]
    return {t: got10k_scores(seqs.names(), gts, preds[t], vis, res) for t in trackers}


def _write_outputs(args, plot_dir: str, table: str, payload: dict, plot: Optional[Callable[[], list]]) -> List[str]:
    written = []
    if args.json:
        atomic_write_text(args.json, json.dumps(payload, indent=2) + '\n')
        written.append(args.json)
    if plot_dir and not args.no_plots:
        os.makedirs(plot_dir, exist_ok=True)
        table_file = os.path.join(plot_dir, f'table_{args.convention}.txt')
        atomic_write_text(table_file, table + '\n')
        written.append(table_file)
        if plot is not None:
            written += plot()
    return written


def run(argv: Optional[List[str]], benchmark: str, defaults, layout: str = 'lasot') -> int:
    """Parse `argv`, evaluate, print; returns the exit status (errors: one line on stderr, status 1)."""
    args = build_parser(benchmark, defaults).parse_args(argv)
    prog = os.path.basename(sys.argv[0]) or 'eval.py'
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            seqs, name, note = load_benchmark(args, benchmark, defaults, layout)
            results_dir = args.results_dir or os.path.join(defaults.save_dir, name)
            if layout in ('lasot', 'otb'):
                results = evaluate_lasot_layout(args, seqs, results_dir, name)
                table = summary_table(results, name, args.convention)
                payload = results_json(results)
                extra = [attribute_table(results, {s.name: s.attributes for s in seqs if s.attributes})] \
                    if any(s.attributes for s in seqs) else []
                if args.show_video_level:
                    extra += [sequence_table(t, results[t]) for t in results]
                plot = lambda: save_plots(results, plot_dir, name, args.convention)
            else:
                results = evaluate_got10k_layout(args, seqs, results_dir)
                table = got10k_table(results, name)
                payload = got10k_json(results)
                extra = []
                if args.show_video_level:
                    extra = [f'{t}\n' + '\n'.join(f'{s}: AO {100 * v["ao"]:.1f}' for s, v in r.per_sequence.items())
                             for t, r in results.items()]
                plot = None
            plot_dir = args.plot_dir or results_dir
            written = _write_outputs(args, plot_dir, table, payload, plot)
    except (EvalError, ResultError, AnnotationError, MissingPathError, ValueError, OSError) as e:
        print(f'{prog}: error: {e}', file=sys.stderr)
        return 1
    if note:
        print(note)
    for w in caught:
        print(f'warning: {w.message}', file=sys.stderr)
    print(table)
    for block in extra:
        if block:
            print('\n' + block)
    for path in written:
        print(f'wrote {path}')
    return 0
