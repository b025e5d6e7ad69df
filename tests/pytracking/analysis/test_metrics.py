"""Official LaSOT-toolkit and pysot conventions on hand-computed cases, and a cross-check with got10k."""
import numpy as np
import pytest

from ltr.data.bounding_box_utils import iou_xywh_inclusive
from pytracking.analysis.metrics import (MATLAB_EPS, THRESHOLDS, evaluate_sequences, frame_errors, got10k_scores,
                                         matlab_colon, repair_official)


def one(gt, pred, vis=None, convention='official'):
    return evaluate_sequences(['s'], [np.asarray(gt, float)], [np.asarray(pred, float)], [vis], convention)


def test_inclusive_iou_hand_cases():
    # 10x10 boxes shifted by 5 px: inter 5*10 = 50, union 150
    assert iou_xywh_inclusive(np.array([0, 0, 10, 10.]), np.array([5, 0, 10, 10.])) == pytest.approx(1 / 3)
    # 1-px boxes: identical -> 1, adjacent -> 0 (inclusive corners: right = x + w - 1)
    assert iou_xywh_inclusive(np.array([3, 3, 1, 1.]), np.array([3, 3, 1, 1.])) == 1.0
    assert iou_xywh_inclusive(np.array([3, 3, 1, 1.]), np.array([4, 3, 1, 1.])) == 0.0


def test_matlab_colon_thresholds():
    t = matlab_colon(0, 0.05, 1)
    assert t.size == 21 and t[0] == 0 and t[-1] == 1.0 and t[10] == 0.5
    assert THRESHOLDS['official'][2][20] == 0.2 and THRESHOLDS['official'][1][20] == 20


def test_exact_threshold_hits():
    gt = [[10, 10, 10, 10]] * 2
    # frame 2: IoU exactly 0.5 (shift 10x10 box to overlap 2/3 of width: inter 20*... use 20-wide)
    gt = [[10, 10, 20, 10], [10, 10, 20, 10]]
    pred = [[10, 10, 20, 10], [10, 10, 10, 10]]  # IoU 100/200 = 0.5
    c = one(gt, pred)
    # IoU > t: 0.5 counts for t < 0.5 only; frame 1 (GT) counts everywhere but t = 1
    assert c.success[0, 9] == pytest.approx(2 / (2 + MATLAB_EPS))
    assert c.success[0, 10] == pytest.approx(1 / (2 + MATLAB_EPS))
    assert c.success[0, 20] == 0.0
    # centre error exactly 5 px: success from the 5 px threshold on (error <= t)
    assert c.precision[0, 4] == pytest.approx(1 / 2) and c.precision[0, 5] == pytest.approx(2 / 2)


def test_first_frame_replaced_by_gt_and_nan_rows_repaired():
    gt = np.array([[0.5, 1, 10, 10], [1, 1, 10, 10], [1, 1, 10, 10], [1, 1, 10, 10]])
    pred = np.array([[50, 50, 10, 10], [1, 1, 10, 10], [np.nan, 1, 10, 10], [1, 1, 0, 10]])
    rep = repair_official(pred, gt, np.array([0]))
    assert np.array_equal(rep[0], gt[0])
    assert np.array_equal(rep[2], pred[1]) and np.array_equal(rep[3], pred[1])  # previous repaired row
    # a bad second row takes the ORIGINAL first prediction (the toolkit repairs before replacing frame 1)
    rep2 = repair_official(np.array([[50, 50, 10, 10], [0, 0, -1, 5.]]), gt[:2], np.array([0]))
    assert np.array_equal(rep2[1], [50, 50, 10, 10])
    # gt[0] has x = 0.5 > 0 so all four frames are valid; every repaired frame matches perfectly
    c = one(gt, pred)
    assert c.success[0, 19] == pytest.approx(4 / (4 + MATLAB_EPS))


def test_absent_frames_removed_but_denominator_is_full_length():
    gt = [[1, 1, 10, 10]] * 4
    pred = [[1, 1, 10, 10], [1, 1, 10, 10], [200, 200, 10, 10], [200, 200, 10, 10]]
    vis = np.array([True, True, False, False])
    c = one(gt, pred, vis)
    assert c.success[0, 0] == pytest.approx(2 / 4)  # absent misses are not counted as failures ... or successes
    assert c.precision[0, 20] == pytest.approx(2 / 4)


