"""The interface every base tracker implements, and the refiner feed-back hook.

See ``doc/trackers.md`` for the contract in one place. In short::

    tracker = SomeTracker(params)                       # params: TrackerParams
    tracker.initialize(rgb, {'init_bbox': [x, y, w, h]})
    out = tracker.track(rgb)                            # {'target_bbox': [x, y, w, h], ...}
    tracker.set_target_box(refined_xywh)                # feed the refined box back (position, size, scale)

The default :meth:`BaseTracker.set_target_box` updates the pytracking-style state ``pos`` (row, col
centre), ``target_sz`` (h, w) and ``target_scale`` (relative to ``base_target_sz``) exactly as upstream
Alpha-Refine's arena scripts do for DiMP/ATOM/ECO (``arena/LaSOT/run_dimp_RF.py``). Trackers that keep
their state differently (SiamRPN++: ``center_pos``/``size``; RT-MDNet: ``target_bbox``) override it.
"""
from __future__ import annotations

import abc
import math
from typing import Any, Dict, Optional, Sequence

import numpy as np
import torch

from pytracking.utils.params import TrackerParams

__all__ = ['BaseTracker', 'check_box', 'check_image', 'check_init_box']


def check_box(box_xywh: Any, name: str = 'box') -> np.ndarray:
    """`box_xywh` as float64 ``(4,)`` xywh; ValueError naming `name` unless finite with w, h > 0."""
    if isinstance(box_xywh, torch.Tensor):
        box_xywh = box_xywh.detach().cpu().numpy()
    try:
        box = np.asarray(box_xywh, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be 4 numbers [x, y, w, h], got {box_xywh!r}") from err
    if box.size != 4:
        raise ValueError(f"{name} must be 4 numbers [x, y, w, h], got {box.size} values: {box_xywh!r}")
    if not np.all(np.isfinite(box)):
        raise ValueError(f"{name} must be finite, got {box.tolist()}")
    if box[2] <= 0 or box[3] <= 0:
        raise ValueError(f"{name} needs width and height > 0, got w={box[2]:g}, h={box[3]:g}")
    return box


def check_init_box(info: Any) -> np.ndarray:
    """The validated ``info['init_bbox']`` as float64 xywh (ValueError when missing or degenerate)."""
    if not isinstance(info, dict) or 'init_bbox' not in info:
        raise ValueError("initialize(image, info) needs info['init_bbox'] = [x, y, w, h]")
    return check_box(info['init_bbox'], "info['init_bbox']")


def check_image(image: Any) -> np.ndarray:
    """`image` itself when it is an RGB ``uint8`` ``H x W x 3`` numpy array, else a ValueError saying what it is."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"image must be an RGB uint8 numpy array H x W x 3, got {type(image).__name__}")
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be an RGB uint8 numpy array H x W x 3, got dtype {image.dtype} shape {image.shape}")
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"image is empty: shape {image.shape}")
    return image


def _like(values: Sequence[float], like: Any) -> Any:
    """`values` in the container type of `like` (torch tensor of its dtype/device, or float64 numpy array)."""
    if isinstance(like, torch.Tensor):
        return torch.tensor(values, dtype=like.dtype, device=like.device)
    return np.asarray(values, dtype=np.float64)


class BaseTracker(abc.ABC):
    """Base class of all trackers: ``initialize``, ``track`` and the ``set_target_box`` feed-back hook.

    Subclasses implement :meth:`initialize` and :meth:`track`. Trackers with the pytracking state
    (``pos``, ``target_sz``, ``target_scale``, ``base_target_sz``) inherit a working
    :meth:`set_target_box`; others override it and document which parts of their state it changes.
    """

    def __init__(self, params: TrackerParams) -> None:
        if not isinstance(params, TrackerParams):
            raise TypeError(f"params must be a TrackerParams (see pytracking/utils/params.py), got {type(params).__name__}")
        self.params = params

    def predicts_segmentation_mask(self) -> bool:
        """True when ``track`` also returns ``'segmentation'`` (upstream pytracking's flag)."""
        return False

    @abc.abstractmethod
    def initialize(self, image: np.ndarray, info: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        """Start tracking: `image` RGB uint8 ``H x W x 3``, ``info['init_bbox'] = [x, y, w, h]``.

        Raises ValueError for a non-finite or empty initial box. May return a dict of extra outputs
        (e.g. ``{'time': seconds}``) or None.
        """

    @abc.abstractmethod
    def track(self, image: np.ndarray, info: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Track in the next frame; returns at least ``{'target_bbox': [x, y, w, h]}`` (Python floats).

        Never raises on odd frames (tiny targets, target at or beyond the border): the state is clamped.
        """

    def set_target_box(self, box_xywh: Sequence[float]) -> None:
        """Overwrite the target state with an externally refined box (the Alpha-Refine feed-back hook).

        As upstream does for DiMP (``arena/LaSOT/run_dimp_RF.py``): ``pos = [y + h/2, x + w/2]`` (row,
        col), ``target_sz = [h, w]``, ``target_scale = sqrt(h * w / prod(base_target_sz))``. The next
        ``track`` call searches around this state. The caller clips the box first (the arena uses
        ``clip_box_xywh``); a non-finite or empty box is a ValueError. Keeps the container type
        (numpy array or torch tensor) of the tracker's existing state.
        """
        box = check_box(box_xywh, 'set_target_box(box_xywh)')
        self._require_state('pos', 'target_sz', 'base_target_sz')
        x, y, w, h = box
        self.pos = _like([y + h / 2, x + w / 2], self.pos)
        self.target_sz = _like([h, w], self.target_sz)
        if isinstance(self.target_sz, torch.Tensor) and isinstance(self.base_target_sz, torch.Tensor):
            # upstream's arena computes it with torch on the float32 state (a 0-dim float32 tensor)
            self.target_scale = float(torch.sqrt(self.target_sz.prod() / self.base_target_sz.to(self.target_sz).prod()))
        else:
            base_area = float(np.prod(np.asarray(_to_numpy(self.base_target_sz), dtype=np.float64)))
            self.target_scale = math.sqrt(h * w / base_area)

    def get_target_box(self) -> np.ndarray:
        """The current state as float64 xywh: ``[pos_x - w/2, pos_y - h/2, w, h]`` (inverse of ``set_target_box``)."""
        self._require_state('pos', 'target_sz')
        pos = np.asarray(_to_numpy(self.pos), dtype=np.float64)
        sz = np.asarray(_to_numpy(self.target_sz), dtype=np.float64)
        return np.array([pos[1] - sz[1] / 2, pos[0] - sz[0] / 2, sz[1], sz[0]], dtype=np.float64)

    def _require_state(self, *names: str) -> None:
        missing = [n for n in names if getattr(self, n, None) is None]
        if missing:
            raise RuntimeError(f"{type(self).__name__} has no target state ({', '.join(missing)}): call initialize() first")


def _to_numpy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return value
