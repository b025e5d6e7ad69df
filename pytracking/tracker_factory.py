"""``Tracker(name, parameter_name, run_id)``: one base tracker with one parameter set (pytracking's class).

A top-level module because it joins two layers: it builds trackers (``pytracking/tracker``) from parameter
sets (``pytracking/parameter``) and runs them with ``pytracking/evaluation``, which sits below both.
Upstream's import path ``pytracking.evaluation.Tracker`` resolves to it on first access.

Loads ``pytracking/tracker/<name>`` (``get_tracker_class()``) and
``pytracking/parameter/<name>/<parameter_name>.py`` (``parameters()``), runs sequences through the
shared per-frame step (:class:`pytracking.evaluation.running.RefinedTracker`) and keeps its results in
``<results_path>/<name>/<parameter_name>[_<run_id:03d>]/`` (``results_path`` from
``pytracking/evaluation/local.py`` / ``PYTRACKING_RESULTS_PATH``).
"""
from __future__ import annotations

import os
from typing import Any, Dict, Optional

from pytracking.evaluation.data import Sequence
from pytracking.evaluation.running import RefinedTracker, SequenceResult, track_sequence
from pytracking.parameter import load_parameters
from pytracking.tracker import load_tracker_class
from pytracking.utils.environment import env_settings
from pytracking.utils.params import TrackerParams

__all__ = ['Tracker', 'trackerlist']


class Tracker:
    """A tracker name + parameter set (+ run id), its results folder, and how to run it.

    args:
        name: tracker package under ``pytracking/tracker/`` (e.g. ``'kcf'``).
        parameter_name: parameter file under ``pytracking/parameter/<name>/`` (e.g. ``'default'``).
        run_id: None, or an integer appended as ``_%03d`` to the results folder (repeated runs).
        display_name: a name for tables and plots (default ``<name>_<parameter_name>[_<run_id>]``).
        results_path: override of ``env_settings().results_path``.

    Unknown tracker or parameter names raise ValueError listing the available ones (at construction).
    """

    def __init__(self, name: str, parameter_name: str, run_id: Optional[int] = None,
                 display_name: Optional[str] = None, results_path: Optional[str] = None) -> None:
        if run_id is not None and (isinstance(run_id, bool) or not isinstance(run_id, int) or run_id < 0):
            raise ValueError(f"run_id must be None or a non-negative integer, got {run_id!r}")
        self.name = name
        self.parameter_name = parameter_name
        self.run_id = run_id
        self.tracker_class = load_tracker_class(name)
        load_parameters(name, parameter_name)  # fail now (clear error) rather than mid-run
        self.display_name = display_name or f"{name}_{parameter_name}" + ('' if run_id is None else f'_{run_id:03d}')
        root = results_path if results_path is not None else env_settings().results_path
        if not root:
            raise ValueError("results_path is not set: set it in pytracking/evaluation/local.py or PYTRACKING_RESULTS_PATH")
        folder = parameter_name if run_id is None else f'{parameter_name}_{run_id:03d}'
        self.results_dir = os.path.join(root, name, folder)

    def __repr__(self) -> str:
        return f"Tracker({self.name!r}, {self.parameter_name!r}, run_id={self.run_id!r})"

    def get_parameters(self, **overrides: Any) -> TrackerParams:
        """A fresh parameter object of this set, with declared knobs in `overrides` set."""
        return load_parameters(self.name, self.parameter_name).update(overrides)

    def create_tracker(self, params: Optional[TrackerParams] = None) -> Any:
        """A new tracker instance (its own state) with `params` (default: :meth:`get_parameters`)."""
        return self.tracker_class(params if params is not None else self.get_parameters())

    def track_sequence(self, seq: Sequence, debug: Optional[int] = None, visualization: Optional[bool] = None,
                       refiner: Any = None, mode: str = 'all') -> SequenceResult:
        """Track `seq` from its first ground-truth box; returns boxes, times and robustness counts.

        Without `refiner` the boxes are the tracker's own (pytracking's runner; only an unusable box is
        replaced by the previous one); with one, the refined and clipped boxes fed back each frame.
        """
        overrides: Dict[str, Any] = {}
        if debug is not None:
            overrides['debug'] = int(debug)
        if visualization is not None:
            overrides['visualization'] = bool(visualization)
        step = RefinedTracker(self.create_tracker(self.get_parameters(**overrides)), refiner, mode=mode,
                              clip_output=refiner is not None)
        return track_sequence(seq, step)

    def run_sequence(self, seq: Sequence, debug: Optional[int] = None, visualization: Optional[bool] = None) -> dict:
        """Upstream's return form: ``{'target_bbox': [[x, y, w, h], ...], 'time': [s, ...]}`` (nothing is written)."""
        result = self.track_sequence(seq, debug=debug, visualization=visualization)
        return {'target_bbox': result.boxes.tolist(), 'time': result.times.tolist()}


def trackerlist(name: str, parameter_name: str, run_ids: Any = None, display_name: Optional[str] = None) -> list:
    """Trackers for several run ids (upstream helper): ``trackerlist('kcf', 'default', range(3))``."""
    if run_ids is None or isinstance(run_ids, int):
        run_ids = [run_ids]
    return [Tracker(name, parameter_name, r, display_name) for r in run_ids]
