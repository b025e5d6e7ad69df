"""SiamRPN++ in the project's tracker interface, and the arena's builder for it.

:class:`PysotTracker` wraps a pysot tracker (:class:`SiamRPNTracker` / :class:`SiamRPNLTTracker`)
in the pytracking :class:`~pytracking.tracker.base.BaseTracker` interface: RGB uint8 images in (it
converts them to BGR once per frame, as pysot takes BGR 0-255), ``initialize(image, {'init_bbox'})``,
``track(image) -> {'target_bbox', 'best_score'}`` and the feed-back hook ``set_target_box(box)``,
which sets ``center_pos = [x + w/2, y + h/2]`` and ``size = [w, h]`` as upstream Alpha-Refine's
``arena/LaSOT/run_siamrpn_RF.py`` does (pysot's own ``init`` uses ``x + (w - 1)/2``).

:func:`tracker_factory` is the ``'siamrpn'`` entry of ``arena/trackers.py``: ``param`` is the
experiment name; the config is ``pysot/experiments/<param>/config.yaml`` (else
``<network_path>/<param>/config.yaml``) and the model file ``pysot/experiments/<param>/model.pth``
(else ``<network_path>/<param>/model.pth``), loaded strictly. A missing model file is one
:class:`~ltr.admin.loading.CheckpointError` line naming the file and where it goes.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional

import numpy as np

from ltr.admin.loading import CheckpointError
from pysot.core.config import ConfigError, load_config
from pysot.models.model_builder import ModelBuilder
from pysot.tracker.siamrpn_tracker import SiamRPNTracker
from pysot.tracker.tracker_builder import build_tracker
from pysot.utils.model_load import load_pretrain
from pytracking.tracker.base.basetracker import BaseTracker, check_box, check_image, check_init_box
from pytracking.utils.device import resolve_device
from pytracking.utils.params import TrackerParams

__all__ = ['EXPERIMENTS_DIR', 'PysotTracker', 'parameters', 'experiment_files', 'find_config', 'find_model',
           'build_model', 'make_tracker', 'tracker_factory']

EXPERIMENTS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'experiments')
MODEL_FILE = 'model.pth'
CONFIG_FILE = 'config.yaml'


def parameters(experiment: str = 'siamrpn_r50_l234_dwxcorr', debug: int = 0, device: Optional[str] = None) -> TrackerParams:
    """The adapter's parameters: the pysot experiment name plus the common knobs (debug, device)."""
    return TrackerParams({'experiment': (experiment, 'pysot experiment (pysot/experiments/<name>/config.yaml)')},
                         debug=debug, device=device)


