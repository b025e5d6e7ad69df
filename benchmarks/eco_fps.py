"""ECO speed and accuracy on a small synthetic set (CPU): hand-crafted (``eco/hc``) and deep features
(``eco/default`` architecture with random weights), base alone and with Alpha-Refine.

Runs through the arena runner (``arena.runner.run_arena``, the code of ``arena/LaSOT/run_eco[_RF].py``)
on a synthetic LaSOT-layout test split in a temporary folder and prints per run: frames, fps from
the runner's per-frame timers (frame 1 and decoding excluded), wall-clock fps, and the success AUC
(official LaSOT convention, ``pytracking.analysis.metrics``). Random deep weights give the cost of
the real network, not its accuracy (their AUC is not meaningful). The refiner is the arena's
(``--checkpoint`` or the lookup of ``pytracking.evaluation.refiner_source``), else the demo refiner
architecture (SEcm_efficientnet_lite0) with random weights (same cost per frame; the refined AUC is then not meaningful).

    .venv/bin/python benchmarks/eco_fps.py [--sequences 3] [--frames 40] [--size 320x240] [--threads 1] [--no-deep]
"""
from __future__ import annotations

import argparse
import os
import tempfile

import torch

from fps_common import add_run_args, arena_refiner, parse_size, run_base_and_refined, setup_line, synthetic_lasot
from ltr.data.annotations import read_boxes
from pytracking.analysis.metrics import evaluate_sequences
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
    add_run_args(p, sequences=3, frames=40, size='320x240', threads=1)
    p.add_argument('--no-deep', '--no_deep', action='store_true', help='skip the deep-feature runs')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = parse_size(args.size)
    bench = synthetic_lasot(args.sequences, args.frames, size, args.seed)
    refiner, line = arena_refiner(args.checkpoint, 'cpu')

    configs = [('hc', make_hc)] + ([] if args.no_deep else [('default', make_deep_random)])
    print(setup_line(bench, args.frames, size, 'CPU'))
    print(line)
    print(f"{'run':<52} {'frames':>6} {'fps':>7} {'wall fps':>9} {'AUC':>6}")
    fps = {}
    with tempfile.TemporaryDirectory() as tmp:
        for param, make in configs:
            runs = run_base_and_refined(bench, tmp, 'eco', param, make, refiner)
            for refined, r in zip((False, True), runs):
                fps[(param, refined)] = r.fps
                label = f"{r.name}{' (random weights)' if param == 'default' else ''}"
                print(f"{label:<52} {r.frames:>6} {r.fps:>7.2f} {r.wall_fps:>9.2f} "
                      f"{100 * success_auc(bench, r.out_dir):>6.1f}")
    for param, _ in configs:
        print(f"eco/{param}: fps ratio base / base+refiner {fps[(param, False)] / fps[(param, True)]:.2f}x")


if __name__ == '__main__':
    main()
