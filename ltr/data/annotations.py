"""Annotation files of the tracking datasets (LaSOT, GOT-10k, TrackingNet, OTB layouts) and result files.

One parser for every layout: numbers separated by commas, tabs or whitespace, one row per frame.
Errors name the file and the line. Writers are atomic.
"""
from __future__ import annotations

import os
import re
from typing import Optional

import numpy as np

from ltr.admin.fileio import atomic_write_text

_SEP = re.compile(r'[,\s]+')
_INLINE_SEP = re.compile(r'[ \t,\r]+')
_SPACE_AROUND_NL = re.compile(r' ?\n ?')


class AnnotationError(ValueError):
    """A missing or malformed annotation/result file; the message names the file (and line)."""


def _read_text(path: str) -> str:
    try:
        with open(path, 'r') as f:
            return f.read()
    except FileNotFoundError:
        raise AnnotationError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise AnnotationError(f"{path}: not a text file") from None


def _parse_line(path: str, lineno: int, line: str, ncols: Optional[int]) -> list:
    tokens = [t for t in _SEP.split(line.strip()) if t]
    if ncols is not None and len(tokens) != ncols:
        raise AnnotationError(f"{path}, line {lineno}: expected {ncols} numbers, found {len(tokens)}: '{line.strip()}'")
    try:
        return [float(t) for t in tokens]
    except ValueError:
        raise AnnotationError(f"{path}, line {lineno}: not a number in '{line.strip()}'") from None


def _tokens_per_line(text: str) -> np.ndarray:
    """Number of separator-delimited tokens on each line of `text` (vectorised)."""
    norm = _INLINE_SEP.sub(' ', text)
    norm = _SPACE_AROUND_NL.sub('\n', norm).strip(' ')
    b = np.frombuffer(norm.encode(), dtype=np.uint8)
    spaces = np.concatenate([[0], np.cumsum(b == 32)])
    ends = np.concatenate([np.flatnonzero(b == 10), [b.size]])
    starts = np.concatenate([[0], ends[:-1] + 1])
    counts = spaces[ends] - spaces[starts] + 1
    counts[ends == starts] = 0
    return counts


_SEP_BYTE = np.zeros(256, dtype=bool)
_SEP_BYTE[list(b' \t\r\n,')] = True
_NUMBER_BYTE = _SEP_BYTE.copy()
_NUMBER_BYTE[list(b'0123456789.-+')] = True
_POW10 = 10.0 ** np.arange(23)


def _plain_decimal_values(b: np.ndarray):
    """Values of a byte buffer of plain decimals (``-12.345``: sign, at most 15 digits, one dot)
    separated by commas/whitespace, with the token start and end offsets; None when a token does not fit.

    The digits form an integer exactly representable in float64, so one division by an exact power
    of ten gives the correctly rounded value, the same as ``float(token)``.
    """
    if b.size == 0 or not _NUMBER_BYTE[b].all():
        return None
    border = np.ones(b.size + 2, dtype=np.int8)
    border[1:-1] = _SEP_BYTE[b]
    edge = np.diff(border)
    starts = np.flatnonzero(edge == -1)
    ends = np.flatnonzero(edge == 1)
    if starts.size == 0:
        return None
    # a sign only as the first character of a token, at most one dot per token
    first = b[starts]
    signed = (first == 45) | (first == 43)
    if not np.array_equal(np.flatnonzero((b == 45) | (b == 43)), starts[signed]):
        return None
    dot_pos = np.flatnonzero(b == 46)
    dot_token = np.searchsorted(starts, dot_pos, side='right') - 1
    if dot_token.size and np.any(dot_token[1:] == dot_token[:-1]):
        return None
    ndig = (ends - starts - signed).astype(np.int32)
    ndig[dot_token] -= 1
    if ndig.min() < 1 or ndig.max() > 15:
        return None
    first_digit = np.zeros(starts.size, dtype=np.int32)
    np.cumsum(ndig[:-1], out=first_digit[1:])
    digits = b[(b >= 48) & (b <= 57)] - 48
    # exponent of each digit = number of digits after it in its token
    exponent = np.repeat(first_digit + ndig - 1, ndig) - np.arange(digits.size, dtype=np.int32)
    mantissa = np.add.reduceat(digits * _POW10[exponent], first_digit)
    frac = np.zeros(starts.size, dtype=np.int32)
    frac[dot_token] = ends[dot_token] - 1 - dot_pos
    values = mantissa / _POW10[frac]
    values[first == 45] *= -1
    return values, starts, ends


