"""Shared pieces of the pysot tests: a tiny SiamRPN++ config, a hand-set correlation model, a generated scene."""
from typing import List, Tuple

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

TINY_CONFIG = """
META_ARC: "tiny_siamrpn"
BACKBONE:
    TYPE: "resnet18"
    KWARGS:
        used_layers: [2, 3, 4]
ADJUST:
    ADJUST: true
    TYPE: "AdjustAllLayer"
    KWARGS:
        in_channels: [128, 256, 512]
        out_channels: [16, 16, 16]
RPN:
    TYPE: 'MultiRPN'
    KWARGS:
        anchor_num: 5
        in_channels: [16, 16, 16]
        weighted: true
TRACK:
    TYPE: '{track_type}'
    PENALTY_K: 0.05
    WINDOW_INFLUENCE: 0.42
    LR: 0.38
    EXEMPLAR_SIZE: 127
    INSTANCE_SIZE: 175
    LOST_INSTANCE_SIZE: 191
    CONFIDENCE_LOW: 0.8
"""


def write_tiny_config(folder, track_type: str = 'SiamRPNTracker') -> str:
    """A small SiamRPN++ experiment (ResNet-18 taps, 16-channel heads, 175 px search): config.yaml in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / 'config.yaml'
    path.write_text(TINY_CONFIG.replace('{track_type}', track_type))
    return str(path)


@pytest.fixture(scope='module', autouse=True)
def one_torch_thread():
    """The machine is shared: networks run on one thread."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


class PixelCorrelationModel:
    """A hand-set 'network': the template is the grey centre (63 x 63) of the exemplar crop, the score is its
    normalised cross-correlation with the search crop at stride 8: foreground probability ``ncc ** sharpness``
    (clipped to [1e-3, 1 - 1e-3]) times ``scale``, and every anchor regresses to itself (loc = 0). Works for
    search sizes with ``(I - 127) % 8 == 0``."""

    def __init__(self, anchor_num: int = 5, sharpness: float = 4.0, scale: float = 1.0) -> None:
        self.anchor_num, self.sharpness, self.scale = anchor_num, sharpness, scale
        self.crops: List[torch.Tensor] = []

    @staticmethod
    def _gray(x: torch.Tensor) -> torch.Tensor:
        return x.double().mean(1, keepdim=True)

    def template(self, z: torch.Tensor) -> None:
        assert z.shape[-2:] == (127, 127)
        self.z = z.clone()
        t = self._gray(z)[:, :, 32:95, 32:95]
        self.kernel = t - t.mean()

    def track(self, x: torch.Tensor) -> dict:
        self.crops.append(x.clone())
        g = self._gray(x)
        n = self.kernel.numel()
        num = F.conv2d(g, self.kernel, stride=8)
        ones = torch.ones_like(self.kernel)
        s1 = F.conv2d(g, ones, stride=8)
        s2 = F.conv2d(g * g, ones, stride=8)
        var = (s2 - s1 * s1 / n).clamp_min(1e-6)
        ncc = num / torch.sqrt(var * (self.kernel ** 2).sum())
        size = (x.shape[-1] - 127) // 8 + 1 + 8
        assert ncc.shape[-1] == size, (ncc.shape, size)
        p = ncc.clamp(1e-3, 1 - 1e-3) ** self.sharpness * self.scale
        fg = (torch.log(p) - torch.log1p(-p)).float().expand(1, self.anchor_num, size, size)  # softmax -> p
        cls = torch.cat([torch.zeros_like(fg), fg], 1)
        loc = torch.zeros(1, 4 * self.anchor_num, size, size)
        return {'cls': cls, 'loc': loc, 'mask': None}


def _texture(rng: np.random.Generator, h: int, w: int, grain: int, contrast: float) -> np.ndarray:
    coarse = rng.uniform(128 - contrast, 128 + contrast, size=(max(2, h // grain), max(2, w // grain), 3))
    smooth = cv2.resize(coarse.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    return np.clip(smooth + rng.normal(0, 4, size=(h, w, 3)), 0, 255).astype(np.uint8)


def moving_square(num_frames: int = 20, hw: Tuple[int, int] = (240, 320), side: int = 40,
                  start: Tuple[int, int] = (60, 70), velocity: Tuple[int, int] = (4, 3), seed: int = 0):
    """Frames (uint8 H x W x 3) and xywh boxes of a textured square moving `velocity` px/frame over a textured background."""
    rng = np.random.default_rng(seed)
    background = _texture(rng, hw[0], hw[1], grain=24, contrast=30)
    patch = _texture(rng, side, side, grain=6, contrast=120)
    frames, boxes = [], []
    for t in range(num_frames):
        x, y = start[0] + velocity[0] * t, start[1] + velocity[1] * t
        frame = background.copy()
        frame[y:y + side, x:x + side] = patch
        frames.append(frame)
        boxes.append([x, y, side, side])
    return frames, np.asarray(boxes, dtype=np.float64)


@pytest.fixture
def tiny_config():
    """Function ``(folder, track_type='SiamRPNTracker') -> config.yaml path`` of the tiny experiment."""
    return write_tiny_config


@pytest.fixture
def correlation_model():
    """The hand-set correlation 'network' class."""
    return PixelCorrelationModel


@pytest.fixture
def square_scene():
    """The moving-square scene generator (a function)."""
    return moving_square
