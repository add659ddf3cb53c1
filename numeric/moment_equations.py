r"""Solve closed moment equations: time evolution, steady states, sweeps, spectra.

The closed equations ``d<m_k>/dt = f_k`` of :func:`~qderive.symbolic.complete` are lowered by
:func:`~qderive.codegen.compile_ode` to a compiled real system ``dy/dt = F(y, p)`` with its
Jacobian (cached on disk). Here:

* :func:`evolve_moments` integrates it with SciPy's ``solve_ivp`` (compiled ``F`` and ``J``);
* :func:`moment_steady_state` relaxes the state for ``30 / r`` (``r`` the slowest decay rate of
  the Jacobian at the start, at most ``t_max``) by compiled pseudo-transient continuation and
  polishes it by Newton's method on ``F(y) = 0`` (root finding from the long-time state);
* :func:`steady_state_sweep` follows the steady state along a parameter grid by damped Newton
  continuation inside one compiled loop (each point starts from the previous solution);
* :func:`moment_spectrum` evaluates ``S(omega) = int e^{-i omega tau} <dA(tau) dB(0)> dtau`` for
  ``A = B^+`` by the regression theorem on the moment equations
  (:func:`~qderive.symbolic.correlation_equations`): with ``dg/dtau = M g + c``,
  ``S(omega) = 2 Re[e_A^T (i omega - M)^{-1} (g(0) - g_inf)]``, ``g_inf = -M^{-1} c`` the elastic
  part; :attr:`MomentSpectrum.linewidth` is the full width at half maximum.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.integrate
import scipy.optimize
import sympy as sp
from numba import njit, types

from qderive.codegen import CompiledODE, compile_ode
from qderive.symbolic import ConvergenceError, Expectation, MomentEquations, Op, ParameterError, correlation_equations
from qderive.symbolic.operators import IDENTITY

_VECTOR = types.float64[::1]
_MATRIX = types.float64[:, ::1]
_RHS = types.FunctionType(types.void(_VECTOR, _VECTOR, _VECTOR))
_JACOBIAN = types.FunctionType(types.void(_MATRIX, _VECTOR, _VECTOR))


@dataclass(frozen=True)
class MomentSystem:
    """Closed moment equations with their compiled real right-hand side and Jacobian.

    Examples
    --------
    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import driven_cavity
    >>> model = driven_cavity()
    >>> a = model.subsystem("a").a
    >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
    >>> system.equations.symbols, system.ode.size  # <a^+ a> real, <a> complex: three real components
    ((<a^+ a>, <a>), 3)
    """

    equations: MomentEquations
    ode: CompiledODE

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """The parameter symbols in the order of the compiled parameter vector ``p``.

        Examples
        --------
        >>> from qderive.symbolic import complete, meanfield
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> lower_moments(complete(meanfield([a.dag() * a], model, order=2))).parameters
        (Delta, E, kappa)
        """
        return self.ode.parameters

    def parameter_vector(self, values: Mapping[str, float]) -> np.ndarray:
        """``p`` from ``{name: value}``; every value must be finite and real.

        Examples
        --------
        >>> from qderive.symbolic import complete, meanfield
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
        >>> system.parameter_vector({"kappa": 2.0, "E": 1.0, "Delta": 0.0}).tolist()
        [0.0, 1.0, 2.0]
        >>> system.parameter_vector({"kappa": 2.0, "E": float("nan"), "Delta": 0.0})
        Traceback (most recent call last):
        ...
        qderive.symbolic.errors.ParameterError: parameter(s) ['E'] must be finite numbers
        """
        p = self.ode.parameter_vector(values)
        if not np.all(np.isfinite(p)):
            bad = [s.name for s, v in zip(self.parameters, p, strict=True) if not np.isfinite(v)]
            raise ParameterError(f"parameter(s) {bad} must be finite numbers")
        return p

    def initial_state(self, values: Sequence[tuple[Op, complex]] = ()) -> np.ndarray:
        """Real state ``y`` from ``[(monomial operator, <m>), ...]``; unspecified moments are 0.

        All moments 0 is the state with every mode in vacuum and every n-level system in its
        eliminated (first) level.

        Examples
        --------
        >>> from qderive.symbolic import complete, meanfield
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
        >>> y = system.initial_state([(a, 1j), (a.dag() * a, 1.0)])  # a coherent state |alpha = i>
        >>> system.ode.unpack(y).tolist()
        [(1+0j), 1j]
        """
        z = np.zeros(len(self.equations.moments), dtype=complex)
        for op, value in values:
            monomial = self.equations.rules.canonical(next(iter(op.terms)))
            if monomial not in self.equations.moments:
                raise ParameterError(f"<{op}> is not an unknown of the moment equations")
            z[self.equations.moments.index(monomial)] = value
        return self.ode.pack(z)

    def average(self, op: Op, y: np.ndarray) -> complex:
        """``<op>`` in the (closed) state ``y``: eliminated projectors, symmetry, cumulant rule.

        Examples
        --------
        >>> from qderive.symbolic import complete, meanfield
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
        >>> y = system.initial_state([(a, 2.0), (a.dag() * a, 4.0)])
        >>> system.average(a * a.dag(), y)  # <a a^+> = <a^+ a> + 1
        (5+0j)
        >>> system.average(a * a, y)  # not among the closed unknowns
        Traceback (most recent call last):
        ...
        qderive.symbolic.errors.ParameterError: the averages ['<a a>'] are not unknowns of the moment equations
        """
        rules = self.equations.rules
        expr = sp.Add(*(c * rules.average(m) if m != IDENTITY else c
                        for m, c in rules.eliminate(op).terms.items()))
        return _evaluate(expr, self.equations, self.ode.unpack(y), {})

    def residual(self, y: np.ndarray, p: np.ndarray) -> np.ndarray:
        """``F(y, p)``, the compiled right-hand side at one state (zero at a steady state).

        Examples
        --------
        >>> from qderive.symbolic import complete, meanfield
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
        >>> p = system.parameter_vector({"Delta": 0.0, "E": 1.0, "kappa": 2.0})
        >>> steady = system.initial_state([(a, -1j), (a.dag() * a, 1.0)])  # <a> = -2 i E / kappa
        >>> bool(np.allclose(system.residual(steady, p), 0.0))
        True
        """
        out = np.empty(self.ode.size)
        self.ode.rhs(out, np.ascontiguousarray(y, dtype=float), p)
        return out


def _evaluate(expr: sp.Expr, equations: MomentEquations, z: np.ndarray, parameters: Mapping) -> complex:
    values: dict[sp.Symbol, complex] = dict(parameters)
    for symbol, value in zip(equations.symbols, z, strict=True):
        values[symbol] = value
    for image, original in equations.conjugates().items():
        values[image] = np.conj(values[original]) if image != original else values[original]
    missing = [str(s) for s in expr.atoms(Expectation) if s not in values]
    if missing:
        raise ParameterError(f"the averages {missing} are not unknowns of the moment equations")
    return complex(sp.sympify(expr).xreplace({k: sp.sympify(complex(v)) for k, v in values.items()}).evalf())


def lower_moments(equations: MomentEquations, parameters: Sequence[sp.Symbol] | None = None, *,
                  name: str = "moments", cache_dir: str | os.PathLike | None = None) -> MomentSystem:
    """Compile closed moment equations (real and imaginary parts of each unknown, Jacobian).

    Parameters
    ----------
    equations : MomentEquations
        A closed set (``equations.missing()`` empty).
    parameters : sequence of sympy.Symbol, optional
        Order of the parameter vector; default ``equations.parameters`` (by name).

    Examples
    --------
    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import driven_cavity
    >>> model = driven_cavity()
    >>> a = model.subsystem("a").a
    >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
    >>> y = moment_steady_state(system, {"Delta": 0.0, "kappa": 2.0, "E": 1.0})
    >>> round(system.average(a.dag() * a, y).real, 12)   # |2 E / kappa|^2
    1.0
    """
    missing = equations.missing()
    if missing:
        raise ParameterError(f"the moment equations are not closed: no equation for <{Op.monomial(missing[0])}>; "
                             "call complete() first")
    parameters = tuple(equations.parameters if parameters is None else parameters)
    ode = compile_ode(list(equations.rhs), list(equations.symbols), parameters,
                      conjugates=equations.conjugates(), name=name, cache_dir=cache_dir)
    return MomentSystem(equations, ode)


def evolve_moments(system: MomentSystem, values: Mapping[str, float], times: Sequence[float],
                   initial: np.ndarray | None = None, method: str = "LSODA", rtol: float = 1e-8,
                   atol: float = 1e-10) -> np.ndarray:
    """Integrate the moment equations; returns the real states at ``times`` (rows).

    ``method`` is any ``scipy.integrate.solve_ivp`` method; the implicit ones get the
    compiled Jacobian.

    Examples
    --------
    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import driven_cavity
    >>> model = driven_cavity()
    >>> a = model.subsystem("a").a
    >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
    >>> times = np.array([0.0, 0.5, 1.0])
    >>> z = system.ode.unpack(evolve_moments(system, {"Delta": 0.0, "E": 1.0, "kappa": 2.0}, times))
    >>> bool(np.allclose(z[:, 1], -1j * (1 - np.exp(-times)), atol=1e-8))  # <a>(t) = -2iE/kappa (1 - e^(-kappa t/2))
    True
    """
    p = system.parameter_vector(values)
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or len(times) < 2 or np.any(np.diff(times) <= 0):
        raise ParameterError("times must be an increasing sequence of at least two times")
    y0 = system.initial_state() if initial is None else np.asarray(initial, dtype=float)
    ode = system.ode

    def fun(_t: float, y: np.ndarray) -> np.ndarray:
        out = np.empty(ode.size)
        ode.rhs(out, y, p)
        return out

    def jac(_t: float, y: np.ndarray) -> np.ndarray:
        out = np.empty((ode.size, ode.size))
        ode.jacobian(out, y, p)
        return out

    options = {} if method in ("RK45", "RK23", "DOP853") else {"jac": jac}
    solution = scipy.integrate.solve_ivp(fun, (times[0], times[-1]), y0, method=method, t_eval=times,
                                         rtol=rtol, atol=atol, **options)
    if not solution.success:
        raise ConvergenceError(f"moment equations: {method} failed: {solution.message}")
    return solution.y.T


def _rates(system: MomentSystem, y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Slowest and fastest decay rates ``-Re(lambda)`` of the Jacobian at ``y``."""
    jacobian = np.empty((system.ode.size, system.ode.size))
    system.ode.jacobian(jacobian, np.ascontiguousarray(y), p)
    eigenvalues = np.linalg.eigvals(jacobian)
    rates = -eigenvalues.real
    scale = max(1.0, float(np.abs(eigenvalues).max()))
    rates = rates[rates > 1e-12 * scale]
    return (float(rates.min()), scale) if rates.size else (1.0, scale)


