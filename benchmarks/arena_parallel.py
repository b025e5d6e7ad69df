"""Wall time of an arena run with 1 and with N worker processes, and their ratio (``--workers``, doc/arena.md).

KCF + the refiner (the one ``find_refiner`` picks: the official file when placed, else the shipped demo refiner)
over a generated synthetic LaSOT-layout set, through ``arena.runner.run_arena``, once with one worker (this
process) and once with ``--workers`` processes, each with ``--threads`` torch threads; the wall time includes
starting the workers and loading the refiner in each (what a user waits for). Also checks that both runs wrote
the same result files. On a machine with two free cores and one thread per worker the ratio should approach 2::

    .venv/bin/python benchmarks/arena_parallel.py [--sequences 4 --frames 60 --size 320x240 --workers 2 --threads 1]
"""
from __future__ import annotations

import argparse
import filecmp
import glob
import os
import sys
import tempfile
import time
from typing import List, Tuple

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from arena.runner import (RefinerBuilder, TrackerBuilder, load_arena_benchmark, recorded_sequences,  # noqa: E402
                          run_arena)
from pytracking.evaluation.refiner_source import find_refiner  # noqa: E402


def timed_run(bench, save_dir: str, refiner: str, workers: int, threads: int) -> Tuple[float, float]:
    """(seconds of wall time of one KCF + refiner run over `bench` with `workers` processes, seconds the
    sequences took inside their process: building the step, reading, initialising, tracking, refining)."""
    t0 = time.perf_counter()
    summary = run_arena(bench, save_dir, 'kcf_rf', TrackerBuilder('kcf', 'default'), RefinerBuilder(refiner),
                        {'refiner': refiner}, workers=workers, threads=threads, progress=False, log=lambda s: None)
    wall = time.perf_counter() - t0
    if summary.failed:
        raise RuntimeError(f"{len(summary.failed)} sequences failed: {summary.failed[0].line()}")
    inside = sum(e[k] for e in recorded_sequences(summary.out_dir).values()
                 for k in ('build_s', 'read_s', 'init_s', 'base_s', 'refine_s'))
    return wall, inside


def same_results(a: str, b: str) -> bool:
    """True when the box files of two run folders are byte-identical."""
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(a, '*.txt')) if not p.endswith('_time.txt'))
    return bool(names) and all(filecmp.cmp(os.path.join(a, n), os.path.join(b, n), shallow=False) for n in names)


def main(argv: List[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sequences', type=int, default=4)
    p.add_argument('--frames', type=int, default=60)
    p.add_argument('--size', default='320x240', help='WxH')
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--threads', type=int, default=1, help='torch threads per worker')
    args = p.parse_args(argv)
    import torch
    torch.set_num_threads(args.threads)
    refiner, line = find_refiner()
    if refiner is None:
        print(line, file=sys.stderr)
        return 1
    from ltr.dataset.synthetic import ensure_synthetic_benchmark
    load = os.getloadavg()[0]
    size = tuple(int(v) for v in args.size.lower().split('x'))
    with tempfile.TemporaryDirectory() as tmp:
        root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=args.sequences,
                                          frames=args.frames, size=size, root=os.path.join(tmp, 'tree'),
                                          progress=False)
        bench = load_arena_benchmark('LaSOT', synthetic_root=root)
        one = timed_run(bench, os.path.join(tmp, 'one'), refiner, 1, args.threads)
        many = timed_run(bench, os.path.join(tmp, 'many'), refiner, args.workers, args.threads)
        same = same_results(os.path.join(tmp, 'one', bench.name, 'kcf_rf'), os.path.join(tmp, 'many', bench.name, 'kcf_rf'))
    print(line)
    print(f"KCF + refiner, {args.sequences} sequences x {args.frames} frames at {args.size}, {args.threads} torch "
          f"thread(s) per worker, {os.cpu_count()} CPUs (1-min load average before: {load:.1f})")
    print(f"1 worker : {one[0]:7.1f} s wall, {one[1]:7.1f} s inside the sequences")
    print(f"{args.workers} workers: {many[0]:7.1f} s wall, {many[1]:7.1f} s inside the sequences (summed over workers)")
    print(f"speed-up : {one[0] / many[0]:5.2f}x wall   result files identical: {same}")
    return 0 if same else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
