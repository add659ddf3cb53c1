r"""Many evolutions of one small time-independent model at different parameters, in one batched call.

Each monomial's coefficient and each rate is lambdified once and evaluated on the whole batch;
the ``B`` Liouvillians ``L_b`` (dense, ``d^2 x d^2``) are assembled by one compiled loop,
the propagators ``exp(L_b dt)`` of every distinct output step ``dt`` by one stacked
:func:`~qderive.numeric.propagator.matrix_exponential` call, and
``vec rho_b(t_{n+1}) = exp(L_b dt_n) vec rho_b(t_n)`` with its expectation values by one compiled loop
over the members. The compiled loops run on Numba's thread pool only for large batches (thresholds in
:mod:`.kernels`), the exponentials without BLAS threads for small ``d`` (:mod:`.propagator`).
Exact to rounding, like the
``"expm"`` method of :func:`~qderive.numeric.mesolve`; no per-point symbolic work and no Python
loop over members.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import sympy as sp

from qderive.symbolic import Model, ModelError, Op, ParameterError

from .evolution import EXPM_MAX_DIMENSION, _check_times, density_matrix, step_key
from .fock import _monomial_matrix, fock_model
from .kernels import batch_superoperators, propagate_batch
from .memory import COMPLEX_BYTES, require_memory
from .propagator import MAX_STEP_NORM, exact_propagator, matrix_exponential


def _batch_matrices(op: Op, symbols: list[sp.Symbol], columns: list[np.ndarray], layout) -> np.ndarray:
    """The matrices ``(B, d, d)`` of an operator at every member's parameters: ``sum_m c_m(b) M_m``."""
    values, matrices = [], []
    for monomial, c in op.terms.items():
        f = sp.lambdify(symbols, c, modules="numpy")
        values.append(np.broadcast_to(np.asarray(f(*columns), dtype=complex), columns[0].shape))
        matrices.append(_monomial_matrix(monomial, layout).toarray())
    return np.einsum("mb,mij->bij", np.array(values), np.array(matrices))


def _distinct_steps(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct output steps (a uniform grid's rounding differences merged at 12 digits) and each step's index."""
    steps = np.array([step_key(s) for s in np.diff(times)])
    distinct, index = np.unique(steps, return_inverse=True)
    return distinct, index.astype(np.int64)


def _propagators(generators: np.ndarray, step: float) -> np.ndarray:
    """``exp(L_b step)`` of every member: one stacked :func:`~qderive.numeric.propagator.matrix_exponential`, or
    member by member through :func:`~qderive.numeric.propagator.exact_propagator` when a step norm exceeds
    ``MAX_STEP_NORM``."""
    if np.abs(generators).sum(axis=1).max() * step <= MAX_STEP_NORM:
        return matrix_exponential(generators * step)
    return np.stack([exact_propagator(generator, step)[0] for generator in generators])


def mesolve_batch(model: Model, values: Sequence[Mapping[str, float]], rho0: np.ndarray, times: Sequence[float],
                  e_ops: Sequence[Op], cutoffs: Mapping[str, int] | None = None) -> np.ndarray:
    """Expectation values ``E[b, k, n] = Tr(e_ops[k] rho_b(times[n]))`` for every parameter set ``b``.

    Parameters
    ----------
    model : Model
        A time-independent model whose Fock dimension is at most ``EXPM_MAX_DIMENSION``.
    values : sequence of mappings
        One complete, valid parameter set per batch member (each checked against its domain).
    rho0 : ndarray
        Common initial density matrix at ``times[0]``.
    times : sequence of float
        Increasing output times.
    e_ops : sequence of Op
        Observables.
    cutoffs : mapping, optional
        Fock cutoffs of the model's modes.

    Examples
    --------
    >>> from qderive.symbolic.library import driven_qubit
    >>> model = driven_qubit()
    >>> gammas = [0.5, 1.0, 2.0]
    >>> values = [{"Delta": 0.0, "Omega": 0.0, "gamma": g} for g in gammas]
    >>> E = mesolve_batch(model, values, np.diag([0.0, 1.0]), [0.0, 0.5, 1.0], [model.subsystem("s").projector("e")])
    >>> E.shape  # (members, e_ops, times)
    (3, 1, 3)
    >>> bool(np.allclose(E[:, 0, :].real, np.exp(-np.outer(gammas, [0.0, 0.5, 1.0]))))  # P_e = exp(-gamma t)
    True
    """
    layout = fock_model(model, values[0], cutoffs)
    if layout.varies_in_time:
        raise ModelError("mesolve_batch propagates time-independent models; use LindbladSolver per point instead")
    d = layout.dimension
    if d > EXPM_MAX_DIMENSION:
        raise ParameterError(f"mesolve_batch needs dimension <= {EXPM_MAX_DIMENSION}, got {d}")
    rho0 = density_matrix(rho0, d, dimensions=layout.dimensions)
    times = _check_times(times)
    count, size = len(values), d * d
    distinct = len({step_key(s) for s in np.diff(times)})
    require_memory((distinct + 2) * count * size**2 * COMPLEX_BYTES, f"mesolve_batch of {count} members at "
                   f"dimension {d}", "split the batch into smaller ones")
    checked = [model.parameter_set(v) for v in values]
    symbols = [p.symbol for p in model.parameters.values()]
    # complex-domain parameters keep their imaginary part (a drive's phase); the others are real
    columns = [np.array([s[p.name] for s in checked], dtype=complex if p.domain == "complex" else float)
               for p in model.parameters.values()]
    hamiltonians = _batch_matrices(model.hamiltonian, symbols, columns, layout)
    jumps = np.empty((len(values), len(model.dissipators), d, d), dtype=complex)
    for n, dissipator in enumerate(model.dissipators):
        rate = sp.lambdify(symbols, dissipator.rate, modules="numpy")
        rates = np.broadcast_to(np.asarray(rate(*columns), dtype=complex), columns[0].shape)
        if not (np.all(np.isfinite(rates)) and np.all(rates.imag == 0) and np.all(rates.real >= 0)):
            bad = int(np.flatnonzero(~(np.isfinite(rates) & (rates.imag == 0) & (rates.real >= 0)))[0])
            raise ParameterError(f"rate of channel '{dissipator.channel}' is {rates[bad]} for batch member {bad}; "
                                 "a rate must be finite and non-negative")
        root = np.sqrt(rates.real)
        jumps[:, n] = root[:, None, None] * _batch_matrices(dissipator.operator, symbols, columns, layout)
    generators = batch_superoperators(hamiltonians, jumps)
    steps, index = _distinct_steps(times)
    propagators = np.stack([_propagators(generators, step) for step in steps], axis=1)  # (B, steps, d^2, d^2)
    # Tr(A rho) = vec(A^T) . vec(rho) with column stacking
    observables = np.array([layout.operator(op).toarray().T.reshape(-1, order="F") for op in e_ops], dtype=complex)
    return propagate_batch(propagators, index, rho0.reshape(-1, order="F").copy(), observables)
