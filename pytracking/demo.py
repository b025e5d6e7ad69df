"""``make demo``: the refiner on the embedded synthetic benchmark.

Renders two frames of a synthetic test video, initialises the refiner on the first frame's
ground truth and refines a deliberately wrong box (shifted, wrong scale and aspect) on a later
frame; prints the boxes and their IoU with the ground truth. The refiner is, in order: the
official checkpoint when present, the latest checkpoint of the synthetic training recipe
(``python ltr/run_training.py SEx_beta SEcm_synthetic``), else an untrained network (said so).
"""
from __future__ import annotations

import argparse
import os
from typing import List, Optional, Tuple

import numpy as np
import torch

from ltr.admin.cli import run_cli
from ltr.admin.environment import env_settings
from ltr.admin.loading import latest_checkpoint
from ltr.data.bounding_box_utils import iou_xywh
from ltr.dataset.synthetic.datasets import SyntheticTrackingOnTheFly
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet34
from pytracking.refine_modules.refine_module import RefineModule

OFFICIAL = os.path.join('checkpoints', 'ltr', 'SEx_beta', 'SEcm_r34', 'SEcmnet_ep0040-c.pth.tar')
SYNTHETIC_DIR = os.path.join('checkpoints', 'ltr', 'SEx_beta', 'SEcm_synthetic')


def pick_refiner(workspace_dir: str) -> Tuple[object, str]:
    """The refiner to demonstrate and a line saying which one it is."""
    official = os.path.join(workspace_dir, OFFICIAL)
    if os.path.isfile(official):
        return official, f"refiner: official AR34c+m ({official})"
    trained = latest_checkpoint(os.path.join(workspace_dir, SYNTHETIC_DIR))
    if trained:
        return trained, f"refiner: synthetic-trained ({trained})"
    torch.manual_seed(0)
    net = SEcm_resnet34(backbone_pretrained=False, used_layers=['layer3'], pool_size=8, unfreeze_layer3=True)
    return net, ("refiner: UNTRAINED SEcm_r34 (random weights; place the official checkpoint at "
                 f"{official} or train one with: python ltr/run_training.py SEx_beta SEcm_synthetic)")


def wrong_box(gt: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A base-tracker-like box: centre shifted by up to 15% and width/height scaled independently."""
    x, y, w, h = gt
    cx = x + w / 2 + rng.uniform(-0.15, 0.15) * w
    cy = y + h / 2 + rng.uniform(-0.15, 0.15) * h
    w2, h2 = w * rng.uniform(0.7, 1.4), h * rng.uniform(0.7, 1.4)
    return np.array([cx - w2 / 2, cy - h2 / 2, w2, h2])


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description='Refine a wrong box on a synthetic frame pair.')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--pairs', type=int, default=5, help='number of frame pairs (videos) to refine')
    args = parser.parse_args(argv)

    refiner_source, line = pick_refiner(env_settings().workspace_dir)
    print(line)
    refiner = RefineModule(refiner_source, device='cpu')
    data = SyntheticTrackingOnTheFly(num_sequences=args.pairs, frames=60, size=(640, 480), seed=args.seed, split='test')
    rng = np.random.default_rng(args.seed)
    print(f"{'video':>5} | {'ground truth (x, y, w, h)':>28} | {'input box':>28} | {'refined box':>28} | IoU in -> out")
    gains = []
    for seq in range(args.pairs):
        frames, anno, _ = data.get_frames(seq, [0, 30])
        gt0, gt1 = anno['bbox'][0].double().numpy(), anno['bbox'][1].double().numpy()
        if not (anno['visible'][0] and anno['visible'][1]):
            continue
        refiner.initialize(frames[0], gt0)
        box_in = wrong_box(gt1, rng)
        box_out = refiner.refine(frames[1], box_in, mode='corner')
        iou_in, iou_out = float(iou_xywh(box_in, gt1)), float(iou_xywh(box_out, gt1))
        gains.append(iou_out - iou_in)
        fmt = lambda b: '(' + ', '.join(f'{v:6.1f}' for v in b) + ')'
        note = '  (refined box degenerate: input kept)' if np.array_equal(box_in, box_out) else ''
        print(f"{seq:>5} | {fmt(gt1):>28} | {fmt(box_in):>28} | {fmt(box_out):>28} | {iou_in:.3f} -> {iou_out:.3f}{note}")
    if gains:
        print(f"mean IoU change: {np.mean(gains):+.3f} over {len(gains)} frame pairs")
    return 0


if __name__ == '__main__':
    run_cli(main)
