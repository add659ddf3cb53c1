r"""Checks that propagated density matrices are still states: trace 1, Hermitian, positive.

A Lindblad evolution preserves all three exactly; a numerical one to rounding (exact
propagation) or to the integrator's tolerance (ZVODE). A state that violates one of them by more
than the stated tolerance is a wrong number, and :func:`check_states` refuses it with
:class:`UnphysicalStateError` instead of returning it. The checks run in compiled code
(:func:`~qderive.numeric.kernels.first_invalid_state`): ``O(d^2)`` per state for trace and
Hermiticity, ``O(d^3/6)`` for positivity where that is requested (a Cholesky factorisation of
``rho + tolerance 1``; only the populations otherwise). The smallest eigenvalue is computed only
for the message of a state that fails.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qderive.symbolic import ConvergenceError

from .kernels import first_invalid_state


class UnphysicalStateError(ConvergenceError):
    """A propagated density matrix lost its trace, its Hermiticity or its positivity beyond the tolerance.

    Examples
    --------
    >>> from qderive.symbolic import ConvergenceError
    >>> try:
    ...     check_states(np.diag([0.6, 0.6])[None], 1e-6, [1.0], 0, "adams")  # trace 1.2
    ... except UnphysicalStateError as error:
    ...     print(isinstance(error, ConvergenceError), "|Tr rho - 1| = 2.00e-01" in str(error))
    True True
    """


def check_states(states: np.ndarray, tolerance: float, times: Sequence[float], spectrum_from: int,
                 method: str, negativity: float | None = None) -> None:
    """Raise :class:`UnphysicalStateError` for the first state of ``states`` that is not a density matrix.

    Parameters
    ----------
    states : ndarray, shape ``(n, d, d)``
        Density matrices (or their transposes) at ``times``.
    tolerance : float
        Largest allowed ``max |rho - rho^+|`` and ``|Tr rho - 1|``.
    times : sequence of float
        The time of each state, named in the message.
    spectrum_from : int
        Index of the first state whose spectrum is checked for positivity (``O(d^3/6)`` each);
        the states before it have only their populations checked. ``0``: every state,
        ``len(states)``: none.
    method : str
        The solver method, named in the message.
    negativity : float, optional
        Largest allowed ``-lambda_min`` (or ``-min rho_ii``); ``tolerance`` when not given. An
        integrator's states may dip below zero by its global error, so the ODE methods pass a
        wider allowance than exact propagation.

    Examples
    --------
    >>> check_states(np.eye(2)[None] / 2, 1e-6, [0.0], 0, "expm")
    >>> check_states(np.diag([1.5, -0.5])[None], 1e-6, [2.0], 0, "expm")
    Traceback (most recent call last):
    ...
    qderive.numeric.state_checks.UnphysicalStateError: the expm evolution produced an invalid density ...
    """
    states = np.ascontiguousarray(states, dtype=complex)
    negativity = tolerance if negativity is None else negativity
    k, asymmetry, trace_error, smallest = first_invalid_state(states, tolerance, negativity, spectrum_from)
    if k < 0:
        return
    full_spectrum = k >= spectrum_from
    if full_spectrum and np.isneginf(smallest) and np.all(np.isfinite(states[k])):
        smallest = np.linalg.eigvalsh(0.5 * (states[k] + states[k].conj().T))[0]
    what = "eigenvalue" if full_spectrum else "population"
    raise UnphysicalStateError(
        f"the {method} evolution produced an invalid density matrix at t = {times[k]:.6g} s: "
        f"max |rho - rho^+| = {asymmetry:.2e}, |Tr rho - 1| = {trace_error:.2e}, smallest {what} {smallest:.2e} "
        f"(tolerances {tolerance:.0e} and {-negativity:.0e}, option 'state_tolerance'); tighten atol/rtol, shorten "
        "the output steps, "
        "or check the model's rates and cutoffs"
    )
