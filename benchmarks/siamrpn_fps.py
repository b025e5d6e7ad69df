"""SiamRPN++ speed: fps of the base tracker alone and with Alpha-Refine, random weights, on the synthetic set.

Runs ``siamrpn_<experiment>`` and ``siamrpn_<experiment>`` + refiner through the arena runner
(``arena.runner.run_arena``, the code of ``arena/LaSOT/run_siamrpn[_RF].py``) on a synthetic
LaSOT-layout test split, into a temporary folder. The network is built from the experiment's
config (default ``siamrpn_r50_l234_dwxcorr``: ResNet-50, 127/255 crops) with random weights (same cost
per frame as the official model). The refiner is the arena's (``--checkpoint`` or the lookup), else
the demo refiner architecture (SEcm_efficientnet_lite0) with random weights. Prints per run: frames, fps from the runner's
per-frame timers (frame 1 and decoding excluded), wall-clock fps, per-frame ms of base and refiner.

    .venv/bin/python benchmarks/siamrpn_fps.py [--sequences 1] [--frames 6] [--size 320x240] [--threads 2] [--device cpu]
"""
from __future__ import annotations

import argparse
import tempfile

import torch

from fps_common import add_run_args, arena_refiner, parse_size, run_base_and_refined, setup_line, synthetic_lasot
from pysot.core.config import load_config
from pysot.tracker.arena import build_model, find_config, make_tracker, parameters


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--experiment', default='siamrpn_r50_l234_dwxcorr', help='pysot experiment (its config.yaml)')
    add_run_args(p, sequences=1, frames=6, size='320x240', threads=2, threads_help='torch threads', device='cpu',
                 device_help="torch device of tracker and refiner (e.g. 'cuda')")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = parse_size(args.size)
    bench = synthetic_lasot(args.sequences, args.frames, size, args.seed)

    config = load_config(find_config(args.experiment))
    torch.manual_seed(0)
    model = build_model(config, None, args.device)
    make = lambda: make_tracker(model, config, parameters(args.experiment, device=args.device))  # noqa: E731
    refiner, line = arena_refiner(args.checkpoint, args.device, seed=None)  # weights drawn after the model's

    print(setup_line(bench, args.frames, size, f"device {args.device}; tracker {args.experiment} "
                     f"({config.BACKBONE.TYPE}, {config.TRACK.EXEMPLAR_SIZE}/{config.TRACK.INSTANCE_SIZE} px), "
                     f"random weights"))
    print(line)
    with tempfile.TemporaryDirectory() as tmp:
        runs = run_base_and_refined(bench, tmp, 'siamrpn', args.experiment, make, refiner)
    print(f"{'run':<72} {'frames':>6} {'fps':>7} {'wall fps':>9} {'base ms':>8} {'refiner ms':>11}")
    for r in runs:
        print(f"{r.name:<72} {r.frames:>6} {r.fps:>7.2f} {r.wall_fps:>9.2f} {r.base_ms:>8.1f} {r.refine_ms:>11.1f}")
    print(f"fps ratio base / base+refiner: {runs[0].fps / runs[1].fps:.2f}x")


if __name__ == '__main__':
    main()
