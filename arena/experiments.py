"""Upstream's extra arena experiments as pieces of the one per-frame step (``arena/runner.py``).

* :class:`PreviousBoxTracker` + :class:`IteratedRefiner`: the refiner tracking on its own (upstream
  ``arena/LaSOT/run_RF_RF.py``): no base tracker, the refiner refines its own previous box ``n_iter`` times per
  frame, each result clipped (min size 10) before the next pass.
* :class:`GtCentreOracle`: upstream's localisation oracle (``run_<tracker>_oracle.py``): after every frame the
  base tracker's state is moved to the ground-truth centre, keeping its own (clipped) size; the written box is
  the tracker's own clipped box. Complements :class:`arena.refiners.GtSizeOracle` (base centre, GT size).
* :class:`MaskSavingStep`: the step of ``run_dimp_RF_mask.py``: refined boxes as ``run_dimp_RF.py``, plus
  the refiner's mask of every frame saved as a PNG.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Optional

import cv2
import numpy as np

from ltr.admin.fileio import atomic_path
from ltr.data.bounding_box_utils import clip_box_xywh, is_valid_xywh
from pytracking.evaluation.running import MIN_SIZE, FrameResult, RefinedTracker, usable_box
from pytracking.tracker.base.basetracker import check_box, check_init_box
from pytracking.utils.refinement import Refinement

__all__ = ['PreviousBoxTracker', 'IteratedRefiner', 'GtCentreOracle', 'MaskSavingStep', 'mask_file']


class PreviousBoxTracker:
    """A base-tracker stand-in that answers the box it was last given (the initial box, then the fed-back
    refined box): with a refiner it makes the refiner track on its own."""

    def __init__(self) -> None:
        self.box: Optional[np.ndarray] = None

    def initialize(self, image: np.ndarray, info: Dict[str, Any]) -> Dict[str, Any]:
        """Keep ``info['init_bbox']``."""
        self.box = check_init_box(info).astype(np.float64)
        return {}

    def track(self, image: np.ndarray, info: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """``{'target_bbox': the last box}``."""
        return {'target_bbox': self.box.copy()}

    def set_target_box(self, box_xywh: Any) -> None:
        """The fed-back box becomes the next answer."""
        self.box = np.asarray(check_box(box_xywh, 'set_target_box(box_xywh)'), dtype=np.float64)


class IteratedRefiner:
    """`refiner` applied `n_iter` times per frame, each output clipped (upstream ``bbox_clip``, min size 10)
    before the next pass, as upstream ``run_RF_RF.py``. A pass that falls back keeps its input box; the first
    fall-back reason of the frame is reported. The mask (when asked) is the last pass's."""

    def __init__(self, refiner: Any, n_iter: int = 2, min_size: float = MIN_SIZE) -> None:
        if n_iter < 1:
            raise ValueError(f"n_iter must be at least 1, got {n_iter}")
        self.refiner, self.n_iter, self.min_size = refiner, int(n_iter), float(min_size)
        self.heads = tuple(getattr(refiner, 'heads', ()))

    def initialize(self, frame: np.ndarray, box: Any) -> None:
        """Initialise the wrapped refiner."""
        self.refiner.initialize(frame, box)

    def refine_frame(self, frame: np.ndarray, box: Any, mode: str = 'all', with_mask: bool = False) -> Refinement:
        """`box` refined `n_iter` times (clipped after each pass)."""
        box = np.asarray(box, dtype=np.float64).reshape(4)
        fallback, mask = None, None
        for i in range(self.n_iter):
            last = i == self.n_iter - 1
            r = self.refiner.refine_frame(frame, box, mode=mode, with_mask=with_mask and last)
            box = clip_box_xywh(r.box, frame.shape[:2], self.min_size)
            fallback = fallback or r.fallback
            if last:
                mask = r.mask
        return Refinement(box, fallback, mask)


class GtCentreOracle:
    """Upstream's localisation oracle around a base `tracker` (``arena/LaSOT/run_dimp_oracle.py``): ``track``
    returns the tracker's own answer (the runner writes it clipped), then moves the tracker's state to the
    ground-truth centre of the frame with the tracker's clipped size. Frames without a ground-truth box (the
    target absent: NaN or empty) keep the tracker's own centre, as upstream's ``[0, 0, 0, 0]`` check.
    Every state reset (also the runner's after an unusable box) goes through :meth:`set_target_box`."""

    def __init__(self, tracker: Any, ground_truth: Any, min_size: float = MIN_SIZE) -> None:
        self.tracker = tracker
        self.gt = np.asarray(ground_truth, dtype=np.float64).reshape(-1, 4)
        self.min_size = float(min_size)
        self.frame = 0

    def initialize(self, image: np.ndarray, info: Dict[str, Any]) -> Any:
        """Initialise the tracker (frame 1)."""
        self.frame = 0
        return self.tracker.initialize(image, info)

    def track(self, image: np.ndarray, info: Optional[Dict[str, Any]] = None) -> Any:
        """The tracker's answer; its state is then reset to the ground-truth centre (own clipped size)."""
        self.frame += 1
        out = self.tracker.track(image)
        box = out.get('target_bbox') if isinstance(out, dict) else None
        if usable_box(box, image.shape[:2]):
            self.set_target_box(clip_box_xywh(box, image.shape[:2], self.min_size))
        return out

    def set_target_box(self, box_xywh: Any) -> None:
        """`box_xywh`'s size around the current frame's ground-truth centre (its own centre without one)."""
        x, y, w, h = np.asarray(box_xywh, dtype=np.float64).reshape(4)
        gt = self.gt[self.frame] if self.frame < len(self.gt) else None
        if gt is not None and is_valid_xywh(gt):
            cx, cy = gt[0] + gt[2] / 2, gt[1] + gt[3] / 2  # upstream get_axis_aligned_bbox: x + w/2
        else:
            cx, cy = x + w / 2, y + h / 2
        self.tracker.set_target_box(np.array([cx - w / 2, cy - h / 2, w, h]))


def mask_file(folder: str, frame: int) -> str:
    """``<folder>/%08d.png`` of a 0-based frame index (frame 0 -> ``00000001.png``, the frames' numbering)."""
    return os.path.join(folder, f'{frame + 1:08d}.png')


class MaskSavingStep(RefinedTracker):
    """The per-frame step, also writing the refiner's mask of each frame (from the same network pass as the
    box, thresholded at 0.5) to ``<folder>/%08d.png`` (uint8 0/255, frames 2..N; frame 1 is the initial box)."""

    def __init__(self, tracker: Any, refiner: Any, folder: str, mode: str = 'all') -> None:
        super().__init__(tracker, refiner, mode=mode)
        if not self.has_mask():
            raise ValueError(f"saving masks needs a refiner with a mask head; this one has: "
                             f"{', '.join(getattr(refiner, 'heads', ())) or 'none'}")
        self.folder = folder
        self.index = 0

    def initialize(self, image: np.ndarray, init_box: Any, info: Optional[Dict[str, Any]] = None) -> np.ndarray:
        self.index = 0
        os.makedirs(self.folder, exist_ok=True)
        return super().initialize(image, init_box, info)

    def track(self, image: np.ndarray, want_mask: bool = True) -> FrameResult:
        result = super().track(image, want_mask=True)
        self.index += 1
        with atomic_path(mask_file(self.folder, self.index), suffix='.tmp.png') as tmp:
            if not cv2.imwrite(tmp, (result.mask > 0).astype(np.uint8) * 255):
                raise OSError(f"{mask_file(self.folder, self.index)}: could not write the mask")
        return result
