"""RT-MDNet speed: fps of RT-MDNet alone and with Alpha-Refine (random weights) on a synthetic set.

Runs ``rtmdnet_default`` and ``rtmdnet_default`` + refiner through the arena runner
(``arena.runner.run_arena``, the code of ``arena/LaSOT/run_RTMDNet[_RF].py``) on a synthetic LaSOT-layout
test split, into a temporary folder. RT-MDNet has random conv weights (no model file needed: the cost
per frame does not depend on the weights) and upstream's options unless reduced with the flags; the
refiner is the SEcm_synthetic architecture with random weights. Prints per run: frames, fps from the
runner's per-frame timers (frame 1 = initial training excluded), the first-frame (initialisation)
seconds per sequence, and the ratio base / base+refiner.

    .venv/bin/python benchmarks/rtmdnet_fps.py [--sequences 2] [--frames 20] [--size 320x240] [--threads 1]
        [--device cpu|cuda] [--replicate-num 100] [--maxiter-init 50]
"""
from __future__ import annotations

import argparse
import tempfile
import time

import torch

from arena.paths import RF_TYPE
from arena.runner import load_arena_benchmark, load_refiner, result_name, run_arena
from ltr.dataset.synthetic import ensure_synthetic_benchmark
from RT_MDNet.options import parameters
from RT_MDNet.tracker import RTMDNet


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sequences', type=int, default=2)
    p.add_argument('--frames', type=int, default=20)
    p.add_argument('--size', default='320x240', help='WxH')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=1, help='torch threads (arena default 1)')
    p.add_argument('--device', default='cpu')
    p.add_argument('--replicate-num', type=int, default=None, help='first-frame extra crops (upstream 100)')
    p.add_argument('--maxiter-init', type=int, default=None, help='initial training iterations (upstream 50)')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    size = tuple(int(v) for v in args.size.lower().split('x'))
    root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=args.sequences, frames=args.frames,
                                      size=size, seed=args.seed, progress=False)
    bench = load_arena_benchmark('LaSOT', synthetic_root=root)
    overrides = {'device': args.device}
    if args.replicate_num is not None:
        overrides['replicate_num'] = args.replicate_num
    if args.maxiter_init is not None:
        overrides['maxiter_init'] = args.maxiter_init
    params = parameters(**overrides)
    from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
    torch.manual_seed(0)
    net = SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], unfreeze_layer3=True, input_sz=128)
    refiner = load_refiner(net, device=args.device)

    def make() -> RTMDNet:
        return RTMDNet(params.copy())

    device = torch.cuda.get_device_name() if args.device.startswith('cuda') else 'CPU'
    print(f"{bench.name}: {len(bench.sequences)} sequences x {args.frames} frames at {size[0]}x{size[1]}, "
          f"torch threads {torch.get_num_threads()}, {device}; RT-MDNet random weights, changed options: "
          f"{params.changed() or 'none'}; refiner: SEcm_synthetic architecture, random weights")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, refiner_for in ((result_name('rtmdnet', 'default'), None),
                                  (result_name('rtmdnet', 'default', RF_TYPE, 0), lambda seq: refiner)):
            start = time.perf_counter()
            s = run_arena(bench, tmp, name, make, refiner_for, {}, progress=False, log=lambda text: None)
            wall = time.perf_counter() - start
            frames = s.counts.frames - len(s.ran)
            init = (wall - s.base_time - s.refine_time) / len(s.ran)  # includes frame decoding
            rows.append((name, frames, s.fps, init, 1000 * s.base_time / frames, 1000 * s.refine_time / frames))
    print(f"{'run':<60} {'frames':>6} {'fps':>7} {'init s/seq':>11} {'base ms':>8} {'refiner ms':>11}")
    for name, frames, fps, init, base_ms, ref_ms in rows:
        print(f"{name:<60} {frames:>6} {fps:>7.2f} {init:>11.1f} {base_ms:>8.1f} {ref_ms:>11.1f}")
    print(f"fps ratio base / base+refiner: {rows[0][2] / rows[1][2]:.2f}x")


if __name__ == '__main__':
    main()