def _slowest_rate(system: MomentSystem, y: np.ndarray, p: np.ndarray) -> float:
    return _rates(system, y, p)[0]


def moment_steady_state(system: MomentSystem, values: Mapping[str, float], initial: np.ndarray | None = None,
                        t_max: float | None = None, tol: float = 1e-10) -> np.ndarray:
    """Steady state ``F(y) = 0``: relaxation for at least ``30 / r`` (``r`` slowest rate), then Newton.

    The relaxation is pseudo-transient continuation in compiled code: linearly implicit Euler
    steps ``(1 - dt J) dy = dt F`` along the trajectory from ``dt = 0.1 / (fastest rate)``, the step
    growing by 1.5 after each accepted step (divided by 4 when ``|F|`` jumps tenfold), so it
    follows the dynamics at first and turns into Newton's method near the steady state. Should it
    fail, the state is relaxed by SciPy's LSODA for ``30 / r`` instead. Newton's method then
    polishes the root.

    Raises
    ------
    ConvergenceError
        Newton's method does not converge (steps above ``tol * (1 + max|y|)``) from the relaxed state.

    Examples
    --------
    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import driven_cavity
    >>> model = driven_cavity()
    >>> a = model.subsystem("a").a
    >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
    >>> y = moment_steady_state(system, {"Delta": 1.0, "E": 1.0, "kappa": 2.0})
    >>> bool(np.isclose(system.average(a.dag() * a, y), 1.0 / (1.0 + 1.0)))  # E^2 / (Delta^2 + kappa^2 / 4)
    True
    """
    p = system.parameter_vector(values)
    y = system.initial_state() if initial is None else np.array(initial, dtype=float)
    slowest, fastest = _rates(system, y, p)
    horizon = 30.0 / slowest if t_max is None else min(30.0 / slowest, t_max)
    relaxed = np.ascontiguousarray(y.copy())
    if _pseudo_transient(system.ode.rhs, system.ode.jacobian, relaxed, p, 0.1 / fastest, horizon, tol, 10_000) < 0:
        relaxed = evolve_moments(system, values, [0.0, horizon], initial=y, method="LSODA")[-1]
    out = np.empty((1, system.ode.size))
    failures = _newton_sweep(system.ode.rhs, system.ode.jacobian, np.ascontiguousarray(relaxed), p[None, :].copy(),
                             out, tol, 100)
    if failures:
        raise ConvergenceError(f"moment steady state: Newton's method did not converge from the state at "
                               f"t = {horizon:.3g} (values {dict(values)})")
    return out[0]


