r"""Harmonic balance: periodic steady state of linear equations driven by several tones.

The equations (moment equations of a driven system, e.g. ``<s_ij>`` of an n-level system) are

.. math:: \dot x = A_0 x + b_0 + \sum_k \big[(A_k^+ x + b_k^+) e^{-i\omega_k t}
          + (A_k^- x + b_k^-) e^{+i\omega_k t}\big] .

Their steady state (all eigenvalues of ``A_0`` in the open left half plane) is quasi-periodic,
``x(t) = sum_m x^(m) exp(-i t sum_k m_k omega_k)`` with integer multi-indices ``m``. Matching
harmonics gives the linear system

.. math:: -i(m\cdot\omega)\, x^{(m)} = A_0 x^{(m)} + b_0\delta_{m,0}
          + \sum_k \big[A_k^+ x^{(m-e_k)} + A_k^- x^{(m+e_k)} + b_k^+\delta_{m,e_k} + b_k^-\delta_{m,-e_k}\big],

truncated at ``|m_k| <= K_k`` and solved as one sparse system (SuperLU). Truncation is the only
approximation: :func:`harmonic_balance` repeats the solve with every order raised by one and
raises :class:`ConvergenceError` if the harmonics kept at order ``K`` moved by more than ``tol``
(relative to the largest harmonic). Harmonics of equal frequency ``m . omega`` (commensurate
tones) are kept distinct, which is exact as long as ``A_0`` has no eigenvalue on the imaginary axis.

:func:`small_signal_expansion` gives the Taylor coefficients of the solution in the amplitude
``epsilon`` of one tone (``A_k^+- , b_k^+- -> epsilon A_k^+-, epsilon b_k^+-``): for an output linear
in ``x`` the slope with respect to the signal power ``epsilon^2`` at ``epsilon -> 0`` is that output
evaluated on the second-order coefficient, and for ``|linear output|^2`` it is the squared
modulus on the first-order one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla
import sympy as sp

from qderive.symbolic import TIME, ConvergenceError, ModelError, ParameterError

from .fock import FockModel, _monomial_matrix
from .liouvillian import liouvillian


@dataclass(frozen=True)
class Tone:
    """One drive tone: ``(A^+ x + b^+) e^{-i omega t} + (A^- x + b^-) e^{+i omega t}``.

    Examples
    --------
    >>> g, omega, b = 1.0, 2.0, 0.5  # dx/dt = -g x + b exp(-i omega t)
    >>> equations = MomentEquations(np.array([[-g]]), np.zeros(1), (Tone(omega, np.zeros((1, 1)), np.zeros((1, 1)),
    ...                             source_plus=np.array([b])),))
    >>> x1 = harmonic_balance(equations, 1)[(1,)][0]
    >>> bool(np.isclose(x1, b / (g - 1j * omega)))  # the driven response b / (g - i omega)
    True
    """

    frequency: float
    plus: np.ndarray
    minus: np.ndarray
    source_plus: np.ndarray | None = None
    source_minus: np.ndarray | None = None


@dataclass(frozen=True)
class MomentEquations:
    """``dx/dt = A_0 x + b_0 + sum_k tone_k`` with numeric matrices (see the module docstring).

    Examples
    --------
    >>> silent = Tone(1.0, np.zeros((1, 1)), np.zeros((1, 1)))  # a tone of zero amplitude
    >>> equations = MomentEquations(np.array([[-1.0]]), np.array([2.0]), (silent,))  # dx/dt = -x + 2
    >>> bool(np.allclose(harmonic_balance(equations, 1)[(0,)], [2.0]))  # the fixed point x = 2
    True
    >>> MomentEquations(np.zeros((2, 2)), np.zeros(3))
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: drift must be (n, n) and source (n,), got (2, 2), (3,)
    """

    drift: np.ndarray
    source: np.ndarray
    tones: tuple[Tone, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        n = np.shape(self.drift)[0]
        if np.shape(self.drift) != (n, n) or np.shape(self.source) != (n,):
            raise ParameterError(
                f"drift must be (n, n) and source (n,), got {np.shape(self.drift)}, {np.shape(self.source)}"
            )
        for k, tone in enumerate(self.tones):
            for name in ("plus", "minus"):
                if np.shape(getattr(tone, name)) != (n, n):
                    raise ParameterError(f"tone {k}: '{name}' must be ({n}, {n}), got {np.shape(getattr(tone, name))}")
            for name in ("source_plus", "source_minus"):
                value = getattr(tone, name)
                if value is not None and np.shape(value) != (n,):
                    raise ParameterError(f"tone {k}: '{name}' must have shape ({n},), got {np.shape(value)}")

    @property
    def size(self) -> int:
        """Number of variables ``n``.

        Examples
        --------
        >>> MomentEquations(np.eye(3), np.zeros(3)).size
        3
        """
        return int(np.shape(self.drift)[0])


@dataclass(frozen=True)
class HarmonicSolution:
    """Harmonics ``x^(m)`` for every multi-index ``m`` with ``|m_k| <= orders[k]``.

    Examples
    --------
    >>> g, omega = 1.0, 2.0
    >>> zero, one = np.zeros((1, 1)), np.ones(1)
    >>> tone = Tone(omega, zero, zero, source_plus=one, source_minus=one)
    >>> solution = harmonic_balance(MomentEquations(np.array([[-g]]), np.zeros(1), (tone,)), 1)
    >>> t = 0.7  # dx/dt = -g x + 2 cos(omega t): x(t) = 2 (g cos + omega sin) / (g^2 + omega^2)
    >>> bool(np.isclose(solution(t)[0], 2 * (g * np.cos(omega * t) + omega * np.sin(omega * t)) / (g**2 + omega**2)))
    True
    """

    orders: tuple[int, ...]
    frequencies: tuple[float, ...]
    harmonics: dict[tuple[int, ...], np.ndarray]

    def __getitem__(self, m: tuple[int, ...]) -> np.ndarray:
        """``x^(m)``; zero outside the kept orders."""
        m = tuple(m)
        if len(m) != len(self.orders):
            raise ParameterError(f"harmonic index needs {len(self.orders)} integers, got {m}")
        return self.harmonics.get(m, np.zeros_like(self.harmonics[(0,) * len(m)]))

    def __call__(self, t: float | np.ndarray) -> np.ndarray:
        """``x(t) = sum_m x^(m) exp(-i t m . omega)`` (shape ``(n,)`` or ``(len(t), n)``)."""
        t = np.asarray(t, dtype=float)
        total = sum(np.multiply.outer(np.exp(-1j * t * np.dot(m, self.frequencies)), x)
                    for m, x in self.harmonics.items())
        return total


def _multi_indices(orders: Sequence[int]) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(-k, k + 1) for k in orders)))


def _system(equations: MomentEquations, orders: Sequence[int],
            scale: Sequence[float]) -> tuple[sps.csc_matrix, np.ndarray, list]:
    """Sparse matrix ``M`` and right-hand side ``r`` of ``M X = r`` for the truncated harmonics."""
    n = equations.size
    indices = _multi_indices(orders)
    position = {m: i for i, m in enumerate(indices)}
    frequencies = np.array([tone.frequency for tone in equations.tones])
    shifts = np.array([1j * np.dot(m, frequencies) for m in indices]) if equations.tones else np.zeros(1, dtype=complex)
    blocks = sps.kron(sps.identity(len(indices)), sps.csr_matrix(equations.drift, dtype=complex)) + sps.kron(
        sps.diags(shifts), sps.identity(n))
    rhs = np.zeros((len(indices), n), dtype=complex)
    rhs[position[(0,) * len(orders)]] -= equations.source
    for k, (tone, s) in enumerate(zip(equations.tones, scale, strict=True)):
        unit = np.eye(len(orders), dtype=int)[k]
        for sign, matrix, source in ((+1, tone.plus, tone.source_plus), (-1, tone.minus, tone.source_minus)):
            rows, cols = [], []
            for m in indices:
                source_index = tuple(np.subtract(m, sign * unit))
                if source_index in position:
                    rows.append(position[m])
                    cols.append(position[source_index])
            coupling = sps.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(indices),) * 2)
            blocks = blocks + s * sps.kron(coupling, sps.csr_matrix(matrix))
            target = tuple(sign * unit)
            if source is not None and target in position:
                rhs[position[target]] -= s * np.asarray(source)
    return sps.csc_matrix(blocks), rhs.ravel(), indices


def _solve(equations: MomentEquations, orders: Sequence[int]) -> HarmonicSolution:
    matrix, rhs, indices = _system(equations, orders, [1.0] * len(orders))
    try:
        x = spla.splu(matrix).solve(rhs)
    except RuntimeError as error:
        raise ConvergenceError(
            f"harmonic-balance system is singular ({error}): does A_0 have a stable steady state?"
        ) from None
    x = x.reshape(len(indices), equations.size)
    frequencies = tuple(t.frequency for t in equations.tones)
    return HarmonicSolution(tuple(orders), frequencies, dict(zip(indices, x, strict=True)))


def _check_orders(equations: MomentEquations, orders: int | Sequence[int]) -> tuple[int, ...]:
    orders = (orders,) * len(equations.tones) if isinstance(orders, (int, np.integer)) else tuple(orders)
    if len(orders) != len(equations.tones) or any(not isinstance(k, (int, np.integer)) or k < 0 for k in orders):
        raise ParameterError(
            f"orders must be {len(equations.tones)} non-negative integers (one per tone), got {orders}"
        )
    return tuple(int(k) for k in orders)


def harmonic_balance(equations: MomentEquations, orders: int | Sequence[int], tol: float = 1e-8,
                     check: bool = True) -> HarmonicSolution:
    """Quasi-periodic steady state truncated at ``|m_k| <= orders[k]``, with a convergence check.

    Parameters
    ----------
    equations : MomentEquations
    orders : int or sequence of int
        Truncation order per tone (an int applies to every tone).
    tol : float
        Largest allowed change of the kept harmonics when every order is raised by one, relative
        to the largest harmonic.
    check : bool
        Skip the order-``K + 1`` solve when False.

    Raises
    ------
    ConvergenceError
        When the harmonics are not converged in the truncation order, or the system is singular.

    Examples
    --------
    >>> g, omega = 1.0, 3.0  # dx/dt = -g x + 1 + cos(omega t) x: a parametrically modulated decay
    >>> tone = Tone(omega, 0.5 * np.eye(1), 0.5 * np.eye(1))
    >>> solution = harmonic_balance(MomentEquations(np.array([[-g]]), np.ones(1), (tone,)), 12, tol=1e-12)
    >>> from scipy.integrate import quad  # the periodic solution's mean, by integrating over one period
    >>> period = 2 * np.pi / omega
    >>> phase = lambda t: -g * t + np.sin(omega * t) / omega
    >>> x0 = quad(lambda s: np.exp(-phase(s)), 0, period)[0] / (np.exp(g * period) - 1)  # x(0) of the cycle
    >>> x = lambda t: np.exp(phase(t)) * (x0 + quad(lambda s: np.exp(-phase(s)), 0, t)[0])
    >>> mean = quad(x, 0, period)[0] / period
    >>> bool(np.isclose(solution[(0,)][0].real, mean, rtol=1e-8))
    True
    """
    orders = _check_orders(equations, orders)
    solution = _solve(equations, orders)
    if check:
        finer = _solve(equations, [k + 1 for k in orders])
        scale = max(np.abs(x).max() for x in finer.harmonics.values())
        change = max(np.abs(x - finer.harmonics[m]).max() for m, x in solution.harmonics.items())
        if change > tol * scale:
            raise ConvergenceError(
                f"harmonic balance not converged at orders {orders}: raising every order by one changes the "
                f"harmonics by {change / scale:.2e} (relative; tol {tol:.0e}); raise the orders"
            )
    return solution


def small_signal_expansion(equations: MomentEquations, tone: int, orders: int | Sequence[int]
                           ) -> tuple[HarmonicSolution, HarmonicSolution, HarmonicSolution]:
    """Taylor coefficients ``x_0, x_1, x_2`` of the harmonics in the amplitude ``epsilon`` of one tone.

    The tone's matrices and sources are those of unit amplitude; the solution at amplitude
    ``epsilon`` is ``x_0 + epsilon x_1 + epsilon^2 x_2 + O(epsilon^3)`` with
    ``M_0 x_0 = r_0``, ``M_0 x_1 = r_1 - M_1 x_0``, ``M_0 x_2 = -M_1 x_1`` (one LU of ``M_0``).
    ``d <f>/d(epsilon^2)`` at zero is ``f(x_2)`` for a linear output ``f`` whose first-order
    part vanishes (e.g. a zero-frequency component) and ``|g(x_1)|^2`` for ``f = |g|^2``.

    Examples
    --------
    >>> g, omega, a = 1.0, 2.0, 0.3  # dx/dt = -g x + 1 + epsilon a x exp(-i omega t)
    >>> tone = Tone(omega, np.array([[a]]), np.zeros((1, 1)))
    >>> x0, x1, x2 = small_signal_expansion(MomentEquations(np.array([[-g]]), np.ones(1), (tone,)), 0, 2)
    >>> bool(np.isclose(x0[(0,)][0], 1 / g)), bool(np.isclose(x1[(1,)][0], a / (g * (g - 1j * omega))))
    (True, True)
    """
    orders = _check_orders(equations, orders)
    if not 0 <= tone < len(equations.tones):
        raise ParameterError(f"tone must index one of the {len(equations.tones)} tones, got {tone}")
    scale = [0.0 if k == tone else 1.0 for k in range(len(orders))]
    m0, r0, indices = _system(equations, orders, scale)
    full, r_full, _ = _system(equations, orders, [1.0] * len(orders))
    m1, r1 = full - m0, r_full - r0  # the signal tone's couplings alone (no drift, no frequency shifts)
    lu = spla.splu(m0)
    x0 = lu.solve(r0)
    x1 = lu.solve(r1 - m1 @ x0)
    x2 = lu.solve(-(m1 @ x1))
    frequencies = tuple(t.frequency for t in equations.tones)
    return tuple(  # type: ignore[return-value]
        HarmonicSolution(orders, frequencies, dict(zip(indices, x.reshape(len(indices), equations.size), strict=True)))
        for x in (x0, x1, x2)
    )


def _tone_components(fock: FockModel, frequencies: Sequence[float]) -> list[tuple[sps.csr_matrix, sps.csr_matrix]]:
    """``(H_k^+, H_k^-)`` with ``H(t) = H_0 + sum_k H_k^+ e^{-i w_k t} + H_k^- e^{+i w_k t}``."""
    if not fock.symbolic:
        raise ModelError("harmonic balance reads the tones from the symbolic Hamiltonian; a model given only by "
                         "matrices (FockModel.from_qutip) has none: build it with the symbolic layer")
    d = fock.dimension
    parts = [[sps.csr_matrix((d, d), dtype=complex), sps.csr_matrix((d, d), dtype=complex)] for _ in frequencies]
    for monomial, c in fock.model.hamiltonian.terms.items():
        c = sp.sympify(c).subs(fock.parameters.substitutions)
        if TIME not in c.free_symbols:
            continue
        for term in sp.Add.make_args(sp.expand(sp.expand(c.rewrite(sp.exp)), power_exp=True)):
            amplitude, phase = term.as_independent(TIME, as_Add=False)
            rate = complex(sp.expand(sp.log(phase), force=True).diff(TIME)) if phase != 1 else 0j
            # phase = exp(rate t): rate = -i w for e^{-iwt}
            for k, w in enumerate(frequencies):
                for side, sign in ((0, -1), (1, +1)):
                    if abs(rate - sign * 1j * w) <= 1e-12 * max(1.0, abs(w)):
                        parts[k][side] = parts[k][side] + complex(amplitude) * _monomial_matrix(monomial, fock)
                        break
                else:
                    continue
                break
            else:
                raise ModelError(f"Hamiltonian term {term} is not a tone exp(-+ i w t) with w in {list(frequencies)}")
    return [(a.tocsr(), b.tocsr()) for a, b in parts]


def fourier_moment_equations(fock: FockModel, frequencies: Sequence[float]) -> MomentEquations:
    """Moment equations of a density matrix driven by tones, from a Fock model.

    The model's time-dependent Hamiltonian terms must be sums of ``exp(-i w_k t)`` and
    ``exp(+i w_k t)`` with ``w_k`` in ``frequencies``; the Liouvillian then splits into
    ``L_0 + sum_k L_k^+ e^{-i w_k t} + L_k^- e^{i w_k t}``. The variables are the column-stacked
    elements of ``rho`` without ``rho_00``, eliminated by ``rho_00 = 1 - sum_{i>0} rho_ii``;
    :func:`density_matrix_harmonic` rebuilds ``rho^(m)``.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.numeric import fock_model, steady_state
    >>> from qderive.symbolic import TIME, Dissipator, Model, NLevelSystem, declare
    >>> P = declare([("Delta", "atom frequency", "rad/s", "real"), ("Omega", "Rabi frequency", "rad/s"),
    ...              ("w", "drive frequency", "rad/s"), ("gamma", "decay rate", "rad/s")])
    >>> Delta, Omega, w, gamma = (p.symbol for p in P.values())
    >>> s = NLevelSystem("s", ("g", "e"))
    >>> drive = Omega / 2 * (s.sigma("e", "g") * sp.exp(-sp.I * w * TIME) + s.sigma("g", "e") * sp.exp(sp.I * w * TIME))
    >>> model = Model("lab", (s,), Delta * s.projector("e") + drive, (Dissipator(gamma, s.sigma("g", "e"), "rad"),), P)
    >>> values = {"Delta": 3.0, "Omega": 1.0, "w": 2.5, "gamma": 0.5}
    >>> solution = harmonic_balance(fourier_moment_equations(fock_model(model, values), [2.5]), 2)
    >>> rho_ee = density_matrix_harmonic(solution, (0,), 2)[1, 1].real
    >>> bool(np.isclose(rho_ee, 0.25 / (0.5**2 + 0.5**2 / 4 + 0.5)))  # rotating frame: detuning Delta - w = 0.5
    True
    """
    d = fock.dimension
    keep = np.arange(1, d * d)
    populations = (keep % (d + 1) == 0).astype(float)

    def reduce(L: sps.spmatrix) -> tuple[np.ndarray, np.ndarray]:
        L = sps.csr_matrix(L)
        column = L[keep, 0].toarray().ravel()
        return L[keep][:, keep].toarray() - np.outer(column, populations), column

    drift, source = reduce(liouvillian(fock.hamiltonian, fock.jump_operators))
    tones = []
    for w, (plus, minus) in zip(frequencies, _tone_components(fock, frequencies), strict=True):
        a_plus, b_plus = reduce(-1j * (sps.kron(sps.identity(d), plus) - sps.kron(plus.T, sps.identity(d))))
        a_minus, b_minus = reduce(-1j * (sps.kron(sps.identity(d), minus) - sps.kron(minus.T, sps.identity(d))))
        tones.append(Tone(float(w), a_plus, a_minus, b_plus, b_minus))
    return MomentEquations(drift, source, tuple(tones))


def density_matrix_harmonic(solution: HarmonicSolution, m: tuple[int, ...], dimension: int) -> np.ndarray:
    """``rho^(m)`` from a solution of :func:`fourier_moment_equations` (``rho_00`` restored).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic import TIME, Dissipator, Model, NLevelSystem, declare
    >>> P = declare([("Omega", "Rabi frequency", "rad/s"), ("w", "drive frequency", "rad/s"),
    ...              ("gamma", "decay", "rad/s")])
    >>> Omega, w, gamma = (p.symbol for p in P.values())
    >>> s = NLevelSystem("s", ("g", "e"))
    >>> drive = Omega / 2 * (s.sigma("e", "g") * sp.exp(-sp.I * w * TIME) + s.sigma("g", "e") * sp.exp(sp.I * w * TIME))
    >>> model = Model("lab", (s,), w * s.projector("e") + drive, (Dissipator(gamma, s.sigma("g", "e"), "rad"),), P)
    >>> solution = harmonic_balance(fourier_moment_equations(fock_model(model, {"Omega": 1.0, "w": 2.0, "gamma": 0.5}),
    ...                                                      [2.0]), 2)
    >>> rho0, rho1 = (density_matrix_harmonic(solution, (m,), 2) for m in (0, 1))
    >>> bool(np.isclose(np.trace(rho0), 1)), bool(np.isclose(np.trace(rho1), 0))  # only the m = 0 part has trace 1
    (True, True)
    >>> bool(np.allclose(rho0, rho0.conj().T))  # the mean state is Hermitian
    True
    """
    x = solution[m]
    vec = np.concatenate([[0.0], x])
    rho = vec.reshape(dimension, dimension, order="F")
    rho[0, 0] = (1.0 if not any(m) else 0.0) - np.trace(rho)
    return rho
