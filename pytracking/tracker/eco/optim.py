"""ECO's two optimisation problems (pytracking ``tracker/eco/optim.py`` semantics, native complex spectra).

Layouts per feature block: samples ``(h, w, N, D)`` complex (centred half spectra, frequency-major so
the channel projections are batched matrix products), filters ``(1, d, h, w)`` complex, labels
``yf`` real ``(1, 1, h, w)``.

* :class:`FactorizedConvProblem` - the first-frame joint problem over the filters and the projection
  matrices ``P`` (``D x d``), solved by :class:`~pytracking.libs.optimization.GaussNewtonCG`. The
  optimiser works on real tensors, so the filters are exposed as real pairs ``(1, d, h, w, 2)``
  (``torch.view_as_real``) and every residual is returned as a real tensor.
* :class:`FilterOptim` - the later filter updates: CG on the normal equations
  ``(sum_n w_n x_n^H x_n + W^H W) hf = sum_n w_n x_n^H y`` with the current memory, warm-started.
"""
from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn.functional as F

from pytracking.libs import TensorList
from pytracking.libs import fourier
from pytracking.libs.optimization import ConjugateGradientBase, L2Problem

__all__ = ['FactorizedConvProblem', 'FilterOptim', 'reg_filter_conv', 'mirror_pad_filter']


def mirror_pad_filter(hf: torch.Tensor, pad: int) -> torch.Tensor:
    """Prepend the `pad` columns left of ``kx = 0`` (conjugate, mirrored) to a half-spectrum filter
    (1, d, h, w): the full spectrum needed by a convolution in the Fourier domain."""
    if pad <= 0:
        return hf
    return torch.cat([hf[..., 1:pad + 1].flip((-2, -1)).conj(), hf], dim=-1)


def reg_filter_conv(hf: torch.Tensor, reg_filter: torch.Tensor, padding=(0, 0)) -> torch.Tensor:
    """2-D convolution of the complex map `hf` (1, d, h, w) with the real `reg_filter` (1, 1, kh, kw)."""
    n, d, h, w = hf.shape
    x = torch.view_as_real(hf).permute(0, 1, 4, 2, 3).reshape(-1, 1, h, w)
    y = F.conv2d(x, reg_filter.to(x.dtype), padding=padding)
    y = y.reshape(n, d, 2, y.shape[-2], y.shape[-1]).permute(0, 1, 3, 4, 2).contiguous()
    return torch.view_as_complex(y)


def _preconditioner(sample_energy: torch.Tensor, reg_energy: torch.Tensor, params) -> torch.Tensor:
    """Diagonal filter preconditioner ``(1 - r)(a E + (1 - a) mean_c E) + r reg_energy``."""
    a, r = params.precond_data_param, params.precond_reg_param
    return (1 - r) * (a * sample_energy + (1 - a) * sample_energy.mean(1, keepdim=True)) + r * reg_energy


class FactorizedConvProblem(L2Problem):
    """First-frame joint problem: unknowns ``x = [hf_1 .. hf_B (real pairs), P_1 .. P_B]``.

    Residuals: ``sqrt(w_n) (sum_c (x_n P)_c hf_c - y)`` per block, the regularisation
    ``reg_filter * hf`` (Fourier-domain convolution of the mirrored filter) per block, and
    ``sqrt(projection_reg) P``. Inner products are kept separate per block (filter and P of one
    block together), as upstream.
    """

    def __init__(self, training_samples: TensorList, yf: TensorList, reg_filter: TensorList,
                 init_proj_mat: TensorList, params, sample_weights: Optional[TensorList] = None) -> None:
        self.training_samples = training_samples
        self.yf = TensorList([y.permute(2, 3, 0, 1).to(s.dtype) for y, s in zip(yf, training_samples)])
        self.reg_filter = reg_filter
        self.sample_weights_sqrt = None if sample_weights is None else sample_weights.sqrt()
        self.params = params

        compressed = TensorList([s @ P.to(s.dtype) for s, P in zip(training_samples, init_proj_mat)])
        self.sample_energy = TensorList([(c.real ** 2 + c.imag ** 2).mean(dim=2, keepdim=True).permute(2, 3, 0, 1)
                                         for c in compressed])                       # (1, d, h, w)
        self.reg_energy = TensorList([f.reshape(-1) @ f.reshape(-1) for f in reg_filter])
        self.proj_energy = TensorList([2 * fourier.inner_prod_fs(y, y) / s.shape[3] for y, s in zip(yf, training_samples)])
        self.diag_M = TensorList(
            [_preconditioner(e, r, params).unsqueeze(-1) for e, r in zip(self.sample_energy, self.reg_energy)]
            + [params.precond_proj_param * (p + params.projection_reg) for p in self.proj_energy])

    def __call__(self, x: TensorList) -> TensorList:
        num = len(x) // 2
        hf = TensorList([torch.view_as_complex(h) for h in x[:num]])
        P = x[num:]
        residuals = TensorList()
        for i in range(num):
            samples = self.training_samples[i]
            r = (samples @ P[i].to(samples.dtype)) @ hf[i].permute(2, 3, 1, 0) - self.yf[i]   # (h, w, N, 1)
            if self.sample_weights_sqrt is not None:
                r = r * self.sample_weights_sqrt[i].reshape(1, 1, -1, 1)
            residuals.append(torch.view_as_real(r))
        for hfe, reg in zip(hf, self.reg_filter):
            pad1 = min(reg.shape[-2] - 1, hfe.shape[-2] - 1)
            pad2 = min(reg.shape[-1] - 1, hfe.shape[-1] - 1)
            # The mirrored part is a constant here, as upstream (optim.py detaches it).
            padded = torch.cat([hfe[..., 1:pad2 + 1].detach().flip((-2, -1)).conj(), hfe], dim=-1) if pad2 > 0 else hfe
            residuals.append(torch.view_as_real(reg_filter_conv(padded, reg, (pad1, pad2))))
        residuals.extend([math.sqrt(self.params.projection_reg) * p for p in P])
        return residuals

    def ip_input(self, a: TensorList, b: TensorList) -> TensorList:
        num = len(a) // 2
        ips = TensorList()
        for fa, fb, pa, pb in zip(a[:num], b[:num], a[num:], b[num:]):
            full = (fa * fb).sum(-1)                                          # Re(a conj b) of real pairs
            ips.append(2 * full.sum() - full[..., 0].sum() + pa.reshape(-1) @ pb.reshape(-1))
        return ips.concat(ips.copy())

    def M1(self, x: TensorList) -> TensorList:
        return x / self.diag_M


