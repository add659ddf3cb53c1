r"""Many evolutions of one small time-independent model at different parameters, in one batched call.

Each monomial's coefficient and each rate is lambdified once and evaluated on the whole batch;
the ``B`` Liouvillians ``L_b`` (dense, ``d^2 x d^2``) are assembled with one ``einsum`` and
propagated exactly, ``vec rho_b(t) = V_b exp(w_b t) V_b^-1 vec rho_0`` from one stacked
eigendecomposition (LAPACK ``geev``) of all of them; a member whose eigenvectors do not
reproduce ``L_b`` to ``EIGEN_RESIDUAL`` (a defective or ill-conditioned generator) is propagated
with :func:`scipy.linalg.expm` instead. No per-point symbolic work and no Python loop over the
well-conditioned members.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import scipy.linalg as sla
import sympy as sp

from qderive.symbolic import Model, ModelError, Op, ParameterError

from .evolution import EXPM_MAX_DIMENSION, _check_times, density_matrix
from .fock import _monomial_matrix, fock_model

EIGEN_RESIDUAL = 1e-8  # relative; the propagated state then errs by about this times |L t|


def _coefficients(op: Op, symbols: list[sp.Symbol], columns: list[np.ndarray], layout) -> tuple[np.ndarray, np.ndarray]:
    """Batch values ``(B, M)`` of the coefficients of an operator's ``M`` monomials and their matrices."""
    values, matrices = [], []
    for monomial, c in op.terms.items():
        f = sp.lambdify(symbols, c, modules="numpy")
        values.append(np.broadcast_to(np.asarray(f(*columns), dtype=complex), columns[0].shape))
        matrices.append(_monomial_matrix(monomial, layout).toarray())
    return np.array(values).T, np.array(matrices)


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
    """
    layout = fock_model(model, values[0], cutoffs)
    if layout.time_dependent:
        raise ModelError("mesolve_batch propagates time-independent models; use LindbladSolver per point instead")
    d = layout.dimension
    if d > EXPM_MAX_DIMENSION:
        raise ParameterError(f"mesolve_batch needs dimension <= {EXPM_MAX_DIMENSION}, got {d}")
    rho0 = density_matrix(rho0, d)
    times = _check_times(times)
    checked = [model.parameter_set(v) for v in values]
    symbols = [p.symbol for p in model.parameters.values()]
    columns = [np.array([float(np.real(s[p.name])) for s in checked]) for p in model.parameters.values()]
    coefficients, matrices = _coefficients(model.hamiltonian, symbols, columns, layout)
    hamiltonians = np.einsum("bm,mij->bij", coefficients, matrices)
    identity = np.eye(d)
    effective = hamiltonians.copy()
    dissipation = np.zeros((len(values), d * d, d * d), dtype=complex)
    for dissipator in model.dissipators:
        rate = sp.lambdify(symbols, dissipator.rate, modules="numpy")
        root = np.sqrt(np.broadcast_to(np.asarray(rate(*columns), dtype=float), columns[0].shape))
        c, m = _coefficients(dissipator.operator, symbols, columns, layout)
        jumps = root[:, None, None] * np.einsum("bm,mij->bij", c, m)
        effective -= 0.5j * np.einsum("bki,bkj->bij", jumps.conj(), jumps)
        dissipation += np.einsum("bij,bkl->bikjl", jumps.conj(), jumps).reshape(len(values), d * d, d * d)
    # column stacking: vec(A X B) = (B^T kron A) vec X
    generators = -1j * (np.einsum("ij,bkl->bikjl", identity, effective).reshape(-1, d * d, d * d)
                        - np.einsum("bij,kl->bikjl", effective.conj(), identity).reshape(-1, d * d, d * d))
    generators = generators + dissipation
    observables = np.array([layout.operator(op).toarray().T.reshape(-1, order="F") for op in e_ops])
    x0 = rho0.reshape(-1, order="F")
    # exp(L t) = V exp(w t) V^-1 where the eigenvectors reproduce L; stacked expm otherwise
    eigenvalues, vectors = np.linalg.eig(generators)
    inverse = np.linalg.inv(vectors)
    rebuilt = np.einsum("bij,bj,bjk->bik", vectors, eigenvalues, inverse)
    scale = np.abs(generators).max(axis=(1, 2))
    good = np.abs(rebuilt - generators).max(axis=(1, 2)) <= EIGEN_RESIDUAL * scale
    result = np.empty((len(values), len(e_ops), len(times)), dtype=complex)
    projected = np.einsum("kj,bji->bki", observables, vectors[good])  # obs_k . V
    amplitudes = inverse[good] @ x0  # V^-1 x0
    result[good] = np.einsum("bki,bin->bkn", projected,
                             amplitudes[:, :, None] * np.exp(eigenvalues[good][:, :, None] * (times - times[0])))
    for b in np.flatnonzero(~good):  # defective or ill-conditioned members
        for n, t in enumerate(times):
            result[b, :, n] = observables @ (sla.expm(generators[b] * (t - times[0])) @ x0)
    return result
