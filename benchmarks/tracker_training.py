"""Training the base trackers (issue 21): input-pipeline and step speed of every recipe, the learning curve of a
training run, and tracking with the trained networks vs the same trackers with untrained networks.

    .venv/bin/python benchmarks/tracker_training.py speed [--recipes all] [--batches 3] [--batch-size 2]
    .venv/bin/python benchmarks/tracker_training.py curve dimp/dimp_synthetic        # from its checkpoints
    .venv/bin/python benchmarks/tracker_training.py track dimp/dimp_synthetic [--sequences 8 --frames 100]

``speed``: each recipe's own pipeline (its processing, sampler, loader, network, actor, optimiser groups: the
recipe's ``run`` is executed with the training call replaced by this measurement) on the synthetic benchmark's
train split in place of the real datasets (same crop sizes, frame counts and proposals). Printed per recipe:
samples/s of the input pipeline (main process, no workers) and of the training step (forward, backward, Adam)
on `--batch-size` samples, both with `--threads` torch threads; the upstream recipes run their real networks
(ResNet-18/50) with random backbone weights, the ``*_synthetic`` ones EfficientNet-Lite0.

``curve``: the train and validation losses per epoch stored in the newest checkpoint of the recipe (train with
``python ltr/run_training.py <group> <recipe> --set epochs=N`` first).

``track``: the recipe's tracker (ATOM: ``atom/default``; DiMP: ``dimp/dimp18``; PrDiMP: ``dimp/prdimp18``, with
the recipe's crop size as search area: ``image_sample_size`` = ``output_sz``) on the held-out synthetic test
split (LaSOT layout, generated on first use), once with the newest checkpoint of the recipe and once with the
untrained network (the checkpoint's constructor replayed with the ImageNet backbone and freshly initialised
heads, seed 0). Prints AUC / precision (the official LaSOT convention) and tracker fps for both.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any, Dict, List, Tuple

import numpy as np
import torch

SYNTHETIC = ('bbreg/atom_synthetic', 'dimp/dimp_synthetic', 'dimp/prdimp_synthetic')
UPSTREAM = ('bbreg/atom', 'dimp/dimp18', 'dimp/dimp50', 'dimp/prdimp18', 'dimp/prdimp50', 'dimp/super_dimp')
# recipe -> (tracker, parameter set)
TRACKERS = {'bbreg/atom_synthetic': ('atom', 'default'), 'dimp/dimp_synthetic': ('dimp', 'dimp18'),
            'dimp/prdimp_synthetic': ('dimp', 'prdimp18')}


# -- speed --------------------------------------------------------------------------------------------------------

class _Captured(Exception):
    """Raised by the stand-in training call to stop the recipe once its pipeline is built."""

    def __init__(self, settings, loaders, net, actor_factory):
        super().__init__('captured')
        self.settings, self.loaders, self.net, self.actor_factory = settings, loaders, net, actor_factory


def build_recipe(recipe: str, overrides: Dict[str, Any]):
    """Run `recipe` with `overrides` up to its training call, the real datasets replaced by the synthetic
    train split; returns ``(settings, loaders, net, actor_factory)``."""
    from ltr.run_training import run_training
    from ltr.train_settings.bbreg import _atom
    from ltr.train_settings.dimp import _dimp

    def synthetic_upstream():
        settings = type('S', (), dict(num_sequences=100000, frames=60, frame_size=[640, 480], seed=0))()
        train, _ = _atom.synthetic_datasets(settings)
        return train * 4, []  # the recipes weigh four datasets

    def capture(settings, loaders, net, actor_factory):
        raise _Captured(settings, loaders, net, actor_factory)

    saved = (_atom.upstream_datasets, _dimp.upstream_datasets, _atom.train)
    _atom.upstream_datasets = _dimp.upstream_datasets = synthetic_upstream
    _atom.train = capture
    try:
        run_training(*recipe.split('/'), overrides=overrides)
    except _Captured as c:
        return c.settings, c.loaders, c.net, c.actor_factory
    finally:
        _atom.upstream_datasets, _dimp.upstream_datasets, _atom.train = saved
    raise RuntimeError(f"{recipe} finished without reaching its training call")


def measure_speed(recipe: str, batches: int, batch_size: int) -> Tuple[float, float]:
    """(pipeline samples/s, training-step samples/s) of `recipe` (median over `batches` after one warm-up)."""
    from ltr.train_settings.bbreg._atom import parameter_groups
    overrides = dict(batch_size=batch_size, num_workers=0, samples_per_epoch=batch_size * (batches + 1),
                     val_samples_per_epoch=0, backbone_pretrained=recipe in SYNTHETIC, use_gpu=False)
    settings, loaders, net, actor_factory = build_recipe(recipe, overrides)
    loader = loaders[0]
    loader.set_epoch(1)
    it = iter(loader)
    data_times, batches_data = [], []
    for i in range(batches + 1):
        t0 = time.perf_counter()
        batches_data.append(next(it))
        if i:
            data_times.append(time.perf_counter() - t0)
    actor = actor_factory(net)
    actor.train(True)
    optimizer = torch.optim.Adam(parameter_groups(net, settings.param_groups), lr=settings.lr)
    step_times = []
    for i, data in enumerate(batches_data):
        t0 = time.perf_counter()
        loss, _ = actor(data)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if i:
            step_times.append(time.perf_counter() - t0)
    return batch_size / statistics.median(data_times), batch_size / statistics.median(step_times)


def cmd_speed(args) -> int:
    recipes = list(SYNTHETIC + UPSTREAM) if args.recipes == 'all' else args.recipes.split(',')
    torch.set_num_threads(args.threads)
    print(f"input pipeline (main process) and training step, batch {args.batch_size}, torch threads "
          f"{torch.get_num_threads()}, median of {args.batches} batches after one warm-up; load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'recipe':24s} {'pipeline samples/s':>19s} {'step samples/s':>15s}")
    for recipe in recipes:
        pipe, step = measure_speed(recipe, args.batches, args.batch_size)
        print(f"{recipe:24s} {pipe:19.2f} {step:15.2f}", flush=True)
    return 0


# -- curve ---------------------------------------------------------------------------------------------------------

def newest_checkpoint(recipe: str) -> str:
    from ltr.admin.loading import latest_checkpoint, recipe_checkpoint_dir
    folder = recipe_checkpoint_dir(*recipe.split('/'))
    path = latest_checkpoint(folder)
    if path is None:
        raise FileNotFoundError(f"no checkpoint of {recipe} in {folder}: train it first "
                                f"(python ltr/run_training.py {recipe.replace('/', ' ')})")
    return path


def cmd_curve(args) -> int:
    from ltr.admin.loading import load_checkpoint
    path = newest_checkpoint(args.recipe)
    stats = load_checkpoint(path)['stats']
    names = [n for n in stats.get('train', {}) if not n.startswith('time')]
    print(f"{args.recipe}: per-epoch losses from {path}")
    for loader in ('train', 'val'):
        for name in names:
            hist = stats.get(loader, {}).get(name, [])
            if hist:
                print(f"{loader:5s} {name:24s} " + ' '.join(f'{v:8.4f}' for v in hist))
    times = stats.get('train', {}).get('time/epoch_s', [])
    if times:
        print(f"train epoch time (s)           " + ' '.join(f'{v:8.1f}' for v in times))
    return 0


# -- track ---------------------------------------------------------------------------------------------------------

def untrained_like(net: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """The network of `net`'s constructor with the ImageNet backbone and freshly initialised heads."""
    ctor = net.constructor
    torch.manual_seed(seed)
    return ctor.get()


