"""Sparse matrices of a symbolic model in a truncated Fock space.

The basis is the tensor product of the model's subsystems in declaration order: an n-level
system contributes its levels in order, a bosonic mode ``a`` with cutoff ``N`` the Fock states
``|0>, ..., |N-1>`` with ``a|n> = sqrt(n)|n-1>``. Truncation makes ``[a, a^+] = 1`` fail in
the top level, so every solution should be checked with :meth:`FockModel.check_truncation`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, reduce

import numpy as np
import scipy.sparse as sps
import sympy as sp

from qderive.symbolic import BosonMode, InputField, Model, ModelError, NLevelSystem, Op, ParameterSet, TruncationError
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
    ``drho/dt = -i[H, rho] + sum_k (J_k rho J_k^+ - {J_k^+ J_k, rho}/2)``.
    """

    model: Model
    parameters: ParameterSet
    dimensions: tuple[int, ...]
    hamiltonian: sps.csr_matrix
    time_dependent: tuple[tuple[TimeFunction, sps.csr_matrix], ...]
    jump_operators: tuple[sps.csr_matrix, ...]
    channels: tuple[str, ...]

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
        """Matrix of an operator whose coefficients are constants at these parameters."""
        static, varying = _split_time(op, self)
        if varying:
            raise ModelError(f"operator {op} depends on time; evaluate it with hamiltonian_at(t) instead")
        return static

    def hamiltonian_at(self, t: float) -> sps.csr_matrix:
        """``H(t)`` as a sparse matrix."""
        return reduce(lambda acc, term: acc + term[0](t) * term[1], self.time_dependent, self.hamiltonian)

    def top_level_populations(self, rho: np.ndarray) -> dict[str, float]:
        """Population of the highest kept Fock level of every mode in the state ``rho``."""
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
        """
        self.check_truncation_along(np.real(np.diagonal(rho))[None], tolerance, None if time is None else [time])

    def check_truncation_along(self, populations: np.ndarray, tolerance: float,
                               times: Sequence[float] | None = None) -> None:
        """:meth:`check_truncation` for a trajectory: ``populations[n]`` is the diagonal of ``rho(times[n])``."""
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

    Every bosonic mode needs a cutoff of at least 2; n-level systems need none.
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
    jumps = []
    for d in model.dissipators:
        rate = parameters.evaluate(d.rate)
        matrix, varying = _split_time(d.operator, layout)
        if varying:
            raise ModelError(f"jump operator of channel '{d.channel}' depends on time; this is not supported")
        jumps.append(np.sqrt(rate) * matrix)
    return FockModel(
        model=model, parameters=parameters, dimensions=layout.dimensions, hamiltonian=hamiltonian,
        time_dependent=tuple(time_dependent), jump_operators=tuple(jumps),
        channels=tuple(d.channel for d in model.dissipators),
    )
