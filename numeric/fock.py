"""Sparse matrices of a symbolic model in a truncated Fock space.

The basis is the tensor product of the model's subsystems in declaration order: an n-level
system contributes its levels in order, a bosonic mode ``a`` with cutoff ``N`` the Fock states
``|0>, ..., |N-1>`` with ``a|n> = sqrt(n)|n-1>``. Truncation makes ``[a, a^+] = 1`` fail in
the top level, so every solution should be checked with :meth:`FockModel.check_truncation`.

A dissipator whose rate ``gamma(t)`` depends on time (e.g. ``kappa exp(-t)``) keeps its operator
``L`` in ``jump_operators`` and its amplitude ``sqrt(gamma(t))`` in ``time_dependent_jumps``:
``J(t) = sqrt(gamma(t)) L``, QuTiP's collapse operator ``[L, sqrt(gamma(t))]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, reduce
from typing import Any

import numpy as np
import scipy.sparse as sps
import sympy as sp

from qderive.symbolic import (
    BosonMode,
    InputField,
    Model,
    ModelError,
    NLevelSystem,
    Op,
    ParameterError,
    ParameterSet,
    TruncationError,
)
from qderive.symbolic.model import TIME
from qderive.symbolic.operators import Factor, Monomial
from qderive.symbolic.subsystems import Subsystem

TimeFunction = Callable[[float], complex]


def _factor_matrix(system: Subsystem, factor: Factor, dimension: int) -> sps.csr_matrix:
    if isinstance(system, NLevelSystem):
        i, j = factor
        return sps.csr_matrix(([1.0], ([i], [j])), shape=(dimension, dimension))
    p, q = factor
    a = sps.diags(np.sqrt(np.arange(1, dimension, dtype=float)), 1, format="csr")
    return (a.T ** p) @ (a ** q) if (p or q) else sps.identity(dimension, format="csr")


@dataclass(frozen=True)
class FockModel:
    r"""A model's Hamiltonian and jump operators as sparse matrices at given parameters.

    ``H(t) = hamiltonian + sum_k f_k(t) H_k`` with ``(f_k, H_k)`` in ``time_dependent``;
    ``jump_operators[k] = sqrt(gamma_k) L_k`` so that
    ``drho/dt = -i[H, rho] + sum_k (J_k rho J_k^+ - {J_k^+ J_k, rho}/2)``; for ``(k, f)`` in
    ``time_dependent_jumps`` the jump operator at time ``t`` is ``f(t) jump_operators[k]``.
    ``symbolic`` is False for a model given only by matrices (:meth:`from_qutip`), whose
    ``model`` then declares the subsystems and no Hamiltonian terms.

    Examples
    --------
    >>> from qderive.symbolic.library import driven_cavity
    >>> fock = fock_model(driven_cavity(), {"Delta": 1.0, "E": 0.2, "kappa": 0.5}, cutoffs={"a": 4})
    >>> fock.dimensions, fock.channels
    ((4,), ('kappa',))
    >>> J = fock.jump_operators[0].toarray()
    >>> bool(np.allclose(J, np.sqrt(0.5) * np.diag(np.sqrt([1.0, 2.0, 3.0]), 1)))  # sqrt(kappa) a
    True
    """

    model: Model
    parameters: ParameterSet
    dimensions: tuple[int, ...]
    hamiltonian: sps.csr_matrix
    time_dependent: tuple[tuple[TimeFunction, sps.csr_matrix], ...]
    jump_operators: tuple[sps.csr_matrix, ...]
    channels: tuple[str, ...]
    time_dependent_jumps: tuple[tuple[int, TimeFunction], ...] = ()
    symbolic: bool = True

    @classmethod
    def from_qutip(cls, hamiltonian: Any, c_ops: Sequence[Any] = (), subsystems: Sequence[Subsystem] | None = None,
                   args: Mapping[str, Any] | None = None) -> FockModel:
        """A model written in QuTiP, ``H`` and ``c_ops``, as a Fock model for qderive's solvers.

        Parameters
        ----------
        hamiltonian : Qobj or list
            ``H`` as a ``Qobj`` or in QuTiP's list format ``[H0, [H1, f1], ...]`` (coefficients as
            QuTiP accepts them: functions ``f(t, ...)``, strings, arrays, with ``args``).
        c_ops : sequence
            Collapse operators ``J_k`` (``Qobj``) or pairs ``[L_k, f_k]`` for ``J_k(t) = f_k(t) L_k``.
        subsystems : sequence of Subsystem, optional
            One per tensor factor of ``H.dims``: a :class:`~qderive.symbolic.BosonMode` makes the
            solvers check that factor's truncation. Default: an n-level system ``q0, q1, ...`` per factor.
        args : mapping, optional
            Arguments of the QuTiP coefficients.

        Examples
        --------
        >>> import qutip
        >>> from qderive.numeric import mesolve
        >>> excited = qutip.basis(2, 0)  # QuTiP's sigmam() lowers basis(2, 0) to basis(2, 1)
        >>> fock = FockModel.from_qutip(0 * qutip.sigmaz(), [np.sqrt(0.5) * qutip.sigmam()])
        >>> result = mesolve(fock, excited, [0.0, 2.0], e_ops=[excited.proj()])
        >>> bool(np.isclose(result.expect[0][-1], np.exp(-0.5 * 2.0)))  # decay at gamma = 0.5
        True
        """
        from .qutip_interop import fock_model_from_qutip

        return fock_model_from_qutip(hamiltonian, c_ops, subsystems, dict(args or {}))

    @property
    def varies_in_time(self) -> bool:
        """True when the Hamiltonian or a jump operator depends on time.

        Examples
        --------
        >>> from qderive.symbolic.library import driven_qubit, pulsed_qubit
        >>> fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5}).varies_in_time
        False
        >>> fock_model(pulsed_qubit(), {"Omega": 1.0, "t0": 2.0, "w": 0.5, "gamma": 0.5}).varies_in_time
        True
        """
        return bool(self.time_dependent or self.time_dependent_jumps)

    @cached_property
    def dimension(self) -> int:
        return int(np.prod(self.dimensions))

    @cached_property
    def dense_matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """``H`` as a dense ``(d, d)`` array and the jump operators stacked as ``(n, d, d)`` (built once)."""
        d = self.dimension
        jumps = np.empty((len(self.jump_operators), d, d), dtype=complex)
        for n, J in enumerate(self.jump_operators):
            jumps[n] = J.toarray()
        return self.hamiltonian.toarray().astype(complex), jumps

    def operator(self, op: Op) -> sps.csr_matrix:
        """Matrix of an operator whose coefficients are constants at these parameters.

        Raises :class:`ModelError` for an operator on a subsystem that the model does not declare.

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> fock = fock_model(model, {"Delta": 1.0, "E": 0.2, "kappa": 0.5}, cutoffs={"a": 4})
        >>> a = model.subsystem("a").a
        >>> bool(np.allclose(fock.operator(a.dag() * a).diagonal(), [0, 1, 2, 3]))  # the number operator
        True
        """
        static, varying = _split_time(op, self)
        if varying:
            raise ModelError(f"operator {op} depends on time; evaluate it with hamiltonian_at(t) instead")
        return static

    def hamiltonian_at(self, t: float) -> sps.csr_matrix:
        """``H(t)`` as a sparse matrix.

        Examples
        --------
        >>> from qderive.symbolic.library import pulsed_qubit
        >>> fock = fock_model(pulsed_qubit(), {"Omega": 1.0, "t0": 2.0, "w": 0.5, "gamma": 0.5})
        >>> fock.hamiltonian_at(2.0).toarray().real.tolist()  # the pulse peak: Omega/2 sigma_x
        [[0.0, 0.5], [0.5, 0.0]]
        >>> bool(abs(fock.hamiltonian_at(0.0)[0, 1]) < 1e-3)  # four widths before the peak
        True
        """
        return reduce(lambda acc, term: acc + term[0](t) * term[1], self.time_dependent, self.hamiltonian)

    def top_level_populations(self, rho: np.ndarray) -> dict[str, float]:
        """Population of the highest kept Fock level of every mode in the state ``rho``.

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> fock = fock_model(driven_cavity(), {"Delta": 0.0, "E": 0.1, "kappa": 1.0}, cutoffs={"a": 3})
        >>> fock.top_level_populations(np.diag([0.5, 0.3, 0.2]))
        {'a': 0.2}
        """
        return {name: float(p[0]) for name, p in self._top_levels(np.real(np.diagonal(rho))[None]).items()}

    def _top_levels(self, populations: np.ndarray) -> dict[str, np.ndarray]:
        """Top-level population of every mode for each row of ``populations`` (basis-state populations)."""
        tensor = populations.reshape((len(populations), *self.dimensions))
        result = {}
        for axis, system in enumerate(self.model.subsystems, start=1):
            if isinstance(system, BosonMode):
                others = tuple(k for k in range(1, tensor.ndim) if k != axis)
                result[system.name] = tensor.sum(axis=others)[:, -1]
        return result

    def check_truncation(self, rho: np.ndarray, tolerance: float = 1e-4, time: float | None = None) -> None:
        """Raise :class:`TruncationError` if some mode's top Fock level holds more than ``tolerance``.

        ``time`` (s), when given, is named in the message (for states along a trajectory).

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> fock = fock_model(driven_cavity(), {"Delta": 0.0, "E": 0.1, "kappa": 1.0}, cutoffs={"a": 3})
        >>> fock.check_truncation(np.diag([0.9, 0.1, 0.0]))  # empty top level: passes silently
        >>> fock.check_truncation(np.diag([0.5, 0.3, 0.2]), time=1.5)
        Traceback (most recent call last):
        ...
        qderive.symbolic.errors.TruncationError: mode 'a' holds 2.00e-01 ... at t = 1.5 s (tolerance 1e-04); ...
        """
        self.check_truncation_along(np.real(np.diagonal(rho))[None], tolerance, None if time is None else [time])

    def check_truncation_along(self, populations: np.ndarray, tolerance: float,
                               times: Sequence[float] | None = None) -> None:
        """:meth:`check_truncation` for a trajectory: ``populations[n]`` is the diagonal of ``rho(times[n])``.

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> fock = fock_model(driven_cavity(), {"Delta": 0.0, "E": 0.1, "kappa": 1.0}, cutoffs={"a": 3})
        >>> populations = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 1e-3]])  # the top level fills at the second time
        >>> fock.check_truncation_along(populations, 1e-4, times=[0.0, 2.0])
        Traceback (most recent call last):
        ...
        qderive.symbolic.errors.TruncationError: mode 'a' holds 1.00e-03 ... at t = 2 s ...; raise its cutoff above 3
        """
        for name, top in self._top_levels(np.asarray(populations)).items():
            over = np.flatnonzero(top > tolerance)
            if over.size:
                cutoff = self.dimensions[[s.name for s in self.model.subsystems].index(name)]
                when = "" if times is None else f" at t = {times[over[0]]:.6g} s"
                raise TruncationError(
                    f"mode '{name}' holds {top[over[0]]:.2e} of the population in its top level{when} "
                    f"(tolerance {tolerance:.0e}); raise its cutoff above {cutoff}"
                )


def _monomial_matrix(monomial: Monomial, fock: FockModel | _Layout) -> sps.csr_matrix:
    factors = dict(monomial)
    foreign = set(factors) - set(fock.model.subsystems)
    if foreign:
        raise ModelError(
            f"operator acts on subsystem(s) {sorted(s.name for s in foreign)}, which model '{fock.model.name}' does "
            f"not declare (it has {[s.name for s in fock.model.subsystems]}); an operator of another model has no "
            "matrix here"
        )
    blocks = []
    for system, dimension in zip(fock.model.subsystems, fock.dimensions, strict=True):
        if system in factors:
            blocks.append(_factor_matrix(system, factors[system], dimension))
        else:
            blocks.append(sps.identity(dimension, format="csr"))
    return reduce(lambda x, y: sps.kron(x, y, format="csr"), blocks)


@dataclass(frozen=True)
class _Layout:
    model: Model
    parameters: ParameterSet
    dimensions: tuple[int, ...]


def _split_time(op: Op, fock: FockModel | _Layout) -> tuple[sps.csr_matrix, list[tuple[TimeFunction, sps.csr_matrix]]]:
    """Constant part of an operator and its time-dependent terms, grouped by coefficient."""
    n = int(np.prod(fock.dimensions))
    static = sps.csr_matrix((n, n), dtype=complex)
    grouped: dict[sp.Expr, sps.csr_matrix] = {}
    for monomial, c in op.terms.items():
        for system, _ in monomial:
            if isinstance(system, InputField):
                raise ModelError(f"input field '{system.name}' has no Fock-space matrix; take its expectation instead")
        matrix = _monomial_matrix(monomial, fock)
        c = sp.sympify(c).subs(fock.parameters.substitutions)
        if TIME in c.free_symbols:
            grouped[c] = grouped.get(c, sps.csr_matrix((n, n), dtype=complex)) + matrix
        else:
            static = static + fock.parameters.evaluate(c) * matrix
    varying = []
    for c, matrix in grouped.items():
        leftover = c.free_symbols - {TIME}
        if leftover:
            raise ModelError(f"coefficient {c} has no value for {sorted(map(str, leftover))}")
        varying.append((sp.lambdify(TIME, c, modules="numpy"), matrix.tocsr()))
    return static.tocsr(), varying


def fock_model(model: Model, values: Mapping[str, complex | float] | ParameterSet,
               cutoffs: Mapping[str, int] | None = None) -> FockModel:
    """Sparse matrices of ``model`` at the parameter values, each mode truncated at ``cutoffs[name]``.

    Every bosonic mode needs a cutoff of at least 2; n-level systems need none. A rate that depends
    on the time ``t`` becomes the amplitude ``sqrt(gamma(t))`` of its jump operator (supported by the
    ODE methods of :func:`~qderive.numeric.mesolve`); a rate that is not finite is refused.

    Examples
    --------
    >>> from qderive.symbolic.library import driven_qubit
    >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5})
    >>> H = fock.hamiltonian.toarray()
    >>> bool(np.allclose(H, H.conj().T)), np.linalg.eigvalsh(H).tolist()  # Hermitian, eigenvalues +- Omega/2
    (True, [-0.5, 0.5])
    >>> fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5}, cutoffs={"b": 3})
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ModelError: cutoffs given for ['b'], which are not modes of 'driven_qubit'
    """
    parameters = values if isinstance(values, ParameterSet) else model.parameter_set(values)
    cutoffs = dict(cutoffs or {})
    dimensions = []
    for system in model.subsystems:
        if isinstance(system, BosonMode):
            if system.name not in cutoffs:
                raise ModelError(f"mode '{system.name}' needs a Fock cutoff: pass cutoffs={{'{system.name}': N}}")
            cutoff = cutoffs.pop(system.name)
            if not isinstance(cutoff, (int, np.integer)) or cutoff < 2:
                raise ModelError(f"cutoff of mode '{system.name}' must be an integer >= 2, got {cutoff!r}")
            dimensions.append(int(cutoff))
        else:
            dimensions.append(system.dimension)
    if cutoffs:
        raise ModelError(f"cutoffs given for {sorted(cutoffs)}, which are not modes of '{model.name}'")
    layout = _Layout(model, parameters, tuple(dimensions))
    hamiltonian, time_dependent = _split_time(model.hamiltonian, layout)
    jumps, amplitudes = [], []
    for k, d in enumerate(model.dissipators):
        matrix, varying = _split_time(d.operator, layout)
        if varying:
            raise ModelError(f"jump operator of channel '{d.channel}' depends on time; put the time dependence "
                             "in its rate")
        rate = sp.sympify(d.rate).subs(parameters.substitutions)
        if TIME in rate.free_symbols:
            amplitudes.append((k, _rate_amplitude(rate, d.channel)))
            jumps.append(matrix)
            continue
        try:
            rate = parameters.evaluate(rate)
        except ParameterError as error:
            raise ParameterError(f"rate of channel '{d.channel}': {error}") from None
        jumps.append(np.sqrt(rate) * matrix)
    return FockModel(
        model=model, parameters=parameters, dimensions=layout.dimensions, hamiltonian=hamiltonian,
        time_dependent=tuple(time_dependent), jump_operators=tuple(jumps),
        channels=tuple(d.channel for d in model.dissipators), time_dependent_jumps=tuple(amplitudes),
    )


def _rate_amplitude(rate: sp.Expr, channel: str) -> TimeFunction:
    """``t -> sqrt(gamma(t))`` of a time-dependent rate, refusing a negative or non-finite value when called."""
    leftover = rate.free_symbols - {TIME}
    if leftover:
        raise ModelError(f"rate of channel '{channel}' ({rate}) has no value for {sorted(map(str, leftover))}")
    gamma = sp.lambdify(TIME, rate, modules="numpy")

    def amplitude(t: float) -> float:
        with np.errstate(all="ignore"):  # a pole or an overflow gives inf or nan, refused below
            value = complex(gamma(np.float64(t)))
        if not (np.isfinite(value.real) and value.imag == 0 and value.real >= 0):
            raise ModelError(f"rate of channel '{channel}' is {value} at t = {t:.6g} s; a rate must be finite "
                             "and non-negative")
        return float(np.sqrt(value.real))

    return amplitude
