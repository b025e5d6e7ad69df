"""Optimisers for the DCF trackers (pytracking ``libs/optimization.py`` semantics).

* :class:`L2Problem`: a least-squares problem ``min ||r(x)||^2`` given by its residuals ``r(x)``.
* :class:`MinimizationProblem`: a general scalar objective ``min f(x)``.
* :class:`ConjugateGradientBase`: preconditioned (Fletcher-Reeves or Polak-Ribiere, beta clamped at 0)
  conjugate gradient on ``A x = b`` where subclasses supply ``A``, ``b``, ``ip`` and the preconditioners;
  keeps its search direction between calls when ``direction_forget_factor > 0`` (ECO/ATOM warm start).
* :class:`ConjugateGradient`: one linear least-squares solve (normal equations by double autograd).
* :class:`GaussNewtonCG`: Gauss-Newton with CG for the linearised normal equations.
* :class:`GradientDescentL2`, :class:`GradientDescent`, :class:`NewtonCG`.

Variables are TensorLists of *real* tensors (a problem with complex unknowns exposes them as real
pairs, e.g. ``torch.view_as_real``); inner products may return a TensorList (one value per block,
as ECO keeps the blocks of its features separate) or a scalar. ``torch.autograd.grad`` is always
called with tuples (it rejects TensorList arguments).
"""
from __future__ import annotations

from typing import List, Optional, Tuple, Union

import torch

from pytracking.libs.tensorlist import TensorList

__all__ = ['L2Problem', 'MinimizationProblem', 'ConjugateGradientBase', 'ConjugateGradient', 'GaussNewtonCG',
           'GradientDescentL2', 'GradientDescent', 'NewtonCG']

Scalar = Union[torch.Tensor, TensorList]


def _sum_all(v: Scalar) -> torch.Tensor:
    """A single scalar from a scalar or a TensorList of scalars."""
    if isinstance(v, TensorList):
        return sum(e.sum() for e in v)
    return v.sum()


def _grad(outputs, inputs, grad_outputs=None, **kwargs) -> TensorList:
    return TensorList(torch.autograd.grad(tuple(outputs), tuple(inputs),
                                          None if grad_outputs is None else tuple(grad_outputs), **kwargs))


class _VariableSpace:
    """What both problem kinds define on their variable: the inner product and the preconditioners."""

    def ip_input(self, a: TensorList, b: TensorList) -> Scalar:
        """Inner product in the input (variable) space."""
        return sum(a.reshape(-1) @ b.reshape(-1))

    def M1(self, x: TensorList) -> TensorList:
        """Left preconditioner (identity)."""
        return x

    def M2(self, x: TensorList) -> TensorList:
        """Right preconditioner (identity)."""
        return x


class L2Problem(_VariableSpace):
    """Least squares ``min_x ||r(x)||^2``: ``__call__(x)`` returns the residual TensorList ``r(x)``."""

    def __call__(self, x: TensorList) -> TensorList:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(x) -> residuals")

    def ip_output(self, a: TensorList, b: TensorList) -> Scalar:
        """Inner product in the residual space."""
        return sum(a.reshape(-1) @ b.reshape(-1))


class MinimizationProblem(_VariableSpace):
    """General minimisation ``min_x f(x)``: ``__call__(x)`` returns the scalar loss."""

    def __call__(self, x: TensorList) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(x) -> scalar loss")


