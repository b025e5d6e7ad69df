"""THE arena runner: a base tracker with and without Alpha-Refine over a benchmark's sequences.

Every ``arena/<Benchmark>/run_<tracker>[_RF].py`` is a thin script calling :func:`main`. For each
sequence not finished yet (resume) it runs the shared per-frame step
(:class:`pytracking.evaluation.running.RefinedTracker`: base box -> clipped refiner input -> refined
box -> clip (min size 10) -> ``tracker.set_target_box`` feed-back -> written), and writes
``<save_dir>/<Benchmark>/<tracker_name>/<seq>.txt`` (the layout ``arena/<Benchmark>/eval.py`` reads),
``<seq>_time.txt`` and ``run_info.json`` (the settings used, per-sequence fps and robustness counts).

Tracker names keep upstream's style: ``<tracker>_<param>`` for the base run and
``<tracker>_<param>`` + ``RF_type`` + ``-<selector>`` for the refined run (``kcf_default``,
``kcf_defaultAR_CrsM_R34SR20_pixCorr_woPr_woNL_corner-0``). Which sequences (and the synthetic fallback,
``Synthetic-<Benchmark>``, with its generator parameters kept in
``<save_dir>/Synthetic-<Benchmark>/synthetic_manifest.json``) comes from the benchmark layer
(:mod:`arena.benchmarks`); the refiner and its stand-ins from the refiner layer (:mod:`arena.refiners`),
whose public names are importable from here too; upstream's extra experiments (oracle, refiner alone, saved
masks) from :mod:`arena.experiments`.

``--workers N`` tracks N sequences at a time in worker processes and ``--shard I/N`` runs one fixed part of
the benchmark (:func:`pytracking.evaluation.running.run_sequence_pool`); the result files do not depend on
either. A sequence that raises is reported and the others finish. See ``doc/arena.md``.

Damaged data (doc/arena.md, "Broken frames, kills and full disks"): a frame that cannot be read keeps the last
box and is listed in ``run_info.json`` (``broken_frames``, ``broken_paths`` per sequence); a broken first frame,
or any broken frame with ``--strict``, fails its sequence (``failed`` in ``run_info.json``) and the run goes
on. The results folder is checked for writing before anything is loaded; a result file the disk refuses stops
the run in one line, keeping what was written.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence as Seq, Tuple

import numpy as np
import torch

from arena.benchmarks import ArenaBenchmark, BenchmarkError, load_benchmark
from arena.experiments import GtCentreOracle, IteratedRefiner, MaskSavingStep, PreviousBoxTracker
from arena.refiners import GtSizeOracle, MaskBoxRefiner, RefinerError, load_refiner, load_siammask_refiner
from arena.trackers import TrackerUnavailable, tracker_factory
from ltr.admin.cli import user_error_types
from ltr.admin.fileio import atomic_write_text, ensure_writable_folder
from pytracking.evaluation.data import Sequence, SequenceList
from pytracking.evaluation.refiner_source import find_refiner, refiner_identity
from pytracking.evaluation.running import (RefinedTracker, SequenceFailure, SequenceResult, StepCounts, broken_entry,
                                           broken_line, parse_shard, run_record_path, run_sequence_pool,
                                           shard_sequences)

__all__ = ['ArenaError', 'RunSummary', 'result_name', 'oracle_name', 'load_arena_benchmark', 'run_arena',
           'recorded_fps', 'recorded_sequences', 'run_records', 'record_file', 'ArenaStep', 'TrackerBuilder',
           'RefinerBuilder', 'EXPERIMENTS', 'main', 'main_named', 'run_and_report', 'report_file',
           # the benchmark and refiner layers' names, importable from here as before
           'ArenaBenchmark', 'GtSizeOracle', 'MaskBoxRefiner', 'find_refiner', 'refiner_identity', 'load_refiner']

RUN_INFO = 'run_info.json'
MANIFEST = 'synthetic_manifest.json'


class ArenaError(RuntimeError):
    """An arena run that cannot start or continue; the message is one line naming what to do."""


# -- names -------------------------------------------------------------------------------------
def result_name(tracker: str, param: str, rf_type: Optional[str] = None, selector: int = 0) -> str:
    """Upstream-style result folder name: ``kcf_default`` or ``kcf_default`` + RF_type + ``-0``."""
    base = f'{tracker}_{param}'
    return base if rf_type is None else f'{base}{rf_type}-{selector}'


def oracle_name(tracker: str, param: str) -> str:
    """Folder of the 'base centres with ground-truth size' oracle run: ``<tracker>_<param>_gtsize``."""
    return f'{tracker}_{param}_gtsize'


# -- the benchmark of a run --------------------------------------------------------------------
def _full_length(seq: Sequence) -> Sequence:
    """`seq` with its ground truth padded by NaN rows up to the frame count (test splits annotate frame 1 only;
    the readers count their frames)."""
    n, gt = len(seq.frames), np.asarray(seq.ground_truth_rect, dtype=np.float64).reshape(-1, 4)
    if gt.shape[0] >= n:
        return seq
    padded = np.full((n, 4), np.nan)
    padded[:gt.shape[0]] = gt
    return dataclasses.replace(seq, ground_truth_rect=padded)


def load_arena_benchmark(benchmark: str, dataset_root: Optional[str] = None, configured_root: str = '',
                         split: Optional[str] = None, synthetic_root: Optional[str] = None) -> ArenaBenchmark:
    """The sequences a run goes over (:func:`arena.benchmarks.load_benchmark`: `dataset_root`, else
    `configured_root`, else the synthetic fallback), test-split ground truth padded to the frame count."""
    bench = load_benchmark(benchmark, dataset_root, configured_root, split, synthetic_root)
    bench.sequences = SequenceList(_full_length(s) for s in bench.sequences)
    return bench


# -- run records -------------------------------------------------------------------------------
@dataclass
class RunSummary:
    """What one tracker run did: sequences run now / finished before / failed, frames, times, robustness
    counts. ``results_dir`` is the benchmark's folder (``arena/*/eval.py --results-dir``), ``out_dir`` the run's."""
    tracker_name: str
    results_dir: str
    out_dir: str
    ran: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)
    failed: List[SequenceFailure] = field(default_factory=list)
    counts: StepCounts = field(default_factory=StepCounts)
    base_time: float = 0.0
    refine_time: float = 0.0

    @property
    def fps(self) -> float:
        """Frames per second of the sequences run now (initial frames excluded); NaN when none ran."""
        total = self.base_time + self.refine_time
        frames = self.counts.frames - len(self.ran)
        return frames / total if total > 0 else float('nan')

    def line(self) -> str:
        """One log line with the numbers and both robustness counts (and the failures, when any)."""
        fps = f"{self.fps:.1f} fps" if self.ran else 'nothing to run'
        failed = f", {len(self.failed)} failed" if self.failed else ''
        broken = (f", broken frames (last box kept): {self.counts.broken_frames}" if self.counts.broken_frames
                  else '')
        return (f"{self.tracker_name}: {len(self.ran)} sequences run, {len(self.skipped)} already done{failed}; "
                f"{fps}; base boxes replaced (NaN/empty/outside): {self.counts.bad_base}, "
                f"refinements fallen back to the base box: {self.counts.refine_fallback}{broken}")


def _read_json(path: str) -> Optional[dict]:
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise ArenaError(f"{path}: unreadable ({e}); delete it or use --overwrite") from None


def _check_manifest(bench_dir: str, manifest: Optional[dict], replace: bool) -> None:
    """Results of a synthetic benchmark must all come from one generator configuration."""
    if manifest is None:
        return
    path = os.path.join(bench_dir, MANIFEST)
    old = _read_json(path)
    if old is not None and old != manifest and not replace:
        raise ArenaError(f"{path}: results in {bench_dir} were made on a synthetic tree with other generator "
                         f"parameters; use another --save-dir or --overwrite")
    if old != manifest:
        os.makedirs(bench_dir, exist_ok=True)
        atomic_write_text(path, json.dumps(manifest, indent=2, sort_keys=True) + '\n')


def record_file(shard: Optional[Tuple[int, int]] = None) -> str:
    """Name of a run's record: ``run_info.json``, or ``run_info.shard-<I>-of-<N>.json`` for shard I of N (each
    process of a sharded run writes its own, so hosts sharing the folder never overwrite each other's)."""
    return os.path.basename(run_record_path('', shard))


