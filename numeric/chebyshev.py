r"""Chebyshev propagation ``exp(L t) X`` of a time-independent Lindblad generator (Tal-Ezer & Kosloff).

The Liouvillian of an oscillation-dominated model (bare frequencies far above the rates) has a
spectrum stretched along the imaginary axis. Write its numerical range (Hilbert-Schmidt inner
product ``<X, Y> = Tr X^+ Y``) as enclosed by the rectangle

.. math:: W(\mathcal L) \subset [a_-, a_+] \times i[-\Omega, \Omega],

with centre ``c = (a_- + a_+)/2`` and real half-width ``h = (a_+ - a_-)/2``. With
``Omega' = (1 + epsilon) Omega`` the operator ``A = (L - c) / (i Omega')`` has
``W(A) \subset [-p, p] x i[-q, q]``, ``p = 1/(1 + epsilon)``, ``q = h/Omega'``, and the
Jacobi-Anger expansion ``exp(i tau x) = sum_k (2 - delta_k0) i^k J_k(tau) T_k(x)`` gives

.. math:: e^{\mathcal L t} X = e^{ct} \sum_{k=0}^{N} (2 - \delta_{k0})\, i^k J_k(\Omega' t)\, T_k(A) X ,
          \qquad T_{k+1}(A) = 2 A T_k(A) - T_{k-1}(A),

one application of ``L`` per term and about one term per radian ``Omega' t``: the Bessel
functions ``J_k(tau)`` fall off super-exponentially once ``k > tau`` (with the widening and
the tails of the sub-steps below, 1.4-1.7 applications per radian of ``Omega`` on sps000).

**Error bound.** The smallest ellipse ``E_rho`` with foci ``+-1`` containing the rectangle
(it contains the rectangle iff it contains the corner ``(p, q)``) has semi-axes
``alpha = sqrt(u)``, ``beta = sqrt(u - 1)``, ``u = [1 + p^2 + q^2 + sqrt((1 + p^2 + q^2)^2 - 4 p^2)]/2``
and ``rho = alpha + beta``; on it ``|T_k| <= (rho^k + rho^-k)/2 <= rho^k``. By Crouzeix and Palencia
(2017), ``||f(A)|| <= (1 + sqrt 2) max_{W(A)} |f|`` for the operator norm induced by the
Hilbert-Schmidt (Frobenius) norm, so the truncated series errs by at most

.. math:: \|e^{\mathcal L t} - P_N(\mathcal L)\| \le (1+\sqrt2)\, e^{ct} \sum_{k>N} 2 |J_k(\Omega' t)|\, \rho^k ,

where the tail beyond the computed orders ``K`` uses ``|J_k(tau)| <= (tau/2)^k / k!``. The
same ``(1 + sqrt 2) e^{ct} sum_k |c_k| rho^k`` bounds the sum of the terms' norms: the
*growth*, by which float64 rounding (``eps`` per term) is amplified. ``epsilon`` trades terms
(``Omega'`` grows) against growth (``rho`` shrinks towards 1 only when ``q -> 0`` and
``epsilon >> q^2``); a step is split into sub-steps whose growth stays below ``MAX_GROWTH``,
and ``epsilon`` and the sub-step count are chosen for the fewest applications of ``L``.

**The rectangle** (:func:`numerical_range_box`). ``W(L) \subset W(R) + i W(I)`` with the
Hermitian and anti-Hermitian parts ``R = (L + L^+)/2``, ``I = (L - L^+)/(2i)`` (``L^+`` is the
Hilbert-Schmidt adjoint, i.e. the dual generator), and the numerical range of a Hermitian
operator is the interval of its eigenvalues, bounded by Gershgorin discs. On column-stacked
``vec X``, ``vec(A X B) = (B^T kron A) vec X``, ``Gamma = sum_k J_k^+ J_k``:

.. math:: R = -\tfrac12 (1\otimes\Gamma + \bar\Gamma\otimes 1)
              + \tfrac12\sum_k (\bar J_k\otimes J_k + J_k^T\otimes J_k^\dagger), \qquad
          I = \bar H\otimes 1 - 1\otimes H + \tfrac1{2i}\sum_k (\bar J_k\otimes J_k - J_k^T\otimes J_k^\dagger).

The Gershgorin radius of row ``(p, q)`` is bounded term by term (triangle inequality): a term
``A kron B`` contributes ``|A|_p |B|_q - |A_pp B_qq|`` (absolute row sums ``|.|_p``), so only
the ``d x d`` tables of diagonals and row sums are formed, never the ``d^2 x d^2`` matrices.
For the Hamiltonian this is Gershgorin on ``H`` itself: ``Omega <= max(E_p + r_p) - min(E_q - r_q)``
plus the jumps' share. The numerical range of the dual generator is the complex conjugate of
``W(L)``, so the same rectangle serves both directions. Assumptions: ``L`` time-independent
(lab frame: no rotating phases), ``H`` Hermitian.

**Why not Krylov.** Measured on the sps000 full model (d = 90, cooled state, 2 shared cores): an
Arnoldi basis reaches 1e-15 for a 196-radian step with 180 vectors, fewer than the 338
applications of this expansion, but its Gram-Schmidt (``O(m^2 d^2)``) took 3.8 s against 0.22 s;
restarted with 60 vectors over 49 radians it took 0.37 s against 98 applications (~0.06 s). The
generator is not normal, so no short (Lanczos) recurrence is available; Taylor
(``scipy.sparse.linalg.expm_multiply``) needed 11 101 applications for the 22 us gate against ~7 000.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np
import scipy.sparse as sps
from scipy.special import gammaln, jv

from qderive.symbolic import ModelError, ParameterError

from .generator import LindbladGenerator

CROUZEIX = 1.0 + math.sqrt(2.0)  # ||f(A)|| <= (1 + sqrt 2) max_{W(A)} |f| (Crouzeix & Palencia 2017)
# summed term norms of a sub-step over its input: rounding amplified to at most ~1e4 eps ~ 2e-12. Measured on
# sps000 (d = 90, 1 us steps): 1e2 / 1e3 / 1e4 / 1e5 cost 1.96 / 1.69 / 1.62 / 1.54 applications per radian
MAX_GROWTH = 1e4
EPSILONS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)  # widenings of the imaginary extent tried
BLOCK_ENTRIES = 2**20  # entries of the d x d Gershgorin tables formed at once (~8 arrays of this size)


def chebyshev_step_bytes(dimension: int, n_jumps: int) -> int:
    """Bytes of a Chebyshev propagation: the generator's ``n + 2`` scratch matrices, 4 recurrence buffers and
    ~6 state-sized arrays (input, result, Hermitian part, output checks).

    Examples
    --------
    >>> chebyshev_step_bytes(100, 2) == (2 + 12) * 100**2 * 16  # n + 12 complex d x d arrays
    True
    """
    return (n_jumps + 12) * dimension**2 * 16


@dataclass(frozen=True)
class NumericalRangeBox:
    """A rectangle ``[real_low, real_high] x i[-imag_half_width, imag_half_width]`` containing ``W(L)`` (rad/s).

    Examples
    --------
    >>> box = NumericalRangeBox(real_low=-3.0, real_high=-1.0, imag_half_width=5.0)
    >>> box.centre, box.real_half_width
    (-2.0, 1.0)
    """

    real_low: float
    real_high: float
    imag_half_width: float

    @property
    def centre(self) -> float:
        """Middle of the real extent: the damping ``c`` taken out as ``e^{c dt}``.

        Examples
        --------
        >>> NumericalRangeBox(-4.0, 0.0, 1.0).centre
        -2.0
        """
        return 0.5 * (self.real_low + self.real_high)

    @property
    def real_half_width(self) -> float:
        """Half the real extent of the box.

        Examples
        --------
        >>> NumericalRangeBox(-4.0, 0.0, 1.0).real_half_width
        2.0
        """
        return 0.5 * (self.real_high - self.real_low)


def _diagonal_and_row_sums(matrix: sps.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Diagonal, absolute row sums and absolute column sums of a sparse matrix."""
    absolute = abs(sps.csr_matrix(matrix))
    return (matrix.diagonal().astype(complex), np.asarray(absolute.sum(axis=1)).ravel(),
            np.asarray(absolute.sum(axis=0)).ravel())


