"""Offline Alpha-Refine: refine a tracker's saved result files without re-running the tracker.

    python -m pytracking.refine_results --dataset lasot|got10k|trackingnet|otb|synthetic \\
        --results-dir DIR --out-dir DIR [--mode corner|all] [--batch N] [--refiner CKPT] [--trackers T ...]

For every tracker folder under ``--results-dir`` (``<results-dir>/<tracker>/<seq>.txt``, the layout
``arena/*/eval.py`` reads; tracker names may contain '/') and every sequence of the dataset, the
refiner is initialised on the first frame's ground truth and refines each saved box. There is no
feed-back (the tracker is not re-run), so the frames are independent given the reference kernel and
are refined ``--batch`` at a time. Per frame, as the arena's step (``pytracking/evaluation/running.py``)::

    base = saved box, or the previous usable saved box when it is NaN, empty or outside the frame
    rin  = clip_box_xywh(base, frame, min_sz=10)
    rout = refine(frame, rin, mode);  rout = rin when it is degenerate
    write clip_box_xywh(rout, frame, min_sz=10)        (frame 1: the ground-truth box)

Output: ``<out-dir>/<tracker><suffix>/<seq>.txt`` (suffix ``_RF`` by default), written atomically, one
file per finished sequence; a run that is interrupted resumes where it stopped. The settings are
recorded in ``<out-dir>/<tracker><suffix>/refine_settings.json``; resuming with other settings is
an error unless ``--overwrite``. Bad input prints one line and exits 1.

Broken frames (a missing, empty, undecodable or truncated image): the frame's row repeats the previous refined
box and the frame is listed in ``<out-dir>/<tracker><suffix>/run_info.json`` (``broken_frames``,
``broken_paths`` per sequence). A broken first frame (the refiner initialises on it), or any broken frame with
``--strict``, fails that sequence (one line, ``failed`` in ``run_info.json``, exit status 1 at the end) and the
others go on. The output folder is checked for writing first; a result file the disk refuses stops the run in
one line, keeping the files written before.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Dict, Iterator, List, Optional

import numpy as np
import torch
from tqdm import tqdm

from ltr.admin.fileio import OutputError, atomic_write_text, ensure_writable_folder, remove_stale_temporaries
from ltr.admin.loading import CheckpointError
from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError, write_boxes
from ltr.data.bounding_box_utils import clip_box_xywh
from ltr.data.image_loader import BrokenFrame, ImageReadError, default_image_loader, image_read_error, read_frame
from pytracking.analysis.results import ResultError, find_trackers, read_result, result_path
from pytracking.evaluation.data import Sequence, SequenceList
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.running import MIN_SIZE, ResultWriteError, RunRecord, finished_file, usable_box
from pytracking.refine_modules.refine_module import BACKENDS, RefineModule

DATASETS = ('lasot', 'got10k', 'trackingnet', 'otb', 'synthetic')
SETTINGS_FILE = 'refine_settings.json'


class RefineResultsError(RuntimeError):
    """Offline refinement that cannot run; the message is one line."""


# -- inputs ------------------------------------------------------------------------------------
def registry_name(dataset: str, split: Optional[str]) -> str:
    """The :func:`pytracking.evaluation.datasets.get_dataset` name of `dataset` and `split`."""
    if dataset == 'lasot':
        return {None: 'lasot', 'test': 'lasot', 'full': 'lasot_full', 'train': 'lasot_train'}.get(split, f'lasot_{split}')
    if dataset == 'got10k':
        return f"got10k_{split or 'test'}"
    if dataset == 'trackingnet':
        return {None: 'trackingnet', 'TEST': 'trackingnet', 'train': 'trackingnet_train'}.get(split, f'trackingnet_{split}')
    if dataset == 'otb':
        return 'otb'
    if dataset == 'synthetic':
        return 'synthetic_lasot' if split in (None, 'test') else f'synthetic_got10k_{split}'
    raise RefineResultsError(f"unknown --dataset '{dataset}' (known: {', '.join(DATASETS)})")


def load_sequences(dataset: str, root: Optional[str] = None, split: Optional[str] = None) -> SequenceList:
    """Sequences of `dataset` (root from configuration unless given; the synthetic set is generated on first use)."""
    name = registry_name(dataset, split)
    if dataset == 'synthetic' and not root:
        from ltr.dataset.synthetic import ensure_synthetic_benchmark
        layout = 'lasot' if name == 'synthetic_lasot' else 'got10k'
        root = ensure_synthetic_benchmark(layout=layout, split=split or ('test' if layout == 'lasot' else 'val'),
                                          progress=False)
    try:
        return get_dataset(name, root=root)
    except KeyError as e:
        raise RefineResultsError(str(e).strip('"\'')) from None


# -- the per-sequence job ----------------------------------------------------------------------
def _chunks(n: int, size: int) -> Iterator[range]:
    for start in range(0, n, size):
        yield range(start, min(start + size, n))


def refine_sequence(refiner: Any, seq: Sequence, saved: np.ndarray, mode: str = 'corner', batch: int = 16,
                    loader: Callable[[str], np.ndarray] = default_image_loader, progress: bool = False,
                    strict: bool = False, broken: Optional[List[BrokenFrame]] = None) -> np.ndarray:
    """Refined ``(N, 4)`` boxes of one sequence from the tracker's `saved` ``(N, 4)`` boxes.

    A frame that cannot be read repeats the previous row and is appended to `broken` (when given); with
    `strict`, and always for the first frame, it is an ImageReadError naming its path."""
    n = saved.shape[0]
    init_box = np.asarray(seq.ground_truth_rect[0], dtype=np.float64)
    first = read_frame(seq.frames[0], 0, loader)
    if isinstance(first, BrokenFrame):
        raise image_read_error(first.path, first.reason, "frame 1, where the refiner initialises")
    refiner.initialize(first, init_box)
    out = np.empty((n, 4), dtype=np.float64)
    out[0] = init_box
    last_usable = init_box
    bar = tqdm(total=n - 1, desc=seq.name[:30], leave=False, disable=not progress, file=sys.stderr)
    for chunk in _chunks(n - 1, batch):
        read = {i + 1: read_frame(seq.frames[i + 1], i + 1, loader) for i in chunk}
        bad = {i: f for i, f in read.items() if isinstance(f, BrokenFrame)}
        if bad and strict:
            first_bad = bad[min(bad)]
            raise image_read_error(first_bad.path, first_bad.reason,
                                   f"frame {first_bad.index + 1}; --strict stops at a broken frame")
        idx = [i for i in read if i not in bad]
        frames = [read[i] for i in idx]
        rin = np.empty((len(idx), 4))
        for j, (i, f) in enumerate(zip(idx, frames)):
            hw = f.shape[:2]
            if usable_box(saved[i], hw):
                last_usable = saved[i]
            rin[j] = clip_box_xywh(last_usable, hw, MIN_SIZE)
        rout = refiner.refine_batch(frames, rin, mode=mode) if idx else np.empty((0, 4))
        refined = {}
        for j, (i, f) in enumerate(zip(idx, frames)):
            hw = f.shape[:2]
            box = rout[j] if usable_box(rout[j], hw) else rin[j]
            refined[i] = clip_box_xywh(box, hw, MIN_SIZE)
        for i in read:  # in frame order: a broken frame repeats the row before it
            out[i] = out[i - 1] if i in bad else refined[i]
            if i in bad and broken is not None:
                broken.append(bad[i])
        bar.update(len(read))
    bar.close()
    return out


# -- the run -----------------------------------------------------------------------------------
def _settings_guard(out_dir: str, settings: Dict[str, Any], overwrite: bool, restart_on_change: bool = False) -> bool:
    """Record `settings` for `out_dir`; True when its finished sequences must be redone (`overwrite`, or
    changed settings with `restart_on_change`). Changed settings are an error otherwise."""
    path = os.path.join(out_dir, SETTINGS_FILE)
    if os.path.isfile(path) and not overwrite:
        with open(path) as f:
            try:
                old = json.load(f)
            except json.JSONDecodeError:
                raise RefineResultsError(f"{path}: not valid JSON; delete it or pass --overwrite") from None
        changed = sorted(k for k in settings if k != 'batch' and old.get(k) != settings[k])
        if changed and restart_on_change:
            overwrite = True
        elif changed:
            raise RefineResultsError(f"{out_dir} holds results made with other settings ({', '.join(changed)}); "
                                     f"use another --out-dir or --suffix, or --overwrite")
    os.makedirs(out_dir, exist_ok=True)
    atomic_write_text(path, json.dumps(settings, indent=1, sort_keys=True) + '\n')
    return overwrite


def refine_results(refiner: Any, sequences: SequenceList, results_dir: str, out_dir: str,
                   trackers: Optional[List[str]] = None, mode: str = 'corner', batch: int = 16, suffix: str = '_RF',
                   settings: Optional[Dict[str, Any]] = None, overwrite: bool = False,
                   progress: bool = True, restart_on_change: bool = False, strict: bool = False,
                   failed: Optional[List[str]] = None) -> Dict[str, int]:
    """Refine every tracker's results; returns ``{tracker: sequences refined now}`` (finished ones are skipped).

    Resuming with other settings is an error, or (`restart_on_change`) redoes every sequence. Broken frames
    repeat the previous row (listed in ``run_info.json`` of the tracker's output folder); a sequence whose first
    frame is broken (any frame with `strict`) is not written: its line goes to `failed` (when given) and to
    ``run_info.json``, and the others go on. A result file that cannot be written stops the run
    (ResultWriteError naming it)."""
    if batch < 1:
        raise RefineResultsError(f"--batch must be >= 1, got {batch}")
    names = sequences.names()
    trackers = trackers or find_trackers(results_dir, names)
    if not trackers:
        raise RefineResultsError(f"no tracker folder under '{results_dir}' holds a result file of the "
                                 f"{len(names)} sequences")
    if os.path.abspath(out_dir) == os.path.abspath(results_dir) and not suffix:
        raise RefineResultsError("--out-dir equals --results-dir and --suffix is empty: the inputs would be overwritten")
    for tracker in trackers:  # a missing file stops the run before anything is written
        missing = [s for s in names if not os.path.isfile(result_path(results_dir, tracker, s))]
        if missing:
            raise ResultError(f"tracker '{tracker}', sequence '{missing[0]}': missing result file "
                              f"{result_path(results_dir, tracker, missing[0])} ({len(missing)} of {len(names)} missing)")
    ensure_writable_folder(out_dir, 'output folder')
    done: Dict[str, int] = {}
    for tracker in trackers:
        name = tracker + suffix
        tracker_out = os.path.join(out_dir, *name.split('/'))
        redo = _settings_guard(tracker_out, dict(settings or {}, mode=mode, source=os.path.abspath(results_dir),
                                                 tracker=tracker, batch=batch), overwrite, restart_on_change)
        remove_stale_temporaries(tracker_out)
        record = RunRecord(os.path.join(tracker_out, 'run_info.json'),
                           log=lambda line: tqdm.write(line, file=sys.stderr))
        todo = [s for s in sequences if redo or not finished_file(result_path(out_dir, name, s.name), len(s.frames))]
        refined_now = 0
        for seq in tqdm(todo, desc=name[:40], disable=not progress, file=sys.stderr):
            saved = read_result(results_dir, tracker, seq.name, len(seq.frames))
            broken: List[BrokenFrame] = []
            try:
                refined = refine_sequence(refiner, seq, saved, mode=mode, batch=batch, strict=strict, broken=broken)
            except ImageReadError as e:
                line = f"{name}/{seq.name}: {' '.join(str(e).split())}"
                record.failed(seq.name, str(e))
                tqdm.write(f"refine_results: failed: {line}", file=sys.stderr)
                if failed is not None:
                    failed.append(line)
                continue
            path = result_path(out_dir, name, seq.name)
            try:
                write_boxes(path, refined)
            except OSError as e:
                raise ResultWriteError(f"{' '.join(str(e).split())}; the run stops here: results written before "
                                       f"are kept and the next run resumes after them") from e
            record.finished(seq.name, len(refined), broken)
            refined_now += 1
        done[tracker] = refined_now
    return done


def build_parser() -> argparse.ArgumentParser:
    """Flags in dash form, underscore form accepted."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--dataset', '-d', required=True, choices=DATASETS)
    p.add_argument('--results-dir', '--results_dir', dest='results_dir', required=True,
                   help='folder holding the tracker folders (<results-dir>/<tracker>/<seq>.txt)')
    p.add_argument('--out-dir', '--out_dir', dest='out_dir', required=True, help='where the refined result set goes')
    p.add_argument('--mode', choices=('corner', 'all', 'mask'), default='corner',
                   help="refiner output: corner (default), all (the refiner's selector), mask")
    p.add_argument('--batch', type=int, default=16, help='frames per network call (default 16)')
    p.add_argument('--refiner', default=None, help='refiner checkpoint (default: the configured/official one)')
    p.add_argument('--dataset-root', '--dataset_root', dest='dataset_root', default=None,
                   help='dataset root (default: pytracking/evaluation/local.py / PYTRACKING_*)')
    p.add_argument('--split', default=None, help='lasot: test/full/train; got10k: test/val/train; trackingnet: TEST/train')
    p.add_argument('--trackers', nargs='+', default=None, help='tracker names (default: every folder found)')
    p.add_argument('--suffix', default='_RF', help="appended to each tracker name (default '_RF')")
    p.add_argument('--device', default=None, help="torch device (default: CUDA if available, else CPU)")
    p.add_argument('--backend', choices=BACKENDS, default='auto',
                   help="'auto' (default): ONNX Runtime on CPU when installed, else PyTorch")
    p.add_argument('--threads', type=int, default=None, help='torch.set_num_threads')
    p.add_argument('--overwrite', action='store_true', help='redo finished sequences and accept changed settings')
    p.add_argument('--strict', action='store_true',
                   help='a frame that cannot be read fails its sequence (default: the previous row is repeated and the '
                        'frame listed in run_info.json)')
    return p


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point: a tqdm bar and a one-line summary, or one line on stderr and exit status 1."""
    args = build_parser().parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        from pytracking.evaluation.refiner_source import find_refiner, refiner_identity
        path, note = find_refiner(args.refiner)
        if path is None:
            raise RefineResultsError(note)
        refiner = RefineModule(path, device=args.device, backend=args.backend)
        sequences = load_sequences(args.dataset, args.dataset_root, args.split)
        failed: List[str] = []
        done = refine_results(refiner, sequences, args.results_dir, args.out_dir, args.trackers, args.mode,
                              args.batch, args.suffix, overwrite=args.overwrite,
                              settings={'refiner': refiner_identity(path), 'dataset': args.dataset,
                                        'split': args.split}, strict=args.strict, failed=failed)
    except (RefineResultsError, ResultError, AnnotationError, CheckpointError, MissingPathError, ImageReadError,
            FileNotFoundError, ValueError, OutputError) as e:
        print(f"refine_results: {str(e).splitlines()[0] if str(e) else type(e).__name__}", file=sys.stderr)
        return 1
    print(f"refine_results: {note}; " + '; '.join(f"{t}{args.suffix}: {n} sequences refined" for t, n in done.items())
          + f" -> {args.out_dir}")
    if failed:
        print(f"refine_results: {len(failed)} sequence(s) failed ({failed[0]}); run again to retry them",
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