@njit(types.float64(_RHS, _JACOBIAN, _VECTOR, _VECTOR, types.float64, types.float64, types.float64, types.int64),
      cache=True)
def _pseudo_transient(rhs, jacobian, y, p, dt, horizon, tol, max_steps):  # pragma: no cover - compiled
    """Relax ``y`` in place by linearly implicit Euler steps with growing ``dt``; returns the time
    reached once past ``horizon`` with a step below ``tol * (1 + max|y|)``, or -1 on failure."""
    n = y.size
    f = np.empty(n)
    f_new = np.empty(n)
    trial = np.empty(n)
    jac = np.empty((n, n))
    rhs(f, y, p)
    norm = np.sqrt(np.sum(f * f))
    t = 0.0
    for _ in range(max_steps):
        if norm == 0.0:
            return max(t, horizon)
        jacobian(jac, y, p)
        matrix = -dt * jac
        for i in range(n):
            matrix[i, i] += 1.0
        try:
            step = np.linalg.solve(matrix, f)
        except Exception:  # noqa: BLE001 - singular step matrix: shorter step
            dt *= 0.25
            continue
        for i in range(n):
            trial[i] = y[i] + dt * step[i]
        rhs(f_new, trial, p)
        new_norm = np.sqrt(np.sum(f_new * f_new))
        if not np.isfinite(new_norm) or new_norm > 10.0 * norm:
            dt *= 0.25
            if dt < 1e-300:
                return -1.0
            continue
        small = dt * np.max(np.abs(step)) <= tol * (1.0 + np.max(np.abs(trial)))
        y[:] = trial
        f[:] = f_new
        t += dt
        dt *= 1.5
        norm = new_norm
        if t >= horizon and small:
            return t
    return -1.0


