"""ECO: hand-crafted tracking on a generated sequence, deep features with random weights, the
projection-matrix update, the feed-back hook, the memory rule and the missing-network message."""
import math

import numpy as np
import pytest
import torch

from ltr.admin.loading import CheckpointError
from pytracking.features import deep
from pytracking.parameter.eco import default as eco_default
from pytracking.parameter.eco import hc as eco_hc
from pytracking.tracker import load_tracker_class
from pytracking.tracker.eco import ECO


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


def fast_hc(**overrides):
    """hc parameters with a shorter first-frame optimisation (tests only)."""
    p = eco_hc.parameters()
    p.update(init_GN_iter=4, init_CG_iter=32, **overrides)
    return p


def centre_errors(boxes, gt):
    b, g = np.asarray(boxes), np.asarray(gt)
    return np.hypot(b[:, 0] + b[:, 2] / 2 - g[:, 0] - g[:, 2] / 2, b[:, 1] + b[:, 3] / 2 - g[:, 1] - g[:, 3] / 2)


def run(tracker, frames, init_box):
    tracker.initialize(frames[0], {'init_bbox': list(init_box)})
    return [list(init_box)] + [tracker.track(f)['target_bbox'] for f in frames[1:]]


def test_registered_as_pytracking_tracker():
    assert load_tracker_class('eco') is ECO


def test_hand_crafted_eco_tracks_a_moving_textured_object(scene):
    frames, gt = scene(24, velocity=(3.0, 1.5), seed=1)
    tracker = ECO(fast_hc())
    boxes = run(tracker, frames, gt[0])
    err = centre_errors(boxes, gt)
    assert err.mean() < 4.0, err           # bound: 4 px mean centre error (measured about 1.5 px)
    assert err.max() < 10.0
    assert tracker.frame_num == 24


def test_first_frame_projection_update_lowers_the_objective(scene):
    frames, gt = scene(2, seed=2)
    tracker = ECO(fast_hc())
    tracker.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    losses = tracker.joint_optimizer.losses
    assert losses[-1] < 0.9 * losses[0]
    # Same filter problem with the initial (PCA) projection kept fixed ends higher.
    fixed = ECO(fast_hc(update_projection_matrix=False))
    fixed.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    problem = tracker.joint_problem
    hf_fixed = [torch.view_as_real(h) for h in fixed.filter]
    x_fixed = type(tracker.filter)(hf_fixed + list(fixed.projection_matrix))
    r = problem(x_fixed)
    loss_fixed = float(sum((e * e).sum() for e in r))
    assert losses[-1] < loss_fixed


def test_memory_replaces_lowest_weight_slot_and_weights_sum_to_one(scene):
    frames, gt = scene(4, seed=3)
    tracker = ECO(fast_hc())
    tracker.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    n_init = tracker.num_stored_samples[0]
    lr = tracker.fparams[0].learning_rate
    tracker.track(frames[1])
    sw = tracker.sample_weights[0]
    assert tracker.previous_replace_ind[0] == n_init                       # first empty slot
    assert float(sw.sum()) == pytest.approx(1.0, abs=1e-5)
    assert float(sw[n_init] / sw[0]) == pytest.approx(lr * n_init * (1 - lr), rel=1e-4)   # init weights (1/n)/(1-lr), new: lr
    tracker.track(frames[2])
    assert tracker.previous_replace_ind[0] == n_init + 1
    assert float(sw[n_init + 1] / sw[n_init]) == pytest.approx(1 / (1 - lr), rel=1e-4)


def test_filter_kx0_column_is_hermitian(scene):
    frames, gt = scene(2, seed=4)
    tracker = ECO(fast_hc())
    tracker.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    for hf in tracker.filter:
        col = hf[..., 0]
        assert torch.allclose(col, col.flip(-1).conj(), atol=1e-6)


@pytest.mark.parametrize('adopt', [True, False])
def test_feedback_hook_changes_the_state(scene, adopt):
    frames, gt = scene(4, seed=5)
    tracker = ECO(fast_hc(adopt_refined_aspect=adopt))
    tracker.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    tracker.track(frames[1])
    base_before = tracker.base_target_sz.clone()
    x, y, w, h = gt[1][0] + 4, gt[1][1] - 3, 60.0, 20.0            # a refined box with another aspect
    tracker.set_target_box([x, y, w, h])
    assert tracker.pos.tolist() == pytest.approx([y + h / 2, x + w / 2])
    assert tracker.target_sz.tolist() == pytest.approx([h, w])
    out = tracker.track(frames[2])['target_bbox']
    aspect = out[2] / out[3]
    if adopt:
        assert aspect == pytest.approx(3.0, rel=1e-3)
        assert float(tracker.base_target_sz.prod()) == pytest.approx(float(base_before.prod()), rel=1e-4)
    else:                                                             # upstream: initial aspect comes back
        assert aspect == pytest.approx(gt[0][2] / gt[0][3], rel=1e-3)
        assert torch.equal(tracker.base_target_sz, base_before)


