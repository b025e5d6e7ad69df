"""Complex arithmetic for the Fourier-domain trackers, on torch's native complex dtype.

Upstream pytracking (``libs/complex.py``) stored complex numbers as real tensors with a trailing
dimension of 2 (``torch.rfft``, removed in torch 1.8). Here spectra are ``torch.complex64/128``
tensors from ``torch.fft``; these helpers keep upstream's names so the tracker code reads the same,
and convert to/from the old real-pair layout where a caller needs it (``to_real_pair``/``from_real_pair``).
All functions accept a TensorList as first argument.
"""
from __future__ import annotations

import torch

from pytracking.libs.tensorlist import tensor_operation

__all__ = ['is_complex', 'is_real', 'mult', 'mult_conj', 'mult_real_cplx', 'div', 'conj', 'real', 'imag',
           'abs_sqr', 'abs', 'exp_imag', 'mtimes', 'complex', 'to_real_pair', 'from_real_pair']


def is_complex(a: torch.Tensor) -> bool:
    """True for a complex-dtype tensor."""
    return torch.is_tensor(a) and a.is_complex()


def is_real(a: torch.Tensor) -> bool:
    """True for a real (non-complex) tensor."""
    return not is_complex(a)


@tensor_operation
def mult(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Element-wise product (either factor may be real)."""
    return a * b


@tensor_operation
def mult_conj(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Element-wise ``a * conj(b)``."""
    return a * b.conj()


@tensor_operation
def mult_real_cplx(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Real `a` times complex `b`."""
    if is_complex(a):
        raise ValueError("mult_real_cplx: first factor must be real")
    return a * b


@tensor_operation
def div(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Element-wise quotient."""
    return a / b


@tensor_operation
def conj(a: torch.Tensor) -> torch.Tensor:
    """Complex conjugate (materialised, so in-place ops on the result are safe)."""
    return a.conj().resolve_conj() if is_complex(a) else a


@tensor_operation
def real(a: torch.Tensor) -> torch.Tensor:
    """Real part."""
    return a.real if is_complex(a) else a


@tensor_operation
def imag(a: torch.Tensor) -> torch.Tensor:
    """Imaginary part (zeros for a real tensor)."""
    return a.imag if is_complex(a) else torch.zeros_like(a)


@tensor_operation
def abs_sqr(a: torch.Tensor) -> torch.Tensor:
    """``|a|^2`` as a real tensor."""
    if is_complex(a):
        return a.real ** 2 + a.imag ** 2
    return a ** 2


@tensor_operation
def abs(a: torch.Tensor) -> torch.Tensor:  # noqa: A001 - upstream's name
    """``|a|`` as a real tensor."""
    return torch.abs(a)


@tensor_operation
def exp_imag(a: torch.Tensor) -> torch.Tensor:
    """``exp(i * a)`` for a real tensor `a`."""
    if is_complex(a):
        raise ValueError("exp_imag: argument must be real (the phase)")
    return torch.polar(torch.ones_like(a), a)


@tensor_operation
def mtimes(a: torch.Tensor, b: torch.Tensor, conj_a: bool = False, conj_b: bool = False) -> torch.Tensor:
    """Matrix product over the last two dimensions, optionally conjugating either factor."""
    if conj_a:
        a = a.conj()
    if conj_b:
        b = b.conj()
    if is_complex(a) != is_complex(b):
        dtype = a.dtype if is_complex(a) else b.dtype
        a, b = a.to(dtype), b.to(dtype)
    return torch.matmul(a, b)


@tensor_operation
def complex(re: torch.Tensor, im: torch.Tensor = None) -> torch.Tensor:  # noqa: A001 - upstream's name
    """Complex tensor from real and (optional, default 0) imaginary parts."""
    return torch.complex(re, torch.zeros_like(re) if im is None else im)


@tensor_operation
def to_real_pair(a: torch.Tensor) -> torch.Tensor:
    """Upstream's layout: a real tensor with a trailing dimension (real, imag)."""
    return torch.view_as_real(a if is_complex(a) else complex(a)).clone()


@tensor_operation
def from_real_pair(a: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`to_real_pair`."""
    if a.shape[-1] != 2:
        raise ValueError(f"from_real_pair: last dimension must be 2, got shape {tuple(a.shape)}")
    return torch.view_as_complex(a.contiguous())