class ConjugateGradientBase:
    """Preconditioned conjugate gradient for ``A x = b`` (A symmetric positive semi-definite).

    args:
        fletcher_reeves: beta = rho/rho_prev (True) or Polak-Ribiere (False); beta is clamped at 0.
        standard_alpha: alpha = rho / <p, Ap> (True) or <p, r> / <p, Ap>.
        direction_forget_factor: 0 resets the search direction on every :meth:`run_CG`; otherwise
            the previous direction is kept and ``rho`` divided by this factor (warm start).
        debug: record the residual norms.
    Subclasses provide ``A``, ``ip`` and set ``self.b``; ``M1``/``M2`` default to the identity.
    """

    def __init__(self, fletcher_reeves: bool = True, standard_alpha: bool = True,
                 direction_forget_factor: float = 0.0, debug: bool = False) -> None:
        self.fletcher_reeves = fletcher_reeves
        self.standard_alpha = standard_alpha
        self.direction_forget_factor = direction_forget_factor
        self.debug = debug
        self.p = None
        self.rho = torch.ones(1)
        self.r_prev = None
        self.b = None

    def reset_state(self) -> None:
        """Forget the search direction."""
        self.p = None
        self.rho = torch.ones(1)
        self.r_prev = None

    def run_CG(self, num_iter: int, x: Optional[TensorList] = None, eps: float = 0.0
               ) -> Tuple[TensorList, Optional[torch.Tensor]]:
        """At most `num_iter` CG iterations from `x` (None = 0); stops when the residual norm is <= `eps`
        (when `eps` > 0) or ``rho`` is zero. Returns ``(x, residual norms or None)``."""
        if self.direction_forget_factor == 0:
            self.reset_state()
        elif self.p is not None:
            self.rho = self.rho / self.direction_forget_factor

        r = self.b.clone() if x is None else self.b - self.A(x)
        resvec = None
        if self.debug:
            resvec = torch.zeros(num_iter + 1)
            resvec[0] = self.residual_norm(r)

        for ii in range(num_iter):
            z = self.M2(self.M1(r))
            rho_prev = self.rho
            self.rho = self.ip(r, z)
            if self.check_zero(self.rho):
                if resvec is not None:
                    resvec = resvec[:ii + 1]
                break
            if self.p is None:
                self.p = z.clone()
            else:
                if self.fletcher_reeves:
                    beta = self.rho / rho_prev
                else:
                    beta = (self.rho - self.ip(self.r_prev, z)) / rho_prev
                beta = beta.clamp(0)
                self.p = z + self.p * beta

            q = self.A(self.p)
            pq = self.ip(self.p, q)
            alpha = self.rho / pq if self.standard_alpha else self.ip(self.p, r) / pq
            if not self.fletcher_reeves:
                self.r_prev = r.clone()
            x = self.p * alpha if x is None else x + self.p * alpha

            if ii < num_iter - 1 or eps > 0 or self.debug:
                r = r - q * alpha
            if eps > 0 or self.debug:
                normr = self.residual_norm(r)
                if resvec is not None:
                    resvec[ii + 1] = normr
                if eps > 0 and normr <= eps:
                    if resvec is not None:
                        resvec = resvec[:ii + 2]
                    break
        if x is None:
            x = self.b * 0
        return x, resvec

    def A(self, x: TensorList) -> TensorList:
        raise NotImplementedError(f"{type(self).__name__} must implement A(x)")

    def ip(self, a: TensorList, b: TensorList) -> Scalar:
        """Inner product used by CG (default: plain dot product over all elements)."""
        return a.reshape(-1) @ b.reshape(-1)

    def residual_norm(self, r: TensorList) -> torch.Tensor:
        """Euclidean norm of the residual under :meth:`ip`."""
        return _sum_all(self.ip(r, r)).sqrt()

    def check_zero(self, s: Scalar, eps: float = 0.0) -> bool:
        """True when any of the inner products in `s` is (numerically) zero."""
        if isinstance(s, TensorList):
            return any(bool((e.abs() <= eps).any()) for e in s)
        return bool((s.abs() <= eps).any())

    def M1(self, x: TensorList) -> TensorList:
        return x

    def M2(self, x: TensorList) -> TensorList:
        return x


class _ProblemCG(ConjugateGradientBase):
    """CG on a problem's `variable` (updated in place), with the inner product and preconditioners of the
    problem's variable space; ``losses`` collects the objective values the solver reports."""

    def __init__(self, problem: _VariableSpace, variable: TensorList, cg_eps: float, fletcher_reeves: bool,
                 standard_alpha: bool, direction_forget_factor: float, debug: bool) -> None:
        super().__init__(fletcher_reeves, standard_alpha, direction_forget_factor, debug)
        self.problem = problem
        self.x = variable
        self.cg_eps = cg_eps
        self.f0 = None
        self.losses: List[float] = []

    def ip(self, a: TensorList, b: TensorList) -> Scalar:
        return self.problem.ip_input(a, b)

    def M1(self, x: TensorList) -> TensorList:
        return self.problem.M1(x)

    def M2(self, x: TensorList) -> TensorList:
        return self.problem.M2(x)