def make_tracker(recipe: str, net: torch.nn.Module, output_sz: int, device: str = 'cpu'):
    from pytracking.features.net_wrappers import NetWithBackbone
    from pytracking.parameter import load_parameters
    from pytracking.tracker import load_tracker_class
    tracker, param = TRACKERS[recipe]
    params = load_parameters(tracker, param)
    if tracker == 'dimp':
        params.update(net=NetWithBackbone(net=net), image_sample_size=output_sz, device=device)
    else:
        params.update(net=net, max_image_sample_size=output_sz ** 2, min_image_sample_size=output_sz ** 2,
                      device=device)
    return load_tracker_class(tracker)(params)


def track_all(recipe: str, net: torch.nn.Module, output_sz: int, sequences) -> Tuple[List[np.ndarray], float]:
    """Boxes of every sequence and the tracker's frames per second over frames 2..N."""
    from ltr.data.image_loader import default_image_loader
    all_boxes, n_frames, seconds = [], 0, 0.0
    for seq in sequences:
        tracker = make_tracker(recipe, net, output_sz)
        frames = iter(seq.frames)
        tracker.initialize(default_image_loader(next(frames)), {'init_bbox': list(map(float, seq.ground_truth_rect[0]))})
        boxes = [seq.ground_truth_rect[0]]
        for path in frames:
            image = default_image_loader(path)
            t0 = time.perf_counter()
            boxes.append(np.asarray(tracker.track(image)['target_bbox'], dtype=np.float64))
            seconds += time.perf_counter() - t0
            n_frames += 1
        all_boxes.append(np.stack(boxes))
    return all_boxes, n_frames / seconds


