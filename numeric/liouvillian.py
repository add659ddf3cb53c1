r"""The Lindblad superoperator as a sparse matrix on column-stacked density matrices.

With ``vec(A X B) = (B^T kron A) vec(X)`` and ``K = H - (i/2) sum_k J_k^+ J_k``,

.. math:: \mathcal L = -i\,(1\otimes K - K^{*}\otimes 1) + \sum_k J_k^*\otimes J_k .
"""

from __future__ import annotations

from collections.abc import Sequence

import scipy.sparse as sps


def liouvillian(hamiltonian: sps.spmatrix, jump_operators: Sequence[sps.spmatrix]) -> sps.csr_matrix:
    """Sparse ``d^2 x d^2`` Liouvillian of ``H`` and jump operators ``J_k = sqrt(gamma_k) L_k``."""
    d = hamiltonian.shape[0]
    identity = sps.identity(d, format="csr", dtype=complex)
    k = sps.csr_matrix(hamiltonian, dtype=complex)
    for J in jump_operators:
        k = k - 0.5j * (J.conj().T @ J)
    terms = [-1j * sps.kron(identity, k, format="csr"), 1j * sps.kron(k.conj(), identity, format="csr")]
    terms += [sps.kron(J.conj(), J, format="csr") for J in jump_operators if J.nnz]
    return sum(terms[1:], terms[0]).tocsr()
