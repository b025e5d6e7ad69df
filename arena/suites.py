"""Upstream's GOT-10k-folder tools: ``eval_other.py`` (a named tracker on OTB-100, UAV123, NfS and TColor-128) and
``collect_reports.py`` (one table of every report written by ``eval_got10k.py`` / ``eval_other.py``).

``eval_other.py`` runs through the one runner (``arena/runner.py``: resume, ``--workers``, ``--shard``, result
files ``<save_dir>/<Benchmark>/<tracker_name>/``) and scores each benchmark with ``arena/evaluate.py``, writing
``<save_dir>/<Benchmark>/reports/<tracker_name>/performance.json``. As upstream's (which built its trackers with
the refiner disabled), it runs the base trackers; ``--rf`` adds Alpha-Refine. Each benchmark's root is its
configured one (``otb_path``, ``uav_path``, ``nfs_path``, ``tpl_path`` of ``pytracking/evaluation/local.py``, or
``PYTRACKING_<ATTR>``); an unconfigured benchmark runs on its synthetic stand-in (``Synthetic-<Benchmark>``).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from typing import Any, Dict, List, Optional

from arena.paths import script_defaults

OTHER_BENCHMARKS = ('OTB100', 'UAV123', 'NFS30', 'TColor128')  # upstream: ExperimentOTB, UAV123, NfS, TColor128


def main_other(argv: Optional[List[str]], defaults: Any) -> int:
    """``eval_other.py``: ``--tracker NAME`` (``arena.trackers.GOT10K_TRACKERS``, with or without ``_RF``) on
    each of ``--benchmarks``; returns the worst exit status of the runs and evaluations."""
    from arena.runner import run_and_report
    from arena.trackers import TrackerUnavailable, add_named_tracker_args, named_tracker, refiner_code_args
    p = argparse.ArgumentParser(description='Run a named tracker on OTB-100, UAV123, NfS and TColor-128, then '
                                            'evaluate each (upstream eval_other.py).', add_help=False)
    add_named_tracker_args(p)
    p.add_argument('--rf', action='store_true', help='with Alpha-Refine (upstream ran the base trackers)')
    p.add_argument('--benchmarks', nargs='+', choices=OTHER_BENCHMARKS, default=list(OTHER_BENCHMARKS))
    known, rest = p.parse_known_args(argv)
    try:
        tracker, param = named_tracker(known.tracker)
    except TrackerUnavailable as e:
        print(f"{os.path.basename(sys.argv[0])}: error: {e}", file=sys.stderr)
        return 1
    if known.rf:
        rest = refiner_code_args(defaults.refine_path, known.rf_code) + rest
    worst = 0
    for benchmark in known.benchmarks:
        bench_defaults = script_defaults(benchmark)._replace(save_dir=defaults.save_dir)
        print(f"== {benchmark}", flush=True)
        status = run_and_report(rest, benchmark, bench_defaults, tracker, param, known.rf, 'otb',
                                evaluate_after=not known.no_eval)
        worst = max(worst, status)
    return worst


def collect(report_dir: str, dataset: str = '', prefix: str = '') -> List[Dict[str, Any]]:
    """Every ``<report_dir>/<benchmark>/reports/<tracker>/performance.json`` (only `dataset` when given; trackers
    starting with `prefix`) as rows ``{benchmark, tracker, scores}``, sorted by benchmark and tracker."""
    pattern = os.path.join(report_dir, dataset or '*', 'reports', '**', 'performance.json')
    rows = []
    for path in sorted(glob.glob(pattern, recursive=True)):
        rel = os.path.relpath(path, report_dir).split(os.sep)
        benchmark, tracker = rel[0], '/'.join(rel[2:-1])
        if not tracker.startswith(prefix):
            continue
        with open(path) as f:
            scores = json.load(f)
        rows.append({'benchmark': benchmark, 'tracker': tracker, 'scores': scores.get(tracker, scores)})
    return rows


def report_table(rows: List[Dict[str, Any]]) -> str:
    """One line per report: benchmark, tracker, then AUC / Prec / NPrec (success-plot sets) or AO / SR@0.50 /
    SR@0.75 (GOT-10k), in %."""
    lines = []
    width = max(len(r['tracker']) for r in rows)
    bench_width = max(len(r['benchmark']) for r in rows)
    for r in rows:
        s = r['scores']
        if 'ao' in s:
            values = f"AO {100 * s['ao']:5.1f}  SR@0.50 {100 * s['sr50']:5.1f}  SR@0.75 {100 * s['sr75']:5.1f}"
        else:
            values = (f"AUC {100 * s['auc']:5.1f}  Prec {100 * s['precision']:5.1f}  "
                      f"NPrec {100 * s['norm_precision']:5.1f}")
        lines.append(f"{r['benchmark']:<{bench_width}}  {r['tracker']:<{width}}  {values}")
    return '\n'.join(lines)


def main_collect(argv: Optional[List[str]], defaults: Any) -> int:
    """``collect_reports.py``: print the table of the reports under ``--report_dir`` (default ``save_dir``)."""
    p = argparse.ArgumentParser(description='Print every report eval_got10k.py / eval_other.py wrote.')
    p.add_argument('--report-dir', '--report_dir', dest='report_dir', default=defaults.save_dir,
                   help='folder holding <Benchmark>/reports/ (default: common_path.save_dir)')
    p.add_argument('--dataset', default='', help='only this benchmark folder (e.g. GOT10k, OTB100)')
    p.add_argument('--prefix', default='', help='only trackers whose name starts with this')
    args = p.parse_args(argv)
    rows = collect(args.report_dir, args.dataset, args.prefix)
    if not rows:
        print(f"{os.path.basename(sys.argv[0])}: error: no reports (<Benchmark>/reports/<tracker>/performance.json) "
              f"under {args.report_dir}", file=sys.stderr)
        return 1
    print(report_table(rows))
    return 0