def cmd_track(args) -> int:
    from ltr.admin.loading import load_checkpoint, load_network
    from ltr.dataset.synthetic import ensure_synthetic_benchmark
    from pytracking.analysis.metrics import evaluate_sequences
    from pytracking.evaluation.syntheticdataset import synthetic_lasot_dataset
    if args.recipe not in TRACKERS:
        print(f"tracker_training: track knows {', '.join(TRACKERS)}", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    path = args.checkpoint or newest_checkpoint(args.recipe)
    output_sz = int(load_checkpoint(path)['settings']['output_sz'])
    trained = load_network(path).eval()
    untrained = untrained_like(trained).eval()
    root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=args.sequences, frames=args.frames,
                                      size=(640, 480), seed=0, progress=False)
    sequences = synthetic_lasot_dataset(root, 'test')
    print(f"{args.recipe}: tracker {'/'.join(TRACKERS[args.recipe])}, search area {output_sz} px, synthetic test "
          f"split {len(sequences)} x {args.frames} frames (640x480), torch threads {torch.get_num_threads()}")
    print(f"trained: {path}")
    print(f"{'network':10s} {'AUC':>6s} {'prec':>6s} {'fps':>6s}")
    for name, net in (('untrained', untrained), ('trained', trained)):
        boxes, fps = track_all(args.recipe, net, output_sz, sequences)  # trackers manage autograd themselves
        curves = evaluate_sequences([s.name for s in sequences], [s.ground_truth_rect for s in sequences], boxes,
                                    [s.target_visible for s in sequences])
        print(f"{name:10s} {100 * curves.auc:6.1f} {100 * curves.precision_score:6.1f} {fps:6.1f}", flush=True)
    return 0


def main(argv: List[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('speed', help='input pipeline and step samples/s of every recipe')
    s.add_argument('--recipes', default='all', help="comma separated group/recipe names, or 'all'")
    s.add_argument('--batches', type=int, default=3)
    s.add_argument('--batch-size', '--batch_size', type=int, default=2)
    s.add_argument('--threads', type=int, default=1)
    c = sub.add_parser('curve', help='per-epoch losses of a trained recipe')
    c.add_argument('recipe')
    t = sub.add_parser('track', help='tracking AUC with the trained vs the untrained network')
    t.add_argument('recipe')
    t.add_argument('--checkpoint', default=None)
    t.add_argument('--sequences', type=int, default=8)
    t.add_argument('--frames', type=int, default=100)
    t.add_argument('--threads', type=int, default=1)
    args = p.parse_args(argv)
    return {'speed': cmd_speed, 'curve': cmd_curve, 'track': cmd_track}[args.cmd](args)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
