"""ATOM speed on a small synthetic set (CPU, or CUDA with --device cuda): default parameters with a
random-weight ATOMnet (``atom_resnet18``), base alone and with Alpha-Refine.

Runs through the arena runner (``arena.runner.run_arena``, the code of ``arena/LaSOT/run_atom[_RF].py``)
on a synthetic LaSOT-layout test split in a temporary folder and prints per run: frames, fps from the
runner's per-frame timers (frame 1 and decoding excluded), wall-clock fps (first frames included, so
the first-frame learning is in it), and the seconds of the first frame. Random weights give the cost
of the real network, not its accuracy. The refiner is the arena's (``--checkpoint`` or the lookup of
``pytracking.evaluation.refiner_source``), else the SEcm_synthetic architecture with random weights.

    .venv/bin/python benchmarks/atom_fps.py [--sequences 2] [--frames 20] [--size 320x240] [--threads 1] [--device cpu]
"""
from __future__ import annotations

import argparse
import tempfile
import time

import torch

from arena.paths import RF_TYPE
from arena.runner import load_arena_benchmark, load_refiner, result_name, run_arena
from ltr.dataset.synthetic import ensure_synthetic_benchmark
from ltr.models.bbreg.atom import atom_resnet18
from pytracking.evaluation.refiner_source import find_refiner
from pytracking.parameter.atom.default import parameters
from pytracking.tracker.atom import ATOM


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sequences', type=int, default=2)
    p.add_argument('--frames', type=int, default=20)
    p.add_argument('--size', default='320x240', help='WxH')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1, help='torch threads (arena default 1)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--checkpoint', default=None, help='refiner checkpoint (default: the arena lookup, else untrained)')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = tuple(int(v) for v in args.size.lower().split('x'))
    root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=args.sequences, frames=args.frames,
                                      size=size, seed=args.seed, progress=False)
    bench = load_arena_benchmark('LaSOT', synthetic_root=root)
    torch.manual_seed(0)
    net = atom_resnet18(backbone_pretrained=False).eval()

    def make() -> ATOM:
        params = parameters()
        params.update(net=net, device=args.device)
        return ATOM(params)

    path, line = find_refiner(args.checkpoint)
    if path is None:
        from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
        path = SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], unfreeze_layer3=True, input_sz=128)
        line = 'refiner: SEcm_synthetic architecture, random weights (no checkpoint found; same cost per frame)'
    refiner = load_refiner(path, device=args.device)

    print(f"{bench.name}: {len(bench.sequences)} sequences x {args.frames} frames at {size[0]}x{size[1]}, "
          f"torch threads {torch.get_num_threads()}, device {args.device}")
    print(line)
    print(f"{'run':<50} {'frames':>6} {'fps':>7} {'wall fps':>9}")
    fps = {}
    with tempfile.TemporaryDirectory() as tmp:
        for refined in (False, True):
            name = result_name('atom', 'default', RF_TYPE, 0) if refined else result_name('atom', 'default')
            start = time.perf_counter()
            s = run_arena(bench, tmp, name, make, (lambda seq: refiner) if refined else None, {},
                          progress=False, log=lambda text: None)
            wall = time.perf_counter() - start
            frames = s.counts.frames - len(s.ran)
            fps[refined] = s.fps
            print(f"{name + ' (random weights)':<50} {frames:>6} {s.fps:>7.2f} {s.counts.frames / wall:>9.2f}")
    print(f"atom/default: fps ratio base / base+refiner {fps[False] / fps[True]:.2f}x")


if __name__ == '__main__':
    main()
