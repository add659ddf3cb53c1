"""Error-scaling fits shared by the validations of effective models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sps


def log_log_slope(small: Sequence[float], errors: Sequence[float]) -> float:
    """Least-squares slope of ``log(error)`` against ``log(small parameter)``.

    Examples
    --------
    >>> small = np.array([0.01, 0.02, 0.04])
    >>> round(log_log_slope(small, 3 * small**2), 12)  # an error quadratic in the small parameter
    2.0
    """
    return float(np.polyfit(np.log(small), np.log(errors), 1)[0])


def slowest_rate(liouvillian: sps.spmatrix, excitations: np.ndarray) -> float:
    """Slowest non-zero decay rate of the populations of an excitation-number-conserving model.

    Restricted to ``|i><j|`` with equal excitation numbers (an invariant block of such a
    Liouvillian), the eigenvalue of smallest non-zero ``|Re|`` is the population decay rate.

    Examples
    --------
    >>> from qderive.numeric import fock_model, liouvillian
    >>> from qderive.symbolic.library import pumped_jaynes_cummings
    >>> fock = fock_model(pumped_jaynes_cummings(), {"g": 0.0, "kappa": 1.0, "gamma": 0.5, "P": 0.25}, {"a": 2})
    >>> L = liouvillian(fock.hamiltonian, fock.jump_operators)
    >>> excitations = np.array([0, 1, 1, 2])  # (g,0), (g,1), (e,0), (e,1): atom level + photon number
    >>> round(slowest_rate(L, excitations), 12)  # uncoupled: the atom relaxes at gamma + P, the cavity at kappa
    0.75
    """
    d = len(excitations)
    keep = [i + d * j for j in range(d) for i in range(d) if excitations[i] == excitations[j]]
    block = liouvillian.toarray()[np.ix_(keep, keep)]
    rates = -np.linalg.eigvals(block).real
    return float(np.min(rates[rates > 1e-9 * np.max(np.abs(rates))]))