class _AutogradNormalEquations(_ProblemCG):
    """CG on the Gauss-Newton normal equations ``J^T J dx = -J^T r`` of an :class:`L2Problem`,
    with the Jacobian products from double autograd (no Jacobian is ever formed)."""

    def __init__(self, problem: L2Problem, variable: TensorList, cg_eps: float, fletcher_reeves: bool,
                 standard_alpha: bool, direction_forget_factor: float, debug: bool) -> None:
        super().__init__(problem, variable, cg_eps, fletcher_reeves, standard_alpha, direction_forget_factor, debug)
        self.g = None
        self.dfdxt_g = None
        self.residuals: List[torch.Tensor] = []

    def clear_temp(self) -> None:
        self.f0 = self.g = self.dfdxt_g = None

    def _linearise(self) -> None:
        """Residuals at the current x and ``J^T g`` as a function of a dummy g (for J p products)."""
        self.x.requires_grad_(True)
        self.f0 = self.problem(self.x)
        self.g = self.f0.detach()
        self.g.requires_grad_(True)
        self.dfdxt_g = _grad(self.f0, self.x, self.g, create_graph=True)
        self.b = -self.dfdxt_g.detach()

    def _cg_step(self, num_cg_iter: int) -> torch.Tensor:
        """Linearise, solve for the step and apply it; returns the loss before the step."""
        self._linearise()
        loss = _sum_all(self.problem.ip_output(self.f0, self.f0)).detach()
        self.losses.append(float(loss))
        delta_x, res = self.run_CG(num_cg_iter, eps=self.cg_eps)
        if res is not None:
            self.residuals.append(res)
        self.x.detach_()
        self.x += delta_x
        return loss

    def A(self, x: TensorList) -> TensorList:
        dfdx_x = _grad(self.dfdxt_g, self.g, x, retain_graph=True)
        return _grad(self.f0, self.x, dfdx_x, retain_graph=True)

    def final_loss(self) -> float:
        """Loss at the current x (also appended to ``losses``)."""
        with torch.no_grad():
            f = self.problem(self.x)
            loss = float(_sum_all(self.problem.ip_output(f, f)))
        self.losses.append(loss)
        return loss


class ConjugateGradient(_AutogradNormalEquations):
    """One Gauss-Newton step solved by CG: exact for a problem whose residuals are linear in x.

    ``run(num_cg_iter)`` updates `variable` in place and returns it; ``losses`` holds the loss
    before and after."""

    def __init__(self, problem: L2Problem, variable: TensorList, cg_eps: float = 0.0, fletcher_reeves: bool = True,
                 standard_alpha: bool = True, direction_forget_factor: float = 0.0, debug: bool = False) -> None:
        super().__init__(problem, variable, cg_eps, fletcher_reeves, standard_alpha, direction_forget_factor, debug)

    def run(self, num_cg_iter: int) -> TensorList:
        if num_cg_iter == 0:
            return self.x
        self._cg_step(num_cg_iter)
        self.clear_temp()
        self.final_loss()
        return self.x


