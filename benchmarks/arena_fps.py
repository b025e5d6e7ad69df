"""Arena speed: fps of the base tracker alone and with Alpha-Refine, and the refiner's share of the frame time.

Runs ``kcf_default`` and ``kcf_default`` + refiner through the arena runner (``arena.runner.run_arena``,
the same code as ``arena/LaSOT/run_kcf[_RF].py``) on a synthetic LaSOT-layout test split, into a
temporary folder, and prints per run: frames, fps from the runner's per-frame timers (tracker and
refiner calls, frame decoding excluded, frame 1 excluded), the wall-clock fps including decoding, and
for the refined run the refiner's share of the tracked frame time. The refiner is the one the arena
would use (``--checkpoint`` or the lookup of ``pytracking.evaluation.refiner_source``), else the
demo refiner architecture (SEcm_efficientnet_lite0) with random weights (same cost per frame).

    .venv/bin/python benchmarks/arena_fps.py [--sequences 4] [--frames 100] [--size 640x480] [--threads 1]
"""
from __future__ import annotations

import argparse
import tempfile

import torch

from fps_common import add_run_args, arena_refiner, parse_size, run_base_and_refined, setup_line, synthetic_lasot
from pytracking.parameter import load_parameters
from pytracking.tracker import load_tracker_class


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_args(p, sequences=4, frames=100, size='640x480', threads=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = parse_size(args.size)
    bench = synthetic_lasot(args.sequences, args.frames, size, args.seed)
    refiner, line = arena_refiner(args.checkpoint, 'cpu')
    make = lambda: load_tracker_class('kcf')(load_parameters('kcf', 'default'))  # noqa: E731

    print(setup_line(bench, args.frames, size, 'CPU'))
    print(line)
    with tempfile.TemporaryDirectory() as tmp:
        runs = run_base_and_refined(bench, tmp, 'kcf', 'default', make, refiner)
    print(f"{'run':<58} {'frames':>6} {'fps':>8} {'wall fps':>9} {'refiner share':>14}")
    for r in runs:
        print(f"{r.name:<58} {r.frames:>6} {r.fps:>8.1f} {r.wall_fps:>9.1f} {100 * r.refiner_share:>13.1f}%")
    base, refined = runs
    print(f"fps ratio base / base+refiner: {base.fps / refined.fps:.2f}x; per frame: base alone {base.base_ms:.1f} ms, "
          f"in the refined run base {refined.base_ms:.1f} ms + refiner {refined.refine_ms:.1f} ms "
          f"(the base tracker's cost follows the box size the refiner feeds back)")


if __name__ == '__main__':
    main()
