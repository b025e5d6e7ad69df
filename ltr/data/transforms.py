"""Image transforms of the Alpha-Refine training recipe (``ltr/data/ardata/transforms.py`` upstream).

A :class:`Transform` draws its random parameters once per call (``roll``) and applies them to every
image passed in that call, so a joint transform treats the template and search frames alike.
Random draws use the global ``random``/``numpy`` generators, which the loader seeds per worker.
"""
from __future__ import annotations

import random
from typing import Sequence

import cv2
import numpy as np
import torch


class Transform:
    """Base class: ``roll()`` draws the random parameters, ``transform(img, *params)`` is deterministic."""

    def __call__(self, *images):
        params = self.roll()
        if params is None:
            params = ()
        elif not isinstance(params, tuple):
            params = (params,)
        out = [self.transform(img, *params) for img in images]
        return out[0] if len(out) == 1 else out

    def roll(self):
        """Draw this call's random parameters (None when the transform is deterministic)."""
        return None

    def transform(self, img, *params):
        raise NotImplementedError(f"{type(self).__name__} must implement transform()")


class Compose:
    """Apply transforms in order; each receives the previous one's outputs.

    A ``ToTensor``/``ToTensorAndJitter`` directly followed by ``Normalize`` runs as one fused,
    in-place float32 pass per image (same random draws, bit-identical values, fewer temporaries).
    """

    def __init__(self, transforms: Sequence):
        self.transforms = list(transforms)
        self._steps_of = (None, [])  # (transforms they were made from, fused steps)

    def _steps(self) -> list:
        key = tuple(self.transforms)  # re-fuse if the list was edited
        if self._steps_of[0] != key:
            self._steps_of = (key, _fused_steps(self.transforms))
        return self._steps_of[1]

    def __call__(self, *images):
        out = images
        for t in self._steps():
            out = t(*(out if isinstance(out, (tuple, list)) else (out,)))
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(t) for t in self.transforms)})"


class ToGrayscale(Transform):
    """With probability `probability`, replace every image by its grey version replicated to 3 channels.

    Upstream converts with ``cv2.COLOR_RGB2GRAY`` on uint8 ``H x W x 3`` arrays.
    """

    def __init__(self, probability: float = 0.5):
        self.probability = probability

    def roll(self) -> bool:
        return random.random() < self.probability

    def transform(self, img: np.ndarray, do_grayscale: bool) -> np.ndarray:
        if not do_grayscale:
            return img
        if isinstance(img, torch.Tensor):
            raise TypeError("ToGrayscale works on uint8 H x W x 3 numpy images, not tensors")
        gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
        return np.stack([gray, gray, gray], axis=2)

    def __repr__(self) -> str:
        return f"ToGrayscale(probability={self.probability})"


class ToTensorAndJitter(Transform):
    """HWC uint8 -> CHW float in [0, 1], brightness scaled by ``U(max(0, 1 - j), 1 + j)`` then clamped."""

    def __init__(self, brightness_jitter: float = 0.0):
        self.brightness_jitter = brightness_jitter

    def roll(self) -> float:
        return float(np.random.uniform(max(0.0, 1 - self.brightness_jitter), 1 + self.brightness_jitter))

    def transform(self, img: np.ndarray, brightness_factor: float) -> torch.Tensor:
        t = torch.from_numpy(np.ascontiguousarray(img.transpose((2, 0, 1))))
        return t.float().mul(brightness_factor / 255.0).clamp(0.0, 1.0)

    def __repr__(self) -> str:
        return f"ToTensorAndJitter(brightness_jitter={self.brightness_jitter})"


class ToTensor(Transform):
    """HWC uint8 -> CHW float in [0, 1] (the validation transform)."""

    def transform(self, img: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(img.transpose((2, 0, 1)))).float().div(255.0)


class Normalize(Transform):
    """``(x - mean) / std`` per channel on CHW float tensors (ImageNet statistics by default)."""

    def __init__(self, mean: Sequence[float] = (0.485, 0.456, 0.406), std: Sequence[float] = (0.229, 0.224, 0.225)):
        self.mean = torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(-1, 1, 1)

    def transform(self, img: torch.Tensor) -> torch.Tensor:
        return (img - self.mean) / self.std

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.flatten().tolist()}, std={self.std.flatten().tolist()})"


class _TensorNormalize(Transform):
    """``to_tensor`` (ToTensor or ToTensorAndJitter) then ``normalize`` in one pass over a uint8 HWC image.

    The uint8 -> float32 conversion and the HWC -> CHW transpose happen in one copy; scaling,
    clamping and normalising run in place with the same float32 operations as the two separate
    transforms, so the values are identical. Other inputs take the two transforms one after the other.
    """

    def __init__(self, to_tensor: Transform, normalize: 'Normalize'):
        self.to_tensor = to_tensor
        self.normalize = normalize

    def roll(self):
        return self.to_tensor.roll()

    def transform(self, img, *params) -> torch.Tensor:
        if not (isinstance(img, np.ndarray) and img.dtype == np.uint8 and img.ndim == 3):
            return self.normalize.transform(self.to_tensor.transform(img, *params))
        out = torch.empty((img.shape[2], img.shape[0], img.shape[1]), dtype=torch.float32)
        out.copy_(torch.from_numpy(img).permute(2, 0, 1))
        if isinstance(self.to_tensor, ToTensorAndJitter):
            out.mul_(params[0] / 255.0).clamp_(0.0, 1.0)
        else:
            out.div_(255.0)
        return out.sub_(self.normalize.mean).div_(self.normalize.std)


def _fused_steps(transforms: Sequence) -> list:
    """`transforms` with each (ToTensor[AndJitter], Normalize) pair replaced by one fused step."""
    steps, i = [], 0
    while i < len(transforms):
        t = transforms[i]
        nxt = transforms[i + 1] if i + 1 < len(transforms) else None
        if type(t) in (ToTensor, ToTensorAndJitter) and type(nxt) is Normalize:
            steps.append(_TensorNormalize(t, nxt))
            i += 2
        else:
            steps.append(t)
            i += 1
    return steps


class RandomHorizontalFlip(Transform):
    """Flip every image horizontally with probability `probability` (numpy HWC or tensor CHW)."""

    def __init__(self, probability: float = 0.5):
        self.probability = probability

    def roll(self) -> bool:
        return random.random() < self.probability

    def transform(self, img, do_flip: bool):
        if not do_flip:
            return img
        if isinstance(img, torch.Tensor):
            return img.flip((2,))
        return np.fliplr(img).copy()


def recipe_transforms(brightness_jitter: float = 0.2, grayscale_probability: float = 0.05,
                      mean: Sequence[float] = (0.485, 0.456, 0.406),
                      std: Sequence[float] = (0.229, 0.224, 0.225)):
    """The SEcm recipe's ``(joint, train, val)`` transforms: ToGrayscale(0.05); ToTensorAndJitter(0.2)+Normalize;
    ToTensor+Normalize."""
    joint = ToGrayscale(probability=grayscale_probability)
    train = Compose([ToTensorAndJitter(brightness_jitter), Normalize(mean, std)])
    val = Compose([ToTensor(), Normalize(mean, std)])
    return joint, train, val
