"""The DiMP tracker: every parameter set with a random-weight network through the arena runner (with and
without the refiner), the feed-back hook moving the next search region, DiMP localisation following a
moving textured target with a hand-made feature, the sample memory weights, and bad network files."""
import math
import os
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from ltr.admin.loading import CheckpointError, save_network_checkpoint
from ltr.models.layers.normalization import InstanceL2Norm
from ltr.models.target_classifier.initializer import FilterInitializerLinear
from ltr.models.target_classifier.linear_filter import LinearFilter
from ltr.models.target_classifier.optimizer import DiMPSteepestDescentGN
from ltr.models.tracking import dimpnet
from pytracking.features.net_wrappers import NetWithBackbone
from pytracking.parameter import available_parameters, load_parameters
from pytracking.tracker import load_tracker_class

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PARAM_SETS = ['dimp18', 'dimp50', 'prdimp18', 'prdimp50', 'super_dimp']
# Random-weight networks with the official constructor arguments (spec/checkpoints/*.json); the 50-layer
# sets use ResNet-18 networks of the same family to stay fast, except one short ResNet-50 run (dimp50).
DIMP_KW = dict(filter_size=4, optim_iter=5, optim_init_step=0.9, optim_init_reg=0.1, init_gauss_sigma=0.9,
               num_dist_bins=100, bin_displacement=0.1, mask_init_factor=3.0, backbone_pretrained=False)
PRDIMP_KW = dict(filter_size=4, optim_iter=5, optim_init_step=1.0, optim_init_reg=0.05, optim_min_reg=0.05,
                 gauss_sigma=0.9, alpha_eps=0.05, normalize_label=True, init_initializer='zero',
                 backbone_pretrained=False)
NETWORKS = {'dimp18': (dimpnet.dimpnet18, DIMP_KW), 'dimp50': (dimpnet.dimpnet50, DIMP_KW),
            'prdimp18': (dimpnet.klcedimpnet18, PRDIMP_KW), 'prdimp50': (dimpnet.klcedimpnet18, PRDIMP_KW),
            'super_dimp': (dimpnet.dimpnet18, DIMP_KW)}


pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


def random_network(param):
    torch.manual_seed(0)
    build, kwargs = NETWORKS[param]
    return build(**kwargs)


def dimp_params(param, net, **overrides):
    """The parameter set with a ready network and a small search region (tests only)."""
    params = load_parameters('dimp', param)
    params.update(net=NetWithBackbone(net=net), image_sample_size=8 * 16, device='cpu', **overrides)
    return params


@pytest.fixture(scope='module')
def tree(synthetic_lasot):
    return synthetic_lasot(num_sequences=1, frames=4)


def test_the_five_parameter_sets_exist_with_upstream_values():
    assert set(PARAM_SETS) <= set(available_parameters('dimp'))
    expected = {'dimp18': (288, 5, 'dimp18.pth', 'none', 'default'), 'dimp50': (288, 5, 'dimp50.pth', 'none', 'default'),
                'prdimp18': (288, 5, 'prdimp18.pth.tar', 'softmax', 'relative'),
                'prdimp50': (352, 6, 'prdimp50.pth.tar', 'softmax', 'relative'),
                'super_dimp': (352, 6, 'super_dimp.pth.tar', 'none', 'relative')}
    for name, (size, scale, file, pre, space) in expected.items():
        p = load_parameters('dimp', name)
        assert (p.image_sample_size, p.search_area_scale, p.net.net_path, p.score_preprocess,
                p.box_refinement_space) == (size, scale, file, pre, space), name
    assert load_parameters('dimp', 'super_dimp').border_mode == 'inside_major'
    assert load_parameters('dimp', 'prdimp18').target_not_found_threshold == 0.04


