"""``make demo``: KCF with and without Alpha-Refine on the embedded synthetic benchmark, end to end.

1. generates the synthetic LaSOT-layout test split (cached under ``<workspace_dir>/synthetic/``);
2. gets a refiner: ``--refiner PATH``, else the official AR34c+m at the README location, else a local
   run of the demo's recipe (``--train`` / ``make demo-train`` trains ``SEx_beta/SEcm_lite0_synthetic``
   from scratch, then its second stage ``SEcm_lite0_synthetic_s8``, resumably), else the refiner shipped
   in the repository (EfficientNet-Lite0, MODEL_ZOO.md); ``--untrained`` uses random weights, for tests;
3. runs through the arena runner (refined, clipped box fed back every frame; finished sequences are
   cached): KCF, KCF + Alpha-Refine, KCF with one scale (a base tracker that never changes its box size)
   with and without Alpha-Refine, and the oracle "KCF centres with ground-truth size"; and refines KCF's
   saved results offline (``pytracking.refine_results``: nothing fed back);
4. evaluates (official LaSOT-toolkit convention), prints the table (AUC, Prec, NPrec, fps), writes the
   success/precision PNGs and one annotated demo video (MP4: ground truth, KCF, KCF + AR box and mask).

Outputs go to ``<workspace_dir>/demo/`` (or ``--out-dir``). The demo lives in ``arena`` because it is
an arena run (imports go arena -> pytracking -> ltr).
"""
from __future__ import annotations

import argparse
import os
import time
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch

from ltr.admin.cli import UserInputError, run_cli
from ltr.admin.environment import env_settings
from ltr.admin.fileio import atomic_write_text
from pytracking.evaluation.data import Sequence
from pytracking.evaluation.refiner_source import find_refiner, refiner_identity, train_synthetic_refiner

TRACKER, PARAM, FIXED_PARAM = 'kcf', 'default', 'fixed_size'
CONVENTION = 'official'
OFFLINE_SUFFIX = '_offline_RF'
KCF, KCF_AR, KCF_OFFLINE = 'KCF', 'KCF + Alpha-Refine', 'KCF refined offline (no feed-back)'
FIXED, FIXED_AR = 'KCF fixed size', 'KCF fixed size + Alpha-Refine'
ORACLE = 'KCF centres + GT size (oracle)'


def parse_size(text: str) -> Tuple[int, int]:
    """``'640x480'`` -> (640, 480)."""
    try:
        w, h = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None
    return w, h


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description='KCF vs KCF + Alpha-Refine on the synthetic benchmark (make demo).')
    p.add_argument('--sequences', type=int, default=10, help='synthetic test sequences (default 10)')
    p.add_argument('--frames', type=int, default=200, help='frames per sequence (default 200)')
    p.add_argument('--size', type=parse_size, default=(640, 480), help='frame size WxH (default 640x480)')
    p.add_argument('--seed', type=int, default=0, help='generator seed of the test split (default 0)')
    p.add_argument('--refiner', default=None, help='refiner checkpoint to use (skips the lookup)')
    p.add_argument('--train', action='store_true',
                   help='train the demo refiner locally first (SEx_beta/SEcm_lite0_synthetic from scratch, then its '
                        'second stage SEcm_lite0_synthetic_s8; resumable; '
                        'hours on a CPU), then use it (make demo-train)')
    p.add_argument('--untrained', action='store_true', help='use an untrained refiner (random weights; for tests)')
    p.add_argument('--out-dir', '--out_dir', dest='out_dir', default=None,
                   help='outputs (arena results, plots, video); default <workspace_dir>/demo')
    p.add_argument('--threads', type=int, default=1,
                   help='torch threads while tracking (default 1, as upstream arena scripts: on a busy 2-core machine '
                        'more threads made the refiner over 10x slower; 0 = torch default)')
    p.add_argument('--video-frames', '--video_frames', dest='video_frames', type=int, default=150,
                   help='frames in the demo video (0: no video; default 150)')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    return p


