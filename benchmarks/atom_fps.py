"""ATOM speed on a small synthetic set (CPU, or CUDA with --device cuda): default parameters with a
random-weight ATOMnet (``atom_resnet18``), base alone and with Alpha-Refine.

Runs through the arena runner (``arena.runner.run_arena``, the code of ``arena/LaSOT/run_atom[_RF].py``)
on a synthetic LaSOT-layout test split in a temporary folder and prints per run: frames, fps from the
runner's per-frame timers (frame 1 and decoding excluded), wall-clock fps (first frames included, so
the first-frame learning is in it), and the seconds of the first frame. Random weights give the cost
of the real network, not its accuracy. The refiner is the arena's (``--checkpoint`` or the lookup of
``pytracking.evaluation.refiner_source``), else the demo refiner architecture (SEcm_efficientnet_lite0) with random weights.

    .venv/bin/python benchmarks/atom_fps.py [--sequences 2] [--frames 20] [--size 320x240] [--threads 1] [--device cpu]
"""
from __future__ import annotations

import argparse
import tempfile

import torch

from fps_common import add_run_args, arena_refiner, parse_size, run_base_and_refined, setup_line, synthetic_lasot
from ltr.models.bbreg.atom import atom_resnet18
from pytracking.parameter.atom.default import parameters
from pytracking.tracker.atom import ATOM


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_args(p, sequences=2, frames=20, size='320x240', threads=1, device='cpu')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = parse_size(args.size)
    bench = synthetic_lasot(args.sequences, args.frames, size, args.seed)
    torch.manual_seed(0)
    net = atom_resnet18(backbone_pretrained=False).eval()

    def make() -> ATOM:
        params = parameters()
        params.update(net=net, device=args.device)
        return ATOM(params)

    refiner, line = arena_refiner(args.checkpoint, args.device, seed=None)  # weights drawn after the ATOM net's

    print(setup_line(bench, args.frames, size, f'device {args.device}'))
    print(line)
    print(f"{'run':<50} {'frames':>6} {'fps':>7} {'wall fps':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        runs = run_base_and_refined(bench, tmp, 'atom', 'default', make, refiner)
    for r in runs:
        print(f"{r.name + ' (random weights)':<50} {r.frames:>6} {r.fps:>7.2f} {r.wall_fps_all_frames:>9.2f}")
    print(f"atom/default: fps ratio base / base+refiner {runs[0].fps / runs[1].fps:.2f}x")


if __name__ == '__main__':
    main()
