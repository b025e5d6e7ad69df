"""OTB-100, NFS and UAV123 readers on fake trees in their real layouts (annotation files only: no
image exists, so reading must not touch images)."""
import os

import numpy as np
import pytest

from ltr.admin.local_settings import MissingPathError
from ltr.data.annotations import AnnotationError
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.readers_common import packaged_table


def _write(path, rows, sep=','):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savetxt(path, rows, fmt='%g', delimiter=sep)


def _boxes(n, k):
    """n distinct boxes: x = k + frame index, so a row tells which frame it belongs to."""
    return np.column_stack([k + np.arange(n), np.full(n, 5.0), np.full(n, 20.0), np.full(n, 30.0)])


@pytest.fixture
def otb_root(tmp_path):
    for k, row in enumerate(packaged_table('otb100.csv')):
        n = int(row['end_frame']) - int(row['start_frame']) + 1
        _write(str(tmp_path / row['folder'] / row['anno_file']), _boxes(n, 1000 * k), '\t' if k % 2 else ',')
    return tmp_path


def test_otb_sequences_frame_ranges_and_specifics(otb_root):
    seqs = get_dataset('otb', root=str(otb_root))
    assert len(seqs) == 100 and len(set(seqs.names())) == 100
    david = seqs['David']  # frames 300..770 with 471 boxes
    assert len(david) == 471 and len(david.frames) == 471
    assert david.frames[0] == os.path.join(str(otb_root), 'David', 'img', '0300.jpg')
    assert david.frames[-1].endswith(os.path.join('David', 'img', '0770.jpg'))
    tiger = seqs['Tiger1']  # the first 5 frames and boxes are skipped
    k = packaged_table('otb100.csv').index(next(r for r in packaged_table('otb100.csv') if r['name'] == 'Tiger1'))
    assert len(tiger) == 349 and tiger.frames[0].endswith(os.path.join('Tiger1', 'img', '0006.jpg'))
    assert tiger.ground_truth_rect[0, 0] == 1000 * k + 5
    assert seqs['Board'].frames[0].endswith('00001.jpg') and seqs['KiteSurf'].frames[0].endswith('0001.png')
    assert seqs['BlurCar1'].frames[0].endswith('0247.jpg') and len(seqs['BlurCar1']) == 742
    j1, j2 = seqs['Jogging_1'], seqs['Jogging_2']  # one folder, two ground-truth files
    assert j1.frames[0] == j2.frames[0] and j1.ground_truth_rect[0, 0] != j2.ground_truth_rect[0, 0]
    assert seqs['Human4_2'].frames[0].endswith(os.path.join('Human4', 'img', '0001.jpg'))
    assert seqs['Biker'].object_class == 'person head' and seqs['Biker'].target_visible is None


def test_otb_malformed_line_and_wrong_length_name_the_file(otb_root):
    anno = otb_root / 'Coke' / 'groundtruth_rect.txt'
    lines = anno.read_text().splitlines()
    lines[6] = '1,2,x,4'
    anno.write_text('\n'.join(lines) + '\n')
    with pytest.raises(AnnotationError, match=r'Coke.groundtruth_rect\.txt, line 7: not a number'):
        get_dataset('otb', root=str(otb_root))
    anno.write_text('\n'.join(lines[:6]) + '\n')
    with pytest.raises(AnnotationError, match=r'Coke.groundtruth_rect\.txt: 6 boxes for the 291 frames'):
        get_dataset('otb', root=str(otb_root))
    anno.unlink()
    with pytest.raises(AnnotationError, match=r'Coke.groundtruth_rect\.txt: no such file'):
        get_dataset('otb', root=str(otb_root))


def test_nfs_reader(tmp_path):
    for k, row in enumerate(packaged_table('nfs.csv')):
        _write(str(tmp_path / 'anno' / f"nfs_{row['sequence']}.txt"), _boxes(int(row['end_frame']), k), '\t')
    seqs = get_dataset('nfs', root=str(tmp_path))
    assert len(seqs) == 100 and seqs.names()[0] == 'nfs_Gymnastics'
    bee = seqs['nfs_bee']
    assert len(bee) == 45 and bee.frames[0] == os.path.join(str(tmp_path), 'sequences', 'bee', '00001.jpg')
    assert bee.object_class == 'insect' and bee.attributes == {'occlusion': 0}
    assert seqs['nfs_Skydiving'].attributes == {'occlusion': 1}
    bad = tmp_path / 'anno' / 'nfs_bee.txt'
    lines = bad.read_text().splitlines()
    bad.write_text('\n'.join(lines[:3] + ['18\t5\t20'] + lines[4:]) + '\n')
    with pytest.raises(AnnotationError, match=r'nfs_bee\.txt, line 4: expected 4 numbers, found 3'):
        get_dataset('nfs', root=str(tmp_path))


def test_uav_sub_sequences_and_absent_frames(tmp_path):
    for k, row in enumerate(packaged_table('uav123.csv')):
        boxes = _boxes(int(row['end_frame']) - int(row['start_frame']) + 1, k)
        if row['sequence'] == 'car1_2':
            boxes[3] = np.nan  # target absent
        _write(str(tmp_path / 'anno' / 'UAV123' / (row['sequence'] + '.txt')), boxes)
    seqs = get_dataset('uav', root=str(tmp_path))
    assert len(seqs) == 123
    car = seqs['uav_car1_2']  # frames 751..1627 of the car1 folder
    assert len(car) == 877
    assert car.frames[0] == os.path.join(str(tmp_path), 'data_seq', 'UAV123', 'car1', '000751.jpg')
    assert car.frames[-1].endswith('001627.jpg')
    assert np.isnan(car.ground_truth_rect[3]).all()
    assert not car.target_visible[3] and car.target_visible.sum() == 876
    assert seqs['uav_uav1_3'].frames[0].endswith(os.path.join('uav1', '002473.jpg'))
    bad = tmp_path / 'anno' / 'UAV123' / 'bike2.txt'
    bad.write_text('1,2,3,4\n1,2,3,4,5\n')
    with pytest.raises(AnnotationError, match=r'bike2\.txt, line 2: expected 4 numbers, found 5'):
        get_dataset('uav', root=str(tmp_path))


@pytest.mark.parametrize('name, attr', [('otb', 'OTB_PATH'), ('nfs', 'NFS_PATH'), ('uav', 'UAV_PATH')])
def test_unconfigured_root_is_a_clear_error(name, attr, monkeypatch):
    monkeypatch.setenv('PYTRACKING_' + attr, '')
    with pytest.raises(MissingPathError, match=attr.lower()):
        get_dataset(name)
