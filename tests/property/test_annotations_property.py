"""Property tests of the annotation / result-file parser (``ltr/data/annotations.py``).

Contract (upstream pytracking reads these files with ``np.loadtxt``/pandas and a comma, tab or space
delimiter; the LaSOT toolkit with comma or tab; DESIGN.md section 7: readers accept comma, tab or
whitespace):

* a separator is whitespace (spaces, tabs) or one comma with optional whitespace around it, and any
  mix of those in one file; lines end in LF or CRLF; blank lines at the end are ignored;
* every token is what Python's ``float`` reads (plain decimals, exponents, ``nan``/``NaN``, ``inf``),
  so the parsed value is exactly ``float(token)`` whichever internal path parses it;
* everything else is an :class:`AnnotationError` that names the file and the 1-based line: a line with
  too few or too many numbers, a token that is not a number, an empty field (two commas, a comma at the
  start or end of a line: upstream's readers reject those too), a blank line before the last row.
"""
from __future__ import annotations

import math
import os
import re
import tempfile
from typing import List, Tuple

import numpy as np
import pytest
from hypothesis import assume, example, given, strategies as st

from ltr.data.annotations import AnnotationError, format_boxes, parse_rows, read_boxes, read_flags, write_flags
from pytracking.analysis.results import read_result

NCOLS = 4
# separators between two numbers of a row: whitespace, or one comma with optional whitespace around it
SEPARATORS = st.sampled_from([',', ', ', ' ,', ' , ', ',\t', '\t', ' ', '  ', '\t ', ' \t'])
LINE_PAD = st.sampled_from(['', ' ', '\t', '  '])
LINE_END = st.sampled_from(['\n', '\r\n', '\r'])  # '\r': old Mac files (universal newlines, as upstream's text-mode reads)
TRAILER = st.sampled_from(['', '\n', '\r\n', '\n\n', ' \n', '\n \n', '\r\n\r\n'])

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
value = st.one_of(finite, finite.map(round), st.just(float('nan')), st.just(0.0), st.just(-0.0),
                  st.sampled_from([float('inf'), float('-inf')]))


@st.composite
def token_of(draw, v: float) -> str:
    """One textual form of `v` that a writer or an annotator might produce."""
    if math.isnan(v):
        return draw(st.sampled_from(['nan', 'NaN', 'NAN', '-nan', '+nan']))
    if math.isinf(v):
        return draw(st.sampled_from(['inf', 'Infinity'])) if v > 0 else draw(st.sampled_from(['-inf', '-Infinity']))
    style = draw(st.sampled_from(['fixed', 'repr', 'exp', 'EXP', 'int', 'g', 'plus', 'bare_dot']))
    if style == 'fixed':
        return f'{v:.{draw(st.integers(0, 10))}f}'
    if style == 'exp':
        return f'{v:.{draw(st.integers(0, 12))}e}'
    if style == 'EXP':
        return f'{v:.{draw(st.integers(0, 6))}E}'
    if style == 'int' and float(v).is_integer():
        return str(int(v))
    if style == 'g':
        return f'{v:g}'
    if style == 'plus' and math.copysign(1.0, v) > 0:
        return '+' + repr(v)
    if style == 'bare_dot' and 0 < abs(v) < 1:  # '.5', '-.25'
        return f'{v:.{draw(st.integers(1, 8))}f}'.replace('0.', '.', 1)
    return repr(v)


@st.composite
def rendered_table(draw, min_rows: int = 0, max_rows: int = 12) -> Tuple[str, List[List[str]]]:
    """(text, tokens per row) of a random table in any accepted layout."""
    nrows = draw(st.integers(min_rows, max_rows))
    rows, lines = [], []
    nan_row = draw(st.booleans())
    for _ in range(nrows):
        if nan_row and draw(st.integers(0, 4)) == 0:  # whole NaN rows, as UAV123/LaSOT results have
            toks = [draw(token_of(float('nan')))] * NCOLS
        else:
            toks = [draw(token_of(draw(value))) for _ in range(NCOLS)]
        seps = [draw(SEPARATORS) for _ in range(NCOLS - 1)]
        line = draw(LINE_PAD) + ''.join(t + s for t, s in zip(toks, seps)) + toks[-1] + draw(LINE_PAD)
        rows.append(toks)
        lines.append(line)
    text = ''.join(line + draw(LINE_END) for line in lines[:-1]) + (lines[-1] if lines else '')
    return text + draw(TRAILER), rows


def _expected(rows: List[List[str]]) -> np.ndarray:
    return np.array([[float(t) for t in r] for r in rows], dtype=np.float64).reshape(-1, NCOLS)


def _assert_same(out: np.ndarray, expected: np.ndarray) -> None:
    assert out.shape == expected.shape and out.dtype == np.float64
    np.testing.assert_array_equal(out, expected)  # NaN == NaN here
    np.testing.assert_array_equal(np.signbit(out[~np.isnan(out)]), np.signbit(expected[~np.isnan(expected)]))


@given(rendered_table())
@example(('1,2,3,4\r\n5,6,7,8\r\n', [['1', '2', '3', '4'], ['5', '6', '7', '8']]))
@example(('-0.0\t.5 , +1e-3,NaN\n', [['-0.0', '.5', '+1e-3', 'NaN']]))
def test_any_accepted_layout_parses_to_float_of_each_token(table):
    text, rows = table
    expected = _expected(rows)
    _assert_same(parse_rows(text, 'res.txt', NCOLS), expected)
    _assert_same(parse_rows(text.encode(), 'res.txt', NCOLS), expected)


