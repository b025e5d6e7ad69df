"""Optimisers: CG on an SPD system, Gauss-Newton CG on known least-squares problems, gradient descent."""
import math

import pytest
import torch

from pytracking.libs import TensorList
from pytracking.libs.optimization import (ConjugateGradient, ConjugateGradientBase, GaussNewtonCG, GradientDescentL2,
                                          L2Problem, MinimizationProblem, NewtonCG)


class MatrixCG(ConjugateGradientBase):
    """CG on A x = b for an explicit matrix, optionally with a Jacobi preconditioner."""

    def __init__(self, A, b, jacobi=False, **kw):
        super().__init__(**kw)
        self.mat, self.b = A, TensorList([b])
        self.jacobi = jacobi

    def A(self, x):
        return TensorList([self.mat @ x[0]])

    def M1(self, x):
        return TensorList([x[0] / torch.diag(self.mat)]) if self.jacobi else x


def random_spd(n, seed):
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=g, dtype=torch.float64))
    eig = torch.linspace(0.5, 20.0, n, dtype=torch.float64)
    return q @ torch.diag(eig) @ q.T, torch.randn(n, generator=g, dtype=torch.float64)


@pytest.mark.parametrize('fletcher_reeves', [True, False])
@pytest.mark.parametrize('jacobi', [False, True])
def test_cg_solves_random_spd_system_in_at_most_n_iterations(fletcher_reeves, jacobi):
    n = 12
    A, b = random_spd(n, seed=3)
    cg = MatrixCG(A, b, jacobi=jacobi, fletcher_reeves=fletcher_reeves, debug=True)
    x, resvec = cg.run_CG(n, eps=1e-9)
    exact = torch.linalg.solve(A, b)
    assert torch.allclose(x[0], exact, atol=1e-7)
    assert len(resvec) - 1 <= n                  # iterations actually run
    assert resvec[-1] <= 1e-9


def test_cg_with_fewer_iterations_reduces_but_does_not_solve():
    A, b = random_spd(12, seed=4)
    cg = MatrixCG(A, b, debug=True)
    x, resvec = cg.run_CG(3)
    assert resvec[-1] < resvec[0]
    assert not torch.allclose(x[0], torch.linalg.solve(A, b), atol=1e-3)


def test_cg_warm_start_keeps_direction_and_continues():
    A, b = random_spd(12, seed=5)
    cg = MatrixCG(A, b, direction_forget_factor=0.5)
    x, _ = cg.run_CG(4)
    assert cg.p is not None
    x, _ = cg.run_CG(20, x=x)
    assert torch.allclose(x[0], torch.linalg.solve(A, b), atol=1e-6)


class LinearLS(L2Problem):
    def __init__(self, A, b):
        self.A, self.b = A, b

    def __call__(self, x):
        return TensorList([self.A @ x[0] - self.b])


def test_conjugate_gradient_solves_linear_least_squares():
    g = torch.Generator().manual_seed(0)
    A = torch.randn(20, 6, generator=g, dtype=torch.float64)
    b = torch.randn(20, generator=g, dtype=torch.float64)
    x = TensorList([torch.zeros(6, dtype=torch.float64)])
    opt = ConjugateGradient(LinearLS(A, b), x)
    opt.run(6)
    assert torch.allclose(x[0], torch.linalg.lstsq(A, b.unsqueeze(1)).solution.squeeze(1), atol=1e-8)
    assert opt.losses[-1] < opt.losses[0]


class ExpFit(L2Problem):
    """Residuals a * exp(-k t) - y for data generated with a = 2, k = 0.7 (optimum: zero residual)."""

    def __init__(self):
        self.t = torch.linspace(0, 3, 15, dtype=torch.float64)
        self.y = 2.0 * torch.exp(-0.7 * self.t)

    def __call__(self, x):
        a, k = x[0][0], x[0][1]
        return TensorList([a * torch.exp(-k * self.t) - self.y])


def test_gauss_newton_cg_reaches_optimum_of_nonlinear_least_squares():
    x = TensorList([torch.tensor([1.0, 0.3], dtype=torch.float64)])
    opt = GaussNewtonCG(ExpFit(), x)
    opt.run(2, num_gn_iter=10)
    assert torch.allclose(x[0], torch.tensor([2.0, 0.7], dtype=torch.float64), atol=1e-8)
    assert opt.losses[-1] < 1e-16
    assert all(b <= a + 1e-12 for a, b in zip(opt.losses, opt.losses[1:]))


def test_gauss_newton_cg_with_blockwise_inner_products():
    """Two independent blocks, inner products kept per block (as ECO does): each block's optimum."""
    g = torch.Generator().manual_seed(1)
    A1, A2 = torch.randn(10, 3, generator=g, dtype=torch.float64), torch.randn(8, 4, generator=g, dtype=torch.float64)
    b1, b2 = torch.randn(10, generator=g, dtype=torch.float64), torch.randn(8, generator=g, dtype=torch.float64)

    class Blocks(L2Problem):
        def __call__(self, x):
            return TensorList([A1 @ x[0] - b1, A2 @ x[1] - b2])

        def ip_input(self, a, b):
            return a.view(-1) @ b.view(-1)      # TensorList: one value per block

    x = TensorList([torch.zeros(3, dtype=torch.float64), torch.zeros(4, dtype=torch.float64)])
    GaussNewtonCG(Blocks(), x).run([4], None)
    assert torch.allclose(x[0], torch.linalg.lstsq(A1, b1.unsqueeze(1)).solution.squeeze(1), atol=1e-8)
    assert torch.allclose(x[1], torch.linalg.lstsq(A2, b2.unsqueeze(1)).solution.squeeze(1), atol=1e-8)


def test_gradient_descent_l2_decreases_loss():
    g = torch.Generator().manual_seed(2)
    A = torch.randn(20, 5, generator=g, dtype=torch.float64)
    b = torch.randn(20, generator=g, dtype=torch.float64)
    x = TensorList([torch.zeros(5, dtype=torch.float64)])
    opt = GradientDescentL2(LinearLS(A, b), x, step_length=0.005, momentum=0.5)
    opt.run(200)
    assert torch.allclose(x[0], torch.linalg.lstsq(A, b.unsqueeze(1)).solution.squeeze(1), atol=1e-4)


def test_newton_cg_minimises_quadratic_in_one_step():
    A, b = random_spd(6, seed=7)

    class Quad(MinimizationProblem):
        def __call__(self, x):
            return 0.5 * x[0] @ (A @ x[0]) - b @ x[0]

    x = TensorList([torch.zeros(6, dtype=torch.float64)])
    NewtonCG(Quad(), x).run(6)
    assert torch.allclose(x[0], torch.linalg.solve(A, b), atol=1e-8)
    assert not math.isnan(float(x[0].sum()))


def test_gauss_newton_needs_iteration_count():
    with pytest.raises(ValueError, match='num_gn_iter'):
        GaussNewtonCG(ExpFit(), TensorList([torch.ones(2, dtype=torch.float64)])).run(2)