# -- steps -------------------------------------------------------------------------------------
def synthetic_test_split(num_sequences: int, frames: int, size: Tuple[int, int], seed: int, progress: bool) -> str:
    """Root of the cached synthetic LaSOT-layout test split (generated on first use)."""
    from ltr.dataset.synthetic import ensure_synthetic_benchmark
    workers = max(1, min(2, os.cpu_count() or 1))
    return ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=num_sequences, frames=frames,
                                      size=size, seed=seed, workers=workers, progress=progress)


def untrained_refiner() -> torch.nn.Module:
    """The demo refiner's architecture with random weights (seed 0): the pipeline without a trained refiner."""
    from ltr.models.SEx_beta.SEcm_lite0 import SEcm_efficientnet_lite0
    torch.manual_seed(0)
    return SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128, corner_stride=8)


def get_refiner(args: argparse.Namespace, workspace_dir: str) -> Tuple[Any, str, str]:
    """(checkpoint path or network, identity for the cache, line saying which refiner it is)."""
    if args.untrained:
        return (untrained_refiner(), 'untrained:SEcm_efficientnet_lite0:seed0',
                'refiner: UNTRAINED (random weights; --untrained)')
    if args.refiner:
        if not os.path.isfile(args.refiner):
            raise UserInputError(f"--refiner {args.refiner}: no such file")
        return args.refiner, refiner_identity(args.refiner), f"refiner: {args.refiner}"
    if args.train:
        train_synthetic_refiner()
    path, line = find_refiner(workspace_dir=workspace_dir)
    if path is None:
        raise UserInputError(line + " (or run the demo with --untrained)")
    return path, refiner_identity(path), line


def evaluate(bench, save_dir: str, trackers: Dict[str, str]) -> Dict[str, Any]:
    """Official-convention curves of each tracker folder (``{label: folder}``), read from the result files."""
    from pytracking.analysis.metrics import evaluate_sequences
    from pytracking.analysis.results import read_tracker_results
    seqs = bench.sequences
    results_dir = os.path.join(save_dir, bench.name)
    gts = [s.ground_truth_rect for s in seqs]
    vis = [s.target_visible for s in seqs]
    return {label: evaluate_sequences(seqs.names(), gts,
                                      read_tracker_results(results_dir, folder, seqs.names(), [len(s) for s in seqs]),
                                      vis, CONVENTION)
            for label, folder in trackers.items()}


def table(bench, curves: Dict[str, Any], fps: Dict[str, Optional[float]], frames: int) -> str:
    """The demo table: AUC, precision, normalised precision (%), fps; then the refiner's AUC gain."""
    header = ['Tracker', 'AUC', 'Prec', 'NPrec', 'fps']
    rows = [[label, f'{100 * c.auc:.1f}', f'{100 * c.precision_score:.1f}', f'{100 * c.norm_precision_score:.1f}',
             '-' if fps.get(label) is None else f'{fps[label]:.1f}'] for label, c in curves.items()]
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: ' | '.join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    title = (f"{bench.name}: {len(bench.sequences)} sequences x {frames} frames, "
             f"{CONVENTION} convention (%; fps on this machine, frame 1 excluded)")
    return '\n'.join([title, fmt(header), '-+-'.join('-' * w for w in widths)] + [fmt(r) for r in rows])


