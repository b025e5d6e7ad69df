"""Property tests of the evaluation metrics (``pytracking/analysis/metrics.py``), both conventions.

Success curves fall with the threshold, precision curves rise, every value and the AUC lie in [0, 1];
with valid boxes the curves equal a frame-by-frame reference formula and do not depend on the order of
the frames; sequences can be listed in any order; marking frames absent never raises a curve.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from pytracking.analysis.metrics import (MATLAB_EPS, THRESHOLDS, evaluate_sequences, got10k_scores)

CONVENTIONS = st.sampled_from(['official', 'pysot'])


@st.composite
def sequence(draw, valid: bool = False, min_len: int = 1, max_len: int = 12):
    """(gt, pred, visible) of one sequence. `valid`: positive ground truth coordinates and sizes, predictions
    with positive sizes, every frame visible (no repair or special case of either convention applies)."""
    n = draw(st.integers(min_len, max_len))
    seed = draw(st.integers(0, 2 ** 31 - 1))
    rng = np.random.default_rng(seed)
    gt = np.column_stack([rng.uniform(1, 300, (n, 2)), rng.uniform(1, 120, (n, 2))])
    if draw(st.booleans()):  # integer ground truth, as LaSOT's (ties at thresholds)
        gt = np.round(gt)
    # predictions near the ground truth (so curves are not all zero), some exact, some far off
    pred = gt + rng.normal(0, draw(st.sampled_from([0.0, 2.0, 20.0, 80.0])), (n, 4))
    if draw(st.booleans()):
        pred = np.round(pred)
    pred[:, 2:] = np.abs(pred[:, 2:]) + 0.5
    visible = np.ones(n, bool)
    if not valid:
        kinds = rng.integers(0, 8, n)
        pred[kinds == 0] = np.nan                      # NaN rows
        pred[kinds == 1, 2] = -rng.uniform(0, 10)      # negative width
        gt[kinds == 2] = 0                             # absent ground truth written as 0,0,0,0
        gt[kinds == 3, 0] = -5                         # ground truth partly left of the frame
        visible = rng.random(n) > 0.2
    return gt, pred, visible


def _evaluate(seqs, convention, visible: bool = True):
    names = [f's{i}' for i in range(len(seqs))]
    return evaluate_sequences(names, [s[0] for s in seqs], [s[1] for s in seqs],
                              [s[2] if visible else None for s in seqs], convention)


@given(st.lists(sequence(), min_size=1, max_size=4), CONVENTIONS)
def test_curves_are_monotone_and_in_unit_interval(seqs, convention):
    c = _evaluate(seqs, convention)
    for curve in (c.success, c.precision, c.norm_precision):
        assert np.all((curve >= 0) & (curve <= 1))
    assert np.all(np.diff(c.success, axis=1) <= 0)         # IoU > t: fewer frames as t grows
    assert np.all(np.diff(c.precision, axis=1) >= 0)       # error <= t: more frames as t grows
    assert np.all(np.diff(c.norm_precision, axis=1) >= 0)
    assert 0.0 <= c.auc <= 1.0 and 0.0 <= c.precision_score <= 1.0 and 0.0 <= c.norm_precision_score <= 1.0


def _iou_inclusive(a, b) -> float:
    iw = max(0.0, min(a[0] + a[2] - 1, b[0] + b[2] - 1) - max(a[0], b[0]) + 1)
    ih = max(0.0, min(a[1] + a[3] - 1, b[1] + b[3] - 1) - max(a[1], b[1]) + 1)
    return iw * ih / (a[2] * a[3] + b[2] * b[3] - iw * ih)


def _iou_continuous(a, b) -> float:
    iw = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return min(1.0, max(0.0, iw * ih / (a[2] * a[3] + b[2] * b[3] - iw * ih)))


def _reference(gt, pred, convention):
    """Frame-by-frame success / precision of one valid sequence, written from the toolkits' formulas."""
    n = len(gt)
    ious, errs = [], []
    for i in range(n):
        g, p = gt[i], (gt[i] if (i == 0 and convention == 'official') else pred[i])
        ious.append(_iou_inclusive(p, g) if convention == 'official' else _iou_continuous(g, p))
        dx = (p[0] + (p[2] - 1) / 2) - (g[0] + (g[2] - 1) / 2)
        dy = (p[1] + (p[3] - 1) / 2) - (g[1] + (g[3] - 1) / 2)
        errs.append(np.sqrt(dx * dx + dy * dy))
    denom = n + (MATLAB_EPS if convention == 'official' else 0.0)
    t_iou, t_px, _ = THRESHOLDS[convention]
    success = [sum(v > t for v in ious) / denom for t in t_iou]
    precision = [sum(e <= t for e in errs) / denom for t in t_px]
    return np.array(success), np.array(precision)


