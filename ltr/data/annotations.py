"""Annotation files of the tracking datasets (LaSOT, GOT-10k, TrackingNet, OTB layouts) and result files.

One parser for every layout: numbers separated by commas, tabs or whitespace, one row per frame.
Errors name the file and the line. Writers are atomic.
"""
from __future__ import annotations

import os
import re
from typing import Optional, Tuple, Union

import numpy as np

from ltr.admin.fileio import atomic_write_text

# one separator: a comma with optional whitespace around it (not across a line break), or whitespace;
# two commas, or a comma at the start or end of a line, leave an empty token (an empty field: an error,
# as in upstream's np.loadtxt / pandas readers)
_SEP = re.compile(r'[^\S\n]*,[^\S\n]*|\s+')
# separators of the fast path: ',' and the ASCII whitespace; any other control byte sends the file
# to the general path (which treats it as Python's str.split does)
_WHITESPACE_CONTROL = tuple(b'\t\n\x0b\x0c\r')
_INLINE_SEP = re.compile(r'[ \t,]+')
_SPACE_AROUND_NL = re.compile(r' ?\n ?')
_PAD = 8  # spaces added around the buffer so every 8-byte window read is in range


class AnnotationError(ValueError):
    """A missing or malformed annotation/result file; the message names the file (and line)."""


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, 'rb') as f:
            return f.read()
    except FileNotFoundError:
        raise AnnotationError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AnnotationError(f"{path}: is a folder, not a file") from None


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        raise AnnotationError(f"{path}: not a text file") from None


def _lf_line_breaks(data: bytes) -> bytes:
    """`data` with CRLF and lone CR line breaks turned into LF (Python's universal newlines, as
    upstream's text-mode readers see a file), so every parsing path splits lines at the same places."""
    return data.replace(b'\r\n', b'\n').replace(b'\r', b'\n') if b'\r' in data else data


def _read_text(path: str) -> str:
    return _decode(_read_bytes(path), path)


def _split(text: str) -> list:
    """Tokens of `text` (stripped) split at separators; an empty field gives an empty token."""
    text = text.strip()
    return _SEP.split(text) if text else []


def _parse_line(path: str, lineno: int, line: str, ncols: Optional[int]) -> list:
    tokens = _split(line)
    if '' in tokens:
        raise AnnotationError(f"{path}, line {lineno}: empty field (two commas, or a comma at the start or end "
                              f"of the line) in '{line.strip()}'")
    if ncols is not None and len(tokens) != ncols:
        raise AnnotationError(f"{path}, line {lineno}: expected {ncols} numbers, found {len(tokens)}: '{line.strip()}'")
    try:
        return [float(t) for t in tokens]
    except ValueError:
        raise AnnotationError(f"{path}, line {lineno}: not a number in '{line.strip()}'") from None


_HIGH_MASK = np.array([((1 << 64) - 1) ^ ((1 << (8 * (8 - k))) - 1) for k in range(9)], dtype=np.uint64)
_LOW_MASK = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_ALIGN_SHIFT = np.array([8 * (8 - k) if k else 0 for k in range(9)], dtype=np.uint64)
_POW10_INT = 10 ** np.arange(16, dtype=np.int64)
_POW10 = 10.0 ** np.arange(16)
_LANES = {k: np.uint64(int(k * 8, 16)) for k in ('0F', 'F0', '30', '06')}


def _eight_digits(words: np.ndarray, keep: np.ndarray):
    """(valid, value) of the ASCII digits in the bytes of each uint64 that `keep` selects, the other
    bytes counting as leading zeros; packed little-endian (first character in the lowest byte).

    valid: every kept byte is '0'..'9'. value: SWAR reduction of 8 digit lanes to 4, 2, 1.
    """
    w = words & keep
    high = _LANES['30'] & keep
    valid = ((w & _LANES['F0']) == high) & (((w + _LANES['06']) & _LANES['F0']) == high)
    w = (w & _LANES['0F']) * np.uint64(2561) >> np.uint64(8)
    w = (w & np.uint64(0x00FF00FF00FF00FF)) * np.uint64(6553601) >> np.uint64(16)
    return valid, ((w & np.uint64(0x0000FFFF0000FFFF)) * np.uint64(42949672960001) >> np.uint64(32)).view(np.int64)