@njit(types.int64(_RHS, _JACOBIAN, _VECTOR, _MATRIX, _MATRIX, types.float64, types.int64), cache=True)
def _newton_sweep(rhs, jacobian, y0, params, out, tol, max_iter):  # pragma: no cover - compiled
    """Damped Newton on F(y, p_i) = 0 for each row p_i, starting from the previous solution.

    Row i of ``out`` gets the root, or NaN (then the next row restarts from the last root);
    returns the number of failures. Converged when the last step is below tol * (1 + max|y|).
    """
    n = y0.size
    y = y0.copy()
    f = np.empty(n)
    trial_f = np.empty(n)
    trial = np.empty(n)
    jac = np.empty((n, n))
    failures = 0
    for i in range(params.shape[0]):
        p = params[i]
        start = y.copy()
        rhs(f, y, p)
        norm = np.sqrt(np.sum(f * f))
        converged = norm == 0.0
        for _ in range(max_iter):
            if converged:
                break
            jacobian(jac, y, p)
            try:
                step = np.linalg.solve(jac, f)
            except Exception:  # noqa: BLE001 - singular Jacobian: this point fails
                break
            damping = 1.0
            while True:
                for k in range(n):
                    trial[k] = y[k] - damping * step[k]
                rhs(trial_f, trial, p)
                trial_norm = np.sqrt(np.sum(trial_f * trial_f))
                if trial_norm <= (1.0 - 1e-4 * damping) * norm or damping < 1e-6:
                    break
                damping *= 0.5
            y[:] = trial
            f[:] = trial_f
            norm = trial_norm
            converged = damping * np.max(np.abs(step)) <= tol * (1.0 + np.max(np.abs(y)))
        if converged and np.all(np.isfinite(y)):
            out[i] = y
        else:
            out[i] = np.nan
            failures += 1
            y[:] = start
    return failures


