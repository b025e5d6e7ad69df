"""The evaluation command behind ``arena/<Benchmark>/eval.py``.

Scores every tracker folder found under ``--results-dir`` (``<results-dir>/<tracker>/<seq>.txt``)
against a LaSOT-layout benchmark or an OTB-style set (OTB100, NFS30, UAV123, TColor128) (success / precision /
normalised precision, ``official`` or ``pysot`` convention) or a GOT-10k-layout one (AO / SR), prints one
table sorted by the main score and writes PNG plots (and the table) into ``--plot-dir`` (``--no-plots``:
neither). Which sequences, and the synthetic fallback, come from the benchmark layer
(:mod:`arena.benchmarks`). Bad input prints one line naming tracker, sequence, file and line, exits 1, and
no table is printed. A tracker that lacks result files (an unfinished or partly sharded run) is not scored:
one line per such tracker says how many and which sequences it misses, the complete trackers are scored and
printed, and the exit status is 1.

Scoring imports neither torch nor matplotlib (matplotlib only when plotting): on a configured or given
dataset root an evaluation is NumPy and file reading (the synthetic fallback may generate its tree first).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Tuple

from tqdm import tqdm

from arena.benchmarks import OTB_STYLE, ArenaBenchmark, BenchmarkError, load_benchmark
from ltr.admin.fileio import atomic_write_text
from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError
from pytracking.analysis.metrics import CONVENTIONS, Curves, GotScores, evaluate_sequences, got10k_scores
from pytracking.analysis.results import ResultError, find_trackers, read_tracker_results, result_path
from pytracking.analysis.tables import (attribute_table, got10k_json, got10k_table, results_json, sequence_table,
                                        summary_table)
from pytracking.evaluation.data import SequenceList
from pytracking.utils.heap import keep_freed_memory


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
    p.add_argument('--num', '-n', type=int, default=0,
                   help='processes reading and scoring trackers in parallel (default 0: the CPUs available)')
    p.add_argument('--show-video-level', '--show_video_level', '-s', dest='show_video_level',
                   action='store_true', help='also print per-sequence scores')
    p.add_argument('--no-plots', '--no_plots', dest='no_plots', action='store_true',
                   help='write neither the plots nor the table file (matplotlib is then never imported)')
    return p


def load_sequences(args: argparse.Namespace, benchmark: str, defaults: Any, layout: str) -> ArenaBenchmark:
    """The benchmark to score: `benchmark` (results named ``--dataset`` when given) or, for `layout` 'otb',
    the OTB-style set ``--dataset`` names (OTB100, NFS30 or UAV123; its configured root unless it is
    `benchmark`, whose root is ``defaults.dataset_root_``)."""
    if layout == 'otb':
        name = args.dataset or benchmark
        if name not in OTB_STYLE:
            raise EvalError(f"--dataset {name}: expected one of {', '.join(OTB_STYLE)}")
        configured = defaults.dataset_root_ if name == benchmark else None
        return load_benchmark(name, args.dataset_root, configured, args.split, action='evaluating')
    return load_benchmark(benchmark, args.dataset_root, defaults.dataset_root_, args.split, name=args.dataset,
                          action='evaluating')


# what the scoring workers need; set before they are forked, so they inherit the ground truth already read
_JOB: Dict[str, Any] = {}


def _score(tracker: str) -> Tuple[Any, List[str]]:
    """(scores of `tracker` from its result files, the warnings raised meanwhile); runs in a worker or here."""
    job = _JOB
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        preds = read_tracker_results(job['results_dir'], tracker, job['names'], job['lengths'])
        if job['layout'] == 'got10k':
            scores = got10k_scores(job['names'], job['gts'], preds, job['visible'], job['resolutions'])
        else:
            scores = evaluate_sequences(job['names'], job['gts'], preds, job['visible'], job['convention'])
    return scores, [str(w.message) for w in caught]


def default_workers() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one), at least 1.

    Not the CPUs the load average leaves idle: the 1-minute average still counts evaluations that just
    ended, so back-to-back runs would score on one CPU of an idle machine."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity on this platform (macOS, Windows)
        return max(1, os.cpu_count() or 1)


def score_trackers(args, seqs: SequenceList, results_dir: str, trackers: List[str], layout: str) -> Dict[str, Any]:
    """Scores of every tracker (all result files are read before anything is printed), in ``--num`` forked
    worker processes when more than one tracker and worker (each reads and scores whole trackers); their
    warnings are raised again here."""
    _JOB.clear()
    _JOB.update(results_dir=results_dir, names=seqs.names(), lengths=[len(s) for s in seqs], layout=layout,
                gts=[s.ground_truth_rect for s in seqs], visible=[s.target_visible for s in seqs],
                resolutions=[s.resolution for s in seqs], convention=args.convention)
    workers = min(args.num or default_workers(), len(trackers))
    bar = dict(total=len(trackers), desc='scoring', disable=len(trackers) < 3)
    try:
        if workers > 1 and 'fork' in multiprocessing.get_all_start_methods():
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context('fork')) as pool:
                done = list(tqdm(pool.map(_score, trackers), **bar))
        else:
            done = [_score(t) for t in tqdm(trackers, **bar)]
    finally:
        _JOB.clear()
    for _, messages in done:
        for message in messages:
            warnings.warn(message)
    return {t: scores for t, (scores, _) in zip(trackers, done)}


def _select_trackers(args, results_dir: str, seqs: SequenceList) -> List[str]:
    if args.trackers:
        return [t.strip('/') for t in args.trackers if t.startswith(args.tracker_prefix)]
    trackers = find_trackers(results_dir, seqs.names(), args.tracker_prefix)
    if not trackers:
        raise EvalError(f"no tracker results under {results_dir} for the {len(seqs)} sequences")
    return trackers


def missing_results(results_dir: str, trackers: List[str], seq_names: List[str]) -> Dict[str, List[str]]:
    """Sequences without a result file, per tracker that misses any (an unfinished or partly sharded run)."""
    missing = {}
    for tracker in trackers:
        absent = [s for s in seq_names if not os.path.isfile(result_path(results_dir, tracker, s))]
        if absent:
            missing[tracker] = absent
    return missing


def missing_line(tracker: str, absent: List[str], total: int) -> str:
    """One line naming what a tracker misses (the first few sequences) and what to do."""
    shown = ', '.join(absent[:5]) + (', ...' if len(absent) > 5 else '')
    return (f"tracker '{tracker}': {len(absent)} of {total} sequences have no result file ({shown}); not scored "
            f"(run the missing sequences or shards; the run scripts resume)")


def _complete_trackers(args, results_dir: str, seqs: SequenceList, missing: Dict[str, List[str]]) -> List[str]:
    """The selected trackers with a result file for every sequence; the others go into `missing`."""
    trackers = _select_trackers(args, results_dir, seqs)
    missing.update(missing_results(results_dir, trackers, seqs.names()))
    complete = [t for t in trackers if t not in missing]
    if not complete:
        raise EvalError(f"no tracker under {results_dir} has results for all {len(seqs)} sequences "
                        f"({len(missing)} incomplete)")
    return complete


def evaluate_lasot_layout(args, seqs: SequenceList, results_dir: str, benchmark: str,
                          missing: Optional[Dict[str, List[str]]] = None) -> Dict[str, Curves]:
    """Curves of every selected tracker that has all its result files (the others are listed in `missing`)."""
    missing = {} if missing is None else missing
    return score_trackers(args, seqs, results_dir, _complete_trackers(args, results_dir, seqs, missing), 'lasot')


def evaluate_got10k_layout(args, seqs: SequenceList, results_dir: str,
                           missing: Optional[Dict[str, List[str]]] = None) -> Dict[str, GotScores]:
    """GOT-10k scores of every selected tracker that has all its result files (the others listed in `missing`)."""
    missing = {} if missing is None else missing
    return score_trackers(args, seqs, results_dir, _complete_trackers(args, results_dir, seqs, missing), 'got10k')


def _write_outputs(args, plot_dir: str, table: str, payload: dict, plot: Optional[Callable[[], list]]) -> List[str]:
    """Write the JSON (``--json``), then, unless ``--no-plots``, the table file and the plots; returns the paths."""
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


def _save_plots(results: Dict[str, Curves], plot_dir: str, name: str, convention: str) -> List[str]:
    from pytracking.analysis.plots import save_plots  # matplotlib is imported only when plotting
    return save_plots(results, plot_dir, name, convention)


def run(argv: Optional[List[str]], benchmark: str, defaults, layout: str = 'lasot') -> int:
    """Parse `argv`, evaluate, print; returns the exit status (errors: one line on stderr, status 1)."""
    args = build_parser(benchmark, defaults).parse_args(argv)
    prog = os.path.basename(sys.argv[0]) or 'eval.py'
    keep_freed_memory()  # numpy temporaries reuse heap pages instead of page-faulting fresh mappings
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            bench = load_sequences(args, benchmark, defaults, layout)
            seqs, name, note = bench.sequences, bench.name, bench.note
            results_dir = args.results_dir or os.path.join(defaults.save_dir, name)
            missing: Dict[str, List[str]] = {}
            if layout in ('lasot', 'otb'):
                results = evaluate_lasot_layout(args, seqs, results_dir, name, missing)
                table = summary_table(results, name, args.convention)
                payload = results_json(results)
                extra = [attribute_table(results, {s.name: s.attributes for s in seqs if s.attributes})] \
                    if any(s.attributes for s in seqs) else []
                if args.show_video_level:
                    extra += [sequence_table(t, results[t]) for t in results]
                plot = lambda: _save_plots(results, plot_dir, name, args.convention)
            else:
                results = evaluate_got10k_layout(args, seqs, results_dir, missing)
                table = got10k_table(results, name)
                payload = got10k_json(results)
                extra = []
                if args.show_video_level:
                    extra = [f'{t}\n' + '\n'.join(f'{s}: AO {100 * v["ao"]:.1f}' for s, v in r.per_sequence.items())
                             for t, r in results.items()]
                plot = None
            plot_dir = args.plot_dir or results_dir
            written = _write_outputs(args, plot_dir, table, payload, plot)
    except (EvalError, BenchmarkError, ResultError, AnnotationError, MissingPathError, ValueError, OSError) as e:
        print(f'{prog}: error: {e}', file=sys.stderr)
        return 1
    if note:
        print(note)
    for w in caught:
        print(f'warning: {w.message}', file=sys.stderr)
    for tracker, absent in missing.items():
        print(f'{prog}: {missing_line(tracker, absent, len(seqs))}', file=sys.stderr)
    print(table)
    for block in extra:
        if block:
            print('\n' + block)
    for path in written:
        print(f'wrote {path}')
    return 1 if missing else 0
