r"""The Lindblad superoperator as a sparse matrix on column-stacked density matrices.

With ``vec(A X B) = (B^T kron A) vec(X)``,

.. math:: \mathcal L = -i(1\otimes H - H^T\otimes 1)
          + \sum_k \big(J_k^*\otimes J_k - \tfrac12\, 1\otimes J_k^\dagger J_k
          - \tfrac12 (J_k^\dagger J_k)^T\otimes 1\big).
"""

from __future__ import annotations

from collections.abc import Sequence

import scipy.sparse as sps


def liouvillian(hamiltonian: sps.spmatrix, jump_operators: Sequence[sps.spmatrix]) -> sps.csr_matrix:
    """Sparse ``d^2 x d^2`` Liouvillian of ``H`` and jump operators ``J_k = sqrt(gamma_k) L_k``."""
    d = hamiltonian.shape[0]
    identity = sps.identity(d, format="csr", dtype=complex)
    L = -1j * (sps.kron(identity, hamiltonian) - sps.kron(hamiltonian.T, identity))
    for J in jump_operators:
        JdJ = (J.conj().T @ J).tocsr()
        L = L + sps.kron(J.conj(), J) - 0.5 * sps.kron(identity, JdJ) - 0.5 * sps.kron(JdJ.T, identity)
    return L.tocsr()