@pytest.mark.parametrize('param', PARAM_SETS)
def test_each_parameter_set_tracks_through_the_arena_with_and_without_refiner(param, tree, tmp_path, tiny_refiner):
    from arena.runner import load_arena_benchmark, run_arena
    from ltr.data.annotations import read_boxes
    net = random_network(param)
    params = dimp_params(param, net)
    tracker_class = load_tracker_class('dimp')
    bench = load_arena_benchmark('LaSOT', synthetic_root=tree)
    seq = bench.sequences[0]
    runs = [('base', None)] if param == 'dimp50' else [('base', None), ('rf', lambda s: tiny_refiner)]
    for name, refiner_for in runs:
        summary = run_arena(bench, str(tmp_path), f'dimp_{param}_{name}', lambda: tracker_class(params.copy()),
                            refiner_for, progress=False, log=lambda s: None)
        boxes = read_boxes(os.path.join(summary.out_dir, seq.name + '.txt'))
        assert boxes.shape == (len(seq.frames), 4) and np.all(np.isfinite(boxes)) and np.all(boxes[:, 2:] > 0)


def test_feedback_moves_the_next_search_region(scene):
    frames, gt = scene(num_frames=3, image_hw=(120, 160), init_box=(60, 40, 30, 24), velocity=(2, 1))
    params = dimp_params('dimp18', random_network('dimp18'), num_init_random_boxes=0, box_refinement_iter=1)
    tracker = load_tracker_class('dimp')(params)
    tracker.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    tracker.track(frames[1])
    fed = np.array([30.0, 20.0, 40.0, 30.0])
    tracker.set_target_box(fed)
    torch.testing.assert_close(tracker.pos, torch.tensor([35.0, 50.0]))
    expected_scale = math.sqrt(30 * 40 / float(tracker.base_target_sz.prod()))
    assert tracker.target_scale == pytest.approx(expected_scale)
    tracker.track(frames[2])
    x, y, w, h = tracker.search_area_box.tolist()
    side = expected_scale * 128
    assert abs(w - side) <= 2 and abs(h - side) <= 2           # crop side follows the fed-back size
    cell = side / 8 / 2                                        # half a score cell: the centring shift
    assert abs(x + w / 2 - 50.0) <= cell + 1 and abs(y + h / 2 - 35.0) <= cell + 1


STRIDE = 4


class PooledPixels(nn.Module):
    """A fixed, hand-made 'backbone': colour and gradient energy average-pooled to stride 4 ('layer3')."""

    def forward(self, im, output_layers=None):
        gray = im.mean(dim=1, keepdim=True)
        gx = F.pad(gray[..., :, 1:] - gray[..., :, :-1], (0, 1))
        gy = F.pad(gray[..., 1:, :] - gray[..., :-1, :], (0, 0, 0, 1))
        feat = torch.cat([im, gx.abs(), gy.abs()], dim=1)
        return OrderedDict(layer3=F.avg_pool2d(feat, STRIDE))


def hand_made_dimp():
    torch.manual_seed(0)
    channels = 5
    initializer = FilterInitializerLinear(filter_size=4, feature_dim=channels, feature_stride=STRIDE)
    optimizer = DiMPSteepestDescentGN(num_iter=5, feat_stride=STRIDE, init_step_length=0.9, init_filter_reg=0.1,
                                      init_gauss_sigma=1.6, num_dist_bins=100, bin_displacement=0.1,
                                      mask_init_factor=3.0)
    classifier = LinearFilter(4, initializer, optimizer,
                              feature_extractor=InstanceL2Norm(scale=math.sqrt(1.0 / (channels * 16))))
    return dimpnet.DiMPnet(PooledPixels(), classifier, None, 'layer3', [])


def test_dimp_localisation_follows_a_moving_target_with_hand_made_features(scene):
    frames, gt = scene(num_frames=25, image_hw=(240, 320), init_box=(60, 80, 48, 32), velocity=(3.0, 1.5))
    params = dimp_params('dimp50', hand_made_dimp(), use_iou_net=False)
    tracker = load_tracker_class('dimp')(params)
    tracker.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    errors = []
    for frame, box in zip(frames[1:], gt[1:]):
        out = np.array(tracker.track(frame)['target_bbox'])
        errors.append(np.hypot(*(out[:2] + out[2:] / 2 - box[:2] - box[2:] / 2)))
    moved = np.hypot(*(gt[-1, :2] - gt[0, :2]))
    assert moved > 50                                   # the target really travels
    # one score cell is STRIDE * target_scale = 4 * 1.53 = 6.1 px here; DiMP localises to a cell (no sub-cell
    # interpolation without the IoU-Net). Measured: mean 2.8 px, max 5.2 px over 24 frames.
    assert np.mean(errors) < 4.0 and np.max(errors) < 8.0, errors


