r"""Numba kernels of the Lindblad generator and of small-model propagation.

With the effective Hamiltonian :math:`K = H - \tfrac{i}{2}\sum_k J_k^\dagger J_k` the generator is

.. math:: \mathcal L X = -i K X + i X K^\dagger + \sum_k J_k (X J_k^\dagger) .

:func:`lindblad_apply` evaluates it with sparse ``K`` and ``J_k`` acting on a dense ``X``, never
forming a ``d^2 x d^2`` superoperator, in two passes over rows: first the rows of
``X K^+`` and ``X J_k^+`` (row ``r`` needs only row ``r`` of ``X``), then the rows of the sum.
The passes run on Numba's thread pool only for large problems (``*_parallel`` variants, chosen by
size against the measured thresholds below); small ones run serially (``*_serial``), because
threads that wait on each other for a scheduler time slice turn a microsecond call into
milliseconds on a machine whose cores are busy.
The same kernel applies the dual (Heisenberg-picture) generator
:math:`\mathcal L^\ddagger A = i(K^\dagger A - A K) + \sum_k J_k^\dagger A J_k` when called with
``-K^+`` and ``J_k^+``.

Interaction picture: for a diagonal part ``H0 = diag(E)`` removed from ``K``, the state in the
frame rotating with ``H0`` is ``X_I = P(t)^* o X`` with ``P_ij = u_i u_j^*``, ``u = exp(-i E t)``;
the kernel takes ``u`` and returns ``dX_I/dt = P^* o L(P o X_I)`` (``o`` the elementwise product).
"""

from __future__ import annotations

import numba as nb
import numpy as np

# Smallest problems that run on Numba's thread pool (a serial variant of each kernel runs below them). Measured on
# the 2-core development machine with ``python -m qderive.bench.threshold_bench`` (serial against parallel variant,
# quiet and with both cores busy): quietly the parallel variant pays from d = 32 (1.3x) to 256 (1.8x), but with the
# cores taken one parallel call waits 25-64 ms for its threads (GNU OpenMP layer) at every size up to d = 512, where
# the serial call takes 0.005-10 ms; at d = 1024 (43 ms serial) the two variants are even under load.
LINDBLAD_PARALLEL_MIN_DIMENSION = 1024
# Batch kernels, in multiply-adds per call (B d^4 superoperator entries; B steps size^2 propagation): under load the
# parallel variant lost below 3e6 (0.05-0.45x) and won from 4e6 (1.3-1.5x, calls of 40 ms and more).
BATCH_PARALLEL_MIN_WORK = 10_000_000


@nb.njit(cache=True, inline="always")
def _row_times_sparse_adjoint(x, r, data, indices, indptr, row0, out):  # pragma: no cover - compiled
    """``out[:] = (x A^+)[r, :]`` for the block of rows ``row0 .. row0 + d`` of a stacked CSR ``A``."""
    d = x.shape[0]
    for j in range(d):
        acc = 0j
        for p in range(indptr[row0 + j], indptr[row0 + j + 1]):
            acc += x[r, indices[p]] * np.conj(data[p])
        out[j] = acc


@nb.njit(cache=True, fastmath=True, inline="always")
def _lindblad_right_row(x, r, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, u, rotate,
                        scratch):  # pragma: no cover - compiled
    """First pass of :func:`lindblad_apply` for row ``r``: the rotated row and the rows of ``X K^+``, ``X J_k^+``."""
    d = x.shape[0]
    rotated, right = scratch[0], scratch[1:]  # right[0] = x K^+, right[1 + k] = x J_k^+
    for j in range(d):
        rotated[r, j] = x[r, j] * u[r] * np.conj(u[j]) if rotate else x[r, j]
    _row_times_sparse_adjoint(rotated, r, k_data, k_indices, k_indptr, 0, right[0, r])
    for k in range(n_jumps):
        _row_times_sparse_adjoint(rotated, r, j_data, j_indices, j_indptr, k * d, right[1 + k, r])


