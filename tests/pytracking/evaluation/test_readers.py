"""Evaluation readers read annotation files only and name the bad file and line."""
import os
import zipfile

import numpy as np
import pytest

from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError, parse_rows, write_boxes, write_flags
from pytracking.analysis.packing import pack_got10k, pack_trackingnet
from pytracking.analysis.results import ResultError
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.got10kdataset import got10k_dataset
from pytracking.evaluation.lasotdataset import lasot_dataset, lasot_sequence_names


def _lasot_seq(root, name, n=5, occ=(), oov=()):
    d = os.path.join(root, name.rsplit('-', 1)[0], name)
    write_boxes(os.path.join(d, 'groundtruth.txt'), np.tile([1, 2, 30, 40.], (n, 1)))
    write_flags(os.path.join(d, 'full_occlusion.txt'), np.isin(np.arange(n), occ).astype(int))
    write_flags(os.path.join(d, 'out_of_view.txt'), np.isin(np.arange(n), oov).astype(int))
    return d


def test_lasot_reader_visibility_masks_attributes(tmp_path):
    root = str(tmp_path)
    d = _lasot_seq(root, 'bird-3', occ=[1], oov=[3])
    _lasot_seq(root, 'bird-7')
    os.makedirs(os.path.join(d, 'masks'))
    os.makedirs(os.path.join(root, 'att'))
    with open(os.path.join(root, 'att', 'bird-3.txt'), 'w') as f:
        f.write('1,0,0,0,0,0,0,0,0,1,0,1,0,0\n')
    seqs = lasot_dataset(root, 'full')
    assert seqs.names() == ['bird-3', 'bird-7']
    s = seqs['bird-3']
    assert s.target_visible.tolist() == [True, False, True, False, True]
    assert s.object_class == 'bird' and s.frames[0].endswith(os.path.join('img', '00000001.jpg'))
    assert s.masks[4].endswith(os.path.join('masks', '00000005.png')) and seqs['bird-7'].masks is None
    assert s.attributes['IV'] == 1 and s.attributes['FOC'] == 1 and s.attributes['POC'] == 0
    assert len(lasot_sequence_names(root, 'test')) == 280  # packaged Protocol-II list


def test_malformed_annotation_names_file_and_line(tmp_path):
    d = _lasot_seq(str(tmp_path), 'cat-1')
    with open(os.path.join(d, 'groundtruth.txt'), 'a') as f:
        f.write('1,2,3\n')
    with open(os.path.join(tmp_path, 'testing_set.txt'), 'w') as f:
        f.write('cat-1\n')
    with pytest.raises(AnnotationError, match=r'groundtruth.txt, line 6'):
        lasot_dataset(str(tmp_path), 'test')


def test_missing_root_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_LASOT_PATH', '')
    with pytest.raises(MissingPathError, match='lasot_path'):
        get_dataset('lasot')
    with pytest.raises(MissingPathError, match='nope'):
        get_dataset('lasot', root=str(tmp_path / 'nope'))


def _got_tree(root, split='val', n=4):
    sd = os.path.join(root, split)
    os.makedirs(sd)
    with open(os.path.join(sd, 'list.txt'), 'w') as f:
        f.write('GOT-10k_Val_000001\n')
    d = os.path.join(sd, 'GOT-10k_Val_000001')
    write_boxes(os.path.join(d, 'groundtruth.txt'), np.tile([5, 5, 20, 20.], (n, 1)))
    write_flags(os.path.join(d, 'absence.label'), [0, 0, 1, 0], one_per_line=True)
    write_flags(os.path.join(d, 'cover.label'), [8, 0, 0, 5], one_per_line=True)
    with open(os.path.join(d, 'meta_info.ini'), 'w') as f:
        f.write('[METAINFO]\nobject_class: bear\nresolution: (1280, 720)\n')
    return d


def test_got10k_reader(tmp_path):
    _got_tree(str(tmp_path))
    s = got10k_dataset(str(tmp_path), 'val')[0]
    assert s.target_visible.tolist() == [True, False, False, True]
    assert s.object_class == 'bear' and s.resolution == (1280, 720)


def test_packing_validates_against_sequence_list(tmp_path):
    res = tmp_path / 'res'
    write_boxes(str(res / 'trk' / 'a.txt'), np.ones((3, 4)))
    write_boxes(str(res / 'trk' / 'b.txt'), np.ones((2, 4)))
    (res / 'trk' / 'a_time.txt').write_text('0.1\n0.1\n0.1\n')
    z = pack_got10k(str(res), 'trk', ['a'], [3], str(tmp_path / 'got.zip'))
    assert sorted(zipfile.ZipFile(z).namelist()) == ['a/a_001.txt', 'a/a_time.txt']
    z = pack_trackingnet(str(res), 'trk', ['a', 'b'], [3, 2], str(tmp_path / 'tn.zip'))
    assert sorted(zipfile.ZipFile(z).namelist()) == ['a.txt', 'b.txt']
    with pytest.raises(ResultError, match="sequence 'b'"):
        pack_trackingnet(str(res), 'trk', ['a', 'b'], [3, 3], str(tmp_path / 'tn2.zip'))
    with pytest.raises(ResultError, match="sequence 'c'.*missing result file"):
        pack_got10k(str(res), 'trk', ['c'], [3], str(tmp_path / 'got2.zip'))


def test_parse_rows_fast_path_equals_python_float():
    rng = np.random.default_rng(0)
    toks = [f'{v:.{d}f}' for v, d in zip(rng.uniform(-1e4, 1e4, 4000), rng.integers(0, 9, 4000))]
    toks[:4] = ['.5', '-.25', '5.', '+3']
    text = '\n'.join(', '.join(toks[i:i + 4]) if i % 8 else '\t'.join(toks[i:i + 4]) for i in range(0, 4000, 4))
    np.testing.assert_array_equal(parse_rows(text + '\n\n', 'f', 4).ravel(), [float(t) for t in toks])
    assert np.isnan(parse_rows('nan,1,2,3\n1e2,1,1,1', 'f', 4)[0, 0])
    with pytest.raises(AnnotationError, match=r'f.txt, line 2: expected 4 numbers, found 3'):
        parse_rows('1,2,3,4\n1,2-3,4', 'f.txt', 4)