class GaussNewtonCG(_AutogradNormalEquations):
    """Gauss-Newton for an :class:`L2Problem`, each step solved by `num_cg_iter` CG iterations.

    ``run(num_cg_iter, num_gn_iter=None)``: `num_cg_iter` is an int (same for every GN step, with
    `num_gn_iter` steps) or a list (one entry per GN step). The CG direction is reset at every GN
    step unless ``direction_forget_factor > 0``. Updates `variable` in place; ``losses`` holds the
    loss before every step and at the end."""

    def __init__(self, problem: L2Problem, variable: TensorList, cg_eps: float = 0.0, fletcher_reeves: bool = True,
                 standard_alpha: bool = True, direction_forget_factor: float = 0.0, debug: bool = False) -> None:
        super().__init__(problem, variable, cg_eps, fletcher_reeves, standard_alpha, direction_forget_factor, debug)

    def run(self, num_cg_iter: Union[int, List[int]], num_gn_iter: Optional[int] = None) -> TensorList:
        if isinstance(num_cg_iter, int):
            if num_gn_iter is None:
                raise ValueError("GaussNewtonCG.run: give num_gn_iter or a list of CG iterations per GN step")
            num_cg_iter = [num_cg_iter] * num_gn_iter
        elif num_gn_iter is not None and num_gn_iter != len(num_cg_iter):
            raise ValueError(f"GaussNewtonCG.run: {len(num_cg_iter)} CG counts for {num_gn_iter} GN steps")
        for cg_iter in num_cg_iter:
            if cg_iter > 0:
                self._cg_step(cg_iter)
                self.clear_temp()
        self.final_loss()
        return self.x


class GradientDescentL2:
    """Gradient descent with momentum on an :class:`L2Problem` (loss ``ip_output(r, r)``)."""

    def __init__(self, problem: L2Problem, variable: TensorList, step_length: float, momentum: float = 0.0,
                 debug: bool = False) -> None:
        self.problem = problem
        self.x = variable
        self.step_length = step_length
        self.momentum = momentum
        self.debug = debug
        self.losses: List[float] = []
        self.dir = None

    def clear_temp(self) -> None:
        self.dir = None

    def loss(self, x: TensorList) -> torch.Tensor:
        """The scalar objective at `x`: ``ip_output(r(x), r(x))`` summed."""
        f0 = self.problem(x)
        return _sum_all(self.problem.ip_output(f0, f0))

    def run(self, num_iter: int, dummy=None) -> TensorList:
        for _ in range(num_iter):
            self.x.requires_grad_(True)
            loss = self.loss(self.x)
            grad = _grad([loss], self.x)
            self.dir = grad if self.dir is None else grad + self.momentum * self.dir
            self.x.detach_()
            self.x -= self.step_length * self.dir
            self.losses.append(float(loss.detach()))
        return self.x


class GradientDescent(GradientDescentL2):
    """Gradient descent with momentum on a :class:`MinimizationProblem`."""

    def loss(self, x: TensorList) -> torch.Tensor:
        """The problem's scalar loss at `x`."""
        return self.problem(x)


class NewtonCG(_ProblemCG):
    """Newton's method on a :class:`MinimizationProblem`, each step solved by CG with
    Hessian-vector products from double autograd."""

    def __init__(self, problem: MinimizationProblem, variable: TensorList, cg_eps: float = 0.0,
                 fletcher_reeves: bool = True, standard_alpha: bool = True, direction_forget_factor: float = 0.0,
                 debug: bool = False) -> None:
        super().__init__(problem, variable, cg_eps, fletcher_reeves, standard_alpha, direction_forget_factor, debug)
        self.grad = None

    def run(self, num_cg_iter: Union[int, List[int]], num_newton_iter: Optional[int] = None) -> TensorList:
        if isinstance(num_cg_iter, int):
            num_cg_iter = [num_cg_iter] * (1 if num_newton_iter is None else num_newton_iter)
        for cg_iter in num_cg_iter:
            self.x.requires_grad_(True)
            self.f0 = self.problem(self.x)
            self.grad = _grad([self.f0], self.x, create_graph=True)
            self.b = -self.grad.detach()
            self.losses.append(float(self.f0.detach()))
            delta_x, _ = self.run_CG(cg_iter, eps=self.cg_eps)
            self.x.detach_()
            self.x += delta_x
            self.f0 = self.grad = None
        with torch.no_grad():
            self.losses.append(float(self.problem(self.x)))
        return self.x

    def A(self, x: TensorList) -> TensorList:
        return _grad(self.grad, self.x, x, retain_graph=True)
