"""ECO as in pytracking (``tracker/eco/eco.py``): the simplified ECO upstream ships (spec (g)).

Factorised convolution on Fourier-series features, first-frame Gauss-Newton + CG over filters and
projection matrices with augmented samples, a sample memory that replaces the lowest-weight slot,
filter updates by warm-started CG every ``train_skipping`` frames, 5-scale search with an
integer-grid peak. Spectra are native complex tensors (upstream: real pairs).

Feed-back hook: upstream's arena overwrites ``pos``, ``target_sz`` and ``target_scale`` only, and the
next ``update_state`` recomputes ``target_sz = base_target_sz * scale``, so ECO never adopts a refined
aspect ratio. That is the default here; with ``params.adopt_refined_aspect=True`` (opt-in)
:meth:`ECO.set_target_box` also re-shapes ``base_target_sz`` (same area, the refined aspect).

Numbers follow upstream's (``pytracking/tracker/eco/eco.py``): the first-frame samples are cropped at
the unrounded ``pos`` (``sample_patch`` truncates it), the scale is kept in float32 arithmetic, and the
dropout copies are drawn with ``bernoulli_`` as ``F.dropout2d`` does, from a generator seeded by
``params.seed`` (so a seed ``s`` gives upstream's draws after ``torch.manual_seed(s)``).
"""
from __future__ import annotations

import math
from typing import Any, Dict, Optional, Sequence

import numpy as np
import torch

from pytracking.features import augmentation
from pytracking.features.preprocessing import numpy_to_torch
from pytracking.libs import TensorList, dcf, fourier
from pytracking.libs.optimization import GaussNewtonCG
from pytracking.libs.sample_memory import update_sample_weights
from pytracking.tracker.base.basetracker import BaseTracker, check_image, check_init_box
from pytracking.tracker.eco.optim import FactorizedConvProblem, FilterOptim
from pytracking.utils.device import resolve_device

__all__ = ['ECO']


