"""TrackingSampler / DiMPSampler / ATOMSampler: frame rules of the causal and interval modes, visibility,
image datasets, dataset weights and seeding."""
import numpy as np
import pytest
import torch

from ltr.data.sampler_tracking import ATOMSampler, DiMPSampler, TrackingSampler
from ltr.dataset.base_video_dataset import BaseVideoDataset, frames_of_annotation, valid_and_visible


class ToyVideos(BaseVideoDataset):
    """In-memory videos: frame f is an 8x8 image filled with f (f < 256); visibility per sequence."""

    def __init__(self, name, visibles, video=True):
        super().__init__(name, '')
        self.sequence_list = list(range(len(visibles)))
        self.visibles = [torch.tensor(v, dtype=torch.bool) for v in visibles]
        self.video = video

    def is_video_sequence(self):
        return self.video

    def get_sequence_info(self, seq_id):
        n = len(self.visibles[seq_id])
        return valid_and_visible(torch.tensor([[2.0, 2.0, 4.0, 4.0]] * n), self.visibles[seq_id])

    def get_frames(self, seq_id, frame_ids, anno=None):
        anno = anno or self.get_sequence_info(seq_id)
        return ([np.full((8, 8, 3), f % 256, np.uint8) for f in frame_ids], frames_of_annotation(anno, frame_ids),
                {'object_class_name': f'class{seq_id}'})


def _ids(item, key):
    return [int(im[0, 0, 0]) for im in item[key]]


def test_causal_mode_train_frames_before_and_at_base_test_frames_after():
    vis = [[i % 4 != 1 for i in range(200)]]
    s = DiMPSampler([ToyVideos('v', vis)], None, 100, max_gap=30, num_test_frames=3, num_train_frames=3, seed=0)
    for i in range(100):
        item = s[i]
        train, test = _ids(item, 'train_images'), _ids(item, 'test_images')
        assert len(train) == len(test) == 3 and all(f % 4 != 1 for f in train + test)
        base = train[0]
        assert all(base - 30 <= f < base for f in train[1:])  # window [base - gap, base) when found at once
        assert all(base < f < base + 30 for f in test)
        assert item['dataset'] == 'v' and item['test_class'] == 'class0' and len(item['train_anno']) == 3


def test_interval_mode_test_frames_on_either_side():
    vis = [[True] * 250]
    s = ATOMSampler([ToyVideos('v', vis)], None, 300, max_gap=50, seed=1)
    offsets = []
    for i in range(300):
        item = s[i]
        (tr,), (te,) = _ids(item, 'train_images'), _ids(item, 'test_images')
        assert tr - 50 <= te < tr + 50
        offsets.append(te - tr)
    assert min(offsets) < 0 < max(offsets)


def test_the_window_grows_until_a_visible_frame_is_found():
    # visible: 0..19 and 200; the last test frame of base 19 must come from 200 (gap 5 grows by 5s)
    vis = [[i < 20 or i == 200 for i in range(210)]]
    s = DiMPSampler([ToyVideos('v', vis)], None, 50, max_gap=5, num_test_frames=1, num_train_frames=1, seed=2)
    pairs = [(_ids(s[i], 'train_images')[0], _ids(s[i], 'test_images')[0]) for i in range(50)]
    assert all(te > tr for tr, te in pairs)
    assert all(te == 200 for tr, te in pairs if tr == 19)


def test_sequences_need_twenty_frames_and_enough_visible_ones():
    # seq 0: 40 frames, 12 visible (needs > 2 * (3 + 3)); seq 1: 19 frames; seq 2: usable
    vis = [[i < 12 for i in range(40)], [True] * 19, [True] * 40]
    s = DiMPSampler([ToyVideos('v', vis)], None, 30, max_gap=30, num_test_frames=3, num_train_frames=3, seed=3)
    assert {s[i]['test_class'] for i in range(30)} == {'class2'}


def test_image_datasets_repeat_their_image():
    s = TrackingSampler([ToyVideos('img', [[True]], video=False)], None, 5, max_gap=10, num_test_frames=2,
                        num_train_frames=3, seed=0)
    item = s[0]
    assert len(item['train_images']) == 3 and len(item['test_images']) == 2


def test_dataset_weights_default_to_sequence_counts():
    small, large = ToyVideos('small', [[True] * 30]), ToyVideos('large', [[True] * 30] * 3)
    s = DiMPSampler([small, large], None, 400, max_gap=10, num_test_frames=1, seed=4)
    assert s.p_datasets == [0.25, 0.75]
    share = sum(s[i]['dataset'] == 'large' for i in range(400)) / 400
    assert 0.65 < share < 0.85


def test_seeded_items_repeat_and_differ_by_epoch_and_seed():
    vis = [[True] * 100] * 3
    make = lambda seed: DiMPSampler([ToyVideos('v', vis)], None, 10, max_gap=30, num_test_frames=3,  # noqa: E731
                                    num_train_frames=3, seed=seed)
    a, b = make(5), make(5)
    assert [_ids(a[i], 'test_images') for i in range(10)] == [_ids(b[i], 'test_images') for i in range(10)]
    b.set_epoch(1)
    assert [_ids(a[i], 'test_images') for i in range(10)] != [_ids(b[i], 'test_images') for i in range(10)]
    assert [_ids(a[i], 'test_images') for i in range(10)] != [_ids(make(6)[i], 'test_images') for i in range(10)]
    fixed = DiMPSampler([ToyVideos('v', vis)], None, 10, max_gap=30, num_test_frames=3, num_train_frames=3, seed=5,
                        new_samples_each_epoch=False)
    fixed.set_epoch(3)
    assert [_ids(a[i], 'test_images') for i in range(10)] == [_ids(fixed[i], 'test_images') for i in range(10)]


def test_bad_arguments():
    v = ToyVideos('v', [[True] * 30])
    with pytest.raises(ValueError, match='frame_sample_mode'):
        TrackingSampler([v], None, 1, 10, 1, frame_sample_mode='default')
    with pytest.raises(ValueError, match='weights'):
        TrackingSampler([v], [1, 2], 1, 10, 1)
