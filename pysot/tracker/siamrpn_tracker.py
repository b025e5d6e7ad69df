"""SiamRPN++ tracker (STVIR/pysot ``pysot/tracker/siamrpn_tracker.py``), BGR images, pysot API.

Per frame (config ``TRACK.*``, ``ANCHOR.*``)::

    s_z     = sqrt((w + ca*(w+h)) * (h + ca*(w+h)))          ca = CONTEXT_AMOUNT (0.5)
    scale_z = EXEMPLAR_SIZE / s_z,   s_x = s_z * INSTANCE_SIZE / EXEMPLAR_SIZE
    crop round(s_x) pixels around center_pos -> INSTANCE_SIZE; run the model
    score   = softmax(cls)[foreground]                         (A*S*S,)
    box     = anchor-relative decoding of loc                  (crop pixels, centre-relative)
    penalty = exp(-(r_c * s_c - 1) * PENALTY_K)                s_c: scale change, r_c: aspect change
    pscore  = penalty*score*(1 - WINDOW_INFLUENCE) + cosine_window*WINDOW_INFLUENCE
    best    = argmax(pscore); lr = penalty[best] * score[best] * LR
    centre += box[best].xy / scale_z;  size = size*(1 - lr) + box[best].wh / scale_z * lr
    clip: cx in [0, W], cy in [0, H], w in [10, W], h in [10, H]

``S = (INSTANCE_SIZE - EXEMPLAR_SIZE) // STRIDE + 1 + BASE_SIZE`` (25 for 255/127/8/8). The state is
``center_pos`` (cx, cy) and ``size`` (w, h); ``init`` sets the centre at ``x + (w - 1)/2`` (upstream),
while the Alpha-Refine arena feeds refined boxes back as ``x + w/2`` (see ``pysot/tracker/arena.py``).

Difference from upstream: the config is an argument (default: the global ``cfg``); the device is the
model's; the model's output size is checked against ``S`` (a clear error instead of a shape crash);
candidates whose decoding overflows (possible with untrained weights: ``exp`` of a huge ``dw``) are
never selected, where upstream's argmax could pick a NaN score and poison the state; crop sizes are at
least :data:`MIN_CROP` pixels (:func:`crop_size`), where upstream's ``round`` of the context size of a box fed
back almost empty (w, h well below 1 px) gave 0 and crashed the crop.
"""
from __future__ import annotations

from typing import Any, Dict, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from pysot.core.config import cfg as global_cfg
from pysot.tracker.base_tracker import SiameseTracker, check_bgr_image, check_xywh
from pysot.utils.anchor import anchor_grid

__all__ = ['SiamRPNTracker', 'score_size_of', 'cosine_window', 'convert_score', 'convert_bbox', 'change_penalty',
           'bbox_clip', 'crop_size', 'MIN_CROP']

MIN_CROP = 1  # smallest crop side (pixels): a size floor for boxes fed back almost empty (not upstream)


def crop_size(side: float) -> int:
    """Side of a crop window in whole pixels: upstream's ``round(side)``, but at least :data:`MIN_CROP`, so a
    degenerate box fed back by a refiner never stops a sequence (upstream crashed on a zero-sized crop)."""
    return max(int(round(side)), MIN_CROP)


def score_size_of(instance_size: int, exemplar_size: int, stride: int, base_size: int) -> int:
    """Side of the score map for a search crop of ``instance_size`` pixels (25 for 255, 127, 8, 8)."""
    return (instance_size - exemplar_size) // stride + 1 + base_size


def cosine_window(score_size: int, anchor_num: int) -> np.ndarray:
    """Outer product of two Hann windows of ``score_size``, flattened and repeated per anchor: (A*S*S,)."""
    hanning = np.hanning(score_size)
    return np.tile(np.outer(hanning, hanning).flatten(), anchor_num)


def convert_score(cls: torch.Tensor) -> np.ndarray:
    """Foreground probability per anchor position (A*S*S,) from ``cls`` (1, 2A, S, S) (softmax over bg/fg)."""
    score = cls.permute(1, 2, 3, 0).contiguous().view(2, -1).permute(1, 0)
    return F.softmax(score, dim=1)[:, 1].detach().cpu().numpy()


def convert_bbox(loc: torch.Tensor, anchors: np.ndarray) -> np.ndarray:
    """Decode ``loc`` (1, 4A, S, S) against `anchors` (A*S*S, 4) cx, cy, w, h: (4, A*S*S) cx, cy, w, h.

    ``cx = dx * aw + acx``, ``cy = dy * ah + acy``, ``w = exp(dw) * aw``, ``h = exp(dh) * ah``
    (crop pixels, relative to the crop centre).
    """
    delta = loc.permute(1, 2, 3, 0).contiguous().view(4, -1).detach().cpu().numpy().copy()
    delta[0, :] = delta[0, :] * anchors[:, 2] + anchors[:, 0]
    delta[1, :] = delta[1, :] * anchors[:, 3] + anchors[:, 1]
    delta[2, :] = np.exp(delta[2, :]) * anchors[:, 2]
    delta[3, :] = np.exp(delta[3, :]) * anchors[:, 3]
    return delta


