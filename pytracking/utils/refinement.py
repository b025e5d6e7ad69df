"""What a refiner returns for one frame of the arena's per-frame step, and when a box cannot be refined.

The step (:class:`pytracking.evaluation.running.RefinedTracker`) asks its refiner for
``refine_frame(frame, box, mode, with_mask) -> Refinement``: the box to use and, when the refiner fell back
to its input box, why (``fallback``). The refiner checks its output once (:meth:`Refinement.checked`); the
step counts ``fallback`` and does not check again. :class:`pytracking.refine_modules.RefineModule`, the
arena's oracle and its mask -> box refiner implement it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple

import numpy as np

from ltr.data.bounding_box_utils import is_valid_xywh, overlaps_image

__all__ = ['MAX_BOX_TO_FRAME', 'box_problem', 'Refinement']

MAX_BOX_TO_FRAME = 4  # a box side longer than this many frame sides is degenerate (crop memory)


def box_problem(box: Any, frame_hw: Tuple[int, int]) -> Optional[str]:
    """Why `box` cannot be refined (or used as a refinement) in a frame of size `frame_hw`; None when it can.

    Degenerate: not 4 finite values, w or h <= 0, no overlap with the frame, or a side longer than
    ``MAX_BOX_TO_FRAME`` times the frame's longer side (its crop would not fit in memory).
    """
    b = np.asarray(box, dtype=np.float64).reshape(-1)
    if not is_valid_xywh(b):
        return f"box {b.tolist()} must be 4 finite values with w > 0 and h > 0"
    H, W = frame_hw
    if not overlaps_image(b, frame_hw):
        return f"box {b.tolist()} lies fully outside the {W}x{H} frame"
    if max(b[2], b[3]) > MAX_BOX_TO_FRAME * max(H, W):
        return f"box {b.tolist()} is more than {MAX_BOX_TO_FRAME} times larger than the {W}x{H} frame"
    return None


@dataclass
class Refinement:
    """One frame's refinement: float64 xywh `box` (the input box when the refiner fell back), `fallback`
    (why it fell back; None when it refined) and `mask` (``H x W`` float64 probabilities of the same network
    pass, when asked for and the refiner has a mask head)."""
    box: np.ndarray
    fallback: Optional[str] = None
    mask: Optional[np.ndarray] = None

    @classmethod
    def checked(cls, refined: Any, input_box: np.ndarray, frame_hw: Tuple[int, int],
                mask: Optional[np.ndarray] = None) -> 'Refinement':
        """`refined` when :func:`box_problem` finds nothing wrong with it, else `input_box` with the reason."""
        problem = box_problem(refined, frame_hw)
        if problem is None:
            return cls(np.asarray(refined, dtype=np.float64).reshape(4).copy(), None, mask)
        return cls(np.asarray(input_box, dtype=np.float64).reshape(4).copy(), f"refined {problem}", mask)