def steady_state_sweep(system: MomentSystem, values: Mapping[str, float], parameter: str, grid: Sequence[float],
                       initial: np.ndarray | None = None, tol: float = 1e-10) -> np.ndarray:
    """Steady states along ``grid`` of one parameter (rows: real states), by compiled Newton continuation.

    The first point comes from :func:`moment_steady_state`; each next point starts from the
    previous root. A point where Newton fails is recomputed by relaxation from the last root.

    Examples
    --------
    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import driven_cavity
    >>> model = driven_cavity()
    >>> a = model.subsystem("a").a
    >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
    >>> detunings = np.linspace(-2.0, 2.0, 5)
    >>> rows = steady_state_sweep(system, {"Delta": 0.0, "E": 1.0, "kappa": 2.0}, "Delta", detunings)
    >>> n = [system.average(a.dag() * a, y).real for y in rows]
    >>> bool(np.allclose(n, 1.0 / (detunings**2 + 1.0)))  # the Lorentzian E^2 / (Delta^2 + kappa^2 / 4)
    True
    """
    names = [s.name for s in system.parameters]
    if parameter not in names:
        raise ParameterError(f"'{parameter}' is not a parameter of the moment equations; they have {names}")
    grid = np.asarray(grid, dtype=float)
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)):
        raise ParameterError(f"grid of '{parameter}' must be a non-empty 1-D array of finite numbers")
    params = np.tile(system.parameter_vector(values), (grid.size, 1))
    column = names.index(parameter)
    params[:, column] = grid
    first = moment_steady_state(system, {**values, parameter: grid[0]}, initial=initial, tol=tol)
    out = np.empty((grid.size, system.ode.size))
    failures = _newton_sweep(system.ode.rhs, system.ode.jacobian, first, params, out, tol, 100)
    if failures:
        for i in np.flatnonzero(np.isnan(out[:, 0])):
            start = out[i - 1] if i > 0 and np.all(np.isfinite(out[i - 1])) else first
            out[i] = moment_steady_state(system, {**values, parameter: grid[i]}, initial=start, tol=tol)
    return out


@dataclass(frozen=True)
class MomentSpectrum:
    """``S(omega) = 2 Re sum_k w_k / (i omega - lambda_k)`` of the fluctuations, from the regression theorem.

    Attributes
    ----------
    frequencies, values : numpy.ndarray
        ``omega`` (rad/s) and ``S(omega)``.
    poles, weights : numpy.ndarray
        Eigenvalues ``lambda_k`` of ``M`` and their weights ``w_k`` in ``<dA(tau) dB(0)>``.
    coherent_weight : complex
        ``<A><B>`` (the elastic line ``2 pi <A><B> delta(omega)``, not in ``values``).
    linewidth : float
        Full width at half maximum of ``S`` (rad/s) around its highest peak.

    Examples
    --------
    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import thermal_oscillator
    >>> model = thermal_oscillator()
    >>> a = model.subsystem("a").a
    >>> system = lower_moments(complete(meanfield([a.dag() * a, a], model, order=2)))  # <a> for <A><B>
    >>> values = {"w": 3.0, "kappa": 0.5, "n_th": 2.0}
    >>> spectrum = moment_spectrum(regression_system(system, a.dag(), a), values, moment_steady_state(system, values),
    ...                            np.linspace(0.0, 6.0, 61))
    >>> bool(np.isclose(spectrum(3.25)[()], spectrum.values.max() / 2))  # half maximum at w + kappa/2
    True
    >>> spectrum.coherent_weight  # a thermal state has no elastic line
    0j
    """

    frequencies: np.ndarray
    values: np.ndarray
    poles: np.ndarray
    weights: np.ndarray
    coherent_weight: complex
    linewidth: float

    def __call__(self, omegas: np.ndarray) -> np.ndarray:
        omegas = np.asarray(omegas, dtype=float)
        return _spectrum(omegas, self.poles, self.weights)