def _change(r: np.ndarray) -> np.ndarray:
    return np.maximum(r, 1.0 / r)


def _padded_size(w: Any, h: Any) -> Any:
    pad = (w + h) * 0.5
    return np.sqrt((w + pad) * (h + pad))


def change_penalty(pred_w: np.ndarray, pred_h: np.ndarray, size: Sequence[float], scale_z: float,
                   penalty_k: float) -> np.ndarray:
    """SiamRPN's scale/aspect change penalty ``exp(-(r_c * s_c - 1) * k)`` per candidate.

    ``s_c = max(q, 1/q)`` with q the ratio of padded sizes ``sqrt((w+p)(h+p))``, ``p = (w+h)/2``, of
    the candidate and of the current target (``size * scale_z``, crop pixels); ``r_c`` the same for the
    aspect ratios ``(w/h)_target / (w/h)_candidate``. 1 for an unchanged box, smaller otherwise.
    """
    s_c = _change(_padded_size(pred_w, pred_h) / _padded_size(size[0] * scale_z, size[1] * scale_z))
    r_c = _change((size[0] / size[1]) / (pred_w / pred_h))
    return np.exp(-(r_c * s_c - 1) * penalty_k)


def bbox_clip(cx: float, cy: float, width: float, height: float, boundary: Tuple[int, int]) -> Tuple[float, ...]:
    """pysot's state clip: cx in [0, W], cy in [0, H], width in [10, W], height in [10, H] (`boundary` = (H, W))."""
    cx = max(0, min(cx, boundary[1]))
    cy = max(0, min(cy, boundary[0]))
    width = max(10, min(width, boundary[1]))
    height = max(10, min(height, boundary[0]))
    return cx, cy, width, height


