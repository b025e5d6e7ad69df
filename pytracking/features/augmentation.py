"""Image transforms for the first-frame sample augmentation of DiMP, ATOM and ECO
(upstream ``pytracking/features/augmentation.py``: same classes, arguments and pixel rules).

A transform takes a (N, C, H, W) float tensor patch (or, for the flips/affine ones, an H x W x C
array) and returns the transformed patch, then ``crop_to_output`` pads or crops it to
``output_sz`` around its centre, moved by ``shift`` (rows, cols) pixels, replicating the border.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from ltr.data.processing_utils import numpy_to_torch, torch_to_numpy

Image = Union[torch.Tensor, np.ndarray]


class Transform:
    """Base class: holds the output size and the extra shift applied by ``crop_to_output``.

    args:
        output_sz: (height, width) of the result; None keeps the input size.
        shift: (rows, cols) the content moves by (positive: down/right).
    """

    def __init__(self, output_sz: Optional[Sequence[int]] = None, shift: Optional[Sequence[int]] = None):
        self.output_sz = output_sz
        self.shift = (0, 0) if shift is None else (int(shift[0]), int(shift[1]))

    def __call__(self, image: Image, is_mask: bool = False) -> Image:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def crop_to_output(self, image: torch.Tensor) -> torch.Tensor:
        """Pad (replicate) or crop `image` to ``output_sz`` keeping its centre, moved by ``shift``."""
        if not isinstance(image, torch.Tensor):
            raise TypeError(f"{type(self).__name__}: crop_to_output needs a (N, C, H, W) tensor, got {type(image).__name__}")
        h, w = image.shape[2:]
        pad_h = 0.0 if self.output_sz is None else (self.output_sz[0] - h) / 2
        pad_w = 0.0 if self.output_sz is None else (self.output_sz[1] - w) / 2
        left = math.floor(pad_w) + self.shift[1]
        right = math.ceil(pad_w) - self.shift[1]
        top = math.floor(pad_h) + self.shift[0]
        bottom = math.ceil(pad_h) - self.shift[0]
        return F.pad(image, (left, right, top, bottom), 'replicate')


class Identity(Transform):
    """No change (apart from ``crop_to_output``)."""

    def __call__(self, image: torch.Tensor, is_mask: bool = False) -> torch.Tensor:
        return self.crop_to_output(image)


class FlipHorizontal(Transform):
    """Mirror left-right."""

    def __call__(self, image: Image, is_mask: bool = False) -> Image:
        if isinstance(image, torch.Tensor):
            return self.crop_to_output(image.flip((3,)))
        return np.fliplr(image)


class FlipVertical(Transform):
    """Mirror top-bottom."""

    def __call__(self, image: Image, is_mask: bool = False) -> Image:
        if isinstance(image, torch.Tensor):
            return self.crop_to_output(image.flip((2,)))
        return np.flipud(image)


class Translation(Transform):
    """Move the content by `translation` (rows, cols) pixels, replicating the border."""

    def __init__(self, translation: Sequence[int], output_sz: Optional[Sequence[int]] = None,
                 shift: Optional[Sequence[int]] = None):
        super().__init__(output_sz, shift)
        self.shift = (self.shift[0] + int(translation[0]), self.shift[1] + int(translation[1]))

    def __call__(self, image: torch.Tensor, is_mask: bool = False) -> torch.Tensor:
        return self.crop_to_output(image)


class Scale(Transform):
    """Zoom by `scale_factor` (> 1 zooms out): resize a square patch to ``round(size / scale_factor)``
    pixels, made the same parity as the input so that the centred crop/pad is symmetric."""

    def __init__(self, scale_factor: float, output_sz: Optional[Sequence[int]] = None,
                 shift: Optional[Sequence[int]] = None):
        super().__init__(output_sz, shift)
        self.scale_factor = scale_factor

    def __call__(self, image: torch.Tensor, is_mask: bool = False) -> torch.Tensor:
        h, w = image.shape[2:]
        if h != w:
            raise ValueError(f"Scale: only square patches are supported (upstream), got {h}x{w}")
        h_new = round(h / self.scale_factor)
        h_new += (h_new - h) % 2
        w_new = round(w / self.scale_factor)
        w_new += (w_new - w) % 2
        mode = 'nearest' if is_mask else 'bilinear'
        resized = F.interpolate(image, [h_new, w_new], mode=mode, **({} if is_mask else {'align_corners': False}))
        return self.crop_to_output(resized)


def _warp(image: np.ndarray, matrix: np.ndarray, is_mask: bool) -> np.ndarray:
    flags = cv2.INTER_NEAREST if is_mask else cv2.INTER_LINEAR
    out = cv2.warpAffine(np.ascontiguousarray(image), matrix, image.shape[1::-1], flags=flags,
                         borderMode=cv2.BORDER_REPLICATE)
    return out[:, :, None] if out.ndim == 2 and image.ndim == 3 else out  # OpenCV drops a single channel


class Affine(Transform):
    """Warp by a 2x3 affine `transform_matrix` (OpenCV convention, replicate border)."""

    def __init__(self, transform_matrix: np.ndarray, output_sz: Optional[Sequence[int]] = None,
                 shift: Optional[Sequence[int]] = None):
        super().__init__(output_sz, shift)
        self.transform_matrix = np.asarray(transform_matrix, dtype=np.float64)

    def __call__(self, image: Image, is_mask: bool = False) -> Image:
        if isinstance(image, torch.Tensor):
            return self.crop_to_output(numpy_to_torch(self(torch_to_numpy(image.detach().cpu()), is_mask)).to(image.device))
        return _warp(image, self.transform_matrix, is_mask)


class Rotate(Transform):
    """Rotate by `angle` degrees about the patch centre ((H-1)/2, (W-1)/2), replicate border."""

    def __init__(self, angle: float, output_sz: Optional[Sequence[int]] = None, shift: Optional[Sequence[int]] = None):
        super().__init__(output_sz, shift)
        self.angle = math.pi * angle / 180

    def matrix(self, shape: Tuple[int, int]) -> np.ndarray:
        """The 2x3 matrix used for an image of `shape` (H, W) (upstream builds it from (H, W) as (y, x))."""
        c = (np.array(shape[:2], dtype=np.float64).reshape(2, 1) - 1) / 2
        rot = np.array([[math.cos(self.angle), math.sin(self.angle)],
                        [-math.sin(self.angle), math.cos(self.angle)]])
        return np.concatenate([rot, c - rot @ c], 1)

    def __call__(self, image: Image, is_mask: bool = False) -> Image:
        if isinstance(image, torch.Tensor):
            return self.crop_to_output(numpy_to_torch(self(torch_to_numpy(image.detach().cpu()), is_mask)).to(image.device))
        return _warp(image, self.matrix(image.shape), is_mask)


class Blur(Transform):
    """Separable Gaussian blur with `sigma` (one value or (sigma_y, sigma_x)); kernel radius
    ``ceil(2 sigma)``, normalised taps, zero padding (upstream)."""

    def __init__(self, sigma: Union[float, Sequence[float]], output_sz: Optional[Sequence[int]] = None,
                 shift: Optional[Sequence[int]] = None):
        super().__init__(output_sz, shift)
        if isinstance(sigma, (float, int)):
            sigma = (sigma, sigma)
        self.sigma = tuple(float(s) for s in sigma)
        self.filter_size = [math.ceil(2 * s) for s in self.sigma]
        taps = [torch.exp(-torch.arange(-r, r + 1, dtype=torch.float32) ** 2 / (2 * s ** 2))
                for r, s in zip(self.filter_size, self.sigma)]
        self.filter = [(taps[0] / taps[0].sum()).view(1, 1, -1, 1), (taps[1] / taps[1].sum()).view(1, 1, 1, -1)]

    def __call__(self, image: torch.Tensor, is_mask: bool = False) -> torch.Tensor:
        n, c, h, w = image.shape
        x = image.reshape(-1, 1, h, w)
        x = F.conv2d(x, self.filter[0].to(image.device, image.dtype), padding=(self.filter_size[0], 0))
        x = F.conv2d(x, self.filter[1].to(image.device, image.dtype), padding=(0, self.filter_size[1]))
        return self.crop_to_output(x.reshape(n, c, h, w))
