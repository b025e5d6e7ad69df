"""SEMaskSampler: dataset weights, visibility rules, max_gap, image datasets, masks, seeding."""
import numpy as np
import pytest
import torch

from ltr.data.sampler import SEMaskSampler
from ltr.dataset.base_video_dataset import BaseVideoDataset, frames_of_annotation, valid_and_visible


class ToyVideos(BaseVideoDataset):
    """In-memory videos: frame f of sequence s is an image filled with f; visibility given per sequence."""

    def __init__(self, name, visibles, masks=False, video=True):
        super().__init__(name, '')
        self.sequence_list = list(range(len(visibles)))
        self.visibles = [torch.tensor(v, dtype=torch.bool) for v in visibles]
        self.masks, self.video = masks, video

    def is_video_sequence(self):
        return self.video

    def has_mask(self):
        return self.masks

    def get_sequence_info(self, seq_id):
        n = len(self.visibles[seq_id])
        bbox = torch.tensor([[2.0, 2.0, 4.0, 4.0]] * n)
        return valid_and_visible(bbox, self.visibles[seq_id])

    def get_frames(self, seq_id, frame_ids, anno=None):
        anno = anno or self.get_sequence_info(seq_id)
        frames = [np.full((8, 8, 3), f % 256, np.uint8) for f in frame_ids]
        out = frames_of_annotation(anno, frame_ids)
        if self.masks:
            out['mask'] = [torch.ones(8, 8) for _ in frame_ids]
        return frames, out, {'seq': seq_id, 'frames': list(frame_ids)}


def _ids(item):
    return int(item['train_images'][0][0, 0, 0]), int(item['test_images'][0][0, 0, 0])


def test_pairs_stay_within_max_gap_and_on_visible_frames():
    vis = [[i % 3 != 0 for i in range(250)]]  # frame values f < 256 encode the id
    s = SEMaskSampler([ToyVideos('v', vis)], None, 200, max_gap=50, seed=0)
    for i in range(200):
        tr, te = _ids(s[i])
        assert tr % 3 and te % 3 and tr - 50 <= te < tr + 50


def test_isolated_visible_frame_pairs_with_itself():
    vis = [[i in (0, 1, 2, 3, 4, 200) for i in range(250)]]
    s = SEMaskSampler([ToyVideos('v', vis)], None, 100, max_gap=2, seed=1)
    pairs = [_ids(s[i]) for i in range(100)]
    assert any(tr == 200 for tr, _ in pairs)
    assert all(te == 200 for tr, te in pairs if tr == 200)  # only itself within reach: found, gap not needed


def test_sequences_without_enough_visible_frames_are_never_used():
    # seq 0: 4 visible frames (needs > 4); seq 1: 19 frames (videos without masks need 20); seq 2 ok
    vis = [[True] * 4 + [False] * 30, [True] * 19, [True] * 20]
    s = SEMaskSampler([ToyVideos('v', vis)], None, 60, max_gap=50, seed=2)
    ds = s.datasets[0]
    calls = []
    orig = ds.get_frames
    ds.get_frames = lambda seq, ids, anno=None: calls.append(seq) or orig(seq, ids, anno)
    for i in range(60):
        s[i]
    assert set(calls) == {2}


def test_mask_datasets_accept_short_videos_and_return_masks():
    vis = [[True] * 5]
    item = SEMaskSampler([ToyVideos('m', vis, masks=True)], None, 1, max_gap=50, seed=0)[0]
    assert item['mask'] is True and item['test_masks'][0].dtype == np.uint8 and item['test_masks'][0].min() == 1


def test_datasets_without_masks_give_zero_masks_and_flag_false():
    item = SEMaskSampler([ToyVideos('v', [[True] * 30])], None, 1, max_gap=50, seed=0)[0]
    assert item['mask'] is False and item['train_masks'][0].shape == (8, 8) and item['train_masks'][0].max() == 0


def test_image_datasets_use_the_same_image_for_both_frames():
    ds = ToyVideos('img', [[True]] * 3, video=False)
    item = SEMaskSampler([ds], None, 1, max_gap=50, seed=0)[0]
    assert _ids(item) == (0, 0) and item['dataset'] == 'img'


def test_dataset_weights_are_respected():
    a, b, c = ToyVideos('a', [[True] * 30]), ToyVideos('b', [[True] * 30]), ToyVideos('c', [[True] * 30])
    s = SEMaskSampler([a, b, c], [1, 3, 0], 800, max_gap=50, seed=5)
    names = [s[i]['dataset'] for i in range(800)]
    assert names.count('c') == 0
    assert 0.68 < names.count('b') / 800 < 0.82


def test_seed_makes_items_reproducible_and_distinct_between_seeds_and_epochs():
    vis = [[True] * 500] * 5
    s1 = SEMaskSampler([ToyVideos('v', vis)], None, 20, max_gap=50, seed=7)
    s2 = SEMaskSampler([ToyVideos('v', vis)], None, 20, max_gap=50, seed=7)
    s3 = SEMaskSampler([ToyVideos('v', vis)], None, 20, max_gap=50, seed=8)
    a = [_ids(s1[i]) for i in range(20)]
    assert a == [_ids(s2[i]) for i in range(20)]
    assert a != [_ids(s3[i]) for i in range(20)]
    s1.set_epoch(1)
    assert a != [_ids(s1[i]) for i in range(20)]


def test_no_usable_sequence_is_a_clear_error(monkeypatch):
    import ltr.data.sampler as mod
    monkeypatch.setattr(mod, 'MAX_SEQUENCE_DRAWS', 50)
    s = SEMaskSampler([ToyVideos('short', [[True] * 3])], None, 1, max_gap=50, seed=0)
    with pytest.raises(RuntimeError, match="'short'.*enough visible"):
        s[0]


def test_bad_weights_rejected():
    with pytest.raises(ValueError, match='2 weights for 1 datasets'):
        SEMaskSampler([ToyVideos('v', [[True] * 30])], [1, 2], 1, max_gap=50)


class CountingVideos(ToyVideos):
    """ToyVideos counting how often each sequence's annotation is read."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reads = {}

    def get_sequence_info(self, seq_id):
        self.reads[seq_id] = self.reads.get(seq_id, 0) + 1
        return super().get_sequence_info(seq_id)


def test_sequence_info_is_read_once_per_sequence_and_items_do_not_change():
    cached = CountingVideos('v', [[True] * 24, [True] * 20 + [False] * 4])
    uncached = CountingVideos('v', [[True] * 24, [True] * 20 + [False] * 4])
    a = SEMaskSampler([cached], None, 40, max_gap=3, seed=5)
    b = SEMaskSampler([uncached], None, 40, max_gap=3, seed=5, info_cache_size=0)
    assert [_ids(a[i]) for i in range(40)] == [_ids(b[i]) for i in range(40)]
    assert cached.reads == {0: 1, 1: 1}
    assert sum(uncached.reads.values()) >= 40


def test_sequence_info_cache_is_bounded():
    videos = CountingVideos('v', [[True] * 24] * 6)
    s = SEMaskSampler([videos], None, 60, max_gap=3, seed=1, info_cache_size=2)
    for i in range(60):
        s[i]
    assert len(s._info_cache) == 2 and sum(videos.reads.values()) > 6
