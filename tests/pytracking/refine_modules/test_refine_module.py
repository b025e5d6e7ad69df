"""RefineModule on CPU: modes, hand-computed mapping with fixed heads, fallbacks, checkpoint loading."""
import copy

import cv2
import numpy as np
import pytest
import torch
import torch.nn as nn

from ltr.admin.loading import CheckpointError, save_network_checkpoint
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet34
from pytracking.refine_modules.refine_module import RefineModule
from pytracking.refine_modules.utils import binarize_mask

H, W = 240, 320
BOX0 = np.array([100.0, 80.0, 60.0, 40.0])
BOX1 = np.array([104.0, 83.0, 58.0, 42.0])


def frame_pair(seed=0):
    """Textured background with a striped target that moves by (+5, +3) px between the frames."""
    rng = np.random.default_rng(seed)
    background = cv2.GaussianBlur(rng.integers(0, 256, (H, W, 3)).astype(np.uint8), (5, 5), 1.5)
    target = np.zeros((40, 60, 3), np.uint8)
    target[:, :, 0] = 220
    target[::4, :, 1] = 255
    frames = []
    for dx, dy in ((0, 0), (5, 3)):
        f = background.copy()
        f[80 + dy:120 + dy, 100 + dx:160 + dx] = target
        frames.append(f)
    return frames


class FixedCorners(nn.Module):
    """Stands in for the corner head: always predicts the same (x1, y1, x2, y2) in crop pixels."""

    def __init__(self, corners):
        super().__init__()
        self.register_buffer('corners', torch.tensor(corners, dtype=torch.float32))

    def forward(self, feat):
        return self.corners.expand(feat.shape[0], 4)


class FixedMask(nn.Module):
    """Stands in for the mask head: always predicts the same crop-sized probability map."""

    def __init__(self, mask):
        super().__init__()
        self.register_buffer('mask', torch.as_tensor(mask, dtype=torch.float32))

    def forward(self, feat, low_feats):
        return self.mask.expand(feat.shape[0], 1, *self.mask.shape)


@pytest.fixture(scope='module')
def net():
    torch.manual_seed(0)
    return SEcm_resnet34(backbone_pretrained=False, used_layers=['layer3'], pool_size=8, unfreeze_layer3=True).eval()


@pytest.fixture(scope='module')
def frames():
    return frame_pair()


def fixed_net(net, corners=(32, 48, 160, 224), mask=None):
    fixed = copy.deepcopy(net)
    fixed.corner_head = FixedCorners(corners)
    if mask is not None:
        fixed.mask_head = FixedMask(mask)
    return fixed


def square_mask(lo=64, hi=192, size=256):
    m = np.zeros((size, size), np.float32)
    m[lo:hi, lo:hi] = 1.0
    return m


def test_modes_give_finite_float64_boxes_deterministically(net, frames):
    results = []
    for _ in range(2):
        rf = RefineModule(net, device='cpu')
        rf.initialize(frames[0], BOX0)
        out = {m: rf.refine(frames[1], BOX1, mode=m) for m in ('corner', 'mask', 'all')}
        out['prob'] = rf.get_mask(frames[1], BOX1)
        results.append(out)
    for m in ('corner', 'mask', 'all'):
        box = results[0][m]
        assert isinstance(box, np.ndarray) and box.dtype == np.float64 and box.shape == (4,)
        assert np.all(np.isfinite(box)) and box[2] > 0 and box[3] > 0
        assert np.array_equal(box, results[1][m])
    assert np.array_equal(results[0]['all'], results[0]['corner'])  # selector None -> 0 -> corner
    prob = results[0]['prob']
    assert prob.shape == (H, W) and prob.dtype == np.float64 and np.array_equal(prob, results[1]['prob'])
    assert 0 <= prob.min() and prob.max() <= 1
    assert binarize_mask(prob).dtype == np.uint8


def test_corner_box_is_mapped_back_with_upstream_formula(net, frames):
    rf = RefineModule(fixed_net(net), device='cpu')
    rf.initialize(frames[0], BOX0)
    # crop of BOX0: ws = 120, hs = 80; x = 100 - 30 + 32 * 120/256, w = 128 * 120/256; y = 80 - 20 + 48 / 3.2, h = 176 / 3.2
    assert np.allclose(rf.refine(frames[1], BOX0, mode='corner'), [85.0, 75.0, 60.0, 55.0])


