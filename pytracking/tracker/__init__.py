"""Base trackers, one package each (``pytracking/tracker/<name>/``) exposing ``get_tracker_class()``.

``base`` holds the interface every tracker implements (see ``doc/trackers.md``).
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import List

__all__ = ['available_trackers', 'load_tracker_class']


def available_trackers() -> List[str]:
    """Names of the tracker packages under ``pytracking/tracker/`` (``base`` excluded), sorted."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg and m.name != 'base')


def load_tracker_class(name: str) -> type:
    """``pytracking.tracker.<name>.get_tracker_class()``; ValueError naming the known trackers if `name` is unknown."""
    if not isinstance(name, str) or not name.isidentifier() or name == 'base':
        raise ValueError(f"unknown tracker {name!r}; available: {', '.join(available_trackers())}")
    module_name = f'{__name__}.{name}'
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name:
            raise
        raise ValueError(f"unknown tracker {name!r}; available: {', '.join(available_trackers())}") from None
    if not hasattr(module, 'get_tracker_class'):
        raise ValueError(f"tracker package {module_name} has no get_tracker_class()")
    return module.get_tracker_class()
