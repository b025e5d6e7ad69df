"""Where a run's time went, per tracker: ``python arena/LaSOT/timer.py [--results-dir DIR] [--trackers ...]``.

Reads the per-sequence entries of every run record (``run_info.json`` and the shards'
``run_info.shard-*.json``, :func:`arena.runner.recorded_sequences`) under a benchmark's results folder and
prints one line per tracker: sequences, frames, seconds building steps (networks load in the first sequence
of each process), milliseconds per frame reading frames, tracking (base tracker) and refining, initialising
a sequence, and the fps of tracker + refiner. Upstream's ``arena/LaSOT/timer.py`` was a context manager
printing the seconds of a hand-marked block; the runner now records these components for every sequence.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Dict, List, Optional

from arena.runner import recorded_sequences, run_records

COLUMNS = ('tracker', 'seqs', 'frames', 'build s', 'read ms', 'init ms', 'track ms', 'refine ms', 'fps')


def tracker_timing(out_dir: str) -> Optional[Dict[str, float]]:
    """Totals over the recorded sequences of one run folder (None when it has no records)."""
    entries = list(recorded_sequences(out_dir).values())
    if not entries:
        return None
    frames = sum(e['frames'] for e in entries)
    later = sum(e['frames'] - 1 for e in entries)  # frames 2..N (tracked and refined)
    total = {k: sum(e.get(k, 0.0) for e in entries) for k in ('build_s', 'read_s', 'init_s', 'base_s', 'refine_s')}
    per_frame = lambda s: 1000 * s / later if later else float('nan')  # noqa: E731
    return {'seqs': len(entries), 'frames': frames, 'build s': total['build_s'],
            'read ms': 1000 * total['read_s'] / frames, 'init ms': 1000 * total['init_s'] / len(entries),
            'track ms': per_frame(total['base_s']), 'refine ms': per_frame(total['refine_s']),
            'fps': later / (total['base_s'] + total['refine_s']) if total['base_s'] + total['refine_s'] > 0
            else float('nan')}


def run_folders(results_dir: str) -> List[str]:
    """Tracker names (relative, '/'-joined) of the folders under `results_dir` that hold run records."""
    found = []
    for folder, _, _ in os.walk(results_dir):
        if run_records(folder):
            found.append(os.path.relpath(folder, results_dir).replace(os.sep, '/'))
    return sorted(found)


def timing_table(results_dir: str, trackers: Optional[List[str]] = None) -> str:
    """The table of :func:`tracker_timing` for `trackers` (default: every run folder under `results_dir`)."""
    names = trackers or run_folders(results_dir)
    rows = []
    for name in names:
        t = tracker_timing(os.path.join(results_dir, *name.split('/')))
        if t is not None:
            rows.append([name, str(t['seqs']), str(t['frames'])] +
                        [f"{t[c]:.1f}" for c in COLUMNS[3:]])
    if not rows:
        raise ValueError(f"no run records (run_info*.json) under {results_dir}")
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    line = lambda cells: ' | '.join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                                    for i, (c, w) in enumerate(zip(cells, widths)))
    return '\n'.join([line(COLUMNS), '-+-'.join('-' * w for w in widths)] + [line(r) for r in rows])


def run(argv: Optional[List[str]], benchmark: str, defaults: Any) -> int:
    """The ``timer.py`` command: prints the table; errors are one line on stderr, status 1."""
    p = argparse.ArgumentParser(description=f'Per-component timing of the {benchmark} arena runs.')
    p.add_argument('--results-dir', '--results_dir', dest='results_dir', default=None,
                   help=f'folder holding the tracker folders (default: <save_dir>/{benchmark}, else '
                        f'<save_dir>/Synthetic-{benchmark})')
    p.add_argument('--trackers', nargs='+', default=None, help='tracker names (default: every run found)')
    args = p.parse_args(argv)
    results_dir = args.results_dir
    if results_dir is None:
        results_dir = os.path.join(defaults.save_dir, benchmark)
        if not os.path.isdir(results_dir):
            results_dir = os.path.join(defaults.save_dir, f'Synthetic-{benchmark}')
    try:
        print(timing_table(results_dir, args.trackers))
    except (ValueError, OSError) as e:
        print(f"{os.path.basename(sys.argv[0])}: error: {e}", file=sys.stderr)
        return 1
    return 0
