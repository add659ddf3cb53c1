r"""Lindblad time evolution of a Fock model: ``mesolve`` and the reusable ``LindbladSolver``.

.. math:: \dot\rho = -i[H(t), \rho] + \sum_k \big(J_k \rho J_k^\dagger - \tfrac12\{J_k^\dagger J_k, \rho\}\big)

Methods (``options["method"]``):

* ``"adams"`` / ``"bdf"``: the variable-order multistep integrator ZVODE
  (:class:`scipy.integrate.ode`), the same integrator as ``qutip.mesolve``, with the
  right-hand side evaluated by the Numba kernel of :mod:`.generator` (sparse ``K rho`` and jump
  products, optionally in the interaction frame of the static diagonal Hamiltonian, see
  :class:`~qderive.numeric.generator.LindbladGenerator`). Adams for oscillatory, BDF for stiff
  problems.
* ``"expm"``: exact propagation ``vec rho(t + dt) = exp(L dt) vec rho(t)`` with the dense
  ``d^2 x d^2`` Liouvillian, one matrix exponential per distinct output step (time-independent
  models of dimension ``d <= 32``); exact to rounding.
* ``"auto"``: ``"expm"`` where it applies, otherwise ``"adams"``.

Output times are hit exactly (no interpolation). The generator is applied in full (not with
the ``rho = rho^+`` shortcut, because ZVODE's iterates are not exactly Hermitian), so every
increment is traceless to rounding and trace and Hermiticity are conserved to ~1e-15 by all
methods.
"""

from __future__ import annotations

import time as _time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sps
from scipy.integrate import ode

from qderive.symbolic import ConvergenceError, Op, ParameterError

from .fock import FockModel
from .generator import LindbladGenerator
from .kernels import (
    dense_superoperator,
    density_matrix_defects,
    max_asymmetry,
    propagate_uniform,
    strictly_increasing,
    uniform_steps,
)

DEFAULT_OPTIONS: dict[str, Any] = {
    "method": "auto",
    "atol": 1e-8,
    "rtol": 1e-6,
    "nsteps": 1_000_000,
    "max_step": 0.0,
    "frame": "auto",
    "store_states": None,
    "truncation_tolerance": 1e-4,
}
METHODS = ("auto", "adams", "bdf", "expm")
EXPM_MAX_DIMENSION = 32

Operator = np.ndarray | sps.spmatrix | Op


