"""Fourier-series representation of feature maps (pytracking ``libs/fourier.py`` semantics, torch.fft API).

A feature map ``(..., H, W)`` is represented by its *centred half spectrum*: the real 2-D FFT
(``torch.fft.rfft2``: columns ``kx = 0 .. W//2``) with the rows reordered so that frequency ``ky = 0``
is the middle row and ``ky`` runs from ``-(Hs-1)/2`` to ``(Hs-1)/2``, ``Hs`` always odd: an even ``H``
gives ``H + 1`` rows, the Nyquist row appearing at both ends (upstream's ``rfftshift2``; 52x52 ->
53x27, 13x13 -> 13x7). Spectra are native complex tensors. Spectra of different sizes describe
signals on the same continuous domain, so they can be added (:func:`sum_fs`) and sampled on any grid
(:func:`sample_fs`). All functions accept a TensorList as first argument.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import torch

from pytracking.libs.tensorlist import TensorList, tensor_operation

__all__ = ['rfftshift2', 'irfftshift2', 'cfft2', 'cifft2', 'sample_fs', 'get_frequency_coord', 'shift_fs',
           'sum_fs', 'sum_fs12', 'inner_prod_fs', 'interpolate_dft']


def _row_frequencies(num_rows: int) -> torch.Tensor:
    """Frequencies of the rows of a centred spectrum with `num_rows` (odd) rows."""
    return torch.arange(-(num_rows - 1) // 2, (num_rows + 1) // 2)


@tensor_operation
def rfftshift2(a: torch.Tensor) -> torch.Tensor:
    """Reorder the rows of an ``rfft2`` output so frequency 0 is the middle row (H even: H + 1 rows)."""
    h = a.shape[-2] + 2
    return torch.cat((a[..., (h - 1) // 2:, :], a[..., :h // 2, :]), dim=-2)


@tensor_operation
def irfftshift2(a: torch.Tensor) -> torch.Tensor:
    """Undo :func:`rfftshift2` for an odd number of rows (frequency 0 back to row 0)."""
    mid = (a.shape[-2] - 1) // 2
    return torch.cat((a[..., mid:, :], a[..., :mid, :]), dim=-2)


@tensor_operation
def cfft2(a: torch.Tensor) -> torch.Tensor:
    """Centred half spectrum of the real map `a` (..., H, W): ``rfftshift2(rfft2(a))`` (always odd rows)."""
    if a.is_complex():
        raise ValueError("cfft2 expects a real feature map")
    return rfftshift2(torch.fft.rfft2(a))


@tensor_operation
def cifft2(a: torch.Tensor, signal_sizes: Optional[Sequence[int]] = None) -> torch.Tensor:
    """Inverse of :func:`cfft2`: the real map of size `signal_sizes` (default: odd rows ``Hs`` and
    ``2 * Ws - 1`` columns). A spectrum with ``H + 1`` rows for an even ``H`` counts its duplicated
    Nyquist row once, so ``cifft2(cfft2(x), x.shape[-2:]) == x``."""
    hs, ws = a.shape[-2], a.shape[-1]
    if signal_sizes is None:
        signal_sizes = (hs, 2 * ws - 1)
    h, w = int(signal_sizes[0]), int(signal_sizes[1])
    if w // 2 + 1 != ws:
        raise ValueError(f"cifft2: {ws} spectrum columns do not fit a signal width {w}")
    if hs == h + 1 and h % 2 == 0:
        a = a[..., 1:, :]          # drop the duplicated Nyquist row (kept at the end, ky = +H/2)
        a = torch.cat((a[..., h // 2 - 1:, :], a[..., :h // 2 - 1, :]), dim=-2)
    elif hs == h:
        a = irfftshift2(a)
    else:
        raise ValueError(f"cifft2: {hs} spectrum rows do not fit a signal height {h}; use sample_fs")
    return torch.fft.irfft2(a, s=(h, w))


@tensor_operation
def sample_fs(a: torch.Tensor, grid_sz: Optional[Sequence[int]] = None, rescale: bool = True) -> torch.Tensor:
    """Samples of the Fourier series `a` (centred half spectrum) on a regular `grid_sz` = (H, W) grid.

    The spectrum is zero-padded to the grid (a coarser grid is an error) and inverted; with `rescale`
    the result is multiplied by ``H * W`` (the coefficients are Fourier-series coefficients, not DFT
    values), as upstream. ``grid_sz=None`` samples on the spectrum's own odd grid."""
    hs, ws = a.shape[-2], a.shape[-1]
    if grid_sz is None:
        grid_sz = (hs, 2 * ws - 1)
    h, w = int(grid_sz[0]), int(grid_sz[1])
    if hs > h + 1 or (hs == h + 1 and h % 2 == 1) or ws > w // 2 + 1:
        raise ValueError(f"sample_fs: a {hs}x{ws} spectrum does not fit a {h}x{w} grid")
    rows = _row_frequencies(hs).to(a.device) % h
    full = torch.zeros(a.shape[:-2] + (h, w // 2 + 1), dtype=a.dtype, device=a.device)
    # index_add: on a grid exactly one row short the two Nyquist rows land on the same index.
    full[..., :ws] = torch.zeros_like(full[..., :ws]).index_add(full.dim() - 2, rows, a)
    out = torch.fft.irfft2(full, s=(h, w))
    return out * (h * w) if rescale else out


def get_frequency_coord(sz: Sequence[int], add_complex_dim: bool = False,
                        device: Optional[torch.device] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """Frequency coordinates of a centred half spectrum of the (odd) spatial size `sz`:
    ``ky`` (1, 1, Hs, 1) from ``-(H-1)//2`` and ``kx`` (1, 1, 1, W//2+1) from 0 (float tensors)."""
    h, w = int(sz[0]), int(sz[1])
    ky = torch.arange(-(h - 1) // 2, (h + 1) // 2, dtype=torch.float32, device=device).reshape(1, 1, -1, 1)
    kx = torch.arange(0, w // 2 + 1, dtype=torch.float32, device=device).reshape(1, 1, 1, -1)
    if add_complex_dim:
        ky, kx = ky.unsqueeze(-1), kx.unsqueeze(-1)
    return ky, kx


@tensor_operation
def shift_fs(a: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Multiply `a` by ``exp(i (shift_y ky + shift_x kx))``: with ``shift = 2 pi d / N`` the signal
    becomes ``x(t + d)`` (moves by ``-d`` samples)."""
    if shift is None:
        return a
    shift = torch.as_tensor(shift, dtype=torch.float64).reshape(-1)
    if shift.numel() != 2:
        raise ValueError(f"shift_fs: shift must be (y, x), got {shift.tolist()}")
    if float(shift[0]) == 0 and float(shift[1]) == 0:
        return a
    real_dtype = a.real.dtype
    ky = _row_frequencies(a.shape[-2]).to(device=a.device, dtype=real_dtype).reshape(-1, 1)
    kx = torch.arange(a.shape[-1], device=a.device, dtype=real_dtype).reshape(1, -1)
    phase = float(shift[0]) * ky + float(shift[1]) * kx
    return a * torch.polar(torch.ones_like(phase), phase)


def sum_fs(a: TensorList) -> torch.Tensor:
    """Sum of spectra of different sizes: each is added into the centre rows / first columns of the largest."""
    if len(a) == 0:
        raise ValueError("sum_fs: nothing to sum")
    largest = max(range(len(a)), key=lambda i: a[i].shape[-2] * a[i].shape[-1])
    out = a[largest].clone()
    for i, s in enumerate(a):
        if i == largest:
            continue
        top = (out.shape[-2] - s.shape[-2]) // 2
        if top < 0 or s.shape[-1] > out.shape[-1]:
            raise ValueError(f"sum_fs: spectrum {tuple(s.shape)} is not contained in {tuple(out.shape)}")
        out[..., top:top + s.shape[-2], :s.shape[-1]] += s
    return out


def sum_fs12(a: TensorList) -> torch.Tensor:
    """Like :func:`sum_fs` for spectra stacked along dim 1 and dim 2 (upstream's variant): same rule."""
    return sum_fs(a)


@tensor_operation
def inner_prod_fs(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Inner product of two real signals from their half spectra: ``2 Re(sum a conj(b)) - Re(sum over
    column kx = 0)`` (the half spectrum counted as the full one)."""
    full = (a * b.conj()).real
    return 2 * full.sum() - full[..., 0].sum()


@tensor_operation
def interpolate_dft(a: torch.Tensor, interp_fs) -> torch.Tensor:
    """Apply the separable interpolation kernel ``(interp_y, interp_x)`` (or one 2-D kernel) to `a`."""
    if isinstance(interp_fs, (tuple, list)):
        return a * interp_fs[0] * interp_fs[1]
    return a * interp_fs
