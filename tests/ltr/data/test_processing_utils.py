"""The Alpha-Refine crop convention (``*_SE``): hand-computed crops, box maps, mask map-back, mask2bbox."""
import cv2
import numpy as np
import pytest
import torch

from ltr.data.processing_utils import (binarize_mask, crop_window_SE, map_box_back_SE, map_mask_back, mask2bbox,
                                       sample_target_SE, transform_image_to_crop_SE)


def coded_image(h=20, w=30):
    """Pixel (r, c) holds r * 1000 + c + 1 (never 0, so padding is recognisable)."""
    r, c = np.mgrid[0:h, 0:w]
    return (r * 1000 + c + 1).astype(np.float64)


# ---- crop geometry ---------------------------------------------------------------------------

def test_crop_inside_uses_ceil_and_round():
    # ws = ceil(2 * 4.4) = 9, x1 = round(10.3 + 2.2 - 4.5) = 8; hs = ceil(6.2) = 7, y1 = round(3.25) = 3
    win = crop_window_SE([10.3, 5.2, 4.4, 3.1], 2.0, (20, 30))
    assert (win.x1, win.y1, win.ws, win.hs) == (8, 3, 9, 7)
    assert (win.x1_pad, win.x2_pad, win.y1_pad, win.y2_pad) == (0, 0, 0, 0)
    im = coded_image()
    crop, h_f, w_f = sample_target_SE(im, [10.3, 5.2, 4.4, 3.1], 2.0, None)
    assert np.array_equal(crop, im[3:10, 8:17]) and (h_f, w_f) == (1.0, 1.0)


def test_crop_origin_uses_bankers_rounding():
    # x + w/2 - ws/2: 4.5 + 2 - 4 = 2.5 -> 2 (round half to even); 5.5 + 2 - 4 = 3.5 -> 4
    assert crop_window_SE([4.5, 0.5, 4, 4], 2.0, (50, 50))[:2] == (2, -2)
    assert crop_window_SE([5.5, 1.5, 4, 4], 2.0, (50, 50))[:2] == (4, 0)


def test_crop_touching_right_border_drops_last_column():
    # box [24.6, 4, 3, 3]: ws = 6, x1 = round(26.1 - 3) = 23, x2 = 29 = W - 1 -> x2_pad = 0: columns
    # 23..28 of a 30-wide image; rows: y1 = round(5.5 - 3) = 2 (half to even)
    im = coded_image()
    crop, _, _ = sample_target_SE(im, [24.6, 4, 3, 3], 2.0, None)
    assert np.array_equal(crop, im[2:8, 23:29])
    # box [26, 4, 3, 3]: x1 = round(24.5) = 24, x2 = 30 = W: x2_pad = 1, image column 29 becomes a zero pad
    win = crop_window_SE([26, 4, 3, 3], 2.0, (20, 30))
    assert (win.x1, win.ws, win.x2_pad) == (24, 6, 1)
    crop, _, _ = sample_target_SE(im, [26, 4, 3, 3], 2.0, None)
    assert crop.shape == (6, 6)
    assert np.array_equal(crop[:, :5], im[2:8, 24:29]) and np.all(crop[:, 5] == 0)


def test_crop_crossing_borders_pads_with_zero():
    # box [-3, 16, 6, 6]: ws = hs = 12, x1 = round(0 - 6) = -6, y1 = round(19 - 6) = 13, y2 = 25
    im = coded_image()
    win = crop_window_SE([-3, 16, 6, 6], 2.0, (20, 30))
    assert win == (-6, 13, 12, 12, 6, 0, 0, 6)  # y2_pad = 25 - 20 + 1 = 6 (one more than outside)
    crop, _, _ = sample_target_SE(im, [-3, 16, 6, 6], 2.0, None)
    assert crop.shape == (12, 12)
    assert np.all(crop[:, :6] == 0) and np.all(crop[6:, :] == 0)
    assert np.array_equal(crop[:6, 6:], im[13:19, 0:6])  # row 19 (last image row) dropped


