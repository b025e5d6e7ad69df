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
whose public names are importable from here too. See ``doc/arena.md``.
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
from arena.refiners import GtSizeOracle, MaskBoxRefiner, RefinerError, load_refiner
from arena.trackers import TrackerUnavailable, tracker_factory
from ltr.admin.cli import user_error_types
from ltr.admin.fileio import atomic_write_text
from pytracking.evaluation.data import Sequence, SequenceList
from pytracking.evaluation.refiner_source import find_refiner, refiner_identity
from pytracking.evaluation.running import RefinedTracker, SequenceResult, StepCounts, run_sequences

__all__ = ['ArenaError', 'RunSummary', 'result_name', 'oracle_name', 'load_arena_benchmark', 'run_arena',
           'recorded_fps', 'main', 'main_named',
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
    """What one tracker run did: sequences run now / skipped, frames, times, robustness counts.
    ``results_dir`` is the benchmark's folder (``arena/*/eval.py --results-dir``), ``out_dir`` the run's."""
    tracker_name: str
    results_dir: str
    out_dir: str
    ran: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)
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
        """One log line with the numbers and both robustness counts."""
        fps = f"{self.fps:.1f} fps" if self.ran else 'nothing to run'
        return (f"{self.tracker_name}: {len(self.ran)} sequences run, {len(self.skipped)} already done; {fps}; "
                f"base boxes replaced (NaN/empty/outside): {self.counts.bad_base}, "
                f"refinements fallen back to the base box: {self.counts.refine_fallback}")


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


def _start_record(out_dir: str, settings: dict, overwrite: bool, restart_on_change: bool) -> Tuple[dict, bool]:
    """(run record of `out_dir`, whether to rerun every sequence). A resumed run must not mix settings:
    other settings are an ArenaError, or a restart when `restart_on_change`."""
    path = os.path.join(out_dir, RUN_INFO)
    record = _read_json(path)
    if record is not None and record.get('settings') != settings:
        if not (overwrite or restart_on_change):
            old = record.get('settings', {})
            changed = sorted(k for k in set(settings) | set(old) if settings.get(k) != old.get(k))
            raise ArenaError(f"{path}: results in {out_dir} were made with other settings ({', '.join(changed)}); "
                             f"use --overwrite or another --save-dir")
        overwrite = True
    if record is None or overwrite:
        record = {'settings': settings, 'sequences': {}}
    os.makedirs(out_dir, exist_ok=True)
    atomic_write_text(path, json.dumps(record, indent=1, sort_keys=True) + '\n')
    return record, overwrite


def _sequence_entry(result: SequenceResult) -> dict:
    return {'frames': int(len(result.boxes)), 'fps': round(result.fps(), 3),
            'base_s': round(float(result.base_times[1:].sum()), 6),
            'refine_s': round(float(result.refine_times[1:].sum()), 6),
            'bad_base': result.counts.bad_base, 'refine_fallback': result.counts.refine_fallback}


# -- running -----------------------------------------------------------------------------------
def run_arena(bench: ArenaBenchmark, save_dir: str, tracker_name: str, make_tracker: Callable[[], Any],
              refiner_for: Optional[Callable[[Sequence], Any]] = None, settings: Optional[dict] = None, *,
              mode: str = 'all', overwrite: bool = False, restart_on_change: bool = False, progress: bool = True,
              log: Optional[Callable[[str], None]] = None) -> RunSummary:
    """Run one tracker (base, or base + refiner when `refiner_for` is given) over `bench`.

    `make_tracker()` returns a fresh base tracker; `refiner_for(seq)` the refiner for a sequence
    (usually one shared RefineModule). Results go to ``<save_dir>/<bench.name>/<tracker_name>/``;
    finished sequences are skipped unless `overwrite`. `settings` (JSON-able; the synthetic tree's
    generator parameters are added) are recorded in ``run_info.json``; resuming with other settings is
    an ArenaError, or reruns everything when `restart_on_change` (the demo, after a refiner change).
    `log` receives the per-sequence robustness counts (when not zero) and the summary line
    (default: ``tqdm.write``, which keeps progress bars intact).
    """
    from tqdm import tqdm
    log = log or tqdm.write
    bench_dir = os.path.join(save_dir, bench.name)
    out_dir = os.path.join(bench_dir, *tracker_name.split('/'))
    _check_manifest(bench_dir, bench.manifest, overwrite or restart_on_change)
    full = dict(settings or {}, tracker_name=tracker_name, benchmark=bench.name, split=bench.split)
    if bench.manifest is not None:
        full['synthetic'] = bench.manifest
    record, overwrite = _start_record(out_dir, full, overwrite, restart_on_change)
    summary = RunSummary(tracker_name, bench_dir, out_dir)

    def make_step(seq: Sequence) -> RefinedTracker:
        return RefinedTracker(make_tracker(), refiner_for(seq) if refiner_for else None, mode=mode)

    def on_done(seq: Sequence, result: SequenceResult) -> None:
        summary.ran.append(seq.name)
        summary.counts.add(result.counts)
        summary.base_time += float(result.base_times[1:].sum())
        summary.refine_time += float(result.refine_times[1:].sum())
        record['sequences'][seq.name] = _sequence_entry(result)
        atomic_write_text(os.path.join(out_dir, RUN_INFO), json.dumps(record, indent=1, sort_keys=True) + '\n')
        if result.counts.bad_base or result.counts.refine_fallback:
            first = f" (first: {result.counts.first_fallback})" if result.counts.first_fallback else ''
            log(f"{tracker_name}/{seq.name}: base boxes replaced: {result.counts.bad_base}, "
                f"refinements fallen back: {result.counts.refine_fallback}{first}")

    run_sequences(bench.sequences, out_dir, make_step, overwrite=overwrite, progress=progress,
                  desc=tracker_name[:40], on_done=on_done)
    summary.skipped = [s.name for s in bench.sequences if s.name not in summary.ran]
    log(summary.line())
    return summary