@given(sequence(valid=True), CONVENTIONS)
def test_valid_sequence_matches_the_frame_by_frame_reference(seq, convention):
    gt, pred, _ = seq
    c = _evaluate([seq], convention)
    success, precision = _reference(gt, pred, convention)
    np.testing.assert_allclose(c.success[0], success, rtol=0, atol=1e-12)
    np.testing.assert_allclose(c.precision[0], precision, rtol=0, atol=1e-12)
    np.testing.assert_allclose(c.auc, success.mean(), rtol=0, atol=1e-12)


@given(sequence(valid=True, min_len=2), st.data())
def test_official_curves_do_not_depend_on_the_order_of_frames(seq, data):
    """Valid boxes: the repair never fires, so any order of the frames after the first (which the toolkit
    replaces by the ground truth) gives the same curves. (With NaN or empty predictions the toolkit's repair
    copies the previous row, so order matters there: that is the toolkit's rule, not tested here.)"""
    gt, pred, vis = seq
    order = np.concatenate([[0], 1 + np.array(data.draw(st.permutations(range(len(gt) - 1))), dtype=int)])
    a = _evaluate([seq], 'official')
    b = _evaluate([(gt[order], pred[order], vis[order])], 'official')
    for x, y in ((a.success, b.success), (a.precision, b.precision), (a.norm_precision, b.norm_precision)):
        np.testing.assert_array_equal(x, y)


@given(sequence(), st.data())
def test_pysot_curves_do_not_depend_on_the_order_of_frames(seq, data):
    """pysot has no repair and no frame-1 rule: any permutation, invalid boxes and absent frames included."""
    gt, pred, vis = seq
    order = np.array(data.draw(st.permutations(range(len(gt)))), dtype=int)
    a = _evaluate([seq], 'pysot')
    b = _evaluate([(gt[order], pred[order], vis[order])], 'pysot')
    for x, y in ((a.success, b.success), (a.precision, b.precision), (a.norm_precision, b.norm_precision)):
        np.testing.assert_array_equal(x, y)


@given(st.lists(sequence(), min_size=1, max_size=5), CONVENTIONS, st.data())
def test_sequence_order_only_permutes_the_rows(seqs, convention, data):
    order = data.draw(st.permutations(range(len(seqs))))
    a = _evaluate(seqs, convention)
    b = _evaluate([seqs[i] for i in order], convention)
    np.testing.assert_array_equal(b.success, a.success[order])
    np.testing.assert_array_equal(b.precision, a.precision[order])
    np.testing.assert_allclose(b.auc, a.auc, rtol=1e-12)


@given(st.lists(sequence(), min_size=1, max_size=4), CONVENTIONS)
def test_absent_frames_never_raise_a_curve(seqs, convention):
    """Absent frames are removed from the count but stay in the denominator (the toolkits' rule)."""
    with_absent = _evaluate(seqs, convention, visible=True)
    all_visible = _evaluate(seqs, convention, visible=False)
    # the same frames without absences can only count more successes (NaN/-1 rules aside, which visibility
    # does not change)
    assert np.all(with_absent.success <= all_visible.success + 1e-12)
    assert np.all(with_absent.precision <= all_visible.precision + 1e-12)


# a sequence whose frames after the first are all absent has no score (NaN, numpy warns about the empty mean)
@pytest.mark.filterwarnings('ignore::RuntimeWarning')
@given(st.lists(sequence(), min_size=1, max_size=4), st.booleans(), st.data())
def test_got10k_scores_bounded_and_frame_order_free(seqs, bounded, data):
    names = [f's{i}' for i in range(len(seqs))]
    res = [(320, 240) if bounded else None] * len(seqs)
    gts = [np.nan_to_num(s[0]) for s in seqs]  # GOT-10k ground truth has no NaN
    preds = [np.nan_to_num(s[1]) for s in seqs]
    out = got10k_scores(names, gts, preds, [s[2] for s in seqs], res)
    assume(not np.isnan(out.ao))  # every frame after the first absent: nothing to score
    assert 0 <= out.sr75 <= out.sr50 <= 1 and 0 <= out.ao <= 1
    # frames after the first in any order
    orders = [np.concatenate([[0], 1 + np.array(data.draw(st.permutations(range(len(g) - 1))), dtype=int)])
              for g in gts]
    again = got10k_scores(names, [g[o] for g, o in zip(gts, orders)], [p[o] for p, o in zip(preds, orders)],
                          [s[2][o] for s, o in zip(seqs, orders)], res)
    assert (again.sr50, again.sr75) == (out.sr50, out.sr75)
    np.testing.assert_allclose(again.ao, out.ao, rtol=1e-12)
