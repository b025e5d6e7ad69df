"""SiamRPN++ speed: fps of the base tracker alone and with Alpha-Refine, random weights, on the synthetic set.

Runs ``siamrpn_<experiment>`` and ``siamrpn_<experiment>`` + refiner through the arena runner
(``arena.runner.run_arena``, the code of ``arena/LaSOT/run_siamrpn[_RF].py``) on a synthetic
LaSOT-layout test split, into a temporary folder. The network is built from the experiment's
config (default ``siamrpn_r50_l234_dwxcorr``: ResNet-50, 127/255 crops) with random weights (same cost
per frame as the official model). The refiner is the arena's (``--checkpoint`` or the lookup), else
the SEcm_synthetic architecture with random weights. Prints per run: frames, fps from the runner's
per-frame timers (frame 1 and decoding excluded), wall-clock fps, per-frame ms of base and refiner.

    .venv/bin/python benchmarks/siamrpn_fps.py [--sequences 1] [--frames 6] [--size 320x240] [--threads 2] [--device cpu]
"""
from __future__ import annotations

import argparse
import tempfile
import time

import torch

from arena.paths import RF_TYPE
from arena.runner import load_arena_benchmark, load_refiner, result_name, run_arena
from ltr.dataset.synthetic import ensure_synthetic_benchmark
from pysot.core.config import load_config
from pysot.tracker.arena import build_model, find_config, make_tracker, parameters
from pytracking.evaluation.refiner_source import find_refiner


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--experiment', default='siamrpn_r50_l234_dwxcorr', help='pysot experiment (its config.yaml)')
    p.add_argument('--sequences', type=int, default=1)
    p.add_argument('--frames', type=int, default=6)
    p.add_argument('--size', default='320x240', help='WxH')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=2, help='torch threads')
    p.add_argument('--device', default='cpu', help="torch device of tracker and refiner (e.g. 'cuda')")
    p.add_argument('--checkpoint', default=None, help='refiner checkpoint (default: the arena lookup, else untrained)')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = tuple(int(v) for v in args.size.lower().split('x'))
    root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=args.sequences, frames=args.frames,
                                      size=size, seed=args.seed, progress=False)
    bench = load_arena_benchmark('LaSOT', synthetic_root=root)

    config = load_config(find_config(args.experiment))
    torch.manual_seed(0)
    model = build_model(config, None, args.device)
    make = lambda: make_tracker(model, config, parameters(args.experiment, device=args.device))  # noqa: E731
    path, line = find_refiner(args.checkpoint)
    if path is None:
        from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
        path = SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], unfreeze_layer3=True, input_sz=128)
        line = 'refiner: SEcm_synthetic architecture, random weights (no checkpoint found; same cost per frame)'
    refiner = load_refiner(path, device=args.device)

    print(f"{bench.name}: {len(bench.sequences)} sequences x {args.frames} frames at {size[0]}x{size[1]}, "
          f"torch threads {torch.get_num_threads()}, device {args.device}; tracker {args.experiment} "
          f"({config.BACKBONE.TYPE}, {config.TRACK.EXEMPLAR_SIZE}/{config.TRACK.INSTANCE_SIZE} px), random weights")
    print(line)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, refiner_for in ((result_name('siamrpn', args.experiment), None),
                                  (result_name('siamrpn', args.experiment, RF_TYPE, 0), lambda seq: refiner)):
            start = time.perf_counter()
            s = run_arena(bench, tmp, name, make, refiner_for, {}, progress=False, log=lambda text: None)
            wall = time.perf_counter() - start
            frames = s.counts.frames - len(s.ran)
            rows.append((name, frames, s.fps, frames / wall, 1000 * s.base_time / frames, 1000 * s.refine_time / frames))
    print(f"{'run':<72} {'frames':>6} {'fps':>7} {'wall fps':>9} {'base ms':>8} {'refiner ms':>11}")
    for name, frames, fps, wall_fps, base_ms, ref_ms in rows:
        print(f"{name:<72} {frames:>6} {fps:>7.2f} {wall_fps:>9.2f} {base_ms:>8.1f} {ref_ms:>11.1f}")
    print(f"fps ratio base / base+refiner: {rows[0][2] / rows[1][2]:.2f}x")


if __name__ == '__main__':
    main()
