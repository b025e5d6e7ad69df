"""ECO speed and accuracy on a small synthetic set (CPU): hand-crafted (``eco/hc``) and deep features
(``eco/default`` architecture with random weights), base alone and with Alpha-Refine.

Runs through the arena runner (``arena.runner.run_arena``, the code of ``arena/LaSOT/run_eco[_RF].py``)
on a synthetic LaSOT-layout test split in a temporary folder and prints per run: frames, fps from
the runner's per-frame timers (frame 1 and decoding excluded), wall-clock fps, and the success AUC
(official LaSOT convention, ``pytracking.analysis.metrics``). Random deep weights give the cost of
the real network, not its accuracy (their AUC is not meaningful). The refiner is the arena's
(``--checkpoint`` or the lookup of ``pytracking.evaluation.refiner_source``), else the SEcm_synthetic
architecture with random weights (same cost per frame; the refined AUC is then not meaningful).

    .venv/bin/python benchmarks/eco_fps.py [--sequences 3] [--frames 40] [--size 320x240] [--threads 1] [--no-deep]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import torch

from arena.paths import RF_TYPE
from arena.runner import load_arena_benchmark, load_refiner, result_name, run_arena
from ltr.data.annotations import read_boxes
from ltr.dataset.synthetic import ensure_synthetic_benchmark
from pytracking.analysis.metrics import evaluate_sequences
from pytracking.evaluation.refiner_source import find_refiner
from pytracking.parameter.eco import default as eco_default
from pytracking.parameter.eco import hc as eco_hc
from pytracking.tracker.eco import ECO


def make_hc() -> ECO:
    return ECO(eco_hc.parameters())


def make_deep_random() -> ECO:
    p = eco_default.parameters()
    p.features.features[0].random_weights = True
    p.device = 'cpu'
    return ECO(p)


def success_auc(bench, out_dir: str) -> float:
    """Official-convention success AUC of the result files in `out_dir` over the benchmark's sequences."""
    names, gts, preds = [], [], []
    for seq in bench.sequences:
        names.append(seq.name)
        gts.append(seq.ground_truth_rect)
        preds.append(read_boxes(os.path.join(out_dir, f'{seq.name}.txt')))
    return evaluate_sequences(names, gts, preds, [None] * len(names)).auc


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sequences', type=int, default=3)
    p.add_argument('--frames', type=int, default=40)
    p.add_argument('--size', default='320x240', help='WxH')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1, help='torch threads (arena default 1)')
    p.add_argument('--checkpoint', default=None, help='refiner checkpoint (default: the arena lookup, else untrained)')
    p.add_argument('--no-deep', '--no_deep', action='store_true', help='skip the deep-feature runs')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = tuple(int(v) for v in args.size.lower().split('x'))
    root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=args.sequences, frames=args.frames,
                                      size=size, seed=args.seed, progress=False)
    bench = load_arena_benchmark('LaSOT', synthetic_root=root)

    path, line = find_refiner(args.checkpoint)
    if path is None:
        from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
        torch.manual_seed(0)
        path = SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], unfreeze_layer3=True, input_sz=128)
        line = 'refiner: SEcm_synthetic architecture, random weights (no checkpoint found; same cost per frame)'
    refiner = load_refiner(path, device='cpu')

    configs = [('hc', make_hc)] + ([] if args.no_deep else [('default', make_deep_random)])
    print(f"{bench.name}: {len(bench.sequences)} sequences x {args.frames} frames at {size[0]}x{size[1]}, "
          f"torch threads {torch.get_num_threads()}, CPU")
    print(line)
    print(f"{'run':<52} {'frames':>6} {'fps':>7} {'wall fps':>9} {'AUC':>6}")
    fps = {}
    with tempfile.TemporaryDirectory() as tmp:
        for param, make in configs:
            for refined in (False, True):
                name = result_name('eco', param, RF_TYPE, 0) if refined else result_name('eco', param)
                start = time.perf_counter()
                s = run_arena(bench, tmp, name, make, (lambda seq: refiner) if refined else None, {},
                              progress=False, log=lambda text: None)
                wall = time.perf_counter() - start
                frames = s.counts.frames - len(s.ran)
                auc = success_auc(bench, s.out_dir)
                fps[(param, refined)] = s.fps
                label = f"{name}{' (random weights)' if param == 'default' else ''}"
                print(f"{label:<52} {frames:>6} {s.fps:>7.2f} {frames / wall:>9.2f} {100 * auc:>6.1f}")
    for param, _ in configs:
        print(f"eco/{param}: fps ratio base / base+refiner {fps[(param, False)] / fps[(param, True)]:.2f}x")


if __name__ == '__main__':
    main()
