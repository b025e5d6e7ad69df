"""The RT-MDNet tracker (upstream AlphaRefine ``external/RT_MDNet/RT_MDNet.py`` class ``RT_MDNet``, from
IlchaeJung/RT-MDNet ``tracker.py``) behind the project's base-tracker interface.

First frame: positives/negatives/bbreg boxes are drawn around the target, the scene covering the
negatives is cropped (plus 6 jittered copies and ``replicate_num`` extra shifted/rescaled crops), conv3
features are RoI-aligned per box, the fc layers are trained with hard-negative mining
(``maxiter_init``) and a ridge box regressor is fitted. Each frame: ``n_samples`` candidates around
the last box are scored, the ``n_top`` best are averaged (the state ``target_bbox``); on success
(mean score > ``success_thr``) the output is their regressed mean and new samples are collected,
else the search widens (``trans_f_expand``) and a short-term update runs; every
``long_interval`` frames a long-term update runs.

Randomness: upstream seeds numpy's and torch's global RNGs at import (``np.random.seed(0)``,
``torch.manual_seed(0)``) and draws from them. Here each tracker has a legacy ``numpy.random.RandomState``
seeded with ``params.seed`` (0), called in upstream's order (first frame: positives, negatives, their
permutation, bbreg boxes, the subsets of the 7 scene copies, the ``replicate_num`` extra crops, the
training permutations, the bbreg and update subsets; every frame: candidates, then positives/negatives
and training), so a tracker's first sequence draws exactly upstream's numbers; and its own torch RNG
state (seeded with ``seed`` when built, continued across calls, forked so the global state is never
touched) for the fc6 initialisation and dropout.

``set_target_box(box)`` overwrites ``target_bbox`` (upstream ``run_RTMDNet_RF.py``: ``tracker.target_bbox
= bbox_clip(refined)``): the next frame's candidates are drawn around it.
"""
from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import numpy as np
import torch
import torch.optim as optim

from ltr.data.processing_utils import rtmdnet_crop_image, rtmdnet_sample_rois
from pytracking.tracker.base import BaseTracker
from pytracking.tracker.base.basetracker import check_box, check_image, check_init_box
from pytracking.utils.device import resolve_device
from pytracking.utils.params import TrackerParams
from RT_MDNet.modules.bbreg import BBRegressor
from RT_MDNet.modules.model import BinaryLoss, MDNet
from RT_MDNet.modules.sample_generator import SampleGenerator, gen_samples

__all__ = ['RTMDNet', 'RT_MDNet', 'set_optimizer', 'train', 'padded_scene_box']

CONV_CHUNK = 16  # crops per conv forward (bounds memory on CPU; results do not depend on it)
ROI_CHUNK = 512  # rois per RoIAlign call (same)


def set_optimizer(model: MDNet, lr_base: float, lr_mult: Mapping[str, float], momentum: float,
                  w_decay: float) -> optim.SGD:
    """SGD over the learnable parameters, one group each; lr multiplied for names starting with a `lr_mult` key."""
    groups = []
    for name, p in model.get_learnable_params().items():
        lr = lr_base
        for prefix, mult in lr_mult.items():
            if name.startswith(prefix):
                lr = lr_base * mult
        groups.append({'params': [p], 'lr': lr})
    return optim.SGD(groups, lr=lr_base, momentum=momentum, weight_decay=w_decay)


def train(model: MDNet, criterion: BinaryLoss, optimizer: optim.Optimizer, pos_feats: torch.Tensor,
          neg_feats: torch.Tensor, maxiter: int, params: TrackerParams, rng: np.random.RandomState,
          in_layer: str = 'fc4') -> List[float]:
    """Upstream ``train``: `maxiter` SGD steps on ``batch_pos`` positives and the ``batch_neg`` hardest of
    ``batch_neg_cand`` negatives (scored in eval mode); positives and negatives are visited in shuffled
    epochs. Returns the loss of each step."""
    batch_pos, batch_neg = params.batch_pos, params.batch_neg
    batch_neg_cand = max(params.batch_neg_cand, batch_neg)
    pos_idx, neg_idx = _epochs(rng, pos_feats.size(0), batch_pos * maxiter, neg_feats.size(0), batch_neg_cand * maxiter)
    device = pos_feats.device
    losses = []
    model.train()
    for it in range(maxiter):
        pos_cur = torch.from_numpy(pos_idx[it * batch_pos:(it + 1) * batch_pos]).to(device)
        neg_cur = torch.from_numpy(neg_idx[it * batch_neg_cand:(it + 1) * batch_neg_cand]).to(device)
        batch_pos_feats = pos_feats.index_select(0, pos_cur)
        batch_neg_feats = neg_feats.index_select(0, neg_cur)
        if batch_neg_cand > batch_neg:  # hard negative mining
            model.eval()
            with torch.no_grad():
                scores = torch.cat([model(batch_neg_feats[s:s + params.batch_test], in_layer=in_layer)[:, 1]
                                    for s in range(0, batch_neg_feats.size(0), params.batch_test)])
            _, top = scores.topk(min(batch_neg, scores.numel()))
            batch_neg_feats = batch_neg_feats.index_select(0, top)
            model.train()
        loss = criterion(model(batch_pos_feats, in_layer=in_layer), model(batch_neg_feats, in_layer=in_layer))
        model.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), params.grad_clip)
        optimizer.step()
        losses.append(float(loss.detach()))
    model.eval()
    return losses


