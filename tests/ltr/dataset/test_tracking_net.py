"""TrackingNet reader on a tiny two-chunk tree."""
import os

import pytest

from ltr.data.annotations import AnnotationError
from ltr.dataset import TrackingNet


@pytest.fixture
def tree(tmp_path, write_image, write_text):
    root = str(tmp_path / 'trackingnet')
    for k, seq in ((0, 'aaa_1'), (0, 'bbb_2'), (3, 'ccc_3')):
        write_text(os.path.join(root, f'TRAIN_{k}', 'anno', seq + '.txt'), '10,20,30,40\n11,21,0,41\n12,22,32,42\n')
        for i in range(3):
            write_image(os.path.join(root, f'TRAIN_{k}', 'frames', seq, f'{i}.jpg'), seed=i)
    return root


def test_chunks_and_sequences(tree, cache_dir):
    ds = TrackingNet(tree, cache_dir=cache_dir)
    assert ds.sequence_list == [(0, 'aaa_1'), (0, 'bbb_2'), (3, 'ccc_3')]
    assert TrackingNet(tree, set_ids=[3], cache_dir=cache_dir).sequence_list == [(3, 'ccc_3')]
    with pytest.raises(FileNotFoundError, match='TRAIN_5'):
        TrackingNet(tree, set_ids=[5], cache_dir=cache_dir)


def test_frames_numbered_from_zero_and_visible_is_valid(tree, cache_dir):
    ds = TrackingNet(tree, cache_dir=cache_dir)
    info = ds.get_sequence_info(2)
    assert info['visible'].tolist() == [True, False, True]
    frames, anno, _ = ds.get_frames(2, [0, 2])
    assert len(frames) == 2 and frames[0].shape == (48, 64, 3) and anno['bbox'][1].tolist() == [12, 22, 32, 42]


def test_malformed_line(tree, cache_dir):
    with open(os.path.join(tree, 'TRAIN_0', 'anno', 'bbb_2.txt'), 'w') as f:
        f.write('1,2,3,4\n1,2,3,4\nx,2,3,4\n')
    with pytest.raises(AnnotationError, match=r'bbb_2\.txt, line 3'):
        TrackingNet(tree, cache_dir=cache_dir).get_sequence_info(1)