def recorded_fps(out_dir: str, seq_names: Seq[str]) -> Dict[str, float]:
    """fps, base and refine seconds over `seq_names` from a run's ``run_info.json`` (resumed runs included)."""
    record = _read_json(os.path.join(out_dir, RUN_INFO)) or {'sequences': {}}
    entries = [record['sequences'][s] for s in seq_names if s in record['sequences']]
    frames = sum(e['frames'] - 1 for e in entries)
    base = sum(e['base_s'] for e in entries)
    refine = sum(e['refine_s'] for e in entries)
    return {'fps': frames / (base + refine) if base + refine > 0 else float('nan'), 'base_s': base,
            'refine_s': refine, 'frames': frames, 'bad_base': sum(e['bad_base'] for e in entries),
            'refine_fallback': sum(e['refine_fallback'] for e in entries)}


# -- command line ------------------------------------------------------------------------------
def build_parser(benchmark: str, tracker: str, param: str, refine: bool, mode: str = 'all') -> argparse.ArgumentParser:
    """Flags in dash form, underscore form and upstream names accepted."""
    what = f"{tracker} ({param})" + (' + Alpha-Refine' if refine else '')
    p = argparse.ArgumentParser(description=f'Run {what} on {benchmark} (arena layout results).')
    p.add_argument('--dataset-root', '--dataset_root', dest='dataset_root', default=None,
                   help='benchmark root (default: common_path.dataset_root_; unset -> synthetic benchmark)')
    p.add_argument('--save-dir', '--save_dir', dest='save_dir', default=None,
                   help='results go to <save-dir>/<Benchmark>/<tracker_name>/ (default: common_path.save_dir)')
    p.add_argument('--param', '--tracker_param', dest='param', default=param, help=f'parameter set (default {param})')
    p.add_argument('--split', default=None, help='benchmark split (LaSOT test, GOT10k val, TrackingNet TEST)')
    p.add_argument('--video', '--sequence', dest='videos', action='append', default=None,
                   help='run only this sequence (repeatable)')
    p.add_argument('--first', type=int, default=None, help='run only the first N sequences')
    p.add_argument('--overwrite', action='store_true', help='rerun finished sequences')
    p.add_argument('--threads', type=int, default=1, help='torch threads (upstream: 1; 0 = torch default)')
    p.add_argument('--debug', type=int, default=0, help='tracker debug level')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    if refine:
        p.add_argument('--refine-path', '--refine_path', dest='refine_path', default=None,
                       help='refiner checkpoint (default: common_path.refine_path, else the official file at the '
                            'README location, else a local SEcm_lite0_synthetic run, else the shipped demo refiner)')
        p.add_argument('--selector', type=int, default=None, help='refiner box selector (default common_path.selector_path)')
        p.add_argument('--mode', default=mode, choices=('all', 'corner', 'mask', 'bbox'),
                       help=f"refiner mode (default '{mode}'; 'mask' = box of the thresholded mask, as run_siamrpn_RFm2b.py)")
        p.add_argument('--thres', type=float, default=0.5, help="mask threshold of --mode mask (default 0.5)")
        p.add_argument('--device', default=None, help='torch device of the refiner (default: CUDA if available, else CPU)')
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


def _run_name(args: Any, tracker: str, defaults: Any, refine: bool, selector: int = 0) -> str:
    """Result folder of a run; mask-mode runs get upstream's ``_m2b_<thres>`` after RF_type."""
    if not refine:
        return result_name(tracker, args.param)
    rf_type = defaults.RF_type + (f'_m2b_{args.thres}' if getattr(args, 'mode', 'all') == 'mask' else '')
    return result_name(tracker, args.param, rf_type, selector)


def main(argv: Optional[List[str]], benchmark: str, defaults: Any, tracker: str, param: str = 'default',
         refine: bool = False, mode: str = 'all') -> int:
    """The thin scripts' entry point; returns the exit status (errors: one line on stderr, status 1).
    `mode` is the default of ``--mode`` (``'mask'``: ``run_siamrpn_RFm2b.py``, with ``--thres``)."""
    return _run(argv, benchmark, defaults, tracker, param, refine, mode)[0]