@nb.njit(cache=True, fastmath=True, inline="always")
def _lindblad_out_row(i, out, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, u, rotate,
                      scratch):  # pragma: no cover - compiled
    """Second pass of :func:`lindblad_apply` for row ``i`` of ``out``, from the first pass's rows in ``scratch``."""
    d = out.shape[0]
    rotated, right = scratch[0], scratch[1:]
    for j in range(d):
        out[i, j] = 1j * right[0, i, j]
    for p in range(k_indptr[i], k_indptr[i + 1]):
        c = -1j * k_data[p]
        r = k_indices[p]
        for j in range(d):
            out[i, j] += c * rotated[r, j]
    for k in range(n_jumps):
        for p in range(j_indptr[k * d + i], j_indptr[k * d + i + 1]):
            c = j_data[p]
            r = j_indices[p]
            for j in range(d):
                out[i, j] += c * right[1 + k, r, j]
    if rotate:
        for j in range(d):
            out[i, j] *= np.conj(u[i]) * u[j]


@nb.njit(cache=True, fastmath=True)
def lindblad_apply_serial(x, out, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, u, rotate,
                          scratch):  # pragma: no cover - compiled
    """:func:`lindblad_apply` on the calling thread (two serial passes over the rows)."""
    for r in range(x.shape[0]):
        _lindblad_right_row(x, r, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, u, rotate,
                            scratch)
    for i in range(x.shape[0]):
        _lindblad_out_row(i, out, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, u, rotate,
                          scratch)


@nb.njit(cache=True, fastmath=True, parallel=True)
def lindblad_apply_parallel(x, out, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, u, rotate,
                            scratch):  # pragma: no cover - compiled
    """:func:`lindblad_apply` on Numba's thread pool (two ``prange`` passes over the rows)."""
    for r in nb.prange(x.shape[0]):
        _lindblad_right_row(x, r, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, u, rotate,
                            scratch)
    for i in nb.prange(x.shape[0]):
        _lindblad_out_row(i, out, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, u, rotate,
                          scratch)


def lindblad_apply(x: np.ndarray, out: np.ndarray, k_data: np.ndarray, k_indices: np.ndarray, k_indptr: np.ndarray,
                   j_data: np.ndarray, j_indices: np.ndarray, j_indptr: np.ndarray, n_jumps: int, u: np.ndarray,
                   rotate: bool, scratch: np.ndarray) -> None:
    """``out = L x`` for a dense ``d x d`` operator ``x`` (see the module docstring).

    ``k_*`` is ``K`` in CSR form; ``j_*`` the jump operators stacked row-wise into one
    ``(n_jumps d) x d`` CSR matrix. With ``rotate`` the input and output are in the frame of
    ``u``. ``scratch`` is a ``(n_jumps + 2, d, d)`` complex array. Runs
    :func:`lindblad_apply_parallel` from ``d >= LINDBLAD_PARALLEL_MIN_DIMENSION`` on, else
    :func:`lindblad_apply_serial` (same arithmetic, same result).

    Examples
    --------
    >>> from qderive.numeric import fock_model, liouvillian
    >>> from qderive.numeric.generator import LindbladGenerator
    >>> from qderive.symbolic.library import driven_qubit
    >>> fock = fock_model(driven_qubit(), {"Delta": 0.3, "Omega": 1.0, "gamma": 0.5})
    >>> x = np.array([[0.6, 0.2j], [-0.2j, 0.4]])
    >>> out = LindbladGenerator(fock, "lab").apply(0.0, x, np.empty_like(x))  # prepares the CSR data, calls this
    >>> L = liouvillian(fock.hamiltonian, fock.jump_operators).toarray()  # the d^2 x d^2 superoperator
    >>> bool(np.allclose(out.ravel(order="F"), L @ x.ravel(order="F")))
    True
    """
    kernel = lindblad_apply_parallel if x.shape[0] >= LINDBLAD_PARALLEL_MIN_DIMENSION else lindblad_apply_serial
    kernel(x, out, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, u, rotate, scratch)


@nb.njit(cache=True)
def propagate_uniform(propagator: np.ndarray, initial: np.ndarray, count: int) -> np.ndarray:
    """Rows ``x_k = P^k x_0`` for ``k < count`` (exact evolution on a uniform time grid)."""
    n = initial.shape[0]
    out = np.empty((count, n), dtype=np.complex128)
    out[0] = initial
    for k in range(1, count):
        for i in range(n):
            acc = 0j
            for j in range(n):
                acc += propagator[i, j] * out[k - 1, j]
            out[k, i] = acc
    return out


