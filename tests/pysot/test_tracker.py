"""SiamRPN++ trackers: following a patch with a hand-set correlation, long-term lost state, the RGB adapter and its
feed-back hook."""
import numpy as np
import pytest
import torch

from ltr.data.bounding_box_utils import iou_xywh
from ltr.data.processing_utils import get_subwindow_pysot
from pysot.core.config import load_config
from pysot.tracker.arena import PysotTracker, find_config, make_tracker, parameters
from pysot.tracker.siamrpn_tracker import SiamRPNTracker
from pysot.tracker.siamrpnlt_tracker import SiamRPNLTTracker
from pysot.tracker.tracker_builder import build_tracker


@pytest.fixture(scope='module')
def official_config():
    return load_config(find_config('siamrpn_r50_l234_dwxcorr'))


def centre(b):
    return np.array([b[0] + b[2] / 2, b[1] + b[3] / 2])


def test_follows_a_textured_patch_with_a_hand_set_correlation(official_config, correlation_model, square_scene):
    frames, gt = square_scene(num_frames=20, velocity=(4, 3))
    tracker = build_tracker(correlation_model(), official_config)
    assert type(tracker) is SiamRPNTracker and tracker.score_size == 25
    tracker.init(frames[0], gt[0])
    # one score cell = 8 crop px = 8 / scale_z image px (about 5 px for a 40 px square)
    cell = 8 / (127 / (2 * 40))
    for t in range(1, len(frames)):
        out = tracker.track(frames[t])
        assert np.linalg.norm(centre(out['bbox']) - centre(gt[t])) < 1.5 * cell, t
        assert iou_xywh(np.asarray(out['bbox']), gt[t]) > 0.6 and 0 < out['best_score'] <= 1
    assert iou_xywh(gt[0], gt[-1]) == 0  # the patch moved away: standing still would fail
    assert abs(out['bbox'][2] - 40) < 4 and abs(out['bbox'][3] - 40) < 4


def test_adapter_converts_rgb_to_bgr_once_and_keeps_upstream_centres(official_config, correlation_model, square_scene):
    frames, gt = square_scene(num_frames=3)
    model = correlation_model()
    tracker = make_tracker(model, official_config)
    assert isinstance(tracker, PysotTracker) and tracker.params.experiment == 'siamrpn_r50_l234_dwxcorr'
    tracker.initialize(frames[0], {'init_bbox': gt[0]})
    bgr = frames[0][:, :, ::-1]
    centre_pos = [gt[0][0] + (gt[0][2] - 1) / 2, gt[0][1] + (gt[0][3] - 1) / 2]  # pysot init: x + (w - 1)/2
    np.testing.assert_array_equal(tracker.tracker.center_pos, centre_pos)
    expected = get_subwindow_pysot(np.ascontiguousarray(bgr), centre_pos, 127, 80, bgr.mean(axis=(0, 1)))
    np.testing.assert_array_equal(model.z[0].permute(1, 2, 0).numpy(), expected.astype(np.float32))
    out = tracker.track(frames[1])
    assert set(out) == {'target_bbox', 'best_score'} and len(out['target_bbox']) == 4
    with pytest.raises(ValueError, match='RGB uint8'):
        tracker.track(frames[1].astype(np.float32))


def test_feed_back_hook_sets_centre_and_size_and_moves_the_search(official_config, correlation_model, square_scene):
    frames, gt = square_scene(num_frames=3)
    model = correlation_model()
    tracker = make_tracker(model, official_config)
    tracker.initialize(frames[0], {'init_bbox': gt[0]})
    tracker.set_target_box([100.0, 50.0, 30.0, 20.0])
    np.testing.assert_array_equal(tracker.tracker.center_pos, [115.0, 60.0])  # x + w/2 (upstream run_siamrpn_RF.py)
    np.testing.assert_array_equal(tracker.tracker.size, [30.0, 20.0])
    np.testing.assert_array_equal(tracker.get_target_box(), [100.0, 50.0, 30.0, 20.0])
    tracker.track(frames[1])
    s_z = np.sqrt((30 + 25) * (20 + 25))
    bgr = np.ascontiguousarray(frames[1][:, :, ::-1])
    expected = get_subwindow_pysot(bgr, [115.0, 60.0], 255, round(s_z * 255 / 127), bgr.mean(axis=(0, 1)) * 0 +
                                   frames[0][:, :, ::-1].mean(axis=(0, 1)))
    np.testing.assert_array_equal(model.crops[-1][0].permute(1, 2, 0).numpy(), expected.astype(np.float32))
    with pytest.raises(ValueError, match='set_target_box'):
        tracker.set_target_box([1, 2, 0, 5])


