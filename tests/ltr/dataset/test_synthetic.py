"""Synthetic benchmark: determinism, ground truth = mask box, absent flags, official file formats, read-back."""
import filecmp
import os
import subprocess
import sys

import numpy as np
import pytest

from ltr.data.bounding_box_utils import mask_to_xywh
from ltr.data.image_loader import default_image_loader, imread_mask
from ltr.dataset.synthetic import (SyntheticConfig, annotate_sequence, generate_tree, plan_sequence, read_manifest,
                                   render_frame, sequence_name)

SIZE = (160, 120)
FRAMES = 40
NUM = 3
SEED = 3  # with HARD, these 3 x 40 frames have both out-of-view and fully occluded frames
# knobs pushed so that a tiny tree has out-of-view and fully occluded frames to check
HARD = SyntheticConfig().replace(out_of_view_per_100=6.0, out_of_view_frames=[3, 5], occlusions_per_100=12.0,
                                 occluder_size=[1.8, 2.4])
HARD_FLAGS = ['--set', 'out_of_view_per_100=6.0', '--set', 'out_of_view_frames=[3,5]',
              '--set', 'occlusions_per_100=12.0', '--set', 'occluder_size=[1.8,2.4]']


@pytest.fixture(scope='module')
def lasot_tree(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('syn') / 'lasot')
    return generate_tree(root, 'lasot', 'test', NUM, FRAMES, SIZE, SEED, HARD, workers=1, progress=False)


@pytest.fixture(scope='module')
def got_tree(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('syn') / 'got')
    return generate_tree(root, 'got10k', 'val', NUM, FRAMES, SIZE, SEED, HARD, workers=1, progress=False)


def _all_files(root):
    out = []
    for d, _, files in os.walk(root):
        out += [os.path.relpath(os.path.join(d, f), root) for f in files]
    return sorted(out)


def _lines(path):
    with open(path) as f:
        return f.read().splitlines()


def _expected(split, index, cfg=HARD):
    return annotate_sequence(plan_sequence(cfg, SEED, split, index, SIZE[0], SIZE[1], FRAMES))


# ---------------------------------------------------------------- determinism

def test_same_seed_gives_byte_identical_tree_in_another_process_with_two_workers(lasot_tree, tmp_path):
    other = str(tmp_path / 'again')
    cmd = [sys.executable, '-m', 'ltr.dataset.synthetic', '--out', other, '--layout', 'lasot', '--split', 'test',
           '--num-sequences', str(NUM), '--frames', str(FRAMES), '--size', f'{SIZE[0]}x{SIZE[1]}',
           '--seed', str(SEED), '--workers', '2', '--quiet'] + HARD_FLAGS
    subprocess.run(cmd, check=True, capture_output=True)
    files = _all_files(lasot_tree)
    assert files == _all_files(other)
    assert len([f for f in files if f.endswith('.jpg')]) == NUM * FRAMES
    match, mismatch, errors = filecmp.cmpfiles(lasot_tree, other, files, shallow=False)
    assert mismatch == [] and errors == []


def test_different_seeds_differ():
    a = plan_sequence(SyntheticConfig(), 1, 'test', 0, *SIZE, FRAMES)
    b = plan_sequence(SyntheticConfig(), 2, 'test', 0, *SIZE, FRAMES)
    img_a, mask_a = render_frame(a, 3)
    img_b, mask_b = render_frame(b, 3)
    assert np.abs(img_a.astype(int) - img_b.astype(int)).mean() > 10
    assert not np.array_equal(mask_a, mask_b)


def test_splits_and_indices_are_independent_streams():
    frames = [render_frame(plan_sequence(SyntheticConfig(), 0, s, i, *SIZE, 5), 0)[0]
              for s, i in (('test', 0), ('train', 0), ('test', 1))]
    assert not np.array_equal(frames[0], frames[1]) and not np.array_equal(frames[0], frames[2])


# ---------------------------------------------------------------- ground truth

def test_boxes_are_the_tight_box_of_the_written_mask_and_absent_exactly_when_empty(lasot_tree):
    absent_seen = 0
    for i in range(NUM):
        name = sequence_name('lasot', 'test', i)
        seq = os.path.join(lasot_tree, name.rsplit('-', 1)[0], name)
        gt = np.loadtxt(os.path.join(seq, 'groundtruth.txt'), delimiter=',')
        occ = np.loadtxt(os.path.join(seq, 'full_occlusion.txt'), delimiter=',').astype(int)
        oov = np.loadtxt(os.path.join(seq, 'out_of_view.txt'), delimiter=',').astype(int)
        for t in range(FRAMES):
            mask = imread_mask(os.path.join(seq, 'masks', f'{t + 1:08d}.png'))
            assert set(np.unique(mask)) <= {0, 255}
            np.testing.assert_array_equal(gt[t], mask_to_xywh(mask))
            assert bool(occ[t] or oov[t]) == (not mask.any())
            assert not (occ[t] and oov[t])
            absent_seen += int(not mask.any())
    assert absent_seen > 0  # the check above was exercised on absent frames


def test_tree_has_both_kinds_of_absence_and_frame_one_is_visible(lasot_tree):
    annos = [_expected('test', i) for i in range(NUM)]
    assert sum(a.out_of_view.sum() for a in annos) > 0
    assert sum(a.full_occlusion.sum() for a in annos) > 0
    assert all(not a.absent[0] for a in annos)


def test_boxes_change_scale_and_aspect_over_a_sequence():
    ratios = []
    for i in range(4):
        anno = annotate_sequence(plan_sequence(SyntheticConfig(), 0, 'test', i, 320, 240, 150))
        vis = anno.boxes[~anno.absent]
        area, aspect = vis[:, 2] * vis[:, 3], vis[:, 2] / vis[:, 3]
        ratios.append((area.max() / area.min(), aspect.max() / aspect.min()))
    area_ratio, aspect_ratio = np.median(ratios, axis=0)
    assert area_ratio > 1.5 and aspect_ratio > 1.3


