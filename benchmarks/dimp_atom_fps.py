"""DiMP-family and ATOM speed: fps of each base tracker alone and with Alpha-Refine, random weights, synthetic set.

For each chosen parameter set (``dimp18``, ``dimp50``, ``prdimp18``, ``prdimp50``, ``super_dimp`` of
``pytracking/tracker/dimp`` and ``atom`` = ``atom/default``) the network is built by its real constructor
with the official constructor arguments (``spec/checkpoints/<name>.json``, ``backbone_pretrained=False``,
random weights: the same cost per frame as the official file, meaningless boxes). The tracker keeps the
upstream parameter values (search-region size, augmentation, optimiser iterations, IoU-Net steps). Each is
run through the arena runner (``arena.runner.run_arena``, the code of ``arena/LaSOT/run_dimp[_RF].py`` and
``run_atom[_RF].py``) on a synthetic LaSOT-layout test split in a temporary folder, once alone and once
with the refiner: the product's SEcm ResNet-34 (``SEcm_resnet34(used_layers=['layer3'], pool_size=8,
unfreeze_layer3=True)``, input 256) with random weights, or ``--checkpoint``. Frame 1 of every sequence
(initialisation) and frame decoding are excluded from fps (the runner's per-frame timers); one warm-up
initialisation + track per tracker (and one refinement) runs before the timed runs.

Random weights give random score maps, and the score decides the code path of a frame: 'not_found'
skips the IoU-Net refinement and the online update, a hard negative optimises the filter at once. With
``--path normal`` (default) the thresholds are overridden (``target_not_found_threshold`` -inf,
``distractor_threshold`` and ``hard_negative_threshold`` +inf) so every frame takes the path a trained
tracker takes on a frame where it sees its target clearly: classifier, IoU-Net refinement every frame,
filter update every ``train_skipping`` frames. ``--path upstream`` keeps the file's thresholds and lets
the random scores decide. Either way the table's last column counts the flags the tracker reported.

The floor of DESIGN.md section 7 (torchvision ResNet-34 ``conv1..layer3``, 256x256, median of 30 runs,
``benchmarks/refiner_latency.floor_network``) is measured in the same process before and after the
tracker runs; the base tracker's frame time is also printed as a multiple of it, which moves less than
absolute times when the machine is shared.

    .venv/bin/python benchmarks/dimp_atom_fps.py [--sequences 2] [--frames 20] [--size 320x240] \
        [--trackers dimp18,dimp50,prdimp18,prdimp50,super_dimp,atom] [--threads 2] [--device cpu] [--path normal]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from typing import Any, Callable, Dict, List, Tuple

import torch

from arena.runner import load_refiner
from fps_common import add_run_args, parse_size, run_base_and_refined, setup_line, synthetic_lasot

# Official constructor arguments (spec/checkpoints/*.json 'upstream_constructor'), backbone weights not loaded.
_DIMP_KW = dict(filter_size=4, backbone_pretrained=False, optim_iter=5, clf_feat_norm=True, final_conv=True,
                optim_init_step=0.9, optim_init_reg=0.1, init_gauss_sigma=0.9, num_dist_bins=100,
                bin_displacement=0.1, mask_init_factor=3.0, target_mask_act='sigmoid', score_act='relu')
_PRDIMP_KW = dict(filter_size=4, backbone_pretrained=False, optim_iter=5, clf_feat_norm=True, final_conv=True,
                  optim_init_step=1.0, optim_init_reg=0.05, optim_min_reg=0.05, gauss_sigma=0.9, alpha_eps=0.05,
                  normalize_label=True, init_initializer='zero')
_R50 = dict(clf_feat_blocks=0, out_feature_dim=512)
# name -> (tracker package, parameter set, constructor name in ltr.models, constructor kwargs)
NETWORKS: Dict[str, Tuple[str, str, str, Dict[str, Any]]] = {
    'dimp18': ('dimp', 'dimp18', 'tracking.dimpnet.dimpnet18', _DIMP_KW),
    'dimp50': ('dimp', 'dimp50', 'tracking.dimpnet.dimpnet50', dict(_DIMP_KW, **_R50)),
    'prdimp18': ('dimp', 'prdimp18', 'tracking.dimpnet.klcedimpnet18', _PRDIMP_KW),
    'prdimp50': ('dimp', 'prdimp50', 'tracking.dimpnet.klcedimpnet50', dict(_PRDIMP_KW, **_R50)),
    'super_dimp': ('dimp', 'super_dimp', 'tracking.dimpnet.dimpnet50',
                   dict(_DIMP_KW, **_R50, init_gauss_sigma=0.25 / 6 * 22,
                        frozen_backbone_layers=['conv1', 'bn1', 'layer1', 'layer2'])),
    'atom': ('atom', 'default', 'bbreg.atom.atom_resnet18', dict(backbone_pretrained=False)),
}


def build_network(name: str, seed: int = 0) -> torch.nn.Module:
    """The random-weight network of parameter set `name`, built by its real constructor (eval mode)."""
    import importlib
    module, fun = NETWORKS[name][2].rsplit('.', 1)
    torch.manual_seed(seed)
    return getattr(importlib.import_module(f'ltr.models.{module}'), fun)(**NETWORKS[name][3]).eval()


# --path normal: every frame is a confident 'found' frame (see the module docstring)
NORMAL_PATH = dict(target_not_found_threshold=float('-inf'), distractor_threshold=float('inf'),
                   hard_negative_threshold=float('inf'))


class FlagCounter:
    """A tracker wrapper that counts the localisation flag of every tracked frame into `counts`
    (DiMP returns it as ``'flag'``; ATOM keeps it in ``debug_info``, None meaning normal)."""

    def __init__(self, tracker: Any, counts: Counter) -> None:
        self.tracker, self.counts = tracker, counts

    def initialize(self, image: Any, info: Dict[str, Any]) -> Any:
        return self.tracker.initialize(image, info)

    def track(self, image: Any) -> Dict[str, Any]:
        out = self.tracker.track(image)
        flag = out.get('flag', getattr(self.tracker, 'debug_info', {}).get('flag'))
        self.counts[flag or 'normal'] += 1
        return out

    def set_target_box(self, box: Any) -> None:
        self.tracker.set_target_box(box)


def tracker_maker(name: str, net: torch.nn.Module, device: str, normal_path: bool,
                  counts: Counter) -> Callable[[], Any]:
    """A factory of fresh trackers of parameter set `name` (upstream values; :data:`NORMAL_PATH` when
    `normal_path`) on the ready network `net`, counting their flags into `counts`."""
    from pytracking.parameter import load_parameters
    from pytracking.tracker import load_tracker_class
    tracker, param = NETWORKS[name][:2]
    params = load_parameters(tracker, param)
    if tracker == 'dimp':
        from pytracking.features.net_wrappers import NetWithBackbone
        params.update(net=NetWithBackbone(net=net), device=device)
    else:
        params.update(net=net, device=device)
    if normal_path:
        params.update(**NORMAL_PATH)
    cls = load_tracker_class(tracker)
    return lambda: FlagCounter(cls(params.copy()), counts)


def warm_up(make: Callable[[], Any], refiner: Any, seq: Any) -> None:
    """One initialisation and one tracked (and refined) frame, so lazy set-up is not timed."""
    from ltr.data.image_loader import default_image_loader
    frames = [default_image_loader(f) for f in seq.frames[:2]]
    box = [float(v) for v in seq.ground_truth_rect[0]]
    tracker = make()
    tracker.initialize(frames[0], {'init_bbox': box})
    out = tracker.track(frames[1])['target_bbox']
    refiner.initialize(frames[0], box)
    refiner.refine(frames[1], out)


def floor_ms(device: str, runs: int = 30) -> float:
    """Median ms of the floor (DESIGN.md 7) over `runs` calls after 3 warm-up calls, batch 1, 256x256."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from refiner_latency import floor_network
    net, x = floor_network().to(device), torch.randn(1, 3, 256, 256, device=device)
    times = []
    with torch.inference_mode():
        for i in range(runs + 3):
            if device.startswith('cuda'):
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            net(x)
            if device.startswith('cuda'):
                torch.cuda.synchronize()
            if i >= 3:
                times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def parse_names(text: str) -> List[str]:
    """Comma/space separated parameter-set names, checked against :data:`NETWORKS`."""
    names = [n for n in text.replace(',', ' ').split() if n]
    unknown = [n for n in names if n not in NETWORKS]
    if unknown or not names:
        raise ValueError(f"--trackers: unknown {', '.join(unknown) or '(none given)'}; "
                         f"choose from {', '.join(NETWORKS)}")
    return names


