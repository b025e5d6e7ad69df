"""Speed of the synthetic benchmark: writing a tree, and on-the-fly training pairs on one core.

1. Generation: N sequences x F frames at WxH (JPEG frames + PNG masks + annotation files) with a
   pool of `--workers` processes into a temporary folder (removed afterwards). Target (issue 4):
   20 x 300 at 640x480 in <= 60 s on 2 cores.
2. On-the-fly pairs (``SyntheticTrackingOnTheFly.sample_pair``, template + search crops rendered
   at crop resolution), one process with OpenCV limited to 1 thread: ``warm`` = 32 sequences
   whose plans stay cached (a training run reusing its sequences), ``cold`` = a new sequence for
   every pair (plan and textures made each time). Target: >= 100 pairs/s per core.

    python benchmarks/synthetic_speed.py [--num-sequences 20 --frames 300 --size 640x480 --workers 2]

Wall-clock rates depend on the machine's load (printed); CPU-second rates (time this process, or
the pool, spent on a core) are the per-core numbers.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from typing import Tuple

import cv2

from ltr.dataset.synthetic import SyntheticTrackingOnTheFly, generate_tree, parse_size


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_generation(num_sequences: int, frames: int, size, workers: int, seed: int) -> Tuple[float, float]:
    """Wall and CPU seconds to write a LaSOT-layout tree (temporary folder, removed afterwards)."""
    tmp = tempfile.mkdtemp(prefix='synthetic_speed_')
    try:
        t0, c0 = time.perf_counter(), _cpu_seconds()
        generate_tree(os.path.join(tmp, 'tree'), 'lasot', 'test', num_sequences, frames, size, seed,
                      workers=workers, progress=True)
        return time.perf_counter() - t0, _cpu_seconds() - c0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def pairs_per_second(ds: SyntheticTrackingOnTheFly, n: int, output_sz: int, warmup: int = 0) -> Tuple[float, float]:
    """Pairs per wall-clock second and per CPU second of this process (= per core) of ``ds.sample_pair``."""
    for i in range(warmup):
        ds.sample_pair(i, output_sz=output_sz)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(warmup, warmup + n):
        ds.sample_pair(i, output_sz=output_sz)
    return n / (time.perf_counter() - t0), n / (time.process_time() - c0)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--num-sequences', type=int, default=20)
    p.add_argument('--frames', type=int, default=300)
    p.add_argument('--size', default='640x480')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--pairs', type=int, default=300, help='pairs timed per on-the-fly case')
    p.add_argument('--output-sz', type=int, default=256, help='side of the template and search crops')
    p.add_argument('--skip-generation', action='store_true')
    args = p.parse_args(argv)
    size = parse_size(args.size)
    print(f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")

    if not args.skip_generation:
        sec, cpu = time_generation(args.num_sequences, args.frames, size, args.workers, args.seed)
        n = args.num_sequences * args.frames
        print(f"generation: {args.num_sequences} seq x {args.frames} frames at {size[0]}x{size[1]}, "
              f"{args.workers} workers: {sec:.1f} s wall, {n / sec:.1f} frames/s (target <= 60 s); "
              f"{cpu:.1f} CPU s = {cpu / max(args.workers, 1):.1f} s on {args.workers} free cores; "
              f"load average after: {os.getloadavg()[0]:.2f}")

    cv2.setNumThreads(1)
    warm = SyntheticTrackingOnTheFly(num_sequences=32, frames=args.frames, size=size, seed=args.seed, cache_size=64)
    warm_wall, warm_cpu = pairs_per_second(warm, args.pairs, args.output_sz, warmup=64)
    cold = SyntheticTrackingOnTheFly(num_sequences=10 ** 6, frames=args.frames, size=size, seed=args.seed, cache_size=1)
    cold_wall, cold_cpu = pairs_per_second(cold, max(args.pairs // 2, 10), args.output_sz)
    print(f"on-the-fly pairs ({args.output_sz}x{args.output_sz} template + search, 1 OpenCV thread; "
          f"target >= 100 pairs/s per core):")
    print(f"  warm (32 cached sequences): {warm_wall:.0f} pairs/s wall, {warm_cpu:.0f} pairs per CPU second")
    print(f"  cold (new sequence every pair): {cold_wall:.0f} pairs/s wall, {cold_cpu:.0f} pairs per CPU second")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
