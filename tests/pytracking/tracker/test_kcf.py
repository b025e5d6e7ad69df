"""KCF, the weights-free base tracker: follows a moving target, fixed aspect, feed-back hook, robustness."""
import numpy as np
import pytest

from pytracking.parameter import available_parameters, load_parameters
from pytracking.parameter.kcf.default import parameters
from pytracking.tracker.kcf import KCF, get_tracker_class


def centre(box):
    box = np.asarray(box, dtype=np.float64)
    return box[..., :2] + box[..., 2:] / 2


def run(tracker, frames, init_box):
    tracker.initialize(frames[0], {'init_bbox': list(init_box)})
    return np.array([init_box] + [tracker.track(f)['target_bbox'] for f in frames[1:]], dtype=np.float64)


def test_follows_a_moving_textured_target(scene):
    frames, gt = scene(40, velocity=(3.0, 1.5), seed=1)
    out = run(KCF(parameters()), frames, gt[0])
    err = np.linalg.norm(centre(out) - centre(gt), axis=1)
    # The target moves 3.4 px per frame (130 px in all); the tracker stays within a few pixels.
    assert err.mean() < 3.0, err
    assert err.max() < 8.0, err


def test_box_keeps_the_initial_aspect_and_the_scale_search_follows_growth(scene):
    frames, gt = scene(40, init_box=(60, 70, 40, 28), velocity=(1.0, 0.5), growth=1.01, seed=2)
    out = run(KCF(parameters()), frames, gt[0])
    np.testing.assert_allclose(out[:, 2] / out[:, 3], 40 / 28, rtol=1e-9)
    # Ground truth grows 1.01**39 = 1.47x; the coarse scale search follows part of it.
    assert out[-1, 2] > 1.15 * 40
    assert len(np.unique(np.round(out[:, 2], 6))) > 1


def test_output_is_plain_floats_and_state_round_trips(scene):
    frames, gt = scene(3, seed=3)
    tracker = KCF(parameters())
    tracker.initialize(frames[0], {'init_bbox': gt[0]})
    out = tracker.track(frames[1])
    assert isinstance(out['target_bbox'], list) and all(type(v) is float for v in out['target_bbox'])
    assert isinstance(out['score'], float)
    np.testing.assert_allclose(tracker.get_target_box(), out['target_bbox'])


def test_set_target_box_moves_and_resizes_the_next_search_region(scene):
    frames, gt = scene(3, seed=4)
    tracker = KCF(parameters())
    tracker.initialize(frames[0], {'init_bbox': gt[0]})   # 48 x 32 box
    tracker.track(frames[1])
    box = np.array([150.0, 120.0, 96.0, 24.0])            # moved, twice as wide, 3/4 as tall
    tracker.set_target_box(box)
    np.testing.assert_allclose(tracker.pos, [132.0, 198.0])
    np.testing.assert_allclose(tracker.target_sz, [24.0, 96.0])
    assert tracker.target_scale == pytest.approx(np.sqrt(96 * 24 / (48 * 32)))
    np.testing.assert_allclose(tracker.get_target_box(), box)
    region = tracker.search_region()
    np.testing.assert_allclose(centre(region), centre(box))
    np.testing.assert_allclose(region[2:], tracker.base_window_sz[::-1] * np.sqrt(96 * 24 / (48 * 32)))


def two_copies_scene(scene):
    """Frames showing the same textured target twice (at A and at B), both moving right by 2 px/frame."""
    frames, gt = scene(8, image_hw=(240, 400), init_box=(40, 100, 40, 40), velocity=(2.0, 0.0), seed=5)
    shift = 220
    out = []
    for f, (x, y, w, h) in zip(frames, gt.astype(int)):
        f = f.copy()
        f[y:y + h, x + shift:x + shift + w] = f[y:y + h, x:x + w]
        out.append(f)
    gt_b = gt.copy()
    gt_b[:, 0] += shift
    return out, gt, gt_b


def test_fed_back_box_redirects_the_next_frame(scene):
    frames, gt_a, gt_b = two_copies_scene(scene)
    plain = KCF(parameters())
    fed = KCF(parameters())
    for tracker in (plain, fed):
        tracker.initialize(frames[0], {'init_bbox': gt_a[0]})
        tracker.track(frames[1])
    fed.set_target_box(gt_b[1])
    # Without the hook the tracker stays on copy A; with it, it searches around B and finds copy B.
    assert np.linalg.norm(centre(plain.track(frames[2])['target_bbox']) - centre(gt_a[2])) < 4.0
    assert np.linalg.norm(centre(fed.track(frames[2])['target_bbox']) - centre(gt_b[2])) < 4.0
    for f, g in zip(frames[3:], gt_b[3:]):
        assert np.linalg.norm(centre(fed.track(f)['target_bbox']) - centre(g)) < 4.0


