"""A fingerprint of the arena's result files: sha256 of every ``<seq>.txt`` of every arena run on a tiny set.

Runs, through the arena runner (``arena.runner.run_arena``) on a generated synthetic LaSOT-layout test split
(default 2 sequences x 6 frames at 160x120, in a temporary folder), every tracker x parameter set the arena
knows (discovered: ``tests/arena/random_trackers.py``) with seeded random-weight networks, once alone and
once with a seeded random-weight refiner (SEcm_resnet18, input 128: ``tests/conftest.py``'s), plus
SiamRPN++ with the mask -> box refiner (``run_siamrpn_RFm2b.py``), KCF with the refiner's ``corner`` and
``mask`` modes and the ground-truth-size oracle. Prints one ``sha256  <Benchmark>/<tracker>/<seq>.txt`` line
per result file (timing files excluded) and one line of robustness counts (or the error a run stopped with:
random weights drive some trackers into states they cannot handle) per run, sorted, so two runs of
the script (before and after a change) can be compared with ``diff``:

    .venv/bin/python benchmarks/arena_snapshot.py > before.txt   # ... change ...
    .venv/bin/python benchmarks/arena_snapshot.py > after.txt && diff before.txt after.txt

Takes about two minutes on two CPU cores (one torch thread).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from typing import List

import torch

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'tests', 'arena'))
from random_trackers import all_tracker_params, random_refiner_net, tracker_factory  # noqa: E402

from arena.paths import RF_TYPE  # noqa: E402
from arena.refiners import GtSizeOracle, MaskBoxRefiner, load_refiner  # noqa: E402
from arena.runner import load_arena_benchmark, result_name, run_arena  # noqa: E402


def digest_lines(save_dir: str) -> List[str]:
    """``sha256  relative/path`` of every result box file under `save_dir` (``*_time.txt`` excluded), sorted."""
    lines = []
    for folder, _, files in os.walk(save_dir):
        for name in files:
            if name.endswith('.txt') and not name.endswith('_time.txt'):
                path = os.path.join(folder, name)
                with open(path, 'rb') as f:
                    lines.append(f"{hashlib.sha256(f.read()).hexdigest()}  {os.path.relpath(path, save_dir)}")
    return sorted(lines)


def main(argv: List[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--sequences', type=int, default=2)
    p.add_argument('--frames', type=int, default=6)
    p.add_argument('--size', default='160x120', help='WxH')
    p.add_argument('--only', default=None, help='run only trackers whose name starts with this')
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    from ltr.dataset.synthetic import ensure_synthetic_benchmark
    size = tuple(int(v) for v in args.size.lower().split('x'))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        root = ensure_synthetic_benchmark(layout='lasot', split='test', num_sequences=args.sequences,
                                          frames=args.frames, size=size, root=os.path.join(tmp, 'tree'), progress=False)
        bench = load_arena_benchmark('LaSOT', synthetic_root=root)
        save_dir = os.path.join(tmp, 'results')
        refiner = load_refiner(random_refiner_net(0), device='cpu')
        counts = []

        def run(name, make, refiner_for=None, mode='all'):
            t0 = time.perf_counter()
            try:
                s = run_arena(bench, save_dir, name, make, refiner_for, {}, mode=mode, progress=False,
                              log=lambda text: None)
            except Exception as e:  # a tracker that crashes on random weights is part of the fingerprint
                counts.append(f"error  {name}: {type(e).__name__}: {e}")
            else:
                counts.append(f"counts  {name}: frames {s.counts.frames} bad_base {s.counts.bad_base} "
                              f"refine_fallback {s.counts.refine_fallback}")
            print(f"# {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)

        for tracker, param in all_tracker_params():
            if args.only and not tracker.startswith(args.only):
                continue
            make = tracker_factory(tracker, param, seed=0)
            run(result_name(tracker, param), make)
            run(result_name(tracker, param, RF_TYPE, 0), make, lambda seq: refiner)
            if tracker == 'siamrpn':
                masked = MaskBoxRefiner(refiner, 0.5)
                run(result_name(tracker, param, RF_TYPE + '_m2b_0.5', 0), make, lambda seq: masked, mode='mask')
            if (tracker, param) == ('kcf', 'default'):
                for mode in ('corner', 'mask'):
                    run(result_name(tracker, param, f'{RF_TYPE}_{mode}', 0), make, lambda seq: refiner, mode=mode)
                run(f'{tracker}_{param}_gtsize', make, lambda seq: GtSizeOracle(seq.ground_truth_rect))
        lines = digest_lines(save_dir)
    print('\n'.join(lines + sorted(counts)))
    print(f"# {len(lines)} result files, {len(counts)} runs, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
