r"""Steady state ``L rho = 0, Tr rho = 1`` of a time-independent model, by sparse LU or GMRES.

Three reductions make the linear solve cheap:

1. **Invariant block.** The connected components of the sparsity graph of ``L`` are invariant
   subspaces of Liouville space. A unique steady state vanishes on every component that holds
   no diagonal element ``rho_ii`` (otherwise adding it would give a second steady state with the
   same trace), so only the components that hold a diagonal element are solved. For a
   Hamiltonian that conserves an excitation number and jumps that lower or raise it this keeps
   the ``n_ket = n_bra`` block, often a tiny fraction of the ``d^2`` unknowns.
2. **Trace condition.** ``w Tr rho`` is added to the equation of ``rho_00`` (``w`` the mean
   absolute entry of ``L``) with right-hand side ``w``: the rows of ``L`` for ``d rho_ii/dt`` sum
   to zero, so the bordered matrix is non-singular exactly when the steady state is unique.
3. **Ordering.** A reverse Cuthill-McKee permutation makes the matrix banded; SuperLU then
   factorises it in its natural order with far less work than with COLAMD for these
   tensor-product Liouvillians. The bordered (dense) row of ``rho_00`` is ordered last, so it
   adds no fill inside the band, and threshold pivoting keeps the band. The iterative method
   uses the same ordering for an incomplete-LU preconditioner of GMRES.

Uniqueness is checked twice. Structurally: two invariant components that each hold diagonal
elements conserve their traces separately, so each carries its own steady state (a decoupled
subsystem without relaxation, a conserved parity). Numerically (direct method): the bordered
matrix is singular exactly when the steady state is not unique, so its 1-norm condition number,
estimated from the LU factors (:func:`scipy.sparse.linalg.onenormest`, a few extra solves), must
stay below ``CONDITION_LIMIT``. Measured: ~1e4 for the unique steady states of sps000 and of a
d = 2000 laser, ~5e18 for sps000 with its spin decoupled. Numerically (iterative method): on a
singular but consistent system GMRES keeps the null-space part of its starting vector, so a
second solve started from the first solution plus a random vector lands elsewhere exactly when
the steady state is not unique; the two must agree to ``UNIQUENESS_TOLERANCE``.

Memory is estimated before each large allocation (:mod:`.memory`): the sparse Liouvillian from the
number of stored entries of ``H`` and the ``J_k``, the LU factors from the envelope of the
banded matrix (threshold pivoting keeps the factors near it), the incomplete LU from
``fill_factor``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import connected_components, reverse_cuthill_mckee

from qderive.symbolic import ConvergenceError, ModelError, ParameterError

from .fock import FockModel
from .liouvillian import liouvillian
from .memory import COMPLEX_BYTES, require_memory

POSITIVITY_CHECK_MAX_DIMENSION = 400
PIVOT_THRESHOLD = 0.1  # threshold partial pivoting: keep the diagonal pivot unless 10x smaller
CONDITION_LIMIT = 1e13  # 1-norm condition number above which the bordered Liouvillian counts as singular
UNIQUENESS_TOLERANCE = 1e-6  # relative difference of two GMRES solves from different starts (unique: ~tol * cond)
SPARSE_ENTRY_BYTES = 16 + 4  # one complex value and its int32 index
LIOUVILLIAN_COPIES = 3  # kron products and sums built on the way to L


def trace_border(size: int, diagonal: np.ndarray, weight: float) -> sps.csr_matrix:
    """``w |rho_00><Tr|``: ``weight`` in row 0 at the positions ``diagonal`` of the ``rho_ii`` (``rho_00`` first).

    Added to a Liouvillian it makes ``w Tr rho`` part of the equation of ``rho_00``.
    """
    return sps.csr_matrix((np.full(len(diagonal), weight), (np.zeros(len(diagonal), dtype=int), diagonal)),
                          shape=(size, size))


def _steady_block(L: sps.csr_matrix, d: int) -> np.ndarray:
    """Indices (column-stacked) of the Liouville-space component that holds the diagonal elements.

    Raises :class:`ModelError` when the diagonal elements fall into several invariant components.
    """
    pattern = sps.csr_matrix((np.ones(L.nnz), L.indices, L.indptr), shape=L.shape)
    _, labels = connected_components(pattern, directed=False)
    diagonal_labels = labels[np.arange(d) * (d + 1)]
    sectors = np.unique(diagonal_labels)
    if sectors.size > 1:
        first = [int(np.flatnonzero(diagonal_labels == label)[0]) for label in sectors[:2]]
        raise ModelError(
            f"the steady state is not unique: the populations split into {sectors.size} sectors that never "
            f"exchange population (e.g. basis states {first[0]} and {first[1]}); give the model a process that "
            "connects them or solve each sector as its own model"
        )
    return np.flatnonzero(labels == sectors[0])


def _solve_iteratively(A: sps.csc_matrix, rhs: np.ndarray, tol: float, drop_tol: float, fill_factor: float,
                       d: int) -> np.ndarray:
    """GMRES with an incomplete-LU preconditioner, solved twice from different starts to prove uniqueness."""
    n = A.shape[0]
    require_memory(int(fill_factor * A.nnz * SPARSE_ENTRY_BYTES) + 52 * n * COMPLEX_BYTES,
                   f"steady_state (iterative: incomplete LU, GMRES) with {n} unknowns at dimension {d}",
                   "lower fill_factor or the Fock cutoffs")
    try:
        factors = spla.spilu(A, drop_tol=drop_tol, fill_factor=fill_factor, permc_spec="NATURAL",
                             diag_pivot_thresh=PIVOT_THRESHOLD)
    except RuntimeError as error:  # an exactly singular pivot
        raise ModelError(f"the steady state is not unique: incomplete LU found a singular matrix ({error})") from None
    preconditioner = spla.LinearOperator(A.shape, factors.solve, dtype=complex)

    def solve(start: np.ndarray | None) -> np.ndarray:
        x, info = spla.gmres(A, rhs, x0=start, M=preconditioner, rtol=tol, atol=0.0, restart=50, maxiter=200)
        if info != 0:
            raise ConvergenceError(
                f"GMRES did not reach relative residual {tol:.0e} (info {info}); lower drop_tol (now {drop_tol:.0e}) "
                "or use method='direct'"
            )
        return x

    x = solve(None)
    scale = np.abs(x).max()
    start = x + scale * np.random.default_rng(0).standard_normal(n)  # fixed seed: reproducible
    difference = np.abs(solve(start) - x).max() / scale
    if not difference <= UNIQUENESS_TOLERANCE:
        raise ModelError(
            f"the steady state is not unique: two GMRES solves from different starts differ by {difference:.1e} "
            f"(relative, > {UNIQUENESS_TOLERANCE:.0e}); look for a conserved quantity (a dark state, a symmetry)"
        )
    return x


def _check_condition(lu: spla.SuperLU, A: sps.csc_matrix) -> None:
    """Raise :class:`ModelError` when the factorised bordered Liouvillian is numerically singular."""
    inverse = spla.LinearOperator(A.shape, matvec=lu.solve, rmatvec=lambda v: lu.solve(v, trans="H"), dtype=complex)
    condition = spla.onenormest(inverse) * spla.norm(A, 1)
    if not condition < CONDITION_LIMIT:
        raise ModelError(
            f"the steady state is not unique: the Liouvillian with the trace condition is singular (1-norm "
            f"condition number ~{condition:.1e} > {CONDITION_LIMIT:.0e}); look for a conserved quantity"
        )


def _liouvillian_entries(fock: FockModel) -> int:
    """Upper bound on the stored entries of the Liouvillian: ``2 d nnz(K) + sum_k nnz(J_k)^2``.

    ``nnz(K) <= nnz(H) + d + sum_k nnz(J_k) r_k`` (``r_k`` the most entries in a row of ``J_k``), at most ``d^2``.
    """
    d = fock.dimension
    damping = sum(j.nnz * int(j.getnnz(axis=1).max(initial=0)) for j in fock.jump_operators)
    k_entries = min(fock.hamiltonian.nnz + d + damping, d * d)
    return 2 * d * k_entries + sum(j.nnz**2 for j in fock.jump_operators)


def envelope_entries(A: sps.spmatrix) -> int:
    """Entries inside the envelope (profile) of ``A``: the fill bound of LU without pivoting."""
    columns = A.tocsc()
    rows = A.tocsr()
    size = A.shape[0]
    first_row = np.minimum.reduceat(columns.indices, columns.indptr[:-1]) if columns.nnz else np.zeros(size)
    first_col = np.minimum.reduceat(rows.indices, rows.indptr[:-1]) if rows.nnz else np.zeros(size)
    index = np.arange(size)
    upper = np.where(np.diff(columns.indptr) > 0, index - np.minimum(first_row, index), 0)
    lower = np.where(np.diff(rows.indptr) > 0, index - np.minimum(first_col, index), 0)
    return int(upper.sum() + lower.sum() + size)


def _check_settings(truncation_tolerance: float, tol: float, drop_tol: float, fill_factor: float) -> None:
    for name, value, low, high in (("truncation_tolerance", truncation_tolerance, 0.0, 1.0), ("tol", tol, 0.0, 1.0),
                                   ("drop_tol", drop_tol, 0.0, 1.0), ("fill_factor", fill_factor, 1.0, np.inf)):
        number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
        if not (number and low < value < high) and not (name == "fill_factor" and number and value == 1.0):
            bound = "a number >= 1" if name == "fill_factor" else "a positive number below 1"
            raise ParameterError(f"steady_state: '{name}' must be {bound}, got {value!r}")


def steady_state(fock: FockModel, truncation_tolerance: float = 1e-4, method: Literal["direct", "iterative"] = "direct",
                 tol: float = 1e-12, drop_tol: float = 1e-5, fill_factor: float = 20.0) -> np.ndarray:
    """The unique steady state of a time-independent model, as a dense density matrix.

    Parameters
    ----------
    fock : FockModel
        Model matrices (no time-dependent terms: go to a rotating frame first).
    truncation_tolerance : float
        Largest allowed population of a mode's top Fock level.
    method : {"direct", "iterative"}
        Sparse LU (SuperLU) of the reduced, bordered Liouvillian, or restarted GMRES with an
        incomplete-LU preconditioner (``drop_tol``, ``fill_factor`` of :func:`scipy.sparse.linalg.spilu`)
        to relative residual ``tol`` for spaces whose full LU does not fit in memory.

    Raises
    ------
    ModelError
        For a time-dependent model, or one whose steady state is not unique (see the module docstring;
        the iterative method relies on the structural check and on the positivity of the result).
    ConvergenceError
        When GMRES does not converge or the result is not a valid state.
    ParameterError
        For a bad ``method`` or a tolerance outside ``(0, 1)`` (booleans are refused).
    InsufficientMemoryError
        When the Liouvillian or its factors would not fit in the available memory.
    TruncationError
        When a mode's top Fock level holds more than ``truncation_tolerance``.
    """
    if fock.varies_in_time:
        raise ModelError("steady_state needs a time-independent Hamiltonian; go to a rotating frame first")
    if method not in ("direct", "iterative"):
        raise ParameterError(f"steady_state method must be 'direct' or 'iterative', got {method!r}")
    _check_settings(truncation_tolerance, tol, drop_tol, fill_factor)
    d = fock.dimension
    require_memory(LIOUVILLIAN_COPIES * SPARSE_ENTRY_BYTES * _liouvillian_entries(fock),
                   f"steady_state (sparse Liouvillian) at dimension {d}",
                   "lower the Fock cutoffs or eliminate a fast subsystem adiabatically")
    L = liouvillian(fock.hamiltonian, fock.jump_operators)
    block = _steady_block(L, d)
    A = L[block][:, block].tocsr()
    weight = np.abs(A.data).mean()
    diagonal = np.flatnonzero(block % (d + 1) == 0)  # positions of rho_ii in the block (rho_00 first)
    border = trace_border(A.shape[0], diagonal, weight)
    A = (A + border).tocsr()
    rhs = np.zeros(A.shape[0], dtype=complex)
    rhs[0] = weight
    # band the Liouvillian, then move rho_00 (the bordered, dense row) last: arrowhead, no fill
    permutation = reverse_cuthill_mckee(A - border, symmetric_mode=False)
    permutation = np.append(permutation[permutation != 0], 0)
    A = A[permutation][:, permutation].tocsc()
    if method == "direct":
        require_memory(SPARSE_ENTRY_BYTES * envelope_entries(A), f"steady_state (direct, LU factors) with "
                       f"{A.shape[0]} unknowns at dimension {d}",
                       "use method='iterative' (incomplete LU and GMRES) or lower the Fock cutoffs")
        try:
            lu = spla.splu(A, permc_spec="NATURAL", diag_pivot_thresh=PIVOT_THRESHOLD)
        except RuntimeError as error:  # an exactly singular pivot
            raise ModelError(f"the steady state is not unique: sparse LU found a singular matrix ({error})") from None
        _check_condition(lu, A)
        x = lu.solve(rhs[permutation])
    else:
        x = _solve_iteratively(A, rhs[permutation], tol, drop_tol, fill_factor, d)
    if not np.all(np.isfinite(x)):
        raise ConvergenceError("steady-state solve failed: the Liouvillian has no unique steady state")
    vec = np.zeros(d * d, dtype=complex)
    vec[block[permutation]] = x
    rho = vec.reshape(d, d, order="F")
    rho = (rho + rho.conj().T) / 2
    rho /= np.trace(rho).real
    # populations always; the full spectrum (O(d^3)) only where it is cheap next to the solve
    smallest = np.diagonal(rho).real.min() if d > POSITIVITY_CHECK_MAX_DIMENSION else np.linalg.eigvalsh(rho).min()
    if smallest < -1e-8:
        raise ConvergenceError("steady-state solve returned a non-positive matrix; is the steady state unique?")
    fock.check_truncation(rho, truncation_tolerance)
    return rho
