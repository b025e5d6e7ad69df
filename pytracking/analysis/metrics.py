"""Success / precision / normalised precision under the official LaSOT toolkit or pysot conventions,
and GOT-10k AO / SR. Everything is vectorised over all frames of all sequences at once.

``official`` (HengLan/LaSOT_Evaluation_Toolkit ``utils/calc_seq_err_robust.m``, ``eval_tracker.m``,
``calc_rect_int.m``):

- results longer than the ground truth are truncated;
- from frame 2 on, a row with NaN or w/h <= 0 (whose ground-truth row has no NaN) is replaced by the
  previous, already repaired row; then frame 1 is replaced by the ground truth;
- absent frames (full occlusion or out of view) are removed, the denominator stays the full length
  (``len_all + eps``);
- IoU with inclusive pixels; centres ``x + (w-1)/2``; normalised error divides both centres by the
  ground-truth w, h; a frame whose ground truth has any number <= 0 gets IoU -1 (never a success)
  and centre error -1 (always a success);
- success: IoU > t for t in ``0:0.05:1`` (MATLAB colon values); precision: error <= t for
  t in ``0:50`` px; normalised: ``(0:50)/100``; reported at 20 px and 0.20; AUC = mean of the
  sequence-averaged success curve.

``pysot`` (STVIR/pysot ``toolkit/utils/statistics.py`` and ``OPEBenchmark``, as upstream
``arena/LaSOT/eval.py``): no repair and no frame-1 replacement, continuous IoU clipped to [0, 1],
IoU -1 where the ground-truth w or h <= 0, error -1 where a ground-truth centre coordinate <= 0,
normalised centres divided by ``gt_wh + 1e-16``, thresholds ``np.arange(0, 1.05, 0.05)``,
denominators without eps.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

from ltr.data.bounding_box_utils import iou_xywh_inclusive

CONVENTIONS = ('official', 'pysot')
MATLAB_EPS = np.finfo(np.float64).eps


def matlab_colon(start: float, step: float, stop: float) -> np.ndarray:
    """Values of MATLAB's ``start:step:stop``: the first half counts up from `start`, the second
    half down from `stop`, so e.g. ``0:0.05:1`` ends in exactly 1 and has symmetric rounding."""
    n = int(round((stop - start) / step))
    k = np.arange(n + 1)
    return np.where(k <= n // 2, start + k * step, stop - (n - k) * step)


THRESHOLDS = {
    'official': (matlab_colon(0, 0.05, 1), np.arange(51, dtype=np.float64), np.arange(51) / 100),
    'pysot': (np.arange(0, 1.05, 0.05), np.arange(0, 51, 1).astype(np.float64), np.arange(0, 51, 1) / 100),
}
PRECISION_INDEX = 20  # 20 px, 0.20 normalised


@dataclass
class FrameErrors:
    """All frames of all sequences, concatenated: IoU, centre error, normalised centre error, the
    sequence index of each frame, and each sequence's full length (the denominator). Absent frames
    hold NaN in the three error arrays: NaN never counts as a success."""
    iou: np.ndarray
    center_error: np.ndarray
    norm_center_error: np.ndarray
    seq_index: np.ndarray
    seq_length: np.ndarray


@dataclass
class Curves:
    """Per-sequence curves ``(S, 21)``, ``(S, 51)``, ``(S, 51)`` and the summary numbers (fractions)."""
    names: List[str]
    success: np.ndarray
    precision: np.ndarray
    norm_precision: np.ndarray
    convention: str = 'official'

    @property
    def auc(self) -> float:
        return float(self.success.mean(axis=0).mean()) if len(self.names) else float('nan')

    @property
    def precision_score(self) -> float:
        return float(self.precision.mean(axis=0)[PRECISION_INDEX]) if len(self.names) else float('nan')

    @property
    def norm_precision_score(self) -> float:
        return float(self.norm_precision.mean(axis=0)[PRECISION_INDEX]) if len(self.names) else float('nan')

    def subset(self, keep: Sequence[str]) -> 'Curves':
        """Curves of the sequences named in `keep` (per-attribute scores)."""
        idx = [i for i, n in enumerate(self.names) if n in set(keep)]
        return Curves([self.names[i] for i in idx], self.success[idx], self.precision[idx],
                      self.norm_precision[idx], self.convention)

    def per_sequence(self) -> Dict[str, Dict[str, float]]:
        """``{seq: {"auc", "precision", "norm_precision"}}`` as fractions."""
        return {n: {'auc': float(self.success[i].mean()),
                    'precision': float(self.precision[i, PRECISION_INDEX]),
                    'norm_precision': float(self.norm_precision[i, PRECISION_INDEX])}
                for i, n in enumerate(self.names)}


def _columns(boxes: Sequence[np.ndarray], lengths: np.ndarray) -> np.ndarray:
    """The first `lengths[i]` rows of every ``(N_i, 4)`` array, concatenated as contiguous float64
    columns ``(4, sum N_i)`` (every later step then runs on 1-D arrays)."""
    out = np.empty((4, int(lengths.sum())), dtype=np.float64)
    start = 0
    for box, n in zip(boxes, lengths):
        out[:, start:start + n] = np.asarray(box)[:n].T
        start += n
    return out


def _concat(gts: Sequence[np.ndarray], preds: Sequence[np.ndarray], visible: Sequence[Optional[np.ndarray]]):
    lengths = np.array([g.shape[0] for g in gts], dtype=np.int64)
    gt, pred = _columns(gts, lengths), _columns(preds, lengths)
    vis = np.concatenate([np.ones(n, bool) if v is None else np.asarray(v, bool) for v, n in zip(visible, lengths)]) \
        if len(gts) else np.zeros(0, bool)
    seq = np.repeat(np.arange(len(gts)), lengths)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(gts) else np.zeros(0, np.int64)
    return gt, pred, vis, seq, starts, lengths


def _any_nan(cols: np.ndarray) -> np.ndarray:
    """Per frame: any NaN among the 4 columns of a ``(4, N)`` array."""
    return np.isnan(cols[0]) | np.isnan(cols[1]) | np.isnan(cols[2]) | np.isnan(cols[3])


def _repair_columns(pred: np.ndarray, gt: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """:func:`repair_official` on ``(4, N)`` columns; `pred` is modified in place and returned."""
    with np.errstate(invalid='ignore'):
        bad = _any_nan(pred) | (pred[2] <= 0) | (pred[3] <= 0)
    bad[starts] = False
    if bad.any():
        bad &= ~_any_nan(gt)
        source = np.where(bad, 0, np.arange(pred.shape[1]))
        np.maximum.accumulate(source, out=source)
        pred = pred[:, source]
    pred[:, starts] = gt[:, starts]
    return pred


def repair_official(pred: np.ndarray, gt: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The toolkit's repair on concatenated ``(N, 4)`` sequences: bad rows (NaN or w/h <= 0, ground
    truth without NaN) from each sequence's second frame take the previous repaired row; then each
    first frame takes the ground truth (``calc_seq_err_robust.m``)."""
    return _repair_columns(np.array(pred, np.float64).T, np.asarray(gt, np.float64).T, starts).T


