"""Arena speed: fps of the base tracker alone and with Alpha-Refine, and the refiner's share of the frame time.

Runs ``kcf_default`` and ``kcf_default`` + refiner through the arena runner (``arena.runner.run_arena``,
the same code as ``arena/LaSOT/run_kcf[_RF].py``) on a synthetic LaSOT-layout test split, into a
temporary folder, and prints per run: frames, fps from the runner's per-frame timers (tracker and
refiner calls, frame decoding excluded, frame 1 excluded), the wall-clock fps including decoding, and
for the refined run the refiner's share of the tracked frame time. The refiner is the one the arena
would use (``--checkpoint`` or the lookup of ``pytracking.evaluation.refiner_source``), else the
SEcm_synthetic architecture with random weights (same cost per frame).

    .venv/bin/python benchmarks/arena_fps.py [--sequences 4] [--frames 100] [--size 640x480] [--threads 1]
"""
from __future__ import annotations

import argparse
import tempfile
import time

import torch

from arena.paths import RF_TYPE
from arena.runner import load_arena_benchmark, load_refiner, result_name, run_arena
from ltr.dataset.synthetic import ensure_synthetic_benchmark
from pytracking.evaluation.refiner_source import find_refiner
from pytracking.parameter import load_parameters
from pytracking.tracker import load_tracker_class


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sequences', type=int, default=4)
    p.add_argument('--frames', type=int, default=100)
    p.add_argument('--size', default='640x480', help='WxH')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1, help='torch threads (arena default 1)')
    p.add_argument('--checkpoint', default=None, help='refiner checkpoint (default: the arena lookup, else untrained)')
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
    make = lambda: load_tracker_class('kcf')(load_parameters('kcf', 'default'))  # noqa: E731

    print(f"{bench.name}: {len(bench.sequences)} sequences x {args.frames} frames at {size[0]}x{size[1]}, "
          f"torch threads {torch.get_num_threads()}, CPU")
    print(line)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, refiner_for in ((result_name('kcf', 'default'), None),
                                  (result_name('kcf', 'default', RF_TYPE, 0), lambda seq: refiner)):
            start = time.perf_counter()
            s = run_arena(bench, tmp, name, make, refiner_for, {}, progress=False, log=lambda text: None)
            wall = time.perf_counter() - start
            frames = s.counts.frames - len(s.ran)
            rows.append((name, frames, s.fps, frames / wall, s.refine_time / (s.base_time + s.refine_time),
                         1000 * s.base_time / frames, 1000 * s.refine_time / frames))
    print(f"{'run':<58} {'frames':>6} {'fps':>8} {'wall fps':>9} {'refiner share':>14}")
    for name, frames, fps, wall_fps, share, _, _ in rows:
        print(f"{name:<58} {frames:>6} {fps:>8.1f} {wall_fps:>9.1f} {100 * share:>13.1f}%")
    print(f"fps ratio base / base+refiner: {rows[0][2] / rows[1][2]:.2f}x; per frame: base alone {rows[0][5]:.1f} ms, "
          f"in the refined run base {rows[1][5]:.1f} ms + refiner {rows[1][6]:.1f} ms "
          f"(the base tracker's cost follows the box size the refiner feeds back)")


if __name__ == '__main__':
    main()
