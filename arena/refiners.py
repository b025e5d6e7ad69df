"""The arena's refiner layer: the Alpha-Refine refiner and the stand-ins the per-frame step runs like it.

Every object here answers ``refine_frame(frame, box, mode, with_mask) -> Refinement``
(:mod:`pytracking.utils.refinement`): the box to write and, when it falls back to its input box, why.
Which checkpoint to load is decided by :mod:`pytracking.evaluation.refiner_source` (shared with
``run_video`` and the demo).
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ltr.data.bounding_box_utils import is_valid_xywh
from ltr.data.processing_utils import mask2bbox
from pytracking.utils.refinement import Refinement

__all__ = ['RefinerError', 'load_refiner', 'load_siammask_refiner', 'GtSizeOracle', 'MaskBoxRefiner']

NO_BOX = np.full(4, np.nan)  # mask2bbox's answer when the mask has no usable contour


class RefinerError(RuntimeError):
    """A refiner that cannot serve the asked mode; the message is one line."""


def load_refiner(source: Any, selector: int = 0, search_factor: float = 2.0, input_sz: int = 256,
                 device: Optional[str] = None) -> Any:
    """A :class:`RefineModule` on `source` (checkpoint path or built network); device: CUDA if available, else CPU."""
    from pytracking.refine_modules.refine_module import RefineModule
    return RefineModule(source, selector, search_factor, input_sz, device=device)


def load_siammask_refiner(experiment: str = 'siammask_r50_l3', thres: float = 0.5, device: Optional[str] = None) -> Any:
    """SiamMask as a refiner (:class:`pysot.tracker.arena.SiamMaskRefiner`, upstream
    ``external/pysot/siammask_module.py``): the box of its mask thresholded at `thres`, model file
    ``pysot/experiments/<experiment>/model.pth`` loaded strictly."""
    from pysot.tracker.arena import siammask_refiner
    return siammask_refiner(experiment, thres, device)


class GtSizeOracle:
    """A refiner stand-in keeping the base box's centre and taking the ground-truth size (what a
    perfect scale/aspect-only refiner would give). Frames whose ground truth is missing or empty
    (target absent) keep the base box (a fall-back). Fed back like a real refinement."""

    heads = ()

    def __init__(self, ground_truth: np.ndarray) -> None:
        self.gt = np.asarray(ground_truth, dtype=np.float64).reshape(-1, 4)
        self.frame = 0

    def initialize(self, frame: np.ndarray, box: Any) -> None:
        """Start a sequence (the next :meth:`refine_frame` is frame 2)."""
        self.frame = 0

    def refine_frame(self, frame: np.ndarray, box: Any, mode: str = 'all', with_mask: bool = False) -> Refinement:
        """`box`'s centre with the ground-truth (w, h) of the current frame."""
        self.frame += 1
        box = np.asarray(box, dtype=np.float64).reshape(4)
        if self.frame >= len(self.gt) or not is_valid_xywh(self.gt[self.frame]):
            return Refinement(box.copy(), 'no ground-truth box for this frame')
        w, h = self.gt[self.frame, 2:]
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        return Refinement(np.array([cx - w / 2, cy - h / 2, w, h], dtype=np.float64))


class MaskBoxRefiner:
    """Refiner mode 'mask' of the arena, as upstream ``arena/LaSOT/run_siamrpn_RFm2b.py``: the box of the
    refiner's mask thresholded at `thres` (``mask2bbox`` of ``get_mask``), the input box when no contour
    is larger than 100 px."""

    def __init__(self, refiner: Any, thres: float = 0.5) -> None:
        if 'mask' not in tuple(getattr(refiner, 'heads', ())):
            raise RefinerError(f"--mode mask needs a refiner with a mask head; this one has: "
                               f"{', '.join(getattr(refiner, 'heads', ())) or 'none'}")
        self.refiner, self.thres, self.heads = refiner, float(thres), refiner.heads

    def initialize(self, frame: np.ndarray, box: Any) -> None:
        """Initialise the wrapped refiner."""
        self.refiner.initialize(frame, box)

    def refine_frame(self, frame: np.ndarray, box: Any, mode: str = 'mask', with_mask: bool = False) -> Refinement:
        """Box of the mask around `box` (float64 xywh); `box` itself when the mask has no large contour."""
        prob = self.refiner.get_mask(frame, box)
        mask_box = mask2bbox(prob, NO_BOX, MASK_THRESHOLD=self.thres)
        kept = prob if with_mask else None
        if np.isnan(mask_box).any():
            return Refinement(np.asarray(box, dtype=np.float64).reshape(4).copy(),
                              f'no mask contour larger than 100 px at threshold {self.thres}', kept)
        return Refinement(mask_box, None, kept)