class SiamRPNTracker(SiameseTracker):
    """SiamRPN++ on BGR uint8 images: ``init(img, [x, y, w, h])``, ``track(img) -> {'bbox', 'best_score'}``.

    args:
        model: an object with ``template(z)`` and ``track(x) -> {'cls', 'loc'}`` (usually
            :class:`pysot.models.model_builder.ModelBuilder`); its parameters' device is used.
        config: pysot config (None = the global ``pysot.core.config.cfg``).
    """

    def __init__(self, model: Any, config=None) -> None:
        super().__init__()
        self.cfg = config if config is not None else global_cfg
        self.anchor_num = len(self.cfg.ANCHOR.RATIOS) * len(self.cfg.ANCHOR.SCALES)
        self.score_size = self._score_size(self.cfg.TRACK.INSTANCE_SIZE)
        self._grids: Dict[int, Tuple[np.ndarray, np.ndarray]] = {}
        self.window, self.anchors = self._window_and_anchors(self.score_size)
        self.model = model
        if hasattr(model, 'eval'):
            model.eval()
        params = list(model.parameters()) if hasattr(model, 'parameters') else []
        self.device = params[0].device if params else torch.device('cpu')
        self.center_pos = None
        self.size = None
        self.search_region = None  # (centre, side) of the last search crop
        self.best_index = None  # the candidate the last search chose (None: none was finite)

    # -- pieces ------------------------------------------------------------------------------
    def _score_size(self, instance_size: int) -> int:
        t = self.cfg.TRACK
        return score_size_of(instance_size, t.EXEMPLAR_SIZE, self.cfg.ANCHOR.STRIDE, t.BASE_SIZE)

    def _window_and_anchors(self, score_size: int) -> Tuple[np.ndarray, np.ndarray]:
        """(cosine window, anchors) of a score map size, computed once per size."""
        if score_size not in self._grids:
            a = self.cfg.ANCHOR
            self._grids[score_size] = (cosine_window(score_size, self.anchor_num),
                                       anchor_grid(a.STRIDE, a.RATIOS, a.SCALES, score_size))
        return self._grids[score_size]

    def generate_anchor(self, score_size: int) -> np.ndarray:
        """All anchors (A*S*S, 4) ``cx, cy, w, h`` of a ``score_size`` map (upstream's method name)."""
        a = self.cfg.ANCHOR
        return anchor_grid(a.STRIDE, a.RATIOS, a.SCALES, score_size)

    def _context_size(self) -> np.float64:
        """Side of the exemplar window with context, ``s_z`` (unrounded), a NumPy float64 scalar as upstream's:
        under NumPy 2 a Python float would leave ``pred_bbox / scale_z`` in float32, a float64 scalar makes
        the box arithmetic float64 (upstream ``siamrpn_tracker.py``)."""
        context = self.cfg.TRACK.CONTEXT_AMOUNT * np.sum(self.size)
        return np.sqrt(np.float64((self.size[0] + context) * (self.size[1] + context)))

    # -- pysot API -----------------------------------------------------------------------------
    @torch.inference_mode()
    def init(self, img: np.ndarray, bbox: Sequence[float]) -> None:
        """Store the template of `bbox` = [x, y, w, h] in the BGR image `img`."""
        img = check_bgr_image(img)
        box = check_xywh(bbox)
        self.center_pos = np.array([box[0] + (box[2] - 1) / 2, box[1] + (box[3] - 1) / 2])
        self.size = np.array([box[2], box[3]])
        s_z = crop_size(self._context_size())
        self.channel_average = np.mean(img, axis=(0, 1))
        z_crop = self.get_subwindow(img, self.center_pos, self.cfg.TRACK.EXEMPLAR_SIZE, s_z, self.channel_average)
        self.model.template(z_crop)

    def _search(self, img: np.ndarray, instance_size: int, window_influence: float):
        """Run the model on the search crop: (score, decoded boxes, penalty, best index, scale_z)."""
        if self.center_pos is None:
            raise RuntimeError(f"{type(self).__name__}: call init(img, bbox) first")
        t = self.cfg.TRACK
        s_z = self._context_size()
        scale_z = t.EXEMPLAR_SIZE / s_z
        s_x = s_z * (instance_size / t.EXEMPLAR_SIZE)
        score_size = self._score_size(instance_size)
        window, anchors = self._window_and_anchors(score_size)
        self.search_region = (self.center_pos.copy(), crop_size(s_x))  # (centre, side) of the search crop
        x_crop = self.get_subwindow(img, self.center_pos, instance_size, self.search_region[1], self.channel_average)
        outputs = self.model.track(x_crop)
        got = tuple(outputs['cls'].shape[-2:])
        if got != (score_size, score_size):
            raise RuntimeError(f"the model's score map is {got[0]}x{got[1]} but the config gives "
                               f"{score_size}x{score_size} (TRACK.INSTANCE_SIZE {instance_size}, EXEMPLAR_SIZE "
                               f"{t.EXEMPLAR_SIZE}, ANCHOR.STRIDE, TRACK.BASE_SIZE): the sizes do not fit the network")
        score = convert_score(outputs['cls'])
        with np.errstate(over='ignore', divide='ignore', invalid='ignore'):
            pred_bbox = convert_bbox(outputs['loc'], anchors)
            penalty = change_penalty(pred_bbox[2, :], pred_bbox[3, :], self.size, scale_z, t.PENALTY_K)
            pscore = penalty * score * (1 - window_influence) + window * window_influence
        # Not upstream: a candidate whose decoding overflowed (untrained weights) is never picked
        usable = np.isfinite(pscore) & np.all(np.isfinite(pred_bbox), axis=0) & (pred_bbox[2] > 0) & (pred_bbox[3] > 0)
        best_idx = int(np.argmax(np.where(usable, pscore, -np.inf))) if usable.any() else None
        self.best_index = best_idx
        return score, pred_bbox, penalty, best_idx, scale_z

    @torch.inference_mode()
    def track(self, img: np.ndarray) -> Dict[str, Any]:
        """Track in the BGR image `img`: ``{'bbox': [x, y, w, h], 'best_score': float}`` (clipped state)."""
        img = check_bgr_image(img)
        t = self.cfg.TRACK
        score, pred_bbox, penalty, best_idx, scale_z = self._search(img, t.INSTANCE_SIZE, t.WINDOW_INFLUENCE)
        if best_idx is None:  # no finite candidate at all: keep the state
            return self._unchanged(img)
        bbox = pred_bbox[:, best_idx] / scale_z
        lr = penalty[best_idx] * score[best_idx] * t.LR
        cx = bbox[0] + self.center_pos[0]
        cy = bbox[1] + self.center_pos[1]
        width = self.size[0] * (1 - lr) + bbox[2] * lr
        height = self.size[1] * (1 - lr) + bbox[3] * lr
        cx, cy, width, height = bbox_clip(cx, cy, width, height, img.shape[:2])
        self.center_pos = np.array([cx, cy])
        self.size = np.array([width, height])
        return {'bbox': [float(cx - width / 2), float(cy - height / 2), float(width), float(height)],
                'best_score': float(score[best_idx])}

    def _unchanged(self, img: np.ndarray) -> Dict[str, Any]:
        """The current (clipped) state with score 0: the answer when no candidate box is finite."""
        cx, cy, width, height = bbox_clip(*self.center_pos, *self.size, img.shape[:2])
        return {'bbox': [float(cx - width / 2), float(cy - height / 2), float(width), float(height)], 'best_score': 0.0}
