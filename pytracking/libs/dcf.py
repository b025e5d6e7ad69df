"""Discriminative-correlation-filter helpers (pytracking ``libs/dcf.py`` semantics).

Windows (``hann1d``/``hann2d``), Gaussian labels in the Fourier domain (ECO) and the spatial domain
(ATOM/DiMP), the Fourier transform of Keys' cubic interpolation kernel and the interpolation factors
built from it, ECO's spatial regularisation filter and ``max2d``. Spectra use the centred
half-spectrum layout of :mod:`pytracking.libs.fourier` (native complex tensors).
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple

import torch

from pytracking.libs import fourier

__all__ = ['hann1d', 'hann2d', 'gauss_fourier', 'gauss_spatial', 'label_function', 'label_function_spatial',
           'cubic_spline_fourier', 'get_interp_fourier', 'interpolate_dft', 'get_reg_filter', 'max2d']


def _size2(sz) -> Tuple[int, int]:
    sz = torch.as_tensor(sz).reshape(-1).tolist()
    if len(sz) != 2:
        raise ValueError(f"expected a 2-D size (h, w), got {sz}")
    return int(sz[0]), int(sz[1])


def hann1d(sz: int, centered: bool = True, device: Optional[torch.device] = None) -> torch.Tensor:
    """1-D Hann window of length `sz`: centred ``0.5 (1 - cos(2 pi n / (sz + 1)))``, n = 1..sz (never
    zero); uncentred = the window of length ``sz + 1`` peaking at index 0 (periodic layout)."""
    sz = int(sz)
    if centered:
        return 0.5 * (1 - torch.cos((2 * math.pi / (sz + 1)) * torch.arange(1, sz + 1, dtype=torch.float32, device=device)))
    w = 0.5 * (1 + torch.cos((2 * math.pi / (sz + 2)) * torch.arange(0, sz // 2 + 1, dtype=torch.float32, device=device)))
    return torch.cat([w, w[1:sz - sz // 2].flip(0)])


def hann2d(sz: Sequence[int], centered: bool = True, device: Optional[torch.device] = None) -> torch.Tensor:
    """2-D Hann window ``(1, 1, h, w)``, the outer product of two :func:`hann1d`."""
    h, w = _size2(sz)
    return hann1d(h, centered, device).reshape(1, 1, -1, 1) * hann1d(w, centered, device).reshape(1, 1, 1, -1)


def gauss_fourier(sz: int, sigma: float, half: bool = False, device: Optional[torch.device] = None) -> torch.Tensor:
    """Fourier coefficients of a Gaussian of std `sigma` (samples) on a period of `sz` samples:
    ``sqrt(2 pi) sigma / sz * exp(-2 (pi sigma k / sz)^2)`` for k centred (or ``0..sz//2`` if `half`)."""
    sz = int(sz)
    if half:
        k = torch.arange(0, sz // 2 + 1, dtype=torch.float32, device=device)
    else:
        k = torch.arange(-(sz - 1) // 2, sz // 2 + 1, dtype=torch.float32, device=device)
    return (math.sqrt(2 * math.pi) * sigma / sz) * torch.exp(-2 * (math.pi * sigma * k / sz) ** 2)


def gauss_spatial(sz: int, sigma: float, center: float = 0.0, end_pad: int = 0,
                  device: Optional[torch.device] = None) -> torch.Tensor:
    """Gaussian ``exp(-(k - center)^2 / (2 sigma^2))`` sampled at ``k = -(sz-1)/2 .. (sz-1)/2 + end_pad``."""
    k = torch.arange(-(sz - 1) / 2, (sz + 1) / 2 + end_pad, dtype=torch.float32, device=device)
    return torch.exp(-1.0 / (2 * sigma ** 2) * (k - center) ** 2)


def label_function(sz: Sequence[int], sigma: Sequence[float], device: Optional[torch.device] = None) -> torch.Tensor:
    """ECO's label: a real Gaussian in the centred half-spectrum layout ``(1, 1, h, w//2 + 1)``."""
    h, w = _size2(sz)
    sigma = torch.as_tensor(sigma, dtype=torch.float64).reshape(-1).tolist()
    return gauss_fourier(h, sigma[0], device=device).reshape(1, 1, -1, 1) * \
        gauss_fourier(w, sigma[1], half=True, device=device).reshape(1, 1, 1, -1)


def label_function_spatial(sz: Sequence[int], sigma: Sequence[float], center=(0.0, 0.0), end_pad=(0, 0),
                           device: Optional[torch.device] = None) -> torch.Tensor:
    """ATOM/DiMP's label: a spatial Gaussian ``(1, 1, h + end_pad_y, w + end_pad_x)`` centred at `center`
    (offset from the map centre, (y, x))."""
    h, w = _size2(sz)
    sigma = torch.as_tensor(sigma, dtype=torch.float64).reshape(-1).tolist()
    center = torch.as_tensor(center, dtype=torch.float64).reshape(-1).tolist()
    end_pad = [int(p) for p in torch.as_tensor(end_pad).reshape(-1).tolist()]
    return gauss_spatial(h, sigma[0], center[0], end_pad[0], device).reshape(1, 1, -1, 1) * \
        gauss_spatial(w, sigma[1], center[1], end_pad[1], device).reshape(1, 1, 1, -1)


def cubic_spline_fourier(f: torch.Tensor, a: float) -> torch.Tensor:
    """Continuous Fourier transform ``B(f) = int b(t) exp(-2 pi i f t) dt`` of Keys' cubic kernel
    ``b`` with parameter `a` (real, even; ``B(0) = 1``)."""
    f = torch.as_tensor(f, dtype=torch.float32)
    pf = math.pi * f
    num = (6 * (1 - torch.cos(2 * pf)) + 3 * a * (1 - torch.cos(4 * pf))
           - (6 + 8 * a) * pf * torch.sin(2 * pf) - 2 * a * pf * torch.sin(4 * pf))
    safe = torch.where(f == 0, torch.ones_like(f), f)
    bf = num / (4 * math.pi ** 4 * safe ** 4)
    return torch.where(f == 0, torch.ones_like(bf), bf)


def get_interp_fourier(sz: Sequence[int], method: str = 'ideal', bicubic_param: float = 0.5,
                       centering: bool = True, windowing: bool = False,
                       device: Optional[torch.device] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """Fourier factors ``(interp_y (1,1,h,1), interp_x (1,1,1,w//2+1))`` that turn the DFT of a feature
    map of odd size `sz` into Fourier-series coefficients of its continuous interpolation:
    ``B(k / N) / N`` (``'bicubic'``) or ``1 / N`` (``'ideal'``), times ``exp(-i pi k / N)`` with
    `centering` (sample n sits at the centre of its cell). `windowing` is not implemented (as upstream)."""
    h, w = _size2(sz)
    ky, kx = fourier.get_frequency_coord((h, w), device=device)
    if method == 'ideal':
        interp_y, interp_x = torch.ones_like(ky) / h, torch.ones_like(kx) / w
    elif method == 'bicubic':
        interp_y = cubic_spline_fourier(ky / h, bicubic_param) / h
        interp_x = cubic_spline_fourier(kx / w, bicubic_param) / w
    else:
        raise ValueError(f"get_interp_fourier: unknown method {method!r}; use 'ideal' or 'bicubic'")
    if windowing:
        raise NotImplementedError('interpolation windowing is not implemented (upstream raises too)')
    if centering:
        interp_y = interp_y * torch.polar(torch.ones_like(ky), (-math.pi / h) * ky)
        interp_x = interp_x * torch.polar(torch.ones_like(kx), (-math.pi / w) * kx)
    return interp_y, interp_x


interpolate_dft = fourier.interpolate_dft


def _reg_window_grid(n: int, centered: bool) -> torch.Tensor:
    """Integer pixel offsets of ECO's regularisation window along one axis of length `n` (float32).

    Upstream ``libs/dcf.py get_reg_filter``: centred, ``-int((n-1)/2) .. int(n/2)`` (for an even `n` one
    more sample on the positive side, e.g. -1, 0, 1, 2 for 4); otherwise the same offsets in FFT order
    ``0 .. int(n/2), -int((n-1)/2) .. -1``.
    """
    lo, hi = int((n - 1) / 2), int(n / 2)
    if centered:
        return torch.arange(-lo, hi + 1, dtype=torch.float32)
    return torch.cat([torch.arange(0, hi + 1, dtype=torch.float32), torch.arange(-lo, 0, dtype=torch.float32)])


def get_reg_filter(sz: Sequence[int], target_sz: Sequence[float], params) -> torch.Tensor:
    """ECO's spatial regularisation filter (real, centred, mirrored to full width) for the support `sz`.

    Window ``(edge - min) * (|y / (h/2)|^p + |x / (w/2)|^p) + min`` on the integer pixel grid of
    :func:`_reg_window_grid` (upstream's: not symmetric for an even size), with (h, w) = `target_sz`;
    its DFT / #pixels is sparsified (|c| < threshold * max -> 0), the DC term is raised so the sparse
    window's minimum is ``reg_window_min``, and the result is cropped to its non-zero support. Computed
    in float32 as upstream. `params` provides ``use_reg_window``, ``reg_window_min``, ``reg_window_edge``,
    ``reg_window_power``, ``reg_sparsity_threshold`` (and optionally ``reg_window_square``,
    ``reg_window_centered``)."""
    if not params.use_reg_window:
        return params.reg_window_min * torch.ones(1, 1, 1, 1)
    h, w = _size2(sz)
    target_sz = torch.as_tensor(target_sz, dtype=torch.float32).reshape(-1)
    if getattr(params, 'reg_window_square', False):
        target_sz = target_sz.prod().sqrt() * torch.ones(2)
    reg_scale = 0.5 * target_sz
    centered = getattr(params, 'reg_window_centered', True)
    wrg = _reg_window_grid(h, centered).reshape(1, 1, -1, 1)
    wcg = _reg_window_grid(w, centered).reshape(1, 1, 1, -1)
    p = params.reg_window_power
    window = (params.reg_window_edge - params.reg_window_min) * \
        ((wrg / reg_scale[0]).abs() ** p + (wcg / reg_scale[1]).abs() ** p) + params.reg_window_min

    dft = torch.fft.rfft2(window) / (h * w)
    mag = dft.abs()
    dft[mag < params.reg_sparsity_threshold * mag.max()] = 0
    sparse_window = torch.fft.irfft2(dft, s=(h, w))
    dft[0, 0, 0, 0] += params.reg_window_min - (h * w) * sparse_window.min()
    filt = fourier.rfftshift2(dft).real

    nz = filt.nonzero()
    max_row, max_col = int(nz[:, -2].max()), int(nz[:, -1].max())
    mid = (filt.shape[-2] - 1) // 2
    # upstream slices [2 * mid - max_row : max_row + 1] (a negative start wraps as in Python)
    filt = filt[..., 2 * mid - max_row:max_row + 1, :max_col + 1]
    if filt.shape[-1] > 1:
        filt = torch.cat([filt[..., 1:].flip((2, 3)), filt], dim=-1)
    return filt.float()


def max2d(a: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Maximum over the last two dimensions and its ``(row, col)`` index: returns ``(max_val (...),
    argmax (..., 2) long)``.

    Ties are broken as upstream ``libs/dcf.py max2d`` (a max over rows, then over columns): the
    lowest column holding the maximum, and in it the lowest row, i.e. the first occurrence in
    column-major order (``torch.max`` along a dimension returns the first maximal index).
    """
    col_max, row_of_col_max = a.max(dim=-2)
    max_val, col = col_max.max(dim=-1)
    row = row_of_col_max.gather(-1, col.unsqueeze(-1)).squeeze(-1)
    return max_val, torch.stack((row, col), dim=-1)