def run_records(out_dir: str) -> Dict[str, dict]:
    """Every run record of `out_dir` (``run_info.json`` and the shards' ``run_info.shard-*.json``) by path."""
    if not os.path.isdir(out_dir):
        return {}
    names = sorted(n for n in os.listdir(out_dir) if n == RUN_INFO or (n.startswith('run_info.shard-')
                                                                         and n.endswith('.json')))
    return {os.path.join(out_dir, n): _read_json(os.path.join(out_dir, n)) or {} for n in names}


def recorded_sequences(out_dir: str) -> Dict[str, dict]:
    """The per-sequence entries of all run records of `out_dir`, merged (a sharded run's are spread over files)."""
    merged: Dict[str, dict] = {}
    for record in run_records(out_dir).values():
        merged.update(record.get('sequences', {}))
    return merged


def _start_record(out_dir: str, settings: dict, overwrite: bool, restart_on_change: bool,
                  name: str = RUN_INFO) -> Tuple[dict, bool]:
    """(this process's run record of `out_dir`, whether to rerun every sequence). A resumed run must not mix
    settings: a record of the folder (any shard's) with other settings is an ArenaError, or a restart when
    `restart_on_change`."""
    path = os.path.join(out_dir, name)
    for other_path, other in run_records(out_dir).items():
        if other.get('settings') != settings and not (overwrite or restart_on_change):
            old = other.get('settings', {})
            changed = sorted(k for k in set(settings) | set(old) if settings.get(k) != old.get(k))
            raise ArenaError(f"{other_path}: results in {out_dir} were made with other settings ({', '.join(changed)}); "
                             f"use --overwrite or another --save-dir")
        if other.get('settings') != settings:
            overwrite = True
    record = _read_json(path)
    if record is None or overwrite:
        record = {'settings': settings, 'sequences': {}}
    os.makedirs(out_dir, exist_ok=True)
    atomic_write_text(path, json.dumps(record, indent=1, sort_keys=True) + '\n')
    return record, overwrite