def check_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults merged with ``options``, each entry checked; unknown keys raise :class:`ParameterError`.

    Keys: ``method`` (one of ``"auto", "adams", "bdf", "expm"``), ``atol`` and ``rtol`` (positive
    absolute and relative tolerances of the integrator, as in ``qutip.mesolve``), ``nsteps``
    (maximum internal steps between two output times), ``max_step`` (0 for no limit), ``frame``
    (``"auto", "lab", "interaction"``), ``store_states`` (``None``: only when no ``e_ops``),
    ``truncation_tolerance`` (largest allowed top-Fock-level population at an output time, or
    ``None`` to skip the check).
    """
    merged = dict(DEFAULT_OPTIONS)
    for key, value in dict(options or {}).items():
        if key not in DEFAULT_OPTIONS:
            raise ParameterError(f"unknown solver option '{key}'; options are {sorted(DEFAULT_OPTIONS)}")
        merged[key] = value
    if merged["method"] not in METHODS:
        raise ParameterError(f"option 'method' must be one of {METHODS}, got {merged['method']!r}")
    for key in ("atol", "rtol"):
        if not (isinstance(merged[key], (int, float)) and np.isfinite(merged[key]) and merged[key] > 0):
            raise ParameterError(f"option '{key}' must be a positive number, got {merged[key]!r}")
    if not (isinstance(merged["nsteps"], (int, np.integer)) and merged["nsteps"] > 0):
        raise ParameterError(f"option 'nsteps' must be a positive integer, got {merged['nsteps']!r}")
    if not (isinstance(merged["max_step"], (int, float)) and merged["max_step"] >= 0):
        raise ParameterError(f"option 'max_step' must be >= 0 (0: no limit), got {merged['max_step']!r}")
    if merged["frame"] not in ("auto", "lab", "interaction"):
        raise ParameterError(f"option 'frame' must be 'auto', 'lab' or 'interaction', got {merged['frame']!r}")
    tolerance = merged["truncation_tolerance"]
    if tolerance is not None and not (isinstance(tolerance, (int, float)) and tolerance > 0):
        raise ParameterError(f"option 'truncation_tolerance' must be positive or None, got {tolerance!r}")
    return merged


def density_matrix(state: np.ndarray, dimension: int, name: str = "rho0") -> np.ndarray:
    """A validated density matrix from a ``(d, d)`` matrix or a ``(d,)`` state vector.

    Raises :class:`ParameterError` for a wrong shape, a non-Hermitian matrix (``1e-10``), a trace
    different from 1 (``1e-8``) or a negative eigenvalue below ``-1e-8``.
    """
    state = np.asarray(state.toarray() if sps.issparse(state) else state, dtype=complex)
    if state.shape == (dimension,):
        norm = np.linalg.norm(state)
        if abs(norm - 1) > 1e-8:
            raise ParameterError(f"{name} is a state vector of norm {norm:.6g}; normalise it")
        return np.outer(state, state.conj())
    if state.shape != (dimension, dimension):
        raise ParameterError(f"{name} must be a ({dimension}, {dimension}) density matrix or ({dimension},) vector, "
                             f"got shape {state.shape}")
    asymmetry, trace, smallest = density_matrix_defects(state)
    if asymmetry > 1e-10:
        raise ParameterError(f"{name} is not a density matrix: not Hermitian (max |rho - rho^+| = {asymmetry:.1e})")
    if abs(trace - 1) > 1e-8:
        raise ParameterError(f"{name} is not a density matrix: its trace is {trace:.10g}, not 1")
    if smallest < -1e-8:
        raise ParameterError(f"{name} is not a density matrix: it has a negative eigenvalue {smallest:.3e}")
    return state


def step_key(step: float) -> float:
    """An output step rounded to 12 digits: equal steps of a uniform grid, which differ by rounding, share a key."""
    return float(f"{step:.12g}")


def _check_times(times: Sequence[float]) -> np.ndarray:
    times = np.asarray(times, dtype=float)
    if times.ndim != 1 or times.size < 1:
        raise ParameterError(f"times must be a non-empty 1-d array, got shape {times.shape}")
    if not strictly_increasing(times):
        raise ParameterError("times must be finite and strictly increasing")
    return times


def integrate(generator: LindbladGenerator, x0: np.ndarray, times: np.ndarray, options: Mapping[str, Any],
              stats: dict, method: str = "adams") -> Iterator[np.ndarray]:
    """Lab-frame solutions of ``dX/dt = L_t X`` from ``X(times[0]) = x0`` at ``times`` (ZVODE).

    ``stats`` receives ``num_rhs`` and ``num_steps``. Raises :class:`ConvergenceError` when ZVODE
    fails or the solution stops being finite.
    """
    d = generator.dimension
    out = np.empty((d, d), dtype=complex)

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        stats["num_rhs"] += 1
        return generator.apply(t, y.reshape(d, d), out).ravel()

    integrator = ode(rhs).set_integrator(
        "zvode", method=method, atol=options["atol"], rtol=options["rtol"], nsteps=options["nsteps"],
        max_step=options["max_step"],
    )
    integrator.set_initial_value(generator.from_lab(times[0], x0).ravel(), times[0])
    steps_before = stats["num_steps"]
    yield x0
    for t in times[1:]:
        with warnings.catch_warnings(record=True) as caught:  # ZVODE reports failures as warnings
            warnings.simplefilter("always")
            y = integrator.integrate(t)
        if not integrator.successful() or not np.all(np.isfinite(y)):
            raise ConvergenceError(
                f"ZVODE ({method}) failed between t = {integrator.t:.6g} and {t:.6g} (return code "
                f"{integrator.get_return_code()}; {'; '.join(str(w.message) for w in caught)}): "
                f"raise options['nsteps'] (now {options['nsteps']}), loosen "
                f"atol/rtol, or try method 'bdf' if the model is stiff"
            )
        stats["num_steps"] = steps_before + int(integrator._integrator.iwork[10])
        yield generator.to_lab(t, y.reshape(d, d))


class Expectations:
    """``Tr(A rho)`` of several sparse operators, evaluated on a dense ``rho``."""

    def __init__(self, fock: FockModel, operators: Sequence[Operator] | None):
        self.coo = []
        self.hermitian = []
        for op in operators or ():
            matrix = fock.operator(op) if isinstance(op, Op) else op
            matrix = sps.coo_matrix(matrix, dtype=complex)
            if matrix.shape != (fock.dimension, fock.dimension):
                raise ParameterError(f"e_ops entry has shape {matrix.shape}, expected {(fock.dimension,) * 2}")
            self.coo.append(matrix)
            self.hermitian.append(abs(matrix - matrix.conj().T).sum() == 0)

    def __len__(self) -> int:
        return len(self.coo)

    def __call__(self, rho: np.ndarray) -> np.ndarray:
        # Tr(A rho) = sum_ij A_ij rho_ji
        return np.array([np.dot(a.data, rho[a.col, a.row]) for a in self.coo])

    def finish(self, values: list[np.ndarray]) -> list[np.ndarray]:
        table = np.array(values).reshape(len(values), len(self.coo)).T
        return [row.real if h else row for row, h in zip(table, self.hermitian, strict=True)]


@dataclass
class Result:
    """Outcome of an evolution: output ``times``, ``states`` (or ``None``), ``expect`` and ``stats``.

    ``expect[k][n]`` is ``Tr(e_ops[k] rho(times[n]))`` (real for Hermitian operators); ``stats``
    holds ``method``, ``frame``, ``num_rhs`` (right-hand-side evaluations), ``num_steps``
    (internal integrator steps), ``run_time`` in seconds.
    """

    times: np.ndarray
    states: np.ndarray | None
    expect: list[np.ndarray]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def final_state(self) -> np.ndarray | None:
        return None if self.states is None else self.states[-1]


class LindbladSolver:
    """Master-equation solver that keeps its prepared generator and propagators between runs.

    Parameters
    ----------
    fock : FockModel
        Sparse matrices of the model at fixed parameter values.
    options : mapping, optional
        See :func:`check_options`.

    Examples
    --------
    >>> solver = LindbladSolver(fock, {"rtol": 1e-8})        # doctest: +SKIP
    >>> result = solver.run(rho0, times, e_ops=[n])           # doctest: +SKIP
    """

    def __init__(self, fock: FockModel, options: Mapping[str, Any] | None = None):
        self.fock = fock
        self.options = check_options(options)
        method = self.options["method"]
        expm_possible = not fock.time_dependent and fock.dimension <= EXPM_MAX_DIMENSION
        if method == "expm" and not expm_possible:
            raise ParameterError(
                f"method 'expm' needs a time-independent model of dimension <= {EXPM_MAX_DIMENSION}, "
                f"got dimension {fock.dimension}{' with time-dependent terms' if fock.time_dependent else ''}"
            )
        self.method = ("expm" if expm_possible else "adams") if method == "auto" else method
        self._propagators: dict[float, np.ndarray] = {}
        if self.method == "expm":
            self._liouvillian = dense_superoperator(*fock.dense_matrices)
            self.generator = None
        else:
            self.generator = LindbladGenerator(fock, self.options["frame"])

    # -- propagation ----------------------------------------------------------------------
    def _propagator(self, step: float) -> np.ndarray:
        """``exp(L step)``, computed once per :func:`step_key`."""
        key = step_key(step)
        if key not in self._propagators:
            self._propagators[key] = sla.expm(self._liouvillian * key)
        return self._propagators[key]

    def _expm_states(self, rho0: np.ndarray, times: np.ndarray, stats: dict) -> Iterator[np.ndarray]:
        d = self.fock.dimension
        x = rho0.reshape(-1, order="F")
        yield rho0
        for step in np.diff(times):
            x = self._propagator(step) @ x
            stats["num_steps"] += 1
            yield x.reshape(d, d, order="F")

    def _ode_states(self, rho0: np.ndarray, times: np.ndarray, stats: dict) -> Iterator[np.ndarray]:
        return integrate(self.generator, rho0, times, self.options, stats, method=self.method)

    def states(self, rho0: np.ndarray, times: Sequence[float], stats: dict | None = None) -> Iterator[np.ndarray]:
        """Lab-frame density matrices at ``times`` (a generator; the first is ``rho0``)."""
        rho0 = density_matrix(rho0, self.fock.dimension)
        times = _check_times(times)
        stats = {"num_rhs": 0, "num_steps": 0} if stats is None else stats
        if self.method == "expm":
            return self._expm_states(rho0, times, stats)
        return self._ode_states(rho0, times, stats)

    def run(self, rho0: np.ndarray, times: Sequence[float], e_ops: Sequence[Operator] | None = None) -> Result:
        """Evolve ``rho0`` (matrix or state vector) from ``times[0]``; states or expectations at ``times``.

        Raises :class:`ParameterError` for a bad ``rho0`` or ``times``, :class:`ConvergenceError` when
        the integrator fails, :class:`~qderive.symbolic.TruncationError` when a mode's top Fock level
        holds more than ``options["truncation_tolerance"]`` at an output time.
        """
        started = _time.perf_counter()
        times = _check_times(times)
        if self.method == "expm" and uniform_steps(times, 1e-12):
            return self._run_uniform(rho0, times, e_ops, started)
        expectations = Expectations(self.fock, e_ops)
        store = self.options["store_states"]
        store = len(expectations) == 0 if store is None else bool(store)
        tolerance = self.options["truncation_tolerance"]
        stats: dict[str, Any] = {"method": self.method, "num_rhs": 0, "num_steps": 0,
                                 "frame": self.generator.frame if self.generator else "lab"}
        states, values = [], []
        for t, rho in zip(times, self.states(rho0, times, stats), strict=True):
            if tolerance is not None:
                self.fock.check_truncation(rho, tolerance, time=t)
            if store:
                states.append(rho.copy())
            if expectations:
                values.append(expectations(rho))
        stats["run_time"] = _time.perf_counter() - started
        return Result(
            times=times, states=np.array(states) if store else None,
            expect=expectations.finish(values) if expectations else [], stats=stats,
        )

    def _run_uniform(self, rho0: np.ndarray, times: np.ndarray, e_ops: Sequence[Operator] | None,
                     started: float) -> Result:
        """Exact propagation on a uniform grid: one ``exp(L dt)``, all states as columns of one array."""
        d = self.fock.dimension
        rho0 = density_matrix(rho0, d)
        propagator = self._propagator(float(times[1] - times[0]))
        vectors = propagate_uniform(propagator, rho0.reshape(-1, order="F").astype(complex), len(times))
        tolerance = self.options["truncation_tolerance"]
        if tolerance is not None and self.fock.model.modes:
            self.fock.check_truncation_along(vectors[:, :: d + 1].real, tolerance, times)  # vec index of rho_ii
        expect = []
        for op in e_ops or ():
            matrix = self.fock.operator(op) if isinstance(op, Op) else op
            matrix = matrix.toarray() if sps.issparse(matrix) else np.asarray(matrix, dtype=complex)
            if matrix.shape != (d, d):
                raise ParameterError(f"e_ops entry has shape {matrix.shape}, expected {(d, d)}")
            values = vectors @ matrix.ravel()  # Tr(A rho) = vec(A^T) . vec(rho), and vec(A^T) = A row by row
            expect.append(values.real if max_asymmetry(matrix) == 0 else values)
        store = self.options["store_states"]
        store = not expect if store is None else bool(store)
        stats = {"method": "expm", "num_rhs": 0, "num_steps": len(times) - 1, "frame": "lab",
                 "run_time": _time.perf_counter() - started}
        states = vectors.reshape(len(times), d, d).transpose(0, 2, 1).copy() if store else None  # vec -> rho
        return Result(times=times, states=states, expect=expect, stats=stats)


def mesolve(fock: FockModel, rho0: np.ndarray, times: Sequence[float], e_ops: Sequence[Operator] | None = None,
            options: Mapping[str, Any] | None = None) -> Result:
    """Solve the Lindblad master equation of ``fock`` from ``rho0`` at ``times[0]`` (QuTiP-style).

    Parameters
    ----------
    fock : FockModel
        Sparse matrices of a model (:func:`~qderive.numeric.fock_model`); time-dependent
        Hamiltonian terms ``f(t) H_k`` (pulses, gates) are supported by the ODE methods.
    rho0 : ndarray
        Initial density matrix ``(d, d)`` or state vector ``(d,)``.
    times : sequence of float
        Increasing output times (s).
    e_ops : sequence of operators, optional
        Sparse or dense matrices or symbolic :class:`~qderive.symbolic.Op` whose expectation
        values are returned; without them the states are stored.
    options : mapping, optional
        Solver options, see :func:`check_options`.

    Returns
    -------
    Result
    """
    return LindbladSolver(fock, options).run(rho0, times, e_ops)
