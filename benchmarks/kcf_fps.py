"""KCF speed (and, for context, accuracy) on a generated 640 x 480 sequence, on one core.

A textured target moves on a smooth path over a textured background. Prints the frames per second of
our KCF (``pytracking/tracker/kcf``, default parameters) and, in the same run on the same frames, of
OpenCV's ``TrackerMIL`` (C++, the weights-free tracker shipped with opencv-python) as the baseline,
plus mean centre error and mean IoU of both. OpenCV is limited to one thread; numpy's FFT is
single-threaded.

    .venv/bin/python benchmarks/kcf_fps.py [--frames 150] [--size 640x480] [--seed 0]
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Callable, List, Tuple

import cv2
import numpy as np
from tqdm import tqdm

from ltr.data.bounding_box_utils import iou_xywh
from pytracking.parameter.kcf.default import parameters
from pytracking.tracker.kcf import KCF


def _texture(rng: np.random.Generator, h: int, w: int, grain: int, contrast: float) -> np.ndarray:
    coarse = rng.uniform(128 - contrast, 128 + contrast, size=(max(2, h // grain), max(2, w // grain), 3))
    smooth = cv2.resize(coarse.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(smooth + rng.normal(0, 0.1 * contrast, size=(h, w, 3)), 0, 255).astype(np.uint8)


def make_sequence(num_frames: int, width: int, height: int, seed: int) -> Tuple[List[np.ndarray], np.ndarray]:
    """RGB frames and xywh ground truth: an 80 x 60 textured target on a Lissajous path over a dull background."""
    rng = np.random.default_rng(seed)
    background = _texture(rng, height, width, grain=24, contrast=50)
    tw, th = 80, 60
    target = _texture(rng, th, tw, grain=10, contrast=127)
    t = np.arange(num_frames)
    xs = np.round((width - tw) / 2 + 0.35 * (width - tw) * np.sin(2 * np.pi * t / 200)).astype(int)
    ys = np.round((height - th) / 2 + 0.35 * (height - th) * np.sin(2 * np.pi * t / 130)).astype(int)
    frames = []
    for x, y in zip(xs, ys):
        f = background.copy()
        f[y:y + th, x:x + tw] = target
        frames.append(f)
    return frames, np.column_stack([xs, ys, np.full(num_frames, tw), np.full(num_frames, th)]).astype(np.float64)


def run_kcf(frames: List[np.ndarray], init_box: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Boxes and per-frame seconds (frame 0 = initialisation) of our KCF."""
    tracker = KCF(parameters())
    return _timed(frames, lambda f: tracker.initialize(f, {'init_bbox': init_box}),
                  lambda f: tracker.track(f)['target_bbox'], init_box, 'KCF')


def run_mil(frames: List[np.ndarray], init_box: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Boxes and per-frame seconds of OpenCV's TrackerMIL (BGR input, integer boxes)."""
    tracker = cv2.TrackerMIL_create()

    def step(f: np.ndarray) -> List[float]:
        ok, box = tracker.update(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        return [float(v) for v in box]

    return _timed(frames, lambda f: tracker.init(cv2.cvtColor(f, cv2.COLOR_RGB2BGR),
                                                 tuple(int(round(v)) for v in init_box)),
                  step, init_box, 'MIL')


def _timed(frames: List[np.ndarray], init: Callable, step: Callable, init_box: np.ndarray,
           name: str) -> Tuple[np.ndarray, np.ndarray]:
    times = np.zeros(len(frames))
    boxes = [np.asarray(init_box, dtype=np.float64)]
    t0 = time.perf_counter()
    init(frames[0])
    times[0] = time.perf_counter() - t0
    for i, f in enumerate(tqdm(frames[1:], desc=name, leave=False), start=1):
        t0 = time.perf_counter()
        boxes.append(np.asarray(step(f), dtype=np.float64))
        times[i] = time.perf_counter() - t0
    return np.stack(boxes), times


def summary(name: str, boxes: np.ndarray, times: np.ndarray, gt: np.ndarray) -> Tuple[float, str]:
    """(median fps, one table line) over the tracked frames (initialisation excluded)."""
    fps_median = 1.0 / float(np.median(times[1:]))
    fps_mean = (len(times) - 1) / float(times[1:].sum())
    err = np.linalg.norm(boxes[:, :2] + boxes[:, 2:] / 2 - gt[:, :2] - gt[:, 2:] / 2, axis=1)[1:]
    iou = iou_xywh(boxes[1:], gt[1:])
    return fps_median, (f"{name:<10} {fps_median:9.1f} {fps_mean:9.1f} {1e3 * times[0]:8.2f} "
                        f"{err.mean():10.2f} {float(np.mean(iou)):8.3f}")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=150)
    parser.add_argument('--size', default='640x480', help='WIDTHxHEIGHT')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    try:
        width, height = (int(v) for v in args.size.lower().split('x'))
    except ValueError:
        print(f"kcf_fps: --size must be WIDTHxHEIGHT, got {args.size!r}", file=sys.stderr)
        return 2
    if args.frames < 3 or width < 120 or height < 100:
        print("kcf_fps: need --frames >= 3 and a frame of at least 120x100", file=sys.stderr)
        return 2
    cv2.setNumThreads(1)
    frames, gt = make_sequence(args.frames, width, height, args.seed)
    run_kcf(frames[:5], gt[0])                 # warm-up (imports, caches)
    kcf_fps, kcf_line = summary('KCF (ours)', *run_kcf(frames, gt[0]), gt)
    mil_fps, mil_line = summary('cv2 MIL', *run_mil(frames, gt[0]), gt)
    print(f"{args.frames} frames {width}x{height}, one thread; fps over tracked frames (init excluded)")
    print(f"{'tracker':<10} {'fps(med)':>9} {'fps(mean)':>9} {'init ms':>8} {'centre err':>10} {'mean IoU':>8}")
    print(kcf_line)
    print(mil_line)
    print(f"KCF / MIL speed ratio (median fps): {kcf_fps / mil_fps:.2f}")
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
