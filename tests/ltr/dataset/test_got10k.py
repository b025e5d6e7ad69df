"""GOT-10k reader on a tiny train folder in the official layout."""
import os

import numpy as np
import pytest

from ltr.data.annotations import AnnotationError
from ltr.dataset import Got10k

META = """[METAINFO]
url: https://youtu.be/x
begin: 00:00:01
end: 00:00:03
anno_fps: 10Hz
object_class: ailurus fulgens
motion_class: walking
major_class: procyonid
root_class: animal
motion_adverb: slowly
resolution: (64, 48)
"""


@pytest.fixture
def tree(tmp_path, write_image, write_text):
    root = str(tmp_path / 'train')
    names = ['GOT-10k_Train_000001', 'GOT-10k_Train_000002']
    write_text(os.path.join(root, 'list.txt'), '\n'.join(names) + '\n')
    for k, name in enumerate(names):
        d = os.path.join(root, name)
        write_text(os.path.join(d, 'groundtruth.txt'), '1.5000,2.0000,10.2500,8.0000\n3.0,4.0,11.0,9.0\n5,6,7,8\n')
        write_text(os.path.join(d, 'absence.label'), '0\n1\n0\n')
        write_text(os.path.join(d, 'cover.label'), '8\n0\n3\n' if k == 0 else '0\n0\n8\n')
        write_text(os.path.join(d, 'meta_info.ini'), META)
        for i in range(3):
            write_image(os.path.join(d, f'{i + 1:08d}.jpg'), seed=i)
    return root


def test_boxes_visibility_and_ratio(tree, cache_dir):
    ds = Got10k(tree, cache_dir=cache_dir)
    info = ds.get_sequence_info(0)
    assert info['bbox'][0].tolist() == [1.5, 2.0, 10.25, 8.0]
    assert info['visible'].tolist() == [True, False, True]
    assert info['visible_ratio'].tolist() == [1.0, 0.0, 0.375]
    assert ds.get_sequence_info(1)['visible'].tolist() == [False, False, True]


def test_meta_info_and_classes(tree, cache_dir):
    ds = Got10k(tree, cache_dir=cache_dir)
    frames, anno, meta = ds.get_frames(1, [2])
    assert meta['object_class_name'] == 'ailurus fulgens' and meta['motion_adverb'] == 'slowly'
    assert frames[0].shape == (48, 64, 3) and anno['bbox'][0].tolist() == [5, 6, 7, 8]
    assert ds.get_class_list() == ['ailurus fulgens'] and ds.get_sequences_in_class('ailurus fulgens') == [0, 1]


def test_seq_ids_select_from_list_txt(tree, cache_dir):
    ds = Got10k(tree, seq_ids=[1], cache_dir=cache_dir)
    assert ds.sequence_list == ['GOT-10k_Train_000002']
    with pytest.raises(ValueError, match='out of range'):
        Got10k(tree, seq_ids=[5], cache_dir=cache_dir)
    with pytest.raises(ValueError, match='unknown split'):
        Got10k(tree, split='test', cache_dir=cache_dir)


def test_malformed_groundtruth_line_names_file_and_line(tree, cache_dir):
    with open(os.path.join(tree, 'GOT-10k_Train_000002', 'groundtruth.txt'), 'w') as f:
        f.write('1,2,3,4\n1,2,3\n1,2,3,4\n')
    with pytest.raises(AnnotationError, match=r'GOT-10k_Train_000002.groundtruth\.txt, line 2: expected 4'):
        Got10k(tree, cache_dir=cache_dir).get_sequence_info(1)


def test_label_length_mismatch(tree, cache_dir):
    with open(os.path.join(tree, 'GOT-10k_Train_000001', 'cover.label'), 'w') as f:
        f.write('8\n')
    with pytest.raises(AnnotationError, match='cover.label: 1 labels for 3 boxes'):
        Got10k(tree, cache_dir=cache_dir).get_sequence_info(0)


def test_metadata_cached(tree, cache_dir, monkeypatch):
    Got10k(tree, cache_dir=cache_dir)
    import ltr.dataset.got10k as mod
    monkeypatch.setattr(mod, 'read_meta_info', lambda p: pytest.fail('meta re-read despite cache'))
    assert len(Got10k(tree, cache_dir=cache_dir)) == 2


def test_split_file_indices_select_sequences(tree, cache_dir, tmp_path, monkeypatch):
    import ltr.dataset.got10k as mod
    specs = tmp_path / 'specs'
    specs.mkdir()
    (specs / 'got10k_val_split.txt').write_text('1\n')
    (specs / 'got10k_train_split.txt').write_text('0\nx1\n')
    monkeypatch.setattr(mod, 'DATA_SPECS', str(specs))
    assert Got10k(tree, split='val', cache_dir=cache_dir).sequence_list == ['GOT-10k_Train_000002']
    with pytest.raises(AnnotationError, match=r'got10k_train_split\.txt, line 2'):
        Got10k(tree, split='train', cache_dir=cache_dir)
    with pytest.raises(FileNotFoundError, match='got10k_vot_train_split.txt: split file missing'):
        Got10k(tree, split='vottrain', cache_dir=cache_dir)
