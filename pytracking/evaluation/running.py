"""Running trackers over sequences: the per-frame step (base tracker, optional refiner, feed-back),
result files, resume.

One step function serves every runner: :class:`RefinedTracker` wraps a base tracker (and, optionally,
a refiner) and turns one frame into one box. ``pytracking/run_tracker.py`` (base trackers, pytracking
layout), ``arena/runner.py`` (base and base + Alpha-Refine, arena layout) and
``pytracking/run_video.py`` (own videos) all call it; :func:`run_sequence_pool` runs it over sequences in this
process or in worker processes (parallel runs), :func:`shard_sequences` picks a fixed part of a list (sharded
runs).

Per frame, with a refiner (upstream ``arena/LaSOT/run_dimp_RF.py``, DESIGN.md section 7)::

    base  = tracker.track(frame)['target_bbox']
    base  = last written box  if base is NaN, empty or fully outside the frame   (counted: bad_base)
    rin   = clip_box_xywh(base, frame, min_sz=10)           # the refiner's input is clipped
    r     = refiner.refine_frame(frame, rin, mode)   # r.box = rin when it falls back, r.fallback says why
    box   = clip_box_xywh(r.box, frame, min_sz=10)              (fall-backs counted: refine_fallback)
    tracker.set_target_box(box)                             # the feed-back hook
    write box

The refiner checks its own output once and reports a fall-back (:class:`pytracking.utils.refinement.Refinement`);
the step keeps the one memory of the last good box on this path. With ``want_mask`` the refiner's mask
comes from the same network pass as the box.

Without a refiner the written box is the clipped base box (``clip_output=False``: the raw base box,
as pytracking's own runner writes it) and the tracker's state is only reset (``set_target_box``) when
its box was unusable, so that one bad frame does not poison the rest of the sequence.

Broken frames (``ltr.data.image_loader.read_frames``: a missing, empty, undecodable or truncated file): the
tracker is not called, the frame's row repeats the last written box, and the frame is counted
(``StepCounts.broken_frames``, ``SequenceResult.broken``: the arena's and run_tracker's ``run_info.json`` list
them per sequence). A broken first frame cannot be tracked (nothing to initialise on): the sequence fails
with an ImageReadError naming the path, and the run goes on with the next sequence. ``strict`` makes any
broken frame such an error.

Result files: ``<dir>/<seq>.txt`` (``ltr.data.annotations.write_boxes``: comma, 4 decimals, one line
per frame, frame 1 = the initial box) and ``<dir>/<seq>_time.txt`` (seconds per frame, one per line).
The box file is written last (atomically), so its presence with one row per frame marks a finished
sequence; finished sequences are skipped (resume), a shorter file (cut off by another tool) is redone.
A result file that cannot be written (full disk, folder gone read-only) stops the run
(:class:`ResultWriteError`, one line naming the file): the files already written stay, and the next run
resumes after them. Temporaries of killed writers are removed when a run starts
(``ltr.admin.fileio.remove_stale_temporaries``).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence as Seq, Tuple, Union

import numpy as np
from tqdm import tqdm

from ltr.admin.fileio import OutputError, atomic_write_text, remove_stale_temporaries
from ltr.data.annotations import write_boxes
from ltr.data.bounding_box_utils import clip_box_xywh, is_valid_xywh, overlaps_image
from ltr.data.image_loader import BrokenFrame, image_read_error, read_frames
from ltr.data.processing_utils import binarize_mask
from pytracking.evaluation.data import Sequence, SequenceList

__all__ = ['FrameResult', 'StepCounts', 'RefinedTracker', 'SequenceResult', 'usable_box', 'track_frames',
           'track_sequence', 'result_file', 'time_file', 'is_finished', 'write_sequence_result',
           'run_sequences', 'run_sequence', 'run_dataset', 'parse_shard', 'shard_sequences', 'error_file',
           'SequenceFailure', 'PoolOutcome', 'seed_globals', 'visible_gpus', 'run_sequence_pool', 'TrackerRunStep',
           'ResultWriteError', 'broken_entry', 'broken_line', 'sequence_images', 'count_rows', 'finished_file',
           'RunRecord', 'run_record_path']

MIN_SIZE = 10  # upstream bbox_clip min_sz (pytracking/RF_utils.py)


# -- the per-frame step ------------------------------------------------------------------------
def usable_box(box: Any, image_hw: Tuple[int, int]) -> bool:
    """True when `box` is 4 finite numbers with w, h > 0 that overlap the image (`image_hw` = (H, W))."""
    try:
        return is_valid_xywh(box) and overlaps_image(box, image_hw)
    except (TypeError, ValueError):
        return False


@dataclass
class StepCounts:
    """Per-run robustness counts: frames, unusable base boxes replaced, refinements that fell back (and the
    reason the refiner gave for the first fall-back), frames that could not be read (their rows repeat the
    last box)."""
    frames: int = 0
    bad_base: int = 0
    refine_fallback: int = 0
    first_fallback: Optional[str] = None
    broken_frames: int = 0

    def add(self, other: 'StepCounts') -> None:
        """Accumulate `other` into self."""
        self.frames += other.frames
        self.bad_base += other.bad_base
        self.refine_fallback += other.refine_fallback
        self.first_fallback = self.first_fallback or other.first_fallback
        self.broken_frames += other.broken_frames

    def as_dict(self) -> Dict[str, int]:
        return {'frames': self.frames, 'bad_base': self.bad_base, 'refine_fallback': self.refine_fallback,
                'broken_frames': self.broken_frames}


@dataclass
class FrameResult:
    """One tracked frame: the written box, the raw base box, times (s), what happened, optional mask."""
    box: np.ndarray
    base_box: np.ndarray
    base_time: float
    refine_time: float = 0.0
    bad_base: bool = False
    refine_fallback: bool = False
    fallback_reason: Optional[str] = None  # why the refiner fell back to its input box
    mask: Optional[np.ndarray] = None  # uint8 0/1 H x W when asked for and the refiner has a mask head
    broken: Optional[BrokenFrame] = None  # the frame could not be read: `box` repeats the last box

    @property
    def time(self) -> float:
        return self.base_time + self.refine_time


class RefinedTracker:
    """A base tracker, optionally wrapped with a refiner: THE per-frame step of every runner.

    args:
        tracker: a :class:`pytracking.tracker.base.BaseTracker` (``initialize``, ``track``, ``set_target_box``).
        refiner: None (base only) or an object with ``initialize(frame, box)`` and
            ``refine_frame(frame, box, mode=..., with_mask=...) -> Refinement`` (``RefineModule``, or an
            oracle with the same methods; ``heads`` names its heads, 'mask' for masks).
        mode: the refiner mode ('all' = upstream's default: the box at ``selector``).
        clip_output: write the clipped box (arena, DESIGN.md 7); False writes the raw base box in
            base-only runs (pytracking's runner). Refined runs always clip.
        min_size: the clip's minimum side (10 px, upstream ``bbox_clip``).
    """

    def __init__(self, tracker: Any, refiner: Any = None, mode: str = 'all', clip_output: bool = True,
                 min_size: float = MIN_SIZE) -> None:
        self.tracker = tracker
        self.refiner = refiner
        self.mode = mode
        self.clip_output = clip_output
        self.min_size = float(min_size)
        self.counts = StepCounts()
        self.last_box: Optional[np.ndarray] = None

    def initialize(self, image: np.ndarray, init_box: Any, info: Optional[Dict[str, Any]] = None) -> np.ndarray:
        """Initialise tracker and refiner on `init_box` (xywh) in `image`; returns the box to write for frame 1."""
        box = np.asarray(init_box, dtype=np.float64).reshape(-1)
        init_info = dict(info or {})
        init_info['init_bbox'] = box.copy()
        self.tracker.initialize(image, init_info)  # validates the box (ValueError naming it)
        if self.refiner is not None:
            self.refiner.initialize(image, box.copy())
        self.counts = StepCounts(frames=1)
        self.last_box = box.copy()
        return box.copy()

    def track(self, image: np.ndarray, want_mask: bool = False) -> FrameResult:
        """Track one frame: base box, (clipped) refinement, feed-back; see the module docstring."""
        if self.last_box is None:
            raise RuntimeError("RefinedTracker: call initialize(image, init_box) first")
        hw = image.shape[:2]
        t0 = time.perf_counter()
        out = self.tracker.track(image)
        base_time = time.perf_counter() - t0
        raw = _as_box(out.get('target_bbox') if isinstance(out, dict) else None)
        bad_base = not usable_box(raw, hw)
        base = clip_box_xywh(self.last_box if bad_base else raw, hw, self.min_size)
        result = FrameResult(box=base, base_box=raw, base_time=base_time, bad_base=bad_base)
        if self.refiner is not None:
            t1 = time.perf_counter()
            refined = self.refiner.refine_frame(image, base.copy(), mode=self.mode,
                                                with_mask=want_mask and self.has_mask())
            result.box = clip_box_xywh(refined.box, hw, self.min_size)
            result.refine_fallback, result.fallback_reason = refined.fallback is not None, refined.fallback
            if refined.mask is not None:
                result.mask = binarize_mask(refined.mask)
            result.refine_time = time.perf_counter() - t1
            self.tracker.set_target_box(result.box)
        else:
            if bad_base:  # reset a poisoned state to the last good box
                self.tracker.set_target_box(base)
            if not self.clip_output and not bad_base:
                result.box = raw.copy()
        self.counts.frames += 1
        self.counts.bad_base += int(bad_base)
        self.counts.refine_fallback += int(result.refine_fallback)
        self.counts.first_fallback = self.counts.first_fallback or result.fallback_reason
        self.last_box = result.box.copy()
        return result

    def skip_frame(self, broken: BrokenFrame) -> FrameResult:
        """A frame that could not be read: the tracker is not called, its row repeats the last written box
        (counted in ``counts.broken_frames``); the next frame is tracked from the tracker's current state."""
        if self.last_box is None:
            raise RuntimeError("RefinedTracker: call initialize(image, init_box) first")
        self.counts.frames += 1
        self.counts.broken_frames += 1
        box = self.last_box.copy()
        return FrameResult(box=box, base_box=box.copy(), base_time=0.0, broken=broken)

    def has_mask(self) -> bool:
        """True when the refiner can produce masks (a mask head)."""
        return self.refiner is not None and 'mask' in tuple(getattr(self.refiner, 'heads', ()))


def _as_box(value: Any) -> np.ndarray:
    """`value` as a float64 (4,) array; anything that is not 4 numbers becomes NaNs (an unusable box)."""
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    try:
        box = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return np.full(4, np.nan)
    return box if box.size == 4 else np.full(4, np.nan)


# -- one sequence ------------------------------------------------------------------------------
@dataclass
class SequenceResult:
    """Boxes ``(N, 4)`` (frame 1 = the initial box), per-frame base/refine times (s) and the counts; the time
    spent reading frames and building the step, when measured (the arena's ``run_info.json``)."""
    boxes: np.ndarray
    base_times: np.ndarray
    refine_times: np.ndarray
    counts: StepCounts = field(default_factory=StepCounts)
    read_times: Optional[np.ndarray] = None  # seconds spent reading each frame (None: not measured)
    build_time: float = 0.0  # seconds spent building the step (tracker, refiner) for this sequence
    broken: List[BrokenFrame] = field(default_factory=list)  # frames that could not be read (rows repeat a box)

    @property
    def times(self) -> np.ndarray:
        return self.base_times + self.refine_times

    def fps(self) -> float:
        """Frames per second over frames 2..N (frame 1 is initialisation), NaN for a 1-frame sequence."""
        total = float(self.times[1:].sum())
        return (len(self.times) - 1) / total if total > 0 else float('nan')


def track_frames(frames: Iterable[Union[np.ndarray, BrokenFrame]], init_box: Any, step: RefinedTracker,
                 on_frame: Optional[Callable[[int, Optional[np.ndarray], FrameResult], None]] = None,
                 want_mask: bool = False) -> SequenceResult:
    """Run `step` over `frames` (RGB uint8, or :class:`BrokenFrame` for a frame that could not be read),
    initialised on `init_box` in the first frame.

    A broken frame's row repeats the last box (:meth:`RefinedTracker.skip_frame`); a broken first frame is an
    ImageReadError naming its path (there is nothing to initialise on). `on_frame(index, image, result)` is
    called for every frame after the first (drawing, writing video); `image` is None for a broken frame.
    """
    iterator = _timed(iter(frames))
    try:
        first = next(iterator)
    except StopIteration:
        raise ValueError("no frames to track") from None
    if isinstance(first, BrokenFrame):
        raise image_read_error(first.path, first.reason, "frame 1, the initial frame: the sequence cannot be tracked")
    t0 = time.perf_counter()
    boxes = [step.initialize(first, init_box)]
    base_times, refine_times = [time.perf_counter() - t0], [0.0]
    broken: List[BrokenFrame] = []
    for index, image in enumerate(iterator, start=1):
        if isinstance(image, BrokenFrame):
            res = step.skip_frame(image)
            broken.append(image)
            image = None
        else:
            res = step.track(image, want_mask=want_mask)
        boxes.append(res.box)
        base_times.append(res.base_time)
        refine_times.append(res.refine_time)
        if on_frame is not None:
            on_frame(index, image, res)
    return SequenceResult(np.asarray(boxes, dtype=np.float64).reshape(-1, 4), np.asarray(base_times),
                          np.asarray(refine_times), step.counts, read_times=np.asarray(iterator.times),
                          broken=broken)


class _timed:
    """An iterator that records the seconds each ``next`` took (frame reading and decoding)."""

    def __init__(self, iterator: Iterator[Any]) -> None:
        self.iterator, self.times = iterator, []

    def __iter__(self) -> '_timed':
        return self

    def __next__(self) -> Any:
        t0 = time.perf_counter()
        item = next(self.iterator)
        self.times.append(time.perf_counter() - t0)
        return item


def sequence_images(seq: Sequence, progress: bool = False, strict: bool = False
                    ) -> Iterator[Union[np.ndarray, BrokenFrame]]:
    """The frames of `seq` as RGB uint8 arrays, read on demand (tqdm over frames when `progress`); a frame that
    cannot be read is a :class:`BrokenFrame` (an ImageReadError naming it when `strict`)."""
    paths = tqdm(seq.frames, desc=seq.name, unit='frame', leave=False, disable=not progress)
    return read_frames(paths, strict=strict)


def track_sequence(seq: Sequence, step: RefinedTracker, progress: bool = False, strict: bool = False) -> SequenceResult:
    """Run `step` over the frames of `seq`, initialised on its first ground-truth box (broken frames: see the
    module docstring; `strict` makes one an error)."""
    return track_frames(sequence_images(seq, progress, strict), seq.ground_truth_rect[0], step)


def broken_entry(broken: List[BrokenFrame]) -> Dict[str, Any]:
    """A sequence's `broken` frames for ``run_info.json``: ``broken_frames`` (count) and ``broken_paths``."""
    return {'broken_frames': len(broken), 'broken_paths': [b.path for b in broken]}


def broken_line(seq_name: str, broken: List[BrokenFrame]) -> Optional[str]:
    """One log line about a sequence's `broken` frames (None when there are none)."""
    if not broken:
        return None
    return f"{seq_name}: {len(broken)} broken frame(s) kept the last box (first: {broken[0].line()})"


# -- result files and resume -------------------------------------------------------------------
def result_file(out_dir: str, seq_name: str) -> str:
    """``<out_dir>/<seq_name>.txt``."""
    return os.path.join(out_dir, seq_name + '.txt')


def time_file(out_dir: str, seq_name: str) -> str:
    """``<out_dir>/<seq_name>_time.txt``."""
    return os.path.join(out_dir, seq_name + '_time.txt')


def count_rows(path: str) -> int:
    """Non-blank lines of a text file (rows of a result file)."""
    with open(path, 'rb') as f:
        return sum(1 for line in f if line.strip())


def finished_file(path: str, num_frames: Optional[int] = None) -> bool:
    """True when the result file `path` exists (result files are written last and atomically) and, when
    `num_frames` is given, has a row for every frame (a file cut short by another tool is not finished)."""
    return os.path.isfile(path) and (num_frames is None or count_rows(path) >= num_frames)


def is_finished(out_dir: str, seq_name: str, num_frames: Optional[int] = None) -> bool:
    """:func:`finished_file` for the result file of `seq_name` in `out_dir`."""
    return finished_file(result_file(out_dir, seq_name), num_frames)


class ResultWriteError(OutputError):
    """A result file that cannot be written (full disk, folder gone read-only): the run stops, in one line
    naming the file; what was written before stays and the next run resumes after it."""


def write_sequence_result(out_dir: str, seq_name: str, result: SequenceResult) -> str:
    """Write ``<seq>_time.txt`` then ``<seq>.txt`` (both atomic); returns the box file's path.
    ResultWriteError (one line naming the file) when the disk refuses."""
    try:
        os.makedirs(out_dir, exist_ok=True)
        atomic_write_text(time_file(out_dir, seq_name), ''.join(f'{t:.6f}\n' for t in result.times))
        path = result_file(out_dir, seq_name)
        write_boxes(path, result.boxes)
    except OSError as e:
        err = ResultWriteError(f"{' '.join(str(e).split())}; the run stops here: results written before are kept "
                               f"and the next run resumes after them")
        err.errno = e.errno
        raise err from e
    return path


def run_sequences(sequences: Seq[Sequence], out_dir: str, make_step: Callable[[Sequence], RefinedTracker], *,
                  overwrite: bool = False, progress: bool = True, desc: str = 'sequences',
                  on_done: Optional[Callable[[Sequence, SequenceResult], None]] = None) -> Dict[str, SequenceResult]:
    """Track every sequence not finished yet in `out_dir` and write its results; returns the new results.

    `make_step(seq)` builds the step for one sequence (a fresh tracker; the refiner may be shared).
    `on_done(seq, result)` runs after each sequence's files are written (logs, run records).
    """
    todo = [s for s in sequences if overwrite or not is_finished(out_dir, s.name, len(s.frames))]
    done: Dict[str, SequenceResult] = {}
    bar = tqdm(total=len(sequences), initial=len(sequences) - len(todo), desc=desc, unit='seq', disable=not progress)
    for seq in todo:
        result = track_sequence(seq, make_step(seq), progress=progress and len(seq) >= 500)
        write_sequence_result(out_dir, seq.name, result)
        done[seq.name] = result
        if on_done is not None:
            on_done(seq, result)
        bar.update(1)
    bar.close()
    return done


def run_record_path(results_dir: str, shard: Optional[Tuple[int, int]] = None) -> str:
    """``<results_dir>/run_info.json`` (``run_info.shard-I-of-N.json`` for shard I of N, as the arena's)."""
    name = 'run_info.json' if shard is None else f'run_info.shard-{shard[0]}-of-{shard[1]}.json'
    return os.path.join(results_dir, name)


class RunRecord:
    """The run record of a results folder: per sequence its frames and broken frames (``broken_frames``,
    ``broken_paths``), and the sequences that failed (``failed``: the error line); rewritten atomically after
    each sequence, entries of earlier runs kept. `log` receives a line per sequence with broken frames. Used by
    ``pytracking/run_tracker.py`` and ``pytracking/refine_results.py`` (the arena's record adds its settings)."""

    def __init__(self, path: str, log: Optional[Callable[[str], None]] = tqdm.write) -> None:
        self.path, self.log = path, log
        self.data = {'sequences': {}, 'failed': {}}
        if os.path.isfile(path):
            try:
                with open(path) as f:
                    loaded = json.load(f)
                self.data.update({k: dict(loaded.get(k, {})) for k in ('sequences', 'failed')})
            except (OSError, ValueError, AttributeError):
                pass  # an unreadable record is rebuilt from this run (the result files are the truth)

    def done(self, seq: Sequence, result: SequenceResult) -> None:
        """Record a finished sequence (``on_done`` of the pool)."""
        self.finished(seq.name, int(len(result.boxes)), result.broken)

    def finished(self, name: str, frames: int, broken: List[BrokenFrame]) -> None:
        """Record sequence `name` as finished with `frames` rows and its `broken` frames (one log line if any)."""
        self.data['sequences'][name] = {'frames': int(frames), **broken_entry(broken)}
        self.data['failed'].pop(name, None)
        self._write()
        if broken and self.log is not None:
            self.log(broken_line(name, broken))

    def failed(self, name: str, error: str) -> None:
        """Record a failed sequence with its error line."""
        self.data['failed'][name] = error
        self._write()

    def _write(self) -> None:
        atomic_write_text(self.path, json.dumps(self.data, indent=1, sort_keys=True) + '\n')


# -- parallel and sharded runs -----------------------------------------------------------------
def parse_shard(text: str) -> Tuple[int, int]:
    """``'I/N'`` -> ``(I, N)`` with ``1 <= I <= N``; ValueError saying what is expected otherwise."""
    parts = str(text).split('/')
    try:
        index, count = (int(p) for p in parts)
    except ValueError:
        raise ValueError(f"--shard {text}: expected I/N, e.g. 2/4 (shard 2 of 4)") from None
    if not 1 <= index <= count:
        raise ValueError(f"--shard {text}: I must be in 1..N")
    return index, count


def shard_sequences(sequences: Seq[Sequence], index: int, count: int) -> SequenceList:
    """Shard `index` of `count` (1-based): the sequences at positions ``k`` (0-based, in the given order) with
    ``k % count == index - 1``. Interleaved rather than blocks, so that the shards of a benchmark sorted by
    class (LaSOT) get similar mixes of long and short videos; shards 1..N together are the whole list."""
    return SequenceList(s for k, s in enumerate(sequences) if k % count == index - 1)


def error_file(out_dir: str, seq_name: str) -> str:
    """``<out_dir>/<seq_name>_error.log``: the traceback of a sequence that raised (removed once it succeeds)."""
    return os.path.join(out_dir, seq_name + '_error.log')


@dataclass
class SequenceFailure:
    """A sequence that raised: its name, the error in one line and the file holding the traceback."""
    name: str
    error: str
    log: Optional[str] = None

    def line(self) -> str:
        """``<seq>: <error> (traceback: <file>)``."""
        return f"{self.name}: {self.error}" + (f" (traceback: {self.log})" if self.log else '')


@dataclass
class PoolOutcome:
    """What :func:`run_sequence_pool` did: results of the sequences run now, the failures, the sequences
    that were finished already."""
    done: Dict[str, SequenceResult] = field(default_factory=dict)
    failed: List[SequenceFailure] = field(default_factory=list)
    finished_before: List[str] = field(default_factory=list)


def seed_globals(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators: done before every sequence, so a sequence's
    results do not depend on which sequences ran before it in the same process (parallel == serial)."""
    import random

    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _track_one(seq: Sequence, make_step: Callable[[Sequence], RefinedTracker], out_dir: str, seed: int,
               progress: bool, strict: bool = False) -> Tuple[Optional[SequenceResult], Optional[SequenceFailure]]:
    """Build the step, track `seq`, write its files; a sequence that raises becomes a SequenceFailure
    (traceback in :func:`error_file`), so one bad sequence never stops the others. A result file that cannot
    be written is a ResultWriteError, which stops the run (the next sequences would not be written either)."""
    import traceback
    seed_globals(seed)
    try:
        t0 = time.perf_counter()
        step = make_step(seq)
        build_time = time.perf_counter() - t0
        result = track_sequence(seq, step, progress=progress and len(seq) >= 500, strict=strict)
        result.build_time = build_time
        write_sequence_result(out_dir, seq.name, result)
    except ResultWriteError:
        raise
    except Exception as e:  # any error of one sequence: reported, the run goes on
        log = error_file(out_dir, seq.name)
        try:
            atomic_write_text(log, traceback.format_exc())
        except OSError:
            log = None
        return None, SequenceFailure(seq.name, f"{type(e).__name__}: {' '.join(str(e).split())}", log)
    if os.path.exists(error_file(out_dir, seq.name)):
        os.unlink(error_file(out_dir, seq.name))
    return result, None


_WORKER: Dict[str, Any] = {}  # the state of a pool worker process (set once by _init_worker)


def _init_worker(make_step: Callable[[Sequence], RefinedTracker], out_dir: str, threads: int, seed: int,
                 devices: Any, strict: bool = False) -> None:
    """Pool worker start: take a device (one GPU id of CUDA_VISIBLE_DEVICES, before CUDA starts), set the torch
    threads, keep the step factory (which builds the tracker and refiner once, on first use)."""
    if devices is not None:
        os.environ['CUDA_VISIBLE_DEVICES'] = devices.get()
    import torch
    if threads > 0:
        torch.set_num_threads(threads)
    _WORKER.update(make_step=make_step, out_dir=out_dir, seed=seed, strict=strict)


def _track_in_worker(seq: Sequence) -> Tuple[str, Optional[SequenceResult], Optional[SequenceFailure]]:
    result, failure = _track_one(seq, _WORKER['make_step'], _WORKER['out_dir'], _WORKER['seed'], progress=False,
                                 strict=_WORKER.get('strict', False))
    return seq.name, result, failure


def visible_gpus() -> List[str]:
    """GPU ids the workers are spread over: the entries of ``CUDA_VISIBLE_DEVICES`` when set, else one per
    device torch sees (none on a machine without CUDA)."""
    listed = os.environ.get('CUDA_VISIBLE_DEVICES')
    if listed is not None:
        return [d.strip() for d in listed.split(',') if d.strip() and not d.strip().startswith('-')]
    import torch
    return [str(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []


def run_sequence_pool(sequences: Seq[Sequence], out_dir: str, make_step: Callable[[Sequence], RefinedTracker], *,
                      workers: int = 1, threads: int = 0, spread_gpus: bool = True, overwrite: bool = False,
                      progress: bool = True, desc: str = 'sequences', seed: int = 0, strict: bool = False,
                      on_done: Optional[Callable[[Sequence, SequenceResult], None]] = None,
                      on_failed: Optional[Callable[[SequenceFailure], None]] = None) -> PoolOutcome:
    """Track every sequence not finished yet in `out_dir`, in this process (`workers` 1) or in a pool of
    `workers` processes, and write each one's files as it finishes; returns what was done.

    The results do not depend on `workers`: every sequence starts from the same global random state
    (:func:`seed_globals`), and each worker builds its step with the same `make_step`. With ``workers > 1``
    `make_step` must pickle (module-level classes/functions, ``functools.partial``): each worker unpickles it
    once, so what it builds and caches (networks) is built once per worker. Workers are started with
    ``spawn`` (safe with CUDA and with torch's thread pools), each with `threads` torch threads (0: torch's
    default) and, when `spread_gpus` and GPUs are visible, one GPU of them, assigned round-robin (worker ``k``
    sees only GPU ``k mod #GPUs`` as ``cuda:0``). A sequence that raises is reported through `on_failed`
    (one line, traceback in ``<seq>_error.log``) and the others go on; `on_done(seq, result)` runs in this
    process after each sequence's files are written. One progress bar counts finished sequences.

    A frame that cannot be read keeps the last box (counted in ``SequenceResult.broken``); with `strict` it
    fails its sequence, naming the path. A result file that cannot be written (full disk) raises
    :class:`ResultWriteError` here and stops the run; finished sequences keep their files. Temporaries left
    by killed writers in `out_dir` are removed first.
    """
    outcome = PoolOutcome()
    remove_stale_temporaries(out_dir)
    todo = [s for s in sequences if overwrite or not is_finished(out_dir, s.name, len(s.frames))]
    todo_names = {s.name for s in todo}
    outcome.finished_before = [s.name for s in sequences if s.name not in todo_names]
    bar = tqdm(total=len(sequences), initial=len(sequences) - len(todo), desc=desc, unit='seq', disable=not progress)

    def collect(seq: Sequence, result: Optional[SequenceResult], failure: Optional[SequenceFailure]) -> None:
        if failure is not None:
            outcome.failed.append(failure)
            if on_failed is not None:
                on_failed(failure)
        else:
            outcome.done[seq.name] = result
            if on_done is not None:
                on_done(seq, result)
        bar.update(1)

    try:
        if workers <= 1 or len(todo) <= 1:
            for seq in todo:
                collect(seq, *_track_one(seq, make_step, out_dir, seed, progress, strict))
        else:
            _run_pool(todo, out_dir, make_step, min(workers, len(todo)), threads, spread_gpus, seed, collect, strict)
    finally:
        bar.close()
    return outcome


def _run_pool(todo: List[Sequence], out_dir: str, make_step: Callable[[Sequence], RefinedTracker], workers: int,
              threads: int, spread_gpus: bool, seed: int,
              collect: Callable[[Sequence, Optional[SequenceResult], Optional[SequenceFailure]], None],
              strict: bool = False) -> None:
    """The process pool of :func:`run_sequence_pool` (spawned workers, results collected as they finish)."""
    import multiprocessing
    import pickle
    from concurrent.futures import ProcessPoolExecutor, as_completed
    try:
        pickle.dumps(make_step)
    except (pickle.PicklingError, AttributeError, TypeError) as e:
        raise ValueError(f"parallel runs need a step factory that pickles (module-level classes or functions, "
                         f"no lambdas or closures): {e}") from None
    ctx = multiprocessing.get_context('spawn')
    gpus = visible_gpus() if spread_gpus else []
    devices = None
    if gpus:
        devices = ctx.Queue()
        for k in range(workers):
            devices.put(gpus[k % len(gpus)])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                               initargs=(make_step, out_dir, threads, seed, devices, strict))
    try:
        futures = {pool.submit(_track_in_worker, seq): seq for seq in todo}
        for future in as_completed(futures):
            seq = futures[future]
            try:
                _, result, failure = future.result()
            except ResultWriteError:
                raise
            except Exception as e:  # the worker died (killed, out of memory) or could not start
                result, failure = None, SequenceFailure(seq.name, f"worker process failed: {type(e).__name__}: "
                                                                  f"{' '.join(str(e).split())}")
            collect(seq, result, failure)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# -- pytracking's runner (upstream names) ------------------------------------------------------
def run_sequence(seq: Sequence, tracker: Any, debug: bool = False, visdom_info: Any = None) -> Optional[SequenceResult]:
    """Run `tracker` (a :class:`pytracking.tracker_factory.Tracker`) on `seq` and save its results
    in ``tracker.results_dir``, unless they exist already (then None)."""
    if is_finished(tracker.results_dir, seq.name, len(seq.frames)) and not debug:
        return None
    result = tracker.track_sequence(seq, debug=debug)
    if not debug:
        write_sequence_result(tracker.results_dir, seq.name, result)
    return result


class TrackerRunStep:
    """A picklable step factory for :func:`run_sequence_pool` over a pytracking ``Tracker``
    (:class:`pytracking.tracker_factory.Tracker`): the parameter set (and so its network) is made once per
    process, each sequence gets a fresh tracker on a copy of it; boxes are the tracker's own (pytracking's
    runner: ``clip_output=False``)."""

    def __init__(self, tracker: Any, debug: int = 0) -> None:
        self.tracker, self.debug = tracker, int(debug)
        self._params = None

    def __getstate__(self) -> Dict[str, Any]:
        return {'tracker': self.tracker, 'debug': self.debug, '_params': None}

    def __call__(self, seq: Sequence) -> RefinedTracker:
        if self._params is None:
            self._params = self.tracker.get_parameters(debug=self.debug)
        return RefinedTracker(self.tracker.create_tracker(self._params.copy()), None, clip_output=False)


def _run_one(task: Tuple[Sequence, Any, bool]) -> str:
    seq, tracker, debug = task
    run_sequence(seq, tracker, debug=debug)
    return seq.name


def run_dataset(dataset: SequenceList, trackers: List[Any], debug: bool = False, threads: int = 0,
                visdom_info: Any = None) -> None:
    """Run every tracker on every sequence of `dataset` (finished ones skipped), with a tqdm bar.

    `threads` > 1 runs (sequence, tracker) pairs in that many worker processes (upstream's
    ``multiprocessing`` mode); 0 or 1 runs them in this process.
    """
    tasks = [(seq, trk, debug) for trk in trackers for seq in dataset
             if debug or not is_finished(trk.results_dir, seq.name, len(seq.frames))]
    total = len(dataset) * len(trackers)
    bar = tqdm(total=total, initial=total - len(tasks), desc='tracking', unit='seq')
    if threads > 1 and len(tasks) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=threads) as pool:
            for _ in pool.map(_run_one, tasks):
                bar.update(1)
    else:
        for task in tasks:
            _run_one(task)
            bar.update(1)
    bar.close()