@nb.njit(cache=True)
def dense_superoperator(hamiltonian: np.ndarray, jumps: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    r"""The ``d^2 x d^2`` Lindblad generator on column-stacked ``vec rho`` (index ``i + d j`` for ``rho_ij``).

    .. math:: \mathcal L_{i+dj,\,m+dq} = K_{im}\delta_{jq} + \delta_{im}K^*_{jq} + \sum_n J_{n,im} J^*_{n,jq},
              \qquad K = -iH - \tfrac12\sum_n J_n^\dagger J_n

    from a dense ``H`` ``(d, d)`` and the jump operators stacked as ``(n, d, d)``.
    """
    d = hamiltonian.shape[0]
    k = -1j * hamiltonian
    for n in range(jumps.shape[0]):
        for i in range(d):
            for j in range(d):
                acc = 0j
                for m in range(d):
                    acc += np.conj(jumps[n, m, i]) * jumps[n, m, j]
                k[i, j] -= 0.5 * acc
    out = np.zeros((d * d, d * d), dtype=np.complex128)
    for j in range(d):
        for i in range(d):
            for q in range(d):
                for m in range(d):
                    value = 0j
                    if j == q:
                        value += k[i, m]
                    if i == m:
                        value += np.conj(k[j, q])
                    for n in range(jumps.shape[0]):
                        value += jumps[n, i, m] * np.conj(jumps[n, j, q])
                    out[i + d * j, m + d * q] = value
    return out


@nb.njit(cache=True)
def max_asymmetry(matrix: np.ndarray) -> float:  # pragma: no cover - compiled
    """``max |A_ij - A_ji^*|`` (0 for a Hermitian matrix)."""
    d = matrix.shape[0]
    asymmetry = 0.0
    for i in range(d):
        for j in range(i, d):
            asymmetry = max(asymmetry, abs(matrix[i, j] - np.conj(matrix[j, i])))
    return asymmetry


@nb.njit(cache=True)
def density_matrix_defects(rho: np.ndarray) -> tuple[float, float, float]:  # pragma: no cover - compiled
    """``(max |rho_ij - rho_ji^*|, Re Tr rho, smallest eigenvalue of the Hermitian part)``."""
    trace = 0.0
    for i in range(rho.shape[0]):
        trace += rho[i, i].real
    return max_asymmetry(rho), trace, np.linalg.eigvalsh(rho)[0]


@nb.njit(cache=True)
def strictly_increasing(times: np.ndarray) -> bool:  # pragma: no cover - compiled
    """True when every entry is finite and larger than the one before."""
    for k in range(times.shape[0]):
        if not np.isfinite(times[k]) or (k > 0 and times[k] <= times[k - 1]):
            return False
    return True


@nb.njit(cache=True)
def uniform_steps(times: np.ndarray, tolerance: float) -> bool:  # pragma: no cover - compiled
    """True when there are steps and they all equal the first within ``tolerance`` relative."""
    if times.shape[0] < 2:
        return False
    step = times[1] - times[0]
    for k in range(2, times.shape[0]):
        if abs(times[k] - times[k - 1] - step) > tolerance * step:
            return False
    return True


@nb.njit(cache=True)
def batch_superoperators_serial(hamiltonians: np.ndarray, jumps: np.ndarray) -> np.ndarray:  # pragma: no cover
    """:func:`batch_superoperators` on the calling thread."""
    count, d = hamiltonians.shape[0], hamiltonians.shape[1]
    out = np.empty((count, d * d, d * d), dtype=np.complex128)
    for b in range(count):
        out[b] = dense_superoperator(hamiltonians[b], jumps[b])
    return out


@nb.njit(cache=True, parallel=True)
def batch_superoperators_parallel(hamiltonians: np.ndarray, jumps: np.ndarray) -> np.ndarray:  # pragma: no cover
    """:func:`batch_superoperators` with the members spread over Numba's thread pool (``prange``)."""
    count, d = hamiltonians.shape[0], hamiltonians.shape[1]
    out = np.empty((count, d * d, d * d), dtype=np.complex128)
    for b in nb.prange(count):
        out[b] = dense_superoperator(hamiltonians[b], jumps[b])
    return out


def batch_superoperators(hamiltonians: np.ndarray, jumps: np.ndarray) -> np.ndarray:
    """:func:`dense_superoperator` of every member: ``hamiltonians (B, d, d)``, ``jumps (B, n, d, d)``.

    The parallel variant runs when the batch holds at least ``BATCH_PARALLEL_MIN_WORK`` superoperator
    entries (``B d^4``), the serial one below (same arithmetic, same result).

    Examples
    --------
    >>> import scipy.sparse as sps
    >>> from qderive.numeric import liouvillian
    >>> h = np.array([[[0, 1], [1, 0]], [[1, 0], [0, -1]]], dtype=complex)
    >>> jumps = np.zeros((2, 1, 2, 2), dtype=complex)
    >>> jumps[:, 0, 0, 1] = 0.5  # decay |1> -> |0> at rate 0.25
    >>> out = batch_superoperators(h, jumps)
    >>> bool(np.allclose(out[1], liouvillian(sps.csr_matrix(h[1]), [sps.csr_matrix(jumps[1, 0])]).toarray()))
    True
    """
    count, d = hamiltonians.shape[0], hamiltonians.shape[1]
    parallel = count * d**4 >= BATCH_PARALLEL_MIN_WORK
    return (batch_superoperators_parallel if parallel else batch_superoperators_serial)(hamiltonians, jumps)


@nb.njit(cache=True, inline="always")
def _propagate_member(propagators, b, steps, initial, observables, out):  # pragma: no cover - compiled
    """Member ``b`` of :func:`propagate_batch`: ``out[b, k, n] = observables[k] . x_b(n)``."""
    size, n_obs, n_times = initial.shape[0], observables.shape[0], steps.shape[0] + 1
    x = initial.copy()
    y = np.empty(size, dtype=np.complex128)
    for n in range(n_times):
        if n > 0:
            p = propagators[b, steps[n - 1]]
            for i in range(size):
                acc = 0j
                for j in range(size):
                    acc += p[i, j] * x[j]
                y[i] = acc
            x, y = y, x
        for k in range(n_obs):
            acc = 0j
            for i in range(size):
                acc += observables[k, i] * x[i]
            out[b, k, n] = acc


@nb.njit(cache=True)
def propagate_batch_serial(propagators: np.ndarray, steps: np.ndarray, initial: np.ndarray,
                           observables: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`propagate_batch` on the calling thread."""
    out = np.empty((propagators.shape[0], observables.shape[0], steps.shape[0] + 1), dtype=np.complex128)
    for b in range(propagators.shape[0]):
        _propagate_member(propagators, b, steps, initial, observables, out)
    return out


@nb.njit(cache=True, parallel=True)
def propagate_batch_parallel(propagators: np.ndarray, steps: np.ndarray, initial: np.ndarray,
                             observables: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """:func:`propagate_batch` with the members spread over Numba's thread pool (``prange``)."""
    out = np.empty((propagators.shape[0], observables.shape[0], steps.shape[0] + 1), dtype=np.complex128)
    for b in nb.prange(propagators.shape[0]):
        _propagate_member(propagators, b, steps, initial, observables, out)
    return out


def propagate_batch(propagators: np.ndarray, steps: np.ndarray, initial: np.ndarray,
                    observables: np.ndarray) -> np.ndarray:
    """``E[b, k, n] = observables[k] . x_b(n)``, ``x_b(n) = propagators[b, steps[n-1]] x_b(n-1)``, ``x_b(0) = initial``.

    The parallel variant runs when the work, ``B (n_times - 1) size^2`` multiply-adds, is at least
    ``BATCH_PARALLEL_MIN_WORK``; the serial one below (same arithmetic, same result).

    Examples
    --------
    Free decay of ``|1><1|`` at rate 0.25 in ten steps of 0.1 (column-major ``vec``; entry 3 is
    ``rho_11``):

    >>> import scipy.linalg as sla
    >>> h = np.zeros((1, 2, 2), dtype=complex)
    >>> jumps = np.zeros((1, 1, 2, 2), dtype=complex)
    >>> jumps[0, 0, 0, 1] = 0.5
    >>> step = sla.expm(0.1 * batch_superoperators(h, jumps)[0])
    >>> e = np.array([0, 0, 0, 1], dtype=complex)
    >>> values = propagate_batch(step[None, None], np.zeros(10, dtype=np.int64), e, e[None])
    >>> bool(abs(values[0, 0, -1] - np.exp(-0.25)) < 1e-12)
    True
    """
    work = propagators.shape[0] * steps.shape[0] * initial.shape[0] ** 2
    parallel = work >= BATCH_PARALLEL_MIN_WORK
    return (propagate_batch_parallel if parallel else propagate_batch_serial)(propagators, steps, initial, observables)


@nb.njit(cache=True)
def _shifted_cholesky_exists(rho: np.ndarray, shift: float, work: np.ndarray) -> bool:  # pragma: no cover
    """True when the Hermitian part of ``rho`` plus ``shift`` times the identity has a Cholesky factor.

    That is, when every eigenvalue of the Hermitian part exceeds ``-shift`` (``O(d^3/6)``, no LAPACK call).
    """
    d = rho.shape[0]
    for j in range(d):
        pivot = rho[j, j].real + shift
        for k in range(j):
            pivot -= work[j, k].real ** 2 + work[j, k].imag ** 2
        if not pivot > 0.0:
            return False
        root = np.sqrt(pivot)
        work[j, j] = root
        for i in range(j + 1, d):
            acc = 0.5 * (rho[i, j] + np.conj(rho[j, i]))
            for k in range(j):
                acc -= work[i, k] * np.conj(work[j, k])
            work[i, j] = acc / root
    return True


@nb.njit(cache=True)
def first_invalid_state(states: np.ndarray, tolerance: float, negativity: float,
                        spectrum_from: int):  # pragma: no cover
    """Index of the first state of a stack ``(n, d, d)`` that is not a density matrix, or -1.

    A state fails when ``max |rho - rho^+|`` or ``|Tr rho - 1|`` exceeds ``tolerance`` or its
    positivity falls below ``-negativity``. Returns ``(index, max |rho - rho^+|, |Tr rho - 1|,
    positivity)`` with the defects of that state. ``positivity`` is the smallest population
    ``min Re rho_ii``; for the states from index ``spectrum_from`` on it is ``-inf`` instead when
    the Hermitian part has an eigenvalue below ``-negativity`` (a Cholesky factorisation of
    ``rho + negativity 1`` fails, ``O(d^3/6)``). A
    state with a non-finite entry fails with ``(inf, inf, -inf)``. The checks also hold for the
    transposes ``rho^T`` (same trace, asymmetry and spectrum), so column-stacked ``vec rho``
    reshaped row by row may be passed.
    """
    count, d = states.shape[0], states.shape[1]
    work = np.empty((d, d), dtype=np.complex128)
    for k in range(count):
        rho = states[k]
        trace = 0.0
        smallest = np.inf
        asymmetry = 0.0
        for i in range(d):
            trace += rho[i, i].real
            smallest = min(smallest, rho[i, i].real)
            for j in range(i, d):
                z, w = rho[i, j], rho[j, i]
                if not (np.isfinite(z.real) and np.isfinite(z.imag) and np.isfinite(w.real) and np.isfinite(w.imag)):
                    return k, np.inf, np.inf, -np.inf
                asymmetry = max(asymmetry, abs(z - np.conj(w)))
        if k >= spectrum_from and smallest >= -negativity and not _shifted_cholesky_exists(rho, negativity, work):
            smallest = -np.inf
        if asymmetry > tolerance or abs(trace - 1.0) > tolerance or smallest < -negativity:
            return k, asymmetry, abs(trace - 1.0), smallest
    return -1, 0.0, 0.0, 0.0


# Pade approximant of degree 13 and its largest scaled 1-norm (Higham, SIAM J. Matrix Anal. Appl. 26, 1179 (2005))
_PADE13 = np.array([64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
                    129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0,
                    960960.0, 16380.0, 182.0, 1.0])
PADE13_THETA = 5.371920351148152


@nb.njit(cache=True, fastmath=False)
def _matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """``out = a b`` in plain loops (no BLAS call, no thread pool)."""
    n = a.shape[0]
    out[:] = 0j
    for i in range(n):
        for k in range(n):
            c = a[i, k]
            if c != 0j:
                for j in range(n):
                    out[i, j] += c * b[k, j]


@nb.njit(cache=True, fastmath=False)
def _solve_in_place(a: np.ndarray, b: np.ndarray) -> None:  # pragma: no cover - compiled
    """``b <- a^{-1} b`` by Gaussian elimination with partial pivoting (``a`` is overwritten; no LAPACK call)."""
    n = a.shape[0]
    for k in range(n):
        pivot = k
        for i in range(k + 1, n):
            if abs(a[i, k]) > abs(a[pivot, k]):
                pivot = i
        if pivot != k:
            for j in range(n):
                a[k, j], a[pivot, j] = a[pivot, j], a[k, j]
                b[k, j], b[pivot, j] = b[pivot, j], b[k, j]
        inverse = 1.0 / a[k, k]
        for i in range(k + 1, n):
            factor = a[i, k] * inverse
            if factor != 0j:
                for j in range(k + 1, n):
                    a[i, j] -= factor * a[k, j]
                for j in range(n):
                    b[i, j] -= factor * b[k, j]
    for k in range(n - 1, -1, -1):
        inverse = 1.0 / a[k, k]
        for j in range(n):
            b[k, j] *= inverse
        for i in range(k):
            factor = a[i, k]
            if factor != 0j:
                for j in range(n):
                    b[i, j] -= factor * b[k, j]


@nb.njit(cache=True, fastmath=False)
def small_expm(matrix: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    r"""``exp(A)`` of a small dense complex matrix on the calling thread: scaling and squaring of the [13/13] Pade
    approximant (Higham 2005).

    With ``s = max(0, ceil(log2(||A||_1 / theta_13)))`` and ``B = A / 2^s``, ``exp(A) = r_13(B)^(2^s)`` where
    ``r_13 = (V - U)^{-1} (V + U)`` with ``U`` the odd and ``V`` the even part of the Pade numerator; the
    backward error is below the unit roundoff for ``||B||_1 <= theta_13``, as for :func:`scipy.linalg.expm`
    (which picks lower degrees for small norms). Every product and the solve run in plain loops, so no BLAS
    or LAPACK thread pool is involved: ``O(n^3)`` work of about ``(6 + 4/3 + s) n^3`` multiply-adds.
    """
    n = matrix.shape[0]
    norm = 0.0
    for j in range(n):
        column = 0.0
        for i in range(n):
            column += abs(matrix[i, j])
        norm = max(norm, column)
    squarings = 0
    if norm > PADE13_THETA:
        squarings = int(np.ceil(np.log2(norm / PADE13_THETA)))
    a = matrix * (0.5**squarings)
    b = _PADE13
    a2 = np.empty((n, n), dtype=np.complex128)
    a4 = np.empty((n, n), dtype=np.complex128)
    a6 = np.empty((n, n), dtype=np.complex128)
    _matmul(a, a, a2)
    _matmul(a2, a2, a4)
    _matmul(a4, a2, a6)
    inner = b[13] * a6 + b[11] * a4 + b[9] * a2
    odd = np.empty((n, n), dtype=np.complex128)
    _matmul(a6, inner, odd)
    even_inner = b[12] * a6 + b[10] * a4 + b[8] * a2
    even = np.empty((n, n), dtype=np.complex128)
    _matmul(a6, even_inner, even)
    odd += b[7] * a6 + b[5] * a4 + b[3] * a2
    even += b[6] * a6 + b[4] * a4 + b[2] * a2
    for i in range(n):
        odd[i, i] += b[1]
        even[i, i] += b[0]
    u = np.empty((n, n), dtype=np.complex128)
    _matmul(a, odd, u)
    result = even + u
    _solve_in_place(even - u, result)
    scratch = np.empty((n, n), dtype=np.complex128)
    for _ in range(squarings):
        _matmul(result, result, scratch)
        result, scratch = scratch, result
    return result