def test_sample_weights_by_hand():
    params = dimp_params('dimp18', random_network('dimp18'), sample_memory_size=4, init_samples_minimum_weight=0.25)
    tracker = load_tracker_class('dimp')(params)
    sw = [torch.tensor([0.5, 0.5, 0.0, 0.0])]
    ind = tracker.update_sample_weights(sw, [None], [2], [2], 0.1)
    assert ind == [2]
    torch.testing.assert_close(sw[0], torch.tensor([0.5 / 0.9, 0.5 / 0.9, 0.1, 0.0]) / (1 / 0.9 + 0.1))
    ind = tracker.update_sample_weights(sw, ind, [3], [2], 0.1)
    assert ind == [3] and float(sw[0].sum()) == pytest.approx(1.0)
    ind = tracker.update_sample_weights(sw, ind, [4], [2], 0.9)     # full: the lightest non-initial one goes
    assert ind == [2] and float(sw[0][:2].sum()) >= 0.25 - 1e-6


def test_bad_network_files_are_one_line_errors(tmp_path, monkeypatch):
    monkeypatch.setenv('PYTRACKING_NETWORK_PATH', str(tmp_path))
    tracker_class = load_tracker_class('dimp')
    with pytest.raises(CheckpointError, match=r"super_dimp\.pth\.tar.*MODEL_ZOO\.md"):
        tracker_class(load_parameters('dimp', 'super_dimp'))
    (tmp_path / 'dimp18.pth').write_bytes(b'not a checkpoint')
    with pytest.raises(CheckpointError, match=r"dimp18\.pth.*not a readable checkpoint"):
        tracker_class(load_parameters('dimp', 'dimp18'))
    save_network_checkpoint(str(tmp_path / 'dimp50.pth'), dimpnet.klcedimpnet18(backbone_pretrained=False))
    with pytest.raises(CheckpointError, match=r"dimp50\.pth: built by klcedimpnet18.*dimpnet18 or dimpnet50"):
        tracker_class(load_parameters('dimp', 'dimp50'))
    from ltr.models.bbreg.atom import atom_resnet18
    save_network_checkpoint(str(tmp_path / 'prdimp18.pth.tar'), atom_resnet18(backbone_pretrained=False))
    with pytest.raises(CheckpointError, match=r"prdimp18\.pth\.tar: expected a DiMPnet network"):
        tracker_class(load_parameters('dimp', 'prdimp18'))


