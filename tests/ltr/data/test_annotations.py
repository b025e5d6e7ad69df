"""Annotation/result file parsing: the fast path returns exactly float(token), and every malformed
file is an error naming the file and the line (whichever path it would have taken)."""
import numpy as np
import pytest

from ltr.data.annotations import AnnotationError, parse_rows, read_boxes, read_flags, write_boxes, write_flags


def _random_tokens(rng, n):
    toks = []
    for _ in range(n):
        ip, fp = rng.integers(0, 9, 2)
        tok = ''.join(rng.choice(list('0123456789'), ip)) or '0'
        if fp or rng.random() < 0.2:
            tok += '.' + ''.join(rng.choice(list('0123456789'), fp))
        if rng.random() < 0.3:
            tok = rng.choice(['-', '+']) + tok
        toks.append(tok)
    return toks


@pytest.mark.parametrize('seed', range(4))
def test_parse_equals_python_float_for_mixed_layouts(seed):
    rng = np.random.default_rng(seed)
    toks = _random_tokens(rng, 400)
    seps = [',', ', ', '\t', ' ', '  ']
    lines = [rng.choice(seps).join(toks[i:i + 4]) for i in range(0, len(toks), 4)]
    text = rng.choice(['\n', '\r\n']).join(lines) + rng.choice(['', '\n', '\n\n', ' \n'])
    expected = np.array([float(t) for t in toks]).reshape(-1, 4)
    for arg in (text, text.encode()):
        out = parse_rows(arg, 'f.txt', 4)
        np.testing.assert_array_equal(out, expected)
        np.testing.assert_array_equal(np.signbit(out), np.signbit(expected))  # '-0.0' stays negative


def test_fixed_decimals_and_integers_exact():
    rng = np.random.default_rng(5)
    boxes = rng.uniform(-500, 5000, (300, 4))
    text = ''.join(','.join(f'{v:.6f}' for v in row) + '\n' for row in boxes)
    np.testing.assert_array_equal(parse_rows(text, 'f', 4), [[float(f'{v:.6f}') for v in r] for r in boxes])
    ints = rng.integers(-99999999, 99999999, (50, 4))
    np.testing.assert_array_equal(parse_rows('\n'.join(','.join(map(str, r)) for r in ints), 'f', 4), ints)


def test_general_syntax_nan_exponents_long_numbers():
    out = parse_rows('nan,1e2,-inf,3\n123456789012.5,0.1234567890123,1E-3,NaN\n', 'f', 4)
    assert np.isnan(out[0, 0]) and out[0, 1] == 100 and out[0, 2] == -np.inf
    assert out[1, 0] == 123456789012.5 and out[1, 1] == 0.1234567890123 and out[1, 2] == 1e-3
    assert parse_rows('', 'f', 4).shape == (0, 4) and parse_rows('\n \n', 'f', 4).shape == (0, 4)


@pytest.mark.parametrize('line2, message', [
    ('1,2-3,4', 'expected 4 numbers, found 3'),
    ('', 'expected 4 numbers, found 0'),
    ('1.2.3,2,3,4', 'not a number'),
    ('1,2,3,4,5', 'expected 4 numbers, found 5'),
    ('-,2,3,4', 'not a number'),
    ('.,2,3,4', 'not a number'),
    ('1,2,3,4-', 'not a number'),
    ('1,2,3,abc', 'not a number'),
    ('1,2,3,+', 'not a number'),
    ('1 2 3 4 5 6 7 8', 'expected 4 numbers, found 8'),
    ('1,2,3,4\x00', 'not a number'),
])
def test_malformed_line_names_file_and_line(line2, message):
    text = f'1.5,2.5,3.5,4.5\n{line2}\n7.5,8.5,9.5,1.5\n'
    with pytest.raises(AnnotationError, match=rf'res\.txt, line 2: {message}'):
        parse_rows(text, 'res.txt', 4)


def test_leading_blank_line_is_line_1():
    with pytest.raises(AnnotationError, match=r'f, line 1: expected 4 numbers, found 0'):
        parse_rows('\n1,2,3,4', 'f', 4)


def test_files_round_trip_and_flags(tmp_path):
    boxes = np.array([[1.25, 2, 30, 40], [-0.5, 7.125, 8, 9]])
    write_boxes(str(tmp_path / 'b.txt'), boxes)
    np.testing.assert_array_equal(read_boxes(str(tmp_path / 'b.txt')), boxes)
    write_flags(str(tmp_path / 'lasot.txt'), [0, 1, 1, 0])
    write_flags(str(tmp_path / 'got.label'), [0, 8, 10, 3], one_per_line=True)
    assert read_flags(str(tmp_path / 'lasot.txt')).tolist() == [0, 1, 1, 0]
    assert read_flags(str(tmp_path / 'got.label')).tolist() == [0, 8, 10, 3]
    (tmp_path / 'bad.label').write_text('0\n1\nx\n')
    with pytest.raises(AnnotationError, match=r'bad\.label, line 3'):
        read_flags(str(tmp_path / 'bad.label'))
    with pytest.raises(AnnotationError, match=r'nope\.txt: no such file'):
        read_boxes(str(tmp_path / 'nope.txt'))
    (tmp_path / 'bin.txt').write_bytes(b'1,2,3,\xff\n')
    with pytest.raises(AnnotationError, match=r'bin\.txt: not a text file'):
        read_boxes(str(tmp_path / 'bin.txt'))