class PysotTracker(BaseTracker):
    """A pysot tracker behind the project's interface (RGB in, ``target_bbox`` out, feed-back hook).

    The pysot tracker stays reachable as ``self.tracker`` (its ``center_pos`` / ``size`` are the state).
    """

    def __init__(self, params: TrackerParams, tracker: SiamRPNTracker) -> None:
        super().__init__(params)
        self.tracker = tracker

    @staticmethod
    def _bgr(image: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(check_image(image)[:, :, ::-1])

    def initialize(self, image: np.ndarray, info: Dict[str, Any]) -> Dict[str, Any]:
        """Template of ``info['init_bbox']`` (xywh) in the RGB `image` (pysot ``init`` on the BGR frame)."""
        box = check_init_box(info)
        self.tracker.init(self._bgr(image), box.tolist())
        return {}

    def track(self, image: np.ndarray, info: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """``{'target_bbox': [x, y, w, h], 'best_score': s}`` for the RGB `image` (pysot's clipped box)."""
        out = self.tracker.track(self._bgr(image))
        return {'target_bbox': [float(v) for v in out['bbox']], 'best_score': float(out['best_score'])}

    def set_target_box(self, box_xywh) -> None:
        """Feed a refined box back: ``center_pos = [x + w/2, y + h/2]``, ``size = [w, h]`` (upstream run_siamrpn_RF.py)."""
        x, y, w, h = check_box(box_xywh, 'set_target_box(box_xywh)')
        if self.tracker.center_pos is None:
            raise RuntimeError("PysotTracker has no target state: call initialize() first")
        self.tracker.center_pos = np.array([x + w / 2, y + h / 2])
        self.tracker.size = np.array([w, h])

    def get_target_box(self) -> np.ndarray:
        """The state as float64 xywh ``[cx - w/2, cy - h/2, w, h]`` (inverse of :meth:`set_target_box`)."""
        if self.tracker.center_pos is None:
            raise RuntimeError("PysotTracker has no target state: call initialize() first")
        (cx, cy), (w, h) = self.tracker.center_pos, self.tracker.size
        return np.array([cx - w / 2, cy - h / 2, w, h], dtype=np.float64)


# -- files ---------------------------------------------------------------------------------------
def _network_roots() -> List[str]:
    from pytracking.utils.environment import env_settings
    roots = env_settings().network_path
    return [r for r in ([roots] if isinstance(roots, str) else list(roots)) if r]


def experiment_files(experiment: str, filename: str) -> List[str]:
    """Where `filename` of `experiment` is looked for, in order: pysot/experiments/<name>/, <network_path>/<name>/."""
    if not experiment or os.sep in experiment or experiment.startswith('.'):
        raise ConfigError(f"pysot experiment name must be a plain folder name, got {experiment!r}")
    return [os.path.join(EXPERIMENTS_DIR, experiment, filename)] + \
        [os.path.join(root, experiment, filename) for root in _network_roots()]


def _available_experiments() -> List[str]:
    if not os.path.isdir(EXPERIMENTS_DIR):
        return []
    return sorted(d for d in os.listdir(EXPERIMENTS_DIR) if os.path.isfile(os.path.join(EXPERIMENTS_DIR, d, CONFIG_FILE)))


def find_config(experiment: str) -> str:
    """The experiment's config.yaml (ConfigError naming where it was looked for and what exists)."""
    candidates = experiment_files(experiment, CONFIG_FILE)
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise ConfigError(f"no pysot experiment '{experiment}': {' or '.join(candidates)} not found "
                      f"(available: {', '.join(_available_experiments()) or 'none'})")


def find_model(experiment: str) -> str:
    """The experiment's model.pth (CheckpointError, one line, naming the file and where it goes)."""
    candidates = experiment_files(experiment, MODEL_FILE)
    for path in candidates:
        if os.path.isfile(path):
            return path
    others = f" (or {', '.join(candidates[1:])})" if len(candidates) > 1 else ''
    raise CheckpointError(f"SiamRPN++ model file not found: {candidates[0]}; download model.pth of '{experiment}' "
                          f"from the pysot model zoo (STVIR/pysot MODEL_ZOO.md) and put it there{others}; "
                          f"see pysot/README.md")


# -- building ------------------------------------------------------------------------------------
def build_model(config, model_path: Optional[str] = None, device: Optional[str] = None) -> ModelBuilder:
    """ModelBuilder of `config`, with the weights of `model_path` (strict; None = random weights), in eval mode."""
    model = ModelBuilder(config)
    if model_path is not None:
        load_pretrain(model, model_path)
    return model.to(resolve_device(device)).eval()


def make_tracker(model: Any, config, params: Optional[TrackerParams] = None) -> PysotTracker:
    """A fresh :class:`PysotTracker` (tracker type from ``config.TRACK.TYPE``) around a built `model`."""
    return PysotTracker(params if params is not None else parameters(config.META_ARC), build_tracker(model, config))


def tracker_factory(param: str, debug: int = 0) -> Callable[[], PysotTracker]:
    """Arena builder (``arena/trackers.py``): experiment `param` -> a function returning fresh trackers.

    Checks now that the config and model file exist and load (strictly), so a missing or wrong file
    is one clear error before any sequence runs. All trackers share the one loaded model.
    """
    config_path = find_config(param)
    model_path = find_model(param)
    config = load_config(config_path)
    params = parameters(param, debug=debug)
    model = build_model(config, model_path, params.device)
    return lambda: make_tracker(model, config, params.copy())
