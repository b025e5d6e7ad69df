"""Picklable stand-ins for the parallel-run tests (``tests/arena/test_parallel.py``): worker processes are
spawned, so what they build must be importable by name (this module; its folder is on ``sys.path``)."""
from __future__ import annotations

import os
import time
from typing import Any, Optional

from random_trackers import random_refiner_net


class TinyRefiner:
    """``refiner_for`` answering the tests' random-weight refiner (seed 0), built once per process."""

    def __init__(self) -> None:
        self._refiner = None

    def __getstate__(self) -> dict:
        return {'_refiner': None}

    def __call__(self, seq: Any) -> Any:
        if self._refiner is None:
            from arena.refiners import load_refiner
            self._refiner = load_refiner(random_refiner_net(0), device='cpu')
        return self._refiner


class FailingOn:
    """``refiner_for`` that raises for the sequences named in `names` (a broken sequence) and answers
    `inner(seq)` (or no refiner) for the others."""

    def __init__(self, names, inner: Optional[Any] = None) -> None:
        self.names, self.inner = set(names), inner

    def __call__(self, seq: Any) -> Any:
        if seq.name in self.names:
            raise RuntimeError(f"broken sequence {seq.name}")
        return self.inner(seq) if self.inner is not None else None


class SlowKCF:
    """``make_tracker``: KCF that sleeps `delay` seconds per frame (so a test can kill a run in the middle)."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay = delay

    def __call__(self) -> Any:
        from pytracking.parameter import load_parameters
        from pytracking.tracker import load_tracker_class
        base = load_tracker_class('kcf')
        delay = self.delay

        class Slow(base):
            def track(self, image, info=None):
                time.sleep(delay)
                return super().track(image, info)

        return Slow(load_parameters('kcf', 'default'))


class DeviceRecorder:
    """``refiner_for`` writing the worker's ``CUDA_VISIBLE_DEVICES`` to ``<folder>/<seq>.env`` (no refiner)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, seq: Any) -> None:
        with open(os.path.join(self.folder, seq.name + '.env'), 'w') as f:
            f.write(os.environ.get('CUDA_VISIBLE_DEVICES', ''))
        return None
