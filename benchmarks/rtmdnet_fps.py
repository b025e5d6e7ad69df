"""RT-MDNet speed: fps of RT-MDNet alone and with Alpha-Refine (random weights) on a synthetic set.

Runs ``rtmdnet_default`` and ``rtmdnet_default`` + refiner through the arena runner
(``arena.runner.run_arena``, the code of ``arena/LaSOT/run_RTMDNet[_RF].py``) on a synthetic LaSOT-layout
test split, into a temporary folder. RT-MDNet has random conv weights (no model file needed: the cost
per frame does not depend on the weights) and upstream's options unless reduced with the flags; the
refiner is the demo refiner architecture (SEcm_efficientnet_lite0) with random weights. Prints per run: frames, fps from the
runner's per-frame timers (frame 1 = initial training excluded), the first-frame (initialisation)
seconds per sequence, and the ratio base / base+refiner.

    .venv/bin/python benchmarks/rtmdnet_fps.py [--sequences 2] [--frames 20] [--size 320x240] [--threads 1]
        [--device cpu|cuda] [--replicate-num 100] [--maxiter-init 50]
"""
from __future__ import annotations

import argparse
import tempfile

import torch

from arena.runner import load_refiner
from fps_common import add_run_args, parse_size, run_base_and_refined, setup_line, synthetic_lasot, untrained_refiner_net
from RT_MDNet.options import parameters
from RT_MDNet.tracker import RTMDNet


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_args(p, sequences=2, frames=20, size='320x240', threads=1, device='cpu', checkpoint_help=None)
    p.add_argument('--replicate-num', type=int, default=None, help='first-frame extra crops (upstream 100)')
    p.add_argument('--maxiter-init', type=int, default=None, help='initial training iterations (upstream 50)')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = parse_size(args.size)
    bench = synthetic_lasot(args.sequences, args.frames, size, args.seed)
    overrides = {'device': args.device}
    if args.replicate_num is not None:
        overrides['replicate_num'] = args.replicate_num
    if args.maxiter_init is not None:
        overrides['maxiter_init'] = args.maxiter_init
    params = parameters(**overrides)
    refiner = load_refiner(untrained_refiner_net(), device=args.device)

    def make() -> RTMDNet:
        return RTMDNet(params.copy())

    device = torch.cuda.get_device_name() if args.device.startswith('cuda') else 'CPU'
    print(setup_line(bench, args.frames, size, f"{device}; RT-MDNet random weights, changed options: "
                                                f"{params.changed() or 'none'}; refiner: SEcm_efficientnet_lite0 "
                                                f"architecture, random weights"))
    with tempfile.TemporaryDirectory() as tmp:
        runs = run_base_and_refined(bench, tmp, 'rtmdnet', 'default', make, refiner)
    print(f"{'run':<60} {'frames':>6} {'fps':>7} {'init s/seq':>11} {'base ms':>8} {'refiner ms':>11}")
    for r in runs:
        # init s/seq includes frame decoding
        print(f"{r.name:<60} {r.frames:>6} {r.fps:>7.2f} {r.init_s_per_sequence:>11.1f} {r.base_ms:>8.1f} "
              f"{r.refine_ms:>11.1f}")
    print(f"fps ratio base / base+refiner: {runs[0].fps / runs[1].fps:.2f}x")


if __name__ == '__main__':
    main()