def _epochs(rng: np.random.RandomState, n_pos: int, needed_pos: int, n_neg: int,
            needed_neg: int) -> Tuple[np.ndarray, np.ndarray]:
    """Concatenated random permutations of ``range(n)`` until at least `needed` indices, for positives and
    negatives, drawn in upstream's order (``train``): one permutation of each, then the extra positive
    ones, then the extra negative ones."""
    if n_pos <= 0 or n_neg <= 0:
        raise ValueError("RT-MDNet training needs at least one positive and one negative sample")
    pos_idx = rng.permutation(n_pos)
    neg_idx = rng.permutation(n_neg)
    while len(pos_idx) < needed_pos:
        pos_idx = np.concatenate([pos_idx, rng.permutation(n_pos)])
    while len(neg_idx) < needed_neg:
        neg_idx = np.concatenate([neg_idx, rng.permutation(n_neg)])
    return pos_idx, neg_idx


MIN_SIDE = 5.0  # SampleGenerator's smallest sample side


def _at_least_min_size(box: np.ndarray) -> np.ndarray:
    """xywh `box` with sides under :data:`MIN_SIDE` widened to it about the centre (float64 copy)."""
    box = np.array(box, dtype=np.float64)
    for i in (2, 3):
        if box[i] < MIN_SIDE:
            box[i - 2] -= (MIN_SIDE - box[i]) / 2
            box[i] = MIN_SIDE
    return box


def padded_scene_box(examples: np.ndarray, padding: float) -> np.ndarray:
    """xywh box covering all `examples` enlarged by `padding` about their centres (upstream's scene box)."""
    x1 = (examples[:, 0] - examples[:, 2] * (padding - 1.) / 2.).min()
    y1 = (examples[:, 1] - examples[:, 3] * (padding - 1.) / 2.).min()
    x2 = (examples[:, 0] + examples[:, 2] * (padding + 1.) / 2.).max()
    y2 = (examples[:, 1] + examples[:, 3] * (padding + 1.) / 2.).max()
    return np.array([x1, y1, x2 - x1, y2 - y1], dtype=np.float64)


