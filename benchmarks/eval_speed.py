"""Evaluator speed on a LaSOT-shaped annotation set (280 sequences, ~685k frames, no images).

Prints seconds per tracker for our evaluator (results read + official-convention metrics; the
ground truth is read once for all trackers and timed separately) and, in the same run, for the
``got10k`` package's equivalent per-sequence computation (``np.loadtxt`` of the result and of the
ground truth, as its experiments do for every tracker, then ``rect_iou``/``center_error`` and
``ExperimentOTB._calc_curves``).

    .venv/bin/python benchmarks/eval_speed.py [--sequences 280] [--frames 685000] [--trackers 2] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np
from tqdm import tqdm

from ltr.data.annotations import write_boxes, write_flags
from pytracking.analysis.metrics import evaluate_sequences
from pytracking.analysis.results import read_tracker_results
from pytracking.evaluation.lasotdataset import lasot_dataset


def make_set(root: str, nseq: int, total: int, ntrk: int, seed: int = 0):
    """LaSOT-layout annotations and float result files (6 decimals) for `ntrk` trackers."""
    rng = np.random.default_rng(seed)
    lengths = rng.multinomial(total - 1000 * nseq, np.ones(nseq) / nseq) + 1000
    names = []
    for k, n in enumerate(tqdm(lengths, desc='generating', leave=False)):
        name = f'cls{k // 4}-{k % 4 + 1}'
        d = os.path.join(root, 'lasot', name.rsplit('-', 1)[0], name)
        gt = np.column_stack([rng.uniform(1, 600, (n, 2)), rng.uniform(10, 200, (n, 2))]).round(0)
        write_boxes(os.path.join(d, 'groundtruth.txt'), gt, decimals=0)
        write_flags(os.path.join(d, 'full_occlusion.txt'), (rng.random(n) < 0.05).astype(int))
        write_flags(os.path.join(d, 'out_of_view.txt'), (rng.random(n) < 0.05).astype(int))
        for t in range(ntrk):
            pred = gt + rng.normal(0, 5, gt.shape)
            write_boxes(os.path.join(root, 'results', f'tracker{t}', name + '.txt'), pred, decimals=6)
        names.append(name)
    with open(os.path.join(root, 'lasot', 'testing_set.txt'), 'w') as f:
        f.write('\n'.join(names) + '\n')
    return names


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


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--sequences', type=int, default=280)
    p.add_argument('--frames', type=int, default=685000)
    p.add_argument('--trackers', type=int, default=2)
    p.add_argument('--repeats', type=int, default=3)
    args = p.parse_args(argv)
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
