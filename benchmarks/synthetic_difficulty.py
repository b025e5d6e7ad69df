"""How hard is the synthetic benchmark? Two trivial baselines scored with the official LaSOT success AUC.

- ``static``: the box stays at the first-frame box;
- ``centre-oracle``: the ground-truth centre with the first-frame size (isolates the scale and
  aspect error, i.e. what a box refiner can fix).

Targets (issue 4): static AUC < 0.25, centre-oracle AUC < 0.70, absent frames <= 5 %.

The ground truth is computed in memory from the generator (identical to the files it writes; see
tests/ltr/dataset/test_synthetic.py), or read from a generated tree with ``--tree``. AUC: the
official LaSOT-toolkit convention of ``pytracking.analysis.metrics`` (21 thresholds 0:0.05:1,
absent frames removed from the numerator, full length as the denominator).

    python benchmarks/synthetic_difficulty.py [--num-sequences 20 --frames 300 --size 640x480 --seed 0]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import List, Tuple

import numpy as np
from tqdm import tqdm

from ltr.data.annotations import list_file, read_boxes, read_flags
from ltr.dataset.synthetic import annotate_sequence, parse_size, plan_sequence, read_manifest
from ltr.dataset.synthetic.__main__ import parse_knobs
from pytracking.analysis.metrics import evaluate_sequences

TARGETS = {'static': 0.25, 'centre-oracle': 0.70, 'absent': 0.05}


def static_boxes(gt: np.ndarray) -> np.ndarray:
    """Every frame predicted as the first-frame box."""
    return np.repeat(gt[:1], len(gt), axis=0)


def centre_oracle_boxes(gt: np.ndarray, visible: np.ndarray) -> np.ndarray:
    """Ground-truth centre with the first-frame size (the last visible centre on absent frames)."""
    w0, h0 = gt[0, 2], gt[0, 3]
    centres = gt[:, :2] + gt[:, 2:] / 2
    last = centres[0]
    out = np.empty_like(gt)
    for t in range(len(gt)):
        if visible[t]:
            last = centres[t]
        out[t] = (last[0] - w0 / 2, last[1] - h0 / 2, w0, h0)
    return out


def ground_truth_in_memory(args) -> Tuple[List[str], List[np.ndarray], List[np.ndarray]]:
    cfg = parse_knobs(args.set)
    w, h = parse_size(args.size)
    names, gts, vis = [], [], []
    for i in tqdm(range(args.num_sequences), desc='annotating', unit='seq'):
        anno = annotate_sequence(plan_sequence(cfg, args.seed, 'test', i, w, h, args.frames))
        names.append(f"synthetic-test-{i}")
        gts.append(anno.boxes)
        vis.append(~anno.absent)
    return names, gts, vis


def ground_truth_from_tree(root: str) -> Tuple[List[str], List[np.ndarray], List[np.ndarray]]:
    manifest = read_manifest(root)
    if manifest is None:
        raise FileNotFoundError(f"{root}: no synthetic manifest")
    names, gts, vis = [], [], []
    if manifest['layout'] == 'got10k':
        split = 'test' if 'test' in manifest['splits'] else sorted(manifest['splits'])[0]
        for name in list_file(os.path.join(root, split, 'list.txt')):
            seq = os.path.join(root, split, name)
            names.append(name)
            gts.append(read_boxes(os.path.join(seq, 'groundtruth.txt')))
            vis.append(read_flags(os.path.join(seq, 'absence.label')) == 0)
    else:
        for name in list_file(os.path.join(root, 'testing_set.txt')):
            seq = os.path.join(root, name[:name.rfind('-')], name)
            names.append(name)
            gts.append(read_boxes(os.path.join(seq, 'groundtruth.txt')))
            vis.append((read_flags(os.path.join(seq, 'full_occlusion.txt')) |
                        read_flags(os.path.join(seq, 'out_of_view.txt'))) == 0)
    return names, gts, vis


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--num-sequences', type=int, default=20)
    p.add_argument('--frames', type=int, default=300)
    p.add_argument('--size', default='640x480')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--set', action='append', default=[], metavar='KNOB=VALUE', help='difficulty knob override')
    p.add_argument('--tree', default=None, help='read the ground truth of a generated tree instead')
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        names, gts, vis = ground_truth_from_tree(args.tree) if args.tree else ground_truth_in_memory(args)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    auc = {
        'static': evaluate_sequences(names, gts, [static_boxes(g) for g in gts], vis, 'official').auc,
        'centre-oracle': evaluate_sequences(names, gts, [centre_oracle_boxes(g, v) for g, v in zip(gts, vis)],
                                            vis, 'official').auc,
    }
    frames = sum(len(g) for g in gts)
    absent = 1.0 - sum(int(v.sum()) for v in vis) / frames
    source = f"tree {args.tree}" if args.tree else \
        f"{args.num_sequences} seq x {args.frames} frames at {args.size}, seed {args.seed}, test split, in memory"
    print(f"synthetic difficulty ({source}; convention: official LaSOT success AUC)")
    print(f"{'measure':<16}{'value':>8}{'target':>10}{'ok':>5}")
    for key, value in (('static', auc['static']), ('centre-oracle', auc['centre-oracle']), ('absent', absent)):
        op = '<' if key != 'absent' else '<='
        ok = value < TARGETS[key] if key != 'absent' else value <= TARGETS[key]
        print(f"{key:<16}{value:>8.3f}{op:>5}{TARGETS[key]:>5.2f}{'yes' if ok else 'NO':>5}")
    print(f"frames: {frames}, absent: {frames - sum(int(v.sum()) for v in vis)}, time {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == '__main__':
    sys.exit(main())
