"""Property tests of the box helpers (``ltr/data/bounding_box_utils.py``): IoU symmetry and bounds,
the xywh <-> xyxy / cxcywh round trips, clipping (upstream ``bbox_clip``) idempotent, mask boxes."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import assume, example, given, strategies as st

from ltr.data.bounding_box_utils import (clip_box_xywh, cxcywh_to_xywh, iou_xywh, iou_xywh_inclusive, mask_to_xywh,
                                         overlaps_image, xywh_to_cxcywh, xywh_to_xyxy, xyxy_to_xywh)

coord = st.floats(-2000, 2000, allow_nan=False, allow_infinity=False)
size = st.floats(1e-3, 2000, allow_nan=False, allow_infinity=False)
any_size = st.floats(-50, 2000, allow_nan=False, allow_infinity=False)  # includes negative and zero sizes
pixel_size = st.floats(1, 2000, allow_nan=False, allow_infinity=False)


def box(sizes=size):
    return st.tuples(coord, coord, sizes, sizes).map(lambda b: np.array(b, dtype=np.float64))


def _stack(n=st.integers(1, 6), sizes=size):
    return n.flatmap(lambda k: st.lists(box(sizes), min_size=k, max_size=k)).map(np.stack)


@given(box(any_size), box(any_size))
@example(np.array([0., 0, 10, 10]), np.array([20., 20, 5, 5]))
@example(np.array([1.0, 0.0, 1e-12, 1.0]), np.array([1.0, 0.0, 1e-12, 1.0]))  # found: IoU 1.00018 (x + w - x > w)
def test_iou_is_symmetric_and_in_unit_interval(a, b):
    ab, ba = iou_xywh(a, b), iou_xywh(b, a)
    assert ab == ba
    if a[2] > 0 and a[3] > 0 and b[2] > 0 and b[3] > 0:
        assert 0.0 <= ab <= 1.0 + 1e-12


@given(box())
def test_iou_of_a_box_with_itself_is_one(a):
    assert abs(float(iou_xywh(a, a)) - 1.0) <= 1e-9
    assert abs(float(iou_xywh_inclusive(a, a)) - 1.0) <= 1e-9


@given(_stack(), _stack())
def test_iou_numpy_and_torch_agree_on_stacks(a, b):
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    np_iou = iou_xywh(a, b)
    t_iou = iou_xywh(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    assert np_iou.shape == (n,)
    np.testing.assert_allclose(t_iou, np_iou, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(np_iou, [iou_xywh(x, y) for x, y in zip(a, b)])


@given(box(pixel_size), box(pixel_size))
def test_inclusive_iou_is_symmetric_and_bounded_for_pixel_boxes(a, b):
    """The toolkits' ``calcRectInt`` IoU of boxes at least one pixel wide lies in [0, 1]."""
    ab, ba = iou_xywh_inclusive(a, b), iou_xywh_inclusive(b, a)
    assert ab == ba
    assert 0.0 <= ab <= 1.0 + 1e-12


def _close(x, y, scale):
    np.testing.assert_allclose(x, y, rtol=0, atol=1e-12 * scale)


@given(box(any_size))
def test_xywh_xyxy_and_cxcywh_round_trips(b):
    scale = max(1.0, float(np.abs(b).max()))
    _close(xyxy_to_xywh(xywh_to_xyxy(b)), b, 4 * scale)
    _close(cxcywh_to_xywh(xywh_to_cxcywh(b)), b, 4 * scale)
    x1, y1, x2, y2 = xywh_to_xyxy(b)
    assert (x1, y1) == (b[0], b[1]) and x2 == b[0] + b[2] and y2 == b[1] + b[3]
    tb = torch.from_numpy(b)
    _close(xyxy_to_xywh(xywh_to_xyxy(tb)).numpy(), b, 4 * scale)


@given(_stack(sizes=any_size))
def test_conversions_work_on_stacks_row_by_row(bs):
    np.testing.assert_array_equal(xywh_to_xyxy(bs), np.stack([xywh_to_xyxy(b) for b in bs]))
    np.testing.assert_array_equal(xywh_to_cxcywh(bs), np.stack([xywh_to_cxcywh(b) for b in bs]))


image_hw = st.tuples(st.integers(10, 2000), st.integers(10, 2000))


@given(box(any_size), image_hw, st.sampled_from([0, 1, 10]))
@example(np.array([0.1, 0.2, 1e-3, 1e-3]), (10, 10), 10)
def test_clipping_is_idempotent_and_inside_the_image(b, hw, min_sz):
    H, W = hw
    once = clip_box_xywh(b, hw, min_sz)
    twice = clip_box_xywh(once, hw, min_sz)
    _close(twice, once, max(H, W))
    x1, y1, x2, y2 = once[0], once[1], once[0] + once[2], once[1] + once[3]
    # upstream bbox_clip bounds each corner separately (x1 in [0, W - min_sz], x2 in [min_sz, W]) ...
    assert 0 <= x1 <= W - min_sz and 0 <= y1 <= H - min_sz
    assert min_sz - 1e-9 <= x2 <= W + 1e-9 and min_sz - 1e-9 <= y2 <= H + 1e-9
    # ... so a box inside the image with both sides >= min_sz is unchanged
    if b[0] >= 0 and b[1] >= 0 and b[0] + b[2] <= W and b[1] + b[3] <= H and b[2] >= min_sz and b[3] >= min_sz \
            and b[0] <= W - min_sz and b[1] <= H - min_sz:
        _close(once, b, max(H, W))


@given(image_hw, size, size, st.data())
def test_a_clipped_box_overlapping_the_image_keeps_overlapping(hw, w, h, data):
    H, W = hw
    x = data.draw(st.floats(-w, W, exclude_min=True, exclude_max=True))
    y = data.draw(st.floats(-h, H, exclude_min=True, exclude_max=True))
    b = np.array([x, y, w, h])
    assume(overlaps_image(b, hw))  # rounding of x + w at the edges
    assert overlaps_image(clip_box_xywh(b, hw, 10), hw)


@given(st.integers(1, 40), st.integers(1, 40), st.data())
def test_mask_box_is_the_inclusive_box_of_the_pixels(h, w, data):
    mask = np.zeros((h, w), np.uint8)
    pts = data.draw(st.lists(st.tuples(st.integers(0, h - 1), st.integers(0, w - 1)), max_size=8))
    for y, x in pts:
        mask[y, x] = 255
    out = mask_to_xywh(mask)
    if not pts:
        np.testing.assert_array_equal(out, [0, 0, 0, 0])
        return
    ys, xs = zip(*pts)
    np.testing.assert_array_equal(out, [min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1])
    # the box's pixels cover every set pixel
    x, y, bw, bh = out.astype(int)
    assert mask[y:y + bh, x:x + bw].sum() == mask.sum()