def _sequence_entry(result: SequenceResult) -> dict:
    """A sequence's line in ``run_info.json``: frames, fps, robustness counts and where the time went (s):
    ``build_s`` making the step (the first sequence of a process includes loading the networks), ``read_s``
    reading frames, ``init_s`` initialising on frame 1, ``base_s`` / ``refine_s`` tracking / refining frames 2..N
    (upstream ``timer.py`` timed such components by hand); ``broken_frames`` / ``broken_paths`` the frames that
    could not be read (their rows repeat the last box)."""
    read = result.read_times if result.read_times is not None else np.zeros(0)
    return {'frames': int(len(result.boxes)), 'fps': round(result.fps(), 3),
            'base_s': round(float(result.base_times[1:].sum()), 6),
            'refine_s': round(float(result.refine_times[1:].sum()), 6),
            'init_s': round(float(result.base_times[0]), 6), 'read_s': round(float(read.sum()), 6),
            'build_s': round(float(result.build_time), 6),
            'bad_base': result.counts.bad_base, 'refine_fallback': result.counts.refine_fallback,
            **broken_entry(result.broken)}


# -- the per-sequence step -------------------------------------------------------------------------
class ArenaStep:
    """The step of one sequence of an arena run (picklable when its parts are, for ``workers > 1``):
    ``make_tracker()`` a fresh base tracker, wrapped by ``wrap_tracker(tracker, seq)`` when given (the
    ground-truth-centre oracle) with the sequence's ground truth; ``refiner_for(seq)`` its refiner (None: base only); with `masks_dir` the
    refiner's masks are saved under ``<masks_dir>/<seq>/`` (``run_dimp_RF_mask.py``)."""

    def __init__(self, make_tracker: Callable[[], Any], refiner_for: Optional[Callable[[Sequence], Any]] = None,
                 mode: str = 'all', wrap_tracker: Optional[Callable[[Any, Any], Any]] = None,
                 masks_dir: Optional[str] = None) -> None:
        self.make_tracker, self.refiner_for, self.mode = make_tracker, refiner_for, mode
        self.wrap_tracker, self.masks_dir = wrap_tracker, masks_dir

    def __call__(self, seq: Sequence) -> RefinedTracker:
        tracker = self.make_tracker()
        if self.wrap_tracker is not None:
            tracker = self.wrap_tracker(tracker, seq.ground_truth_rect)
        refiner = self.refiner_for(seq) if self.refiner_for else None
        if self.masks_dir is not None:
            return MaskSavingStep(tracker, refiner, os.path.join(self.masks_dir, seq.name), mode=self.mode)
        return RefinedTracker(tracker, refiner, mode=self.mode)


class TrackerBuilder:
    """Picklable ``make_tracker`` of the command line: builds ``tracker_factory(tracker, param, debug)`` once
    per process (networks loaded once per worker) and returns a fresh tracker per call."""

    def __init__(self, tracker: str, param: str, debug: int = 0) -> None:
        self.tracker, self.param, self.debug = tracker, param, debug
        self._factory: Optional[Callable[[], Any]] = None

    def __getstate__(self) -> dict:
        return dict(self.__dict__, _factory=None)

    def factory(self) -> Callable[[], Any]:
        """The tracker factory of this process (built, and so checked, on first use)."""
        if self._factory is None:
            self._factory = tracker_factory(self.tracker, self.param, self.debug)
        return self._factory

    def __call__(self) -> Any:
        return self.factory()()