def test_crop_fully_outside_is_all_padding():
    crop, h_f, w_f = sample_target_SE(np.full((20, 30, 3), 9, np.uint8), [100, 100, 5, 4], 2.0, 16)
    assert crop.shape == (16, 16, 3) and not crop.any()
    assert (h_f, w_f) == (16 / 8, 16 / 10)


def test_crop_resize_factors_and_aspect_not_kept():
    im = np.zeros((100, 100, 3), np.uint8)
    crop, h_f, w_f = sample_target_SE(im, [20, 30, 30.2, 10], 2.0, 256)
    assert crop.shape == (256, 256, 3) and crop.dtype == np.uint8
    assert w_f == 256 / 61 and h_f == 256 / 20


def test_too_small_or_nan_box_is_a_clear_error():
    with pytest.raises(ValueError, match='too small'):
        crop_window_SE([5, 5, 0, 3], 2.0, (20, 20))
    with pytest.raises(ValueError, match='finite'):
        crop_window_SE([5, np.nan, 2, 3], 2.0, (20, 20))


def test_mask_is_cropped_with_the_image_geometry():
    rng = np.random.default_rng(0)
    mask = rng.random((40, 50)) > 0.5
    im = rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)
    im[..., 1] = mask * 255  # channel 1 carries the mask: both crops must agree pixel for pixel
    box = [35.3, -2.4, 12.1, 9.7]  # crosses the top and right borders
    crop_im, hf1, wf1 = sample_target_SE(im, box, 2.0, None)
    crop_mask, hf2, wf2 = sample_target_SE(mask, box, 2.0, None)
    assert crop_mask.ndim == 2 and crop_mask.dtype == np.uint8
    assert np.array_equal(crop_mask * 255, crop_im[..., 1]) and (hf1, wf1) == (hf2, wf2)
    rs_im, _, _ = sample_target_SE(im, box, 2.0, 64)
    rs_mask, hf3, wf3 = sample_target_SE(mask.astype(np.uint8), box, 2.0, 64)
    assert rs_mask.shape == (64, 64) and set(np.unique(rs_mask)) <= {0, 1}
    assert (hf3, wf3) == (64 / crop_im.shape[0], 64 / crop_im.shape[1])
    assert rs_im.shape == (64, 64, 3)


# ---- boxes into the crop and back ----------------------------------------------------------------

def test_own_box_lands_in_the_centre_of_its_crop():
    box = np.array([10.0, 20.0, 30.0, 40.0])  # ws = 60, hs = 80: exact factors
    out = transform_image_to_crop_SE(box, box, 256 / 80, 256 / 60, 256)
    assert np.allclose(out, [63.5, 63.5, 128, 128])
    out_t = transform_image_to_crop_SE(torch.tensor(box), torch.tensor(box), 256 / 80, 256 / 60, torch.tensor([256., 256.]))
    assert isinstance(out_t, torch.Tensor) and torch.allclose(out_t, torch.tensor([63.5, 63.5, 128, 128], dtype=out_t.dtype))


def test_box_into_crop_is_clamped_to_the_crop():
    extract = np.array([10.0, 20.0, 30.0, 40.0])
    shifted = np.array([-20.0, 20.0, 30.0, 40.0])  # 30 px left: centre x = 127.5 - 30 * 256/60 = -0.5
    out = transform_image_to_crop_SE(shifted, extract, 256 / 80, 256 / 60, 256)
    # x1 = -0.5 - 64 -> clamped to 0, x2 = 63.5
    assert np.allclose(out, [0.0, 63.5, 63.5, 128.0])


def test_map_back_reproduces_the_upstream_offset():
    # exact case: 2w and 2h integer -> back-mapped x = x - w/256, w unchanged
    box = np.array([10.0, 20.0, 30.0, 40.0])
    crop_box = transform_image_to_crop_SE(box, box, 256 / 80, 256 / 60, 256)
    back = map_box_back_SE(crop_box, box, 256 / 80, 256 / 60, 2.0)
    assert np.allclose(back, [10 - 30 / 256, 20 - 40 / 256, 30, 40])


