r"""The invariant block of Liouville space that holds the populations, found and assembled without ``L``.

The Lindblad generator on column-stacked ``vec rho`` (index ``i + d j`` for ``rho_ij``) has the entries

.. math:: \mathcal L_{(i,j),(m,j)} \ni -i K_{im},\quad \mathcal L_{(i,j),(i,q)} \ni i K^*_{jq},\quad
          \mathcal L_{(i,j),(m,q)} \ni \sum_k J_{k,im} J^*_{k,jq},\qquad K = H - \tfrac i2 \sum_k J_k^\dagger J_k .

Its sparsity graph splits into connected components that are invariant subspaces; a unique steady
state lives on the one that holds the diagonal elements ``rho_ii``. :func:`population_block` finds it
by a breadth-first search from ``rho_00`` that reads only the sparse ``K`` and ``J_k`` (memory: one
``int32`` label per Liouville index and the visiting order), so the ``d^2 x d^2`` matrix is never
built. The breadth-first order is a Cuthill-McKee order started at ``rho_00`` (the vacuum, a corner of
the graph), so its reverse bands the block and puts ``rho_00`` last; :func:`bordered_block` writes
the block's rows directly in that order as a CSR matrix and adds ``w Tr rho`` to the equation of
``rho_00`` (the last row) in the same arrays: one copy of the solved matrix, no intermediate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np
import scipy.sparse as sps

from qderive.symbolic import ModelError

from .fock import FockModel

BLOCK_BYTES_PER_ENTRY = 4 + 8  # int32 label and int64 order entry of every Liouville index


@dataclass(frozen=True)
class LindbladPattern:
    """``K``, the jump operators and the symmetrised patterns the search walks, as CSR arrays.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> qubit = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
    >>> pattern = LindbladPattern.of(qubit)
    >>> pattern.dimension, len(pattern.jumps)
    (2, 1)
    """

    dimension: int
    k: sps.csr_matrix
    jumps: tuple[sps.csr_matrix, ...]
    k_symmetric: sps.csr_matrix  # pattern of K + K^T
    j_both: sps.csr_matrix  # J_1 ... J_n, J_1^T ... J_n^T stacked row-wise

    @classmethod
    def of(cls, fock: FockModel) -> LindbladPattern:
        """The pattern of ``fock``: ``K = H - (i/2) sum_k J_k^+ J_k`` and the non-zero jump operators.

        Examples
        --------
        >>> import numpy as np
        >>> from qderive.numeric import fock_model
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
        >>> bool(np.allclose(LindbladPattern.of(fock).k.diagonal(), [0, -0.5j]))  # -(i/2) gamma on |e>
        True
        """
        d = fock.dimension
        jumps = tuple(sps.csr_matrix(j, dtype=complex) for j in fock.jump_operators if j.nnz)
        k = sps.csr_matrix(fock.hamiltonian, dtype=complex)
        for j in jumps:
            k = k - 0.5j * (j.conj().T @ j)
        k = sps.csr_matrix(k)
        k.sort_indices()
        pattern = abs(k) + abs(k).T
        both = [abs(j) for j in jumps] + [abs(j).T for j in jumps]
        stacked = sps.vstack(both, format="csr") if both else sps.csr_matrix((0, d))
        return cls(d, k, jumps, sps.csr_matrix(pattern), stacked)


@nb.njit(cache=True)
def _search(start, d, label, order, count, sector, k_indices, k_indptr, j_indices, j_indptr,
            n_both):  # pragma: no cover - compiled
    """Breadth-first search from Liouville index ``start``: label its component ``sector`` in ``order``."""
    head = count
    label[start] = sector
    order[count] = start
    count += 1
    while head < count:
        node = order[head]
        head += 1
        i = node % d
        j = node // d
        for p in range(k_indptr[i], k_indptr[i + 1]):
            other = k_indices[p] + d * j
            if label[other] < 0:
                label[other] = sector
                order[count] = other
                count += 1
        for p in range(k_indptr[j], k_indptr[j + 1]):
            other = i + d * k_indices[p]
            if label[other] < 0:
                label[other] = sector
                order[count] = other
                count += 1
        for k in range(n_both):
            for p in range(j_indptr[k * d + i], j_indptr[k * d + i + 1]):
                m = j_indices[p]
                for q in range(j_indptr[k * d + j], j_indptr[k * d + j + 1]):
                    other = m + d * j_indices[q]
                    if label[other] < 0:
                        label[other] = sector
                        order[count] = other
                        count += 1
    return count


@nb.njit(cache=True)
def _sectors(d, label, order, k_indices, k_indptr, j_indices, j_indptr, n_both):  # pragma: no cover - compiled
    """Search from ``rho_00``; then from each unreached ``rho_ii``. Returns the size of the first component,
    the number of components holding populations and the first basis state outside the first one."""
    size = _search(0, d, label, order, 0, 0, k_indices, k_indptr, j_indices, j_indptr, n_both)
    sectors = 1
    outside = -1
    count = size
    for i in range(d):
        if label[i * (d + 1)] < 0:
            if outside < 0:
                outside = i
            count = _search(i * (d + 1), d, label, order, count, sectors, k_indices, k_indptr, j_indices, j_indptr,
                            n_both)
            sectors += 1
    return size, sectors, outside


@nb.njit(cache=True)
def _envelope(indices, d, position, k_indices, k_indptr, j_indices, j_indptr, n_both):  # pragma: no cover
    """``sum_p (highest position of a neighbour of unknown p - p)``: one triangle's envelope."""
    total = 0
    for p in range(indices.size):
        node = indices[p]
        i = node % d
        j = node // d
        highest = p
        for r in range(k_indptr[i], k_indptr[i + 1]):
            highest = max(highest, position[k_indices[r] + d * j])
        for r in range(k_indptr[j], k_indptr[j + 1]):
            highest = max(highest, position[i + d * k_indices[r]])
        for k in range(n_both):
            for r in range(j_indptr[k * d + i], j_indptr[k * d + i + 1]):
                m = j_indices[r]
                for s in range(j_indptr[k * d + j], j_indptr[k * d + j + 1]):
                    highest = max(highest, position[m + d * j_indices[s]])
        total += highest - p
    return total


