"""Broken frames (issue 22, part 2): a truncated JPEG, an empty file and a missing file in the middle of a
sequence keep the last box in the arena, run_tracker, run_video and refine_results (listed in run_info.json);
a broken first frame fails only its sequence; --strict fails a sequence on any broken frame, naming the path;
training skips a sample whose frame cannot be read, counts it and gives up on a dataset that is all broken."""
import json
import os
import shutil
import types

import cv2
import numpy as np
import pytest
import torch

from arena.runner import load_arena_benchmark, main as arena_main, run_arena, TrackerBuilder
from ltr.data.annotations import read_boxes
from ltr.data.image_loader import BrokenFrame, ImageReadError, default_image_loader, read_frames

pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py

FRAMES = 8


def truncate(path):
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])


def empty(path):
    open(path, 'wb').close()


def frame(root, seq, k):
    """Path of frame k (1-based) of LaSOT-layout sequence `seq` under `root`."""
    cls = seq.rsplit('-', 1)[0]
    return os.path.join(root, cls, seq, 'img', f'{k:08d}.jpg')


@pytest.fixture(scope='module')
def damaged(synthetic_lasot, tmp_path_factory):
    """A synthetic LaSOT tree of 3 sequences x 8 frames with: sequence 0 frame 4 truncated, sequence 1 frame 3
    empty and frame 6 missing, sequence 2 frame 1 missing. Returns (root, names, {name: [broken paths]})."""
    clean = synthetic_lasot(num_sequences=3, frames=FRAMES, size=(96, 72))
    root = str(tmp_path_factory.mktemp('damaged') / 'tree')
    shutil.copytree(clean, root)
    names = load_arena_benchmark('LaSOT', dataset_root=root).sequences.names()
    truncate(frame(root, names[0], 4))
    empty(frame(root, names[1], 3))
    os.remove(frame(root, names[1], 6))
    os.remove(frame(root, names[2], 1))
    broken = {names[0]: [frame(root, names[0], 4)], names[1]: [frame(root, names[1], 3), frame(root, names[1], 6)],
              names[2]: [frame(root, names[2], 1)]}
    return root, clean, names, broken


def test_loader_names_truncated_empty_and_missing_files(damaged):
    root, _, names, broken = damaged
    reasons = {}
    for path in broken[names[0]] + broken[names[1]]:
        with pytest.raises(ImageReadError) as e:
            default_image_loader(path)
        assert e.value.path == path and path in str(e.value)
        reasons[os.path.basename(path)] = e.value.reason
    assert sorted(reasons.values()) == ['empty file', 'no such file', 'truncated JPEG (no end-of-image marker)']
    items = list(read_frames([frame(root, names[1], k) for k in range(1, FRAMES + 1)]))
    assert [k for k, it in enumerate(items) if isinstance(it, BrokenFrame)] == [2, 5]
    with pytest.raises(ImageReadError, match=r'00000003\.jpg: empty file \(frame 3; --strict'):
        list(read_frames([frame(root, names[1], k) for k in range(1, FRAMES + 1)], strict=True))


def _assert_broken_rows_repeat(boxes, broken_paths):
    for path in broken_paths:
        k = int(os.path.basename(path)[:8]) - 1  # 0-based row
        assert np.array_equal(boxes[k], boxes[k - 1]), (path, boxes[k - 1:k + 1])


def test_arena_keeps_the_last_box_lists_broken_frames_and_fails_a_broken_first_frame(damaged, tmp_path):
    root, _, names, broken = damaged
    bench = load_arena_benchmark('LaSOT', dataset_root=root)
    lines = []
    summary = run_arena(bench, str(tmp_path / 'save'), 'kcf_default', TrackerBuilder('kcf', 'default'),
                        progress=False, log=lines.append)
    assert sorted(summary.ran) == sorted(names[:2]) and [f.name for f in summary.failed] == [names[2]]
    assert broken[names[2]][0] in summary.failed[0].error and 'initial frame' in summary.failed[0].error
    assert summary.counts.broken_frames == 3 and 'broken frames (last box kept): 3' in lines[-1]
    record = json.load(open(os.path.join(summary.out_dir, 'run_info.json')))
    for name in names[:2]:
        entry = record['sequences'][name]
        assert entry['broken_frames'] == len(broken[name]) and entry['broken_paths'] == broken[name]
        boxes = read_boxes(os.path.join(summary.out_dir, name + '.txt'))
        assert boxes.shape == (FRAMES, 4)
        _assert_broken_rows_repeat(boxes, broken[name])
    assert list(record['failed']) == [names[2]] and broken[names[2]][0] in record['failed'][names[2]]
    assert not os.path.exists(os.path.join(summary.out_dir, names[2] + '.txt'))


