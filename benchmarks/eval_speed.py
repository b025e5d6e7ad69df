"""Evaluator speed on a LaSOT-shaped annotation set (280 sequences, ~685k frames, no images).

Default mode: seconds per tracker for our evaluator (results read + official-convention metrics; the
ground truth is read once for all trackers and timed separately) and, in the same run, for the
``got10k`` package's equivalent per-sequence computation (``np.loadtxt`` of the result and of the
ground truth, as its experiments do for every tracker, then ``rect_iou``/``center_error`` and
``ExperimentOTB._calc_curves``).

``--end-to-end``: whole processes, as a user runs them, on the LaSOT test split's 280 sequence names: ours
is ``arena/LaSOT/eval.py --dataset-root ... --results-dir ...`` (reading the annotations, every tracker's
results, the official metrics, the table, and the three PNG plots; again with ``--no-plots``); theirs is a
process that imports the ``got10k`` package and runs ``ExperimentOTB.report`` over the same files (its
LaSOT dataset reader, ``np.loadtxt`` per file, its metrics, ``performance.json`` and its two PNG plots;
again with ``plot_curves`` skipped). Wall seconds of each process (start-up and imports included), median
of ``--repeats``, and the speed-ups:

    .venv/bin/python benchmarks/eval_speed.py [--sequences 280] [--frames 685000] [--trackers 2] [--repeats 3]
    .venv/bin/python benchmarks/eval_speed.py --end-to-end [--trackers 4] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from typing import List, Optional, Tuple

import numpy as np
from tqdm import tqdm

from ltr.data.annotations import write_boxes, write_flags
from pytracking.analysis.metrics import evaluate_sequences
from pytracking.analysis.results import read_tracker_results
from pytracking.evaluation.lasotdataset import lasot_dataset


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_set(root: str, nseq: int, total: int, ntrk: int, seed: int = 0, names: Optional[List[str]] = None):
    """LaSOT-layout annotations and float result files (6 decimals) for `ntrk` trackers; sequences named
    `names` (default ``cls<k>-<i>``)."""
    rng = np.random.default_rng(seed)
    lengths = rng.multinomial(total - 1000 * nseq, np.ones(nseq) / nseq) + 1000
    out = []
    for k, n in enumerate(tqdm(lengths, desc='generating', leave=False)):
        name = names[k] if names else f'cls{k // 4}-{k % 4 + 1}'
        d = os.path.join(root, 'lasot', name.rsplit('-', 1)[0], name)
        gt = np.column_stack([rng.uniform(1, 600, (n, 2)), rng.uniform(10, 200, (n, 2))]).round(0)
        write_boxes(os.path.join(d, 'groundtruth.txt'), gt, decimals=0)
        write_flags(os.path.join(d, 'full_occlusion.txt'), (rng.random(n) < 0.05).astype(int))
        write_flags(os.path.join(d, 'out_of_view.txt'), (rng.random(n) < 0.05).astype(int))
        for t in range(ntrk):
            pred = gt + rng.normal(0, 5, gt.shape)
            write_boxes(os.path.join(root, 'results', f'tracker{t}', name + '.txt'), pred, decimals=6)
        out.append(name)
    with open(os.path.join(root, 'lasot', 'testing_set.txt'), 'w') as f:
        f.write('\n'.join(out) + '\n')
    return out


def ours(root: str, seqs, tracker: str):
    """(AUC, seconds reading the result files, seconds computing the official metrics)."""
    t0 = time.perf_counter()
    preds = read_tracker_results(os.path.join(root, 'results'), tracker, seqs.names(), [len(s) for s in seqs])
    t1 = time.perf_counter()
    auc = evaluate_sequences(seqs.names(), [s.ground_truth_rect for s in seqs], preds,
                             [s.target_visible for s in seqs], 'official').auc
    return auc, t1 - t0, time.perf_counter() - t1


def got10k_way(root: str, names, tracker: str):
    from got10k.experiments.otb import ExperimentOTB
    exp = object.__new__(ExperimentOTB)  # its __init__ downloads OTB; only the metric methods are used
    exp.nbins_iou, exp.nbins_ce = 21, 51
    succ = []
    for name in names:
        d = os.path.join(root, 'lasot', name.rsplit('-', 1)[0], name)
        anno = np.loadtxt(os.path.join(d, 'groundtruth.txt'), delimiter=',')
        boxes = np.loadtxt(os.path.join(root, 'results', tracker, name + '.txt'), delimiter=',')
        ious, ce = exp._calc_metrics(boxes, anno)
        s, _ = exp._calc_curves(ious, ce)
        succ.append(s)
    return float(np.mean(succ))


# the got10k package evaluating the same files in its own process (argv: lasot root, results, reports, plots?)
GOT10K_PROCESS = r"""
import os, sys
from got10k.datasets.lasot import LaSOT
from got10k.experiments.otb import ExperimentOTB
root, results, reports, plots, trackers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == '1', sys.argv[5:]
ds = LaSOT.__new__(LaSOT)  # got10k 0.1.3's __init__ calls _check_integrity with one argument too many
import json
with open(os.path.join(os.path.dirname(sys.modules[LaSOT.__module__].__file__), 'lasot.json')) as f:
    ds.seq_names = json.load(f)['test']