@given(rendered_table(min_rows=1))
def test_read_boxes_and_read_result_read_the_file_as_parse_rows(table):
    """The readers the evaluation uses go through the same parser."""
    text, rows = table
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, 'trk', 'param'))
        path = os.path.join(root, 'trk', 'param', 'seq.txt')
        with open(path, 'w', newline='') as f:
            f.write(text)
        _assert_same(read_boxes(path), _expected(rows))
        _assert_same(read_result(root, 'trk/param', 'seq', len(rows)), _expected(rows))


# -- rejections: one bad line among good ones -----------------------------------------------------------

BAD_LINES = {
    'too few numbers': st.sampled_from(['1,2,3', '1 2 3', '1\t2\t3', '7']),
    'too many numbers': st.sampled_from(['1,2,3,4,5', '1 2 3 4 5 6 7 8', '1\t2\t3\t4\t5']),
    'not a number': st.sampled_from(['1,2,3,abc', '1.2.3,2,3,4', '--1,2,3,4', '1,2,3,4e', '1,2,3,0x10',
                                     '1,2,3,4-', '.,2,3,4', '1,2,3,+', 'e5,2,3,4', '1;2;3;4', '1,2,3,4.5.6']),
    'empty field': st.sampled_from(['1,,2,3,4', '1,2,,3', '1,2,3,4,', ',1,2,3,4', '1, ,2,3,4', '1,2,3,4 ,',
                                    '1,2,3, ,4']),
    'blank line': st.sampled_from(['', ' ', '\t']),
}


@st.composite
def file_with_bad_line(draw) -> Tuple[str, int, str]:
    """(text, 1-based number of the bad line, kind) of a valid table with one line replaced."""
    text, rows = draw(rendered_table(min_rows=2, max_rows=8))
    ending = draw(LINE_END)
    lines = re.split(r'\r\n|\r|\n', text.rstrip('\r\n \t'))
    lines = lines[:len(rows)]
    kind = draw(st.sampled_from(sorted(BAD_LINES)))
    # a blank line must be followed by a row (trailing blank lines are allowed)
    k = draw(st.integers(0, len(lines) - (2 if kind == 'blank line' else 1)))
    lines[k] = draw(BAD_LINES[kind])
    return ending.join(lines) + draw(TRAILER), k + 1, kind


@given(file_with_bad_line())
@example(('1,2,3,4\n1,,2,3,4\n5,6,7,8\n', 2, 'empty field'))
@example(('1,2,3,4,\n5,6,7,8,\n', 1, 'empty field'))
# a lone CR is a line break (universal newlines) in every parsing path, found by hypothesis:
@example(('\rnan,nan,0,0.0', 1, 'blank line'))
@example(('1,2\r3,4\n5,6,7,8\n', 1, 'too few numbers'))
@example(('1,2,3,4\n\r5,6,7,8\n', 2, 'blank line'))
def test_a_bad_line_is_rejected_naming_the_file_and_that_line(case):
    text, lineno, kind = case
    for arg in (text, text.encode()):
        with pytest.raises(AnnotationError, match=rf'^bad\.txt, line {lineno}: '):
            parse_rows(arg, 'bad.txt', NCOLS)


# -- writers and flags ----------------------------------------------------------------------------------

@given(st.lists(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=4, max_size=4),
                max_size=10),
       st.integers(0, 8), st.sampled_from([',', '\t', ' ']))
def test_written_boxes_read_back_as_their_printed_values(boxes, decimals, delimiter):
    text = format_boxes(np.array(boxes, dtype=np.float64).reshape(-1, 4), decimals, delimiter)
    expected = np.array([[float(f'{v:.{decimals}f}') for v in row] for row in boxes], dtype=np.float64).reshape(-1, 4)
    _assert_same(parse_rows(text, 'w.txt', NCOLS), expected)


@given(st.lists(st.integers(0, 10), min_size=1, max_size=40), st.sampled_from(['comma', 'lines', 'crlf', 'spaces']),
       TRAILER)
def test_flag_files_read_back(flags, layout, trailer):
    sep = {'comma': ',', 'lines': '\n', 'crlf': '\r\n', 'spaces': ' '}[layout]
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, 'flags.txt')
        with open(path, 'w', newline='') as f:
            f.write(sep.join(str(v) for v in flags) + trailer)
        assert read_flags(path).tolist() == flags
        write_flags(path, flags, one_per_line=layout != 'comma')
        assert read_flags(path).tolist() == flags


@given(st.lists(st.integers(0, 1), min_size=2, max_size=20), st.integers(0, 100))
def test_flag_file_with_an_empty_field_is_rejected(flags, where):
    """'0,1,,1' has an empty field (upstream's np.loadtxt/pandas readers reject it)."""
    tokens = [str(v) for v in flags]
    tokens.insert(1 + where % (len(tokens) - 1), '')
    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, 'out_of_view.txt')
        with open(path, 'w') as f:
            f.write(','.join(tokens) + '\n')
        with pytest.raises(AnnotationError, match=r'out_of_view\.txt, line 1: '):
            read_flags(path)