def test_arena_strict_fails_every_sequence_with_a_broken_frame_naming_it(damaged, tmp_path, capsys):
    root, _, names, broken = damaged
    defaults = types.SimpleNamespace(save_dir=str(tmp_path / 'save'), dataset_root_='')
    status = arena_main(['--dataset-root', root, '--quiet', '--strict'], 'LaSOT', defaults, 'kcf')
    assert status == 3  # exit status = failed sequences
    record = json.load(open(tmp_path / 'save' / 'LaSOT' / 'kcf_default' / 'run_info.json'))
    assert sorted(record['failed']) == sorted(names) and record['sequences'] == {}
    for name in names:
        assert broken[name][0] in record['failed'][name]
    err = capsys.readouterr().err
    assert 'Traceback' not in err and '3 sequence(s) failed' in err


def test_run_tracker_lists_broken_frames_in_run_info(damaged, tmp_path):
    from pytracking.run_tracker import run_tracker
    root, _, names, broken = damaged
    out, failed = run_tracker('kcf', 'default', dataset_name='lasot', dataset_root=root,
                              results_path=str(tmp_path / 'res'), progress=False)
    assert len(failed) == 1 and failed[0].startswith(names[2]) and broken[names[2]][0] in failed[0]
    record = json.load(open(os.path.join(out, 'run_info.json')))
    for name in names[:2]:
        assert record['sequences'][name]['broken_paths'] == broken[name]
        boxes = read_boxes(os.path.join(out, name + '.txt'))
        assert boxes.shape == (FRAMES, 4)
        _assert_broken_rows_repeat(boxes, broken[name])
    assert list(record['failed']) == [names[2]]
    _, strict_failed = run_tracker('kcf', 'default', dataset_name='lasot', dataset_root=root,
                                   results_path=str(tmp_path / 'strict'), progress=False, strict=True)
    assert len(strict_failed) == 3 and all('--strict' in f or 'initial frame' in f for f in strict_failed)


def test_run_video_keeps_the_last_box_and_strict_or_a_broken_first_frame_is_an_error(damaged, tmp_path):
    from pytracking import run_video as rv
    root, _, names, broken = damaged
    folder = os.path.dirname(broken[names[1]][0])
    seq = load_arena_benchmark('LaSOT', dataset_root=root).sequences[names[1]]
    box = ','.join(str(v) for v in seq.ground_truth_rect[0])
    out = str(tmp_path / 'video')
    assert rv.main([folder, '--box', box, '--output', out]) == 0
    boxes = read_boxes(out + '.txt')
    assert boxes.shape == (FRAMES - 1, 4)  # the missing file is not in the folder listing; the empty one is
    info = json.load(open(out + '_run_info.json'))
    assert info['broken_paths'] == [broken[names[1]][0]] and info['frames'] == FRAMES - 1
    _assert_broken_rows_repeat(boxes, broken[names[1]][:1])
    assert cv2.VideoCapture(out + '.mp4').get(cv2.CAP_PROP_FRAME_COUNT) == FRAMES - 1
    with pytest.raises(ImageReadError, match=r'00000003\.jpg: empty file \(frame 3; --strict'):
        rv.main([folder, '--box', box, '--output', str(tmp_path / 'strict'), '--strict'])
    assert not os.path.exists(str(tmp_path / 'strict') + '.txt')
    first_broken = str(tmp_path / 'first')
    shutil.copytree(folder, first_broken)
    empty(os.path.join(first_broken, '00000001.jpg'))
    with pytest.raises(ImageReadError, match='00000001.jpg: empty file .*initial frame'):
        rv.main([first_broken, '--box', box, '--output', str(tmp_path / 'f')])


class IdentityRefiner:
    """A refiner stand-in: refines every box to itself."""

    def initialize(self, frame, box):
        self.frame_shape = frame.shape

    def refine_batch(self, frames, boxes, mode='corner'):
        return np.asarray(boxes, dtype=np.float64)


def test_refine_results_repeats_the_previous_row_and_records_broken_frames(damaged, tmp_path):
    from pytracking import refine_results as rr
    from ltr.data.annotations import write_boxes
    root, clean, names, broken = damaged
    seqs = rr.load_sequences('lasot', root, 'test')
    raw = tmp_path / 'raw'
    for seq in seqs:
        write_boxes(str(raw / 'kcf' / f'{seq.name}.txt'), seq.ground_truth_rect + 1.0)
    failed = []
    done = rr.refine_results(IdentityRefiner(), seqs, str(raw), str(tmp_path / 'out'), batch=3, progress=False,
                             failed=failed)
    assert done == {'kcf': 2} and len(failed) == 1 and broken[names[2]][0] in failed[0]
    record = json.load(open(tmp_path / 'out' / 'kcf_RF' / 'run_info.json'))
    for name in names[:2]:
        assert record['sequences'][name]['broken_paths'] == broken[name]
        boxes = read_boxes(str(tmp_path / 'out' / 'kcf_RF' / f'{name}.txt'))
        assert boxes.shape == (FRAMES, 4)
        _assert_broken_rows_repeat(boxes, broken[name])
    assert list(record['failed']) == [names[2]]
    strict_failed = []
    done = rr.refine_results(IdentityRefiner(), seqs, str(raw), str(tmp_path / 'strict'), progress=False, strict=True,
                             failed=strict_failed)
    assert done == {'kcf': 0} and len(strict_failed) == 3


