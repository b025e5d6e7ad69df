"""Does training make refinement worth having? Mean IoU of refined vs input boxes on held-out synthetic data.

    .venv/bin/python benchmarks/refiner_gain.py                    # the refiner the demo uses (find_refiner)
    .venv/bin/python benchmarks/refiner_gain.py --checkpoint PATH  # evaluate an existing refiner checkpoint
    .venv/bin/python benchmarks/refiner_gain.py --train            # train the demo refiner (both stages, timed), evaluate

Held-out data: a synthetic split the recipe never trains on (``--split test``, the default, for
reporting; ``--split val`` for choosing settings: never tune on the test split), at the training
frame size.
For each pair, the refiner is initialised on the ground truth of a template frame and refines a
box jittered from the ground truth of a search frame up to 50 frames away, with the training
jitter (centre 0.25, scale 0.25: ``ltr.data.processing.jittered_box``; ``--jitter 0 0`` refines the
ground-truth box itself). ``--iterations K`` refines each frame K times from its own output: a
refiner that tracks the image keeps its IoU, one that partly follows its input drifts (what happens
to its errors under a tracker's feed-back). An untrained network of
the same architecture is evaluated on the same pairs for reference. Targets (issue 17): refining the
ground-truth box (``--jitter 0 0``) >= 0.92 mean IoU; training-jitter input >= 0.85.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch
from tqdm import tqdm

from ltr.admin.loading import latest_checkpoint, load_network, recipe_checkpoint_dir
from ltr.data.bounding_box_utils import iou_xywh
from ltr.data.processing import jittered_box
from ltr.dataset.synthetic.datasets import SyntheticTrackingOnTheFly
from pytracking.evaluation.refiner_source import SYNTHETIC_RECIPE, find_refiner, train_synthetic_refiner
from pytracking.refine_modules.refine_module import RefineModule


def held_out_pairs(data: SyntheticTrackingOnTheFly, n: int, seed: int, max_gap: int = 50):
    """`n` (sequence, template frame, search frame) triples with the target visible in both frames."""
    rng = np.random.default_rng(seed)
    pairs = []
    while len(pairs) < n:
        seq = int(rng.integers(data.get_num_sequences()))
        visible = data.get_sequence_info(seq)['visible'].numpy()
        t0 = int(rng.integers(len(visible)))
        t1 = int(np.clip(t0 + rng.integers(-max_gap, max_gap + 1), 0, len(visible) - 1))
        if visible[t0] and visible[t1]:
            pairs.append((seq, t0, t1))
    return pairs


def evaluate(net: torch.nn.Module, data, pairs, seed: int, jitter=(0.25, 0.25), iterations: int = 1,
             mode: str = 'corner'):
    """Mean IoU of the jittered input boxes (centre, scale jitter factors `jitter`) and of the refined boxes
    after each of `iterations` refinements of the same frame, each starting from the previous output
    (the feed-back loop of a tracker whose target does not move): a list of `iterations` means."""
    refiner = RefineModule(net, device='cpu')
    torch.manual_seed(seed)
    iou_in, iou_out = [], []
    for seq, t0, t1 in tqdm(pairs, desc='refining', leave=False):
        frames, anno, _ = data.get_frames(seq, [t0, t1])
        gt0, gt1 = anno['bbox'][0], anno['bbox'][1].double().numpy()
        box = jittered_box(anno['bbox'][1], jitter[0], jitter[1]).double().numpy()
        refiner.initialize(frames[0], gt0.double().numpy())
        iou_in.append(float(iou_xywh(box, gt1)))
        ious = []
        for _ in range(iterations):
            box = refiner.refine(frames[1], box, mode=mode)
            ious.append(float(iou_xywh(box, gt1)))
        iou_out.append(ious)
    return float(np.mean(iou_in)), np.mean(iou_out, axis=0).tolist()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--checkpoint', default=None,
                        help='refiner checkpoint (default: what the demo uses, pytracking.evaluation.refiner_source)')
    parser.add_argument('--train', action='store_true',
                        help="train the demo refiner's recipe first (both stages; resumes)")
    parser.add_argument('--split', choices=('val', 'test'), default='test',
                        help='held-out synthetic split (default test: report only; choose settings on val)')
    parser.add_argument('--mode', choices=('corner', 'mask'), default='corner', help='refiner output (default corner)')
    parser.add_argument('--pairs', type=int, default=200)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--iterations', type=int, default=1,
                        help='refine each frame this many times, feeding the output back (prints the IoU after each)')
    parser.add_argument('--jitter', type=float, nargs=2, default=(0.25, 0.25), metavar=('CENTRE', 'SCALE'),
                        help='input box jitter (default: the training jitter 0.25 0.25; 0 0 refines the ground-truth '
                             'box itself: the refiner\'s precision ceiling)')
    args = parser.parse_args()
    if args.iterations < 1:
        print('error: --iterations must be at least 1', file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)

    if args.train:
        start = time.time()
        trainer = train_synthetic_refiner(overrides={'use_gpu': False})
        print(f"training wall time: {time.time() - start:.0f} s ({trainer.epoch} epochs)")
        args.checkpoint = latest_checkpoint(recipe_checkpoint_dir(*SYNTHETIC_RECIPE))
    path, line = find_refiner(args.checkpoint)
    if path is None:
        print(f'error: {line}', file=sys.stderr)
        return 1
    trained = load_network(path, expected_net_type='SEcmnet', backbone_pretrained=False)
    torch.manual_seed(0)
    untrained = trained.constructor.get()
    size = tuple(trained_settings_frame_size(path))
    data = SyntheticTrackingOnTheFly(num_sequences=200, frames=300, size=size, seed=0, split=args.split)
    pairs = held_out_pairs(data, args.pairs, args.seed)
    base_in, base_out = evaluate(untrained, data, pairs, args.seed, args.jitter, mode=args.mode)
    iou_in, iou_out = evaluate(trained, data, pairs, args.seed, args.jitter, args.iterations, args.mode)
    print(line)
    print(f"held-out pairs: {len(pairs)} (synthetic {args.split} split, {size[0]}x{size[1]}), input jitter centre "
          f"{args.jitter[0]:g}, scale {args.jitter[1]:g}; {args.mode} boxes")
    print(f"{'refiner':<12} | {'input mean IoU':>14} | {'refined mean IoU':>16} | {'gain':>6}")
    print(f"{'untrained':<12} | {base_in:>14.3f} | {base_out[0]:>16.3f} | {base_out[0] - base_in:+.3f}")
    target = 0.92 if args.jitter[0] == 0 and args.jitter[1] == 0 else 0.85
    print(f"{'trained':<12} | {iou_in:>14.3f} | {iou_out[0]:>16.3f} | {iou_out[0] - iou_in:+.3f}   "
          f"(target: refined >= {target:.2f} at jitter (0, 0) / (0.25, 0.25))")
    if args.iterations > 1:
        print(f"trained, refined again from its own output (same frame): mean IoU after 1..{args.iterations} "
              f"refinements {', '.join(f'{v:.3f}' for v in iou_out)}")
    return 0


def trained_settings_frame_size(path: str):
    """Frame size the checkpoint's recipe trained on (its saved settings), default 320x240."""
    from ltr.admin.loading import load_checkpoint
    settings = load_checkpoint(path).get('settings') or {}
    return settings.get('frame_size', [320, 240]) if isinstance(settings, dict) else [320, 240]


if __name__ == '__main__':
    sys.exit(main())