@dataclass(frozen=True)
class PopulationBlock:
    """The Liouville indices of the population block in solving order (``rho_00`` last) and its LU envelope.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> qubit = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
    >>> block = population_block(LindbladPattern.of(qubit))
    >>> sorted(int(i) for i in block.indices)  # the driven qubit couples all four elements
    [0, 1, 2, 3]
    """

    indices: np.ndarray  # Liouville index i + d j of each unknown, in solving order
    position: np.ndarray  # int32 map Liouville index -> unknown (-1 outside the block)
    envelope: int  # entries inside the envelope of the symmetrised pattern: the fill bound of LU

    @property
    def size(self) -> int:
        """Number of unknowns in the block.

        Examples
        --------
        >>> import numpy as np
        >>> PopulationBlock(np.array([3, 0]), np.array([1, -1, -1, 0], dtype=np.int32), 4).size
        2
        """
        return int(self.indices.size)


def population_block(pattern: LindbladPattern, envelope: bool = True) -> PopulationBlock:
    """The component of the Liouville graph that holds ``rho_00``, in reversed breadth-first order.

    Raises :class:`ModelError` when the populations fall into several components (each then keeps
    its own trace: the steady state is not unique).

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> block = population_block(LindbladPattern.of(fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0,
    ...                                                                            "gamma": 1.0})))
    >>> block.size, int(block.indices[-1])
    (4, 0)
    """
    d = pattern.dimension
    label = np.full(d * d, -1, dtype=np.int32)
    order = np.empty(d * d, dtype=np.int64)
    arguments = (pattern.k_symmetric.indices.astype(np.int64), pattern.k_symmetric.indptr.astype(np.int64),
                 pattern.j_both.indices.astype(np.int64), pattern.j_both.indptr.astype(np.int64),
                 2 * len(pattern.jumps))
    size, sectors, outside = _sectors(d, label, order, *arguments)
    if sectors > 1:
        raise ModelError(
            f"the steady state is not unique: the populations split into {sectors} sectors that never "
            f"exchange population (e.g. basis states 0 and {outside}); give the model a process that "
            "connects them or solve each sector as its own model"
        )
    indices = order[:size][::-1].copy()
    del order
    position = label  # reuse the labels' memory for the map to unknowns
    position[:] = -1
    position[indices] = np.arange(size, dtype=np.int32)
    fill = 2 * _envelope(indices, d, position, *arguments) + size if envelope else 0
    return PopulationBlock(indices, position, int(fill))


@nb.njit(cache=True)
def _row_bound(indices, d, k_indptr, j_indptr, n_jumps):  # pragma: no cover - compiled
    total = 0
    for node in indices:
        i = node % d
        j = node // d
        total += k_indptr[i + 1] - k_indptr[i] + k_indptr[j + 1] - k_indptr[j]
        for k in range(n_jumps):
            total += (j_indptr[k * d + i + 1] - j_indptr[k * d + i]) * (j_indptr[k * d + j + 1] - j_indptr[k * d + j])
    return total