def test_mask_box_is_the_largest_contour_of_the_mapped_back_mask(net, frames):
    rf = RefineModule(fixed_net(net, mask=square_mask()), device='cpu')
    rf.initialize(frames[0], BOX0)
    # crop rows/cols 64..191 of 256 map to image columns 100..159 and rows 80..119
    assert np.array_equal(rf.refine(frames[1], BOX0, mode='mask'), [100.0, 80.0, 60.0, 40.0])
    prob = rf.get_mask(frames[1], BOX0)
    assert np.array_equal(np.argwhere(prob > 0.5).min(0), [80, 100]) and np.array_equal(np.argwhere(prob > 0.5).max(0), [119, 159])
    boxes = rf.refine(frames[1], BOX0, test=True)
    assert set(boxes) == {'corner', 'mask', 'all'} and np.allclose(boxes['all'], boxes['corner'])


def test_small_mask_falls_back_to_the_corner_box(net, frames):
    rf = RefineModule(fixed_net(net, mask=square_mask(120, 124)), device='cpu')
    rf.initialize(frames[0], BOX0)
    assert np.allclose(rf.refine(frames[1], BOX0, mode='mask'), [85.0, 75.0, 60.0, 55.0])


def test_selector_picks_the_mask_box(net, frames):
    rf = RefineModule(fixed_net(net, mask=square_mask()), selector=1, device='cpu')
    rf.initialize(frames[0], BOX0)
    assert np.array_equal(rf.refine(frames[1], BOX0), [100.0, 80.0, 60.0, 40.0])
    with pytest.raises(ValueError, match='out of range'):
        RefineModule(net, selector=2, device='cpu')


@pytest.mark.parametrize('fast', [True, False])
def test_mask_branch_runs_only_when_needed(net, frames, fast):
    calls = []
    rf = RefineModule(net, device='cpu', fast=fast, backend='torch')  # hooks see the PyTorch network run
    hook = rf.inference_network.mask_head.register_forward_hook(lambda *a: calls.append(1))
    try:
        rf.initialize(frames[0], BOX0)
        rf.refine(frames[1], BOX1, mode='corner')
        rf.refine(frames[1], BOX1, mode='all')
        assert calls == []
        rf.refine(frames[1], BOX1, mode='mask')
        assert calls == [1]
    finally:
        hook.remove()


@pytest.mark.parametrize('backend', ['torch', 'onnxruntime'])
@pytest.mark.parametrize('mode', ['corner', 'mask'])
def test_refine_frame_gives_box_and_mask_of_one_network_pass(net, frames, mode, backend):
    if backend == 'onnxruntime':
        pytest.importorskip('onnxruntime')
    rf = RefineModule(net, device='cpu', backend=backend)
    rf.initialize(frames[0], BOX0)
    box, prob = rf.refine(frames[1], BOX1, mode=mode), rf.get_mask(frames[1], BOX1)
    passes = []
    original = rf._run_search_branch
    rf._run_search_branch = lambda *a: passes.append(a[1]) or original(*a)
    refined = rf.refine_frame(frames[1], BOX1, mode=mode, with_mask=True)
    assert len(passes) == 1 and 'mask' in passes[0]
    assert np.array_equal(refined.mask, prob)
    # the boxes do not depend on the mask head running in the same pass (random weights: compared unchecked too)
    tol = 1e-4 if backend == 'onnxruntime' else 0
    np.testing.assert_allclose(refined.box, box, atol=tol)
    alone = rf._predict_boxes([frames[1]], [BOX1], rf._branches_for(mode), mode)[0][0]
    joint = rf._predict_boxes([frames[1]], [BOX1], rf._branches_for(mode), mode, with_mask=True)[0][0]
    for head in alone:
        np.testing.assert_allclose(joint[head], alone[head], atol=tol)


def test_refine_frame_reports_fall_backs_and_keeps_no_memory(net, frames):
    rf = RefineModule(fixed_net(net, corners=(200, 60, 100, 190)), device='cpu')  # x2 < x1: a degenerate box
    rf.initialize(frames[0], BOX0)
    refined = rf.refine_frame(frames[1], BOX1, mode='corner')
    assert np.array_equal(refined.box, BOX1) and 'w > 0' in refined.fallback and refined.mask is None
    outside = rf.refine_frame(frames[1], [W + 5, 10, 20, 20], mode='corner')
    assert outside.fallback.startswith('input box') and 'outside' in outside.fallback
    assert np.array_equal(rf._last_valid_box, BOX0)  # refine()'s memory is untouched


