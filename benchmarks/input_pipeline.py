"""Input-pipeline throughput: samples/s of the SEcm training data path on synthetic data.

Pipeline: SEMaskSampler -> SEMaskProcessing (recipe jitter, 2.0 x 256 crops of frames and masks,
ToGrayscale(0.05), ToTensorAndJitter(0.2), Normalize) -> LTRLoader(stack_dim=1), measured with 0
and 2 workers. Data: a small synthetic tree in the GOT-10k layout (frames, ground truth, masks),
read with the synthetic dataset class when available, else with the GOT-10k reader.

    .venv/bin/python benchmarks/input_pipeline.py [--batches 12] [--batch-size 8]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import cv2


def build_dataset(root: str, sequences: int, frames: int, size):
    """Generate the tree once and return (dataset, description)."""
    from ltr.dataset.synthetic import generate_tree
    generate_tree(root, layout='got10k', split='train', num_sequences=sequences, frames=frames, size=size,
                  seed=0, progress=False)
    try:
        from ltr.dataset.synthetic import SyntheticTracking
        return SyntheticTracking(root, split='train'), 'SyntheticTracking'
    except Exception as e:  # the synthetic class is still in progress: read the same tree with our reader
        from ltr.dataset import Got10k
        split_root = os.path.join(root, 'train') if os.path.isfile(os.path.join(root, 'train', 'list.txt')) else root
        print(f"(SyntheticTracking unavailable: {e}; using the GOT-10k reader)")
        return Got10k(split_root, cache_dir=os.path.join(root, 'cache')), 'Got10k reader'


def make_loader(dataset, batch_size: int, num_workers: int, samples: int):
    from ltr.data.loader import LTRLoader
    from ltr.data.processing import SEMaskProcessing
    from ltr.data.sampler import SEMaskSampler
    from ltr.data.transforms import recipe_transforms
    joint, train, _ = recipe_transforms()
    processing = SEMaskProcessing(2.0, 256, {'train': 0, 'test': 0.25}, {'train': 0, 'test': 0.25},
                                  mode='sequence', transform=train, joint_transform=joint)
    sampler = SEMaskSampler([dataset], [1], samples_per_epoch=samples, max_gap=50, processing=processing, seed=0)
    return LTRLoader('train', sampler, batch_size=batch_size, num_workers=num_workers, stack_dim=1,
                     drop_last=True, seed=0)


def measure(dataset, batch_size: int, num_workers: int, batches: int, warmup: int = 2) -> float:
    """Samples per second over `batches` batches after `warmup` batches (worker start-up excluded)."""
    loader = make_loader(dataset, batch_size, num_workers, batch_size * (batches + warmup))
    it = iter(loader)
    for _ in range(warmup):
        next(it)
    t0 = time.perf_counter()
    n = 0
    for batch in it:
        n += batch['test_images'].shape[1]
    return n / (time.perf_counter() - t0)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batches', type=int, default=12)
    p.add_argument('--batch-size', '--batch_size', type=int, default=8)
    p.add_argument('--sequences', type=int, default=4)
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
            results[workers] = measure(dataset, args.batch_size, workers, args.batches)
            print(f"workers={workers}: {results[workers]:.1f} samples/s "
                  f"(batch {args.batch_size}, {args.batches} batches after 2 warm-up batches)")
        print(f"ratio workers=2 / workers=0: {results[2] / results[0]:.2f}; target >= 150 samples/s")
    return 0


if __name__ == '__main__':
    sys.exit(main())