class RTMDNet(BaseTracker):
    """RT-MDNet behind the base-tracker interface (see the module docstring).

    args:
        params: :func:`RT_MDNet.options.parameters` (``model_path`` None = random weights).
        shared_layers: an already loaded ``{'shared_layers': ...}`` dict (the arena factory reads the file
            once); takes precedence over ``params.model_path``.
    """

    def __init__(self, params: TrackerParams, shared_layers: Optional[Mapping] = None) -> None:
        super().__init__(params)
        self.device = resolve_device(params.device)
        self.rng = np.random.RandomState(params.seed)
        self._torch_state: Optional[Tuple[torch.Tensor, Optional[torch.Tensor]]] = None
        with self._seeded_torch():
            self.model = MDNet(None)  # fc6 (not in the file) gets its random init from the tracker's seed
        if shared_layers is not None:
            self.model.load_shared_layers(shared_layers, params.model_path or 'shared_layers')
        elif params.model_path is not None:
            self.model.load_model(params.model_path)
        self.model.build_param_dict()
        self.model.roi_align_model.kernel = params.roi_align
        self.model.to(self.device).eval()
        self.model.set_learnable_params(params.ft_layers)
        self.criterion = BinaryLoss()
        self.init_optimizer = set_optimizer(self.model, params.lr_init, params.lr_mult, params.momentum, params.w_decay)
        self.update_optimizer = set_optimizer(self.model, params.lr_update, params.lr_mult, params.momentum,
                                              params.w_decay)
        self.target_bbox: Optional[np.ndarray] = None
        self.bbreg: Optional[BBRegressor] = None
        self.frame_num = 0
        self.last_losses: List[float] = []

    # -- randomness ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _seeded_torch(self) -> Iterator[None]:
        """torch's global RNG forked (restored afterwards) and set to the tracker's own torch state: seeded
        with ``params.seed`` the first time (upstream's import-time ``torch.manual_seed``), then continued."""
        cuda = self.device.type == 'cuda'
        with torch.random.fork_rng(devices=[self.device] if cuda else []):
            if self._torch_state is None:
                torch.manual_seed(int(self.params.seed))
            else:
                torch.set_rng_state(self._torch_state[0])
                if cuda:
                    torch.cuda.set_rng_state(self._torch_state[1], self.device)
            try:
                yield
            finally:
                self._torch_state = (torch.get_rng_state(), torch.cuda.get_rng_state(self.device) if cuda else None)

    def _generator(self, kind: str, image_wh: Tuple[int, int], *args: Any, **kwargs: Any) -> SampleGenerator:
        return SampleGenerator(kind, image_wh, *args, rng=self.rng, **kwargs)

    def _subsample(self, feats: torch.Tensor, n: int, *others: np.ndarray) -> Tuple[Any, ...]:
        """At most `n` rows of `feats` (and the same rows of `others`), a random subset when there are more."""
        if feats.size(0) <= n:
            return (feats,) + others
        idx = np.arange(feats.size(0))
        self.rng.shuffle(idx)
        idx = idx[:n]
        return (feats.index_select(0, torch.from_numpy(idx).to(feats.device)),) + tuple(o[idx] for o in others)

    def _pick(self, copies: int, n_examples: int, n: int) -> Tuple[List[np.ndarray], np.ndarray]:
        """Upstream's random subset of at most `n` of the ``copies * n_examples`` (copy, example) pairs
        (``np.random.shuffle(range(total))[:n]``; all pairs, no draw, when there are not more than `n`).

        Returns, for each copy, its chosen example indices in increasing order (the extraction order),
        and the permutation that puts the extracted rows, concatenated copy by copy, into upstream's
        order ``feats[idx[:n]]``."""
        total = copies * n_examples
        if total <= n:
            chosen = np.arange(total)
        else:
            chosen = np.arange(total)
            self.rng.shuffle(chosen)
            chosen = chosen[:n]
        m = max(n_examples, 1)
        per_copy = [np.sort(chosen[chosen // m == b] % m) for b in range(copies)]
        order = np.searchsorted(np.sort(chosen), chosen)
        return per_copy, order

    # -- features -----------------------------------------------------------------------------
    def _crop(self, image: np.ndarray, scene_box: np.ndarray, crop_wh: Tuple[float, float]) -> torch.Tensor:
        return rtmdnet_crop_image(image, scene_box, crop_wh, device=self.device) - 128.

    def _conv3(self, crops: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return torch.cat([self.model(crops[i:i + CONV_CHUNK], out_layer='conv3')
                              for i in range(0, crops.size(0), CONV_CHUNK)])

    def _scene_crop_size(self, scene_box: np.ndarray, target_wh: np.ndarray, jitter_scale: float = 1.0) -> np.ndarray:
        """Upstream ``crop_img_size``: the scene scaled so that the target is ``img_size`` px, truncated to
        integers, then times the jitter scale (the cropper truncates again)."""
        size = self.params.img_size
        return (scene_box[2:4] * (np.array([size, size], dtype=np.float64) / target_wh)).astype(np.int64) * jitter_scale

    def _roi_feats(self, feat_map: torch.Tensor, examples: np.ndarray, scene_xy: np.ndarray, obj_size: float,
                   target_wh: np.ndarray, batch_index: Any = 0) -> torch.Tensor:
        """RoI features ``(n, 4608)`` of xywh `examples` in the crop of the scene at `scene_xy`."""
        if len(examples) == 0:
            return torch.zeros((0, 512 * 9), device=self.device)
        rel = np.array(examples, dtype=np.float64)
        rel[:, 0:2] -= scene_xy
        rois = rtmdnet_sample_rois(rel, self.model.receptive_field, (obj_size, obj_size), target_wh, self.params.padding)
        batch = np.broadcast_to(np.asarray(batch_index, dtype=np.float64).reshape(-1, 1), (len(rois), 1))
        rois = torch.from_numpy(np.concatenate([batch, rois], axis=1).astype(np.float32)).to(self.device)
        with torch.no_grad():  # in chunks: the 7 x 7 x 512 sample grids of thousands of rois do not fit in cache
            feats = torch.cat([self.model.roi_align_model(feat_map, rois[i:i + ROI_CHUNK])
                               for i in range(0, rois.size(0), ROI_CHUNK)])
        return feats.reshape(feats.size(0), -1)

    # -- initialisation -----------------------------------------------------------------------
    def initialize(self, image: np.ndarray, info: Dict[str, Any]) -> Dict[str, Any]:
        """Train the classifier and the box regressor on the first frame (RGB `image`, ``info['init_bbox']``)."""
        target = check_init_box(info)
        image = check_image(image)
        p = self.params
        self.frame_num = 0
        target = _at_least_min_size(target)
        self.target_bbox = target.copy()
        wh = (image.shape[1], image.shape[0])
        self.model.eval()

        pos_ex = gen_samples(self._generator('gaussian', wh, 0.1, 1.2), target, p.n_pos_init, p.overlap_pos_init)
        neg_ex = gen_samples(self._generator('uniform', wh, 1, 2, 1.1), target, p.n_neg_init, p.overlap_neg_init)
        neg_ex = self.rng.permutation(neg_ex)
        bbreg_ex = gen_samples(self._generator('uniform', wh, 0.3, 1.5, 1.1), target, p.n_bbreg, p.overlap_bbreg,
                               p.scale_bbreg)
        if len(pos_ex) == 0 or len(neg_ex) == 0:
            raise ValueError(f"RT-MDNet: could not draw training samples around the initial box {target.tolist()} "
                             f"in a {wh[0]}x{wh[1]} image")
        scene = padded_scene_box(neg_ex, p.padding)
        scenes = [(scene, 1.0)]
        if p.jitter:  # upstream: shifts of 4 px left / up, scales 1.1^-1, 1.1, 1.1^-2, 1.1^2
            left, up = scene.copy(), scene.copy()
            left[0] -= 4.
            up[1] -= 4.
            scenes += [(left, 1.0), (up, 1.0)] + [(scene, 1.1 ** e) for e in (-1, 1, -2, 2)]

        # Upstream extracts every sample in every scene copy, then keeps a random n_pos_init / n_neg_init /
        # n_bbreg of them; the random subset of (copy, sample) pairs is drawn first here and only it is
        # extracted (same distribution, 1/7 of the RoIAlign work).
        picks = [self._pick(len(scenes), len(ex), n) for ex, n in
                 ((pos_ex, p.n_pos_init), (neg_ex, p.n_neg_init), (bbreg_ex, p.n_bbreg))]
        pos, neg, bbreg, bbreg_boxes = [], [], [], []
        for b, (box, js) in enumerate(scenes):
            crop = self._crop(image, box, self._scene_crop_size(box, target[2:4], js))
            fmap = self._conv3(crop)
            obj = float(p.img_size) * js
            for store, ex, (pick, _) in ((pos, pos_ex, picks[0]), (neg, neg_ex, picks[1]), (bbreg, bbreg_ex, picks[2])):
                store.append(self._roi_feats(fmap, ex[pick[b]], box[0:2], obj, target[2:4]))
            bbreg_boxes.append(bbreg_ex[picks[2][0][b]])
        order = [torch.from_numpy(o).to(self.device) for _, o in picks]
        pos_feats, neg_feats = torch.cat(pos).index_select(0, order[0]), torch.cat(neg).index_select(0, order[1])
        bbreg_feats = torch.cat(bbreg).index_select(0, order[2])
        bbreg_boxes = np.concatenate(bbreg_boxes)[picks[2][1]]

        if p.replicate_num > 0:
            extra_pos, extra_neg, extra_bb, extra_boxes = self._extra_crop_features(image, target)
            pos_feats = torch.cat([pos_feats, extra_pos])
            neg_feats = torch.cat([neg_feats, extra_neg])
            bbreg_feats = torch.cat([bbreg_feats, extra_bb])
            bbreg_boxes = np.concatenate([bbreg_boxes, extra_boxes])

        with self._seeded_torch():
            self.model.zero_grad()
            self.last_losses = train(self.model, self.criterion, self.init_optimizer, pos_feats, neg_feats,
                                     p.maxiter_init, p, self.rng)

        bbreg_feats, bbreg_boxes = self._subsample(bbreg_feats, p.n_bbreg, bbreg_boxes)
        self.bbreg = BBRegressor(wh)
        try:
            self.bbreg.train(bbreg_feats, bbreg_boxes, target)
        except ValueError:  # no regression sample in range (tiny images): track without regression
            self.bbreg = None

        self.pos_feats_all = [self._subsample(pos_feats, p.n_pos_update)[0]]
        self.neg_feats_all = [self._subsample(neg_feats, p.n_neg_update)[0]]
        self.init_pos_feats, self.init_neg_feats = pos_feats, neg_feats
        self.trans_f = p.trans_f
        return {}

    def _extra_crop_features(self, image: np.ndarray, target: np.ndarray) -> Tuple[torch.Tensor, ...]:
        """Upstream's ``replicateNum`` extra crops around the target (shift ``clip(2 N, -4, 4)`` px, scale
        ``1.1 ** clip(N, -2, 2)`` applied to the size, top-left fixed): their pos/neg/bbreg features."""
        p = self.params
        wh = (image.shape[1], image.shape[0])
        reps = int(p.replicate_num)
        crop_size = np.array([p.img_size, p.img_size], dtype=np.float64) * (p.padding + 0.6)
        crops, pos_rois, neg_rois, bb_rois, bb_boxes = [], [], [], [], []
        for i in range(reps):
            scene = target.copy()
            size = target[2:4] * (p.padding + 0.6)
            scene[0:2] = target[0:2] + target[2:4] / 2. - size / 2.
            scene[2:4] = size
            shift = np.clip(2. * self.rng.standard_normal(2), -4, 4)
            scale = 1.1 ** np.clip(self.rng.standard_normal(1), -2, 2)[0]
            scene[0:2] += shift
            scene[2:4] *= scale
            crops.append(self._crop(image, scene, crop_size))
            pos = gen_samples(self._generator('gaussian', wh, 0.1, 1.2), target, p.n_pos_init // reps, p.overlap_pos_init)
            neg = gen_samples(self._generator('uniform', wh, 0.3, 2, 1.1), target, p.n_neg_init / reps // 4,
                              p.overlap_neg_init)
            bb = gen_samples(self._generator('uniform', wh, 0.3, 1.5, 1.1), target, p.n_bbreg / reps // 4,
                             p.overlap_bbreg, p.scale_bbreg)
            obj = float(p.img_size) / scale
            for store, ex in ((pos_rois, pos), (neg_rois, neg), (bb_rois, bb)):
                store.append((i, ex, scene[0:2].copy(), obj))
            bb_boxes.append(bb)
        fmaps = self._conv3(torch.cat(crops))

        def feats(store: list) -> torch.Tensor:
            parts = [self._roi_feats(fmaps, ex, xy, obj, target[2:4], batch_index=i) for i, ex, xy, obj in store]
            return torch.cat(parts)

        return feats(pos_rois), feats(neg_rois), feats(bb_rois), np.concatenate(bb_boxes)

    # -- tracking -----------------------------------------------------------------------------
    def track(self, image: np.ndarray, info: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """Score candidates around ``target_bbox``; returns ``{'target_bbox': [x, y, w, h], 'score', 'success'}``."""
        if self.target_bbox is None:
            raise RuntimeError("RTMDNet: call initialize() first")
        image = check_image(image)
        p = self.params
        self.frame_num += 1
        H, W = image.shape[:2]
        wh = (W, H)
        target_wh = self.target_bbox[2:4].copy()

        samples = gen_samples(self._generator('gaussian', wh, self.trans_f, p.scale_f, valid=True), self.target_bbox,
                              p.n_samples)
        scene = padded_scene_box(samples, p.padding)
        # upstream: keep the scene touching the image
        if scene[0] > W:
            scene[0] = W - 1
        if scene[1] > H:
            scene[1] = H - 1
        if scene[0] + scene[2] < 0:
            scene[2] = -scene[0] + 1
        if scene[1] + scene[3] < 0:
            scene[3] = -scene[1] + 1
        fmap = self._conv3(self._crop(image, scene, self._scene_crop_size(scene, target_wh)))
        sample_feats = self._roi_feats(fmap, samples, scene[0:2], float(p.img_size), target_wh)
        self.model.eval()
        with torch.no_grad():
            scores = self.model(sample_feats, in_layer='fc4')
        top_scores, top_idx = scores[:, 1].topk(min(p.n_top, scores.size(0)))
        top_idx = top_idx.cpu().numpy()
        target_score = float(top_scores.mean())
        self.target_bbox = samples[top_idx].mean(axis=0).astype(np.float64)
        success = target_score > p.success_thr
        self.trans_f = p.trans_f if success else p.trans_f_expand

        if success and self.bbreg is not None:
            regressed = self.bbreg.predict(sample_feats[top_idx], samples[top_idx])
            out_box = regressed.mean(axis=0)
        else:
            out_box = self.target_bbox.copy()

        if success:
            self._collect(image)
        if not success:  # short-term update
            n = min(p.n_frames_short, len(self.pos_feats_all))
            self._update(torch.cat(self.pos_feats_all[-n:]), torch.cat(self.neg_feats_all))
        elif self.frame_num % p.long_interval == 0:  # long-term update
            self._update(torch.cat(self.pos_feats_all), torch.cat(self.neg_feats_all))
        return {'target_bbox': [float(v) for v in out_box], 'score': target_score, 'success': bool(success)}

    def _collect(self, image: np.ndarray) -> None:
        """Positives and negatives around the new ``target_bbox`` into the long/short-term memories."""
        p = self.params
        wh = (image.shape[1], image.shape[0])
        target = self.target_bbox
        pos_ex = gen_samples(self._generator('gaussian', wh, 0.1, 1.2), target, p.n_pos_update, p.overlap_pos_update)
        neg_ex = gen_samples(self._generator('uniform', wh, 1.5, 1.2), target, p.n_neg_update, p.overlap_neg_update)
        if len(pos_ex) == 0 or len(neg_ex) == 0:  # upstream would fail here; this frame adds nothing
            return
        scene = padded_scene_box(neg_ex, p.padding)
        fmap = self._conv3(self._crop(image, scene, self._scene_crop_size(scene, target[2:4])))
        pos = self._roi_feats(fmap, pos_ex, scene[0:2], float(p.img_size), target[2:4])
        neg = self._roi_feats(fmap, neg_ex, scene[0:2], float(p.img_size), target[2:4])
        self.pos_feats_all.append(self._subsample(pos, p.n_pos_update)[0])
        self.neg_feats_all.append(self._subsample(neg, p.n_neg_update)[0])
        if len(self.pos_feats_all) > p.n_frames_long:
            del self.pos_feats_all[0]
        if len(self.neg_feats_all) > p.n_frames_short:
            del self.neg_feats_all[0]

    def _update(self, pos: torch.Tensor, neg: torch.Tensor) -> None:
        with self._seeded_torch():
            self.last_losses = train(self.model, self.criterion, self.update_optimizer, pos, neg,
                                     self.params.maxiter_update, self.params, self.rng)

    # -- scores (for inspection and tests) --------------------------------------------------------
    def score_boxes(self, image: np.ndarray, boxes: np.ndarray) -> torch.Tensor:
        """fc6 logits ``(n, 2)`` of xywh `boxes` in `image`, cropped around them as in :meth:`track`."""
        image = check_image(image)
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        target_wh = self.target_bbox[2:4].copy()
        scene = padded_scene_box(boxes, self.params.padding)
        fmap = self._conv3(self._crop(image, scene, self._scene_crop_size(scene, target_wh)))
        feats = self._roi_feats(fmap, boxes, scene[0:2], float(self.params.img_size), target_wh)
        self.model.eval()
        with torch.no_grad():
            return self.model(feats, in_layer='fc4')

    # -- the feed-back hook -------------------------------------------------------------------
    def set_target_box(self, box_xywh: Any) -> None:
        """Overwrite ``target_bbox`` with `box_xywh` (upstream ``run_RTMDNet_RF.py``): the next frame's
        candidates are drawn around it and its size sets the crop scale. The caller clips it. Sides under
        5 px (the sample generator's minimum) are widened to 5 px about the centre: a near-empty refined box
        would otherwise blow the crop up (upstream scales the crop by 107 / side)."""
        box = check_box(box_xywh, 'set_target_box(box_xywh)')
        self._require_state('target_bbox')
        self.target_bbox = _at_least_min_size(box)

    def get_target_box(self) -> np.ndarray:
        """The current state ``target_bbox`` (float64 xywh)."""
        self._require_state('target_bbox')
        return np.asarray(self.target_bbox, dtype=np.float64).copy()


RT_MDNet = RTMDNet  # upstream's class name