def main(argv: List[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_args(p, sequences=2, frames=20, size='320x240', threads=2, threads_help='torch threads', device='cpu',
                 device_help="torch device of trackers and refiner ('cpu' or 'cuda')",
                 checkpoint_help='refiner checkpoint (default: SEcm ResNet-34, random weights)')
    p.add_argument('--trackers', default=','.join(NETWORKS), help=f"comma separated, of: {', '.join(NETWORKS)}")
    p.add_argument('--path', choices=('normal', 'upstream'), default='normal',
                   help="normal: every frame takes the confident-frame path; upstream: the file's thresholds decide")
    args = p.parse_args(argv)
    try:
        names = parse_names(args.trackers)
        size = parse_size(args.size)
        if len(size) != 2 or min(size) < 64:
            raise ValueError
    except ValueError as e:
        print(f"dimp_atom_fps: {e}" if str(e) else f"dimp_atom_fps: --size must be WxH (>= 64), got {args.size!r}",
              file=sys.stderr)
        return 2
    if args.frames < 3 or args.sequences < 1:
        print("dimp_atom_fps: need --frames >= 3 and --sequences >= 1", file=sys.stderr)
        return 2
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        print("dimp_atom_fps: --device cuda asked for, but torch sees no CUDA device", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)

    bench = synthetic_lasot(args.sequences, args.frames, size, args.seed)
    if args.checkpoint is None:
        from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet34
        torch.manual_seed(0)
        source = SEcm_resnet34(backbone_pretrained=False, used_layers=['layer3'], pool_size=8, unfreeze_layer3=True,
                               input_sz=256)
        line = 'refiner: SEcm ResNet-34 (AR34c+m architecture, input 256), random weights'
    else:
        source, line = args.checkpoint, f'refiner: {args.checkpoint}'
    refiner = load_refiner(source, device=args.device)

    print(setup_line(bench, args.frames, size, f'device {args.device}'))
    print("random network weights: boxes are meaningless, only speed is measured "
          "(frame 1 and frame decoding excluded; upstream search-region sizes and iterations)")
    print("code path: " + ("every frame forced to the confident 'normal' path (IoU-Net each frame, filter update "
                           "every train_skipping frames)" if args.path == 'normal' else
                           "upstream thresholds on random scores (flags counted in the last column)"))
    print(line)
    floor_before = floor_ms(args.device)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            tracker, param = NETWORKS[name][:2]
            counts: Counter = Counter()
            make = tracker_maker(name, build_network(name, args.seed), args.device, args.path == 'normal', counts)
            warm_up(make, refiner, bench.sequences[0])
            counts.clear()
            base, refd = run_base_and_refined(bench, tmp, tracker, param, make, refiner)
            flags = ' '.join(f'{k}:{v}' for k, v in sorted(counts.items()))
            rows.append((tracker, param, base.fps, refd.fps, base.wall_fps, refd.wall_fps, refd.base_ms,
                         refd.refine_ms, flags))
    floor_after = floor_ms(args.device)
    floor = (floor_before + floor_after) / 2
    print(f"floor (torchvision ResNet-34 conv1..layer3, 256x256, median of 30): {floor_before:.1f} ms before, "
          f"{floor_after:.1f} ms after the runs")
    print(f"{'tracker':<8} {'param':<11} {'fps base':>9} {'fps base+AR':>12} {'wall base':>10} {'wall +AR':>9} "
          f"{'base x floor':>12} {'base ms':>8} {'AR ms':>7} {'AR share':>9} {'ratio':>6}  flags (both runs)")
    for tracker, param, fb, fr, wb, wr, bms, rms, flags in rows:
        print(f"{tracker:<8} {param:<11} {fb:>9.2f} {fr:>12.2f} {wb:>10.2f} {wr:>9.2f} {1000 / fb / floor:>12.2f} "
              f"{bms:>8.1f} {rms:>7.1f} {100 * rms / (bms + rms):>8.1f}% {fb / fr:>5.2f}x  {flags}")
    print("fps: tracked frames / runner-timed seconds (tracker + refiner calls); wall: tracked frames / whole run "
          "(initialisation and frame decoding included); base x floor: base-alone frame time / mean floor; base ms / AR ms: per tracked frame in the refined run; "
          "AR share: the refiner's share of the refined run's timed frame time; ratio: fps base / fps base+AR")
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