class RefinerBuilder:
    """Picklable ``refiner_for`` of the command line: loads the refiner once per process (``load_refiner``; or
    SiamMask's when `siammask` names its experiment) and answers it for every sequence. `mask_thres` wraps it in
    :class:`MaskBoxRefiner` (``--mode mask``), `n_iter` in :class:`arena.experiments.IteratedRefiner`."""

    def __init__(self, path: Optional[str], selector: int = 0, sr: float = 2.0, input_sz: int = 256,
                 device: Optional[str] = None, mask_thres: Optional[float] = None, n_iter: Optional[int] = None,
                 siammask: Optional[str] = None, siammask_thres: float = 0.5) -> None:
        self.path, self.selector, self.sr, self.input_sz, self.device = path, selector, sr, input_sz, device
        self.mask_thres, self.n_iter = mask_thres, n_iter
        self.siammask, self.siammask_thres = siammask, siammask_thres
        self._refiner: Any = None

    def __getstate__(self) -> dict:
        return dict(self.__dict__, _refiner=None)

    def build(self) -> Any:
        """The refiner of this process (loaded on first use)."""
        if self._refiner is None:
            if self.siammask is not None:
                refiner = load_siammask_refiner(self.siammask, self.siammask_thres, self.device)
            else:
                refiner = load_refiner(self.path, self.selector, self.sr, self.input_sz, self.device)
            if self.mask_thres is not None:
                refiner = MaskBoxRefiner(refiner, self.mask_thres)
            if self.n_iter is not None:
                refiner = IteratedRefiner(refiner, self.n_iter)
            self._refiner = refiner
        return self._refiner

    def __call__(self, seq: Sequence) -> Any:
        return self.build()


# -- running -----------------------------------------------------------------------------------
def run_arena(bench: ArenaBenchmark, save_dir: str, tracker_name: str, make_tracker: Callable[[], Any],
              refiner_for: Optional[Callable[[Sequence], Any]] = None, settings: Optional[dict] = None, *,
              mode: str = 'all', overwrite: bool = False, restart_on_change: bool = False, progress: bool = True,
              log: Optional[Callable[[str], None]] = None, workers: int = 1, threads: int = 0,
              spread_gpus: bool = True, shard: Optional[Tuple[int, int]] = None,
              wrap_tracker: Optional[Callable[[Any, Any], Any]] = None, save_masks: bool = False,
              strict: bool = False) -> RunSummary:
    """Run one tracker (base, or base + refiner when `refiner_for` is given) over `bench`.

    `make_tracker()` returns a fresh base tracker; `refiner_for(seq)` the refiner for a sequence
    (usually one shared RefineModule). Results go to ``<save_dir>/<bench.name>/<tracker_name>/``;
    finished sequences are skipped unless `overwrite`. `settings` (JSON-able; the synthetic tree's
    generator parameters are added) are recorded in ``run_info.json``; resuming with other settings is
    an ArenaError, or reruns everything when `restart_on_change` (the demo, after a refiner change).
    `log` receives the per-sequence robustness counts (when not zero), one line per failed sequence and the
    summary line (default: ``tqdm.write``, which keeps progress bars intact).

    `workers` > 1 tracks that many sequences at a time in worker processes
    (:func:`pytracking.evaluation.running.run_sequence_pool`: `make_tracker` and `refiner_for` must then
    pickle, e.g. :class:`TrackerBuilder` / :class:`RefinerBuilder`; `threads` torch threads per worker; GPUs
    round-robin when `spread_gpus`); the result files are the same as with one. `shard` ``(I, N)`` only names
    this process's record (``bench.sequences`` is already the shard); `wrap_tracker(tracker, ground_truth)`
    wraps each base tracker (:class:`arena.experiments.GtCentreOracle`); `save_masks` writes the refiner's
    masks to ``<out_dir>/masks/<seq>/%08d.png``. A sequence that raises is listed in ``summary.failed``
    (traceback in ``<seq>_error.log``; ``failed`` in ``run_info.json`` until it succeeds) and the others go on.

    A frame that cannot be read keeps the last box (``broken_frames`` / ``broken_paths`` of the sequence in
    ``run_info.json``); a broken first frame fails the sequence, and so does any broken frame with `strict`.
    The results folder is checked for writing first (FolderNotWritableError naming it); a result file that
    cannot be written raises :class:`pytracking.evaluation.running.ResultWriteError` (the files written
    before stay; a rerun resumes).
    """
    from tqdm import tqdm
    log = log or tqdm.write
    bench_dir = os.path.join(save_dir, bench.name)
    out_dir = os.path.join(bench_dir, *tracker_name.split('/'))
    ensure_writable_folder(out_dir)
    _check_manifest(bench_dir, bench.manifest, overwrite or restart_on_change)
    full = dict(settings or {}, tracker_name=tracker_name, benchmark=bench.name, split=bench.split)
    if bench.manifest is not None:
        full['synthetic'] = bench.manifest
    name = record_file(shard)
    record, overwrite = _start_record(out_dir, full, overwrite, restart_on_change, name)
    summary = RunSummary(tracker_name, bench_dir, out_dir)

    def on_done(seq: Sequence, result: SequenceResult) -> None:
        summary.ran.append(seq.name)
        summary.counts.add(result.counts)
        summary.base_time += float(result.base_times[1:].sum())
        summary.refine_time += float(result.refine_times[1:].sum())
        record['sequences'][seq.name] = _sequence_entry(result)
        record.get('failed', {}).pop(seq.name, None)
        atomic_write_text(os.path.join(out_dir, name), json.dumps(record, indent=1, sort_keys=True) + '\n')
        if result.broken:
            log(f"{tracker_name}/{broken_line(seq.name, result.broken)}")
        if result.counts.bad_base or result.counts.refine_fallback:
            first = f" (first: {result.counts.first_fallback})" if result.counts.first_fallback else ''
            log(f"{tracker_name}/{seq.name}: base boxes replaced: {result.counts.bad_base}, "
                f"refinements fallen back: {result.counts.refine_fallback}{first}")

    step = ArenaStep(make_tracker, refiner_for, mode, wrap_tracker,
                     os.path.join(out_dir, 'masks') if save_masks else None)
    def on_failed(failure: SequenceFailure) -> None:
        record.setdefault('failed', {})[failure.name] = failure.error
        atomic_write_text(os.path.join(out_dir, name), json.dumps(record, indent=1, sort_keys=True) + '\n')
        log(f"{tracker_name}/{failure.line()}")

    outcome = run_sequence_pool(bench.sequences, out_dir, step, workers=workers, threads=threads,
                                spread_gpus=spread_gpus, overwrite=overwrite, progress=progress,
                                desc=tracker_name[:40], strict=strict, on_done=on_done, on_failed=on_failed)
    summary.skipped, summary.failed = outcome.finished_before, outcome.failed
    log(summary.line())
    return summary


