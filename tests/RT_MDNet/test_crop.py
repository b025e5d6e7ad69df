"""RT-MDNet's crop convention (ltr/data/processing_utils.py, "RT-MDNet family") on hand-computed cases."""
import numpy as np
import pytest
import torch

from ltr.data.processing_utils import rtmdnet_axis_samples, rtmdnet_crop_image, rtmdnet_sample_rois


def test_axis_samples_follow_the_upstream_kernel():
    # roi 0..4 (length 5), 5 samples: step 5/4 -> 0, 1.25, 2.5, 3.75, 5.0 (5.0 is outside a side of 5)
    lo, w0, w1 = rtmdnet_axis_samples(0, 4, 5, 5)
    assert lo.tolist() == [0, 1, 2, 3, 3]
    assert torch.allclose(w0, torch.tensor([1.0, 0.75, 0.5, 0.25, 0.0]))
    assert torch.allclose(w1, torch.tensor([0.0, 0.25, 0.5, 0.75, 0.0]))
    # the last cell extrapolates (lo clamped to size - 2, r > 1), negative positions are zero
    lo, w0, w1 = rtmdnet_axis_samples(-1.5, 3.5, 3, 5)  # positions -1.5, 1.5, 4.5
    assert lo.tolist() == [0, 1, 3]
    assert torch.allclose(w0, torch.tensor([0.0, 0.5, -0.5])) and torch.allclose(w1, torch.tensor([0.0, 0.5, 1.5]))
    with pytest.raises(ValueError, match='at least 2 samples'):
        rtmdnet_axis_samples(0, 4, 1, 5)


def test_crop_image_hand_computed():
    img = np.zeros((5, 6, 3), dtype=np.uint8)
    img[..., 0] = np.arange(30, dtype=np.uint8).reshape(5, 6) * 3
    img[..., 2] = 7
    crop = rtmdnet_crop_image(img, [0, 0, 5, 4], (7.9, 5))  # int(7.9) = 7 columns
    assert crop.shape == (1, 3, 5, 7) and crop.dtype == torch.float32
    red = crop[0, 0].numpy()
    # x samples 0..6 (step (5 + 1) / 6 = 1), y samples 0, 1.25, 2.5, 3.75, 5 (step 5 / 4)
    assert red[0, :6].tolist() == [0, 3, 6, 9, 12, 15] and red[0, 6] == 0  # x = 6 is outside
    # y = 1.25: rows 1 (18 at x = 0) and 2 (36): 0.75 * 18 + 0.25 * 36
    assert red[1, 0] == pytest.approx(22.5) and red[1, 1] == pytest.approx(25.5)
    assert np.all(red[4] == 0)  # y = 5 is outside
    assert np.all(crop[0, 2, :4, :6].numpy() == pytest.approx(7.0))  # a constant channel stays constant
    assert np.all(crop[0, 1].numpy() == 0)


def test_crop_with_unit_step_is_the_image():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(9, 11, 3), dtype=np.uint8)
    # box w = W - 2 with W samples: step (w + 1) / (W - 1) = 1, positions 0..W-1: the image itself
    crop = rtmdnet_crop_image(img, [0, 0, 9, 7], (11, 9))
    assert np.array_equal(crop[0].permute(1, 2, 0).numpy(), img.astype(np.float32))


def test_sample_rois_hand_computed():
    # sample (10, 20, 40, 20) in a crop with 2 crop px per image px, padding 1.2, receptive field 75
    rois = rtmdnet_sample_rois(np.array([[10.0, 20.0, 40.0, 20.0]]), 75.0, (107.0, 107.0), (53.5, 53.5), 1.2)
    # padded: x1 = 10 - 4 = 6, y1 = 20 - 2 = 18, x2 = 50 + 4 = 54, y2 = 40 + 2 = 42 ; scaled x2: 108 - 75 = 33
    assert rois == pytest.approx(np.array([[12.0, 36.0, 33.0, 37.0]]))  # y2 = 84 - 75 = 9 < y1 + 1 -> 37
