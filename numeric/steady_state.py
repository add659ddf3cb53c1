"""Steady state ``L rho = 0, Tr rho = 1`` by a sparse direct solve."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from qderive.symbolic import ConvergenceError, ModelError

from .fock import FockModel
from .liouvillian import liouvillian


def steady_state(fock: FockModel, truncation_tolerance: float = 1e-4) -> np.ndarray:
    """The unique steady state of a time-independent model, as a dense density matrix.

    The row of ``L`` that gives ``d rho_00/dt`` is replaced by the trace condition (the diagonal
    rows of ``L`` sum to zero, so no information is lost). Raises :class:`ConvergenceError` when
    the solution is not a valid state and :class:`TruncationError` when a mode's top Fock level
    holds more than ``truncation_tolerance``.
    """
    if fock.time_dependent:
        raise ModelError("steady_state needs a time-independent Hamiltonian; go to a rotating frame first")
    d = fock.dimension
    L = liouvillian(fock.hamiltonian, fock.jump_operators).tolil()
    L[0, :] = 0
    L[0, np.arange(d) * (d + 1)] = 1.0
    rhs = np.zeros(d * d, dtype=complex)
    rhs[0] = 1.0
    x = spla.spsolve(sps.csc_matrix(L), rhs)
    if not np.all(np.isfinite(x)):
        raise ConvergenceError("steady-state solve failed: the Liouvillian has no unique steady state")
    rho = x.reshape(d, d, order="F")
    rho = (rho + rho.conj().T) / 2
    rho /= np.trace(rho).real
    if np.linalg.eigvalsh(rho).min() < -1e-8:
        raise ConvergenceError("steady-state solve returned a non-positive matrix; is the steady state unique?")
    fock.check_truncation(rho, truncation_tolerance)
    return rho
