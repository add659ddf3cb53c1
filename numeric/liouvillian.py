r"""The Lindblad superoperator as a sparse matrix on column-stacked density matrices.

With ``vec(A X B) = (B^T kron A) vec(X)`` and ``K = H - (i/2) sum_k J_k^+ J_k``,

.. math:: \mathcal L = -i\,(1\otimes K - K^{*}\otimes 1) + \sum_k J_k^*\otimes J_k .
"""

from __future__ import annotations

from collections.abc import Sequence

import scipy.sparse as sps


def liouvillian(hamiltonian: sps.spmatrix, jump_operators: Sequence[sps.spmatrix]) -> sps.csr_matrix:
    """Sparse ``d^2 x d^2`` Liouvillian of ``H`` and jump operators ``J_k = sqrt(gamma_k) L_k``.

    Examples
    --------
    >>> import numpy as np
    >>> H = sps.csr_matrix(np.array([[0.0, 0.5], [0.5, 0.0]]))  # Omega/2 sigma_x
    >>> J = sps.csr_matrix(np.array([[0.0, np.sqrt(0.5)], [0.0, 0.0]]))  # sqrt(gamma) |g><e|
    >>> L = liouvillian(H, [J]).toarray()
    >>> bool(np.allclose(L[[0, 3]].sum(axis=0), 0))  # d Tr(rho)/dt = 0: the rows of rho_gg and rho_ee add to zero
    True
    >>> rho_steady = np.linalg.svd(L)[2][-1].conj().reshape(2, 2, order="F")  # the null vector
    >>> rho_steady /= np.trace(rho_steady)
    >>> bool(np.isclose(rho_steady[1, 1].real, 0.25 / (0.5**2 / 4 + 0.5)))  # (Omega/2)^2 / (gamma^2/4 + Omega^2/2)
    True
    """
    d = hamiltonian.shape[0]
    identity = sps.identity(d, format="csr", dtype=complex)
    k = sps.csr_matrix(hamiltonian, dtype=complex)
    for J in jump_operators:
        k = k - 0.5j * (J.conj().T @ J)
    terms = [-1j * sps.kron(identity, k, format="csr"), 1j * sps.kron(k.conj(), identity, format="csr")]
    terms += [sps.kron(J.conj(), J, format="csr") for J in jump_operators if J.nnz]
    return sum(terms[1:], terms[0]).tocsr()