def test_fed_back_aspect_is_kept_in_later_outputs(scene):
    frames, gt = scene(12, seed=6)
    tracker = KCF(parameters())
    tracker.initialize(frames[0], {'init_bbox': gt[0]})
    tracker.track(frames[1])
    x, y, w, h = gt[1]
    tracker.set_target_box([x - 6, y, w + 12, h])          # wider than the tracker's own 48 x 32
    outs = np.array([tracker.track(f)['target_bbox'] for f in frames[2:]])
    np.testing.assert_allclose(outs[:, 2] / outs[:, 3], (w + 12) / h, rtol=1e-9)
    assert np.linalg.norm(centre(outs) - centre(gt[2:]), axis=1).max() < 6.0


@pytest.mark.parametrize('box, words', [
    ([10, 10, 0, 20], 'width and height'),
    ([10, 10, 20, -1], 'width and height'),
    ([np.nan, 10, 20, 20], 'finite'),
    ([10, 10, np.inf, 20], 'finite'),
    ([10, 10, 20], '4 numbers'),
    ('abcd', '4 numbers'),
])
def test_degenerate_init_box_is_a_value_error(scene, box, words):
    frames, _ = scene(1)
    with pytest.raises(ValueError, match=words):
        KCF(parameters()).initialize(frames[0], {'init_bbox': box})


def test_missing_init_box_and_bad_images_are_value_errors(scene):
    frames, gt = scene(2)
    tracker = KCF(parameters())
    with pytest.raises(ValueError, match='init_bbox'):
        tracker.initialize(frames[0], {})
    with pytest.raises(ValueError, match='uint8'):
        tracker.initialize(frames[0].astype(np.float32), {'init_bbox': gt[0]})
    with pytest.raises(ValueError, match='H x W x 3'):
        tracker.initialize(frames[0][..., 0], {'init_bbox': gt[0]})
    with pytest.raises(RuntimeError, match='initialize'):
        tracker.track(frames[1])


def test_target_leaving_the_frame_does_not_crash(scene):
    H, W = 120, 160
    frames, gt = scene(30, image_hw=(H, W), init_box=(100, 40, 30, 24), velocity=(5.0, 2.0), seed=7)
    out = run(KCF(parameters()), frames, gt[0])
    assert np.all(np.isfinite(out)) and np.all(out[:, 2:] > 0)
    c = centre(out)
    assert np.all((c[:, 0] >= 0) & (c[:, 0] <= W) & (c[:, 1] >= 0) & (c[:, 1] <= H))


@pytest.mark.parametrize('init_box', [(0, 0, 2, 2), (0.3, 0.2, 1.0, 1.5), (150, 100, 40, 40), (-10, -8, 30, 20),
                                      (0, 0, 160, 120)])
def test_tiny_border_and_whole_image_targets_do_not_crash(scene, init_box):
    frames, _ = scene(6, image_hw=(120, 160), init_box=(60, 50, 20, 16), velocity=(3.0, 3.0), seed=8)
    out = run(KCF(parameters()), frames, init_box)
    assert np.all(np.isfinite(out)) and np.all(out[:, 2:] > 0)


def test_scale_stays_within_bounds_after_an_extreme_fed_back_box(scene):
    frames, gt = scene(4, seed=9)
    tracker = KCF(parameters())
    tracker.initialize(frames[0], {'init_bbox': gt[0]})
    tracker.set_target_box([0.0, 0.0, 1e5, 1e5])
    out = tracker.track(frames[1])['target_bbox']
    assert np.all(np.isfinite(out)) and tracker.target_scale <= tracker.max_scale


def test_package_exposes_the_class_and_every_parameter_file_runs(scene):
    assert get_tracker_class() is KCF
    frames, gt = scene(3, seed=10)
    names = available_parameters('kcf')
    assert 'default' in names
    for name in names:
        tracker = KCF(load_parameters('kcf', name))
        tracker.initialize(frames[0], {'init_bbox': gt[0]})
        assert np.all(np.isfinite(tracker.track(frames[1])['target_bbox']))