# -- training ------------------------------------------------------------------------------------------------
class FlakyVideos:
    """A video dataset stand-in whose frames listed in `broken` (frame ids) raise ImageReadError."""

    def __init__(self, broken=(), length=30):
        self.broken, self.length = set(broken), length

    def get_name(self):
        return 'flaky'

    def is_video_sequence(self):
        return True

    def has_mask(self):
        return False

    def get_num_sequences(self):
        return 1

    def __len__(self):
        return 1

    def get_sequence_info(self, seq_id):
        n = self.length
        return {'bbox': torch.tensor([[2.0, 2.0, 4.0, 4.0]] * n), 'valid': torch.ones(n, dtype=torch.bool),
                'visible': torch.ones(n, dtype=torch.bool)}

    def get_frames(self, seq_id, frame_ids, anno=None):
        for f in frame_ids:
            if f in self.broken or 'all' in self.broken:
                raise ImageReadError(f"/data/flaky/{f + 1:08d}.jpg: truncated JPEG (no end-of-image marker)")
        anno = anno or self.get_sequence_info(seq_id)
        return ([np.full((8, 8, 3), f, np.uint8) for f in frame_ids],
                {'bbox': [anno['bbox'][f] for f in frame_ids]}, None)


@pytest.mark.parametrize('kind', ['SEMaskSampler', 'DiMPSampler'])
def test_training_skips_unreadable_samples_counts_them_and_gives_up_on_a_broken_dataset(kind, capsys):
    from ltr.data.sampler import BrokenDatasetError, SEMaskSampler
    from ltr.data.sampler_tracking import DiMPSampler

    def make(dataset):
        if kind == 'SEMaskSampler':
            return SEMaskSampler([dataset], None, samples_per_epoch=20, max_gap=30, seed=3)
        return DiMPSampler([dataset], None, samples_per_epoch=20, max_gap=30, num_test_frames=1, seed=3)

    sampler = make(FlakyVideos(broken=range(0, 30, 2)))  # every even frame is broken
    items = [sampler[i] for i in range(20)]
    assert sum(item['skipped_samples'] for item in items) == sampler.skipped_samples > 0
    for item in items:  # only readable (odd) frames reach the processing
        assert all(int(im[0, 0, 0]) % 2 == 1 for im in item['train_images'] + item['test_images'])
    again = make(FlakyVideos(broken=range(0, 30, 2)))
    assert [again[i]['skipped_samples'] for i in range(20)] == [it['skipped_samples'] for it in items]  # seeded
    assert 'training sample skipped: /data/flaky/' in capsys.readouterr().err
    with pytest.raises(BrokenDatasetError, match='in a row had a frame that cannot be read.*flaky'):
        make(FlakyVideos(broken=['all']))[0]
    clean = make(FlakyVideos())
    assert clean[0]['skipped_samples'] == 0


def test_trainer_sums_skipped_samples_per_epoch_in_its_log(capsys):
    from ltr.trainers.ltr_trainer import LTRTrainer
    trainer = LTRTrainer.__new__(LTRTrainer)  # only the logging part: no network, no loaders
    trainer.stats = {'train': {}}
    trainer.skipped_samples = {'train': 0}
    trainer._writer, trainer.epoch, trainer.settings = None, 1, types.SimpleNamespace()  # rank 0
    trainer.optimizer = types.SimpleNamespace(param_groups=[{'lr': 0.1}])
    batch = {'train_images': torch.zeros(1, 3), 'skipped_samples': torch.tensor([0, 2, 1])}
    trainer._count_skipped('train', batch)
    assert list(batch) == ['train_images']  # the actor never sees the count
    trainer._log_epoch()
    assert 'train/skipped samples (unreadable frames) 3' in capsys.readouterr().out
    assert trainer.skipped_samples == {'train': 0}


def test_jpeg_with_a_trailer_after_its_end_marker_reads_as_without_it(tmp_path):
    """Cameras append metadata after the end-of-image marker: such a file is not truncated (upstream reads it)."""
    import cv2
    import numpy as np
    image = np.random.default_rng(0).integers(0, 255, size=(40, 60, 3), dtype=np.uint8)
    plain, trailed, cut = (str(tmp_path / f'{name}.jpg') for name in ('plain', 'trailed', 'cut'))
    cv2.imwrite(plain, image)
    data = open(plain, 'rb').read()
    with open(trailed, 'wb') as f:
        f.write(data + bytes(range(1, 255)) * 20)  # 5 KB after the marker, no FF D9 in it
    with open(cut, 'wb') as f:
        f.write(data[:len(data) * 2 // 3])
    np.testing.assert_array_equal(default_image_loader(trailed), default_image_loader(plain))
    with pytest.raises(ImageReadError, match='truncated JPEG'):
        default_image_loader(cut)
