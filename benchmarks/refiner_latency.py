"""Per-frame latency of the refiner against the floor (DESIGN.md section 7), measured in one process.

    .venv/bin/python benchmarks/refiner_latency.py [--frames 30] [--warmup 5] [--threads 2] [--device cpu]
                                                   [--repeat 3] [--offline-frames 64]

Batch 1, SEcm_r34 with random weights (non-trivial BatchNorm statistics), 256x256 crops of generated
640x360 frames, median of ``--frames`` frames after ``--warmup``:
(a) the floor: torchvision ResNet-34 ``conv1..layer3``, eval, ``torch.inference_mode``, NCHW float32;
(b) plain eager ``refine(mode='corner')`` (``fast=False``, upstream-style); (c) fast PyTorch
``refine(mode='corner')`` (``backend='torch'``); (d) fast PyTorch ``refine(mode='mask')``; (e) ONNX Runtime
``refine(mode='corner')`` and ``refine(mode='mask')`` when onnxruntime is installed; (f) the demo refiner
(``SEcm_efficientnet_lite0`` with ``corner_stride=8`` at ``--lite-size``, 128 as shipped) with the default
backend, corner and mask. Each variant is timed in its own block (its
warm-up frames, then the timed frames), so one runtime's idle threads still spinning after a call
(OpenMP's busy-wait in torch) do not slow the next variant's call, as they did when the variants were
interleaved frame by frame; each is printed in ms and as a ratio to (a). ``--repeat R`` repeats the
whole measurement (all blocks again: load from other processes then hits every variant) and prints
the median ratios.
Targets (CPU): the default backend's corner step <= 0.75 x (a), its mask step <= 1.0 x (a), the demo
refiner's corner step <= 0.35 x (a); the default
(``backend='auto'``) is ONNX Runtime, (e), when onnxruntime is installed, else the fast torch path, (c)/(d).
Then offline refinement throughput (``refine_batch``, crops included) in frames/s at batch 16 vs batch 1
(CPU, both backends) or batch 64 vs 1 (CUDA). On CUDA it also prints refine steps/s and the
corner error of float16/bfloat16 against float32 in px.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Callable, Dict, List

import numpy as np
import torch
import torchvision
from tqdm import tqdm

from ltr.models.SEx_beta.SEcm_lite0 import SEcm_efficientnet_lite0
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet34
from pytracking.refine_modules.onnx_backend import onnxruntime_available
from pytracking.refine_modules.refine_module import RefineModule, resolve_backend

FRAME_H, FRAME_W = 360, 640


def secm_r34() -> torch.nn.Module:
    """SEcm_r34 (official recipe) with random weights and random BatchNorm statistics, eval mode."""
    torch.manual_seed(0)
    return random_batchnorms(SEcm_resnet34(backbone_pretrained=False, used_layers=['layer3'], pool_size=8,
                                           unfreeze_layer3=True))


def secm_lite0(input_sz: int) -> torch.nn.Module:
    """The demo refiner's architecture with random weights and random BatchNorm statistics, eval mode."""
    torch.manual_seed(0)
    return random_batchnorms(SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=input_sz, corner_stride=8))