# ---------------------------------------------------------------- LaSOT layout

def _read_lasot(root):
    """Small independent LaSOT reader: testing_set.txt, <class>/<seq>/ files parsed with numpy."""
    out = {}
    for name in _lines(os.path.join(root, 'testing_set.txt')):
        seq = os.path.join(root, name[:name.rfind('-')], name)
        out[name] = {
            'gt': np.loadtxt(os.path.join(seq, 'groundtruth.txt'), delimiter=',', ndmin=2),
            'occ': np.loadtxt(os.path.join(seq, 'full_occlusion.txt'), delimiter=',', ndmin=1),
            'oov': np.loadtxt(os.path.join(seq, 'out_of_view.txt'), delimiter=',', ndmin=1),
            'nlp': _lines(os.path.join(seq, 'nlp.txt')),
            'frames': sorted(os.listdir(os.path.join(seq, 'img'))),
            'seq': seq,
        }
    return out


def test_lasot_tree_reads_back_as_generated(lasot_tree):
    seqs = _read_lasot(lasot_tree)
    assert list(seqs) == [sequence_name('lasot', 'test', i) for i in range(NUM)]
    assert _lines(os.path.join(lasot_tree, 'training_set.txt')) == []
    for i, (name, s) in enumerate(seqs.items()):
        exp = _expected('test', i)
        np.testing.assert_array_equal(s['gt'], exp.boxes)
        np.testing.assert_array_equal(s['occ'], exp.full_occlusion.astype(float))
        np.testing.assert_array_equal(s['oov'], exp.out_of_view.astype(float))
        assert s['frames'] == [f'{t:08d}.jpg' for t in range(1, FRAMES + 1)]
        assert len(s['nlp']) == 1 and name.rsplit('-', 1)[0] in s['nlp'][0]
        assert default_image_loader(os.path.join(s['seq'], 'img', s['frames'][0])).shape == (SIZE[1], SIZE[0], 3)


def test_lasot_files_use_the_official_formats(lasot_tree):
    name = sequence_name('lasot', 'test', 0)
    seq = os.path.join(lasot_tree, name.rsplit('-', 1)[0], name)
    gt = _lines(os.path.join(seq, 'groundtruth.txt'))
    assert len(gt) == FRAMES
    assert all(len(l.split(',')) == 4 and all(len(v.split('.')[1]) == 4 for v in l.split(',')) for l in gt)
    for flag in ('full_occlusion.txt', 'out_of_view.txt'):
        lines = _lines(os.path.join(seq, flag))
        assert len(lines) == 1 and len(lines[0].split(',')) == FRAMES
        assert set(lines[0].split(',')) <= {'0', '1'}


def test_lasot_names_interleave_splits_like_the_real_set():
    names = [sequence_name('lasot', s, i) for s in ('test', 'train') for i in range(8)]
    assert len(set(names)) == len(names)
    assert sequence_name('lasot', 'test', 0) == 'rectangle-1' and sequence_name('lasot', 'train', 0) == 'rectangle-2'


# ---------------------------------------------------------------- GOT-10k layout

def test_got10k_tree_reads_back_with_the_got10k_toolkit(got_tree):
    from got10k.datasets import GOT10k
    ds = GOT10k(got_tree, subset='val', return_meta=True)
    assert list(ds.seq_names) == [sequence_name('got10k', 'val', i) for i in range(NUM)]
    for i in range(NUM):
        img_files, anno, meta = ds[i]
        exp = _expected('val', i)
        assert len(img_files) == FRAMES
        np.testing.assert_array_equal(anno, exp.boxes)
        np.testing.assert_array_equal(meta['absence'], exp.absent.astype(float))
        np.testing.assert_array_equal(meta['cover'], exp.cover.astype(float))
        np.testing.assert_array_equal(meta['cut_by_image'], exp.cut_by_image.astype(float))
        assert meta['object_class'] in ('rectangle', 'ellipse', 'polygon', 'blob')
        assert meta['resolution'] == f'({SIZE[0]}, {SIZE[1]})'


def test_got10k_labels_are_consistent(got_tree):
    for i in range(NUM):
        seq = os.path.join(got_tree, 'val', sequence_name('got10k', 'val', i))
        absence = np.array(_lines(os.path.join(seq, 'absence.label')), dtype=int)
        cover = np.array(_lines(os.path.join(seq, 'cover.label')), dtype=int)
        gt = np.loadtxt(os.path.join(seq, 'groundtruth.txt'), delimiter=',')
        assert len(absence) == len(cover) == len(gt) == FRAMES
        assert cover.min() >= 0 and cover.max() <= 8
        np.testing.assert_array_equal(cover == 0, absence == 1)
        np.testing.assert_array_equal(gt[absence == 1], 0)
        meta = _lines(os.path.join(seq, 'meta_info.ini'))
        assert meta[0] == '[METAINFO]' and meta[5].startswith('object_class: ') and meta[9].startswith('motion_adverb: ')
    assert _lines(os.path.join(got_tree, 'val', 'list.txt')) == [sequence_name('got10k', 'val', i) for i in range(NUM)]


def test_manifest_records_the_parameters(got_tree):
    m = read_manifest(got_tree)
    assert (m['layout'], m['seed'], m['width'], m['height']) == ('got10k', SEED, SIZE[0], SIZE[1])
    assert m['splits'] == {'val': {'num_sequences': NUM, 'frames': FRAMES}}
    assert SyntheticConfig.from_dict(m['config']) == HARD
