"""SiamRPN++ (and SiamMask) in the project's tracker interface, SiamMask as a refiner, and the arena's builders.

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

:class:`SiamMaskRefiner` is SiamMask used as a refiner of another tracker's box (upstream Alpha-Refine
``external/pysot/siammask_module.py`` with ``arena/LaSOT/run_siamrpn_SiamMask.py``), built by
:func:`siammask_refiner`; it answers the arena's ``refine_frame`` like the Alpha-Refine refiner.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional

import cv2
import numpy as np

from ltr.admin.loading import CheckpointError
from pysot.core.config import ConfigError, load_config
from pysot.models.model_builder import ModelBuilder
from pysot.tracker.siammask_tracker import SiamMaskTracker, cxy_wh_2_rect, largest_contour
from pysot.tracker.siamrpn_tracker import SiamRPNTracker
from pysot.tracker.tracker_builder import build_tracker
from pysot.utils.model_load import load_pretrain
from pytracking.tracker.base.basetracker import BaseTracker, check_box, check_image, check_init_box
from pytracking.utils.device import resolve_device
from pytracking.utils.params import TrackerParams
from pytracking.utils.refinement import Refinement, box_problem

__all__ = ['EXPERIMENTS_DIR', 'PysotTracker', 'SiamMaskRefiner', 'parameters', 'experiment_files', 'find_config',
           'find_model', 'build_model', 'make_tracker', 'tracker_factory', 'siammask_refiner']

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


class SiamMaskRefiner:
    """SiamMask as a refiner (upstream ``external/pysot/siammask_module.py``, ``refine(img, box, VOT=False)``).

    ``initialize`` makes SiamMask's template from the first frame's box (never updated afterwards). Per frame the
    tracker's state is set to the box to refine (``center_pos = [x + w/2, y + h/2]``, ``size = [w, h]``), one
    SiamMask step runs (its own box search, then the mask of the chosen candidate), and the answer is the
    axis-aligned ``cv2.boundingRect`` of the largest contour of ``mask > thres`` (area over 100 px), else
    SiamMask's own box (``cxy_wh_2_rect(center_pos, size)``) as upstream; a box the arena cannot use falls back
    to the input box. Images are RGB (converted to BGR once, as pysot takes them).
    """

    heads = ('mask',)

    def __init__(self, tracker: SiamMaskTracker, thres: float = 0.5) -> None:
        if not isinstance(tracker, SiamMaskTracker):
            raise ConfigError(f"SiamMaskRefiner needs a SiamMaskTracker (TRACK.TYPE 'SiamMaskTracker'), "
                              f"got {type(tracker).__name__}")
        self.tracker, self.thres = tracker, float(thres)

    def initialize(self, frame: np.ndarray, box) -> None:
        """SiamMask's template of `box` (xywh) in the RGB `frame`."""
        self.tracker.init(PysotTracker._bgr(frame), check_box(box, 'box').tolist())

    def refine_frame(self, frame: np.ndarray, box, mode: str = 'all', with_mask: bool = False) -> Refinement:
        """The box of SiamMask's mask around `box` (float64 xywh); `mode` is ignored (SiamMask has one answer)."""
        box = np.asarray(box, dtype=np.float64).reshape(-1)
        problem = box_problem(box, frame.shape[:2])
        if problem is not None:
            return Refinement(box.copy(), f"input {problem}")
        x, y, w, h = box
        self.tracker.center_pos = np.array([x + w / 2, y + h / 2])
        self.tracker.size = np.array([w, h])
        out = self.tracker.track(PysotTracker._bgr(frame))
        contour = largest_contour(out['mask'], self.thres)
        if contour is not None:
            refined = np.array(cv2.boundingRect(contour), dtype=np.float64)
        else:  # upstream: SiamMask's own box when the mask has no large contour
            refined = cxy_wh_2_rect(self.tracker.center_pos, self.tracker.size)
        return Refinement.checked(refined, box, frame.shape[:2], out['mask'].astype(np.float64) if with_mask else None)


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
    raise CheckpointError(f"pysot model file not found: {candidates[0]}; download model.pth of '{experiment}' "
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


def siammask_refiner(experiment: str = 'siammask_r50_l3', thres: float = 0.5, device: Optional[str] = None) -> SiamMaskRefiner:
    """:class:`SiamMaskRefiner` of the pysot experiment `experiment` (config and model file found as
    :func:`tracker_factory` finds them; strict load), its mask thresholded at `thres` (upstream
    ``run_siamrpn_SiamMask.py --thres``, default 0.5; SiamMask's own tracker uses the config's 0.15)."""
    config = load_config(find_config(experiment))
    config.TRACK.MASK_THERSHOLD = float(thres)
    model = build_model(config, find_model(experiment), device)
    return SiamMaskRefiner(build_tracker(model, config), thres)
