"""The synthetic generator's VOT2020 layout: the files of a VOT sequence folder, read back by the VOT toolkit."""
import filecmp
import os

import cv2
import numpy as np
import pytest

from ltr.data.vot_region import read_regions
from ltr.dataset.synthetic import SyntheticConfigError, SyntheticTracking, SyntheticTreeError, generate_tree
from ltr.dataset.synthetic.writers import vot_anchors

SIZE = (96, 72)


@pytest.fixture(scope='module')
def vot_tree(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('vot') / 'sequences')
    return generate_tree(root, 'vot', 'test', 2, 8, SIZE, seed=5, progress=False)


def names(root):
    with open(os.path.join(root, 'list.txt')) as f:
        return f.read().split()


def test_vot_tree_has_the_vot2020_files(vot_tree):
    assert names(vot_tree) == ['rectangle-1', 'ellipse-1']
    for name in names(vot_tree):
        folder = os.path.join(vot_tree, name)
        assert sorted(os.listdir(folder)) == ['anchor.value', 'color', 'groundtruth.txt', 'masks', 'sequence']
        assert sorted(os.listdir(os.path.join(folder, 'color'))) == [f'{i:08d}.jpg' for i in range(1, 9)]
        with open(os.path.join(folder, 'sequence')) as f:
            assert f.read() == (f'channel.default=color\nchannels.color=color/%08d.jpg\nformat=default\nfps=30\n'
                                f'height={SIZE[1]}\nlength=8\nname={name}\nwidth={SIZE[0]}\n')


def test_ground_truth_masks_are_the_written_masks(vot_tree):
    for name in names(vot_tree):
        folder = os.path.join(vot_tree, name)
        regions = read_regions(os.path.join(folder, 'groundtruth.txt'))
        assert len(regions) == 8
        for i, region in enumerate(regions):
            png = cv2.imread(os.path.join(folder, 'masks', f'{i + 1:08d}.png'), cv2.IMREAD_GRAYSCALE)
            assert np.array_equal(region.full_size(png.shape), (png > 0).astype(np.uint8))


def test_the_vot_toolkit_reads_the_tree(vot_tree):
    pytest.importorskip('vot.dataset', reason='the [vot] extra (vot-toolkit) is not installed')
    from vot.dataset import load_dataset
    from vot.experiment.multistart import find_anchors
    dataset = load_dataset(vot_tree)
    assert [s.name for s in dataset] == names(vot_tree)
    for seq in dataset:
        assert len(seq) == 8 and tuple(seq.size) == SIZE
        assert find_anchors(seq) == ([0], [])
        ours = read_regions(os.path.join(vot_tree, seq.name, 'groundtruth.txt'))
        for i in range(len(seq)):
            theirs = seq.groundtruth(i)
            full = np.zeros((SIZE[1], SIZE[0]), np.uint8)
            x, y = theirs.offset
            full[y:y + theirs.mask.shape[0], x:x + theirs.mask.shape[1]] = theirs.mask
            assert np.array_equal(full, ours[i].full_size(full.shape))
        assert seq.frame(0).filename() == os.path.join(vot_tree, seq.name, 'color', '00000001.jpg')


def test_frames_are_the_lasot_frames_of_the_same_sequence(vot_tree, tmp_path):
    lasot = generate_tree(str(tmp_path / 'lasot'), 'lasot', 'test', 2, 8, SIZE, seed=5, progress=False)
    for name in names(vot_tree):
        ours, theirs = os.path.join(vot_tree, name), os.path.join(lasot, name.split('-')[0], name)
        frames = [f'{i:08d}.jpg' for i in range(1, 9)]
        same = filecmp.cmpfiles(os.path.join(ours, 'color'), os.path.join(theirs, 'img'), frames, shallow=False)[0]
        assert same == frames


def test_anchors_every_50_frames_on_visible_frames_towards_the_longer_run():
    absent = np.zeros(120, bool)
    values = vot_anchors(absent)
    assert np.flatnonzero(values).tolist() == [0, 50, 100] and values[[0, 50, 100]].tolist() == [1, 1, -1]
    absent[50] = True
    assert np.flatnonzero(vot_anchors(absent)).tolist() == [0, 100]
    assert vot_anchors(np.zeros(101, bool))[50] == 1 and vot_anchors(np.zeros(100, bool))[50] == -1


def test_vot_layout_has_one_split_and_is_not_a_training_set(vot_tree, tmp_path):
    with pytest.raises(SyntheticConfigError, match='one split'):
        generate_tree(str(tmp_path / 'x'), 'vot', 'train', 1, 2, SIZE, seed=0, progress=False)
    with pytest.raises(SyntheticTreeError, match='evaluation set'):
        SyntheticTracking(vot_tree, split='test')