ds.root_dir, ds.subset, ds.return_meta = root, 'test', False
ds.seq_dirs = [os.path.join(root, n[:n.rfind('-')], n, 'img') for n in ds.seq_names]
ds.anno_files = [os.path.join(os.path.dirname(d), 'groundtruth.txt') for d in ds.seq_dirs]
exp = ExperimentOTB.__new__(ExperimentOTB)  # its __init__ downloads OTB
exp.dataset, exp.result_dir, exp.report_dir, exp.nbins_iou, exp.nbins_ce = ds, results, reports, 21, 51
if not plots:
    exp.plot_curves = lambda names: None
perf = exp.report(trackers)
print(' '.join(f"{t}:{perf[t]['overall']['success_score']:.4f}" for t in trackers))
"""


def timed_process(cmd: List[str], repeats: int) -> Tuple[float, float]:
    """Median wall seconds and median CPU seconds (user + system, worker processes included) of `repeats`
    runs of `cmd` (each must succeed). CPU seconds move less than wall seconds on a shared machine."""
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:3])} ...: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    return statistics.median(walls), statistics.median(cpus)


def end_to_end(args: argparse.Namespace) -> int:
    """Ours (``arena/LaSOT/eval.py``) and the got10k package, each as a process, with and without plots."""
    from pytracking.evaluation.readers_common import packaged_list
    names = packaged_list('lasot_test.txt')
    with tempfile.TemporaryDirectory() as root:
        make_set(root, len(names), args.frames, args.trackers, names=names)
        lasot, results = os.path.join(root, 'lasot'), os.path.join(root, 'results')
        trackers = [f'tracker{t}' for t in range(args.trackers)]
        eval_py = [sys.executable, os.path.join(REPO, 'arena', 'LaSOT', 'eval.py'), '--dataset-root', lasot,
                   '--results-dir', results, '--plot-dir', os.path.join(root, 'plots')]
        got10k = [sys.executable, '-c', GOT10K_PROCESS, lasot, results, os.path.join(root, 'reports')]
        rows = {}
        for plots in (True, False):
            rows[('ours', plots)] = timed_process(eval_py + ([] if plots else ['--no-plots']), args.repeats)
            rows[('got10k', plots)] = timed_process(got10k + ['1' if plots else '0'] + trackers, args.repeats)
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, 'getloadavg') else ''
    print(f"set: {len(names)} LaSOT test sequences, {args.frames} frames, {args.trackers} trackers; seconds of each "
          f"process (wall, and CPU = user + system), median of {args.repeats}; {os.cpu_count()} CPUs{load}")
    for plots, label in ((True, 'with plots'), (False, 'without plots')):
        (ours, ours_cpu), (theirs, theirs_cpu) = rows[('ours', plots)], rows[('got10k', plots)]
        print(f"{label:14s}: arena/LaSOT/eval.py {ours:5.2f} s (CPU {ours_cpu:5.2f} s) | got10k ExperimentOTB.report "
              f"{theirs:5.2f} s (CPU {theirs_cpu:5.2f} s) | speed-up {theirs / ours:.1f}x (CPU {theirs_cpu / ours_cpu:.1f}x)")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sequences', type=int, default=280)
    p.add_argument('--frames', type=int, default=685000)
    p.add_argument('--trackers', type=int, default=None, help='default 2 (4 with --end-to-end)')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--end-to-end', '--end_to_end', dest='end_to_end', action='store_true',
                   help='whole processes: arena/LaSOT/eval.py against the got10k package (LaSOT test names)')
    args = p.parse_args(argv)
    if args.trackers is None:
        args.trackers = 4 if args.end_to_end else 2
    if args.end_to_end:
        return end_to_end(args)
    with tempfile.TemporaryDirectory() as root:
        names = make_set(root, args.sequences, args.frames, args.trackers)
        t0 = time.perf_counter()
        seqs = lasot_dataset(os.path.join(root, 'lasot'), 'test')
        t_gt = time.perf_counter() - t0
        nframes = sum(len(s) for s in seqs)
        trackers = [f'tracker{t}' for t in range(args.trackers)]
        ours_t, theirs_t, split = [], [], []
        for _ in range(args.repeats):
            for t in trackers:
                t0 = time.perf_counter()
                _, t_read, t_metrics = ours(root, seqs, t)
                ours_t.append(time.perf_counter() - t0)
                split.append((t_read, t_metrics))
                t0 = time.perf_counter()
                got10k_way(root, names, t)
                theirs_t.append(time.perf_counter() - t0)
        o, g = float(np.median(ours_t)), float(np.median(theirs_t))
        print(f'set: {len(seqs)} sequences, {nframes} frames, {args.trackers} trackers, '
              f'median of {len(ours_t)} runs, {os.cpu_count()} CPUs')
        print(f'ground truth + flags, read once: {t_gt:.3f} s')
        t_read, t_metrics = np.median(np.array(split), axis=0)
        print(f'ours   (results + official metrics): {o:.3f} s per tracker '
              f'(reading results {t_read:.3f} s, metrics {t_metrics:.3f} s)')
        print(f'got10k (loadtxt gt+results, rect_iou, center_error, curves): {g:.3f} s per tracker')
        print(f'speed-up: {g / o:.2f}x')
    return 0


if __name__ == '__main__':
    sys.exit(main())
