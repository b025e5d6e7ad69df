"""RefineModule.mask_frame, the VOT2020 step (upstream refine_module_vot20): the mask branch alone, the box kept."""
import cv2
import numpy as np
import pytest
import torch

from ltr.data.processing_utils import map_mask_back, sample_target_SE
from ltr.models.SEx_beta.SEcm_r34 import SEcm_resnet18
from pytracking.refine_modules.refine_module import RefineModule

H, W = 120, 160
BOX0 = np.array([50.0, 40.0, 30.0, 20.0])
BOX1 = np.array([53.0, 42.0, 29.0, 21.0])

pytestmark = pytest.mark.usefixtures('one_torch_thread')  # tests/conftest.py


@pytest.fixture(scope='module')
def net():
    torch.manual_seed(0)
    return SEcm_resnet18(backbone_pretrained=False, used_layers=['layer3'], unfreeze_layer3=True, input_sz=128).eval()


@pytest.fixture(scope='module')
def frames():
    rng = np.random.default_rng(0)
    background = cv2.GaussianBlur(rng.integers(0, 256, (H, W, 3)).astype(np.uint8), (5, 5), 1.5)
    second = background.copy()
    background[40:60, 50:80] = (220, 40, 40)
    second[42:63, 53:82] = (220, 40, 40)
    return background, second


@pytest.mark.parametrize('fast', [True, False])
def test_mask_frame_runs_the_mask_branch_alone_and_keeps_the_box(net, frames, fast):
    rf = RefineModule(net, device='cpu', fast=fast, backend='torch')
    rf.initialize(frames[0], BOX0)
    passes = []
    original = rf._run_search_branch
    rf._run_search_branch = lambda images, branches: passes.append(list(branches)) or original(images, branches)
    result = rf.mask_frame(frames[1], BOX1)
    assert passes == [['mask']]  # upstream refine_module_vot20: forward_test(..., branches=['mask'])
    assert result.fallback is None and np.array_equal(result.box, BOX1)
    assert result.mask.shape == (H, W) and result.mask.dtype == np.float64
    assert np.all((result.mask >= 0) & (result.mask <= 1))


def test_mask_frame_is_the_full_frame_map_of_the_network_mask(net, frames):
    rf = RefineModule(net, device='cpu', fast=False, backend='torch')
    rf.initialize(frames[0], BOX0)
    crop = sample_target_SE(frames[1], BOX1, rf.search_factor, rf.input_sz, mode=cv2.BORDER_CONSTANT)[0]
    with torch.inference_mode():
        crop_mask = rf._run_search_branch(rf._network_input([crop]), ['mask'])['mask'][0]
    expected = map_mask_back(frames[1], BOX1, rf.search_factor, crop_mask)  # upstream map_mask_back
    np.testing.assert_array_equal(rf.mask_frame(frames[1], BOX1).mask, expected)
    # the same map as get_mask and as the mask refine_frame computes next to the refined box
    np.testing.assert_array_equal(rf.get_mask(frames[1], BOX1), expected)
    np.testing.assert_array_equal(rf.refine_frame(frames[1], BOX1, with_mask=True).mask, expected)


def test_mask_frame_reports_an_unusable_box_and_keeps_no_memory(net, frames):
    rf = RefineModule(net, device='cpu')
    rf.initialize(frames[0], BOX0)
    outside = rf.mask_frame(frames[1], [W + 5, 10, 20, 20])
    assert outside.fallback.startswith('input box') and outside.mask is None
    assert np.array_equal(rf._last_valid_box, BOX0)


def test_mask_frame_needs_a_mask_head_and_an_initialised_refiner(net, frames):
    rf = RefineModule(net, device='cpu')
    with pytest.raises(RuntimeError, match='initialize'):
        rf.mask_frame(frames[1], BOX1)
    rf.heads = ('corner',)
    with pytest.raises(ValueError, match='mask head'):
        rf.mask_frame(frames[1], BOX1)
