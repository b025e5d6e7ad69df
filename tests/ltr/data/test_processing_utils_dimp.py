"""The DiMP/ATOM training conventions of ``ltr.data.processing_utils``: crops, box maps, proposals, label
functions and Gaussian-mixture proposal densities against hand-computed values."""
import math
import random

import numpy as np
import pytest
import torch

from ltr.data.processing_utils import (adaptive_crop_box, gaussian_label_function, iou, jittered_center_crop,
                                       perturb_box, sample_box_gmm, sample_target, sample_target_adaptive,
                                       target_image_crop, transform_box_to_crop, transform_image_to_crop)


def coded_image(h=20, w=30):
    """Pixel (r, c) holds r * 1000 + c + 1, three equal channels (float64, so no resize rounding)."""
    r, c = np.mgrid[0:h, 0:w]
    return np.repeat((r * 1000 + c + 1).astype(np.float64)[..., None], 3, axis=2)


# ---- ATOM crop -------------------------------------------------------------------------------

def test_atom_crop_is_square_of_sqrt_area_with_bankers_rounding():
    # side = ceil(sqrt(4 * 2.25) * 2.5) = ceil(7.5) = 8; x1 = round(10.5 + 2 - 4) = round(8.5) = 8 (to even),
    # y1 = round(5.5 + 1.125 - 4) = round(2.625) = 3
    im = coded_image()
    crop, factor = sample_target(im, torch.tensor([10.5, 5.5, 4.0, 2.25]), 2.5)
    assert factor == 1.0 and np.array_equal(crop, im[3:11, 8:16])
    # x1 = round(11.5 + 2 - 4) = round(9.5) = 10
    crop, _ = sample_target(im, torch.tensor([11.5, 5.5, 4.0, 2.25]), 2.5)
    assert np.array_equal(crop, im[3:11, 10:18])
    _, factor = sample_target(im, torch.tensor([10.5, 5.5, 4.0, 2.25]), 2.5, output_sz=32)
    assert factor == 32 / 8


def test_atom_crop_replicates_borders_and_keeps_the_right_pad_quirk():
    im = coded_image()
    # left/top: x1 = y1 = round(2 - 4) = -2: two replicated columns/rows of the first ones
    crop, _ = sample_target(im, torch.tensor([0., 0., 4., 4.]), 2.0)
    assert np.array_equal(crop[2:, 2:], im[0:6, 0:6])
    assert np.array_equal(crop[2:, 0], im[0:6, 0]) and np.array_equal(crop[0, 2:], im[0, 0:6])
    # right: x1 = 24, x2 = 32 > W = 30, pad = 32 - 30 + 1 = 3: columns 24..28 then column 28 three times
    crop, _ = sample_target(im, torch.tensor([26., 5., 4., 4.]), 2.0)
    assert np.array_equal(crop[:, :5], im[3:11, 24:29])
    assert all(np.array_equal(crop[:, 5 + k], im[3:11, 28]) for k in range(3))


def test_atom_box_map_centres_at_half_pixel_and_scales():
    # centre_in (25, 40), centre_extract (27, 42), factor 2, crop 100: (49.5 - 4, 49.5 - 4) - size/2
    out = transform_image_to_crop(torch.tensor([10., 20., 30., 40.]), torch.tensor([12., 22., 30., 40.]), 2.0,
                                  torch.tensor([100., 100.]))
    assert torch.allclose(out, torch.tensor([45.5 - 30, 45.5 - 40, 60., 80.]))


def test_jittered_center_crop_maps_the_extract_box_to_the_crop_centre():
    frames = [coded_image(60, 80)]
    box = torch.tensor([30., 20., 10., 10.])
    crops, boxes = jittered_center_crop(frames, [box], [box], 5.0, 50)
    assert crops[0].shape == (50, 50, 3)
    # side 50 = output 50: factor 1, centre at (50 - 1) / 2
    assert torch.allclose(boxes[0], torch.tensor([24.5 - 5, 24.5 - 5, 10., 10.]))