def _dots_like_first_token(data: bytes, b: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                          digits_from: np.ndarray) -> Optional[Tuple[np.ndarray, int]]:
    """``(dot offsets, decimals)`` when every token has its dot as many characters (`decimals` + 1)
    from its end as the first token (result files written with a fixed number of decimals), else
    None. Offsets are into the padded buffer `b`."""
    dot = data.find(b'.', 0, int(ends[0]) - _PAD)
    if dot < 0:
        return None
    decimals = int(ends[0]) - _PAD - dot - 1
    if decimals > _PAD - 1:
        return None
    dots = ends - (decimals + 1)
    return (dots, decimals) if np.all(b[dots] == 46) and np.all(dots >= digits_from) else None


def _only_whitespace_controls(b: np.ndarray) -> bool:
    """True when every byte below 32 is ASCII whitespace (tab, newline, vertical tab, form feed, CR)."""
    control = np.count_nonzero(b < 32)
    return control == 0 or control == np.count_nonzero(b == 10) \
        or control == sum(np.count_nonzero(b == c) for c in _WHITESPACE_CONTROL)


def _has_empty_field(b: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> bool:
    """True when a comma has no token on one side within its line: two commas in one gap between
    tokens, or a comma in the gap before the first token, after the last one, or in a gap that holds a
    line break (`starts`, `ends`: token offsets into `b`)."""
    if np.all(starts[1:] - ends[:-1] == 1):  # one byte between tokens (writer output): only the ends can fail
        return bool(np.any(b[:starts[0]] == 44) or np.any(b[ends[-1]:] == 44))
    commas = np.flatnonzero(b == 44)
    if commas.size == 0:
        return False
    gap = np.searchsorted(starts, commas)  # gap k lies between token k-1 and token k
    if gap[0] == 0 or gap[-1] == starts.size or np.any(gap[1:] == gap[:-1]):
        return True
    line_gaps = np.searchsorted(starts, np.flatnonzero((b == 10) | (b == 13)))
    return bool(np.isin(gap, line_gaps).any())


def _plain_decimal_tokens(data: bytes):
    """Values and ``(starts, ends)`` offsets (into `data`) of the tokens of a buffer of plain decimals
    (``-12.345``: optional sign, at most 8 digits before and 8 after the one optional dot, 15 in all)
    separated by commas and ASCII whitespace; None when anything does not fit (the caller falls back
    to the general path).

    The digits form an integer exactly representable in float64, so one division by an exact power
    of ten gives the correctly rounded value, the same as ``float(token)``.
    """
    if not data:
        return None
    buf = b' ' * _PAD + data + b' ' * (_PAD + 1)
    b = np.frombuffer(buf, dtype=np.uint8)
    if not _only_whitespace_controls(b):
        return None
    in_token = (b > 32) & (b != 44)
    bounds = np.flatnonzero(in_token[1:] != in_token[:-1]) + 1
    starts, ends = bounds[0::2], bounds[1::2]
    if starts.size == 0:
        return None
    if _has_empty_field(b, starts, ends):
        return None
    first = b[starts]
    negative = first == 45
    digits_from = starts + (negative | (first == 43))
    fixed = _dots_like_first_token(data, b, starts, ends, digits_from)
    if fixed is not None:  # one number of decimals: scalars below instead of per-token lookups
        dots, frac_len = fixed
        has_dots = True
    else:  # any layout: find every dot
        dot_pos = np.flatnonzero(b == 46)
        if dot_pos.size == 0 and np.all(ends - starts == 1):  # single digits (flag files)
            digit = first - np.uint8(48)
            return (digit.astype(np.float64), starts - _PAD, ends - _PAD) if digit.max() <= 9 else None
        dots = ends.copy()  # tokens without a dot: the integer part runs to the end
        # a second dot in a token stays inside a digit window below and fails validation
        dots[np.searchsorted(starts, dot_pos, side='right') - 1] = dot_pos
        has_dots = bool(np.any(dots != ends))
        frac_len = np.maximum(ends - dots - 1, 0)
    int_len = dots - digits_from
    ndigits = int_len + frac_len
    if int_len.max() > 8 or np.max(frac_len) > 8 or ndigits.min() == 0 or ndigits.max() > 15:
        return None
    windows = np.ndarray((b.size - 7,), dtype='<u8', buffer=buf, strides=(1,))  # 8 bytes from every offset
    int_ok, int_part = _eight_digits(windows[dots - 8], _HIGH_MASK[int_len])
    if not int_ok.all():
        return None
    if not has_dots:  # integers (LaSOT ground truth)
        values = int_part.astype(np.float64)
    else:
        shift = _ALIGN_SHIFT[frac_len]  # right-align the fraction digits
        frac_ok, frac_part = _eight_digits(windows[dots + 1] << shift, _LOW_MASK[frac_len] << shift)
        if not frac_ok.all():
            return None
        values = (int_part * _POW10_INT[frac_len] + frac_part).astype(np.float64) / _POW10[frac_len]
    values[negative] *= -1
    return values, starts - _PAD, ends - _PAD


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


def _newline_after_each_row(data: bytes, ends: np.ndarray, ncols: int) -> bool:
    """True when the byte after the last token of each row but the last is a newline and the file
    has no other newline (the usual writer output); False means 'check the general way'."""
    after = np.frombuffer(data, dtype=np.uint8)[ends[ncols - 1:-1:ncols]]
    return bool(np.all(after == 10)) and np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 10) == after.size


