"""Sequences, dataset readers, the per-frame step and result files: the layer below the trackers (nothing
here imports ``pytracking.tracker`` or ``pytracking.parameter``).

Upstream's names ``pytracking.evaluation.Tracker``, ``trackerlist`` and ``get_dataset`` still resolve, on
first access (PEP 562), from :mod:`pytracking.tracker_factory` and :mod:`pytracking.evaluation.datasets`, so
importing this package imports no tracker.
"""
import importlib
from typing import Any

_LAZY = {'Tracker': 'pytracking.tracker_factory', 'trackerlist': 'pytracking.tracker_factory',
         'get_dataset': 'pytracking.evaluation.datasets'}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