def _spectrum(omegas: np.ndarray, poles: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return 2 * np.real(np.sum(weights / (1j * np.asarray(omegas)[..., None] - poles), axis=-1))


def _fwhm(poles: np.ndarray, weights: np.ndarray) -> float:
    """Full width at half maximum of the highest peak of the pole sum."""
    contributions = np.abs(weights) / np.maximum(-poles.real, 1e-300)
    dominant = poles[np.argmax(contributions)]
    width = -dominant.real
    centre = dominant.imag
    grid = centre + width * np.linspace(-20, 20, 4001)
    values = _spectrum(grid, poles, weights)
    k = int(np.argmax(values))
    peak = scipy.optimize.minimize_scalar(lambda w: -_spectrum(w, poles, weights),
                                          bracket=(grid[max(k - 1, 0)], grid[k], grid[min(k + 1, len(grid) - 1)]))
    top, half = peak.x, -peak.fun / 2

    def below(w: float) -> float:
        return float(_spectrum(w, poles, weights)) - half

    edges = []
    for sign in (-1, 1):
        distance = width / 4
        while below(top + sign * distance) > 0:
            distance *= 2
            if distance > 1e6 * width:
                raise ConvergenceError("spectrum: no half-maximum point found (the peak does not decay)")
        edges.append(scipy.optimize.brentq(lambda d, s=sign: below(top + s * d), 0.0, distance, xtol=1e-14 * width))
    return float(sum(edges))


@dataclass(frozen=True)
class RegressionSystem:
    """The linear equations ``dg/dtau = M g + c`` of ``<X(tau) B(0)>`` with numeric ``M``, ``c`` builders.

    Examples
    --------
    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import thermal_oscillator
    >>> model = thermal_oscillator()
    >>> a = model.subsystem("a").a
    >>> system = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
    >>> regression = regression_system(system, a.dag(), a)
    >>> regression.unknowns, regression.matrix  # d<a^+ a0>/dtau = (i w - kappa/2) <a^+ a0>
    ((<a^+ a0>,), Matrix([[-kappa/2 + I*w]]))
    """

    system: MomentSystem
    a: Op
    b: Op
    unknowns: tuple[Expectation, ...]
    initial_ops: tuple[Op, ...]
    constants: tuple[tuple[Expectation, Op], ...]
    matrix: sp.Matrix
    source: sp.Matrix

    def linear_system(self, values: Mapping[str, float],
                      steady: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``M``, ``c`` and ``g(0)`` at the parameters ``values`` and the steady state ``steady``.

        Examples
        --------
        >>> from qderive.symbolic import complete, meanfield
        >>> from qderive.symbolic.library import thermal_oscillator
        >>> model = thermal_oscillator()
        >>> a = model.subsystem("a").a
        >>> system = lower_moments(complete(meanfield([a.dag() * a, a], model, order=2)))  # <a> for <A><B>
        >>> values = {"w": 3.0, "kappa": 0.5, "n_th": 2.0}
        >>> M, c, g0 = regression_system(system, a.dag(), a).linear_system(values, moment_steady_state(system, values))
        >>> M.tolist(), c.tolist(), bool(np.allclose(g0, [2.0]))  # g(0) = <a^+ a> = n_th
        ([[(-0.25+3j)]], [0j], True)

        A parameter that enters only the correlation equations (``w`` is absent from ``<a^+ a>``'s equation)
        is read from ``values`` too, and named when it is missing:

        >>> number_only = lower_moments(complete(meanfield([a.dag() * a], model, order=2)))
        >>> regression = regression_system(number_only, a.dag(), a)
        >>> regression.linear_system(values, moment_steady_state(number_only, values))[0].tolist()
        [[(-0.25+3j)]]
        >>> regression.linear_system({"kappa": 0.5, "n_th": 2.0}, moment_steady_state(number_only, values))
        Traceback (most recent call last):
        ...
        qderive.symbolic.errors.ParameterError: parameter 'w' of the correlation equations needs a finite real ...
        """
        p = self.system.parameter_vector(values)
        numbers: dict[sp.Symbol, sp.Expr] = {s: sp.Float(v) for s, v in zip(self.system.parameters, p, strict=True)}
        for symbol, op in self.constants:
            numbers[symbol] = sp.sympify(self.system.average(op, steady))
        # parameters that enter only the correlation equations (e.g. a frequency absent from <a^+ a>'s equation)
        for symbol in sorted((self.matrix.free_symbols | self.source.free_symbols) - set(numbers), key=str):
            value = values.get(symbol.name)
            if value is None or not np.isfinite(value) or np.iscomplexobj(value):
                raise ParameterError(f"parameter '{symbol.name}' of the correlation equations needs a finite real "
                                     f"value, got {value!r}")
            numbers[symbol] = sp.Float(float(value))
        m = np.array(self.matrix.xreplace(numbers).evalf(), dtype=complex)
        c = np.array(self.source.xreplace(numbers).evalf(), dtype=complex).reshape(-1)
        g0 = np.array([self.system.average(op, steady) for op in self.initial_ops])
        return m, c, g0


def regression_system(system: MomentSystem, a: Op, b: Op) -> RegressionSystem:
    """Prepare ``<A(tau) B(0)>`` of ``system`` (see :func:`~qderive.symbolic.correlation_equations`).

    Examples
    --------
    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import driven_cavity
    >>> model = driven_cavity()
    >>> a = model.subsystem("a").a
    >>> regression = regression_system(lower_moments(complete(meanfield([a.dag() * a], model, order=2))), a.dag(), a)
    >>> regression.initial_ops, regression.constants  # g(0) = <a^+ a>; the drive adds the constant <a0> = <a>
    ((a^+ a,), ((<a0>, a),))
    """
    correlations = correlation_equations(system.equations, a, b)
    unknowns = correlations.equations.symbols
    rhs = sp.Matrix(correlations.equations.rhs)
    matrix = rhs.jacobian(sp.Matrix(unknowns))
    source = rhs.xreplace({u: 0 for u in unknowns})
    constants = set()
    for expr in correlations.equations.rhs:
        constants |= {s for s in expr.atoms(Expectation) if s not in unknowns}
    constant_ops = []
    for symbol in sorted(constants, key=str):
        monomial = symbol.monomial
        if correlations.has_ancilla(monomial):
            monomial = correlations.original(monomial)
        constant_ops.append((symbol, Op.monomial(monomial)))
    initial = tuple(correlations.collapse(m) for m in correlations.equations.moments)
    return RegressionSystem(system, a, b, unknowns, initial, tuple(constant_ops), matrix, source)


def moment_spectrum(regression: RegressionSystem, values: Mapping[str, float], steady: np.ndarray,
                    omegas: Sequence[float]) -> MomentSpectrum:
    """Spectrum ``S(omega)`` of ``<A(tau) B(0)>`` (``A = B^+``) by the regression theorem.

    Examples
    --------
    A thermal oscillator: ``<a^+(tau) a(0)> = n_th exp((i w - kappa/2) tau)``, a Lorentzian of full width
    ``kappa`` at ``omega = w`` (``tests/numeric/test_moment_equations.py`` compares an empty cavity with
    the full master equation).

    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import thermal_oscillator
    >>> model = thermal_oscillator()
    >>> a = model.subsystem("a").a
    >>> system = lower_moments(complete(meanfield([a.dag() * a, a], model, order=2)))  # <a> for <A><B>
    >>> values = {"w": 3.0, "kappa": 0.5, "n_th": 2.0}
    >>> steady = moment_steady_state(system, values)
    >>> spectrum = moment_spectrum(regression_system(system, a.dag(), a), values, steady, [3.0])
    >>> bool(np.isclose(spectrum.linewidth, 0.5)), bool(np.isclose(spectrum.values[0], 4 * 2.0 / 0.5))
    (True, True)
    """
    if not (regression.a - regression.b.dag()).is_zero():
        raise ParameterError(f"moment_spectrum needs A = B^+ (got A = {regression.a}, B = {regression.b})")
    m, c, g0 = regression.linear_system(values, steady)
    g_inf = -np.linalg.solve(m, c)
    poles, vectors = np.linalg.eig(m)
    if np.any(poles.real >= 0):
        raise ConvergenceError(f"regression matrix has an undamped or growing mode (eigenvalues {poles}); "
                               "the steady state is not stable")
    weights = vectors[0, :] * np.linalg.solve(vectors, g0 - g_inf)
    omegas = np.asarray(omegas, dtype=float)
    coherent = regression.system.average(regression.a, steady) * regression.system.average(regression.b, steady)
    return MomentSpectrum(omegas, _spectrum(omegas, poles, weights), poles, weights, complex(coherent),
                          _fwhm(poles, weights))


__all__ = ["MomentSpectrum", "MomentSystem", "RegressionSystem", "evolve_moments", "lower_moments",
           "moment_spectrum", "moment_steady_state", "regression_system", "steady_state_sweep"]
