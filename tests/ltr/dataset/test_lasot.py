"""LaSOT reader on a tiny tree in the official layout."""
import os

import numpy as np
import pytest
import torch

from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError
from ltr.dataset import Lasot


def _make_seq(root, name, boxes, occ, oov, write_image, write_text, n_frames=None):
    cls = name.rsplit('-', 1)[0]
    d = os.path.join(root, cls, name)
    write_text(os.path.join(d, 'groundtruth.txt'), ''.join(','.join(str(v) for v in b) + '\n' for b in boxes))
    write_text(os.path.join(d, 'full_occlusion.txt'), ','.join(map(str, occ)) + '\n')
    write_text(os.path.join(d, 'out_of_view.txt'), ','.join(map(str, oov)) + '\n')
    for i in range(n_frames or len(boxes)):
        write_image(os.path.join(d, 'img', f'{i + 1:08d}.jpg'), seed=i)
    return d


@pytest.fixture
def tree(tmp_path, write_image, write_text):
    root = str(tmp_path / 'lasot')
    _make_seq(root, 'cat-2', [[1, 2, 10, 12], [3, 4, 10, 12], [5, 6, 0, 12], [7, 8, 10, 12]],
              [0, 1, 0, 0], [0, 0, 0, 1], write_image, write_text)
    _make_seq(root, 'cat-10', [[1, 1, 5, 5]] * 3, [0] * 3, [0] * 3, write_image, write_text)
    _make_seq(root, 'airplane-1', [[2, 2, 8, 8]] * 2, [0] * 2, [0] * 2, write_image, write_text)
    write_text(os.path.join(root, 'training_set.txt'), 'cat-2\nairplane-1\n')
    write_text(os.path.join(root, 'testing_set.txt'), 'cat-10\n')
    return root


def test_sequences_sorted_by_class_then_number(tree, cache_dir):
    ds = Lasot(tree, cache_dir=cache_dir)
    assert ds.sequence_list == ['airplane-1', 'cat-2', 'cat-10']
    assert ds.get_class_list() == ['airplane', 'cat']
    assert ds.get_sequences_in_class('cat') == [1, 2]


def test_visible_is_neither_occluded_nor_out_of_view_and_valid(tree, cache_dir):
    ds = Lasot(tree, cache_dir=cache_dir)
    info = ds.get_sequence_info(ds.sequence_list.index('cat-2'))
    assert info['bbox'].dtype == torch.float32
    assert info['bbox'][1].tolist() == [3, 4, 10, 12]
    assert info['valid'].tolist() == [True, True, False, True]
    assert info['visible'].tolist() == [True, False, False, False]


def test_get_frames_rgb_and_annotation_rows(tree, cache_dir):
    ds = Lasot(tree, cache_dir=cache_dir)
    seq = ds.sequence_list.index('cat-2')
    frames, anno, meta = ds.get_frames(seq, [3, 0])
    assert frames[0].shape == (48, 64, 3) and frames[0].dtype == np.uint8
    assert anno['bbox'][0].tolist() == [7, 8, 10, 12]
    assert anno['visible'][1].item() is True
    assert meta['object_class_name'] == 'cat'
    assert not ds.has_mask()


def test_splits_from_root_lists(tree, cache_dir):
    assert Lasot(tree, split='train', cache_dir=cache_dir).sequence_list == ['cat-2', 'airplane-1']
    assert Lasot(tree, split='test', cache_dir=cache_dir).sequence_list == ['cat-10']
    with pytest.raises(ValueError, match='unknown split'):
        Lasot(tree, split='val', cache_dir=cache_dir)


def test_official_train_split_missing_sequences_named(tree, cache_dir):
    os.remove(os.path.join(tree, 'training_set.txt'))
    with pytest.raises(FileNotFoundError, match='airplane-1'):  # first line of data_specs/lasot_train_split.txt
        Lasot(tree, split='train', cache_dir=cache_dir)


def test_masks_loaded_when_every_sequence_has_a_masks_folder(tmp_path, write_image, write_text, cache_dir):
    import cv2
    root = str(tmp_path / 'l2')
    d = _make_seq(root, 'dog-1', [[0, 0, 4, 4]] * 2, [0, 0], [0, 0], write_image, write_text)
    m = np.zeros((48, 64), np.uint8)
    m[5:9, 10:20] = 255
    os.makedirs(os.path.join(d, 'masks'))
    for i in range(2):
        cv2.imwrite(os.path.join(d, 'masks', f'{i + 1:08d}.png'), m)
    ds = Lasot(root, cache_dir=cache_dir)
    assert ds.has_mask()
    _, anno, _ = ds.get_frames(0, [1])
    assert anno['mask'][0].dtype == torch.float32 and anno['mask'][0].sum().item() == 40


def test_malformed_groundtruth_line_names_file_and_line(tree, cache_dir):
    path = os.path.join(tree, 'cat', 'cat-10', 'groundtruth.txt')
    with open(path, 'w') as f:
        f.write('1,1,5,5\n1,1,five,5\n1,1,5,5\n')
    ds = Lasot(tree, cache_dir=cache_dir)
    with pytest.raises(AnnotationError, match=r'groundtruth\.txt, line 2'):
        ds.get_sequence_info(ds.sequence_list.index('cat-10'))


def test_flag_count_mismatch_is_an_error(tree, cache_dir):
    with open(os.path.join(tree, 'cat', 'cat-10', 'out_of_view.txt'), 'w') as f:
        f.write('0,0\n')
    ds = Lasot(tree, cache_dir=cache_dir)
    with pytest.raises(AnnotationError, match='out_of_view.txt: 2 flags for 3 boxes'):
        ds.get_sequence_info(ds.sequence_list.index('cat-10'))


def test_cache_written_and_reused(tree, cache_dir, monkeypatch):
    Lasot(tree, cache_dir=cache_dir)
    assert len(os.listdir(cache_dir)) == 1
    import ltr.dataset.lasot as mod
    monkeypatch.setattr(mod, '_scan_sequences', lambda root: pytest.fail('rescanned despite cache'))
    assert len(Lasot(tree, cache_dir=cache_dir)) == 3


def test_missing_root_names_local_attribute_and_env_variable(monkeypatch):
    monkeypatch.setenv('LTR_LASOT_DIR', '')
    with pytest.raises(MissingPathError, match=r'lasot_dir.*LTR_LASOT_DIR'):
        Lasot()
