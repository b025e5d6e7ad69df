"""PrRoIPool (pure PyTorch) forward+backward time vs ``torchvision.ops.roi_align`` of the same shape,
in the same run; optionally the CPU-vs-CUDA agreement of PrRoIPool when a GPU is present.

Default case (issue 8): 64 boxes on a 1 x 256 x 18 x 18 feature (stride 16), 5 x 5 bins (the IoU-Net's
``prroi_pool3t`` size), float32, gradients w.r.t. the features and the boxes for PrRoIPool (w.r.t. the
features for roi_align, which has no box gradient). Median of ``--runs`` timed runs after warm-up.

    .venv/bin/python benchmarks/prroi_pool_speed.py [--boxes 64] [--channels 256] [--size 18] [--bins 5]
        [--threads 2] [--runs 50] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Callable

import torch
from torchvision.ops import roi_align

from ltr.external.PreciseRoIPooling.pytorch.prroi_pool import prroi_pool2d


def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize()


def median_ms(fn: Callable[[], None], runs: int, device: torch.device, warmup: int = 5) -> float:
    """Median wall time of `fn` in milliseconds."""
    for _ in range(warmup):
        fn()
    _sync(device)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        _sync(device)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def make_inputs(boxes: int, channels: int, size: int, stride: int, device: torch.device, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    feat = torch.randn(1, channels, size, size, generator=g).to(device)
    img = size * stride
    xy = torch.rand(boxes, 2, generator=g) * img * 0.7
    wh = 8 + torch.rand(boxes, 2, generator=g) * img * 0.5
    rois = torch.cat([torch.zeros(boxes, 1), xy, xy + wh], 1).to(device)
    return feat, rois


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--boxes', type=int, default=64)
    ap.add_argument('--channels', type=int, default=256)
    ap.add_argument('--size', type=int, default=18)
    ap.add_argument('--stride', type=int, default=16)
    ap.add_argument('--bins', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--runs', type=int, default=50)
    ap.add_argument('--device', default='cpu')
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        print('prroi_pool_speed: error: --device cuda but no GPU is available', file=sys.stderr)
        return 1
    feat, rois = make_inputs(args.boxes, args.channels, args.size, args.stride, device)
    scale = 1.0 / args.stride

    def prroi():
        f = feat.detach().requires_grad_(True)
        r = rois.detach().requires_grad_(True)
        prroi_pool2d(f, r, args.bins, args.bins, scale).sum().backward()

    def align():
        f = feat.detach().requires_grad_(True)
        roi_align(f, rois, (args.bins, args.bins), spatial_scale=scale, sampling_ratio=2, aligned=False).sum().backward()

    t_pr = median_ms(prroi, args.runs, device)
    t_ra = median_ms(align, args.runs, device)
    print(f"device {device} ({args.threads} threads), {args.boxes} boxes on 1x{args.channels}x{args.size}x{args.size}, "
          f"{args.bins}x{args.bins} bins, forward+backward, median of {args.runs}")
    print(f"PrRoIPool (pure PyTorch, feature+box grads): {t_pr:.3f} ms")
    print(f"torchvision roi_align (feature grads):       {t_ra:.3f} ms")
    print(f"ratio PrRoIPool / roi_align: {t_pr / t_ra:.2f}")

    if device.type == 'cuda':
        cpu = prroi_pool2d(feat.cpu(), rois.cpu(), args.bins, args.bins, scale)
        gpu = prroi_pool2d(feat, rois, args.bins, args.bins, scale).cpu()
        print(f"PrRoIPool CPU vs CUDA max abs difference: {(cpu - gpu).abs().max().item():.2e}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