def test_map_back_offset_bound_on_random_boxes():
    rng = np.random.default_rng(1)
    for _ in range(200):
        x, y = rng.uniform(-50, 500, 2)
        w, h = rng.uniform(3, 300, 2)
        box = np.array([x, y, w, h])
        ws, hs = np.ceil(2 * w), np.ceil(2 * h)
        crop_box = transform_image_to_crop_SE(box, box, 256 / hs, 256 / ws, 256)
        back = map_box_back_SE(crop_box, box, 256 / hs, 256 / ws, 2.0)
        # offset -w/256 plus at most (ceil(2w) - 2w) * 127.5/256 < 0.5 px from the ceil
        assert -w / 256 - 1e-9 <= back[0] - x <= -w / 256 + 0.5 and -h / 256 - 1e-9 <= back[1] - y <= -h / 256 + 0.5
        assert np.allclose(back[2:], [w, h])


# ---- masks back to the image and boxes of masks ---------------------------------------------------

def test_map_mask_back_inverts_the_crop_inside_the_frame():
    H, W = 40, 60
    mask = np.zeros((H, W))
    mask[10:20, 25:40] = 1.0
    box = [24.0, 8.0, 16.0, 14.0]  # ws = 32, hs = 28, crop fully inside the frame
    crop, _, _ = sample_target_SE(mask, box, 2.0, None)
    back = map_mask_back((H, W), box, 2.0, crop)
    win = crop_window_SE(box, 2.0, (H, W))
    inside = np.zeros((H, W), bool)
    inside[win.y1:win.y1 + win.hs, win.x1:win.x1 + win.ws] = True
    assert np.array_equal(back[inside], mask[inside]) and not back[~inside].any()


def test_map_mask_back_crossing_border_and_outside():
    frame = np.zeros((20, 30, 3), np.uint8)
    back = map_mask_back(frame, [-3, 16, 6, 6], 2.0, np.ones((64, 64)))
    assert back.shape == (20, 30) and back.dtype == np.float64
    assert np.array_equal(np.argwhere(back > 0).min(0), [13, 0]) and np.array_equal(np.argwhere(back > 0).max(0), [19, 5])
    assert not map_mask_back(frame, [100, 100, 4, 4], 2.0, np.ones((8, 8))).any()


def test_mask2bbox_takes_largest_contour_bounding_rect():
    mask = np.zeros((60, 80))
    mask[5:17, 3:14] = 0.9     # 11 wide x 12 high: contour area 10 * 11 = 110 > 100
    mask[30:50, 40:70] = 0.7   # larger blob wins
    mask[55, 0] = 1.0
    assert np.array_equal(mask2bbox(mask, [1, 2, 3, 4]), [40, 30, 30, 20])
    mask[30:50, 40:70] = 0.4   # below the threshold now
    box = mask2bbox(mask, [1, 2, 3, 4])
    assert box.dtype == np.float64 and np.array_equal(box, [3, 5, 11, 12])


def test_mask2bbox_area_must_exceed_100_else_fallback():
    mask = np.zeros((40, 40))
    mask[5:16, 5:16] = 1.0  # 11 x 11 pixels -> contour area 10 * 10 = 100, not > 100
    assert np.array_equal(mask2bbox(mask, np.array([1.5, 2, 3, 4])), [1.5, 2, 3, 4])
    assert np.array_equal(mask2bbox(np.zeros((10, 10)), [1, 2, 3, 4]), [1, 2, 3, 4])
    assert cv2.contourArea(np.array([[5, 5], [15, 5], [15, 15], [5, 15]], np.int32)) == 100


def test_binarize_mask():
    assert np.array_equal(binarize_mask(np.array([[0.2, 0.5, 0.51]])), [[0, 0, 1]])
    assert binarize_mask(np.array([0.7]), 0.8).dtype == np.uint8