def recorded_fps(out_dir: str, seq_names: Seq[str]) -> Dict[str, float]:
    """fps, base and refine seconds over `seq_names` from a run's records (resumed and sharded runs included)."""
    recorded = recorded_sequences(out_dir)
    entries = [recorded[s] for s in seq_names if s in recorded]
    frames = sum(e['frames'] - 1 for e in entries)
    base = sum(e['base_s'] for e in entries)
    refine = sum(e['refine_s'] for e in entries)
    return {'fps': frames / (base + refine) if base + refine > 0 else float('nan'), 'base_s': base,
            'refine_s': refine, 'frames': frames, 'bad_base': sum(e['bad_base'] for e in entries),
            'refine_fallback': sum(e['refine_fallback'] for e in entries)}


# -- command line ------------------------------------------------------------------------------
EXPERIMENTS = ('oracle', 'refiner_alone', 'masks', 'siammask')  # main(experiment=...) besides the plain runs


def build_parser(benchmark: str, tracker: str, param: str, refine: bool, mode: str = 'all',
                 experiment: Optional[str] = None) -> argparse.ArgumentParser:
    """Flags in dash form, underscore form and upstream names accepted."""
    what = {'oracle': f"{tracker} ({param}) reset to the ground-truth centre every frame (oracle)",
            'refiner_alone': 'Alpha-Refine alone (refining its own previous box)',
            'masks': f"{tracker} ({param}) + Alpha-Refine, saving the refiner's masks",
            'siammask': f"{tracker} ({param}) refined by SiamMask's mask"}.get(
        experiment, f"{tracker} ({param})" + (' + Alpha-Refine' if refine else ''))
    p = argparse.ArgumentParser(description=f'Run {what} on {benchmark} (arena layout results).')
    p.add_argument('--dataset-root', '--dataset_root', dest='dataset_root', default=None,
                   help='benchmark root (default: common_path.dataset_root_; unset -> synthetic benchmark)')
    p.add_argument('--save-dir', '--save_dir', dest='save_dir', default=None,
                   help='results go to <save-dir>/<Benchmark>/<tracker_name>/ (default: common_path.save_dir)')
    if experiment != 'refiner_alone':
        p.add_argument('--param', '--tracker_param', dest='param', default=param,
                       help=f'parameter set (default {param})')
    p.add_argument('--split', default=None, help='benchmark split (LaSOT test, GOT10k val, TrackingNet TEST)')
    p.add_argument('--video', '--sequence', dest='videos', action='append', default=None,
                   help='run only this sequence (repeatable)')
    p.add_argument('--first', type=int, default=None, help='run only the first N sequences')
    p.add_argument('--overwrite', action='store_true', help='rerun finished sequences')
    p.add_argument('--workers', type=int, default=1,
                   help='sequences tracked at a time, each worker a process building its tracker and refiner once '
                        '(GPUs of CUDA_VISIBLE_DEVICES assigned round-robin; default 1: this process)')
    p.add_argument('--shard', default=None,
                   help='run only shard I of N (I/N; sequence k, 0-based in the benchmark order, goes to shard k mod N + 1)')
    p.add_argument('--threads', type=int, default=1,
                   help='torch threads of each worker (upstream: 1; 0 = torch default)')
    p.add_argument('--debug', type=int, default=0, help='tracker debug level')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    p.add_argument('--strict', action='store_true',
                   help='a frame that cannot be read fails its sequence (default: its row repeats the last box and '
                        'it is listed in run_info.json)')
    if refine or experiment in ('refiner_alone', 'masks'):
        p.add_argument('--refine-path', '--refine_path', dest='refine_path', default=None,
                       help='refiner checkpoint (default: common_path.refine_path, else the official file at the '
                            'README location, else a local SEcm_lite0_synthetic run, else the shipped demo refiner)')
        p.add_argument('--selector', type=int, default=None, help='refiner box selector (default common_path.selector_path)')
        p.add_argument('--mode', default=mode, choices=('all', 'corner', 'mask', 'bbox'),
                       help=f"refiner mode (default '{mode}'; 'mask' = box of the thresholded mask, as run_siamrpn_RFm2b.py)")
        p.add_argument('--thres', type=float, default=0.5, help="mask threshold of --mode mask (default 0.5)")
    if experiment == 'refiner_alone':
        p.add_argument('--n-iter', '--n_iter', dest='n_iter', type=int, default=2,
                       help="refinements per frame, each of the previous one's clipped output (upstream: 2)")
    if experiment == 'siammask':
        p.add_argument('--siammask', default='siammask_r50_l3',
                       help='SiamMask pysot experiment (pysot/experiments/<name>/config.yaml and model.pth)')
        p.add_argument('--thres', type=float, default=0.5,
                       help="threshold of SiamMask's mask (upstream --thres, default 0.5; SiamMask's own: 0.15)")
    if refine or experiment in ('refiner_alone', 'masks', 'siammask'):
        p.add_argument('--device', default=None,
                       help='torch device of the refiner (default: CUDA if available, else CPU; with --workers, '
                            'each worker its GPU)')
    return p