def numerical_range_box(hamiltonian: sps.spmatrix, jump_operators: Sequence[sps.spmatrix]) -> NumericalRangeBox:
    """Gershgorin rectangle containing the numerical range of the Lindblad generator (module docstring).

    Parameters
    ----------
    hamiltonian : sparse matrix, Hermitian
    jump_operators : sequence of sparse matrices ``J_k = sqrt(gamma_k) L_k``

    Returns
    -------
    NumericalRangeBox

    Examples
    --------
    >>> import scipy.sparse as sps
    >>> box = numerical_range_box(sps.diags([0.0, 1.0]), [sps.csr_matrix([[0, 0.5], [0, 0]])])
    >>> box.imag_half_width >= 1.0, box.real_low <= -0.25
    (True, True)
    """
    h = sps.csr_matrix(hamiltonian, dtype=complex)
    d = h.shape[0]
    jumps = [sps.csr_matrix(j, dtype=complex) for j in jump_operators if j.nnz]
    gamma = sum((j.conj().T @ j for j in jumps), sps.csr_matrix((d, d), dtype=complex))
    energies, h_rows, _ = _diagonal_and_row_sums(h)
    energies = energies.real
    h_off = h_rows - np.abs(h.diagonal())
    g_diag, g_rows, _ = _diagonal_and_row_sums(gamma)
    g_diag = g_diag.real
    g_off = g_rows - np.abs(gamma.diagonal())
    tables = [_diagonal_and_row_sums(j) for j in jumps]
    real_low, real_high, imag_high = np.inf, -np.inf, -np.inf
    block = max(1, BLOCK_ENTRIES // max(d, 1))
    for start in range(0, d, block):
        p = slice(start, min(start + block, d))  # first Kronecker index (the factor acting from the right)
        real_diag = -0.5 * (g_diag[p, None] + g_diag[None, :])
        radius_common = np.zeros((p.stop - p.start, d))
        imag_diag = energies[p, None] - energies[None, :]
        for diagonal, rows, columns in tables:
            product = np.conj(diagonal[p, None]) * diagonal[None, :]
            real_diag += product.real
            imag_diag += product.imag
            moduli = np.abs(product)
            radius_common += 0.5 * ((rows[p, None] * rows[None, :] - moduli)
                                    + (columns[p, None] * columns[None, :] - moduli))
        real_radius = radius_common + 0.5 * (g_off[p, None] + g_off[None, :])
        imag_radius = radius_common + h_off[p, None] + h_off[None, :]
        real_low = min(real_low, float((real_diag - real_radius).min()))
        real_high = max(real_high, float((real_diag + real_radius).max()))
        imag_high = max(imag_high, float((np.abs(imag_diag) + imag_radius).max()))
    return NumericalRangeBox(real_low, real_high, imag_high)


def ellipse_parameter(p: float, q: float) -> float:
    """``rho = alpha + beta`` of the smallest ellipse with foci ``+-1`` containing ``[-p, p] x i[-q, q]``.

    Examples
    --------
    >>> ellipse_parameter(1.0, 0.0)  # the segment [-1, 1] itself: the degenerate ellipse rho = 1
    1.0
    >>> p, q = 0.5, 0.3  # the box's corner lies on the ellipse (rho + 1/rho)/2, (rho - 1/rho)/2
    >>> rho = ellipse_parameter(p, q)
    >>> a, b = (rho + 1 / rho) / 2, (rho - 1 / rho) / 2
    >>> round((p / a) ** 2 + (q / b) ** 2, 12)
    1.0
    """
    s = 1.0 + p * p + q * q
    u = 0.5 * (s + math.sqrt(max(s * s - 4.0 * p * p, 0.0)))
    return math.sqrt(u) + math.sqrt(max(u - 1.0, 0.0))


@dataclass(frozen=True)
class SubStep:
    """One Chebyshev sub-step: ``exp(L dt) ~ sum_k coefficients[k] T_k((L - centre)/(i scale))``.

    Examples
    --------
    >>> sub = plan_substep(NumericalRangeBox(-1.0, 0.0, 10.0), 0.1, 0.1, 1e-10)
    >>> sub.truncation_bound <= 1e-10, len(sub.coefficients) > 2, sub.centre
    (True, True, -0.5)
    """

    duration: float
    centre: float
    scale: float  # Omega' (rad/s)
    coefficients: np.ndarray  # e^{c dt} (2 - delta_k0) i^k J_k(Omega' dt), k = 0..N
    truncation_bound: float  # bound on the operator-norm error of the truncated series
    growth: float  # bound on the summed norms of the terms over the input norm (rounding amplification)


def _log_bessel_bound(k: np.ndarray, tau: float) -> np.ndarray:
    """``log((tau/2)^k / k!)``, a bound on ``log |J_k(tau)|`` for real ``tau >= 0``."""
    return k * math.log(max(tau, 1e-300) / 2.0) - gammaln(k + 1.0)


def plan_substep(box: NumericalRangeBox, duration: float, epsilon: float, tolerance: float) -> SubStep:
    """The fewest terms whose truncation bound (module docstring) is at most ``tolerance``.

    Examples
    --------
    >>> from scipy.special import jv
    >>> box = NumericalRangeBox(0.0, 0.0, 1.0)  # a purely oscillating generator, no damping
    >>> sub = plan_substep(box, 2.0, 0.0, 1e-12)
    >>> bool(np.isclose(sub.coefficients[0], jv(0, 2.0)))  # exp(i x t) = J_0(t) + 2 sum_k i^k J_k(t) T_k(x)
    True
    """
    scale = (1.0 + epsilon) * box.imag_half_width
    if scale <= 0:  # no oscillation at all: the rectangle degenerates; widen it to the damping scale
        scale = max(box.real_half_width, 1e-300)
    tau = scale * duration
    rho = ellipse_parameter(box.imag_half_width / scale, box.real_half_width / scale)
    log_rho = math.log(rho)
    damping = box.centre * duration
    # beyond K the rigorous tail sum_{k>K} (tau rho/2)^k/k! is below tolerance * 1e-3 (ratio of terms <= 1/2)
    orders = int(math.ceil(max(tau * rho, 1.0))) + 8
    while True:
        k = np.arange(orders + 1, dtype=float)
        log_tail = _log_bessel_bound(k[-1] + 1.0, tau) + (k[-1] + 1.0) * log_rho
        if tau * rho / (2.0 * (orders + 2.0)) <= 0.5 and \
                math.log(CROUZEIX * 4.0) + damping + log_tail <= math.log(tolerance * 1e-3):
            break
        orders = int(orders * 1.25) + 8
    bessel = np.abs(jv(k, tau))
    weights = np.where(k == 0, 1.0, 2.0)
    with np.errstate(divide="ignore", over="ignore"):
        terms = CROUZEIX * math.exp(damping) * weights * np.exp(np.log(bessel) + k * log_rho)
    remainder = CROUZEIX * 4.0 * math.exp(damping + log_tail)
    tails = np.cumsum(terms[::-1])[::-1] + remainder  # tails[n] = bound on sum_{k >= n}
    fits = np.nonzero(np.append(tails[1:], remainder) <= tolerance)[0]
    n = max(1, int(fits[0]) if fits.size else orders)  # at least T_0 and T_1
    coefficients = math.exp(damping) * weights[: n + 1] * (1j ** (k[: n + 1] % 4)) * jv(k[: n + 1], tau)
    return SubStep(duration, box.centre, scale, coefficients.astype(complex),
                   float(tails[n + 1] if n + 1 < tails.size else remainder), float(terms[: n + 1].sum()))


@dataclass(frozen=True)
class StepPlan:
    """``count`` equal sub-steps covering one output step.

    Examples
    --------
    >>> plan = plan_step(NumericalRangeBox(-1.0, 0.0, 10.0), 1.0, 1e-10)
    >>> plan.count >= 1, plan.applications == plan.count * (len(plan.substep.coefficients) - 1)
    (True, True)
    """

    count: int
    substep: SubStep

    @property
    def applications(self) -> int:
        """Applications of ``L`` over the whole step: ``count`` times the sub-step's order.

        Examples
        --------
        >>> sub = plan_substep(NumericalRangeBox(-1.0, 0.0, 10.0), 0.5, 0.1, 1e-10)
        >>> StepPlan(2, sub).applications == 2 * (len(sub.coefficients) - 1)
        True
        """
        return self.count * (len(self.substep.coefficients) - 1)


def plan_step(box: NumericalRangeBox, step: float, tolerance: float) -> StepPlan:
    """Sub-steps and widening ``epsilon`` with the fewest applications of ``L`` over ``step``.

    The truncation bound of the whole step is ``tolerance`` (split evenly over its sub-steps); each
    sub-step's growth stays below ``MAX_GROWTH``.

    Examples
    --------
    >>> box = NumericalRangeBox(-1.0, 0.0, 10.0)
    >>> short, long = plan_step(box, 0.1, 1e-10), plan_step(box, 10.0, 1e-10)
    >>> short.applications < long.applications, long.substep.growth <= MAX_GROWTH  # growth kept bounded by sub-steps
    (True, True)
    """
    best = None
    for epsilon in EPSILONS:
        scale = (1.0 + epsilon) * box.imag_half_width or max(box.real_half_width, 1e-300)
        rho = ellipse_parameter(box.imag_half_width / scale, box.real_half_width / scale)
        semi_minor = 0.5 * (rho - 1.0 / rho)
        # growth ~ exp(tau * semi_minor + c dt): first guess of the sub-step count, then raised until it holds
        exponent = step * (scale * semi_minor + box.centre)
        count = max(1, int(math.floor(exponent / math.log(MAX_GROWTH))))
        for _ in range(200):
            sub = plan_substep(box, step / count, epsilon, tolerance / count)
            if sub.growth <= MAX_GROWTH:
                break
            count = max(count + 1, int(count * 1.15))
        plan = StepPlan(count, sub)
        if best is None or plan.applications < best.applications:
            best = plan
    return best


@nb.njit(cache=True)
def _recurrence(applied, current, previous, total, factor, centre, coefficient):  # pragma: no cover - compiled
    """``previous <- factor (applied - centre current) - previous`` (the next ``T_k`` term) and
    ``total += coefficient previous``."""
    flat_a, flat_c, flat_p, flat_t = applied.ravel(), current.ravel(), previous.ravel(), total.ravel()
    for i in range(flat_a.size):
        value = factor * (flat_a[i] - centre * flat_c[i]) - flat_p[i]
        flat_p[i] = value
        flat_t[i] += coefficient * value


class ChebyshevPropagator:
    """``X -> exp(L dt) X`` for a time-independent generator, one plan per distinct step length.

    Parameters
    ----------
    generator : LindbladGenerator
        Lab frame, time-independent (forward or ``dual=True``).
    box : NumericalRangeBox
        Rectangle containing ``W(L)`` (the dual's range is its mirror image, so the same box serves).
    tolerance : float
        Bound on the truncation error of each :meth:`propagate` call, in the operator norm induced
        by the Frobenius norm.

    Examples
    --------
    A decaying qubit from ``|e>`` (level 1): its excited population after ``t`` is ``exp(-gamma t)``.

    >>> from qderive.numeric import fock_model
    >>> from qderive.numeric.generator import LindbladGenerator
    >>> from qderive.symbolic.library import driven_qubit
    >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})
    >>> box = numerical_range_box(fock.hamiltonian, fock.jump_operators)
    >>> propagator = ChebyshevPropagator(LindbladGenerator(fock, "lab"), box, 1e-10)
    >>> rho_t = propagator.propagate(np.diag([0.0, 1.0]).astype(complex), 2.0)
    >>> bool(abs(rho_t[1, 1].real - np.exp(-0.5 * 2.0)) < 1e-9)
    True
    """

    def __init__(self, generator: LindbladGenerator, box: NumericalRangeBox, tolerance: float):
        if generator.time_dependent or generator.rotating:
            raise ModelError("Chebyshev propagation needs a time-independent generator in the lab frame")
        if not 0 < tolerance < 1:
            raise ParameterError(f"tolerance must lie in (0, 1), got {tolerance!r}")
        self.generator = generator
        self.box = box
        self.tolerance = tolerance
        self._plans: dict[float, StepPlan] = {}
        d = generator.dimension
        self._buffers = np.empty((4, d, d), dtype=complex)

    def plan(self, step: float) -> StepPlan:
        """The sub-step plan of an output step (cached by its length rounded to 12 digits).

        Examples
        --------
        >>> from qderive.numeric import fock_model
        >>> from qderive.numeric.generator import LindbladGenerator
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5})
        >>> box = numerical_range_box(fock.hamiltonian, fock.jump_operators)
        >>> propagator = ChebyshevPropagator(LindbladGenerator(fock, "lab"), box, 1e-10)
        >>> propagator.plan(0.1 + 0.2) is propagator.plan(0.3)  # steps equal to 12 digits share one plan
        True
        """
        key = float(f"{step:.12g}")
        if key not in self._plans:
            self._plans[key] = plan_step(self.box, key, self.tolerance)
        return self._plans[key]

    def trajectory(self, x0: np.ndarray, times: np.ndarray, stats: dict, hermitian: bool = False,
                   ) -> Iterator[np.ndarray]:
        """``exp(L (t - times[0])) x0`` at ``times`` (a generator, the first is ``x0``).

        ``hermitian``: the input is Hermitian, so is the exact result; the Hermitian part of each
        propagated state is returned (the projection cannot move it away from the exact one).

        Examples
        --------
        >>> from qderive.numeric import fock_model
        >>> from qderive.numeric.generator import LindbladGenerator
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})  # free decay
        >>> box = numerical_range_box(fock.hamiltonian, fock.jump_operators)
        >>> propagator = ChebyshevPropagator(LindbladGenerator(fock, "lab"), box, 1e-12)
        >>> excited = np.diag([0.0, 1.0]).astype(complex)
        >>> states = list(propagator.trajectory(excited, np.array([0.0, 1.0, 2.0]), {}))
        >>> bool(np.allclose([rho[1, 1].real for rho in states], np.exp(-0.5 * np.array([0.0, 1.0, 2.0]))))
        True
        """
        stats.setdefault("num_rhs", 0)
        stats.setdefault("num_steps", 0)
        x = np.array(x0, dtype=complex)
        yield x
        for step in np.diff(times):
            x = self.propagate(x, float(step), stats)
            if hermitian:
                x = 0.5 * (x + x.conj().T)
            yield x

    def propagate(self, x: np.ndarray, step: float, stats: dict | None = None) -> np.ndarray:
        """``exp(L step) x`` for a ``(d, d)`` operator ``x``; ``stats`` counts ``num_rhs`` and ``num_steps``.

        Examples
        --------
        >>> import scipy.linalg as sla
        >>> from qderive.numeric import fock_model, liouvillian
        >>> from qderive.numeric.generator import LindbladGenerator
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 0.3, "Omega": 1.0, "gamma": 0.5})
        >>> box = numerical_range_box(fock.hamiltonian, fock.jump_operators)
        >>> rho0 = np.diag([1.0, 0.0]).astype(complex)
        >>> rho = ChebyshevPropagator(LindbladGenerator(fock, "lab"), box, 1e-12).propagate(rho0, 2.0)
        >>> L = liouvillian(fock.hamiltonian, fock.jump_operators).toarray()
        >>> exact = (sla.expm(2.0 * L) @ rho0.ravel(order="F")).reshape(2, 2, order="F")
        >>> bool(np.allclose(rho, exact, atol=1e-10))  # the dense matrix exponential agrees
        True
        """
        if step == 0:
            return np.array(x, dtype=complex)
        plan = self.plan(step)
        sub = plan.substep
        factor = -2j / sub.scale
        applied, current, previous, total = self._buffers
        result = np.array(x, dtype=complex)
        for _ in range(plan.count):
            previous[...] = result
            self.generator.apply(0.0, previous, applied)
            np.multiply(applied - sub.centre * previous, 0.5 * factor, out=current)
            np.multiply(previous, sub.coefficients[0], out=total)
            total += sub.coefficients[1] * current
            for coefficient in sub.coefficients[2:]:
                self.generator.apply(0.0, current, applied)
                _recurrence(applied, current, previous, total, factor, sub.centre, coefficient)
                current, previous = previous, current
            result[...] = total
        if stats is not None:
            stats["num_rhs"] += plan.applications
            stats["num_steps"] += plan.count
            stats["truncation_error_bound"] = stats.get("truncation_error_bound", 0.0) + \
                plan.count * sub.truncation_bound
        return result