def _plain_decimal_rows(data: bytes, ncols: int) -> Optional[np.ndarray]:
    """Vectorised parse of plain decimals into ``(N, ncols)`` (see :func:`_plain_decimal_values`).

    Returns None when any token or line does not fit (exponents, 'nan', long mantissas, ragged
    rows): the caller then takes the general path, which names the bad line.
    """
    b = np.frombuffer(data, dtype=np.uint8)
    parsed = _plain_decimal_values(b)
    if parsed is None:
        return None
    values, starts, ends = parsed
    nrows = starts.size // ncols
    if nrows == 0 or starts.size % ncols:
        return None
    # exactly one newline between consecutive rows, none inside a row
    newlines = np.flatnonzero(b == 10)
    if newlines.size != nrows - 1 or np.any(newlines < ends[ncols - 1:-1:ncols]) or np.any(newlines > starts[ncols::ncols]):
        return None
    return values.reshape(nrows, ncols)


def parse_rows(text: str, path: str, ncols: int) -> np.ndarray:
    """Parse `text` into a float64 ``(N, ncols)`` array; blank trailing lines are ignored."""
    text = text.rstrip()
    if not text.strip():
        return np.zeros((0, ncols), dtype=np.float64)
    if text.isascii():  # fastest path: plain decimals, fully vectorised
        rows = _plain_decimal_rows(text.encode('ascii'), ncols)
        if rows is not None:
            return rows
    try:  # fast path: one split of the whole text, row lengths checked vectorised
        values = np.array(_SEP.split(text.strip()), dtype=np.float64)
        counts = _tokens_per_line(text)
        if values.size == ncols * counts.size and np.all(counts == ncols):
            return values.reshape(counts.size, ncols)
    except ValueError:
        pass
    lines = text.splitlines()
    return np.array([_parse_line(path, i + 1, l, ncols) for i, l in enumerate(lines)], dtype=np.float64)


def read_boxes(path: str) -> np.ndarray:
    """Read an ``(N, 4)`` float64 box file (ground truth or results); 'nan' entries are kept as NaN."""
    return parse_rows(_read_text(path), path, 4)


def read_flags(path: str) -> np.ndarray:
    """Read a flag/label file as an int64 vector: a comma line (LaSOT) or one value per line (GOT-10k)."""
    text = _read_text(path)
    if text.isascii():  # fast path: plain integers/decimals, vectorised
        parsed = _plain_decimal_values(np.frombuffer(text.encode('ascii'), dtype=np.uint8))
        if parsed is not None:
            return parsed[0].astype(np.int64)
    tokens = [t for t in _SEP.split(text.strip()) if t]
    try:
        return np.array([int(float(t)) for t in tokens], dtype=np.int64)
    except ValueError:
        for i, line in enumerate(text.splitlines()):
            _parse_line(path, i + 1, line, None)
        raise AnnotationError(f"{path}: not a list of integers") from None


def format_boxes(boxes: np.ndarray, decimals: int = 4, delimiter: str = ',') -> str:
    """Text of a box file: one row per line, `decimals` digits after the point."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return ''.join(delimiter.join(f'{v:.{decimals}f}' for v in row) + '\n' for row in boxes)


def write_boxes(path: str, boxes: np.ndarray, decimals: int = 4, delimiter: str = ',') -> None:
    """Write a result/ground-truth file atomically: comma-separated floats, 4 decimals, one line per frame."""
    atomic_write_text(path, format_boxes(boxes, decimals, delimiter))


def write_flags(path: str, flags: np.ndarray, one_per_line: bool = False) -> None:
    """Write integer flags atomically: a single comma line (LaSOT) or one per line (GOT-10k labels)."""
    values = [str(int(v)) for v in np.asarray(flags).reshape(-1)]
    text = '\n'.join(values) + '\n' if one_per_line else ','.join(values) + '\n'
    atomic_write_text(path, text)


def list_file(path: str) -> list:
    """Non-empty stripped lines of a list file (sequence lists such as GOT-10k ``list.txt``)."""
    if not os.path.isfile(path):
        raise AnnotationError(f"{path}: no such file")
    return [l.strip() for l in _read_text(path).splitlines() if l.strip()]