def _select(seqs: SequenceList, videos: Optional[List[str]], first: Optional[int]) -> SequenceList:
    if videos:
        missing = [v for v in videos if v not in seqs.names()]
        if missing:
            raise ArenaError(f"--video {missing[0]}: no such sequence (e.g. {', '.join(seqs.names()[:3])})")
        seqs = SequenceList(s for s in seqs if s.name in videos)
    if first is not None:
        if first < 1:
            raise ArenaError(f"--first {first}: must be at least 1")
        seqs = seqs[:first]
    return seqs


def _run_name(args: Any, tracker: str, defaults: Any, refine: bool, selector: int = 0,
              experiment: Optional[str] = None) -> str:
    """Result folder of a run (upstream-style names, doc/arena.md): mask-mode runs get upstream's
    ``_m2b_<thres>`` after RF_type, saved-mask runs ``_mask``; the oracle ``<tracker>_<param>_oracle``, the refiner
    alone ``RF_<RF_type>iter-<n>-<selector>``, SiamMask ``<tracker>_<param>_smask_m2b_<thres>``."""
    if experiment == 'oracle':
        return f'{result_name(tracker, args.param)}_oracle'
    if experiment == 'refiner_alone':
        return f'RF_{defaults.RF_type}iter-{args.n_iter}-{selector}'
    if experiment == 'siammask':
        return f'{result_name(tracker, args.param)}_smask_m2b_{args.thres}'
    if not refine:
        return result_name(tracker, args.param)
    rf_type = defaults.RF_type + (f'_m2b_{args.thres}' if getattr(args, 'mode', 'all') == 'mask' else '')
    rf_type += '_mask' if experiment == 'masks' else ''
    return result_name(tracker, args.param, rf_type, selector)