def demo_video(seq: Sequence, save_dir: str, bench_name: str, folders: Dict[str, str], refiner: Any,
               out_path: str, max_frames: int, progress: bool) -> Optional[str]:
    """An annotated MP4 of `seq` from the saved results: ground truth (white), KCF (blue), KCF + AR (green)
    with the refiner's mask (red tint). Cached: rebuilt only when older than the refined results."""
    from ltr.data.annotations import read_boxes
    from ltr.data.image_loader import default_image_loader
    from pytracking.evaluation.running import result_file
    from pytracking.run_video import VideoOut, annotate
    import cv2
    from tqdm import tqdm
    rf_file = result_file(os.path.join(save_dir, bench_name, folders['rf']), seq.name)
    base_file = result_file(os.path.join(save_dir, bench_name, folders['base']), seq.name)
    if os.path.isfile(out_path) and os.path.getmtime(out_path) >= os.path.getmtime(rf_file):
        return out_path
    rf_boxes, base_boxes = read_boxes(rf_file), read_boxes(base_file)
    n = min(len(seq), max_frames)
    has_mask = 'mask' in getattr(refiner, 'heads', ())
    video = VideoOut(out_path, 25.0)
    try:
        for t in tqdm(range(n), desc='demo video', unit='frame', disable=not progress, leave=False):
            rgb = default_image_loader(seq.frames[t])
            if t == 0 and has_mask:
                refiner.initialize(rgb, seq.ground_truth_rect[0])
            mask = None
            if has_mask and t > 0:
                from ltr.data.processing_utils import binarize_mask
                mask = binarize_mask(refiner.get_mask(rgb, rf_boxes[t]))
            bgr = annotate(rgb, rf_boxes[t], base_boxes[t], mask, f'{seq.name} frame {t + 1}: KCF (blue), '
                                                                   f'KCF+AR (green), GT (white)')
            gt = seq.ground_truth_rect[t]
            if np.all(np.isfinite(gt)) and gt[2] > 0 and gt[3] > 0:
                x, y, w, h = (int(round(v)) for v in gt)
                cv2.rectangle(bgr, (x, y), (x + w, y + h), (255, 255, 255), 1)
            video.write(bgr)
    except BaseException:
        video.close(ok=False)
        raise
    video.close()
    return out_path


# -- main --------------------------------------------------------------------------------------
def results_digest(folder: str, names: List[str]) -> str:
    """sha1 of a tracker's result files (offline refinement redoes its work when its input changed)."""
    import hashlib
    from pytracking.evaluation.running import result_file
    digest = hashlib.sha1()
    for name in names:
        with open(result_file(folder, name), 'rb') as f:
            digest.update(f.read())
    return digest.hexdigest()


