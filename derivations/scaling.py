"""Error-scaling fits shared by the validations of effective models."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sps


def log_log_slope(small: Sequence[float], errors: Sequence[float]) -> float:
    """Least-squares slope of ``log(error)`` against ``log(small parameter)``."""
    return float(np.polyfit(np.log(small), np.log(errors), 1)[0])


def slowest_rate(liouvillian: sps.spmatrix, excitations: np.ndarray) -> float:
    """Slowest non-zero decay rate of the populations of an excitation-number-conserving model.

    Restricted to ``|i><j|`` with equal excitation numbers (an invariant block of such a
    Liouvillian), the eigenvalue of smallest non-zero ``|Re|`` is the population decay rate.
    """
    d = len(excitations)
    keep = [i + d * j for j in range(d) for i in range(d) if excitations[i] == excitations[j]]
    block = liouvillian.toarray()[np.ix_(keep, keep)]
    rates = -np.linalg.eigvals(block).real
    return float(np.min(rates[rates > 1e-9 * np.max(np.abs(rates))]))
