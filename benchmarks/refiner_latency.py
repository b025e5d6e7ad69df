"""Per-frame latency of the refiner against the floor (DESIGN.md section 7), measured in one process.

    .venv/bin/python benchmarks/refiner_latency.py [--frames 30] [--warmup 5] [--threads 2] [--device cpu]

Prints the median latency of ``RefineModule.refine(mode='corner')`` and ``get_mask`` (batch 1, SEcm_r34
with random weights, crops of 256x256 from generated 640x360 frames) and of the floor: torchvision's
ResNet-34 ``conv1..layer3`` in eval mode under ``torch.inference_mode``, NCHW float32, batch 1, 256x256.
The three are timed interleaved (floor, refine, mask for each frame) so that load from other
processes hits them alike. Target: refine / floor <= 1.25 on CPU.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Callable, List

import numpy as np
import torch
import torchvision
from tqdm import tqdm

from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet34
from pytracking.refine_modules.refine_module import RefineModule

FRAME_H, FRAME_W = 360, 640


def floor_network() -> torch.nn.Module:
    """torchvision ResNet-34 up to layer3 (random weights), eval mode."""
    r = torchvision.models.resnet34(weights=None)
    return torch.nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool, r.layer1, r.layer2, r.layer3).eval()


def generated_sequence(n: int, seed: int = 0):
    """`n` RGB frames of a textured target drifting over a textured background, with its boxes."""
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 256, (FRAME_H, FRAME_W, 3), dtype=np.uint8)
    target = rng.integers(0, 256, (60, 90, 3), dtype=np.uint8)
    frames, boxes = [], []
    for i in range(n):
        x, y = 200 + 3 * i % 300, 120 + 2 * i % 150
        f = background.copy()
        f[y:y + 60, x:x + 90] = target
        frames.append(f)
        boxes.append(np.array([x + rng.normal(0, 3), y + rng.normal(0, 3), 90 * rng.uniform(0.9, 1.1),
                               60 * rng.uniform(0.9, 1.1)]))
    return frames, boxes


def timed(fn: Callable[[], object], device: torch.device) -> float:
    """Seconds one call of `fn` takes (synchronising CUDA around it)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    t0 = time.perf_counter()
    fn()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    return time.perf_counter() - t0


def median_ms(samples: List[float]) -> float:
    """Median of `samples` (seconds) in milliseconds."""
    return 1000.0 * statistics.median(samples)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=30, help='timed frames (>= 30 for reported numbers)')
    parser.add_argument('--warmup', type=int, default=5, help='untimed frames first')
    parser.add_argument('--threads', type=int, default=2, help='torch.set_num_threads')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    args = parser.parse_args(argv)
    if args.frames < 1 or args.warmup < 0 or args.threads < 1:
        print('refiner_latency: --frames and --threads must be >= 1, --warmup >= 0', file=sys.stderr)
        return 2
    device = torch.device(args.device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        print('refiner_latency: --device cuda requested but CUDA is not available', file=sys.stderr)
        return 2

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    refiner = RefineModule(SEcm_resnet34(backbone_pretrained=False, used_layers=['layer3'], pool_size=8,
                                         unfreeze_layer3=True), device=device)
    floor = floor_network().to(device)
    floor_input = torch.randn(1, 3, 256, 256, device=device)
    frames, boxes = generated_sequence(args.warmup + args.frames + 1)
    refiner.initialize(frames[0], boxes[0])

    def run_floor():
        with torch.inference_mode():
            floor(floor_input)

    t_floor, t_refine, t_mask = [], [], []
    for i in tqdm(range(1, len(frames)), desc='frames', file=sys.stderr):
        f, b = frames[i], boxes[i]
        samples = (timed(run_floor, device), timed(lambda: refiner.refine(f, b, mode='corner'), device),
                   timed(lambda: refiner.get_mask(f, b), device))
        if i > args.warmup:
            t_floor.append(samples[0])
            t_refine.append(samples[1])
            t_mask.append(samples[2])

    floor_ms, refine_ms, mask_ms = median_ms(t_floor), median_ms(t_refine), median_ms(t_mask)
    print(f"device {device} ({torch.get_num_threads()} threads), torch {torch.__version__}, "
          f"{args.frames} timed frames after {args.warmup} warm-up, medians")
    print(f"floor  torchvision resnet34 conv1..layer3 256x256: {floor_ms:8.2f} ms")
    print(f"refine(mode='corner')                         : {refine_ms:8.2f} ms   ratio {refine_ms / floor_ms:.3f}")
    print(f"get_mask                                      : {mask_ms:8.2f} ms   ratio {mask_ms / floor_ms:.3f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
