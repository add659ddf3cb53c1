"""Conversion between Fock-model matrices and QuTiP objects (QuTiP imported lazily: a test extra)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sps

from .fock import FockModel


def to_qutip(fock: FockModel) -> tuple[Any, list[Any]]:
    """``(H, c_ops)`` as QuTiP objects with the model's tensor dimensions.

    A time-dependent Hamiltonian becomes QuTiP's list format ``[H0, [H_k, f_k], ...]``.
    """
    import qutip

    dims = [list(fock.dimensions), list(fock.dimensions)]
    h = qutip.Qobj(fock.hamiltonian, dims=dims)
    if fock.time_dependent:
        h = [h] + [[qutip.Qobj(m, dims=dims), _coefficient(f)] for f, m in fock.time_dependent]
    return h, [qutip.Qobj(j, dims=dims) for j in fock.jump_operators]


def _coefficient(function: Any) -> Any:
    return lambda t: complex(function(t))


def from_qutip(hamiltonian: Any, c_ops: Sequence[Any] = ()) -> tuple[sps.csr_matrix, list[sps.csr_matrix]]:
    """Sparse ``(H, [J_k])`` from time-independent QuTiP operators (for comparing with a Fock model)."""
    def matrix(q: Any) -> sps.csr_matrix:
        return sps.csr_matrix(q.to("csr").data_as("csr_matrix"), dtype=complex)

    return matrix(hamiltonian), [matrix(c) for c in c_ops]


def state_to_qutip(fock: FockModel, rho: np.ndarray) -> Any:
    """A density matrix as a QuTiP ``Qobj`` with the model's dimensions."""
    import qutip

    return qutip.Qobj(np.asarray(rho), dims=[list(fock.dimensions), list(fock.dimensions)])