@dataclass
class RunPlan:
    """What the command line asked for: the run's name, its tracker and refiner builders, its settings."""
    name: str
    make_tracker: Callable[[], Any]
    refiner_for: Optional[Callable[[Sequence], Any]]
    settings: Dict[str, Any]
    mode: str = 'all'
    wrap_tracker: Optional[Callable[[Any, Any], Any]] = None
    save_masks: bool = False


def _plan(args: Any, tracker: str, defaults: Any, refine: bool, experiment: Optional[str]) -> RunPlan:
    """Builders of the run (checked now: a missing tracker, model file or refiner is one error before any
    sequence; the builders keep what they loaded for this process)."""
    refine = refine or experiment in ('refiner_alone', 'masks')
    if experiment == 'refiner_alone':
        make_tracker: Callable[[], Any] = PreviousBoxTracker
        settings: Dict[str, Any] = {'tracker': None, 'param': None, 'refiner': None, 'n_iter': args.n_iter}
    else:
        make_tracker = TrackerBuilder(tracker, args.param, args.debug)
        make_tracker.factory()
        settings = {'tracker': tracker, 'param': args.param, 'refiner': None}
    plan = RunPlan('', make_tracker, None, settings, getattr(args, 'mode', 'all'))
    selector = 0
    if experiment == 'oracle':
        plan.wrap_tracker = GtCentreOracle
        settings['oracle'] = 'ground-truth centre'
    elif experiment == 'siammask':
        plan.refiner_for = RefinerBuilder(None, device=args.device, siammask=args.siammask, siammask_thres=args.thres)
        plan.refiner_for.build()
        settings.update(refiner=f'siammask:{args.siammask}', thres=args.thres)
    elif refine:
        path, line = find_refiner(args.refine_path, getattr(defaults, 'refine_path', None))
        if path is None:
            raise ArenaError(line)
        print(line, flush=True)
        selector = getattr(defaults, 'selector_path', 0) if args.selector is None else args.selector
        builder = RefinerBuilder(path, selector, getattr(defaults, 'sr', 2.0), getattr(defaults, 'input_sz', 256),
                                 args.device, mask_thres=args.thres if args.mode == 'mask' else None,
                                 n_iter=getattr(args, 'n_iter', None))
        builder.build()
        plan.refiner_for = builder
        settings.update(refiner=refiner_identity(path), mode=args.mode, selector=selector)
        if args.mode == 'mask':
            settings.update(thres=args.thres)
        if experiment == 'masks':
            plan.save_masks = True
            settings['masks'] = 'refiner mask > 0.5'
    plan.name = _run_name(args, tracker, defaults, refine, selector, experiment)
    return plan


def main(argv: Optional[List[str]], benchmark: str, defaults: Any, tracker: str, param: str = 'default',
         refine: bool = False, mode: str = 'all', experiment: Optional[str] = None) -> int:
    """The thin scripts' entry point; returns the exit status: 0 when every sequence is done, the number of
    failed sequences (at most 125; each reported in one line) when some raised, 1 with a one-line error when
    the run cannot start, 130 when interrupted. `mode` is the default of ``--mode`` (``'mask'``:
    ``run_siamrpn_RFm2b.py``, with ``--thres``); `experiment` one of :data:`EXPERIMENTS` (upstream's
    ``run_<tracker>_oracle.py``, ``run_RF_RF.py``, ``run_dimp_RF_mask.py``, ``run_siamrpn_SiamMask.py``)."""
    return _run(argv, benchmark, defaults, tracker, param, refine, mode, experiment)[0]


