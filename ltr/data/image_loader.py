"""Image loading: RGB ``uint8`` ``H x W x 3`` out, whatever the decoder.

JPEGs are decoded with jpeg4py when the system library libturbojpeg is present, otherwise with
OpenCV (which reads BGR: converted here, once). Masks load as ``uint8`` ``H x W``.

Broken frames: a missing file, an empty file, a file no decoder accepts and a truncated JPEG (no
end-of-image marker near its end; OpenCV would decode its top part and fill the rest with grey) are an
:class:`ImageReadError` naming the path. Long runs read their frames through :func:`read_frames`, which
turns such a frame into a :class:`BrokenFrame` (or, with ``strict``, raises), so that one damaged file
does not end a run of hours.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Union

import cv2
import numpy as np


class ImageReadError(IOError):
    """An image or mask file is missing or cannot be decoded; ``path`` and ``reason`` say which and why."""

    path: str = ''
    reason: str = ''


def image_read_error(path: str, reason: str, note: str = '') -> ImageReadError:
    """An ImageReadError ``'<path>: <reason>[ (<note>)]'`` with ``path`` and ``reason`` set."""
    err = ImageReadError(f"{path}: {reason}" + (f" ({note})" if note else ''))
    err.path, err.reason = path, reason
    return err


# A JPEG ends with the end-of-image marker FF D9; a file cut off in its scan data has none after its last
# start-of-scan marker FF DA (inside scan data FF is always followed by 00 or a restart marker). Most files
# end with the marker: their last bytes settle it; files with a trailer after it (camera metadata, appended
# pictures) are searched whole, so they still read as upstream reads them.
JPEG_TAIL_BYTES = 1024


def jpeg_is_truncated(path: str) -> bool:
    """True when the JPEG at `path` has no end-of-image marker after its last start-of-scan marker."""
    with open(path, 'rb') as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - JPEG_TAIL_BYTES))
        if b'\xff\xd9' in f.read():
            return False
        f.seek(0)
        data = f.read()
    return data.rfind(b'\xff\xd9') < data.rfind(b'\xff\xda') or b'\xff\xd9' not in data


# OpenCV >= 4.10 decodes straight to RGB (same pixels as BGR decoding + cvtColor, one pass less)
_IMREAD_RGB = getattr(cv2, 'IMREAD_COLOR_RGB', None)


def opencv_loader(path: str) -> np.ndarray:
    """Read an image with OpenCV and return it as RGB uint8."""
    im = cv2.imread(path, cv2.IMREAD_COLOR if _IMREAD_RGB is None else _IMREAD_RGB)
    if im is None:
        raise image_read_error(path, 'no such file' if not os.path.exists(path) else 'cannot be decoded')
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
        raise image_read_error(path, 'no such file')
    try:
        return _JPEG(path).decode()
    except Exception:  # jpeg4py refuses some valid files (e.g. CMYK): let OpenCV try
        return opencv_loader(path)


def default_image_loader(path: str) -> np.ndarray:
    """Read any image as RGB uint8 (jpeg4py for JPEGs when available, else OpenCV); a missing, empty,
    undecodable or truncated file is an ImageReadError naming it."""
    if path.lower().endswith(('.jpg', '.jpeg')):
        try:
            truncated = jpeg_is_truncated(path)
        except OSError:
            raise image_read_error(path, 'no such file' if not os.path.exists(path) else 'cannot be read') from None
        if truncated:
            raise image_read_error(path, 'empty file' if os.path.getsize(path) == 0
                                   else 'truncated JPEG (no end-of-image marker)')
        return jpeg4py_loader(path)
    return opencv_loader(path)


def imread_mask(path: str) -> np.ndarray:
    """Read a single-channel mask (PNG) as uint8 ``H x W``; colour files keep their first channel."""
    m = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if m is None:
        raise image_read_error(path, 'no such file' if not os.path.exists(path) else 'cannot be decoded')
    return m if m.ndim == 2 else m[..., 0]


# -- frames of long runs -----------------------------------------------------------------------
@dataclass(frozen=True)
class BrokenFrame:
    """A frame that could not be read: its 0-based index in the sequence, its path and why."""
    index: int
    path: str
    reason: str

    def line(self) -> str:
        """``frame <k> (<path>): <reason>`` with the 1-based frame number."""
        return f"frame {self.index + 1} ({self.path}): {self.reason}"


def read_frame(path: str, index: int = 0, loader: Callable[[str], np.ndarray] = default_image_loader
               ) -> Union[np.ndarray, BrokenFrame]:
    """The frame at `path` (RGB uint8), or a :class:`BrokenFrame` naming it when it cannot be read."""
    try:
        return loader(path)
    except ImageReadError as e:
        return BrokenFrame(index, path, e.reason or str(e))


def read_frames(paths: Iterable[str], strict: bool = False,
                loader: Callable[[str], np.ndarray] = default_image_loader) -> Iterator[Union[np.ndarray, BrokenFrame]]:
    """THE frame reader of the runners (arena, run_tracker, run_video, refine_results): each path's image, or
    a :class:`BrokenFrame` for one that cannot be read; with `strict` such a frame raises an ImageReadError
    naming its path and frame number instead."""
    for index, path in enumerate(paths):
        frame = read_frame(path, index, loader)
        if strict and isinstance(frame, BrokenFrame):
            raise image_read_error(path, frame.reason, f"frame {index + 1}; --strict stops at a broken frame")
        yield frame