class ECO(BaseTracker):
    """pytracking's ECO. ``params`` from ``pytracking/parameter/eco/<name>.py``."""

    def initialize(self, image: np.ndarray, info: Dict[str, Any]) -> Dict[str, Any]:
        check_image(image)
        x0, y0, w0, h0 = check_init_box(info).tolist()
        p = self.params
        self.device = resolve_device(p.device)
        self.features = p.features
        self.features.initialize()
        self.features.set_is_color(True)
        self.fparams = self.features.get_fparams('feature_params')
        self.frame_num = 1
        self.generator = torch.Generator().manual_seed(int(p.seed))

        # State (row, col) as upstream: pos = top-left + (size - 1) / 2.
        self.pos = torch.tensor([y0 + (h0 - 1) / 2, x0 + (w0 - 1) / 2], dtype=torch.float32)
        self.target_sz = torch.tensor([h0, w0], dtype=torch.float32)
        search_area = float(torch.prod(self.target_sz * p.search_area_scale))
        if search_area > p.max_image_sample_size:
            self.target_scale = math.sqrt(search_area / p.max_image_sample_size)
        elif search_area < p.min_image_sample_size:
            self.target_scale = math.sqrt(search_area / p.min_image_sample_size)
        else:
            self.target_scale = 1.0
        self.base_target_sz = self.target_sz / self.target_scale

        # Sample size: square, an odd multiple of the largest stride.
        max_stride = float(self.features.stride().max())
        side = float(torch.round(torch.sqrt(torch.prod(self.base_target_sz * p.search_area_scale))))
        side = side + max_stride - side % (2 * max_stride)
        self.img_sample_sz = torch.tensor([side, side])
        self.img_support_sz = self.img_sample_sz
        self.feature_sz = self.features.size(self.img_sample_sz)
        self.filter_sz = TensorList([sz + (sz + 1) % 2 for sz in self.feature_sz])
        self.output_sz = p.score_upsample_factor * self.img_support_sz
        self.compressed_dim = self.fparams.attribute('compressed_dim')

        dev = self.device
        self.window = TensorList([dcf.hann2d(sz, device=dev) for sz in self.feature_sz])
        self.interp_fs = TensorList([dcf.get_interp_fourier(sz, p.interpolation_method, p.interpolation_bicubic_a,
                                                            p.interpolation_centering, p.interpolation_windowing, dev)
                                     for sz in self.filter_sz])
        self.reg_filter = TensorList([dcf.get_reg_filter(self.img_support_sz, self.base_target_sz, fp).to(dev)
                                      for fp in self.fparams])
        sigma = TensorList([(fsz / self.img_support_sz) * torch.sqrt(self.base_target_sz.prod()) * fp.output_sigma_factor
                            for fsz, fp in zip(self.filter_sz, self.fparams)])
        self.yf = TensorList([dcf.label_function(sz, sig, dev) for sz, sig in zip(self.filter_sz, sigma)])
        self.reg_energy = TensorList([f.reshape(-1) @ f.reshape(-1) for f in self.reg_filter])

        im = numpy_to_torch(image)
        self.image_sz = torch.tensor([im.shape[2], im.shape[3]], dtype=torch.float32)
        self._scale_bounds()

        x = self._init_samples(im)
        self.projection_matrix = self._init_projection_matrix(x)
        train_xf = self._preprocess_sample(x)
        self._shift_back_augmented(train_xf)
        train_xf = fourier.shift_fs(train_xf, 2 * math.pi * (self.pos - self.pos.round()) /
                                    (self.target_scale * self.img_support_sz))

        num_init = [xf.shape[0] for xf in train_xf]
        init_weights = TensorList([xf.real.new_ones(1) / xf.shape[0] for xf in train_xf])
        init_samples = TensorList([xf.permute(2, 3, 0, 1) for xf in train_xf])            # (h, w, N, D)
        self.num_stored_samples = list(num_init)
        self.previous_replace_ind = [None] * len(num_init)
        self.sample_weights = TensorList([xf.real.new_zeros(p.sample_memory_size) for xf in train_xf])
        for sw, n in zip(self.sample_weights, num_init):
            sw[:n] = 1.0 / n
        self.training_samples = TensorList([xf.new_zeros(xf.shape[2], xf.shape[3], p.sample_memory_size, d)
                                            for xf, d in zip(train_xf, self.compressed_dim)])
        filt_real = TensorList([xf.real.new_zeros(1, d, xf.shape[2], xf.shape[3], 2)
                                for xf, d in zip(train_xf, self.compressed_dim)])

        self.joint_problem = FactorizedConvProblem(init_samples, self.yf, self.reg_filter, self.projection_matrix,
                                                   p, init_weights)
        joint_var = filt_real.concat(self.projection_matrix)
        self.joint_optimizer = GaussNewtonCG(self.joint_problem, joint_var, fletcher_reeves=True,
                                             standard_alpha=p.standard_alpha, debug=p.debug >= 1)
        if p.update_projection_matrix:
            self.joint_optimizer.run(p.init_CG_iter // p.init_GN_iter, p.init_GN_iter)
        joint_var = TensorList([v.detach() for v in joint_var])
        num = len(filt_real)
        self.filter = TensorList([torch.view_as_complex(v.contiguous()).clone() for v in joint_var[:num]])
        self.projection_matrix = TensorList(joint_var[num:])

        for mem, s, P in zip(self.training_samples, init_samples, self.projection_matrix):
            mem[:, :, :s.shape[2], :] = s @ P.to(s.dtype)

        forget = (1 - max(self.fparams.attribute('learning_rate'))) ** p.CG_forgetting_rate
        self.filter_optimizer = FilterOptim(p, self.reg_energy, forget, self.fparams.attribute('learning_rate'))
        self.filter_optimizer.register(self.filter, self.training_samples, self.yf, self.sample_weights, self.reg_filter)
        self.filter_optimizer.sample_energy = self.joint_problem.sample_energy
        if not p.update_projection_matrix:
            self.filter_optimizer.run(p.init_CG_iter)
        self.filter_optimizer.run(p.post_init_CG_iter)
        self._symmetrize_filter()
        return {}

    # -- tracking --------------------------------------------------------------------------------
    def track(self, image: np.ndarray, info: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        check_image(image)
        self._require_state('pos', 'filter')
        self.frame_num += 1
        im = numpy_to_torch(image)
        sample_pos = self.pos.round()
        scale_factors = torch.as_tensor(self.params.scale_factors, dtype=torch.float32).reshape(-1)
        sample_scales = self.target_scale * scale_factors
        test_xf = self._fourier_sample(im, self.pos, sample_scales)
        scores_fs = TensorList([(h * x).sum(1, keepdim=True) for h, x in zip(self.filter, test_xf)])
        translation, scale_ind = self._localize(scores_fs, scale_factors)
        # float32 as upstream: target_scale (a Python float at first) times a float32 scale factor
        new_scale = float(torch.tensor(self.target_scale, dtype=torch.float32) * scale_factors[scale_ind])
        self._update_state(sample_pos + translation, new_scale)

        train_xf = TensorList([xf[scale_ind:scale_ind + 1] for xf in test_xf])
        train_xf = fourier.shift_fs(train_xf, 2 * math.pi * (self.pos - sample_pos) /
                                    (float(sample_scales[scale_ind]) * self.img_support_sz))
        self._update_memory(train_xf)
        if self.frame_num % self.params.train_skipping == 1:
            self.filter_optimizer.run(self.params.CG_iter, train_xf)
            self._symmetrize_filter()
        return {'target_bbox': self._output_box()}

    def _output_box(self) -> list:
        pos, sz = self.pos.tolist(), self.target_sz.tolist()
        return [pos[1] - (sz[1] - 1) / 2, pos[0] - (sz[0] - 1) / 2, sz[1], sz[0]]

    def _localize(self, scores_fs: TensorList, scale_factors: torch.Tensor):
        """Displacement (row, col) in image pixels and the index of the best scale."""
        if self.params.score_fusion_strategy == 'weightedsum':
            weights = self.fparams.attribute('translation_weight')
            summed = fourier.sum_fs(TensorList([w * s for w, s in zip(weights, scores_fs)]))
        elif self.params.score_fusion_strategy == 'sum':
            summed = fourier.sum_fs(scores_fs)
        else:
            raise ValueError(f"ECO: unknown score_fusion_strategy {self.params.score_fusion_strategy!r} (sum, weightedsum)")
        scores = fourier.sample_fs(summed, self.output_sz.long().tolist())
        max_score, max_disp = dcf.max2d(scores.squeeze(1))
        scale_ind = int(torch.argmax(max_score))
        out = self.output_sz
        disp = (max_disp[scale_ind].float().cpu() + out / 2) % out - out / 2
        translation = disp * (self.img_support_sz / out) * self.target_scale * float(scale_factors[scale_ind])
        return translation, scale_ind

    def _update_state(self, new_pos: torch.Tensor, new_scale: float) -> None:
        self.target_scale = float(min(max(new_scale, self.min_scale_factor), self.max_scale_factor))
        self.target_sz = self.base_target_sz * self.target_scale
        inside_offset = (0.2 - 0.5) * self.target_sz
        self.pos = torch.max(torch.min(new_pos.float(), self.image_sz - inside_offset), inside_offset)

    def _scale_bounds(self) -> None:
        self.min_scale_factor = float(torch.max(10 / self.base_target_sz))
        self.max_scale_factor = float(torch.min(self.image_sz / self.base_target_sz))

    # -- samples ---------------------------------------------------------------------------------
    def _init_samples(self, im: torch.Tensor) -> TensorList:
        """Features of the augmented first-frame patches: identity, shifts, flip, rotations, blurs,
        then ``dropout = (num, p)`` copies of the identity features with whole channels zeroed
        (survivors x 1/(1-p)): ``F.dropout2d``'s own draws (``bernoulli_(1 - p)``), taken from the
        tracker's seeded generator instead of torch's global one."""
        aug = self.params.augmentation
        transforms = [augmentation.Identity()]
        transforms += [augmentation.Translation(s) for s in aug.get('shift', [])]
        if aug.get('fliplr', False):
            transforms.append(augmentation.FlipHorizontal())
        transforms += [augmentation.Rotate(a) for a in aug.get('rotate', [])]
        transforms += [augmentation.Blur(s) for s in aug.get('blur', [])]
        # upstream passes the unrounded pos; sample_patch truncates it (pos 137.5 -> rows around 137)
        samples = self.features.extract_transformed(im, self.pos, self.target_scale, self.img_sample_sz, transforms)
        use_aug = self.fparams.attribute('use_augmentation')
        for i, u in enumerate(use_aug):
            if not u:
                samples[i] = samples[i][0:1]
        if 'dropout' in aug:
            num, prob = aug['dropout']
            for i, u in enumerate(use_aug):
                if u:
                    base = samples[i][0:1].expand(num, -1, -1, -1)
                    samples[i] = torch.cat([samples[i], self._dropout2d(base, prob)])
        return samples

    def _dropout2d(self, x: torch.Tensor, prob: float) -> torch.Tensor:
        """``F.dropout2d(x, prob, training=True)`` with its noise drawn from ``self.generator`` (CPU draws)."""
        noise = torch.empty(x.shape[0], x.shape[1], 1, 1, dtype=x.dtype).bernoulli_(1 - prob, generator=self.generator)
        noise.div_(1 - prob)
        return x * noise.to(x.device)

    def _shift_back_augmented(self, train_xf: TensorList) -> None:
        """Undo the translation augmentation in the Fourier domain (samples 1..#shifts)."""
        for k, xf in enumerate(train_xf):
            if xf.shape[0] == 1:
                continue
            for i, shift in enumerate(self.params.augmentation.get('shift', [])):
                s = 2 * math.pi * torch.tensor(shift, dtype=torch.float32) / self.img_support_sz
                xf[1 + i:2 + i] = fourier.shift_fs(xf[1 + i:2 + i], s)

    def _init_projection_matrix(self, x: TensorList) -> TensorList:
        """PCA of the first-frame features: the leading `compressed_dim` left singular vectors of X X^T."""
        mats = []
        for e, d in zip(x, self.compressed_dim):
            m = e.permute(1, 0, 2, 3).reshape(e.shape[1], -1)
            m = m - m.mean(dim=1, keepdim=True)
            u, _, _ = torch.linalg.svd(m @ m.t())
            mats.append(u[:, :d].clone())
        return TensorList(mats)

    def _project(self, x: TensorList) -> TensorList:
        return TensorList([torch.matmul(e.permute(2, 3, 0, 1), P).permute(2, 3, 0, 1)
                           for e, P in zip(x, self.projection_matrix)])

    def _preprocess_sample(self, x: TensorList) -> TensorList:
        """Window, centred FFT, interpolation kernel."""
        xf = fourier.cfft2(TensorList([e * w for e, w in zip(x, self.window)]))
        return TensorList([fourier.interpolate_dft(f, interp) for f, interp in zip(xf, self.interp_fs)])

    def _fourier_sample(self, im: torch.Tensor, pos: torch.Tensor, scales: torch.Tensor) -> TensorList:
        x, _ = self.features.extract(im, pos, scales.tolist(), self.img_sample_sz)
        return self._preprocess_sample(self._project(x))

    # -- memory ----------------------------------------------------------------------------------
    def _update_memory(self, sample_xf: TensorList) -> None:
        for mem, xf, ind in zip(self.training_samples, sample_xf, self._update_sample_weights()):
            mem[:, :, ind:ind + 1, :] = xf.permute(2, 3, 0, 1)

    def _update_sample_weights(self) -> list:
        """Slot to overwrite per block (the lowest weight) and the exponential-forgetting weights."""
        replace = update_sample_weights(self.sample_weights, self.previous_replace_ind, self.num_stored_samples,
                                        [0] * len(self.sample_weights), [fp.learning_rate for fp in self.fparams])
        self.num_stored_samples = [n + 1 for n in self.num_stored_samples]
        self.previous_replace_ind = list(replace)
        return replace

    def _symmetrize_filter(self) -> None:
        """Hermitian symmetry of column kx = 0 (the half spectrum of a real filter)."""
        for hf in self.filter:
            col = hf[..., 0] / 2
            hf[..., 0] = col + col.flip(-1).conj()

    # -- feed-back -------------------------------------------------------------------------------
    def set_target_box(self, box_xywh: Sequence[float]) -> None:
        """Alpha-Refine feed-back: position, size and scale as upstream (``pos = [y + h/2, x + w/2]``);
        with ``params.adopt_refined_aspect`` (opt-in) also the refined aspect ratio (``base_target_sz`` gets the
        box's aspect at its own area), so the next frames keep it."""
        super().set_target_box(box_xywh)
        if self.params.adopt_refined_aspect:
            area = float(self.base_target_sz.prod())
            h, w = self.target_sz.tolist()
            self.base_target_sz = torch.tensor([math.sqrt(area * h / w), math.sqrt(area * w / h)], dtype=torch.float32)
            self.target_scale = float(self.target_sz[0] / self.base_target_sz[0])
            self._scale_bounds()