# ---- DiMP crop -------------------------------------------------------------------------------

@pytest.mark.parametrize('box,im_hw,mode,max_change,expected', [
    ([40, 30, 10, 10], (100, 200), 'replicate', None, (20, 10, 50, 50)),      # side ceil(50 * 0.2 * 5) = 50
    ([0, 0, 10, 10], (100, 200), 'replicate', None, (0, 0, 50, 50)),          # moved inside (every mode)
    ([20, 15, 10, 10], (40, 60), 'replicate', None, (0, -5, 50, 50)),         # taller than the image: centred
    ([20, 15, 10, 10], (40, 60), 'inside', None, (5, 0, 40, 40)),             # shrunk by max(50/60, 50/40)
    ([20, 15, 10, 10], (40, 60), 'inside_major', None, (0, -5, 50, 50)),      # min(...) < 1: kept
    ([20, 15, 10, 10], (40, 60), 'inside', 1.1, (2, -2, 45, 45)),             # shrink capped at 1.1: floor(45.45)
])
def test_dimp_crop_region(box, im_hw, mode, max_change, expected):
    assert adaptive_crop_box(torch.tensor(box, dtype=torch.float32), im_hw, 5.0, 50, mode, max_change) == expected


def test_dimp_crop_pixels_and_box_map():
    im = coded_image(100, 200)
    crop, crop_box = sample_target_adaptive(im, torch.tensor([40., 30., 10., 10.]), 5.0, 50)
    assert crop_box.tolist() == [20, 10, 50, 50] and np.array_equal(crop, im[10:60, 20:70])
    # box (30, 20) relative to the crop origin (20, 10), crop 50 px resized to 100: factor 2
    assert transform_box_to_crop(torch.tensor([30., 20., 10., 10.]), crop_box, torch.tensor([100., 100.])).tolist() \
        == [20., 20., 20., 20.]
    crops, boxes = target_image_crop([im], [torch.tensor([40., 30., 10., 10.])], [torch.tensor([41., 30., 10., 12.])],
                                     5.0, 100)
    assert crops[0].shape == (100, 100, 3) and boxes[0].tolist() == [42., 40., 20., 24.]


# ---- IoU-Net proposals -----------------------------------------------------------------------

def test_iou_by_hand():
    ref = torch.tensor([[0., 0., 10., 10.]])
    props = torch.tensor([[0., 0., 10., 10.], [5., 0., 10., 10.], [20., 20., 5., 5.], [0., 0., 5., 5.]])
    assert torch.allclose(iou(ref, props), torch.tensor([1.0, 50 / 150, 0.0, 0.25]))


def test_perturb_box_draws_gaussian_noise_scaled_by_sqrt_area_and_rounds():
    box = torch.tensor([10., 20., 40., 30.])
    random.seed(7)
    proposal, box_iou = perturb_box(box, min_iou=0.0, sigma_factor=0.1)
    g = random.Random(7)
    z = [g.gauss(0, 1) for _ in range(4)]
    s = math.sqrt(40 * 30) * 0.1
    w, h = 40 + z[2] * s, 30 + z[3] * s
    expected = torch.tensor([30 + z[0] * s - w / 2, 35 + z[1] * s - h / 2, w, h]).round()
    assert torch.equal(proposal, expected)
    x1, y1 = max(10., expected[0].item()), max(20., expected[1].item())
    x2, y2 = min(50., (expected[0] + expected[2]).item()), min(50., (expected[1] + expected[3]).item())
    inter = max(x2 - x1, 0) * max(y2 - y1, 0)
    assert box_iou.item() == pytest.approx(inter / (1200 + expected[2].item() * expected[3].item() - inter), rel=1e-6)


def test_perturb_box_respects_min_iou_and_a_tiny_sigma_returns_the_box():
    random.seed(0)
    torch.manual_seed(0)
    box = torch.tensor([10., 20., 40., 30.])
    for _ in range(50):
        _, box_iou = perturb_box(box, min_iou=0.1, sigma_factor=[0.01, 0.05, 0.1, 0.2, 0.3])
        assert box_iou.item() > 0.1
    proposal, box_iou = perturb_box(box, min_iou=0.5, sigma_factor=1e-6)
    assert torch.equal(proposal, box) and box_iou.item() == 1.0