def _plain_decimal_rows(data: bytes, ncols: int) -> Optional[np.ndarray]:
    """Fast parse of plain decimals separated by commas/whitespace into ``(N, ncols)``; None when a
    token does not fit :func:`_plain_decimal_tokens` or a line does not hold exactly `ncols` numbers
    (the caller then takes the general path, which names the bad line)."""
    parsed = _plain_decimal_tokens(data)
    if parsed is None:
        return None
    values, starts, ends = parsed
    nrows = starts.size // ncols
    if starts.size % ncols:
        return None
    if _newline_after_each_row(data, ends, ncols):
        return values.reshape(nrows, ncols)
    # exactly one newline between consecutive rows and none inside a row
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    if newlines.size != nrows - 1 or np.any(newlines < ends[ncols - 1:-1:ncols]) \
            or np.any(newlines > starts[ncols::ncols]):
        return None
    return values.reshape(nrows, ncols)


def _general_rows(text: str, path: str, ncols: int) -> np.ndarray:
    """Any float syntax (nan, exponents, long mantissas, unicode spaces); the line-by-line pass
    runs only to name the first bad line."""
    try:  # one split of the whole text, row lengths checked vectorised
        values = np.array(_split(text), dtype=np.float64)  # an empty field raises ValueError
        counts = _tokens_per_line(text)
        if values.size == ncols * counts.size and np.all(counts == ncols):
            return values.reshape(counts.size, ncols)
    except ValueError:
        pass
    lines = text.split('\n')  # line breaks are LF only here (parse_rows converted CR and CRLF)
    return np.array([_parse_line(path, i + 1, l, ncols) for i, l in enumerate(lines)], dtype=np.float64)


def parse_rows(text: Union[str, bytes], path: str, ncols: int) -> np.ndarray:
    """Parse `text` (str or UTF-8 bytes) into a float64 ``(N, ncols)`` array: numbers separated by
    commas, tabs or whitespace, exactly `ncols` per line, 'nan' allowed; blank trailing lines are
    ignored. A bad line (wrong count, not a number, an empty field such as ``1,,2`` or a trailing
    comma, a blank line before the last row) raises AnnotationError naming `path` and the line number."""
    data = _lf_line_breaks(text.encode('utf-8') if isinstance(text, str) else text)
    data = data.rstrip()
    if not data.strip():
        return np.zeros((0, ncols), dtype=np.float64)
    rows = _plain_decimal_rows(data, ncols)
    if rows is not None:
        return rows
    text = _decode(data, path).rstrip()
    if not text.strip():
        return np.zeros((0, ncols), dtype=np.float64)
    return _general_rows(text, path, ncols)


def read_boxes(path: str) -> np.ndarray:
    """Read an ``(N, 4)`` float64 box file (ground truth or results); 'nan' entries are kept as NaN."""
    return parse_rows(_read_bytes(path), path, 4)


def read_flags(path: str) -> np.ndarray:
    """Read a flag/label file as an int64 vector: a comma line (LaSOT) or one value per line (GOT-10k)."""
    data = _lf_line_breaks(_read_bytes(path))
    parsed = _plain_decimal_tokens(data)  # fast path: plain numbers
    if parsed is not None:
        return parsed[0].astype(np.int64)
    text = _decode(data, path)
    tokens = _split(text)
    try:
        return np.array([int(float(t)) for t in tokens], dtype=np.int64)
    except ValueError:
        for i, line in enumerate(text.split('\n')):
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