def test_long_term_tracker_enters_and_leaves_the_lost_state(tmp_path, tiny_config, correlation_model, square_scene):
    config = load_config(tiny_config(tmp_path, 'SiamRPNLTTracker'))
    config.TRACK.INSTANCE_SIZE, config.TRACK.LOST_INSTANCE_SIZE = 255, 351  # (I - 127) % 8 == 0 for the toy model
    frames, gt = square_scene(num_frames=4, velocity=(0, 0))
    model = correlation_model(scale=1e-3)  # every score near 0: lost
    tracker = build_tracker(model, config)
    assert type(tracker) is SiamRPNLTTracker
    tracker.init(frames[0], gt[0])
    before = (tracker.center_pos.copy(), tracker.size.copy())
    out = tracker.track(frames[1])
    assert tracker.longterm_state and out['best_score'] < 0.8
    np.testing.assert_array_equal(tracker.center_pos, before[0])  # box kept while lost
    np.testing.assert_array_equal(tracker.size, before[1])
    tracker.track(frames[2])
    assert model.crops[-1].shape[-1] == 351  # lost: the larger search window
    model.scale, model.sharpness = 1.0, 0.01  # found again (score > CONFIDENCE_HIGH)
    out = tracker.track(frames[3])
    assert out['best_score'] > 0.998 and not tracker.longterm_state
    assert model.crops[-1].shape[-1] == 351 and iou_xywh(np.asarray(out['bbox']), gt[3]) > 0.7


def test_random_weights_tiny_network_tracks_with_finite_boxes(tmp_path, tiny_config, square_scene):
    from pysot.tracker.arena import build_model
    config = load_config(tiny_config(tmp_path))
    torch.manual_seed(0)
    tracker = make_tracker(build_model(config, device='cpu'), config, parameters('tiny_siamrpn'))
    frames, gt = square_scene(num_frames=4)
    tracker.initialize(frames[0], {'init_bbox': gt[0]})
    for f in frames[1:]:
        box = tracker.track(f)['target_bbox']
        assert np.all(np.isfinite(box)) and box[2] >= 10 and box[3] >= 10


class OneAnchorModel:
    """cls: background logit 10 everywhere, foreground 20 at one anchor (ratio 1, row 11, col 14); loc: 0."""

    def template(self, z):
        pass

    def track(self, x):
        cls = torch.zeros(1, 10, 25, 25)
        cls[0, :5] = 10.0
        cls[0, 5 + 2, 11, 14] = 20.0
        return {'cls': cls, 'loc': torch.zeros(1, 20, 25, 25)}

    def parameters(self):
        return iter(())


def test_box_arithmetic_is_float64_as_upstream(official_config):
    """Box [100, 80, 40, 30] -> centre (119.5, 94.5); s_z = sqrt(75 * 65), scale_z = 127 / s_z (float64).
    The chosen anchor (64 x 64 at crop offset (16, -8)) decodes unchanged (loc 0); upstream divides the
    float32 prediction by the float64 scale_z, so everything after is float64:
    cx = 119.5 + 16 / scale_z, w = 40 (1 - lr) + 64 / scale_z * lr with lr = penalty * score * LR."""
    t = official_config.TRACK
    tracker = SiamRPNTracker(OneAnchorModel(), official_config)
    image = np.full((240, 320, 3), 100, dtype=np.uint8)
    tracker.init(image, [100.0, 80.0, 40.0, 30.0])
    out = tracker.track(image)

    scale_z = 127 / np.sqrt(75.0 * 65.0)

    def padded(w, h):
        pad = (w + h) * 0.5
        return np.sqrt((w + pad) * (h + pad))

    s_c = max(padded(64, 64) / padded(40 * scale_z, 30 * scale_z), padded(40 * scale_z, 30 * scale_z) / padded(64, 64))
    r_c = max(40 / 30, 30 / 40)
    penalty = np.exp(-(r_c * s_c - 1) * t.PENALTY_K)
    score = torch.softmax(torch.tensor([10.0, 20.0]), 0)[1].numpy()            # float32, as the tracker's
    lr = penalty * score * t.LR
    cx, cy = 119.5 + 16 / scale_z, 94.5 - 8 / scale_z
    w, h = 40 * (1 - lr) + 64 / scale_z * lr, 30 * (1 - lr) + 64 / scale_z * lr
    np.testing.assert_allclose(out['bbox'], [cx - w / 2, cy - h / 2, w, h], rtol=0, atol=1e-10)
    assert abs(float(np.float32(16) / float(scale_z)) - 16 / scale_z) > 1e-7   # float32 would be off by more
