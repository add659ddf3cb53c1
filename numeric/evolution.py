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
* ``"chebyshev"``: exact-to-rounding propagation of time-independent models at any dimension by a
  Chebyshev expansion of ``exp(L dt)`` (:mod:`.chebyshev`): about 1.5 applications of the compiled
  generator per radian of the Liouvillian's imaginary extent, with the truncation error of each
  output step bounded by ``atol`` (Frobenius norm; ``rtol`` is not used); lab frame.
* ``"auto"``: ``"expm"`` where it applies; otherwise, for time-independent models whose numerical
  range is oscillation-dominated (real half-width below ``AUTO_CHEBYSHEV_DAMPING_RATIO`` times the
  imaginary extent), ``"chebyshev"``; otherwise ``"adams"``.

A step whose norm ``||L dt||_1`` is large is split and squared with trace and Hermiticity restored
(:mod:`.propagator`); where float64 rounding bounds the accuracy of a long exact step above
``atol`` (the phase of a slowly damped fast oscillation), an :class:`ApproximationWarning` says so.
Every output state is checked to be a density matrix within ``options["state_tolerance"]``
(its eigenvalues, for the ODE methods, down to ``-(state_tolerance + 100 (atol + rtol))``, the
integrator's global error scale): trace, Hermiticity and populations of every state; the
spectrum (positivity) of every state of an ODE run for ``d <= FULL_SPECTRUM_MAX_DIMENSION`` and
of the final state up to ``FINAL_SPECTRUM_MAX_DIMENSION`` (where the rounding errors of repeated
exact steps ``P^k`` are largest); :class:`~qderive.numeric.state_checks.UnphysicalStateError`
otherwise. The memory of a step is estimated before anything is allocated (:mod:`.memory`).

Output times are hit exactly (no interpolation). The generator is applied in full (not with
the ``rho = rho^+`` shortcut, because ZVODE's iterates are not exactly Hermitian), so every
increment is traceless to rounding and trace and Hermiticity are conserved to ~1e-15 by the ODE and
``expm`` methods. A Chebyshev state is the Hermitian part of the propagated one (Hermitian exactly;
the projection cannot move it away from the exact state) and keeps its trace to the truncation
bound (``atol`` per output step; measured ~1e-14).
"""

from __future__ import annotations

import time as _time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sps
from scipy.integrate import ode

from qderive.symbolic import ApproximationWarning, ConvergenceError, ParameterError

from .chebyshev import ChebyshevPropagator, NumericalRangeBox, chebyshev_step_bytes, numerical_range_box
from .fock import FockModel
from .generator import LindbladGenerator
from .kernels import dense_superoperator, density_matrix_defects, propagate_uniform, strictly_increasing, uniform_steps
from .memory import COMPLEX_BYTES, expm_step_bytes, ode_step_bytes, require_memory
from .observables import Expectations
from .progress import progress_bar
from .propagator import exact_propagator
from .qutip_interop import is_qobj, qobj_array, states_to_qutip
from .state_checks import check_states

DEFAULT_OPTIONS: dict[str, Any] = {
    "method": "auto",
    "atol": 1e-8,
    "rtol": 1e-6,
    "nsteps": 1_000_000,
    "max_step": 0.0,
    "frame": "auto",
    "store_states": None,
    "truncation_tolerance": 1e-4,
    "state_tolerance": 1e-6,
    "progress_bar": None,
}
METHODS = ("auto", "adams", "bdf", "expm", "chebyshev")
SHRINK_ADVICE = ("lower the Fock cutoffs (check the truncation with a smaller model first) or eliminate a fast "
                 "subsystem adiabatically")
EXPM_MAX_DIMENSION = 32
# Measured (Jaynes-Cummings d = 48 and sps000 RWA d = 90, 2 cores shared, adams at atol 1e-10 / rtol 1e-8 against
# chebyshev at atol 1e-10): real half-width / imaginary extent 0.02 / 0.17 / 0.5 -> chebyshev 3.0x / 2.1x / 2.7x
# faster; 0.86 -> adams 1.6x faster (Chebyshev's ellipse must then cover a wide damping range)
AUTO_CHEBYSHEV_DAMPING_RATIO = 0.5
FULL_SPECTRUM_MAX_DIMENSION = 32  # ODE runs check every output state's spectrum up to here (Cholesky, O(d^3/6) each)
FINAL_SPECTRUM_MAX_DIMENSION = 400  # the final state's, up to here
# ODE states may dip below zero by the integrator's global error, a multiple of its local tolerances: measured
# -1.0e-6 for a pulsed Jaynes-Cummings model (d = 20) at atol 1e-8, rtol 1e-6
ODE_NEGATIVITY_FACTOR = 100.0


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def check_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults merged with ``options``, each entry checked; unknown keys raise :class:`ParameterError`.

    Keys: ``method`` (one of ``"auto", "adams", "bdf", "expm", "chebyshev"``), ``atol`` and ``rtol``
    (positive absolute and relative tolerances of the integrator, as in ``qutip.mesolve``; for
    ``"chebyshev"``, ``atol`` bounds the truncation error of each output step), ``nsteps``
    (maximum internal steps between two output times), ``max_step`` (0 for no limit), ``frame``
    (``"auto", "lab", "interaction"``), ``store_states`` (``None``: only when no ``e_ops``),
    ``truncation_tolerance`` (largest allowed top-Fock-level population at an output time, or
    ``None`` to skip the check), ``state_tolerance`` (largest allowed loss of trace, Hermiticity
    or positivity of an output state, or ``None`` to skip the check), ``progress_bar``
    (``None``, ``"text"`` or ``"tqdm"``, see :mod:`.progress`). Tolerances lie in ``(0, 1)``;
    booleans are refused where numbers are expected.

    Examples
    --------
    >>> options = check_options({"method": "bdf", "atol": 1e-10})
    >>> options["method"], options["atol"], options["rtol"]  # the rest are defaults
    ('bdf', 1e-10, 1e-06)
    >>> check_options({"rtol": True})
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: option 'rtol' must be a positive number below 1, got True
    >>> check_options({"tol": 1e-6})
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: unknown solver option 'tol'; options are [...]
    """
    merged = dict(DEFAULT_OPTIONS)
    for key, value in dict(options or {}).items():
        if key not in DEFAULT_OPTIONS:
            raise ParameterError(f"unknown solver option '{key}'; options are {sorted(DEFAULT_OPTIONS)}")
        merged[key] = value
    if merged["method"] not in METHODS:
        raise ParameterError(f"option 'method' must be one of {METHODS}, got {merged['method']!r}")
    for key in ("atol", "rtol"):
        if not (_is_number(merged[key]) and 0 < merged[key] < 1):
            raise ParameterError(f"option '{key}' must be a positive number below 1, got {merged[key]!r}")
    if not (isinstance(merged["nsteps"], (int, np.integer)) and not isinstance(merged["nsteps"], bool)
            and merged["nsteps"] > 0):
        raise ParameterError(f"option 'nsteps' must be a positive integer, got {merged['nsteps']!r}")
    if not (_is_number(merged["max_step"]) and 0 <= merged["max_step"] < np.inf):
        raise ParameterError(f"option 'max_step' must be a finite number >= 0 (0: no limit), "
                             f"got {merged['max_step']!r}")
    if not (isinstance(merged["frame"], str) and merged["frame"] in ("auto", "lab", "interaction")):
        raise ParameterError(f"option 'frame' must be 'auto', 'lab' or 'interaction', got {merged['frame']!r}")
    for key in ("truncation_tolerance", "state_tolerance"):
        tolerance = merged[key]
        if tolerance is not None and not (_is_number(tolerance) and 0 < tolerance < 1):
            raise ParameterError(f"option '{key}' must be a number between 0 and 1 (exclusive) or None, "
                                 f"got {tolerance!r}")
    if merged["store_states"] not in (None, True, False):
        raise ParameterError(f"option 'store_states' must be None, True or False, got {merged['store_states']!r}")
    bar = merged["progress_bar"]
    if not (bar is None or bar is False or (isinstance(bar, str) and bar in ("", "text", "tqdm"))):
        raise ParameterError(f"option 'progress_bar' must be None, 'text' or 'tqdm', got {bar!r}")
    return merged


def density_matrix(state: Any, dimension: int, name: str = "rho0",
                   dimensions: Sequence[int] | None = None) -> np.ndarray:
    """A validated density matrix from a ``(d, d)`` matrix, a ``(d,)`` state vector or a QuTiP ``Qobj``.

    A ``Qobj`` (ket, column ``(d, 1)`` or density matrix) must live in the model's space
    (``dimensions``, the tensor dimensions, or their product). Raises :class:`ParameterError` for a
    wrong shape, a non-finite entry, a non-Hermitian matrix (``1e-10``), a trace different from 1
    (``1e-8``) or a negative eigenvalue below ``-1e-8``.

    Examples
    --------
    >>> density_matrix(np.array([1.0, 1.0]) / np.sqrt(2), 2).real.tolist()  # a ket becomes |psi><psi|
    [[0.4999999999999999, 0.4999999999999999], [0.4999999999999999, 0.4999999999999999]]
    >>> density_matrix(np.diag([0.5, 0.6]), 2)
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: rho0 is not a density matrix: its trace is 1.1, not 1
    """
    if is_qobj(state):
        state = qobj_array(state, dimensions or [dimension], name)
    state = np.asarray(state.toarray() if sps.issparse(state) else state, dtype=complex)
    if state.shape == (dimension, 1) and dimension > 1:  # a ket as a column
        state = state[:, 0]
    if not np.all(np.isfinite(state)):
        raise ParameterError(f"{name} has non-finite entries (NaN or inf); give a valid state")
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
    """An output step rounded to 12 digits: equal steps of a uniform grid, which differ by rounding, share a key.

    Examples
    --------
    >>> times = np.linspace(0.0, 1.0, 11)
    >>> len(set(np.diff(times))) > 1, len({step_key(dt) for dt in np.diff(times)})  # rounding differences vanish
    (True, 1)
    """
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

    ``stats`` counts ``num_rhs`` and ``num_steps`` (added to, started at 0 when absent). Raises
    :class:`ConvergenceError` when ZVODE fails or the solution stops being finite.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.numeric.generator import LindbladGenerator
    >>> from qderive.symbolic.library import driven_qubit
    >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})
    >>> stats = {"num_rhs": 0, "num_steps": 0}
    >>> excited = np.diag([0.0, 1.0]).astype(complex)
    >>> states = list(integrate(LindbladGenerator(fock, "lab"), excited, np.array([0.0, 2.0]),
    ...                         check_options({"atol": 1e-10, "rtol": 1e-10}), stats))
    >>> bool(abs(states[-1][1, 1].real - np.exp(-1.0)) < 1e-8), stats["num_rhs"] > 0
    (True, True)
    """
    stats.setdefault("num_rhs", 0)
    stats.setdefault("num_steps", 0)
    d = generator.dimension
    out = np.empty((d, d), dtype=complex)

    failures: list[Exception] = []  # an error inside ZVODE's callback is re-raised after it returns

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        stats["num_rhs"] += 1
        try:
            return generator.apply(t, y.reshape(d, d), out).ravel()
        except Exception as error:  # noqa: BLE001 - re-raised below, outside the Fortran code
            failures.append(error)
            return np.full(d * d, np.nan, dtype=complex)

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
        if failures:
            raise failures[0]
        if not integrator.successful() or not np.all(np.isfinite(y)):
            raise ConvergenceError(
                f"ZVODE ({method}) failed between t = {integrator.t:.6g} and {t:.6g} (return code "
                f"{integrator.get_return_code()}; {'; '.join(str(w.message) for w in caught)}): "
                f"raise options['nsteps'] (now {options['nsteps']}), loosen "
                f"atol/rtol, or try method 'bdf' if the model is stiff"
            )
        stats["num_steps"] = steps_before + int(integrator._integrator.iwork[10])
        yield generator.to_lab(t, y.reshape(d, d))


@dataclass
class Result:
    """Outcome of an evolution: output ``times``, ``states`` (or ``None``), ``expect`` and ``stats``.

    ``expect[k][n]`` is ``Tr(e_ops[k] rho(times[n]))`` (real for Hermitian operators), and
    ``e_data`` the same keyed like QuTiP's (by the keys of a dict ``e_ops``, else by position);
    ``stats`` holds ``method``, ``frame``, ``num_rhs`` (right-hand-side evaluations), ``num_steps``
    (internal integrator steps), ``run_time`` in seconds, and for exact propagation
    ``rounding_error_bound`` (see :mod:`.propagator`), for Chebyshev propagation
    ``truncation_error_bound`` (the summed truncation bounds of its sub-steps, :mod:`.chebyshev`).
    ``dimensions`` are the model's tensor
    dimensions, used by :meth:`states_as_qobj` and :meth:`final_state_as_qobj`.

    Examples
    --------
    >>> from qderive.numeric import fock_model, mesolve
    >>> from qderive.symbolic.library import driven_qubit
    >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})
    >>> result = mesolve(fock, np.array([0.0, 1.0]), [0.0, 1.0, 2.0])  # no e_ops: the states are stored
    >>> result.states.shape, result.stats["method"], result.expect
    ((3, 2, 2), 'expm', [])
    """

    times: np.ndarray
    states: np.ndarray | None
    expect: list[np.ndarray]
    stats: dict[str, Any] = field(default_factory=dict)
    e_keys: list[Any] = field(default_factory=list)
    dimensions: tuple[int, ...] = ()

    @property
    def final_state(self) -> np.ndarray | None:
        """The last stored state ``rho(times[-1])``, or ``None`` when no states were stored.

        Examples
        --------
        >>> from qderive.numeric import fock_model, mesolve
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})
        >>> rho = mesolve(fock, np.array([0.0, 1.0]), [0.0, 2.0]).final_state
        >>> bool(np.isclose(rho[1, 1].real, np.exp(-1.0))), bool(np.isclose(np.trace(rho).real, 1.0))
        (True, True)
        """
        return None if self.states is None else self.states[-1]

    @property
    def e_data(self) -> dict[Any, np.ndarray]:
        """The expectation values keyed like ``e_ops`` (QuTiP's ``Result.e_data``).

        Examples
        --------
        >>> from qderive.numeric import fock_model, mesolve
        >>> from qderive.symbolic.library import driven_qubit
        >>> model = driven_qubit()
        >>> fock = fock_model(model, {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})
        >>> s = model.subsystem("s")
        >>> e_ops = {"P_e": s.projector("e"), "P_g": s.projector("g")}
        >>> result = mesolve(fock, np.array([0.0, 1.0]), [0.0, 2.0], e_ops=e_ops)
        >>> sorted(result.e_data), bool(np.allclose(result.e_data["P_e"] + result.e_data["P_g"], 1.0))
        (['P_e', 'P_g'], True)
        """
        keys = self.e_keys or list(range(len(self.expect)))
        return dict(zip(keys, self.expect, strict=True))

    def states_as_qobj(self) -> list[Any]:
        """The stored states as QuTiP ``Qobj`` density matrices with the model's dims (imports QuTiP).

        Examples
        --------
        >>> from qderive.numeric import fock_model, mesolve
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})
        >>> states = mesolve(fock, np.array([0.0, 1.0]), [0.0, 1.0]).states_as_qobj()
        >>> len(states), states[0].dims, bool(states[1].isherm)
        (2, [[2], [2]], True)
        """
        if self.states is None:
            raise ParameterError("no states were stored: pass options={'store_states': True}")
        return states_to_qutip(self.dimensions or (self.states.shape[1],), self.states)

    def final_state_as_qobj(self) -> Any:
        """The final state as a QuTiP ``Qobj`` with the model's dims (imports QuTiP).

        Examples
        --------
        >>> from qderive.numeric import fock_model, mesolve
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})
        >>> rho = mesolve(fock, np.array([0.0, 1.0]), [0.0, 2.0]).final_state_as_qobj()
        >>> bool(np.isclose(rho.tr(), 1.0)), bool(np.isclose(rho.full()[1, 1].real, np.exp(-1.0)))
        (True, True)
        """
        if self.states is None:
            raise ParameterError("no states were stored: pass options={'store_states': True}")
        return states_to_qutip(self.dimensions or (self.states.shape[1],), self.states[-1:])[0]


class LindbladSolver:
    """Master-equation solver that keeps its prepared generator and propagators between runs.

    Parameters
    ----------
    fock : FockModel
        Sparse matrices of the model at fixed parameter values.
    options : mapping, optional
        See :func:`check_options`.

    Raises
    ------
    ParameterError
        For bad options or a method that does not apply to the model.
    InsufficientMemoryError
        When a step of the chosen method needs more memory than the machine has available.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> model = driven_qubit()
    >>> fock = fock_model(model, {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})  # free decay
    >>> solver = LindbladSolver(fock)
    >>> solver.method  # time-independent and small: exact propagation
    'expm'
    >>> excited = np.array([0.0, 1.0])
    >>> for gamma_t in (0.5, 1.0):  # the solver is reused: its propagators are kept
    ...     result = solver.run(excited, [0.0, gamma_t / 0.5], e_ops=[model.subsystem("s").projector("e")])
    ...     print(bool(np.isclose(result.expect[0][-1], np.exp(-gamma_t), rtol=1e-12)))
    True
    True
    """

    def __init__(self, fock: FockModel, options: Mapping[str, Any] | None = None):
        self.fock = fock
        self.options = check_options(options)
        method = self.options["method"]
        expm_possible = not fock.varies_in_time and fock.dimension <= EXPM_MAX_DIMENSION
        if method == "expm" and not expm_possible:
            raise ParameterError(
                f"method 'expm' needs a time-independent model of dimension <= {EXPM_MAX_DIMENSION}, "
                f"got dimension {fock.dimension}{' with time-dependent terms' if fock.varies_in_time else ''}"
            )
        if method == "chebyshev" and fock.varies_in_time:
            raise ParameterError("method 'chebyshev' needs a time-independent model (this one has time-dependent "
                                 "terms); use method 'adams' or 'bdf'")
        if method == "chebyshev" and self.options["frame"] == "interaction":
            raise ParameterError("method 'chebyshev' propagates in the lab frame (the interaction-frame generator "
                                 "depends on time); use frame 'auto' or 'lab', or method 'adams'")
        box = None
        if method in ("auto", "chebyshev") and not fock.varies_in_time and not expm_possible:
            # the box costs O(d^2) operations: refuse first if not even the leaner of the two methods fits
            n_jumps = len(fock.jump_operators)
            require_memory(min(chebyshev_step_bytes(fock.dimension, n_jumps),
                               ode_step_bytes(fock.dimension, n_jumps, "adams")),
                           f"time evolution at dimension {fock.dimension}", SHRINK_ADVICE)
            box = numerical_range_box(fock.hamiltonian, fock.jump_operators)
        if method == "auto":
            self.method = "adams" if self.options["frame"] == "interaction" and not expm_possible \
                else auto_method(fock, box)
        else:
            self.method = method
        self._propagators: dict[float, tuple[np.ndarray, float]] = {}
        self.chebyshev = None
        if self.method == "chebyshev":
            require_memory(chebyshev_step_bytes(fock.dimension, len(fock.jump_operators)),
                           f"Chebyshev propagation at dimension {fock.dimension}",
                           "lower the Fock cutoffs (check the truncation with a smaller model first)")
            self.generator = LindbladGenerator(fock, "lab")
            box = box if box is not None else numerical_range_box(fock.hamiltonian, fock.jump_operators)
            self.chebyshev = ChebyshevPropagator(self.generator, box, self.options["atol"])
        elif self.method == "expm":
            require_memory(expm_step_bytes(fock.dimension), f"exact propagation at dimension {fock.dimension}",
                           "use method 'adams'")
            self._liouvillian = dense_superoperator(*fock.dense_matrices)
            self.generator = None
        else:
            require_memory(ode_step_bytes(fock.dimension, len(fock.jump_operators), self.method),
                           f"mesolve ({self.method}) at dimension {fock.dimension}", SHRINK_ADVICE)
            self.generator = LindbladGenerator(fock, self.options["frame"])

    # -- propagation ----------------------------------------------------------------------
    def _propagator(self, step: float) -> tuple[np.ndarray, float]:
        """``exp(L step)`` and its rounding bound (:func:`.propagator.exact_propagator`), once per :func:`step_key`."""
        key = step_key(step)
        if key not in self._propagators:
            self._propagators[key] = exact_propagator(self._liouvillian, key)
        return self._propagators[key]

    def _expm_states(self, rho0: np.ndarray, times: np.ndarray, stats: dict) -> Iterator[np.ndarray]:
        d = self.fock.dimension
        x = rho0.reshape(-1, order="F")
        stats["rounding_error_bound"] = 0.0
        yield rho0
        for step in np.diff(times):
            propagator, bound = self._propagator(step)
            x = propagator @ x
            stats["num_steps"] += 1
            stats["rounding_error_bound"] += bound
            yield x.reshape(d, d, order="F")

    def _ode_states(self, rho0: np.ndarray, times: np.ndarray, stats: dict) -> Iterator[np.ndarray]:
        return integrate(self.generator, rho0, times, self.options, stats, method=self.method)

    def _density_matrix(self, rho0: Any) -> np.ndarray:
        return density_matrix(rho0, self.fock.dimension, dimensions=self.fock.dimensions)

    def states(self, rho0: Any, times: Sequence[float], stats: dict | None = None) -> Iterator[np.ndarray]:
        """Lab-frame density matrices at ``times`` (a generator; the first is ``rho0``).

        Examples
        --------
        >>> from qderive.numeric import fock_model
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 0.0, "gamma": 0.5})
        >>> states = LindbladSolver(fock).states(np.array([0.0, 1.0]), [0.0, 1.0, 2.0])
        >>> [round(rho[1, 1].real, 12) for rho in states] == [round(np.exp(-0.5 * t), 12) for t in (0.0, 1.0, 2.0)]
        True
        """
        rho0 = self._density_matrix(rho0)
        times = _check_times(times)
        stats = {"num_rhs": 0, "num_steps": 0} if stats is None else stats
        if self.method == "expm":
            return self._expm_states(rho0, times, stats)
        if self.method == "chebyshev":
            stats.setdefault("truncation_error_bound", 0.0)
            return self.chebyshev.trajectory(rho0, times, stats, hermitian=True)
        return self._ode_states(rho0, times, stats)

    def _check_storage(self, count: int, store: bool) -> None:
        if store:
            d = self.fock.dimension
            require_memory(count * d * d * COMPLEX_BYTES, f"storing {count} states of dimension {d}",
                           "pass e_ops with options={'store_states': False}, or fewer output times")

    def _negativity(self, state_tolerance: float, steps: int) -> float:
        """Allowed ``-lambda_min`` of an output state: the integrator's global error scale widens it (ODE methods).

        Chebyshev: each output step errs by at most ``atol`` in the Frobenius norm, which bounds the shift of
        every eigenvalue (Weyl), so ``steps`` steps widen it by ``steps atol``.
        """
        if self.method == "expm":
            return state_tolerance
        if self.method == "chebyshev":
            return state_tolerance + steps * self.options["atol"]
        return state_tolerance + ODE_NEGATIVITY_FACTOR * (self.options["atol"] + self.options["rtol"])

    def _warn_rounding(self, bound: float) -> None:
        if bound > self.options["atol"]:
            warnings.warn(
                f"float64 rounding bounds the accuracy of the exact propagation to ~{bound:.1e} (> atol "
                f"{self.options['atol']:.0e}): the phase of an undamped frequency w after a time t is known only "
                "to eps w t; remove fast frequencies by a rotating frame or shorten the evolution",
                ApproximationWarning, stacklevel=3,
            )

    def run(self, rho0: Any, times: Sequence[float], e_ops: Any = None) -> Result:
        """Evolve ``rho0`` (matrix, state vector or ``Qobj``) from ``times[0]``; states or expectations at ``times``.

        ``e_ops`` as in :mod:`.observables` (operators, ``Op``, ``Qobj``, a dict of them, callables
        ``f(t, rho)``). Raises :class:`ParameterError` for a bad ``rho0``, ``times`` or ``e_ops``,
        :class:`ConvergenceError` when the integrator fails,
        :class:`~qderive.numeric.state_checks.UnphysicalStateError` when an output state is not a
        density matrix within ``options["state_tolerance"]``, :class:`~qderive.symbolic.TruncationError`
        when a mode's top Fock level holds more than ``options["truncation_tolerance"]`` at an output time.

        Examples
        --------
        >>> from qderive.numeric import fock_model
        >>> from qderive.symbolic.library import driven_qubit
        >>> model = driven_qubit()
        >>> fock = fock_model(model, {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5})
        >>> P_e = model.subsystem("s").projector("e")
        >>> result = LindbladSolver(fock).run(np.array([1.0, 0.0]), [0.0, 40.0], e_ops=[P_e])
        >>> bool(np.isclose(result.expect[0][-1], 4 / 9))  # steady (Omega/2)^2 / (gamma^2/4 + Omega^2/2) at Delta = 0
        True
        """
        started = _time.perf_counter()
        times = _check_times(times)
        expectations = Expectations(self.fock, e_ops)
        store = self.options["store_states"]
        store = len(expectations) == 0 if store is None else bool(store)
        if self.method == "expm" and uniform_steps(times, 1e-12):
            return self._run_uniform(rho0, times, expectations, store, started)
        self._check_storage(len(times), store)
        tolerance = self.options["truncation_tolerance"]
        state_tolerance = self.options["state_tolerance"]
        full_spectrum = self.fock.dimension <= FULL_SPECTRUM_MAX_DIMENSION
        negativity = None if state_tolerance is None else self._negativity(state_tolerance, len(times) - 1)
        stats: dict[str, Any] = {"method": self.method, "num_rhs": 0, "num_steps": 0,
                                 "frame": self.generator.frame if self.generator else "lab"}
        if self.method == "chebyshev":
            stats["truncation_error_bound"] = 0.0
        states, values = [], []
        bar = progress_bar(self.options["progress_bar"], len(times))
        for t, rho in zip(times, self.states(rho0, times, stats), strict=True):
            if state_tolerance is not None:
                check_states(rho[None], state_tolerance, [t], 0 if full_spectrum else 1, self.method, negativity)
            if tolerance is not None:
                self.fock.check_truncation(rho, tolerance, time=t)
            if store:
                states.append(rho.copy())
            if expectations:
                values.append(expectations(t, rho))
            bar.update()
        bar.close()
        if state_tolerance is not None and not full_spectrum and self.fock.dimension <= FINAL_SPECTRUM_MAX_DIMENSION:
            check_states(rho[None], state_tolerance, [t], 0, self.method, negativity)
        if self.method == "expm":
            self._warn_rounding(stats["rounding_error_bound"])
        stats["run_time"] = _time.perf_counter() - started
        return Result(
            times=times, states=np.array(states) if store else None,
            expect=expectations.finish(values) if expectations else [], stats=stats,
            e_keys=list(expectations.keys), dimensions=self.fock.dimensions,
        )

    def _run_uniform(self, rho0: Any, times: np.ndarray, expectations: Expectations, store: bool,
                     started: float) -> Result:
        """Exact propagation on a uniform grid: one ``exp(L dt)``, all states as columns of one array."""
        d = self.fock.dimension
        rho0 = self._density_matrix(rho0)
        self._check_storage(len(times), True)  # the propagated vectors are held in any case
        bar = progress_bar(self.options["progress_bar"], len(times))
        propagator, bound = self._propagator(float(times[1] - times[0]))
        vectors = propagate_uniform(propagator, rho0.reshape(-1, order="F").astype(complex), len(times))
        bar.update(len(times))
        bar.close()
        transposed = vectors.reshape(len(times), d, d)  # row n is vec rho(t_n) column-stacked: rho(t_n)^T
        if self.options["state_tolerance"] is not None:
            # rounding errors of P^k grow with k, so the last state is where positivity fails first
            check_states(transposed, self.options["state_tolerance"], times, len(times) - 1, "expm")
        tolerance = self.options["truncation_tolerance"]
        if tolerance is not None and self.fock.model.modes:
            self.fock.check_truncation_along(vectors[:, :: d + 1].real, tolerance, times)  # vec index of rho_ii
        table: list[np.ndarray | None] = [None] * len(expectations)
        for k, matrix in enumerate(expectations.operators):
            if matrix is not None:  # dense at this size; Tr(A rho) = vec(A^T) . vec(rho), vec(A^T) = A row by row
                values = vectors @ matrix.ravel()
                table[k] = values.real if expectations.hermitian[k] else values
        for k, function in expectations.functions.items():
            values = np.array([complex(function(t, rho.T)) for t, rho in zip(times, transposed, strict=True)])
            table[k] = values.real if not np.any(values.imag) else values
        bound *= len(times) - 1
        self._warn_rounding(bound)
        stats = {"method": "expm", "num_rhs": 0, "num_steps": len(times) - 1, "frame": "lab",
                 "rounding_error_bound": bound, "run_time": _time.perf_counter() - started}
        states = transposed.transpose(0, 2, 1).copy() if store else None  # vec -> rho
        return Result(times=times, states=states, expect=table, stats=stats, e_keys=list(expectations.keys),
                      dimensions=self.fock.dimensions)


def auto_method(fock: FockModel, box: NumericalRangeBox | None) -> str:
    """The method ``"auto"`` picks: ``"expm"`` (time-independent, ``d <= EXPM_MAX_DIMENSION``), ``"chebyshev"``
    (time-independent with an oscillation-dominated numerical range ``box``), else ``"adams"``.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit, pulsed_qubit
    >>> auto_method(fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5}), None)  # small: exact
    'expm'
    >>> auto_method(fock_model(pulsed_qubit(), {"Omega": 1.0, "t0": 2.0, "w": 0.5, "gamma": 0.5}), None)  # H(t)
    'adams'
    """
    if fock.varies_in_time:
        return "adams"
    if fock.dimension <= EXPM_MAX_DIMENSION:
        return "expm"
    if box is not None and box.real_half_width <= AUTO_CHEBYSHEV_DAMPING_RATIO * box.imag_half_width:
        return "chebyshev"
    return "adams"


def mesolve(fock: FockModel, rho0: Any, times: Sequence[float], e_ops: Any = None,
            options: Mapping[str, Any] | None = None) -> Result:
    """Solve the Lindblad master equation of ``fock`` from ``rho0`` at ``times[0]`` (QuTiP-style).

    Parameters
    ----------
    fock : FockModel
        Sparse matrices of a model (:func:`~qderive.numeric.fock_model`, or a QuTiP model through
        :meth:`FockModel.from_qutip`); time-dependent Hamiltonian terms ``f(t) H_k`` (pulses,
        gates) and time-dependent rates are supported by the ODE methods.
    rho0 : ndarray or Qobj
        Initial density matrix ``(d, d)`` or state vector ``(d,)``, or a QuTiP ket or density matrix.
    times : sequence of float
        Increasing output times (s).
    e_ops : operator, sequence or dict, optional
        Sparse or dense matrices, symbolic :class:`~qderive.symbolic.Op`, QuTiP ``Qobj`` or
        callables ``f(t, rho)``; a dict keys the results (``Result.e_data``) like QuTiP. Without
        them the states are stored.
    options : mapping, optional
        Solver options, see :func:`check_options` (including ``progress_bar``).

    Returns
    -------
    Result
        ``result.final_state_as_qobj()`` and ``result.states_as_qobj()`` give QuTiP objects.

    Examples
    --------
    Rabi oscillation ``P_e(t) = sin^2(Omega t / 2)`` of an (almost) undamped qubit, with the ODE method:

    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> model = driven_qubit()
    >>> fock = fock_model(model, {"Delta": 0.0, "Omega": 1.0, "gamma": 1e-9})
    >>> times = np.linspace(0.0, np.pi, 5)
    >>> result = mesolve(fock, np.array([1.0, 0.0]), times, e_ops={"P_e": model.subsystem("s").projector("e")},
    ...                  options={"method": "adams", "atol": 1e-10, "rtol": 1e-10})
    >>> bool(np.allclose(result.e_data["P_e"], np.sin(times / 2) ** 2, atol=1e-7))
    True
    """
    return LindbladSolver(fock, options).run(rho0, times, e_ops)