class FilterOptim(ConjugateGradientBase):
    """Filter update by CG on the normal equations with the sample memory (warm start, direction kept
    across calls with ``direction_forget_factor``; Polak-Ribiere when ``fletcher_reeves`` is False)."""

    def __init__(self, params, reg_energy: TensorList, direction_forget_factor: float,
                 precond_learning_rate: TensorList) -> None:
        super().__init__(params.fletcher_reeves, params.standard_alpha, direction_forget_factor, params.debug >= 3)
        self.params = params
        self.reg_energy = reg_energy
        self.precond_learning_rate = precond_learning_rate
        self.sample_energy: Optional[TensorList] = None

    def register(self, filter: TensorList, training_samples: TensorList, yf: TensorList, sample_weights: TensorList,
                 reg_filter: TensorList) -> None:
        """The tensors the updates read and write (kept by reference: the tracker updates them in place)."""
        self.filter = filter
        self.training_samples = training_samples
        self.yf = yf
        self.sample_weights = sample_weights
        self.reg_filter = reg_filter

    def run(self, num_iter: int, new_xf: Optional[TensorList] = None) -> None:
        """`num_iter` CG iterations from the current filter (in place); `new_xf` updates the
        preconditioner's sample energy with the per-block learning rate."""
        if num_iter == 0:
            return
        if new_xf is not None:
            energy = TensorList([x.real ** 2 + x.imag ** 2 for x in new_xf])
            if self.sample_energy is None:
                self.sample_energy = energy
            else:
                self.sample_energy = TensorList([(1 - lr) * e + lr * n for e, n, lr in
                                                 zip(self.sample_energy, energy, self.precond_learning_rate)])
        self.b = TensorList([(y * (sw.to(s.dtype).reshape(1, 1, 1, -1) @ s).permute(2, 3, 0, 1).conj())
                             for y, sw, s in zip(self.yf, self.sample_weights, self.training_samples)])
        self.diag_M = TensorList([_preconditioner(e, r, self.params) for e, r in zip(self.sample_energy, self.reg_energy)])
        x, _ = self.run_CG(num_iter, self.filter.copy())
        for i in range(len(self.filter)):
            self.filter[i].copy_(x[i])

    def A(self, hf: TensorList) -> TensorList:
        out = TensorList()
        for h, s, sw, reg in zip(hf, self.training_samples, self.sample_weights, self.reg_filter):
            sh = (s @ h.permute(2, 3, 1, 0)) * sw.reshape(1, 1, -1, 1)                # (h, w, M, 1)
            h_out = (sh.permute(0, 1, 3, 2) @ s.conj()).permute(2, 3, 0, 1)         # (1, d, h, w)
            pad1 = min(reg.shape[-2] - 1, h.shape[-2] - 1)
            pad2 = min(reg.shape[-1] - 1, 2 * h.shape[-1] - 2)
            conv = reg_filter_conv(mirror_pad_filter(h, pad2), reg, (pad1, pad2))
            remove = min(pad2, h.shape[-1] - 1)
            out.append(h_out + reg_filter_conv(conv[..., remove:], reg))
        return out

    def ip(self, a: TensorList, b: TensorList) -> TensorList:
        return fourier.inner_prod_fs(a, b)

    def M1(self, hf: TensorList) -> TensorList:
        return hf / self.diag_M