def test_random_deep_weights_run_end_to_end(scene):
    frames, gt = scene(3, image_hw=(160, 200), init_box=(60, 50, 40, 30), seed=6)
    p = eco_default.parameters()
    p.features.features[0].random_weights = True
    p.update(init_GN_iter=1, init_CG_iter=3, CG_iter=2, device='cpu',
             augmentation={'fliplr': True, 'shift': [(6, 6)], 'dropout': (2, 0.2)})
    tracker = ECO(p)
    boxes = run(tracker, frames, gt[0])
    assert np.all(np.isfinite(np.asarray(boxes))) and all(b[2] > 0 and b[3] > 0 for b in boxes)
    assert [f.shape[1] for f in tracker.filter] == [16, 64]
    assert tracker.img_sample_sz.tolist() == [208.0, 208.0]
    assert [tuple(f.shape[-2:]) for f in tracker.filter] == [(53, 27), (13, 7)]


def test_missing_network_file_is_one_line_naming_file_and_model_zoo(tmp_path, monkeypatch, scene):
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', str(tmp_path))
    frames, gt = scene(1, seed=7)
    with pytest.raises(CheckpointError) as err:
        ECO(eco_default.parameters()).initialize(frames[0], {'init_bbox': gt[0].tolist()})
    msg = str(err.value)
    assert '\n' not in msg and 'resnet18_vggmconv1.pth' in msg and 'MODEL_ZOO.md' in msg
    assert str(tmp_path / 'resnet18_vggmconv1' / 'resnet18_vggmconv1.pth') in msg


def test_network_file_found_in_both_layouts(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', str(tmp_path))
    cands = deep.resnet18_vggmconv1_candidates()
    assert cands == [str(tmp_path / 'resnet18_vggmconv1' / 'resnet18_vggmconv1.pth'),
                     str(tmp_path / 'resnet18_vggmconv1.pth')]
    feat = deep.ResNet18m1(['vggconv1', 'layer3'], device='cpu')
    net_state = __import__('ltr.models.backbone.resnet18_vggm', fromlist=['x']).resnet18_vggmconv1().state_dict()
    torch.save(net_state, tmp_path / 'resnet18_vggmconv1.pth')          # the documented (flat) layout
    feat.initialize()
    assert torch.equal(feat.net.vggmconv1.weight, net_state['vggmconv1.weight'])


def test_unknown_parameter_is_rejected():
    p = eco_hc.parameters()
    with pytest.raises(AttributeError, match='search_area_scale'):
        p.search_area_scal = 4.0


def test_feedback_keeps_the_initial_aspect_by_default_as_upstream():
    assert eco_hc.parameters().adopt_refined_aspect is False
    assert eco_default.parameters().adopt_refined_aspect is False


def test_scale_factors_are_upstreams_float32_powers():
    """upstream: 1.02 ** torch.arange(-2, 3).float(), computed in float32 (1.0404 is 1.0403999 there)."""
    expected = (1.02 ** torch.arange(-2, 3).float()).tolist()
    assert eco_hc.parameters().scale_factors == expected
    assert expected[4] == pytest.approx(1.0403999090194702, abs=0)


def test_first_frame_crop_at_the_unrounded_half_pixel_centre():
    """Box rows 118..157 (h 40): pos = 118 + 39/2 = 137.5. Upstream passes pos itself to sample_patch,
    which truncates it to 137: a 180-row crop then spans rows 137 - 89 = 48 .. 137 + 90 = 227
    (rounding to 138 would start at 49)."""
    from pytracking.features.preprocessing import sample_patch
    ramp = np.repeat(np.arange(320, dtype=np.float32)[:, None], 320, axis=1)
    image = np.repeat(ramp[:, :, None], 3, axis=2).clip(0, 255).astype(np.uint8)
    tracker = ECO(fast_hc())
    seen = []
    extract = tracker.params.features.extract_transformed

    def spy(im, pos, *args, **kwargs):
        seen.append(pos.clone())
        return extract(im, pos, *args, **kwargs)

    tracker.params.features.extract_transformed = spy
    try:
        tracker.initialize(image, {'init_bbox': [118.0, 118.0, 40.0, 40.0]})
    finally:
        tracker.params.features.extract_transformed = extract
    assert seen[0].tolist() == [137.5, 137.5]
    im = torch.arange(320, dtype=torch.float32).reshape(1, 1, 320, 1).expand(1, 1, 320, 320)
    patch, coords = sample_patch(im, seen[0], torch.tensor([180.0, 180.0]))
    assert coords.tolist() == [[48, 48, 228, 228]] and patch[0, 0, 0, 0].item() == 48.0


def test_dropout_copies_are_upstreams_dropout2d_draws():
    """seed s draws what F.dropout2d draws after torch.manual_seed(s) (CPU)."""
    tracker = ECO(fast_hc(seed=7))
    tracker.generator = torch.Generator().manual_seed(7)
    x = torch.rand(1, 16, 5, 5).expand(7, -1, -1, -1)
    ours = tracker._dropout2d(x, 0.2)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        upstream = torch.nn.functional.dropout2d(x, p=0.2, training=True)
    assert torch.equal(ours, upstream)