def _normal(x, std):
    return math.exp(-0.5 * (x / std) ** 2) / (math.sqrt(2 * math.pi) * std)


def test_gmm_proposals_and_their_densities():
    torch.manual_seed(3)
    mean = torch.tensor([100., 50., 40., 20.])
    sigmas, gt_sigma = [(0.05, 0.05), (0.5, 0.5)], (0.05, 0.05)
    proposals, density, gt_density = sample_box_gmm(mean, sigmas, gt_sigma=gt_sigma, num_samples=6)
    assert proposals.shape == (6, 4) and density.shape == gt_density.shape == (6,)
    for p, d, g in zip(proposals.tolist(), density.tolist(), gt_density.tolist()):
        # offsets in the relative box space of the mean box: centre / mean size, log size ratio
        rel = [(p[0] + p[2] / 2 - 120) / 40, (p[1] + p[3] / 2 - 60) / 20, math.log(p[2] / 40), math.log(p[3] / 20)]
        mix = sum(math.prod(_normal(r, s[0] if i < 2 else s[1]) for i, r in enumerate(rel)) for s in sigmas) / 2
        assert d == pytest.approx(mix, rel=1e-4)
        assert g == pytest.approx(math.prod(_normal(r, 0.05) for r in rel), rel=1e-4)
    # add_mean_box prepends the mean box with densities -1 (proposal) and 1 (ground truth); gt_sigma 0: zeros
    p, d, g = sample_box_gmm(mean, [(0.05, 0.05)], gt_sigma=(0, 0), num_samples=2, add_mean_box=True)
    assert torch.equal(p[0], mean) and d[0].item() == -1 and g.tolist() == [1.0, 0.0, 0.0]


# ---- label functions ------------------------------------------------------------------------------

def test_gaussian_label_of_an_even_filter_by_hand():
    # feat 4, kernel 4: grid k = -1.5 .. 2.5 (one extra cell at the end), centre shifted by half a cell;
    # sigma = 0.25 * 4 = 1 cell. A box centred in the 64 px image peaks at k = 0.5 (index 2).
    label = gaussian_label_function(torch.tensor([[22., 22., 20., 20.]]), 0.25, 4, 4, 64)
    assert label.shape == (1, 5, 5)
    k = torch.tensor([-1.5, -0.5, 0.5, 1.5, 2.5])
    g = torch.exp(-0.5 * (k - 0.5) ** 2)
    assert torch.allclose(label[0], g[:, None] * g[None, :])
    # centre x = 48: 4 * (48 - 32) / 64 + 0.5 = 1.5 -> peak column 3, row 2
    label = gaussian_label_function(torch.tensor([[38., 22., 20., 20.]]), 0.25, 4, 4, 64)
    assert divmod(int(label[0].argmax()), 5) == (2, 3)


def test_gaussian_label_of_an_odd_filter_and_the_density_form():
    label = gaussian_label_function(torch.tensor([[22., 22., 20., 20.]]), 0.25, 1, 4, 64)
    assert label.shape == (1, 4, 4)  # odd kernel: no end pad, no shift; peak between cells 1 and 2
    k = torch.tensor([-1.5, -0.5, 0.5, 1.5])
    assert torch.allclose(label[0], torch.exp(-0.5 * k ** 2)[:, None] * torch.exp(-0.5 * k ** 2)[None, :])
    density = gaussian_label_function(torch.tensor([[22., 22., 20., 20.]]), 0.25, 4, 4, 64, density=True, uni_bias=0.1)
    plain = gaussian_label_function(torch.tensor([[22., 22., 20., 20.]]), 0.25, 4, 4, 64)
    assert torch.allclose(density, 0.9 * plain / (2 * math.pi) + 0.1 / 25)
