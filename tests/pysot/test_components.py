"""SiamRPN++ pieces against hand-computed values: anchors, change penalty, cosine window, decoding, crop."""
import math

import numpy as np
import pytest
import torch

from ltr.data.processing_utils import get_subwindow_pysot
from pysot.utils.anchor import Anchors, anchor_grid
from pysot.tracker.siamrpn_tracker import (bbox_clip, change_penalty, convert_bbox, convert_score, cosine_window,
                                           score_size_of)


def test_base_anchors_by_hand():
    # area 64: r=0.33 -> ws=int(sqrt(193.9))=13, hs=int(4.29)=4 -> 104x32; r=0.5 -> 11, 5 -> 88x40;
    # r=1 -> 8x8 -> 64x64; r=2 -> ws=int(sqrt(32))=5, hs=10 -> 40x80; r=3 -> 4, 12 -> 32x96
    a = Anchors(8, [0.33, 0.5, 1, 2, 3], [8]).anchors
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, [[-52, -16, 52, 16], [-44, -20, 44, 20], [-32, -32, 32, 32],
                                      [-20, -40, 20, 40], [-16, -48, 16, 48]])


def test_anchor_grid_order_and_positions():
    assert score_size_of(255, 127, 8, 8) == 25 and score_size_of(831, 127, 8, 8) == 97
    g = anchor_grid(8, [0.33, 0.5, 1, 2, 3], [8], 5)
    assert g.shape == (5 * 25, 4)
    np.testing.assert_array_equal(g[0], [-16, -16, 104, 32])              # anchor 0, row 0, col 0
    np.testing.assert_array_equal(g[1], [-8, -16, 104, 32])               # next column
    np.testing.assert_array_equal(g[5], [-16, -8, 104, 32])               # next row
    np.testing.assert_array_equal(g[2 * 25 + 2 * 5 + 2], [0, 0, 64, 64])  # anchor 2 at the centre
    np.testing.assert_array_equal(g[4 * 25 + 24], [16, 16, 32, 96])


def test_cosine_window_by_hand():
    w = cosine_window(5, 2)  # hanning(5) = [0, .5, 1, .5, 0]
    assert w.shape == (50,)
    np.testing.assert_allclose(w[:25].reshape(5, 5)[2], [0, 0.5, 1, 0.5, 0], atol=1e-12)
    np.testing.assert_allclose(w[:25].reshape(5, 5)[1, 1], 0.25)
    np.testing.assert_array_equal(w[:25], w[25:])


def test_change_penalty_by_hand():
    size, k = np.array([40.0, 20.0]), 0.05
    pw, ph = np.array([40.0, 80.0, 20.0]), np.array([20.0, 40.0, 20.0])
    p = change_penalty(pw, ph, size, 1.0, k)
    # unchanged box -> 1; doubled, same aspect: padded sizes sqrt(140*100)/sqrt(70*50) = 2 -> exp(-(2 - 1) k)
    # 20x20: s_c = sqrt(70*50)/sqrt(40*40) = 59.16/40, r_c = 2 -> exp(-(2 * 1.4790 - 1) k) = 0.90674
    np.testing.assert_allclose(p, [1.0, math.exp(-0.05), math.exp(-(2 * math.sqrt(3500) / 40 - 1) * k)])
    assert abs(p[2] - 0.90674) < 1e-5
    np.testing.assert_allclose(change_penalty(pw * 2, ph * 2, size, 2.0, k), p)  # scale_z maps size into the crop


def test_score_and_box_decoding_by_hand():
    # A = 1 anchor type, a 1 x 2 map: anchors (cx, cy, w, h)
    anchors = np.array([[0, 0, 64, 32], [8, 0, 64, 32]], dtype=np.float32)
    loc = torch.tensor([0.5, -0.25, 0.0, 0.0, math.log(2), 0.0, 0.0, math.log(0.5)]).reshape(1, 4, 1, 2)
    box = convert_bbox(loc, anchors)
    # cx = dx*aw + acx, cy = dy*ah + acy, w = exp(dw)*aw, h = exp(dh)*ah
    np.testing.assert_allclose(box, [[32, -8], [0, 0], [128, 64], [32, 16]], rtol=1e-6)
    cls = torch.tensor([0.0, 0.0, math.log(3), -math.log(3)]).reshape(1, 2, 1, 2)  # bg, bg, fg, fg
    np.testing.assert_allclose(convert_score(cls), [0.75, 0.25], rtol=1e-6)


def test_flat_outputs_index_like_the_anchor_grid():
    a, s = 5, 5
    cls = torch.zeros(1, 2 * a, s, s)
    cls[0, a + 2, 3, 1] = 10.0  # foreground of anchor 2, row 3, column 1
    best = int(np.argmax(convert_score(cls)))
    assert best == 2 * 25 + 3 * 5 + 1
    np.testing.assert_array_equal(anchor_grid(8, [0.33, 0.5, 1, 2, 3], [8], s)[best], [-8, 8, 64, 64])


def test_bbox_clip():
    assert bbox_clip(-5, 130, 4, 500, (120, 160)) == (0, 120, 10, 120)
    assert bbox_clip(50, 60, 30, 20, (120, 160)) == (50, 60, 30, 20)


def _padded_reference(im, pos, model_sz, sz, avg):
    """Independent reference: pad the whole image with the (truncated) mean, slice, resize."""
    import cv2
    pad = 200  # more than any test crop reaches outside
    canvas = np.empty((im.shape[0] + 2 * pad, im.shape[1] + 2 * pad, 3), np.uint8)
    canvas[...] = np.array(avg).astype(np.uint8)
    canvas[pad:pad + im.shape[0], pad:pad + im.shape[1]] = im
    x0 = int(math.floor(pos[0] - (sz + 1) / 2 + 0.5)) + pad
    y0 = int(math.floor(pos[1] - (sz + 1) / 2 + 0.5)) + pad
    patch = canvas[y0:y0 + sz, x0:x0 + sz]
    return patch if model_sz == sz else cv2.resize(patch, (model_sz, model_sz))


def test_pysot_crop_by_hand_and_against_a_padded_reference():
    im = np.arange(5 * 6 * 3, dtype=np.uint8).reshape(5, 6, 3)
    # pos (2.5, 2), size 3: c = 2, xmin = floor(2.5 - 2 + 0.5) = 1, ymin = floor(0.5) = 0
    np.testing.assert_array_equal(get_subwindow_pysot(im, (2.5, 2.0), 3, 3, [0, 0, 0]), im[0:3, 1:4])
    # pos (0, 0): xmin = ymin = floor(-1.5) = -2, only pixel (0, 0) is inside; padding = int(mean)
    p = get_subwindow_pysot(im, (0.0, 0.0), 3, 3, [10.7, 20.2, 30.9])
    np.testing.assert_array_equal(p[2, 2], im[0, 0])
    np.testing.assert_array_equal(p[0, 0], [10, 20, 30])
    rng = np.random.default_rng(0)
    im = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    avg = im.mean(axis=(0, 1))
    for pos, sz in [((25.3, 20.7), 31), ((2.0, 3.5), 40), ((48.9, 39.5), 17), ((100.0, -30.0), 12), ((25, 20), 80)]:
        for model_sz in (sz, 24):
            np.testing.assert_array_equal(get_subwindow_pysot(im, pos, model_sz, sz, avg),
                                          _padded_reference(im, pos, model_sz, sz, avg))
    with pytest.raises(ValueError, match='original_sz'):
        get_subwindow_pysot(im, (10, 10), 24, 12.5, avg)
