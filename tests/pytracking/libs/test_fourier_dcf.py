"""Fourier, DCF, complex and operation helpers against closed-form results."""
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from pytracking.libs import TensorList, complex, dcf, fourier, operation


def test_cfft2_shapes_and_centre_frequency():
    x = torch.randn(1, 2, 52, 52, generator=torch.Generator().manual_seed(0))
    X = fourier.cfft2(x)
    assert X.shape == (1, 2, 53, 27) and X.is_complex()
    assert torch.allclose(X[..., 26, 0].real, x.sum(dim=(-2, -1)), atol=1e-3)   # DC is the middle row
    assert torch.allclose(X[..., 0, :], X[..., 52, :])                           # Nyquist row at both ends
    assert fourier.cfft2(torch.randn(1, 1, 13, 13)).shape == (1, 1, 13, 7)


@pytest.mark.parametrize('size', [(13, 13), (52, 52), (12, 9)])
def test_cifft2_inverts_cfft2(size):
    x = torch.randn(2, 3, *size, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert torch.allclose(fourier.cifft2(fourier.cfft2(x), size), x, atol=1e-12)


def test_fourier_interpolation_of_a_known_signal():
    """A band-limited signal sampled on 13x13 and interpolated (ideal kernel) onto a 52x52 grid equals
    the same analytic signal sampled on the fine grid."""
    n, m = 13, 52

    def signal(num):
        t = torch.arange(num, dtype=torch.float64) / num
        y, x = t.reshape(-1, 1), t.reshape(1, -1)
        return 1.5 + torch.cos(2 * math.pi * 2 * y) * torch.sin(2 * math.pi * 3 * x) + 0.5 * torch.cos(2 * math.pi * (x + 4 * y))

    coarse = signal(n).reshape(1, 1, n, n)
    interp = dcf.get_interp_fourier((n, n), method='ideal', centering=False)
    fs = fourier.interpolate_dft(fourier.cfft2(coarse), interp)
    fine = fourier.sample_fs(fs, (m, m))
    assert torch.allclose(fine[0, 0], signal(m), atol=1e-5)


def test_centering_shifts_the_interpolation_by_half_a_sample():
    n, m = 13, 26
    t = torch.arange(n, dtype=torch.float64)
    coarse = torch.cos(2 * math.pi * 2 * t / n).reshape(1, 1, 1, n).expand(1, 1, n, n).contiguous()
    interp = dcf.get_interp_fourier((n, n), method='ideal', centering=True)
    fine = fourier.sample_fs(fourier.interpolate_dft(fourier.cfft2(coarse), interp), (m, m))
    tf = torch.arange(m, dtype=torch.float64) * n / m - 0.5      # fine sample j sits at coarse position j/2 - 1/2
    assert torch.allclose(fine[0, 0, 0], torch.cos(2 * math.pi * 2 * tf / n), atol=1e-5)


@pytest.mark.parametrize('d', [(3, -2), (-5, 4)])
def test_fourier_shift_equals_spatial_shift(d):
    x = torch.randn(1, 2, 15, 15, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    shifted = fourier.shift_fs(fourier.cfft2(x), torch.tensor([2 * math.pi * d[0] / 15, 2 * math.pi * d[1] / 15], dtype=torch.float64))
    assert torch.allclose(fourier.cifft2(shifted, (15, 15)), torch.roll(x, shifts=(-d[0], -d[1]), dims=(-2, -1)),
                          atol=1e-10)


def test_sum_fs_equals_sum_of_sampled_signals():
    g = torch.Generator().manual_seed(3)
    a = fourier.cfft2(torch.randn(1, 1, 13, 13, generator=g, dtype=torch.float64)) / 169
    b = fourier.cfft2(torch.randn(1, 1, 7, 7, generator=g, dtype=torch.float64)) / 49
    s = fourier.sum_fs(TensorList([b, a]))
    assert s.shape == a.shape
    assert torch.allclose(fourier.sample_fs(s, (30, 30)), fourier.sample_fs(a, (30, 30)) + fourier.sample_fs(b, (30, 30)),
                          atol=1e-10)


def test_inner_prod_fs_is_the_spatial_inner_product():
    g = torch.Generator().manual_seed(4)
    x, y = torch.randn(1, 3, 13, 13, generator=g, dtype=torch.float64), torch.randn(1, 3, 13, 13, generator=g, dtype=torch.float64)
    ip = fourier.inner_prod_fs(fourier.cfft2(x), fourier.cfft2(y))
    assert torch.allclose(ip, 169 * (x * y).sum())          # Parseval with the DFT scaling


def test_hann_windows():
    w = dcf.hann1d(5)
    assert torch.allclose(w, 0.5 * (1 - torch.cos(2 * math.pi * torch.arange(1, 6) / 6)))
    assert torch.allclose(w, w.flip(0)) and w.min() > 0
    assert dcf.hann1d(6, centered=False)[0] == 1.0
    assert dcf.hann2d((4, 6)).shape == (1, 1, 4, 6)


def test_cubic_spline_fourier_matches_numerical_transform_of_keys_kernel():
    a = -0.75
    t = np.linspace(-2, 2, 40001)
    at = np.abs(t)
    b = np.where(at <= 1, (a + 2) * at ** 3 - (a + 3) * at ** 2 + 1,
                 np.where(at < 2, a * at ** 3 - 5 * a * at ** 2 + 8 * a * at - 4 * a, 0.0))
    f = np.array([0.0, 0.1, 0.37, 0.5, 0.9])
    numeric = np.trapezoid(b[None, :] * np.cos(2 * np.pi * f[:, None] * t[None, :]), t, axis=1)
    assert np.allclose(dcf.cubic_spline_fourier(torch.tensor(f), a).numpy(), numeric, atol=1e-5)


def test_label_function_is_transform_of_spatial_gaussian():
    sz, sigma = 13, 1.3
    lab = dcf.label_function((sz, sz), (sigma, sigma))
    spatial = fourier.sample_fs(lab.to(torch.complex64), (sz, sz))[0, 0]
    k = torch.arange(sz, dtype=torch.float32)
    k = torch.minimum(k, sz - k)                                           # periodic distance to 0
    expected = torch.exp(-(k.reshape(-1, 1) ** 2 + k.reshape(1, -1) ** 2) / (2 * sigma ** 2))
    assert torch.allclose(spatial, expected, atol=2e-3)


def test_label_function_spatial_peak_at_center():
    lab = dcf.label_function_spatial((9, 11), (1.0, 1.0), center=(1.0, -2.0))
    _, idx = dcf.max2d(lab)
    assert idx.reshape(-1).tolist() == [4 + 1, 5 - 2]


def test_reg_filter_matches_upstream_measurement():
    """spec (g): a 60x40 target at img_support_sz 208 gives (1,1,5,3) filters, centre 0.130 / 0.642, energy 0.0242 / 0.594."""
    shallow = SimpleNamespace(use_reg_window=True, reg_window_min=1e-4, reg_window_edge=1e-2, reg_window_power=2,
                              reg_sparsity_threshold=0.05)
    deep = SimpleNamespace(use_reg_window=True, reg_window_min=1e-3, reg_window_edge=5e-2, reg_window_power=2,
                           reg_sparsity_threshold=0.1)
    for params, centre, energy in ((shallow, 0.130, 0.0242), (deep, 0.642, 0.594)):
        f = dcf.get_reg_filter((208, 208), (40, 60), params)
        assert f.shape == (1, 1, 5, 3)
        assert f[0, 0, 2, 1].item() == pytest.approx(centre, abs=1e-3)
        assert (f ** 2).sum().item() == pytest.approx(energy, rel=2e-3)
        assert torch.allclose(f, f.flip((2, 3)))


def test_max2d_first_occurrence():
    a = torch.tensor([[[1.0, 3.0, 3.0], [0.0, 3.0, 2.0]], [[5.0, 0.0, 0.0], [0.0, 0.0, 6.0]]])
    val, idx = dcf.max2d(a)
    assert val.tolist() == [3.0, 6.0] and idx.tolist() == [[0, 1], [1, 2]]


def test_max2d_ties_go_to_the_lowest_column_first_as_upstream():
    """upstream dcf.max2d maxes over rows, then columns: of the tied peaks (0, 5) and (3, 1), (3, 1) wins."""
    a = torch.zeros(5, 7)
    a[0, 5] = a[3, 1] = a[4, 1] = 1.0
    val, idx = dcf.max2d(a)
    assert val.item() == 1.0 and idx.tolist() == [3, 1]


def test_reg_window_grid_is_upstreams_integer_grid():
    """-int((n-1)/2) .. int(n/2): one more offset on the positive side for an even n."""
    assert dcf._reg_window_grid(4, True).tolist() == [-1, 0, 1, 2]
    assert dcf._reg_window_grid(5, True).tolist() == [-2, -1, 0, 1, 2]
    assert dcf._reg_window_grid(4, False).tolist() == [0, 1, 2, -1]


def test_reg_filter_of_an_even_size_by_hand():
    """sz 2x2, target 2x2 (reg_scale 1), min 1, edge 2, power 2. Integer grid y, x in {0, 1}: window
    [[1, 2], [2, 3]]; rfft2 / 4 = [[2, -0.5], [-0.5, 0]]; nothing below 0.05 * 2 but the zero; its
    inverse has minimum 1 = reg_window_min, so the DC term stays; the centred spectrum has 3 rows
    (Nyquist row at both ends): [[-0.5, 0], [2, -0.5], [-0.5, 0]], mirrored to a 3x3 cross.
    (A half-integer grid -0.5, 0.5 would give the constant window 1.5 and the filter [[1.0]].)"""
    params = SimpleNamespace(use_reg_window=True, reg_window_min=1.0, reg_window_edge=2.0, reg_window_power=2,
                             reg_sparsity_threshold=0.05)
    f = dcf.get_reg_filter((2, 2), (2, 2), params)
    expected = torch.tensor([[0.0, -0.5, 0.0], [-0.5, 2.0, -0.5], [0.0, -0.5, 0.0]])
    assert f.dtype == torch.float32 and f.shape == (1, 1, 3, 3)
    assert torch.allclose(f[0, 0], expected, atol=1e-6)


def test_complex_helpers():
    a = torch.tensor([1 + 2j, -1j]); b = torch.tensor([3 - 1j, 2 + 0j])
    assert torch.allclose(complex.mult_conj(a, b), a * b.conj())
    assert torch.allclose(complex.abs_sqr(a), torch.tensor([5.0, 1.0]))
    assert torch.allclose(complex.exp_imag(torch.tensor([math.pi / 2])), torch.tensor([1j], dtype=torch.complex64), atol=1e-7)
    assert torch.equal(complex.from_real_pair(complex.to_real_pair(a)), a)
    lst = complex.conj(TensorList([a, b]))
    assert isinstance(lst, TensorList) and torch.equal(lst[0], a.conj())
    m = torch.randn(2, 3, dtype=torch.complex64); n = torch.randn(3, 2)
    assert torch.allclose(complex.mtimes(m, n, conj_a=True), m.conj() @ n.to(torch.complex64))


def test_operation_conv():
    g = torch.Generator().manual_seed(5)
    x = torch.randn(1, 3, 8, 8, generator=g); w = torch.randn(4, 3, 3, 3, generator=g)
    assert operation.conv2d(x, w, mode='same').shape == (1, 4, 8, 8)
    assert operation.conv2d(x, w, mode='full').shape == (1, 4, 10, 10)
    w4 = torch.randn(2, 3, 4, 4, generator=g)  # even kernel: padding 2, last row/column dropped (upstream)
    same = operation.conv2d(x, w4, mode='same')
    assert same.shape == (1, 2, 8, 8)
    assert torch.allclose(same, torch.nn.functional.conv2d(x, w4, padding=2)[:, :, :-1, :-1])
    assert operation.conv2d(x, None) is x
    with pytest.raises(ValueError, match='padding or mode'):
        operation.conv2d(x, w, padding=1, mode='same')
    out = operation.conv2d(TensorList([x, x[:, :, :5]]), w, mode='valid')
    assert [tuple(o.shape) for o in out] == [(1, 4, 6, 6), (1, 4, 3, 6)]
    w1 = torch.randn(5, 3, generator=g)
    assert torch.allclose(operation.conv1x1(x, w1), torch.nn.functional.conv2d(x, w1.reshape(5, 3, 1, 1)), atol=1e-5)
    with pytest.raises(ValueError, match='mode'):
        operation.conv2d(x, w, mode='nope')


def test_tensorlist_inplace_ops_are_elementwise():
    a = TensorList([torch.ones(2), torch.zeros(3)])
    first = a[0]
    a += 1
    assert len(a) == 2 and torch.equal(first, torch.full((2,), 2.0))   # in place on the tensors, not list append
    a *= TensorList([2.0, 3.0])
    assert torch.equal(a[1], torch.full((3,), 3.0))
    assert torch.equal((a ** 2)[0], torch.full((2,), 16.0))
    assert torch.equal((a @ a)[1], torch.tensor(27.0))
