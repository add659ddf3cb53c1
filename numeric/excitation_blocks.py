r"""The exact inverse of the drive-free part of the Liouvillian, block by block in the excitation number.

Grading. Every basis state gets an excitation number ``N = sum_f s_f n_f``, the sum over the model's
subsystems of the level index ``n_f`` (the Fock number of a mode), each with the sign ``s_f = +-1``
under which the jump operators lower it (decided by the jumps' entries, weighted by ``|J|^2``). The
Liouvillian splits as ``L = L_0 + L_1`` with

.. math:: \mathcal L_0 X = -i(K_0 X - X K_0^\dagger) + \sum_{k\ \mathrm{lowering}} J_k X J_k^\dagger ,
          \qquad K_0 = \Big[H - \tfrac i2 \sum_{k\ \mathrm{lowering}} J_k^\dagger J_k\Big]_{\Delta N = 0} ,

where a jump operator is *lowering* when every entry lowers ``N`` and ``[.]_{Delta N = 0}`` keeps the
entries between states of equal ``N``: bare energies, Kerr and dispersive shifts, hopping and
exchange ``a^+ b``, the decay of lowering jumps. ``L_1`` holds the rest, left to GMRES: terms that
change ``N`` (a coherent drive ``E(a + a^+)``, two-photon terms ``a^2 + a^+2``) and the whole
dissipator of every jump that is not lowering (dephasing ``a^+ a``, thermal excitation ``a^+``,
jumps that mix directions). In the basis sorted by ``N`` the blocks ``X_nm`` (bra in block ``n``,
ket in block ``m``) of ``L_0 X = B`` decouple into Sylvester equations solved from the highest
``n + m`` down, since a lowering jump feeds ``X_nm`` only from blocks of larger ``n + m``:

.. math:: -i(K_n X_{nm} - X_{nm} K_m^\dagger) = B_{nm} - \sum_k \sum_{n' > n,\, m' > m}
          J_{k,nn'} X_{n'm'} J_{k,mm'}^\dagger .

With the eigendecompositions ``K_n = V_n \Lambda_n V_n^{-1}`` (computed once) each block is four
matrix products and a division, ``X_nm = V_n [V_n^{-1} R V_m^{-\dagger} / (-i(\lambda_a -
\lambda_b^*))] V_m^\dagger``. Where a ``V_n`` is ill-conditioned (condition number above
``EIGENVECTOR_CONDITION_LIMIT``) the block uses the Schur form ``K_n = Q_n T_n Q_n^\dagger`` and a
triangular Sylvester solve (Bartels-Stewart, LAPACK ``ztrsyl``) instead.

Trace condition. The solver's bordered operator ``A X = L X + w Tr(X) |0><0|`` puts the border on
the first state of the lowest block; that block is solved last, when the trace of every other
diagonal block is known, by a dense LU of its ``b_0^2`` unknowns (one for a vacuum). So the
preconditioner is the exact inverse of ``A_0 = L_0 + w Tr(.) |0><0|``.

Cost per application, with ``b_n`` the block sizes: ``2 sum_{n <= m} (b_n^2 b_m + b_n b_m^2) ~ 2 d sum_n
b_n^2`` complex multiply-adds in the block products (7.7e9 for three modes with cutoff 17, whose largest
block holds 217 states) and ``~ n_jumps d^2`` in the jump feed. When every ``K_n`` has real orthogonal
eigenvectors (a real Hamiltonian whose blocks commute with the decay, e.g. equal decay rates of all
modes) the products run in real arithmetic on the real and imaginary parts: half the work (measured
at d = 1728: 0.16 s against 0.28 s). Blocks up to
:data:`~qderive.numeric.propagator.BLAS_SINGLE_THREAD_MAX_SIZE` states run with BLAS on one thread
(small dense products, whose threads wait on each other on a busy machine, issue 14 section 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import scipy.linalg as sla
import scipy.sparse as sps

from .fock import FockModel
from .propagator import single_threaded_blas

EIGENVECTOR_CONDITION_LIMIT = 1e6  # above it a block's Sylvester equations go through its Schur form
LOWEST_BLOCK_LIMIT = 32  # most states of the lowest block (its b^2 x b^2 equations are solved densely)
SMALL_DENOMINATOR = 1e-14  # relative size below which a Sylvester denominator counts as zero (dark coherences)


@dataclass(frozen=True)
class ExcitationGrading:
    """Excitation number of every basis state and the jump operators that lower it.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_cavity
    >>> fock = fock_model(driven_cavity(), {"Delta": 1.0, "E": 0.2, "kappa": 0.5}, cutoffs={"a": 3})
    >>> grading = excitation_grading(fock)
    >>> grading.number.tolist(), grading.lowering, grading.block_sizes.tolist()
    ([0, 1, 2], (0,), [1, 1, 1])
    """

    number: np.ndarray  # N of every basis state (lowest 0)
    order: np.ndarray  # basis states sorted by N (stable)
    bounds: np.ndarray  # start of every block in the sorted order, and the end
    lowering: tuple[int, ...]  # positions in fock.jump_operators of the jumps that lower N in every entry

    @property
    def block_sizes(self) -> np.ndarray:
        """Number of basis states of every excitation number.

        Examples
        --------
        >>> ExcitationGrading(np.array([0, 1, 1]), np.arange(3), np.array([0, 1, 3]), ()).block_sizes.tolist()
        [1, 2]
        """
        return np.diff(self.bounds)


def excitation_grading(fock: FockModel) -> ExcitationGrading | None:
    """The grading of the module docstring, or ``None`` when it does not help.

    ``None`` when no jump operator lowers ``N`` in every entry, when every state has the same ``N``
    or when the lowest block has more than ``LOWEST_BLOCK_LIMIT`` states.

    Examples
    --------
    Three Kerr cavities with hopping (``a^+ b`` conserves ``N = n_a + n_b + n_c``), cutoff 2 each:

    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, declare
    >>> p = declare([("J", "hopping", "rad/s", "real"), ("kappa", "decay", "rad/s")])
    >>> a, b, c = (BosonMode(name) for name in "abc")
    >>> chain = Model("chain", (a, b, c), p["J"].symbol * (a.a.dag() * b.a + b.a.dag() * c.a + b.a.dag() * a.a
    ...               + c.a.dag() * b.a), tuple(Dissipator(p["kappa"].symbol, m.a, m.name) for m in (a, b, c)), p)
    >>> grading = excitation_grading(fock_model(chain, {"J": 0.8, "kappa": 1.0}, dict.fromkeys("abc", 2)))
    >>> grading.block_sizes.tolist(), grading.lowering
    ([1, 3, 3, 1], (0, 1, 2))
    """
    d = fock.dimension
    levels = np.array(np.unravel_index(np.arange(d), fock.dimensions))  # (subsystems, d): index of each factor
    jumps = [sps.coo_matrix(j) for j in fock.jump_operators]
    votes = np.zeros(len(fock.dimensions))
    for j in jumps:
        weights = np.abs(j.data) ** 2
        votes += (np.sign(levels[:, j.row] - levels[:, j.col]) * weights).sum(axis=1)
    signs = np.where(votes > 0, -1, 1)  # jumps that mostly raise a level index count it downwards
    number = signs @ levels
    number = number - number.min()
    lowering = tuple(k for k, j in enumerate(jumps) if j.nnz and np.all(number[j.row] < number[j.col]))
    order = np.argsort(number, kind="stable")
    sizes = np.bincount(number)
    bounds = np.concatenate([[0], np.cumsum(sizes[sizes > 0])])
    if not lowering or bounds.size < 3 or bounds[1] > LOWEST_BLOCK_LIMIT:
        return None
    _, number = np.unique(number, return_inverse=True)  # consecutive numbers for the occupied blocks
    return ExcitationGrading(number.astype(np.int64), order, bounds, lowering)


SMALL_PRODUCT = 4096  # multiply-adds below which a block product runs as a loop (no BLAS call)


@nb.njit(cache=True)
def _product(a, b):  # pragma: no cover - compiled
    """``a @ b``: BLAS for large blocks, a loop for small ones (where the call would cost more)."""
    if a.shape[0] * a.shape[1] * b.shape[1] >= SMALL_PRODUCT:
        return np.dot(a, b)
    out = np.zeros((a.shape[0], b.shape[1]), dtype=a.dtype)
    for i in range(a.shape[0]):
        for k in range(a.shape[1]):
            value = a[i, k]
            for j in range(b.shape[1]):
                out[i, j] += value * b[k, j]
    return out


@nb.njit(cache=True)
def _real_sandwich(left, z, right):  # pragma: no cover - compiled
    """``left @ z @ right`` for real ``left`` and ``right`` and complex ``z``: real products on both parts."""
    real = _product(_product(left, np.ascontiguousarray(z.real)), right)
    imag = _product(_product(left, np.ascontiguousarray(z.imag)), right)
    return real + 1j * imag


@nb.njit(cache=True)
def _feed(x, b, row0, row1, col0, col1, j_data, j_indices, j_indptr, n_jumps):  # pragma: no cover - compiled
    """``B_nm - sum_k (J_k X J_k^+)_nm`` on rows ``row0:row1`` and columns ``col0:col1``.

    Reads only ``X_pq`` with ``p, q`` from the jumps' rows, all of larger ``N`` (already solved).
    """
    d = x.shape[0]
    out = np.empty((row1 - row0, col1 - col0), dtype=np.complex128)
    for i in range(row0, row1):
        for j in range(col0, col1):
            acc = b[i, j]
            for k in range(n_jumps):
                for p in range(j_indptr[k * d + i], j_indptr[k * d + i + 1]):
                    m = j_indices[p]
                    value = j_data[p]
                    for r in range(j_indptr[k * d + j], j_indptr[k * d + j + 1]):
                        acc -= value * np.conj(j_data[r]) * x[m, j_indices[r]]
            out[i - row0, j - col0] = acc
    return out


@nb.njit(cache=True)
def _divide(t, values_rows, values_columns, small, weight):  # pragma: no cover - compiled
    """``t_ac /= -i(lambda_a - lambda_c^*)``; a denominator below ``small`` (a dark coherence) becomes ``weight``."""
    for a in range(t.shape[0]):
        for c in range(t.shape[1]):
            denominator = -1j * (values_rows[a] - np.conj(values_columns[c]))
            t[a, c] /= denominator if abs(denominator) >= small else weight


@nb.njit(cache=True)
def _triangular_sylvester(upper_rows, upper_columns, t, small, weight):  # pragma: no cover - compiled
    """``Y`` with ``-i(T_n Y - Y T_m^+) = t`` for upper triangular ``T_n``, ``T_m`` (Bartels-Stewart), in ``t``.

    ``T_m^+`` is lower triangular, so column ``j`` of ``Y`` needs only the columns after it; each
    column is one back substitution with ``T_n - conj(T_m,jj)``.
    """
    rows, columns = t.shape
    for j in range(columns - 1, -1, -1):
        for k in range(j + 1, columns):  # -i(-Y T_m^+)_.j from the solved columns k > j
            coupling = 1j * np.conj(upper_columns[j, k])
            for a in range(rows):
                t[a, j] -= coupling * t[a, k]
        shift = np.conj(upper_columns[j, j])
        for a in range(rows - 1, -1, -1):
            acc = t[a, j]
            for q in range(a + 1, rows):
                acc += 1j * upper_rows[a, q] * t[q, j]
            denominator = -1j * (upper_rows[a, a] - shift)
            t[a, j] = acc / (denominator if abs(denominator) >= small else weight)


@nb.njit(cache=True)
def _store(x, block, r0, c0):  # pragma: no cover - compiled
    """``X_nm = block`` at rows ``r0...``, columns ``c0...``, and ``X_mn = block^+``."""
    for i in range(block.shape[0]):
        for j in range(block.shape[1]):
            x[r0 + i, c0 + j] = block[i, j]
            x[c0 + j, r0 + i] = np.conj(block[i, j])


@nb.njit(cache=True)
def _back_substitution(x, b, bounds, offsets, values, vectors, inverses, vectors_h, inverses_h, triangular, schur,
                       real, orthogonal, orthogonal_t, j_data, j_indices, j_indptr, n_jumps, small, weight,
                       lowest_inverse):  # pragma: no cover - compiled
    """``x = A_0^{-1} b``: the blocks ``X_nm`` (``n <= m``, ``X_mn = X_nm^+``) from the highest ``n + m`` down."""
    count = bounds.size - 1
    for level in range(2 * count - 2, 0, -1):
        for n in range(max(0, level - count + 1), level // 2 + 1):
            m = level - n
            r0, r1, c0, c1 = bounds[n], bounds[n + 1], bounds[m], bounds[m + 1]
            rows, columns = r1 - r0, c1 - c0
            rhs = _feed(x, b, r0, r1, c0, c1, j_data, j_indices, j_indptr, n_jumps)
            if real:  # real orthogonal V: V^-1 = V^T
                v_n = orthogonal[offsets[n]:offsets[n + 1]].reshape(rows, rows)
                v_m = orthogonal[offsets[m]:offsets[m + 1]].reshape(columns, columns)
                v_t_n = orthogonal_t[offsets[n]:offsets[n + 1]].reshape(rows, rows)
                v_t_m = orthogonal_t[offsets[m]:offsets[m + 1]].reshape(columns, columns)
                t = _real_sandwich(v_t_n, rhs, v_m)
                _divide(t, values[r0:r1], values[c0:c1], small, weight)
                _store(x, _real_sandwich(v_n, t, v_t_m), r0, c0)
                continue
            inverse_n = inverses[offsets[n]:offsets[n + 1]].reshape(rows, rows)
            inverse_h_m = inverses_h[offsets[m]:offsets[m + 1]].reshape(columns, columns)
            t = _product(_product(inverse_n, rhs), inverse_h_m)
            if schur:
                _triangular_sylvester(triangular[offsets[n]:offsets[n + 1]].reshape(rows, rows),
                                      triangular[offsets[m]:offsets[m + 1]].reshape(columns, columns), t, small,
                                      weight)
            else:
                _divide(t, values[r0:r1], values[c0:c1], small, weight)
            _store(x, _product(_product(vectors[offsets[n]:offsets[n + 1]].reshape(rows, rows), t),
                               vectors_h[offsets[m]:offsets[m + 1]].reshape(columns, columns)), r0, c0)
    size = bounds[1]
    rhs = _feed(x, b, 0, size, 0, size, j_data, j_indices, j_indptr, n_jumps)
    rest = 0.0
    for i in range(size, x.shape[0]):
        rest += x[i, i].real
    rhs[0, 0] -= weight * rest
    stacked = np.empty(size * size, dtype=np.complex128)  # column order
    for i in range(size):
        for j in range(size):
            stacked[i + size * j] = rhs[i, j]
    solution = np.dot(lowest_inverse, stacked)
    for i in range(size):
        for j in range(size):
            x[i, j] = 0.5 * (solution[i + size * j] + np.conj(solution[j + size * i]))


class ExcitationBlockInverse:
    """``A_0^{-1}`` for ``A_0 X = L_0 X + w Tr(X) |0><0|`` of a model whose basis is sorted by the grading.

    Parameters
    ----------
    fock : FockModel
        The model in the sorted basis (:func:`sorted_model`): every block of ``grading`` contiguous.
    grading : ExcitationGrading
        The grading of the unsorted model (its ``bounds`` and ``lowering`` are used).
    weight : float
        ``w`` of the border (the solver's).

    Examples
    --------
    A driven cavity without drive is graded exactly: ``A_0 = A``, so ``A_0^{-1} A X = X``.

    >>> from qderive.numeric import fock_model
    >>> from qderive.numeric.generator import LindbladGenerator
    >>> from qderive.symbolic.library import driven_cavity
    >>> fock = fock_model(driven_cavity(), {"Delta": 1.0, "E": 0.0, "kappa": 0.5}, cutoffs={"a": 4})
    >>> grading = excitation_grading(fock)
    >>> inverse = ExcitationBlockInverse(sorted_model(fock, grading), grading, 1.0)
    >>> x = np.random.default_rng(1).standard_normal((4, 4)) * (1 + 0j)
    >>> x = x + x.T
    >>> ax = LindbladGenerator(fock, "lab").apply(0.0, x, np.empty_like(x))
    >>> ax[0, 0] += np.trace(x)
    >>> bool(np.allclose(inverse.solve(ax, np.empty_like(x)), x))
    True
    """

    def __init__(self, fock: FockModel, grading: ExcitationGrading, weight: float):
        lowering = [sps.csr_matrix(fock.jump_operators[k], dtype=complex) for k in grading.lowering]
        k_full = sps.csr_matrix(fock.hamiltonian, dtype=complex)
        for j in lowering:
            k_full = k_full - 0.5j * (j.conj().T @ j)
        k_full = sps.csr_matrix(k_full)
        bounds = grading.bounds
        self.largest_block = int(np.diff(bounds).max())
        blocks = [k_full[s:e, s:e].toarray() for s, e in zip(bounds[:-1], bounds[1:], strict=True)]
        orthogonal = _orthogonal_eigenvectors(blocks)
        if orthogonal is not None:
            values = np.concatenate([np.einsum("ji,jk,ki->i", v, k, v)
                                     for v, k in zip(orthogonal, blocks, strict=True)])
            vectors = inverses = [np.zeros((0, 0), dtype=complex)]
            triangular = None
        else:
            values, vectors, inverses, triangular = _factorise(blocks)
        self.schur = triangular is not None
        self.orthogonal = orthogonal is not None
        stacked = sps.vstack(lowering, format="csr")
        stacked.sort_indices()
        scale = float(np.abs(values).max()) or 1.0

        def flat(matrices: list[np.ndarray]) -> np.ndarray:
            return np.concatenate([np.ascontiguousarray(m).ravel() for m in matrices])

        self._arguments = (
            bounds.astype(np.int64), np.concatenate([[0], np.cumsum(np.diff(bounds) ** 2)]).astype(np.int64), values,
            flat(vectors), flat(inverses), flat([v.conj().T for v in vectors]), flat([w.conj().T for w in inverses]),
            flat(triangular) if self.schur else np.zeros(1, dtype=complex), self.schur, self.orthogonal,
            flat(orthogonal) if self.orthogonal else np.zeros(1), flat([v.T for v in orthogonal]) if self.orthogonal
            else np.zeros(1), stacked.data,
            stacked.indices.astype(np.int64), stacked.indptr.astype(np.int64), len(lowering),
            SMALL_DENOMINATOR * scale, float(weight), np.linalg.inv(_lowest_block_matrix(blocks[0], weight)))

    def solve(self, b: np.ndarray, x: np.ndarray) -> np.ndarray:
        """``x = A_0^{-1} b`` for a Hermitian ``d x d`` ``b`` (``x`` is Hermitian); returns ``x``.

        Examples
        --------
        The vacuum is the steady state of a decaying cavity, so ``A_0 |0><0| = w |0><0|``:

        >>> from qderive.numeric import fock_model
        >>> from qderive.symbolic.library import driven_cavity
        >>> fock = fock_model(driven_cavity(), {"Delta": 1.0, "E": 0.3, "kappa": 0.5}, cutoffs={"a": 3})
        >>> grading = excitation_grading(fock)
        >>> inverse = ExcitationBlockInverse(sorted_model(fock, grading), grading, 2.0)
        >>> border = np.zeros((3, 3), dtype=complex)
        >>> border[0, 0] = 2.0
        >>> np.round(inverse.solve(border, np.empty_like(border)).real, 12).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
        """
        with single_threaded_blas(self.largest_block):
            _back_substitution(x, b, *self._arguments)
        return x


def _orthogonal_eigenvectors(blocks: list[np.ndarray]) -> list[np.ndarray] | None:
    """Real orthogonal ``V_n`` with ``V_n^T K_n V_n`` diagonal for every block, or ``None`` if one has none.

    They exist when ``K_n = H_n - (i/2) G_n`` with real symmetric, commuting ``H_n`` and ``G_n`` (a real
    Hamiltonian and decay rates equal within each block, e.g. equal rates of every mode); they are the
    eigenvectors of ``H_n + phi G_n`` for an irrational ``phi`` (a degeneracy of that sum which ``H_n``
    and ``G_n`` do not share fails the check). Real ``V_n`` halve the work of every block product.
    """
    phi = (np.sqrt(5.0) - 1.0) / 2.0
    out = []
    for k in blocks:
        hermitian, decay = (k + k.conj().T) / 2, 1j * (k - k.conj().T)
        scale = np.abs(k).max() or 1.0
        if np.abs(hermitian.imag).max() > 1e-14 * scale or np.abs(decay.imag).max() > 1e-14 * scale:
            return None
        vectors = np.linalg.eigh(hermitian.real + phi * decay.real)[1]
        rotated = vectors.T @ k @ vectors
        if np.abs(rotated - np.diag(np.diag(rotated))).max() > 1e-12 * scale:
            return None
        out.append(np.ascontiguousarray(vectors))
    return out


def _factorise(blocks: list[np.ndarray]) -> tuple[np.ndarray, list, list, list | None]:
    """Eigenvalues, ``V_n`` and ``V_n^-1`` of every block; Schur forms (``Q_n``, ``Q_n^+``, ``T_n``) of all
    blocks instead when one ``V_n`` is ill-conditioned."""
    pairs = [np.linalg.eig(k) for k in blocks]
    if all(np.linalg.cond(v) <= EIGENVECTOR_CONDITION_LIMIT for _, v in pairs):
        return (np.concatenate([values for values, _ in pairs]), [v for _, v in pairs],
                [np.linalg.inv(v) for _, v in pairs], None)
    schur = [sla.schur(k, output="complex") for k in blocks]
    return (np.concatenate([np.diag(t) for t, _ in schur]), [q for _, q in schur], [q.conj().T for _, q in schur],
            [t for t, _ in schur])


def _lowest_block_matrix(k: np.ndarray, weight: float) -> np.ndarray:
    """``-i(K_0 X - X K_0^+) + w Tr(X) |0><0|`` of the lowest block on column-stacked ``X``."""
    size = k.shape[0]
    identity = np.eye(size)
    matrix = -1j * (np.kron(identity, k) - np.kron(k.conj(), identity))
    matrix[0, :: size + 1] += weight
    return matrix


def sorted_model(fock: FockModel, grading: ExcitationGrading) -> FockModel:
    """``fock`` with its basis reordered by excitation number (``P H P^T``, ``P J_k P^T``).

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_cavity
    >>> fock = fock_model(driven_cavity(), {"Delta": 1.0, "E": 0.2, "kappa": 0.5}, cutoffs={"a": 3})
    >>> bool(np.allclose(sorted_model(fock, excitation_grading(fock)).hamiltonian.toarray(),
    ...                  fock.hamiltonian.toarray()))  # a single mode is sorted already
    True
    """
    from dataclasses import replace

    order = grading.order

    def permute(matrix: sps.spmatrix) -> sps.csr_matrix:
        return sps.csr_matrix(sps.csr_matrix(matrix)[order][:, order])

    return replace(fock, hamiltonian=permute(fock.hamiltonian), jump_operators=tuple(permute(j) for j in
                                                                                     fock.jump_operators))
