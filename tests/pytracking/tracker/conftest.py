"""Generated test scenes for the tracker tests: a textured rectangle moving over a textured background."""
from typing import List, Sequence, Tuple

import cv2
import numpy as np
import pytest


def textured(rng: np.random.Generator, h: int, w: int, grain: int, contrast: float) -> np.ndarray:
    """Smooth RGB noise (blobs about `grain` px wide, values 128 +- `contrast`) plus fine noise, uint8 ``h x w x 3``."""
    coarse = rng.uniform(128 - contrast, 128 + contrast, size=(max(2, h // grain), max(2, w // grain), 3))
    smooth = cv2.resize(coarse.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    fine = rng.normal(0, 0.1 * contrast, size=(h, w, 3))
    return np.clip(smooth + fine, 0, 255).astype(np.uint8)


def moving_target_scene(num_frames: int, image_hw: Tuple[int, int] = (240, 320),
                        init_box: Sequence[float] = (60, 80, 48, 32), velocity: Tuple[float, float] = (3.0, 1.5),
                        growth: float = 1.0, seed: int = 0) -> Tuple[List[np.ndarray], np.ndarray]:
    """Frames (RGB uint8) and ground-truth xywh boxes of a textured target moving with `velocity` (px/frame).

    The target's sides are multiplied by `growth` every frame (same aspect); its texture is resampled.
    """
    rng = np.random.default_rng(seed)
    H, W = image_hw
    background = textured(rng, H, W, grain=16, contrast=50)
    x0, y0, w0, h0 = init_box
    texture = textured(rng, int(h0 * growth ** num_frames) + 64, int(w0 * growth ** num_frames) + 64,
                       grain=max(4, int(min(w0, h0)) // 6),
                       contrast=127)
    frames, boxes = [], []
    for t in range(num_frames):
        w = max(2, int(round(w0 * growth ** t)))
        h = max(2, int(round(h0 * growth ** t)))
        x = int(round(x0 + velocity[0] * t))
        y = int(round(y0 + velocity[1] * t))
        frame = background.copy()
        obj = cv2.resize(texture, (w, h), interpolation=cv2.INTER_AREA)
        xa, ya, xb, yb = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
        if xa < xb and ya < yb:
            frame[ya:yb, xa:xb] = obj[ya - y:yb - y, xa - x:xb - x]
        frames.append(frame)
        boxes.append([x, y, w, h])
    return frames, np.asarray(boxes, dtype=np.float64)


@pytest.fixture
def scene():
    """The scene generator (a function), so tests choose their own motion."""
    return moving_target_scene
