"""Input-pipeline throughput: samples/s of the SEcm training data path on synthetic data.

Pipeline: SEMaskSampler -> SEMaskProcessing (recipe jitter, 2.0 x 256 crops of frames and masks,
ToGrayscale(0.05), ToTensorAndJitter(0.2) + Normalize) -> LTRLoader(stack_dim=1, batch 8), measured
with 0 and 2 workers. Data: a small synthetic tree in the GOT-10k layout (640x480 JPEG frames, PNG
masks, ground truth), read with the synthetic dataset class (SyntheticTracking).

Each case runs in steady state: persistent workers, `--warmup` batches first (worker start-up,
first reads), then `--batches` timed batches. Printed per case: samples per wall-clock second and
CPU milliseconds per sample (this process plus its workers, from /proc): on a machine shared with
other jobs the wall rate falls with the load average (printed), the CPU cost per sample does not.
Target (issue 6): >= 150 samples/s with 2 workers on 2 cores.

    .venv/bin/python benchmarks/input_pipeline.py [--batches 30] [--warmup 4] [--batch-size 8]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import List, Tuple

import cv2


def build_dataset(root: str, sequences: int, frames: int, size):
    """Generate the tree once and return (dataset, description)."""
    from ltr.dataset.synthetic import SyntheticTracking, generate_tree
    generate_tree(root, layout='got10k', split='train', num_sequences=sequences, frames=frames, size=size,
                  seed=0, progress=False)
    return SyntheticTracking(root, split='train'), 'SyntheticTracking'


def make_loader(dataset, batch_size: int, num_workers: int, samples: int, persistent: bool = False):
    """The recipe's processing, sampler and loader over `dataset` (seeded)."""
    from ltr.data.loader import LTRLoader
    from ltr.data.processing import SEMaskProcessing
    from ltr.data.sampler import SEMaskSampler
    from ltr.data.transforms import recipe_transforms
    joint, train, _ = recipe_transforms()
    processing = SEMaskProcessing(2.0, 256, {'train': 0, 'test': 0.25}, {'train': 0, 'test': 0.25},
                                  mode='sequence', transform=train, joint_transform=joint)
    sampler = SEMaskSampler([dataset], [1], samples_per_epoch=samples, max_gap=50, processing=processing, seed=0)
    return LTRLoader('train', sampler, batch_size=batch_size, num_workers=num_workers, stack_dim=1,
                     drop_last=True, seed=0, persistent_workers=persistent)


def _proc_cpu_seconds(pids: List[int]) -> float:
    """CPU seconds (user + system) used so far by the processes `pids` (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf('SC_CLK_TCK') if hasattr(os, 'sysconf') else 100
    total = 0.0
    for pid in pids:
        try:
            with open(f'/proc/{pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total


def measure(dataset, batch_size: int, num_workers: int, batches: int, warmup: int) -> Tuple[float, float]:
    """(samples per wall second, CPU ms per sample) over `batches` batches after `warmup` batches."""
    loader = make_loader(dataset, batch_size, num_workers, batch_size * (batches + warmup), persistent=True)
    it = iter(loader)
    for _ in range(warmup):
        next(it)
    workers = [w.pid for w in getattr(it, '_workers', [])]
    t0, c0, w0 = time.perf_counter(), time.process_time(), _proc_cpu_seconds(workers)
    n = 0
    for batch in it:
        n += batch['test_images'].shape[1]
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0 + _proc_cpu_seconds(workers) - w0
    del it
    return n / wall, 1000.0 * cpu / n


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batches', type=int, default=30, help='timed batches per case')
    p.add_argument('--warmup', type=int, default=4, help='untimed batches first (worker start-up)')
    p.add_argument('--batch-size', '--batch_size', type=int, default=8)
    p.add_argument('--sequences', type=int, default=6)
    p.add_argument('--frames', type=int, default=60)
    p.add_argument('--size', type=int, nargs=2, default=(640, 480), metavar=('W', 'H'))
    args = p.parse_args(argv)
    cv2.setNumThreads(0)  # as upstream's training entry point
    import torch
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        dataset, kind = build_dataset(os.path.join(tmp, 'synthetic'), args.sequences, args.frames, tuple(args.size))
        print(f"data: {kind}, {args.sequences} sequences x {args.frames} frames, {args.size[0]}x{args.size[1]} "
              f"(generated in {time.perf_counter() - t0:.1f} s); CPU cores: {os.cpu_count()}")
        results = {}
        for workers in (0, 2):
            load = os.getloadavg()[0]
            rate, cpu_ms = measure(dataset, args.batch_size, workers, args.batches, args.warmup)
            results[workers] = rate
            print(f"workers={workers}: {rate:.1f} samples/s, {cpu_ms:.2f} CPU ms/sample "
                  f"(= {1000.0 / cpu_ms:.0f} samples/s per free core; batch {args.batch_size}, {args.batches} "
                  f"batches after {args.warmup} warm-up; load average before {load:.2f})")
        print(f"ratio workers=2 / workers=0: {results[2] / results[0]:.2f}; target >= 150 samples/s with 2 workers; "
              f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
