"""Test splits annotate only the first frame: the readers count the frames in the folder instead."""
from pytracking.evaluation.got10kdataset import got10k_dataset
from pytracking.evaluation.trackingnetdataset import trackingnet_dataset


def test_got10k_test_split_frames_come_from_the_folder(tmp_path):
    seq = tmp_path / 'test' / 'GOT-10k_Test_000001'
    seq.mkdir(parents=True)
    (tmp_path / 'test' / 'list.txt').write_text('GOT-10k_Test_000001\n')
    (seq / 'groundtruth.txt').write_text('10,20,30,40\n')
    for i in range(1, 6):
        (seq / f'{i:08d}.jpg').write_bytes(b'')
    s = got10k_dataset(str(tmp_path), 'test')[0]
    assert len(s.frames) == 5
    assert s.frames[4].endswith('00000005.jpg')
    assert s.ground_truth_rect.shape == (1, 4)


def test_trackingnet_test_frames_are_numbered_from_zero_without_padding(tmp_path):
    (tmp_path / 'TEST' / 'anno').mkdir(parents=True)
    frames = tmp_path / 'TEST' / 'frames' / 'abc_1'
    frames.mkdir(parents=True)
    (tmp_path / 'TEST' / 'anno' / 'abc_1.txt').write_text('1,2,3,4\n')
    for i in range(12):
        (frames / f'{i}.jpg').write_bytes(b'')
    s = trackingnet_dataset(str(tmp_path), 'TEST')[0]
    assert len(s.frames) == 12
    assert s.frames[0].endswith('/0.jpg') and s.frames[11].endswith('/11.jpg')
