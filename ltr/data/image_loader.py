"""Image loading: RGB ``uint8`` ``H x W x 3`` out, whatever the decoder.

JPEGs are decoded with jpeg4py when the system library libturbojpeg is present, otherwise with
OpenCV (which reads BGR: converted here, once). Masks load as ``uint8`` ``H x W``.
"""
from __future__ import annotations

import os

import cv2
import numpy as np


class ImageReadError(IOError):
    """An image or mask file is missing or cannot be decoded."""


# OpenCV >= 4.10 decodes straight to RGB (same pixels as BGR decoding + cvtColor, one pass less)
_IMREAD_RGB = getattr(cv2, 'IMREAD_COLOR_RGB', None)


def opencv_loader(path: str) -> np.ndarray:
    """Read an image with OpenCV and return it as RGB uint8."""
    im = cv2.imread(path, cv2.IMREAD_COLOR if _IMREAD_RGB is None else _IMREAD_RGB)
    if im is None:
        reason = 'no such file' if not os.path.exists(path) else 'cannot be decoded'
        raise ImageReadError(f"{path}: {reason}")
    return im if _IMREAD_RGB is not None else cv2.cvtColor(im, cv2.COLOR_BGR2RGB)


def _jpeg4py_decoder():
    """Return jpeg4py's JPEG class when libturbojpeg can really be loaded, else None."""
    try:
        import jpeg4py
        jpeg4py.JPEG.get_lib()  # loads libturbojpeg; raises when the library is absent
        return jpeg4py.JPEG
    except Exception:  # missing package or missing system library: fall back to OpenCV
        return None


_JPEG = _jpeg4py_decoder()


def jpeg4py_loader(path: str) -> np.ndarray:
    """Decode a JPEG with jpeg4py (RGB); falls back to OpenCV when jpeg4py is unavailable."""
    if _JPEG is None:
        return opencv_loader(path)
    if not os.path.exists(path):
        raise ImageReadError(f"{path}: no such file")
    try:
        return _JPEG(path).decode()
    except Exception:  # jpeg4py refuses some valid files (e.g. CMYK): let OpenCV try
        return opencv_loader(path)


def default_image_loader(path: str) -> np.ndarray:
    """Read any image as RGB uint8 (jpeg4py for JPEGs when available, else OpenCV)."""
    if path.lower().endswith(('.jpg', '.jpeg')):
        return jpeg4py_loader(path)
    return opencv_loader(path)


def imread_mask(path: str) -> np.ndarray:
    """Read a single-channel mask (PNG) as uint8 ``H x W``; colour files keep their first channel."""
    m = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if m is None:
        reason = 'no such file' if not os.path.exists(path) else 'cannot be decoded'
        raise ImageReadError(f"{path}: {reason}")
    return m if m.ndim == 2 else m[..., 0]
