"""Parameter sets: ``pytracking/parameter/<tracker>/<name>.py``, each with ``parameters() -> TrackerParams``."""
from __future__ import annotations

import importlib
import pkgutil
from typing import List

from pytracking.utils.params import TrackerParams

__all__ = ['available_parameters', 'load_parameters']


def available_parameters(tracker_name: str) -> List[str]:
    """Names of the parameter files of `tracker_name`, sorted (empty when the tracker has none)."""
    if not isinstance(tracker_name, str) or not tracker_name.isidentifier():
        return []
    try:
        package = importlib.import_module(f'{__name__}.{tracker_name}')
    except ModuleNotFoundError:
        return []
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.ispkg)


def load_parameters(tracker_name: str, param_name: str) -> TrackerParams:
    """``pytracking.parameter.<tracker_name>.<param_name>.parameters()``; ValueError naming the known sets if absent."""
    module_name = f'{__name__}.{tracker_name}.{param_name}'
    known = available_parameters(tracker_name)
    if param_name not in known or not str(param_name).isidentifier():
        raise ValueError(f"no parameter set {param_name!r} for tracker {tracker_name!r} "
                         f"(pytracking/parameter/{tracker_name}/{param_name}.py); available: {', '.join(known) or 'none'}")
    params = importlib.import_module(module_name).parameters()
    if not isinstance(params, TrackerParams):
        raise TypeError(f"{module_name}.parameters() must return a TrackerParams, got {type(params).__name__}")
    return params