def run_demo(args: argparse.Namespace) -> Dict[str, Any]:
    """Everything the module docstring lists; returns the curves, fps and written files."""
    from arena.paths import RF_TYPE
    from arena.refiners import GtSizeOracle, load_refiner
    from arena.runner import load_arena_benchmark, oracle_name, recorded_fps, result_name, run_arena
    from pytracking.analysis.plots import save_plots
    from pytracking.parameter import load_parameters
    from pytracking.refine_results import refine_results
    from pytracking.tracker import load_tracker_class
    for name in ('sequences', 'frames'):
        if getattr(args, name) < 1:
            raise UserInputError(f"--{name} {getattr(args, name)}: must be at least 1")
    start = time.perf_counter()
    progress = not args.quiet
    workspace = env_settings().workspace_dir
    if not workspace:
        raise UserInputError("workspace_dir is not set: set it in ltr/admin/local.py or LTR_WORKSPACE_DIR")
    out_dir = args.out_dir or os.path.join(workspace, 'demo')
    save_dir = os.path.join(out_dir, 'arena')

    root = synthetic_test_split(args.sequences, args.frames, args.size, args.seed, progress)
    bench = load_arena_benchmark('LaSOT', synthetic_root=root)
    print(f"benchmark: {bench.name}, {len(bench.sequences)} sequences x {args.frames} frames, "
          f"{args.size[0]}x{args.size[1]} ({root})", flush=True)
    source, identity, line = get_refiner(args, workspace)  # training keeps torch's own thread count
    print(line, flush=True)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    refiner = load_refiner(source, 0, 2.0, 256)  # device: CUDA if available, else CPU

    tracker_class = load_tracker_class(TRACKER)
    folders = {KCF: result_name(TRACKER, PARAM), KCF_AR: result_name(TRACKER, PARAM, RF_TYPE, 0),
               FIXED: result_name(TRACKER, FIXED_PARAM), FIXED_AR: result_name(TRACKER, FIXED_PARAM, RF_TYPE, 0),
               ORACLE: oracle_name(TRACKER, PARAM)}
    common = dict(progress=progress, restart_on_change=True)
    for param, base, refined in ((PARAM, KCF, KCF_AR), (FIXED_PARAM, FIXED, FIXED_AR)):
        params = load_parameters(TRACKER, param)
        make_tracker = lambda params=params: tracker_class(params.copy())  # noqa: E731
        settings = {'tracker': TRACKER, 'param': param}
        run_arena(bench, save_dir, folders[base], make_tracker, None, dict(settings, refiner=None), **common)
        run_arena(bench, save_dir, folders[refined], make_tracker, lambda seq: refiner,
                  dict(settings, refiner=identity, mode='all', selector=0), **common)
        if param == PARAM:
            run_arena(bench, save_dir, folders[ORACLE], make_tracker,
                      lambda seq: GtSizeOracle(seq.ground_truth_rect), dict(settings, refiner='oracle:gt-size'), **common)
    names = bench.sequences.names()
    results_dir = os.path.join(save_dir, bench.name)
    refine_results(refiner, bench.sequences, results_dir, results_dir, [folders[KCF]], mode='all',
                   suffix=OFFLINE_SUFFIX, progress=progress, restart_on_change=True,
                   settings={'refiner': identity, 'input': results_digest(os.path.join(results_dir, folders[KCF]), names)})
    folders[KCF_OFFLINE] = folders[KCF] + OFFLINE_SUFFIX

    labels = [KCF, KCF_AR, KCF_OFFLINE, FIXED, FIXED_AR, ORACLE]
    curves = evaluate(bench, save_dir, {label: folders[label] for label in labels})
    fps = {label: recorded_fps(os.path.join(results_dir, folders[label]), names)['fps']
           for label in (KCF, KCF_AR, FIXED, FIXED_AR)}
    text = table(bench, curves, fps, args.frames)
    gains = {base: curves[refined].auc - curves[base].auc for base, refined in ((KCF, KCF_AR), (FIXED, FIXED_AR))}
    who = line.split(': ', 1)[-1]
    text += (f"\nAlpha-Refine changes KCF's AUC by {100 * gains[KCF]:+.1f} points, fixed-size KCF's by "
             f"{100 * gains[FIXED]:+.1f} ({who})")
    rf_info = recorded_fps(os.path.join(results_dir, folders[KCF_AR]), names)
    text += (f"\nrobustness (KCF + AR): base boxes replaced {rf_info['bad_base']}, "
             f"refinements fallen back to the base box {rf_info['refine_fallback']}")
    print('\n' + text, flush=True)

    plot_dir = os.path.join(out_dir, 'plots')
    written = save_plots(curves, plot_dir, bench.name, CONVENTION)
    table_file = os.path.join(out_dir, 'table.txt')
    atomic_write_text(table_file, text + '\n')
    written.append(table_file)
    if args.video_frames > 0:
        video = demo_video(bench.sequences[0], save_dir, bench.name, {'base': folders[KCF], 'rf': folders[KCF_AR]},
                           refiner, os.path.join(out_dir, 'demo_video.mp4'), args.video_frames, progress)
        written.append(video)
    for path in written:
        print(f"wrote {path}")
    wall = time.perf_counter() - start
    print(f"demo wall time: {wall:.0f} s")
    return {'curves': curves, 'fps': fps, 'written': written, 'gain': gains[KCF], 'gain_fixed': gains[FIXED],
            'wall_s': wall}


def main(argv: Optional[List[str]] = None) -> int:
    from arena.benchmarks import BenchmarkError
    from arena.runner import ArenaError
    from ltr.dataset.synthetic import SyntheticConfigError, SyntheticTreeError
    from pytracking.analysis.results import ResultError
    args = build_parser().parse_args(argv)
    try:
        run_demo(args)
    except (ArenaError, BenchmarkError, SyntheticConfigError, SyntheticTreeError, ResultError) as e:
        raise UserInputError(str(e)) from None
    return 0


if __name__ == '__main__':
    run_cli(main)