def test_bbox_mode_names_the_heads_the_network_has(net, frames):
    rf = RefineModule(net, device='cpu')
    rf.initialize(frames[0], BOX0)
    with pytest.raises(ValueError, match='has: corner, mask'):
        rf.refine(frames[1], BOX1, mode='bbox')
    with pytest.raises(ValueError, match='mode should be one of'):
        rf.refine(frames[1], BOX1, mode='iou')


@pytest.mark.parametrize('bad', [[10, 10, 0, 20], [10, 10, 20, -1], [np.nan, 10, 20, 20], [400, 10, 20, 20],
                                 [-30, -30, 20, 20], [1, 2, 3], [0, 0, 5 * W, 20], [10, 10, np.inf, 20]])
def test_degenerate_initial_box_is_a_clear_error(net, frames, bad):
    rf = RefineModule(net, device='cpu')
    with pytest.raises(ValueError, match='RefineModule.initialize'):
        rf.initialize(frames[0], np.array(bad, dtype=np.float64))


def test_degenerate_input_box_falls_back_to_last_valid_box(net, frames):
    reference = RefineModule(fixed_net(net), device='cpu')
    reference.initialize(frames[0], BOX0)
    expected = reference.refine(frames[1], BOX0, mode='corner')
    for bad in ([np.nan, 1, 2, 3], [10, 10, 0, 5], [1000, 1000, 10, 10]):
        rf = RefineModule(fixed_net(net), device='cpu')
        rf.initialize(frames[0], BOX0)
        assert np.array_equal(rf.refine(frames[1], np.array(bad, dtype=np.float64), mode='corner'), expected)
    # after a refined frame, the last valid box is the previous output
    rf = RefineModule(fixed_net(net), device='cpu')
    rf.initialize(frames[0], BOX0)
    first = rf.refine(frames[1], BOX0, mode='corner')
    assert np.array_equal(rf.refine(frames[1], np.full(4, np.nan), mode='corner'), reference.refine(frames[1], first, mode='corner'))


def test_degenerate_refined_box_falls_back_to_input_box(net, frames):
    rf = RefineModule(fixed_net(net, corners=(200, 60, 100, 190)), device='cpu')  # x2 < x1
    rf.initialize(frames[0], BOX0)
    assert np.array_equal(rf.refine(frames[1], BOX1, mode='corner'), BOX1)


def test_refine_before_initialize_and_bad_frame(net, frames):
    rf = RefineModule(net, device='cpu')
    with pytest.raises(RuntimeError, match='initialize'):
        rf.refine(frames[1], BOX1)
    with pytest.raises(ValueError, match='RGB uint8'):
        rf.initialize(frames[0].astype(np.float32), BOX0)


def test_loads_from_checkpoint_and_matches_the_module(net, frames, tmp_path):
    path = tmp_path / 'SEcmnet_ep0040.pth.tar'
    save_network_checkpoint(str(path), net, epoch=40, actor_type='SEcm_Actor')
    from_file = RefineModule(str(path), device='cpu')
    from_module = RefineModule(net, device='cpu')
    assert not from_file.refine_network.training and from_file.input_sz == 256
    for rf in (from_file, from_module):
        rf.initialize(frames[0], BOX0)
    assert np.array_equal(from_file.refine(frames[1], BOX1, test=True)['mask'],
                          from_module.refine(frames[1], BOX1, test=True)['mask'])


def test_missing_checkpoint_names_where_the_official_file_goes(tmp_path):
    with pytest.raises(CheckpointError, match='ltr/checkpoints/ltr/SEx_beta/SEcm_r34/SEcmnet_ep0040-c.pth.tar'):
        RefineModule(str(tmp_path / 'SEcmnet_ep0040-c.pth.tar'), device='cpu')


def test_preprocessing_equals_float64_normalisation_cast_to_float32(net):
    rf = RefineModule(net, device='cpu')
    img = np.random.default_rng(3).integers(0, 256, (256, 256, 3), dtype=np.uint8)
    expected = (((img / 255.0) - rf.mean) / rf.std).astype(np.float32).transpose(2, 0, 1)
    out = rf.img_preprocess(img)
    assert out.dtype == torch.float32 and out.shape == (1, 3, 256, 256)
    assert np.array_equal(out[0].numpy(), expected)