def random_batchnorms(net: torch.nn.Module) -> torch.nn.Module:
    """`net` in eval mode with random BatchNorm running statistics."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(0.1 * torch.randn(m.num_features, generator=g))
                m.running_var.copy_(0.5 + torch.rand(m.num_features, generator=g))
    return net.eval()


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


def measure_latency(variants: Dict[str, Callable[[np.ndarray, np.ndarray], object]], frames, boxes, warmup: int,
                    device: torch.device) -> Dict[str, float]:
    """Median ms of each variant over the frames, one variant after the other (the first `warmup` untimed)."""
    result: Dict[str, float] = {}
    for name, fn in tqdm(variants.items(), desc='variants', file=sys.stderr):
        samples = [timed(lambda: fn(frames[i], boxes[i]), device) for i in range(len(frames))]
        result[name] = median_ms(samples[warmup:])
    return result


def offline_fps(refiner: RefineModule, frames, boxes, batch: int, device: torch.device) -> float:
    """Frames per second of ``refine_batch`` over all frames, `batch` at a time (crops included)."""
    refiner.refine_batch(frames[:batch], boxes[:batch])  # warm-up at this batch size
    t = timed(lambda: [refiner.refine_batch(frames[s:s + batch], boxes[s:s + batch])
                       for s in range(0, len(frames), batch)], device)
    return len(frames) / t


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=30, help='timed frames (>= 30 for reported numbers)')
    parser.add_argument('--warmup', type=int, default=5, help='untimed frames first')
    parser.add_argument('--threads', type=int, default=2, help='torch.set_num_threads (and ONNX Runtime threads)')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    parser.add_argument('--repeat', type=int, default=1, help='repeat the latency measurement; median ratios')
    parser.add_argument('--offline-frames', type=int, default=64, help='frames of the offline throughput run (0: skip)')
    parser.add_argument('--no-onnx', action='store_true', help='skip the ONNX Runtime variants')
    parser.add_argument('--lite-size', type=int, default=128, help="the demo refiner's crop size (default 128)")
    args = parser.parse_args(argv)
    if args.frames < 1 or args.warmup < 0 or args.threads < 1 or args.repeat < 1 or args.offline_frames < 0:
        print('refiner_latency: --frames, --threads, --repeat must be >= 1, --warmup, --offline-frames >= 0',
              file=sys.stderr)
        return 2
    device = torch.device(args.device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        print('refiner_latency: --device cuda requested but CUDA is not available', file=sys.stderr)
        return 2

    torch.set_num_threads(args.threads)
    net = secm_r34()
    frames, boxes = generated_sequence(args.warmup + args.frames + 1)
    refiners = {'plain': RefineModule(net, device=device, fast=False),
                'fast': RefineModule(net, device=device, backend='torch')}
    use_onnx = not args.no_onnx and device.type == 'cpu' and onnxruntime_available()
    if use_onnx:
        refiners['onnx'] = RefineModule(net, device=device, backend='onnxruntime', threads=args.threads)
    refiners['lite'] = RefineModule(secm_lite0(args.lite_size), device=device,
                                    backend='auto' if use_onnx else 'torch', threads=args.threads)
    for rf in refiners.values():
        rf.initialize(frames[0], boxes[0])
    floor = floor_network().to(device)
    floor_input = torch.randn(1, 3, 256, 256, device=device)

    def run_floor(f, b):
        with torch.inference_mode():
            floor(floor_input)

    variants: Dict[str, Callable] = {
        '(a) floor: torchvision resnet34 conv1..layer3 256x256': run_floor,
        "(b) plain eager refine(mode='corner')": lambda f, b: refiners['plain'].refine(f, b, mode='corner'),
        "(c) fast refine(mode='corner')": lambda f, b: refiners['fast'].refine(f, b, mode='corner'),
        "(d) fast refine(mode='mask')": lambda f, b: refiners['fast'].refine(f, b, mode='mask'),
    }
    if use_onnx:
        variants["(e) onnxruntime refine(mode='corner')"] = lambda f, b: refiners['onnx'].refine(f, b, mode='corner')
        variants["(e') onnxruntime refine(mode='mask')"] = lambda f, b: refiners['onnx'].refine(f, b, mode='mask')
    lite_corner = f"(f) demo refiner lite0 {args.lite_size} px, {refiners['lite'].backend}, corner"
    lite_mask = "(f') demo refiner, mask"
    variants[lite_corner] = lambda f, b: refiners['lite'].refine(f, b, mode='corner')
    variants[lite_mask] = lambda f, b: refiners['lite'].refine(f, b, mode='mask')
    runs = [measure_latency(variants, frames[1:], boxes[1:], args.warmup, device) for _ in range(args.repeat)]
    names = list(variants)
    floor_name = names[0]
    print(f"device {device} ({torch.get_num_threads()} threads), torch {torch.__version__}, {args.frames} timed frames "
          f"after {args.warmup} warm-up, batch 1, medians; {args.repeat} repeat(s), ratios = median over repeats")
    ratios = {}
    for name in names:
        ms = [r[name] for r in runs]
        ratios[name] = statistics.median(r[name] / r[floor_name] for r in runs)
        print(f"{name:55s} {statistics.median(ms):8.2f} ms   ratio {ratios[name]:.3f}   "
              f"(per repeat: {', '.join(f'{r[name] / r[floor_name]:.3f}' for r in runs)})")
    default = resolve_backend('auto', device) if use_onnx else 'torch'  # what backend='auto' picks (if timed)
    corner_tag, mask_tag = ('(e)', "(e')") if default == 'onnxruntime' else ('(c)', '(d)')
    corner = next(ratios[n] for n in names if n.startswith(corner_tag))
    mask = next(ratios[n] for n in names if n.startswith(mask_tag))
    print(f"default backend ({default}): corner step {corner:.3f} x floor (target <= 0.75), mask step {mask:.3f} "
          f"x floor (target <= 1.0)")
    print(f"demo refiner ({refiners['lite'].backend}): corner step {ratios[lite_corner]:.3f} x floor "
          f"(target <= 0.35), mask step {ratios[lite_mask]:.3f} x floor")
    if device.type == 'cuda':
        print(f"fast corner refine steps/s at batch 1: {1000.0 / statistics.median(r[names[2]] for r in runs):.0f} "
              f"(target >= 300 on an H100)")
        for precision in ('float16', 'bfloat16'):
            low = RefineModule(net, device=device, precision=precision)
            low.initialize(frames[0], boxes[0])
            err = max(np.abs(low.refine(f, b, mode='corner') - refiners['fast'].refine(f, b, mode='corner')).max()
                      for f, b in zip(frames[1:], boxes[1:]))
            print(f"{precision}: max corner difference to float32 {err:.3f} px over {len(frames) - 1} frames")

    if args.offline_frames:
        big = 64 if device.type == 'cuda' else 16
        off_frames, off_boxes = generated_sequence(args.offline_frames, seed=1)
        for name in ('fast', 'onnx'):
            if name not in refiners:
                continue
            fps1 = offline_fps(refiners[name], off_frames, np.array(off_boxes), 1, device)
            fps_big = offline_fps(refiners[name], off_frames, np.array(off_boxes), big, device)
            print(f"offline refinement ({refiners[name].backend}, refine_batch, corner, {args.offline_frames} frames): "
                  f"batch 1 {fps1:.1f} frames/s, batch {big} {fps_big:.1f} frames/s ({fps_big / fps1:.2f}x)")
    return 0


if __name__ == '__main__':
    sys.exit(main())
