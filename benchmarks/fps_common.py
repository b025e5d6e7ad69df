"""What the arena fps benchmarks share (``arena_fps``, ``atom_fps``, ``eco_fps``, ``rtmdnet_fps``,
``siamrpn_fps``, ``dimp_atom_fps``): their common flags, the synthetic LaSOT-layout test split they run
on, the refiner (the arena's, or an untrained stand-in of the same cost), and one timed run of a
tracker through the arena runner (``arena.runner.run_arena``) with the numbers their tables print.

The scripts import it as ``fps_common`` (Python puts a script's own folder first on ``sys.path``).
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple

import torch

from arena.paths import RF_TYPE
from arena.runner import ArenaBenchmark, load_arena_benchmark, load_refiner, result_name, run_arena

UNTRAINED_LINE = ('refiner: the demo refiner architecture (SEcm_efficientnet_lite0, 128 px) with random weights '
                  '(no checkpoint found; same cost per frame)')
CHECKPOINT_HELP = 'refiner checkpoint (default: the arena lookup, else untrained)'


def add_run_args(p: argparse.ArgumentParser, *, sequences: int, frames: int, size: str, threads: int,
                 threads_help: str = 'torch threads (arena default 1)', device: Optional[str] = None,
                 device_help: Optional[str] = None, checkpoint_help: Optional[str] = CHECKPOINT_HELP) -> None:
    """Add ``--sequences --frames --size --seed --threads`` with these defaults, ``--device`` when
    `device` is given, and ``--checkpoint`` unless `checkpoint_help` is None."""
    p.add_argument('--sequences', type=int, default=sequences)
    p.add_argument('--frames', type=int, default=frames)
    p.add_argument('--size', default=size, help='WxH')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=threads, help=threads_help)
    if device is not None:
        p.add_argument('--device', default=device, help=device_help)
    if checkpoint_help is not None:
        p.add_argument('--checkpoint', default=None, help=checkpoint_help)


def parse_size(text: str) -> Tuple[int, ...]:
    """``'WxH'`` -> ``(W, H)`` (ValueError on a non-integer part)."""
    return tuple(int(v) for v in text.lower().split('x'))


def synthetic_lasot(sequences: int, frames: int, size: Tuple[int, ...], seed: int) -> ArenaBenchmark:
    """The synthetic LaSOT-layout test split of these generator parameters (made on first use) as the
    arena's ``Synthetic-LaSOT`` benchmark."""
    from ltr.dataset.synthetic import ensure_synthetic_benchmark
    root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=sequences, frames=frames,
                                      size=size, seed=seed, progress=False)
    return load_arena_benchmark('LaSOT', synthetic_root=root)


def setup_line(bench: ArenaBenchmark, frames: int, size: Tuple[int, ...], where: str) -> str:
    """The first printed line: benchmark, sequences x frames, frame size, torch threads, then `where`."""
    return (f"{bench.name}: {len(bench.sequences)} sequences x {frames} frames at {size[0]}x{size[1]}, "
            f"torch threads {torch.get_num_threads()}, {where}")


def untrained_refiner_net(seed: Optional[int] = 0) -> torch.nn.Module:
    """The demo refiner's architecture (``SEcm_efficientnet_lite0``, input 128) with random weights,
    drawn after ``torch.manual_seed(seed)`` (``seed=None``: from the generator's current state)."""
    from ltr.models.SEx_beta.SEcm_lite0 import SEcm_efficientnet_lite0
    if seed is not None:
        torch.manual_seed(seed)
    return SEcm_efficientnet_lite0(backbone_pretrained=False, input_sz=128)


def arena_refiner(checkpoint: Optional[str], device: str, seed: Optional[int] = 0) -> Tuple[Any, str]:
    """(refiner, the line saying which): `checkpoint`, else the arena's lookup
    (``pytracking.evaluation.refiner_source.find_refiner``), else :func:`untrained_refiner_net` (`seed`)."""
    from pytracking.evaluation.refiner_source import find_refiner
    path, line = find_refiner(checkpoint)
    if path is None:
        path, line = untrained_refiner_net(seed), UNTRAINED_LINE
    return load_refiner(path, device=device), line


@dataclass
class TimedRun:
    """One tracker run through the arena runner: `frames` tracked frames (frame 1 of each of the
    `sequences` excluded), the runner's tracker and refiner seconds over them, and the `wall` seconds
    of the whole run (initialisation and frame decoding included)."""
    name: str
    out_dir: str
    sequences: int
    frames: int
    base_time: float
    refine_time: float
    wall: float

    @property
    def fps(self) -> float:
        """Tracked frames per runner-timed second (tracker + refiner calls); NaN when nothing was timed."""
        total = self.base_time + self.refine_time
        return self.frames / total if total > 0 else float('nan')

    @property
    def wall_fps(self) -> float:
        """Tracked frames per wall-clock second of the whole run."""
        return self.frames / self.wall

    @property
    def wall_fps_all_frames(self) -> float:
        """All frames (first frames included) per wall-clock second of the whole run."""
        return (self.frames + self.sequences) / self.wall

    @property
    def base_ms(self) -> float:
        """Tracker milliseconds per tracked frame."""
        return 1000 * self.base_time / self.frames

    @property
    def refine_ms(self) -> float:
        """Refiner milliseconds per tracked frame."""
        return 1000 * self.refine_time / self.frames

    @property
    def refiner_share(self) -> float:
        """The refiner's fraction of the timed frame time (0 to 1)."""
        return self.refine_time / (self.base_time + self.refine_time)

    @property
    def init_s_per_sequence(self) -> float:
        """Untimed seconds per sequence: initialisation plus frame decoding."""
        return (self.wall - self.base_time - self.refine_time) / self.sequences


def timed_run(bench: ArenaBenchmark, save_dir: str, name: str, make_tracker: Callable[[], Any],
              refiner: Optional[Any] = None) -> TimedRun:
    """Run the fresh trackers of `make_tracker` (and `refiner` on every frame when given) over `bench`
    into ``save_dir`` as tracker `name`, quietly, and time it."""
    start = time.perf_counter()
    s = run_arena(bench, save_dir, name, make_tracker, None if refiner is None else (lambda seq: refiner), {},
                  progress=False, log=lambda text: None)
    wall = time.perf_counter() - start
    return TimedRun(name, s.out_dir, len(s.ran), s.counts.frames - len(s.ran), s.base_time, s.refine_time, wall)


def run_base_and_refined(bench: ArenaBenchmark, save_dir: str, tracker: str, param: str,
                         make_tracker: Callable[[], Any], refiner: Any) -> Tuple[TimedRun, TimedRun]:
    """:func:`timed_run` of ``<tracker>_<param>`` alone, then with `refiner` under the arena's refined
    result name (``RF_TYPE``, selector 0)."""
    base = timed_run(bench, save_dir, result_name(tracker, param), make_tracker)
    refined = timed_run(bench, save_dir, result_name(tracker, param, RF_TYPE, 0), make_tracker, refiner)
    return base, refined
