"""The arena's builder for RT-MDNet (``arena/trackers.py`` BUILDERS ``'rtmdnet'``).

``tracker_factory('default')`` finds the model file ``rt-mdnet.pth`` (``network_path`` of
``pytracking/evaluation/local.py`` / ``PYTRACKING_NETWORK_PATH``, else ``RT_MDNet/models/``), loads and
checks it once, and returns a function building a fresh :class:`~RT_MDNet.tracker.RTMDNet` per video
(as upstream's ``run_RTMDNet_RF.py`` does), each with the same seed.
"""
from __future__ import annotations

import os
from typing import Callable, Dict, List

from ltr.admin.loading import load_checkpoint
from RT_MDNet.modules.model import MDNet
from RT_MDNet.options import MODEL_FILE, parameters
from RT_MDNet.tracker import RTMDNet
from pytracking.utils.params import TrackerParams

__all__ = ['PARAMS', 'model_search_paths', 'find_model', 'tracker_factory']

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

#: parameter sets by name (upstream has one: options.py)
PARAMS: Dict[str, Callable[[], TrackerParams]] = {'default': parameters}


def model_search_paths() -> List[str]:
    """Where ``rt-mdnet.pth`` is looked for, in order: each ``network_path`` folder, then ``RT_MDNet/models/``."""
    from pytracking.utils.environment import env_settings
    roots = env_settings().network_path
    roots = [roots] if isinstance(roots, str) else list(roots or [])
    return [os.path.join(r, MODEL_FILE) for r in roots if r] + [os.path.join(PACKAGE_DIR, 'models', MODEL_FILE)]


def find_model() -> str:
    """The first existing :func:`model_search_paths` entry; FileNotFoundError (one line) naming the file and where it goes."""
    candidates = model_search_paths()
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"RT-MDNet model file {MODEL_FILE} not found: put it in {' or '.join(candidates)} "
                            f"(network_path comes from pytracking/evaluation/local.py or PYTRACKING_NETWORK_PATH)")


def tracker_factory(param: str = 'default', debug: int = 0) -> Callable[[], RTMDNet]:
    """A function returning a fresh RT-MDNet tracker with parameter set `param`; the model file is found,
    read and checked against the network now (one clear error before any sequence runs)."""
    if param not in PARAMS:
        raise ValueError(f"RT-MDNet has no parameter set '{param}' (available: {', '.join(PARAMS)})")
    params = PARAMS[param]()
    params.debug = debug
    path = find_model()
    states = load_checkpoint(path)
    MDNet().load_shared_layers(states, path)  # a wrong file fails here, once
    params.model_path = path

    def make() -> RTMDNet:
        return RTMDNet(params.copy(), shared_layers=states)

    return make
