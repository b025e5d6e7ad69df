"""PrRoIPool2D: exact bin integrals of the bilinear interpolant (checked against numerical
integration and closed forms), zero-area bins, batching, and gradients w.r.t. features and boxes."""
import pytest
import torch

from ltr.external.PreciseRoIPooling.pytorch.prroi_pool import PrRoIPool2D, prroi_pool2d


def interpolant(features: torch.Tensor, y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Bilinear interpolation at points (y, x) (any shape), zero outside the map (the upstream
    PrRoIPoolingInterpolation rule, written independently of the operator). -> (C, *y.shape)."""
    c, h, w = features.shape
    y0, x0 = torch.floor(y).long(), torch.floor(x).long()
    out = torch.zeros((c,) + tuple(y.shape), dtype=features.dtype)
    for dy in (0, 1):
        for dx in (0, 1):
            yi, xi = y0 + dy, x0 + dx
            coeff = (1 - (y - yi).abs()) * (1 - (x - xi).abs())
            inside = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
            vals = features[:, yi.clamp(0, h - 1), xi.clamp(0, w - 1)]
            out += torch.where(inside, coeff, torch.zeros_like(coeff)) * vals
    return out


def numerical_pool(features: torch.Tensor, box, ph: int, pw: int, scale: float, n: int = 200) -> torch.Tensor:
    """Midpoint-rule integral over each bin with n x n samples, divided by the bin area."""
    x1, y1, x2, y2 = [v * scale for v in box]
    bh, bw = max(y2 - y1, 0) / ph, max(x2 - x1, 0) / pw
    if bh * bw == 0:
        return torch.zeros((features.shape[0], ph, pw), dtype=features.dtype)
    t = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    ys = (y1 + (torch.arange(ph, dtype=torch.float64)[:, None] + t) * bh).reshape(-1)   # (ph * n,)
    xs = (x1 + (torch.arange(pw, dtype=torch.float64)[:, None] + t) * bw).reshape(-1)   # (pw * n,)
    yy, xx = torch.meshgrid(ys, xs, indexing='ij')
    values = interpolant(features, yy, xx).reshape(-1, ph, n, pw, n)
    return values.mean(dim=(2, 4))


@pytest.fixture
def feat():
    g = torch.Generator().manual_seed(0)
    return torch.randn(1, 3, 9, 11, generator=g, dtype=torch.float64)


@pytest.mark.parametrize('box, scale', [
    ((8.0, 5.0, 60.0, 40.0), 1 / 8),          # inside
    ((-20.0, -9.0, 30.0, 50.0), 1 / 8),       # partly outside top-left
    ((50.0, 40.0, 110.0, 95.0), 1 / 8),       # partly outside bottom-right (map covers 0..80 x 0..64)
    ((3.3, 2.1, 3.9, 2.45), 1.0),             # smaller than a pixel
    ((-30.0, -30.0, -10.0, -12.0), 1 / 8),    # fully outside: interpolant fades to 0 within one cell
])
def test_matches_numerical_integration(feat, box, scale):
    pooled = PrRoIPool2D(3, 4, scale)(feat, torch.tensor([[0.0, *box]], dtype=torch.float64))
    expected = numerical_pool(feat[0], box, 3, 4, scale)
    assert pooled.shape == (1, 3, 3, 4)
    assert torch.allclose(pooled[0], expected, atol=1e-4), (pooled[0] - expected).abs().max()


def test_far_outside_is_zero_and_near_border_is_not(feat):
    pool = PrRoIPool2D(2, 2, 1.0)
    far = pool(feat, torch.tensor([[0.0, -5.0, -5.0, -2.0, -2.0]], dtype=torch.float64))
    assert torch.count_nonzero(far) == 0
    near = pool(feat, torch.tensor([[0.0, -0.9, -0.9, -0.1, -0.1]], dtype=torch.float64))
    assert torch.count_nonzero(near) > 0


def test_constant_features_give_the_constant_inside_the_map():
    feat = torch.full((1, 2, 6, 7), 2.5, dtype=torch.float64)
    rois = torch.tensor([[0.0, 0.0, 0.0, 6.0, 5.0], [0.0, 1.3, 0.7, 4.2, 3.9]], dtype=torch.float64)
    pooled = PrRoIPool2D(5, 3, 1.0)(feat, rois)
    assert torch.allclose(pooled, torch.full_like(pooled, 2.5), atol=1e-12, rtol=0)


def test_linear_features_give_the_value_at_each_bin_centre():
    a, b, d = 0.7, -1.3, 0.25
    ii, jj = torch.meshgrid(torch.arange(8.0, dtype=torch.float64), torch.arange(10.0, dtype=torch.float64), indexing='ij')
    feat = (a * ii + b * jj + d)[None, None]
    x1, y1, x2, y2 = 1.25, 0.5, 8.75, 6.5                     # inside [0, 9] x [0, 7]
    pooled = PrRoIPool2D(3, 5, 1.0)(feat, torch.tensor([[0.0, x1, y1, x2, y2]], dtype=torch.float64))[0, 0]
    cy = y1 + (torch.arange(3, dtype=torch.float64) + 0.5) * (y2 - y1) / 3
    cx = x1 + (torch.arange(5, dtype=torch.float64) + 0.5) * (x2 - x1) / 5
    expected = a * cy[:, None] + b * cx[None, :] + d
    assert torch.allclose(pooled, expected, atol=1e-12, rtol=0)


def test_hand_computed_single_cell():
    # One sample of value 4 at (1, 1) in a 3x3 map: the bin [1, 2] x [1, 2] integrates the hat's
    # quarter pyramid: (1/2)(1/2) * 4 = 1, divided by the bin area 1.
    feat = torch.zeros(1, 1, 3, 3, dtype=torch.float64)
    feat[0, 0, 1, 1] = 4.0
    pooled = prroi_pool2d(feat, torch.tensor([[0.0, 1.0, 1.0, 2.0, 2.0]], dtype=torch.float64), 1, 1, 1.0)
    assert pooled.item() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize('box', [(2.0, 2.0, 2.0, 5.0), (2.0, 2.0, 6.0, 2.0), (5.0, 5.0, 2.0, 7.0)])
def test_zero_area_bins_pool_to_zero_with_finite_gradients(feat, box):
    coords = torch.tensor([box], dtype=torch.float64, requires_grad=True)
    f = feat.clone().requires_grad_(True)
    out = prroi_pool2d(f, torch.cat([torch.zeros(1, 1, dtype=torch.float64), coords], dim=1), 2, 2, 1.0)
    assert torch.count_nonzero(out) == 0
    out.sum().backward()
    assert torch.isfinite(coords.grad).all() and torch.isfinite(f.grad).all()


def test_batches_pool_each_box_from_its_own_image():
    g = torch.Generator().manual_seed(1)
    feat = torch.randn(3, 4, 10, 10, generator=g)
    rois = torch.tensor([[2, 0, 0, 40, 40], [0, 8, 8, 70, 60], [2, 16, 4, 72, 30], [1, 0, 10, 20, 79]], dtype=torch.float32)
    pool = PrRoIPool2D(3, 3, 1 / 8)
    batched = pool(feat, rois)
    for k in range(rois.shape[0]):
        b = int(rois[k, 0])
        single = pool(feat[b:b + 1], torch.cat([torch.zeros(1), rois[k, 1:]])[None])
        assert torch.allclose(batched[k], single[0], atol=1e-6)


def test_many_boxes_shape_and_empty_input():
    feat = torch.randn(1, 256, 18, 18)
    rois = torch.cat([torch.zeros(64, 1), torch.rand(64, 2) * 100, 150 + torch.rand(64, 2) * 100], dim=1)
    assert PrRoIPool2D(5, 5, 1 / 16)(feat, rois).shape == (64, 256, 5, 5)
    assert PrRoIPool2D(5, 5, 1 / 16)(feat, rois[:0]).shape == (0, 256, 5, 5)


@pytest.mark.parametrize('rois, match', [
    (torch.zeros(3, 4), r'\(K, 5\)'),
    (torch.tensor([[1.0, 0, 0, 5, 5]]), 'batch indices'),
    (torch.tensor([[0.5, 0, 0, 5, 5]]), 'batch indices'),
])
def test_bad_rois_raise_one_clear_error(rois, match):
    with pytest.raises(ValueError, match=match):
        PrRoIPool2D(2, 2, 1.0)(torch.zeros(1, 1, 4, 4), rois)


def test_gradcheck_features_and_box_coordinates():
    g = torch.Generator().manual_seed(2)
    feat = torch.randn(2, 2, 6, 7, generator=g, dtype=torch.float64, requires_grad=True)
    batch = torch.tensor([[0.0], [1.0], [1.0]], dtype=torch.float64)
    coords = torch.tensor([[0.3, 0.6, 4.1, 3.7],        # inside
                           [-1.4, 2.2, 3.3, 7.9],       # partly outside
                           [2.15, 1.35, 2.8, 1.9]],     # smaller than a cell
                          dtype=torch.float64, requires_grad=True)

    def fn(f, c):
        return prroi_pool2d(f, torch.cat([batch, c], dim=1), 2, 3, 1.0)

    assert torch.autograd.gradcheck(fn, (feat, coords), eps=1e-6, atol=1e-6)


def test_gradcheck_with_spatial_scale():
    g = torch.Generator().manual_seed(3)
    feat = torch.randn(1, 1, 5, 5, generator=g, dtype=torch.float64, requires_grad=True)
    coords = torch.tensor([[5.3, 3.1, 29.0, 33.7]], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda f, c: prroi_pool2d(f, torch.cat([torch.zeros(1, 1, dtype=torch.float64), c], 1), 3, 2, 1 / 8),
        (feat, coords), eps=1e-6, atol=1e-6)
