r"""Matrix-free steady state: GMRES on Hermitian matrices with the compiled Lindblad kernel as the operator.

The unknown is a Hermitian ``d x d`` matrix ``X``, stored as ``d^2`` real numbers (the real parts of
its upper triangle and diagonal, the imaginary parts of its strict upper triangle in the lower
one): ``L`` maps Hermitian matrices to Hermitian matrices, so GMRES runs in real arithmetic on
half the memory of complex ``vec rho``. The operator is the bordered Liouvillian

.. math:: A X = \mathcal L X + w\,\mathrm{Tr}(X)\,|0\rangle\langle 0|, \qquad A X = w\,|0\rangle\langle 0| ,

applied by :class:`~qderive.numeric.generator.LindbladGenerator` (sparse ``K`` and ``J_k`` on a dense
``X``; no ``d^2 x d^2`` matrix). ``L`` preserves the trace, so ``Tr(A X) = w Tr X`` and the solution
has ``Tr X = 1`` and ``L X = 0`` exactly when ``A X = w |0><0|`` holds; ``A`` is singular exactly when
the steady state is not unique.

Preconditioner (applied on the right, ``A M u = b``, ``X = M u``), cheap next to one application of ``L``
or at most a few times its cost:

* ``"auto"`` (default): ``"excitation"`` when the model has an excitation number that its jump
  operators lower (:func:`~qderive.numeric.excitation_blocks.excitation_grading`), else ``"triangular"``.
* ``"excitation"``: the exact inverse of the drive-free part ``L_0`` of ``L`` (every term that conserves
  the excitation number, hopping and exchange included, and every jump that lowers it; block
  Sylvester equations, :mod:`.excitation_blocks`): GMRES is left with the drive alone. The solve
  runs in the basis sorted by excitation number (the returned ``rho`` is in the model's basis).
* ``"triangular"``: the number-diagonal part of ``L``, solved exactly by back-substitution,
  ``D_ij X_ij + sum_k sum_{m>i, q>j} J_k,im X_mq J_k,jq^* = B_ij`` with the diagonal
  ``D_ij = -i(K_ii - K_jj^*) + sum_k J_k,ii J_k,jj^*`` (bare energies, Kerr and dispersive shifts,
  decay rates) and the jump terms that feed ``rho_ij`` from higher basis states (all of them for
  lowering operators in the Fock basis); rows from the last basis state to the first.
* ``"diagonal"``: division by ``D`` only (the inverse of the Liouvillian's diagonal).
* ``"...-no-energies"``: the same without the energies (the Hamiltonian-free part: ``Re D``).

Measured (products with ``L`` to residual 1e-10, GMRES(20), this module's :func:`gmres`): three driven
Kerr cavities in a chain (``Delta = 0.5, U = 0.2, J = 0.8, E = 0.6, kappa = 1``, the benchmark's) at
cutoffs 4, 6, 8, 10, 12 per mode (d = 64 ... 1728): excitation 38, 36, 36, 35, 36 (flat: hopping is
exact in ``L_0``, the drive converges at a rate set by ``E / kappa``, not by the size);
triangular-no-energies 173, 186, 197, 218 (cutoffs 4-10, growing); triangular 291, 332 (cutoffs 4, 6).
GMRES(10, 15, 20, 30, 40) with excitation at cutoff 8: 39, 37, 36, 34, 34 products. Other models,
excitation against triangular: pumped Jaynes-Cummings laser (cutoff 40) 76 / 120; thermal driven cavity
(``n_th = 0.3``, the thermal excitation left to GMRES) 49 / 63; a driven qubit with dephasing,
dispersively coupled to two driven cavities (d = 200) 189 / 181; a driven cavity with dephasing
``a^+ a`` (left out of ``L_0``) 72 / 49. Hopping mixes Fock states of equal energy, which the energies
in ``D`` misjudge and ``L_0`` holds exactly; where the drive or dephasing dominates the two are even.

Memory, for ``n`` jump operators and GMRES restart ``m``: ``m + 5`` real vectors of ``d^2`` entries
(8 bytes each: the Krylov basis, the iterate, the right-hand side and two work vectors) and ``n + 5``
complex ``d x d`` matrices (the kernel's scratch, its input and output, the diagonal of ``A``): at
``d = 5000``, ``m = 20``, ``n = 3``: ``25 x 0.2 + 8 x 0.4 = 8.2 GB``. The excitation preconditioner adds
its blocks' eigenvectors, ``2-4 sum_n b_n^2`` numbers (0.05 GB at cutoff 17 per mode, three modes), and
one block's temporaries.

Cost of one GMRES step at d = 4913 (three modes, one thread, measured on a busy machine): the kernel
1.6 s, the excitation preconditioner 2.1 s (the triangular one 0.55 s), packing and unpacking 0.3 s
(twice per step), Gram-Schmidt 1.3 s at ten basis vectors; before the iteration, the population-block
search 8 s and ``||L||_1`` 1 s. Measured solve of the benchmark's chain at d = 4913 (GMRES(20),
excitation, residual 2.8e-11): 35 products, peak 8.5 GB, 832 s with two threads on a machine whose
other jobs left it 67 % of one core (539 s user time); the one-thread step costs above give
~35 x 5.6 s + 10 s = 0.2 ks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numba as nb
import numpy as np
import scipy.sparse as sps
from scipy.linalg import solve_triangular

from qderive.symbolic import ConvergenceError, ParameterError

from .excitation_blocks import ExcitationBlockInverse, excitation_grading, sorted_model
from .fock import FockModel
from .generator import LindbladGenerator
from .memory import COMPLEX_BYTES

REAL_BYTES = 8
TIGHTENING_ROUNDS = 4  # GMRES restarts from its last iterate with a tighter target when the 1-norm check fails

Preconditioner = Literal["auto", "excitation", "triangular", "triangular-no-energies", "diagonal",
                         "diagonal-no-energies", "none"]
PRECONDITIONERS = ("auto", "excitation", "triangular", "triangular-no-energies", "diagonal", "diagonal-no-energies",
                   "none")


def iterative_bytes(dimension: int, n_jumps: int, restart: int) -> int:
    """Bytes of :func:`solve_matrix_free`: the Krylov basis and work vectors, the kernel's matrices.

    ``(restart + 5) d^2`` real and ``(n_jumps + 5) d^2`` complex numbers.

    Examples
    --------
    >>> round(iterative_bytes(5000, 3, 20) / 1e9, 1)  # d = 5000, three jumps, GMRES(20): GB
    8.2
    """
    return (restart + 5) * dimension**2 * REAL_BYTES + (n_jumps + 5) * dimension**2 * COMPLEX_BYTES


TILE = 64  # pack and unpack walk 64 x 64 tiles, so that the transposed reads stay in cache


@nb.njit(cache=True, parallel=True)
def pack_hermitian(x, y):  # pragma: no cover - compiled
    """``y`` (real ``d x d``): real parts of ``x`` on and above the diagonal, imaginary parts below."""
    d = x.shape[0]
    tiles = (d + TILE - 1) // TILE
    for ti in nb.prange(tiles):
        for tj in range(ti, tiles):
            for i in range(ti * TILE, min(d, (ti + 1) * TILE)):
                for j in range(max(i, tj * TILE), min(d, (tj + 1) * TILE)):
                    if i == j:
                        y[i, i] = x[i, i].real
                    else:
                        y[i, j] = x[i, j].real
                        y[j, i] = x[i, j].imag


@nb.njit(cache=True, parallel=True)
def unpack_hermitian(y, x):  # pragma: no cover - compiled
    """The Hermitian ``x`` of a packed ``y`` (inverse of :func:`pack_hermitian`)."""
    d = x.shape[0]
    tiles = (d + TILE - 1) // TILE
    for ti in nb.prange(tiles):
        for tj in range(ti, tiles):
            for i in range(ti * TILE, min(d, (ti + 1) * TILE)):
                for j in range(max(i, tj * TILE), min(d, (tj + 1) * TILE)):
                    if i == j:
                        x[i, i] = y[i, i]
                    else:
                        x[i, j] = y[i, j] + 1j * y[j, i]
                        x[j, i] = y[i, j] - 1j * y[j, i]


@nb.njit(cache=True, parallel=True)
def divide_packed(y, diagonal, out):  # pragma: no cover - compiled
    """``out = pack(X / D)`` elementwise for ``y = pack(X)`` and ``D_ji = D_ij^*`` (``D_ii`` real)."""
    d = y.shape[0]
    for i in nb.prange(d):
        out[i, i] = y[i, i] / diagonal[i, i].real
        for j in range(i + 1, d):
            z = (y[i, j] + 1j * y[j, i]) / diagonal[i, j]
            out[i, j] = z.real
            out[j, i] = z.imag


@nb.njit(cache=True, parallel=True)
def feeding_back_substitution(b, diagonal, j_data, j_indices, j_indptr, n_jumps, x):  # pragma: no cover - compiled
    """Solve ``D o X + sum_k (J_k X J_k^+)_upper = B`` for Hermitian ``X``, ``B``, keeping the jump terms that
    feed ``X_ij`` from ``X_mq`` with ``m > i`` and ``q > j`` (exact for lowering operators in the Fock basis).

    Rows are solved from the last to the first (``X_mq`` with ``m > i`` is then known), each row in parallel.
    """
    d = b.shape[0]
    for i in range(d - 1, -1, -1):
        for j in nb.prange(i, d):
            acc = b[i, j]
            for k in range(n_jumps):
                for p in range(j_indptr[k * d + i], j_indptr[k * d + i + 1]):
                    m = j_indices[p]
                    if m <= i:
                        continue
                    for r in range(j_indptr[k * d + j], j_indptr[k * d + j + 1]):
                        q = j_indices[r]
                        if q > j:
                            acc -= j_data[p] * np.conj(j_data[r]) * x[m, q]
            value = acc / diagonal[i, j]
            x[i, j] = value
            x[j, i] = np.conj(value)
        x[i, i] = x[i, i].real


@nb.njit(cache=True)
def column_norm_bound(k_abs_columns, k_diagonal, j_abs_columns, j_diagonal):  # pragma: no cover - compiled
    """``||L||_1`` (largest column sum of ``|L|``) from column sums of ``|K|``, ``|J_k|`` and their diagonals.

    Column ``(m, q)`` of ``L`` holds ``-i K_im`` (rows ``(i, q)``), ``i K_qj^*`` (rows ``(m, j)``) and
    ``J_k,im J_k,jq^*`` (rows ``(i, j)``); the three meet only at ``(m, q)`` itself when the jump
    operators have no diagonal, where the exact diagonal entry replaces their sum.
    """
    d = k_abs_columns.size
    n = j_abs_columns.shape[0]
    best = 0.0
    for m in range(d):
        for q in range(d):
            total = k_abs_columns[m] + k_abs_columns[q] - abs(k_diagonal[m]) - abs(k_diagonal[q])
            diagonal = -1j * (k_diagonal[m] - np.conj(k_diagonal[q]))
            for k in range(n):
                total += j_abs_columns[k, m] * j_abs_columns[k, q] - abs(j_diagonal[k, m]) * abs(j_diagonal[k, q])
                diagonal += j_diagonal[k, m] * np.conj(j_diagonal[k, q])
            best = max(best, total + abs(diagonal))
    return best


@dataclass(frozen=True)
class IterativeResult:
    """The steady state and how it was reached.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> qubit = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
    >>> result = solve_matrix_free(qubit, 1e-12, 20, 200)
    >>> round(float(result.rho[1, 1].real), 10), bool(result.residual <= 1e-12), result.products > 0
    (0.3333333333, True, True)
    """

    rho: np.ndarray
    residual: float  # ||vec(L rho)||_1 / ||L||_1 with Tr rho = 1
    products: int


def liouvillian_diagonal(fock: FockModel, keep_energies: bool = True) -> np.ndarray:
    """``D_ij = -i(K_ii - K_jj^*) + sum_k J_k,ii J_k,jj^*``, the diagonal of ``L`` as a ``d x d`` matrix.

    Examples
    --------
    >>> from qderive.numeric import liouvillian
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> qubit = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
    >>> dense = liouvillian(qubit.hamiltonian, qubit.jump_operators).toarray()
    >>> bool(np.allclose(liouvillian_diagonal(qubit).ravel(order="F"), np.diag(dense)))
    True
    """
    k_diagonal = fock.hamiltonian.diagonal().astype(complex)
    if not keep_energies:
        k_diagonal = 1j * k_diagonal.imag
    for j in fock.jump_operators:
        k_diagonal = k_diagonal - 0.5j * np.asarray(abs(j).power(2).sum(axis=0)).ravel()
    out = -1j * (k_diagonal[:, None] - k_diagonal.conj()[None, :])
    for j in fock.jump_operators:
        jd = j.diagonal().astype(complex)
        if jd.any():
            out += jd[:, None] * jd.conj()[None, :]
    return out


def liouvillian_norm(fock: FockModel) -> float:
    """``||L||_1`` (see :func:`column_norm_bound`; an upper bound when a jump operator has a diagonal).

    Examples
    --------
    >>> from qderive.numeric import liouvillian
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> qubit = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
    >>> dense = liouvillian(qubit.hamiltonian, qubit.jump_operators).toarray()
    >>> bool(np.isclose(liouvillian_norm(qubit), np.abs(dense).sum(axis=0).max()))
    True
    """
    k = fock.hamiltonian.astype(complex)
    for j in fock.jump_operators:
        k = k - 0.5j * (j.conj().T @ j)
    jumps = [j for j in fock.jump_operators if j.nnz] or [fock.hamiltonian * 0]
    j_columns = np.array([np.asarray(abs(j).sum(axis=0)).ravel() for j in jumps])
    j_diagonal = np.array([j.diagonal().astype(complex) for j in jumps])
    k_columns = np.asarray(abs(k).sum(axis=0)).ravel()
    return column_norm_bound(k_columns, k.diagonal().astype(complex), j_columns, j_diagonal)


def gmres(apply, precondition, rhs: np.ndarray, x: np.ndarray, restart: int, budget: int, atol: float,
          basis: np.ndarray, work: np.ndarray, correction: np.ndarray) -> int:
    """Right-preconditioned restarted GMRES for ``A x = rhs`` in place on ``x``; returns the products with ``A`` used.

    ``apply(y, out)`` sets ``out = A y``, ``precondition(y, out)`` sets ``out = M y`` (``M ~ A^-1``). The
    Krylov vectors are orthogonalised by classical Gram-Schmidt applied twice (two matrix-vector
    products with the basis per step, no temporaries of the vectors' size); ``basis`` holds
    ``restart + 1`` vectors, ``work`` and ``correction`` one each. Stops when the true residual
    ``||rhs - A x||_2 <= atol`` or after ``budget`` products.

    Examples
    --------
    A 3 x 3 system without preconditioning (``M = 1``) is solved within three products per cycle:

    >>> A = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
    >>> rhs, x = np.array([1.0, 2.0, 3.0]), np.zeros(3)
    >>> used = gmres(lambda y, out: np.dot(A, y, out=out), lambda y, out: np.copyto(out, y), rhs, x, 3, 20,
    ...              1e-12, np.empty((4, 3)), np.empty(3), np.empty(3))
    >>> bool(np.allclose(x, np.linalg.solve(A, rhs))), used <= 20
    (True, True)
    """
    used = 0
    while used < budget:
        apply(x, work)
        used += 1
        np.subtract(rhs, work, out=basis[0])
        beta = float(np.linalg.norm(basis[0]))
        if beta <= atol:
            break
        basis[0] /= beta
        hessenberg = np.zeros((restart + 1, restart))
        g = np.zeros(restart + 1)
        g[0] = beta
        cosines, sines = np.zeros(restart), np.zeros(restart)
        k = 0
        while k < restart and used < budget:
            precondition(basis[k], correction)
            apply(correction, work)
            used += 1
            h = np.zeros(k + 1)
            for _ in range(2):  # classical Gram-Schmidt, then once more against the rounding left over
                projection = basis[: k + 1] @ work
                np.dot(projection, basis[: k + 1], out=correction)
                work -= correction
                h += projection
            size = float(np.linalg.norm(work))
            hessenberg[: k + 1, k] = h
            hessenberg[k + 1, k] = size
            for i in range(k):
                upper, lower = hessenberg[i, k], hessenberg[i + 1, k]
                hessenberg[i, k] = cosines[i] * upper + sines[i] * lower
                hessenberg[i + 1, k] = -sines[i] * upper + cosines[i] * lower
            radius = float(np.hypot(hessenberg[k, k], hessenberg[k + 1, k]))
            cosines[k], sines[k] = (hessenberg[k, k] / radius, hessenberg[k + 1, k] / radius) if radius else (1.0, 0.0)
            hessenberg[k, k], hessenberg[k + 1, k] = radius, 0.0
            g[k + 1] = -sines[k] * g[k]
            g[k] = cosines[k] * g[k]
            k += 1
            if abs(g[k]) <= atol or size == 0.0:
                break
            np.divide(work, size, out=basis[k])
        y = solve_triangular(hessenberg[:k, :k], g[:k])
        np.dot(y, basis[:k], out=work)
        precondition(work, correction)
        x += correction
    return used


def solve_matrix_free(fock: FockModel, tolerance: float, restart: int, maxiter: int,
                      preconditioner: Preconditioner = "auto",
                      start: np.ndarray | None = None) -> IterativeResult:
    """GMRES(``restart``) on the bordered Liouvillian until ``||vec(L rho)||_1 <= tolerance ||L||_1`` (``Tr rho = 1``).

    ``maxiter`` bounds the applications of ``L`` (matrix-vector products). Raises
    :class:`ConvergenceError` when the residual is not reached. ``start`` is an optional Hermitian
    initial guess.

    Examples
    --------
    A thermal mode (``n_th = 0.5``): populations ``n^k / (1 + n)^(k+1)``.

    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, declare, thermal_dissipators
    >>> p = declare([("kappa", "decay", "rad/s"), ("n", "thermal number", "")])
    >>> mode = BosonMode("a")
    >>> model = Model("thermal", (mode,), 0 * mode.a.dag() * mode.a,
    ...               tuple(thermal_dissipators(p["kappa"].symbol, p["n"].symbol, mode.a, "kappa")), p)
    >>> result = solve_matrix_free(fock_model(model, {"kappa": 1.0, "n": 0.5}, {"a": 30}), 1e-12, 20, 2000)
    >>> exact = 0.5 ** np.arange(4) / 1.5 ** np.arange(1, 5)
    >>> bool(np.allclose(np.diag(result.rho)[:4].real, exact, atol=1e-9))
    True
    """
    d = fock.dimension
    grading = excitation_grading(fock) if preconditioner in ("auto", "excitation") else None
    if preconditioner == "excitation" and grading is None:
        raise ParameterError("steady_state: preconditioner='excitation' needs an excitation number that the "
                             "jump operators lower (see qderive.numeric.excitation_blocks); this model has none")
    if grading is not None:
        preconditioner = "excitation"
        fock = sorted_model(fock, grading)
        if start is not None:
            start = start[np.ix_(grading.order, grading.order)]
    elif preconditioner == "auto":
        preconditioner = "triangular"
    generator = LindbladGenerator(fock, frame="lab")
    diagonal = liouvillian_diagonal(fock, keep_energies=not preconditioner.endswith("no-energies"))
    weight = float(np.abs(diagonal).mean()) or 1.0
    diagonal[0, 0] += weight
    small = np.abs(diagonal) < 1e-14 * weight  # e.g. coherences between degenerate dark states
    diagonal[small] = weight
    if preconditioner == "none":
        diagonal[:] = 1.0
    blocks = ExcitationBlockInverse(fock, grading, weight) if grading is not None else None
    matrix = np.empty((d, d), dtype=complex)
    image = np.empty((d, d), dtype=complex)
    jumps = sps.vstack([j for j in fock.jump_operators if j.nnz] or [sps.csr_matrix((d, d))], format="csr")
    jumps.sort_indices()
    j_args = (jumps.data.astype(complex), jumps.indices.astype(np.int64), jumps.indptr.astype(np.int64),
              jumps.shape[0] // d)

    def apply(y: np.ndarray, out: np.ndarray) -> None:
        unpack_hermitian(y.reshape(d, d), matrix)
        generator.apply(0.0, matrix, image)
        image[0, 0] += weight * np.trace(matrix).real
        pack_hermitian(image, out.reshape(d, d))

    def precondition(y: np.ndarray, out: np.ndarray) -> None:
        if blocks is not None:
            unpack_hermitian(y.reshape(d, d), matrix)
            blocks.solve(matrix, image)
            pack_hermitian(image, out.reshape(d, d))
        elif preconditioner.startswith("triangular"):
            unpack_hermitian(y.reshape(d, d), matrix)
            feeding_back_substitution(matrix, diagonal, *j_args, image)
            pack_hermitian(image, out.reshape(d, d))
        else:
            divide_packed(y.reshape(d, d), diagonal, out.reshape(d, d))

    basis = np.empty((restart + 1, d * d))
    work, correction = np.empty(d * d), np.empty(d * d)
    rhs = np.zeros(d * d)
    rhs[0] = weight
    x = np.zeros(d * d)
    if start is not None:
        pack_hermitian(np.ascontiguousarray(start, dtype=complex), x.reshape(d, d))
    norm = liouvillian_norm(fock)
    target = tolerance * norm
    gmres_target = target
    residual = np.inf
    matvecs = 0
    for _ in range(TIGHTENING_ROUNDS):
        if matvecs >= maxiter:
            break
        matvecs += gmres(apply, precondition, rhs, x, restart, maxiter - matvecs, gmres_target, basis, work,
                         correction)
        unpack_hermitian(x.reshape(d, d), matrix)
        trace = np.trace(matrix).real
        if not (np.isfinite(trace) and trace > 0):
            break
        generator.apply(0.0, matrix, image)
        residual = float(np.abs(image).sum() / abs(trace))
        if residual <= target:
            break
        gmres_target *= 0.5 * target / residual
    if not residual <= target:
        raise ConvergenceError(
            f"steady_state (iterative): GMRES reached residual {residual / norm:.1e} after {matvecs} products with L, "
            f"not the tolerance {tolerance:.0e}; raise maxiter or restart, or use method='direct'"
        )
    rho = matrix / trace
    if grading is not None:  # back to the model's basis
        image[np.ix_(grading.order, grading.order)] = rho
        rho = image
    return IterativeResult(rho, residual / norm, products=matvecs)