def _run(argv: Optional[List[str]], benchmark: str, defaults: Any, tracker: str, param: str = 'default',
         refine: bool = False, mode: str = 'all', experiment: Optional[str] = None
         ) -> Tuple[int, Any, Optional[RunSummary]]:
    """:func:`main`, also returning the parsed flags and the run's summary (None after an error)."""
    if experiment is not None and experiment not in EXPERIMENTS:
        raise ValueError(f"unknown arena experiment '{experiment}' (known: {', '.join(EXPERIMENTS)})")
    args = build_parser(benchmark, tracker, param, refine, mode, experiment).parse_args(argv)
    prog = os.path.basename(sys.argv[0]) or 'runner'
    try:
        if args.workers < 1:
            raise ArenaError(f"--workers {args.workers}: must be at least 1")
        shard = parse_shard(args.shard) if args.shard else None
        if args.threads > 0:
            torch.set_num_threads(args.threads)
        bench = load_arena_benchmark(benchmark, args.dataset_root, getattr(defaults, 'dataset_root_', ''), args.split)
        if bench.note:
            print(bench.note, flush=True)
        bench.sequences = _select(bench.sequences, args.videos, args.first)
        if shard is not None:
            bench.sequences = shard_sequences(bench.sequences, *shard)
        save_dir = args.save_dir or defaults.save_dir
        ensure_writable_folder(save_dir)  # before loading networks and tracking for hours
        plan = _plan(args, tracker, defaults, refine, experiment)
        summary = run_arena(bench, save_dir, plan.name, plan.make_tracker, plan.refiner_for, plan.settings,
                            mode=plan.mode, overwrite=args.overwrite, progress=not args.quiet, workers=args.workers,
                            threads=args.threads, spread_gpus=getattr(args, 'device', None) is None, shard=shard,
                            wrap_tracker=plan.wrap_tracker, save_masks=plan.save_masks, strict=args.strict)
    except (ArenaError, BenchmarkError, RefinerError, TrackerUnavailable, ValueError, OSError,
            RuntimeError) + user_error_types() as e:
        print(f"{prog}: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 1, args, None
    except KeyboardInterrupt:
        print(f"{prog}: interrupted (finished sequences are kept; run again to resume)", file=sys.stderr)
        return 130, args, None
    print(f"results: {summary.out_dir}")
    if summary.failed:
        print(f"{prog}: error: {len(summary.failed)} sequence(s) failed (tracebacks in {summary.out_dir}/"
              f"<seq>_error.log); run again to retry them", file=sys.stderr)
        return min(len(summary.failed), 125), args, summary
    return 0, args, summary


def main_named(argv: Optional[List[str]], benchmark: str, defaults: Any, layout: str) -> int:
    """Upstream's ``arena/GOT10k/eval_got10k.py``: ``--tracker NAME`` (:data:`arena.trackers.GOT10K_TRACKERS`;
    ``_RF`` = with Alpha-Refine) runs through :func:`main`, then its results are evaluated
    (:func:`arena.evaluate.run`). ``--rf_code X`` picks ``SEcmnet_ep0040-X.pth.tar`` beside ``refine_path``;
    every other flag is :func:`main`'s."""
    from arena.trackers import TrackerUnavailable, add_named_tracker_args, named_tracker, refiner_code_args
    p = argparse.ArgumentParser(description=f'Run a named tracker on {benchmark}, then evaluate it.', add_help=False)
    add_named_tracker_args(p)
    known, rest = p.parse_known_args(argv)
    refine = known.tracker.endswith('_RF')
    try:
        tracker, param = named_tracker(known.tracker)
    except TrackerUnavailable as e:
        print(f"{os.path.basename(sys.argv[0])}: error: {e}", file=sys.stderr)
        return 1
    if refine:
        rest = refiner_code_args(defaults.refine_path, known.rf_code) + rest
    return run_and_report(rest, benchmark, defaults, tracker, param, refine, layout, evaluate_after=not known.no_eval)


def report_file(results_dir: str, tracker_name: str) -> str:
    """``<results_dir>/reports/<tracker_name>/performance.json``: the scores ``eval_got10k.py`` / ``eval_other.py``
    write for ``collect_reports.py`` (upstream's report layout, one JSON per tracker)."""
    return os.path.join(results_dir, 'reports', *tracker_name.split('/'), 'performance.json')


def run_and_report(argv: Optional[List[str]], benchmark: str, defaults: Any, tracker: str, param: str, refine: bool,
                   layout: str, evaluate_after: bool = True) -> int:
    """Run (:func:`main`'s flags in `argv`), then score the run with :func:`arena.evaluate.run` and write its
    :func:`report_file`; a sharded run (``--shard``) is not scored (the other shards' sequences are missing)."""
    from arena.evaluate import run as evaluate
    status, args, summary = _run(argv, benchmark, defaults, tracker, param, refine)
    if status != 0 or not evaluate_after:
        return status
    if args.shard:
        print(f"--shard {args.shard}: not evaluated; when every shard has finished, evaluate with "
              f"arena/<Benchmark>/eval.py --results-dir {summary.results_dir}")
        return status
    eval_argv = ['--trackers', summary.tracker_name, '--results-dir', summary.results_dir,
                 '--json', report_file(summary.results_dir, summary.tracker_name)]
    for flag, value in (('--dataset-root', args.dataset_root), ('--split', args.split)):
        if value:
            eval_argv += [flag, value]
    if layout == 'otb':
        eval_argv += ['--dataset', benchmark]
    return evaluate(eval_argv, benchmark, defaults, layout=layout)