def test_zero_size_gt_fails_success_passes_precision():
    gt = [[1, 1, 10, 10], [0, 5, 10, 10], [5, 5, 0, 0]]  # any number <= 0 -> invalid frame
    pred = [[1, 1, 10, 10], [300, 300, 10, 10], [300, 300, 10, 10]]
    c = one(gt, pred)
    assert c.success[0, 0] == pytest.approx(1 / 3)
    assert c.precision[0, 0] == pytest.approx(3 / 3)
    assert c.norm_precision[0, 0] == pytest.approx(3 / 3)


def test_normalised_error_divides_by_gt_size():
    gt = [[0.5, 0.5, 100, 10], [0.5, 0.5, 100, 10]]
    pred = [[0.5, 0.5, 100, 10], [10.5, 0.5, 100, 10]]  # dx = 10 px = 0.1 of w
    e = frame_errors([np.array(gt)], [np.array(pred)], [None])
    assert e.center_error[1] == pytest.approx(10) and e.norm_center_error[1] == pytest.approx(0.1)


def test_pysot_convention_differs_where_documented():
    gt = np.array([[1, 1, 10, 10], [1, 1, 10, 10]])
    pred = np.array([[100, 100, 10, 10], [1, 1, 10, 10]])  # pysot keeps the first prediction
    assert one(gt, pred, convention='official').success[0, 0] == pytest.approx(1.0)
    assert one(gt, pred, convention='pysot').success[0, 0] == pytest.approx(0.5)
    # continuous IoU: 1-px boxes shifted by half a pixel
    g, p = np.array([[5, 5, 1, 1], [5, 5, 2, 2.]]), np.array([[5, 5, 1, 1], [6, 6, 2, 2.]])
    e = frame_errors([g], [p], [None], 'pysot')
    assert e.iou[1] == pytest.approx(1 / 7)


def _random_set(rng, nseq=12):
    gts, preds = [], []
    for _ in range(nseq):
        n = int(rng.integers(20, 80))
        g = np.column_stack([rng.uniform(1, 300, (n, 2)), rng.uniform(5, 80, (n, 2))])
        p = g + rng.normal(0, 8, g.shape)
        p[:, 2:] = np.abs(p[:, 2:]) + 1
        gts.append(g)
        preds.append(p)
    return gts, preds


def test_cross_check_against_got10k_package():
    metrics = pytest.importorskip('got10k.utils.metrics')
    rng = np.random.default_rng(0)
    gts, preds = _random_set(rng)
    names = [f's{i}' for i in range(len(gts))]
    ours = evaluate_sequences(names, gts, preds, [None] * len(gts), 'pysot')
    thr_iou, thr_ce = np.linspace(0, 1, 21), np.arange(51)
    for i, (g, p) in enumerate(zip(gts, preds)):
        ious, ce = metrics.rect_iou(p.copy(), g.copy()), metrics.center_error(p, g)
        np.testing.assert_allclose(ours.success[i], (ious[:, None] > thr_iou[None]).mean(0), atol=1e-6)
        np.testing.assert_allclose(ours.precision[i], (ce[:, None] <= thr_ce[None]).mean(0), atol=1e-6)
    # official: inclusive IoU equals continuous IoU up to rounding; frame 1 is the ground truth
    off = evaluate_sequences(names, gts, preds, [None] * len(gts), 'official')
    for i, (g, p) in enumerate(zip(gts, preds)):
        p1 = p.copy()
        p1[0] = g[0]
        ious = metrics.rect_iou(p1, g.copy())
        # threshold 1 is left out: frame 1 has IoU 1 exactly (a tie: got10k adds eps to the union,
        # the inclusive formula may round to 1 + 2e-16 as calcRectInt.m does)
        np.testing.assert_allclose(off.success[i, :20], (ious[:, None] > thr_iou[None]).mean(0)[:20], atol=1e-6)


def test_got10k_scores_match_toolkit_formulas():
    metrics = pytest.importorskip('got10k.utils.metrics')
    rng = np.random.default_rng(1)
    gts, preds = _random_set(rng, 5)
    vis = [rng.random(len(g)) > 0.2 for g in gts]
    res = [(640, 480)] * 5
    s = got10k_scores([f's{i}' for i in range(5)], gts, preds, vis, res)
    pooled = np.concatenate([metrics.rect_iou(p[1:].copy(), g[1:].copy(), bound=(640, 480))[v[1:]]
                             for g, p, v in zip(gts, preds, vis)])
    assert s.ao == pytest.approx(pooled.mean(), abs=1e-9)
    assert s.sr50 == pytest.approx((pooled > 0.5).mean()) and s.sr75 == pytest.approx((pooled > 0.75).mean())
