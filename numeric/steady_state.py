r"""Steady state ``L rho = 0, Tr rho = 1`` of a time-independent model: sparse LU of one block, or matrix-free GMRES.

Direct method (:mod:`.liouville_block`):

1. **Invariant block.** The connected components of the sparsity graph of ``L`` are invariant
   subspaces of Liouville space. A unique steady state vanishes on every component that holds
   no diagonal element ``rho_ii`` (otherwise adding it would give a second steady state with the
   same trace), so only the component of ``rho_00`` is solved; it is found by a breadth-first search
   on the sparse ``K`` and ``J_k`` and assembled directly, without the ``d^2 x d^2`` Liouvillian. For
   a Hamiltonian that conserves an excitation number and jumps that lower or raise it this keeps
   the ``n_ket = n_bra`` block, often a tiny fraction of the ``d^2`` unknowns.
2. **Trace condition.** ``w Tr rho`` is added to the equation of ``rho_00`` (``w`` the mean
   absolute entry of the block) with right-hand side ``w``: the rows of ``L`` for ``d rho_ii/dt``
   sum to zero, so the bordered matrix is non-singular exactly when the steady state is unique.
3. **Ordering.** The reversed breadth-first order from ``rho_00`` (a reverse Cuthill-McKee order)
   bands the block and puts the bordered, dense row of ``rho_00`` last, where it adds no fill;
   SuperLU factorises it in this order with threshold pivoting, which keeps the band.

Iterative method (:mod:`.steady_iterative`): restarted GMRES on Hermitian matrices, with the
compiled Lindblad kernel as the operator and, as preconditioner, the exact inverse of the part of
``L`` that conserves an excitation number (:mod:`.excitation_blocks`; the drive is left to GMRES)
or, for a model without one, the number-diagonal part of ``L``; memory a few copies of ``rho`` plus
the Krylov basis (``restart + 5`` real ``d^2`` vectors).

Residual (both methods, checked against ``tolerance``): ``||vec(L rho)||_1 / ||L||_1`` for the
returned ``rho`` (trace 1), ``||L||_1`` the largest column sum of ``|L|``: computed from ``K`` and the
``J_k`` by the iterative method (:func:`~qderive.numeric.steady_iterative.column_norm_bound`), over
the columns of the block by the direct one (whole columns of ``L``, since the block is invariant; at
most ``||L||_1``, so the reported residual errs on the large side).

Uniqueness is checked structurally by both methods: two invariant components that each hold
diagonal elements conserve their traces separately, so each carries its own steady state (a
decoupled subsystem without relaxation, a conserved parity). Numerically, the direct method
estimates the 1-norm condition number of the bordered matrix from its LU factors
(:func:`scipy.sparse.linalg.onenormest`, a few extra solves), which must stay below
``CONDITION_LIMIT`` (measured: ~1e4 for the unique steady states of sps000 and of a d = 2000 laser,
~5e18 for sps000 with its spin decoupled); the iterative method (``check_uniqueness=True``) solves
a second time from the first solution plus a random Hermitian matrix: on a singular but consistent
system GMRES keeps the null-space part of its start, so the two agree to ``UNIQUENESS_TOLERANCE``
exactly when the steady state is unique (this doubles its cost).

``method="auto"`` takes the direct method when the LU factors (bounded by the envelope of the
banded block) fit in memory and their work, ``envelope^2 / unknowns`` operations for a band, stays
below ``AUTO_DIRECT_WORK``; otherwise the iterative one. Measured: a single-mode ladder (laser,
d = 2000) has envelope / unknowns ~ 10 and factorises in milliseconds; three coupled cavities with
4 levels each (4096 unknowns) already have envelope / unknowns ~ 900 (the Liouville graph is a
6-dimensional lattice, whose breadth-first levels are wide) and SuperLU took 18-55 s with any
ordering (NATURAL, COLAMD, MMD) against 0.4 s for GMRES.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from qderive.symbolic import ConvergenceError, ModelError, ParameterError

from .fock import FockModel
from .liouville_block import (
    BLOCK_BYTES_PER_ENTRY,
    LindbladPattern,
    PopulationBlock,
    bordered_block,
    population_block,
)
from .memory import available_memory, require_memory
from .steady_iterative import PRECONDITIONERS, Preconditioner, iterative_bytes, solve_matrix_free

POSITIVITY_CHECK_MAX_DIMENSION = 400
PIVOT_THRESHOLD = 0.1  # threshold partial pivoting: keep the diagonal pivot unless 10x smaller
CONDITION_LIMIT = 1e13  # 1-norm condition number above which the bordered Liouvillian counts as singular
UNIQUENESS_TOLERANCE = 1e-6  # relative difference of two GMRES solves from different starts (unique: ~tol * cond)
SPARSE_ENTRY_BYTES = 16 + 4  # one complex value and its int32 index
# operations of a banded LU (envelope^2 / unknowns) above which auto prefers GMRES. Measured: the laser's
# tensor-product model (4 atoms, d = 320-480; estimate 1.1e9-1.8e9) solves directly in 0.5-0.9 s and by GMRES
# in ~100 s; three Kerr cavities at d = 64 (estimate 3.2e9) in 7.0 s directly and 0.17 s by GMRES. The
# estimate ignores SuperLU's own ordering, so the switch between the two is only known to lie in this gap.
AUTO_DIRECT_WORK = 2.5e9
AUTO_MEMORY_FRACTION = 0.5  # share of the available memory that auto lets the LU factors take
Method = Literal["auto", "direct", "iterative"]


def trace_border(size: int, diagonal: np.ndarray, weight: float) -> sps.csr_matrix:
    """``w |rho_00><Tr|``: ``weight`` in row 0 at the positions ``diagonal`` of the ``rho_ii`` (``rho_00`` first).

    Added to a Liouvillian it makes ``w Tr rho`` part of the equation of ``rho_00``.

    Examples
    --------
    >>> trace_border(4, np.array([0, 3]), 2.0).toarray()[0].tolist()  # d = 2: rho_00, rho_11 at 0 and 3
    [2.0, 0.0, 0.0, 2.0]
    """
    return sps.csr_matrix((np.full(len(diagonal), weight), (np.zeros(len(diagonal), dtype=int), diagonal)),
                          shape=(size, size))


def envelope_entries(A: sps.spmatrix) -> int:
    """Entries inside the envelope (profile) of ``A``: the fill bound of LU without pivoting.

    Examples
    --------
    An arrow matrix pointing down-right fills nothing; pointing up-left it fills completely:

    >>> n = 5
    >>> down = sps.eye(n, format="lil"); down[n - 1, :] = 1; down[:, n - 1] = 1
    >>> up = sps.eye(n, format="lil"); up[0, :] = 1; up[:, 0] = 1
    >>> envelope_entries(down.tocsr()), envelope_entries(up.tocsr())
    (13, 25)
    """
    columns = A.tocsc()
    rows = A.tocsr()
    size = A.shape[0]
    first_row = np.minimum.reduceat(columns.indices, columns.indptr[:-1]) if columns.nnz else np.zeros(size)
    first_col = np.minimum.reduceat(rows.indices, rows.indptr[:-1]) if rows.nnz else np.zeros(size)
    index = np.arange(size)
    upper = np.where(np.diff(columns.indptr) > 0, index - np.minimum(first_row, index), 0)
    lower = np.where(np.diff(rows.indptr) > 0, index - np.minimum(first_col, index), 0)
    return int(upper.sum() + lower.sum() + size)


@dataclass(frozen=True)
class SteadyState:
    """A steady state and how it was found.

    Attributes
    ----------
    rho : ndarray
        Density matrix (``d x d``, trace 1, Hermitian).
    residual : float
        ``||vec(L rho)||_1 / ||L||_1``.
    method : str
        ``"direct"`` or ``"iterative"`` (the choice of ``"auto"``).
    products : int
        Applications of ``L`` (iterative method; 0 for the direct one).
    unknowns : int
        Size of the solved system (the population block, or ``d^2`` for the iterative method).

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> qubit = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
    >>> solution = steady_state_solution(qubit, method="direct")
    >>> solution.method, solution.unknowns, round(float(np.trace(solution.rho).real), 12)
    ('direct', 4, 1.0)
    """

    rho: np.ndarray
    residual: float
    method: str
    products: int
    unknowns: int


def _check_condition(lu: spla.SuperLU, transposed: sps.csc_matrix) -> None:
    """Raise :class:`ModelError` when the bordered block ``A`` (factorised as ``A^T``) is numerically singular."""
    inverse = spla.LinearOperator(transposed.shape, matvec=lambda v: lu.solve(v, trans="T"),
                                  rmatvec=lambda v: np.conj(lu.solve(np.conj(v))), dtype=complex)
    condition = spla.onenormest(inverse) * spla.norm(transposed, np.inf)
    if not condition < CONDITION_LIMIT:
        raise ModelError(
            f"the steady state is not unique: the Liouvillian with the trace condition is singular (1-norm "
            f"condition number ~{condition:.1e} > {CONDITION_LIMIT:.0e}); look for a conserved quantity"
        )


def _check_settings(truncation_tolerance: float, tolerance: float, restart: int, maxiter: int | None,
                    method: str, preconditioner: str, check_uniqueness: bool) -> None:
    if method not in ("auto", "direct", "iterative"):
        raise ParameterError(f"steady_state: 'method' must be 'auto', 'direct' or 'iterative', got {method!r}")
    if preconditioner not in PRECONDITIONERS:
        raise ParameterError(f"steady_state: 'preconditioner' must be one of {PRECONDITIONERS}, got {preconditioner!r}")
    for name, value in (("truncation_tolerance", truncation_tolerance), ("tolerance", tolerance)):
        number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
        if not (number and 0.0 < value < 1.0):
            raise ParameterError(f"steady_state: '{name}' must be a positive number below 1, got {value!r}")
    for name, value in (("restart", restart), ("maxiter", maxiter)):
        if name == "maxiter" and value is None:
            continue
        if not (isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and value >= 1):
            raise ParameterError(f"steady_state: '{name}' must be a positive integer, got {value!r}")
    if not isinstance(check_uniqueness, (bool, np.bool_)):
        raise ParameterError(f"steady_state: 'check_uniqueness' must be True or False, got {check_uniqueness!r}")


def _solve_direct(fock: FockModel, pattern: LindbladPattern, block: PopulationBlock) -> tuple[np.ndarray, float]:
    """Sparse LU of the bordered block; returns ``rho`` (trace 1, Hermitian) and its residual.

    The residual is normalised by the 1-norm of the block's columns, which are whole columns of ``L``
    (the block is invariant): at most ``||L||_1``, so the reported residual is never the smaller one.
    """
    d = fock.dimension
    n = block.size
    require_memory(SPARSE_ENTRY_BYTES * block.envelope, f"steady_state (direct, LU factors) with {n} unknowns at "
                   f"dimension {d}", "use method='iterative' (matrix-free GMRES) or lower the Fock cutoffs")
    A, weight = bordered_block(pattern, block)
    transposed = sps.csc_matrix((A.data, A.indices, A.indptr), shape=A.shape)  # the same arrays read as A^T
    try:
        lu = spla.splu(transposed, permc_spec="NATURAL", diag_pivot_thresh=PIVOT_THRESHOLD)
    except RuntimeError as error:  # an exactly singular pivot
        raise ModelError(f"the steady state is not unique: sparse LU found a singular matrix ({error})") from None
    _check_condition(lu, transposed)
    rhs = np.zeros(n, dtype=complex)
    rhs[-1] = weight  # the row of rho_00
    x = lu.solve(rhs, trans="T")
    if not np.all(np.isfinite(x)):
        raise ConvergenceError("steady-state solve failed: the Liouvillian has no unique steady state")
    diagonal = block.position[np.arange(d) * (d + 1)]
    x /= x[diagonal].sum().real
    # L commutes with the adjoint, so the block holds rho_ji with every rho_ij: make x exactly Hermitian
    rows, columns = block.indices % d, block.indices // d
    x = (x + np.conj(x[block.position[columns + d * rows]])) / 2
    last = slice(A.indptr[-2], A.indptr[-1])
    bordered = np.isin(A.indices[last], diagonal)
    A.data[last][bordered] -= weight  # A is now L on the block
    residual = np.abs(A @ x).sum() / np.bincount(A.indices, weights=np.abs(A.data), minlength=n).max()
    rho = np.zeros((d, d), dtype=complex)
    rho[rows, columns] = x
    return rho, float(residual)


def steady_state_solution(fock: FockModel, truncation_tolerance: float = 1e-4, method: Method = "auto",
                          tolerance: float = 1e-10, restart: int = 20, maxiter: int | None = None,
                          preconditioner: Preconditioner = "auto", check_uniqueness: bool = True) -> SteadyState:
    """The unique steady state of a time-independent model with its residual and the method used.

    Parameters
    ----------
    fock : FockModel
        Model matrices (no time-dependent terms: go to a rotating frame first).
    truncation_tolerance : float
        Largest allowed population of a mode's top Fock level.
    method : {"auto", "direct", "iterative"}
        Sparse LU (SuperLU) of the population block of the bordered Liouvillian, or matrix-free
        GMRES with the compiled Lindblad kernel (memory: a few copies of ``rho`` and the Krylov
        basis); ``"auto"`` chooses by the estimated LU fill and work (module docstring).
    tolerance : float
        Largest accepted residual ``||vec(L rho)||_1 / ||L||_1`` (``Tr rho = 1``): the iterative
        method iterates until it holds; both methods raise :class:`ConvergenceError` when it does not.
    restart : int
        GMRES restart length (iterative): the Krylov basis holds ``restart + 1`` real ``d^2`` vectors.
    maxiter : int, optional
        Most applications of ``L`` (iterative); default ``max(2000, 20 d)``.
    preconditioner : str
        ``"auto"``, ``"excitation"``, ``"triangular"``, ``"triangular-no-energies"``, ``"diagonal"``,
        ``"diagonal-no-energies"`` or ``"none"``: the GMRES preconditioner (see
        :mod:`qderive.numeric.steady_iterative`); ``"auto"`` takes ``"excitation"`` (the exact inverse
        of the drive-free part, :mod:`.excitation_blocks`) when the model has an excitation number that
        its jump operators lower, else ``"triangular"``.
    check_uniqueness : bool
        Iterative method: prove uniqueness numerically by a second solve from another start (doubles
        the cost; the structural check always runs).

    Raises
    ------
    ModelError
        For a time-dependent model, or one whose steady state is not unique (see the module docstring).
    ConvergenceError
        When the residual exceeds ``tolerance`` or the result is not a valid state.
    ParameterError
        For a bad option (an unknown ``method`` or ``preconditioner``, a tolerance outside ``(0, 1)``,
        a ``restart`` or ``maxiter`` that is not a positive integer; booleans are refused).
    InsufficientMemoryError
        When the search, the block or its factors, or the Krylov basis would not fit in memory.
    TruncationError
        When a mode's top Fock level holds more than ``truncation_tolerance``.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> qubit = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
    >>> solution = steady_state_solution(qubit, method="iterative", tolerance=1e-12)
    >>> round(float(solution.rho[1, 1].real), 10), bool(solution.residual < 1e-12)  # = 1/3
    (0.3333333333, True)
    """
    _check_settings(truncation_tolerance, tolerance, restart, maxiter, method, preconditioner, check_uniqueness)
    if fock.varies_in_time:
        raise ModelError("steady_state needs a time-independent Hamiltonian; go to a rotating frame first")
    d = fock.dimension
    n_jumps = sum(1 for j in fock.jump_operators if j.nnz)
    require_memory(BLOCK_BYTES_PER_ENTRY * d * d, f"steady_state (population block search) at dimension {d}",
                   "lower the Fock cutoffs or eliminate a fast subsystem adiabatically")
    pattern = LindbladPattern.of(fock)
    block = population_block(pattern, envelope=method != "iterative")  # the LU bound, for direct and auto only
    if method == "auto":
        lu_bytes = SPARSE_ENTRY_BYTES * block.envelope
        fits = lu_bytes <= AUTO_MEMORY_FRACTION * available_memory() if lu_bytes > 2**28 else True
        cheap = block.envelope**2 / block.size <= AUTO_DIRECT_WORK
        method = "direct" if fits and cheap else "iterative"
    if method == "direct":
        rho, residual = _solve_direct(fock, pattern, block)
        products, unknowns = 0, block.size
        del block
        if not residual <= tolerance:
            raise ConvergenceError(f"steady_state (direct): the LU solution has residual {residual:.1e} above the "
                                   f"tolerance {tolerance:.0e}; the Liouvillian is ill-conditioned, try "
                                   "method='iterative'")
    else:
        del block
        require_memory(iterative_bytes(d, n_jumps, restart), f"steady_state (iterative: GMRES({restart}) and the "
                       f"Lindblad kernel) at dimension {d}", "lower restart or the Fock cutoffs")
        limit = maxiter if maxiter is not None else max(2000, 20 * d)
        first = solve_matrix_free(fock, tolerance, restart, limit, preconditioner)
        rho, residual, products, unknowns = first.rho, first.residual, first.products, d * d
        if check_uniqueness:
            noise = np.random.default_rng(0).standard_normal((d, d))  # fixed seed: reproducible
            start = rho + np.abs(rho).max() * (noise + noise.T) / 2
            second = solve_matrix_free(fock, tolerance, restart, limit, preconditioner, start=start)
            products += second.products
            difference = np.abs(second.rho - rho).max() / np.abs(rho).max()
            if not difference <= UNIQUENESS_TOLERANCE:
                raise ModelError(
                    f"the steady state is not unique: two GMRES solves from different starts differ by "
                    f"{difference:.1e} (relative, > {UNIQUENESS_TOLERANCE:.0e}); look for a conserved quantity "
                    "(a dark state, a symmetry)"
                )
    # populations always; the full spectrum (O(d^3)) only where it is cheap next to the solve
    smallest = np.diagonal(rho).real.min() if d > POSITIVITY_CHECK_MAX_DIMENSION else np.linalg.eigvalsh(rho).min()
    if smallest < -1e-8:
        raise ConvergenceError("steady-state solve returned a non-positive matrix; is the steady state unique?")
    fock.check_truncation(rho, truncation_tolerance)
    return SteadyState(rho, float(residual), method, products, unknowns)


def steady_state(fock: FockModel, truncation_tolerance: float = 1e-4, method: Method = "auto",
                 tolerance: float = 1e-10, **options: object) -> np.ndarray:
    """The unique steady state of a time-independent model, as a dense density matrix.

    :func:`steady_state_solution` without the report; ``options`` are its ``restart``, ``maxiter``,
    ``preconditioner`` and ``check_uniqueness``.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> rho = steady_state(fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0}))
    >>> round(float(rho[1, 1].real), 10)
    0.3333333333
    """
    return steady_state_solution(fock, truncation_tolerance, method, tolerance, **options).rho