def _run(argv: Optional[List[str]], benchmark: str, defaults: Any, tracker: str, param: str = 'default',
         refine: bool = False, mode: str = 'all') -> Tuple[int, Any, Optional[RunSummary]]:
    """:func:`main`, also returning the parsed flags and the run's summary (None after an error)."""
    args = build_parser(benchmark, tracker, param, refine, mode).parse_args(argv)
    prog = os.path.basename(sys.argv[0]) or 'runner'
    try:
        make_tracker = tracker_factory(tracker, args.param, args.debug)
        if args.threads > 0:
            torch.set_num_threads(args.threads)
        bench = load_arena_benchmark(benchmark, args.dataset_root, getattr(defaults, 'dataset_root_', ''), args.split)
        if bench.note:
            print(bench.note, flush=True)
        bench.sequences = _select(bench.sequences, args.videos, args.first)
        save_dir = args.save_dir or defaults.save_dir
        settings: Dict[str, Any] = {'tracker': tracker, 'param': args.param, 'refiner': None}
        refiner_for, selector = None, 0
        if refine:
            path, line = find_refiner(args.refine_path, getattr(defaults, 'refine_path', None))
            if path is None:
                raise ArenaError(line)
            print(line, flush=True)
            selector = getattr(defaults, 'selector_path', 0) if args.selector is None else args.selector
            refiner = load_refiner(path, selector, getattr(defaults, 'sr', 2.0), getattr(defaults, 'input_sz', 256),
                                   args.device)
            settings.update(refiner=refiner_identity(path), mode=args.mode, selector=selector)
            if args.mode == 'mask':
                refiner = MaskBoxRefiner(refiner, args.thres)
                settings.update(thres=args.thres)
            refiner_for = lambda seq: refiner  # noqa: E731 (one network, re-initialised per sequence)
        summary = run_arena(bench, save_dir, _run_name(args, tracker, defaults, refine, selector), make_tracker,
                            refiner_for, settings, mode=getattr(args, 'mode', 'all'), overwrite=args.overwrite,
                            progress=not args.quiet)
    except (ArenaError, BenchmarkError, RefinerError, TrackerUnavailable, ValueError, OSError,
            RuntimeError) + user_error_types() as e:
        print(f"{prog}: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 1, args, None
    except KeyboardInterrupt:
        print(f"{prog}: interrupted (finished sequences are kept; run again to resume)", file=sys.stderr)
        return 130, args, None
    print(f"results: {summary.out_dir}")
    return 0, args, summary


def main_named(argv: Optional[List[str]], benchmark: str, defaults: Any, layout: str) -> int:
    """Upstream's ``arena/GOT10k/eval_got10k.py``: ``--tracker NAME`` (:data:`arena.trackers.GOT10K_TRACKERS`;
    ``_RF`` = with Alpha-Refine) runs through :func:`main`, then its results are evaluated
    (:func:`arena.evaluate.run`). ``--rf_code X`` picks ``SEcmnet_ep0040-X.pth.tar`` beside ``refine_path``;
    every other flag is :func:`main`'s."""
    from arena.evaluate import run as evaluate
    from arena.trackers import GOT10K_TRACKERS
    p = argparse.ArgumentParser(description=f'Run a named tracker on {benchmark}, then evaluate it.', add_help=False)
    p.add_argument('--tracker', default='DiMPsuper_RF', help=f"one of {', '.join(GOT10K_TRACKERS)} (or without _RF)")
    p.add_argument('--rf_code', '--rf-code', dest='rf_code', default=None, help='refiner file code (a..e)')
    p.add_argument('--vis', action='store_true', help='accepted for upstream compatibility (no display is used)')
    p.add_argument('--no-eval', dest='no_eval', action='store_true', help='only run, do not evaluate')
    known, rest = p.parse_known_args(argv)
    refine = known.tracker.endswith('_RF')
    key = known.tracker if refine else known.tracker + '_RF'
    if key not in GOT10K_TRACKERS:
        names = ', '.join(list(GOT10K_TRACKERS) + [n[:-3] for n in GOT10K_TRACKERS])
        print(f"{os.path.basename(sys.argv[0])}: error: --tracker {known.tracker}: unknown (known: {names})",
              file=sys.stderr)
        return 1
    tracker, param = GOT10K_TRACKERS[key]
    if known.rf_code and refine:
        path = os.path.join(os.path.dirname(defaults.refine_path), f'SEcmnet_ep0040-{known.rf_code}.pth.tar')
        rest = ['--refine-path', path] + rest
    status, args, summary = _run(rest, benchmark, defaults, tracker, param, refine)
    if status != 0 or known.no_eval:
        return status
    eval_argv = ['--trackers', summary.tracker_name, '--results-dir', summary.results_dir]
    for flag, value in (('--dataset-root', args.dataset_root), ('--split', args.split)):
        if value:
            eval_argv += [flag, value]
    return evaluate(eval_argv, benchmark, defaults, layout=layout)