@nb.njit(cache=True)
def _assemble(indices, position, d, k_data, k_indices, k_indptr, j_data, j_indices, j_indptr, n_jumps, data, columns,
              indptr):  # pragma: no cover - compiled
    """CSR rows of the block in the order of ``indices`` (duplicates summed); returns the entries written."""
    size = indices.size
    slot = np.full(size, -1, dtype=np.int64)  # slot of a column in the current row
    nnz = 0
    for p in range(size):
        indptr[p] = nnz
        node = indices[p]
        i = node % d
        j = node // d
        row_start = nnz
        for r in range(k_indptr[i], k_indptr[i + 1]):
            c = position[k_indices[r] + d * j]
            if slot[c] < row_start:
                slot[c] = nnz
                columns[nnz] = c
                data[nnz] = 0
                nnz += 1
            data[slot[c]] += -1j * k_data[r]
        for r in range(k_indptr[j], k_indptr[j + 1]):
            c = position[i + d * k_indices[r]]
            if slot[c] < row_start:
                slot[c] = nnz
                columns[nnz] = c
                data[nnz] = 0
                nnz += 1
            data[slot[c]] += 1j * np.conj(k_data[r])
        for k in range(n_jumps):
            for r in range(j_indptr[k * d + i], j_indptr[k * d + i + 1]):
                m = j_indices[r]
                for s in range(j_indptr[k * d + j], j_indptr[k * d + j + 1]):
                    c = position[m + d * j_indices[s]]
                    if slot[c] < row_start:
                        slot[c] = nnz
                        columns[nnz] = c
                        data[nnz] = 0
                        nnz += 1
                    data[slot[c]] += j_data[r] * np.conj(j_data[s])
    indptr[size] = nnz
    return nnz


def bordered_block(pattern: LindbladPattern, block: PopulationBlock) -> tuple[sps.csr_matrix, float]:
    """``A = L_block + w |rho_00><Tr|`` in the block's order and the weight ``w`` (mean absolute entry of ``L_block``).

    ``w Tr rho`` is added to the equation of ``rho_00`` (the last row): the rows of ``L`` for
    ``d rho_ii/dt`` sum to zero, so ``A`` is non-singular exactly when the steady state is unique.

    Examples
    --------
    Solving ``A x = w e_last`` gives the steady state; ``rho_11 = Omega^2/4 / (Omega^2/2 + gamma^2/4)``:

    >>> import scipy.sparse.linalg as spla
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> qubit = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
    >>> pattern = LindbladPattern.of(qubit)
    >>> block = population_block(pattern)
    >>> A, w = bordered_block(pattern, block)
    >>> rhs = np.zeros(block.size, dtype=complex)
    >>> rhs[-1] = w
    >>> x = spla.spsolve(A.tocsc(), rhs)
    >>> round(float(x[block.position[3]].real), 12)  # Liouville index of rho_11: 1 + 2 * 1
    0.333333333333
    """
    d = pattern.dimension
    jumps = sps.vstack(pattern.jumps, format="csr") if pattern.jumps else sps.csr_matrix((0, d), dtype=complex)
    jumps.sort_indices()
    k = pattern.k
    k_args = (k.data, k.indices.astype(np.int64), k.indptr.astype(np.int64))
    j_args = (jumps.data.astype(complex), jumps.indices.astype(np.int64), jumps.indptr.astype(np.int64),
              len(pattern.jumps))
    bound = _row_bound(block.indices, d, k_args[2], j_args[2], j_args[3]) + d
    data = np.empty(bound, dtype=complex)
    columns = np.empty(bound, dtype=np.int32)
    indptr = np.empty(block.size + 1, dtype=np.int64)
    nnz = _assemble(block.indices, block.position, d, *k_args, *j_args, data, columns, indptr)
    weight = float(np.abs(data[:nnz]).mean())
    diagonal = block.position[np.arange(d) * (d + 1)].astype(np.int64)
    nnz = _border_last_row(data, columns, indptr, diagonal, weight)
    return sps.csr_matrix((data[:nnz], columns[:nnz], indptr), shape=(block.size, block.size), copy=False), weight


@nb.njit(cache=True)
def _border_last_row(data, columns, indptr, diagonal, weight):  # pragma: no cover - compiled
    size = indptr.size - 1
    start, nnz = indptr[size - 1], indptr[size]
    for c in diagonal:
        found = False
        for p in range(start, nnz):
            if columns[p] == c:
                data[p] += weight
                found = True
                break
        if not found:
            columns[nnz] = c
            data[nnz] = weight
            nnz += 1
    indptr[size] = nnz
    return nnz