def test_arena_script_stops_on_a_missing_network_before_writing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('LTR_', 'PYTRACKING_', 'ARENA_'))}
    env.update(PYTHONPATH=REPO, LTR_WORKSPACE_DIR=str(tmp_path / 'ws'), PYTRACKING_LASOT_PATH='',
               PYTRACKING_NETWORK_PATH=str(tmp_path / 'nets'), ARENA_SYNTHETIC_SEQUENCES='1',
               ARENA_SYNTHETIC_FRAMES='3', ARENA_SYNTHETIC_SIZE='96x72')
    done = subprocess.run([sys.executable, os.path.join(REPO, 'arena', 'LaSOT', 'run_dimp.py'), '--quiet',
                           '--param', 'prdimp50', '--save-dir', str(tmp_path / 'save')],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and 'Traceback' not in done.stderr
    assert done.stderr.count('\n') == 1 and 'prdimp50.pth.tar' in done.stderr and 'MODEL_ZOO.md' in done.stderr
    written = [f for _, _, files in os.walk(tmp_path / 'save') for f in files if f.endswith('.txt')]
    assert written == []


# -- equality with upstream's numbers (AlphaRefine pytracking/tracker/dimp/dimp.py), hand-computed ---------
BORDER_IMAGE_HW = (200, 300)
BORDER_BOX = [10.0, 20.0, 40.0, 30.0]      # pos = (20 + 29/2, 10 + 39/2) = (34.5, 29.5), near the top-left corner


def border_tracker(border_mode, **overrides):
    """super_dimp's search region (22*16 px, scale 6) with the hand-made network, initialised near a corner."""
    params = load_parameters('dimp', 'super_dimp')
    params.update(net=NetWithBackbone(net=hand_made_dimp()), device='cpu', use_iou_net=False,
                  border_mode=border_mode, **overrides)
    tracker = load_tracker_class('dimp')(params)
    image = np.full(BORDER_IMAGE_HW + (3,), 128, dtype=np.uint8)
    tracker.initialize(image, {'init_bbox': BORDER_BOX})
    return tracker


def test_inside_major_first_frame_crop_is_not_shifted_at_a_border():
    """target_scale = sqrt(180 * 240) / 352 = 0.5904719. Upstream shrinks/shifts the first-frame crop only
    for 'inside': with 'inside_major' the crop (207.8 px, 104 px beyond the top and left borders) stays at
    pos.round() = (34, 30) with scale target_scale and no shift. The target box in that crop:
    centre (0.5, -0.5) / 0.5904719 + 175.5, size (30, 40) / 0.5904719 = (50.8068, 67.7424),
    so xywh (141.282, 151.443, 67.742, 50.807). (The old shifting code moved it by (-116, -125) px.)"""
    tracker = border_tracker('inside_major')
    assert tracker.target_scale == pytest.approx(0.5904719, abs=1e-6)
    assert tracker.init_sample_scale == tracker.target_scale
    assert tracker.init_sample_pos.tolist() == [34.0, 30.0]
    assert list(tracker.transforms[0].shift) == [0, 0]
    torch.testing.assert_close(tracker.classifier_target_box,
                               torch.tensor([141.2820, 151.4434, 67.7424, 50.8068]), atol=1e-3, rtol=0)


def test_inside_first_frame_crop_is_shrunk_and_shifted_by_hand():
    """'inside': shrink = max(207.85 / (200, 300)) = 1.0392 -> 200 x 200 px, scale 200 / 352 = 0.568182;
    tl = pos - 99.5 = (-65, -70), br = pos + 101 = (135.5, 130.5): shift -(65, 70) / 0.568182 = (-114.4, -123.2)
    -> (-114, -123). The random shifts of flip/blur/rotate do not include it (AlphaRefine calls
    get_rand_shift() with its zero default): all are ((rand(2) after seed 1) - 0.5) * 352 / 3 = (30, -25)."""
    tracker = border_tracker('inside')
    assert tracker.init_sample_scale == pytest.approx(0.5681818, abs=1e-6)
    assert list(tracker.transforms[0].shift) == [-114, -123]
    random_shifts = {tuple(t.shift) for t in tracker.transforms
                     if type(t).__name__ in ('FlipHorizontal', 'Blur', 'Rotate', 'Scale')}
    assert random_shifts == {(30, -25)}


def test_pytracking_random_draws_continue_one_stream():
    tracker = border_tracker('inside', random_draws='pytracking')
    random_shifts = [tuple(t.shift) for t in tracker.transforms if type(t).__name__ in ('FlipHorizontal', 'Blur', 'Rotate')]
    assert len(set(random_shifts)) > 1
    g = torch.Generator().manual_seed(1)
    first = ((torch.rand(2, generator=g) - 0.5) * 352 / 3 + torch.tensor([-114.4, -123.2])).long().tolist()
    assert list(random_shifts[0]) == first              # pytracking master adds the border shift


def test_dropout_copies_are_upstreams_draws_after_the_last_reseed():
    """AlphaRefine: torch.manual_seed(1); torch.rand(2) (the last random shift); then F.dropout2d."""
    tracker = border_tracker('inside_major')
    x = torch.rand(1, 8, 3, 3).expand(2, -1, -1, -1)
    tracker.generator.manual_seed(1)
    torch.rand(2, generator=tracker.generator)
    ours = tracker._dropout2d(x, 0.2)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        torch.rand(2)
        upstream = F.dropout2d(x, p=0.2, training=True)
    assert torch.equal(ours, upstream)


def _stub_refinement(monkeypatch, boxes):
    """Replace the IoU-Net refinement by the given results (one per call; None = no box kept), recording the
    generator state at each call."""
    from pytracking.tracker.dimp import dimp as dimp_module
    states = []

    def refine_box(predict_iou, init_box, settings, device=None, generator=None):
        states.append(generator.get_state().clone())
        box = boxes.pop(0)
        return None if box is None else (torch.tensor(box, dtype=torch.float32), torch.tensor(0.9))

    monkeypatch.setattr(dimp_module.iounet_refine, 'refine_box', refine_box)
    return states


def test_iounet_start_boxes_are_drawn_after_a_reseed_every_frame(scene, monkeypatch):
    frames, gt = scene(num_frames=3, image_hw=(120, 160), init_box=(60, 40, 30, 24))
    tracker = load_tracker_class('dimp')(dimp_params('dimp18', random_network('dimp18')))
    tracker.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    states = _stub_refinement(monkeypatch, [[50.0, 50.0, 30.0, 30.0]] * 2)
    tracker.track(frames[1])
    tracker.track(frames[2])
    fresh = torch.Generator().manual_seed(1).get_state()
    assert all(torch.equal(s, fresh) for s in states)


@pytest.mark.parametrize('clamp', [False, True])
def test_iounet_scale_is_unclamped_unless_opted_in(scene, monkeypatch, clamp):
    """A refined box 10x the search crop: upstream takes its scale as is; clamp_iounet_scale caps it."""
    frames, gt = scene(num_frames=2, image_hw=(120, 160), init_box=(60, 40, 30, 24))
    tracker = load_tracker_class('dimp')(dimp_params('dimp18', random_network('dimp18'), clamp_iounet_scale=clamp))
    tracker.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    _stub_refinement(monkeypatch, [[-600.0, -600.0, 1280.0, 1280.0]])
    tracker.track(frames[1])
    unclamped = float(torch.sqrt(tracker.target_sz.prod() / tracker.base_target_sz.prod()))
    if clamp:
        assert tracker.target_scale == pytest.approx(tracker.max_scale_factor)
    else:
        assert tracker.target_scale == pytest.approx(unclamped) and tracker.target_scale > tracker.max_scale_factor


@pytest.mark.parametrize('reset', [False, True])
def test_last_iounet_position_is_reused_after_an_empty_refinement_as_upstream(scene, monkeypatch, reset):
    frames, gt = scene(num_frames=3, image_hw=(120, 160), init_box=(60, 40, 30, 24))
    tracker = load_tracker_class('dimp')(dimp_params('dimp18', random_network('dimp18'),
                                                     reset_iounet_pos_each_frame=reset))
    tracker.initialize(frames[0], {'init_bbox': gt[0].tolist()})
    _stub_refinement(monkeypatch, [[50.0, 50.0, 30.0, 30.0], None])
    tracker.track(frames[1])
    stale = tracker.pos_iounet.clone()
    tracker.set_target_box([20.0, 20.0, 30.0, 24.0])           # fed back far from the IoU-Net position
    tracker.track(frames[2])                                   # the refinement keeps no box
    if reset:
        assert not torch.equal(tracker.pos, stale)
    else:
        assert torch.equal(tracker.pos, stale)                 # upstream: hasattr(self, 'pos_iounet')


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_dropout_on_cuda_draws_what_upstream_draws_after_its_reseed():
    """On CUDA the copies come from a CUDA generator freshly seeded with `seed`, the state upstream's
    torch.manual_seed(1) leaves the default CUDA generator in (its random shifts draw on the CPU)."""
    tracker = border_tracker('inside_major')
    x = torch.rand(1, 8, 3, 3, device='cuda').expand(2, -1, -1, -1)
    ours = tracker._dropout2d(x, 0.2)
    with torch.random.fork_rng(devices=[x.device]):
        torch.manual_seed(1)
        torch.rand(2)
        upstream = F.dropout2d(x, p=0.2, training=True)
    assert torch.equal(ours, upstream)