def _dist(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """``sqrt(dx^2 + dy^2)`` in the toolkits' order (not ``hypot``: ties at thresholds must match)."""
    return np.sqrt(dx * dx + dy * dy)


def frame_errors(gts: Sequence[np.ndarray], preds: Sequence[np.ndarray],
                 visible: Sequence[Optional[np.ndarray]], convention: str = 'official') -> FrameErrors:
    """Per-frame IoU and centre errors of every sequence under `convention` (see the module docstring).

    `preds[i]` must have at least as many rows as `gts[i]` (extra rows are ignored).
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got '{convention}'")
    gt, pred, vis, seq, starts, lengths = _concat(gts, preds, visible)
    if convention == 'official':
        pred = _repair_columns(pred, gt, starts)
    gx, gy, gw, gh = gt
    px, py, pw, ph = pred
    with np.errstate(invalid='ignore', divide='ignore'):
        gcx, gcy = gx + (gw - 1) / 2, gy + (gh - 1) / 2
        pcx, pcy = px + (pw - 1) / 2, py + (ph - 1) / 2
        if convention == 'official':
            ok = (gx > 0) & (gy > 0) & (gw > 0) & (gh > 0)
            iou = np.where(ok, iou_xywh_inclusive(pred.T, gt.T), -1.0)
            center = np.where(ok, _dist(pcx - gcx, pcy - gcy), -1.0)
            norm = np.where(ok, _dist(pcx / gw - gcx / gw, pcy / gh - gcy / gh), -1.0)
        else:
            ok = (gw > 0) & (gh > 0)
            iou = np.where(ok, np.maximum(np.minimum(1, iou_xywh_pysot(gt.T, pred.T)), 0), -1.0)
            center = np.where((gcx > 0) & (gcy > 0), _dist(gcx - pcx, gcy - pcy), -1.0)
            nw, nh = gw + 1e-16, gh + 1e-16
            ngx, ngy = gcx / nw, gcy / nh
            norm = np.where((ngx > 0) & (ngy > 0), _dist(ngx - pcx / nw, ngy - pcy / nh), -1.0)
    if not vis.all():  # absent frames are removed from scoring (cheaper than compressing every column)
        absent = ~vis
        for errors in (iou, center, norm):
            errors[absent] = np.nan
    return FrameErrors(iou, center, norm, seq, lengths)


def iou_xywh_pysot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """pysot ``overlap_ratio`` (continuous corners, plain division; NaN/inf where the union is 0)."""
    left = np.maximum(a[:, 0], b[:, 0])
    right = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    top = np.maximum(a[:, 1], b[:, 1])
    bottom = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.maximum(0, right - left) * np.maximum(0, bottom - top)
    return inter / (a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter)


_BINS = 52  # histogram bins per sequence: enough for the 21 and 51 thresholds (+1)


def _histogram(bin_of_frame: np.ndarray, seq_base: np.ndarray, nseq: int) -> np.ndarray:
    """``hist[s, b]`` = frames of sequence s in bin b (`seq_base` = sequence index * ``_BINS``)."""
    return np.bincount(seq_base + bin_of_frame, minlength=nseq * _BINS).reshape(nseq, _BINS)


def _count_above(values: np.ndarray, seq_base: np.ndarray, nseq: int, thresholds: np.ndarray) -> np.ndarray:
    """``counts[s, t]`` = frames of sequence s with value > thresholds[t] (NaN never counts)."""
    k = np.searchsorted(thresholds, np.fmax(values, -np.inf), side='left')  # thresholds < value; NaN -> 0
    hist = _histogram(k, seq_base, nseq)[:, :thresholds.size + 1]
    return hist[:, ::-1].cumsum(axis=1)[:, ::-1][:, 1:]


def _count_at_most(values: np.ndarray, seq_base: np.ndarray, nseq: int, thresholds: np.ndarray) -> np.ndarray:
    """``counts[s, t]`` = frames of sequence s with value <= thresholds[t] (NaN never counts)."""
    j = np.searchsorted(thresholds, np.fmin(values, np.inf), side='left')  # first threshold >= value; NaN -> end
    return _histogram(j, seq_base, nseq)[:, :thresholds.size + 1].cumsum(axis=1)[:, :-1]


def curves(errors: FrameErrors, names: List[str], convention: str = 'official') -> Curves:
    """Success, precision and normalised precision curves of every sequence."""
    t_iou, t_px, t_norm = THRESHOLDS[convention]
    s = len(names)
    denom = errors.seq_length[:, None] + (MATLAB_EPS if convention == 'official' else 0.0)
    denom = denom.astype(np.float64)
    base = errors.seq_index * _BINS
    with np.errstate(invalid='ignore', divide='ignore'):
        success = _count_above(errors.iou, base, s, t_iou) / denom
        precision = _count_at_most(errors.center_error, base, s, t_px) / denom
        norm = _count_at_most(errors.norm_center_error, base, s, t_norm) / denom
    return Curves(list(names), success, precision, norm, convention)


def evaluate_sequences(names: List[str], gts: Sequence[np.ndarray], preds: Sequence[np.ndarray],
                       visible: Sequence[Optional[np.ndarray]], convention: str = 'official') -> Curves:
    """Curves of one tracker over the given sequences (ground truth, predictions, visibility flags)."""
    return curves(frame_errors(gts, preds, visible, convention), names, convention)


@dataclass
class GotScores:
    """GOT-10k scores: per sequence and overall (all frames of all sequences pooled, as the toolkit)."""
    per_sequence: Dict[str, Dict[str, float]] = field(default_factory=dict)
    ao: float = float('nan')
    sr50: float = float('nan')
    sr75: float = float('nan')


def _bounded(boxes: np.ndarray, bound) -> np.ndarray:
    """got10k ``rect_iou`` bound: clip x, y to [0, W/H] and w, h to the remaining room."""
    out = boxes.copy()
    out[:, 0] = np.clip(out[:, 0], 0, bound[0])
    out[:, 1] = np.clip(out[:, 1], 0, bound[1])
    out[:, 2] = np.clip(out[:, 2], 0, bound[0] - out[:, 0])
    out[:, 3] = np.clip(out[:, 3], 0, bound[1] - out[:, 1])
    return out


def got10k_scores(names: List[str], gts: Sequence[np.ndarray], preds: Sequence[np.ndarray],
                  visible: Sequence[Optional[np.ndarray]], resolutions: Sequence[Optional[tuple]]) -> GotScores:
    """AO, SR@0.5, SR@0.75 as the got10k toolkit's val report: first frame skipped, only frames with
    cover > 0 (visible), continuous IoU of boxes bounded by the image size, clipped to [0, 1]."""
    out = GotScores()
    pooled = []
    eps = np.finfo(float).eps
    for name, gt, pred, vis, res in zip(names, gts, preds, visible, resolutions):
        g, p = gt[1:].astype(np.float64), pred[1:gt.shape[0]].astype(np.float64)
        if res is not None:
            g, p = _bounded(g, res), _bounded(p, res)
        iw = np.maximum(np.minimum(g[:, 0] + g[:, 2], p[:, 0] + p[:, 2]) - np.maximum(g[:, 0], p[:, 0]), 0)
        ih = np.maximum(np.minimum(g[:, 1] + g[:, 3], p[:, 1] + p[:, 3]) - np.maximum(g[:, 1], p[:, 1]), 0)
        inter = iw * ih
        iou = np.clip(inter / (g[:, 2] * g[:, 3] + p[:, 2] * p[:, 3] - inter + eps), 0.0, 1.0)
        if vis is not None:
            iou = iou[np.asarray(vis, bool)[1:]]
        pooled.append(iou)
        out.per_sequence[name] = {'ao': float(np.mean(iou)), 'sr50': float(np.mean(iou > 0.5)),
                                  'sr75': float(np.mean(iou > 0.75)), 'length': int(gt.shape[0] - 1)}
    if pooled:
        allv = np.concatenate(pooled)
        out.ao, out.sr50, out.sr75 = float(np.mean(allv)), float(np.mean(allv > 0.5)), float(np.mean(allv > 0.75))
    return out
