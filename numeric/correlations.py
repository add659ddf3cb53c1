r"""Two-time correlation functions by the quantum regression theorem.

For a Markovian open system (Lindblad generator ``L``, propagator ``V(t + tau, t)``)

.. math:: \langle A(t+\tau) B(t)\rangle = \mathrm{Tr}\,[A\, V(t+\tau, t)(B\rho(t))], \qquad
          \langle A(t) B(t+\tau) C(t)\rangle = \mathrm{Tr}\,[B\, V(t+\tau, t)(C\rho(t)A)] ,

both of the form ``Tr[O V(t + tau, t) X(t)]``. The state ``rho(t)`` is propagated once over the
``t`` grid. For a time-independent generator ``V(t + tau, t) = exp(L tau)`` and

.. math:: \mathrm{Tr}\,[O\, e^{\mathcal L\tau} X] = \mathrm{Tr}\,[(e^{\mathcal L^\ddagger\tau} O)\, X],

so one propagation of the observable ``O(tau)`` with the dual generator ``L^++`` serves every
``t``: the whole grid is one matrix product ``G[i, j] = sum_kl X_i[l, k] O(tau_j)[k, l]``, i.e. two
propagations instead of one per ``t``. Where the solver's method is ``"chebyshev"`` (chosen, or
picked by ``"auto"``), the dual propagation is Chebyshev too: ``L^++`` has the mirror-image
numerical range of ``L`` (:mod:`.chebyshev`), so the same rectangle and plans serve.
Time-dependent models propagate ``X(t_i)`` forward from
each ``t_i`` (still starting from the stored ``rho(t_i)``, never from ``t = 0``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sps

from qderive.symbolic import Op, ParameterError

from .chebyshev import ChebyshevPropagator
from .evolution import LindbladSolver, _check_times, check_options, integrate
from .fock import FockModel
from .generator import LindbladGenerator
from .observables import Operator


def _matrix(fock: FockModel, op: Operator | None) -> sps.csr_matrix:
    if op is None:
        return sps.identity(fock.dimension, dtype=complex, format="csr")
    return sps.csr_matrix(fock.operator(op) if isinstance(op, Op) else op, dtype=complex)


def _check_taus(taus: Sequence[float]) -> np.ndarray:
    taus = np.asarray(taus, dtype=float)
    if taus.ndim != 1 or taus.size < 1 or taus[0] < 0 or np.any(np.diff(taus) <= 0) or not np.all(np.isfinite(taus)):
        raise ParameterError("taus must be a 1-d array of increasing, non-negative, finite delays")
    return taus


def two_time_correlation(fock: FockModel, rho0: np.ndarray, times: Sequence[float], taus: Sequence[float],
                         a_op: Operator, b_op: Operator, c_op: Operator | None = None,
                         options: Mapping[str, Any] | None = None) -> np.ndarray:
    r"""Two-time correlation on the grid ``times x taus`` (quantum regression theorem).

    Without ``c_op``: ``G[i, j] = <A(t_i + tau_j) B(t_i)>`` (as ``qutip.correlation_2op_2t``).
    With ``c_op``: ``G[i, j] = <A(t_i) B(t_i + tau_j) C(t_i)>`` (as ``qutip.correlation_3op_2t``).

    Parameters
    ----------
    fock : FockModel
        The model; time-dependent terms are allowed (then each ``t_i`` is propagated forward).
    rho0 : ndarray
        State at ``times[0]``.
    times, taus : sequence of float
        Increasing times ``t`` (from the time of ``rho0``) and non-negative increasing delays.
    a_op, b_op, c_op : operator
        Sparse/dense matrices or symbolic :class:`~qderive.symbolic.Op`.
    options : mapping, optional
        Integrator options (:func:`~qderive.numeric.evolution.check_options`); the delays are
        propagated by ``"chebyshev"`` where the solver uses it, else by the ODE method
        (``"adams"`` or ``"bdf"``; ``"adams"`` for ``"expm"``).

    Returns
    -------
    ndarray, complex, shape ``(len(times), len(taus))``
    """
    times = _check_times(times)
    taus = _check_taus(taus)
    options = check_options(options)
    d = fock.dimension
    if c_op is None:
        observable, left, right = _matrix(fock, a_op), _matrix(fock, None), _matrix(fock, b_op)
    else:
        observable, left, right = _matrix(fock, b_op), _matrix(fock, a_op), _matrix(fock, c_op)
    solver = LindbladSolver(fock, options)
    states = solver.states(rho0, times)
    sources = np.array([(right @ (left.T @ rho.T).T) for rho in states])  # X_i = C rho A
    method = options["method"] if options["method"] in ("adams", "bdf") else "adams"
    stats = {"num_rhs": 0, "num_steps": 0}
    delays = taus if taus[0] == 0 else np.concatenate([[0.0], taus])
    if not fock.varies_in_time:
        if solver.method == "chebyshev":
            dual = ChebyshevPropagator(LindbladGenerator(fock, "lab", dual=True), solver.chebyshev.box,
                                       options["atol"])
            evolved = np.array(list(dual.trajectory(observable.toarray(), delays, stats)))
        else:
            dual = LindbladGenerator(fock, options["frame"], dual=True)
            evolved = np.array(list(integrate(dual, observable.toarray(), delays, options, stats, method)))
        evolved = evolved[len(delays) - len(taus):]
        # G[i, j] = Tr[O(tau_j) X_i] = sum_kl X_i[l, k] O_j[k, l]
        return sources.transpose(0, 2, 1).reshape(len(times), d * d) @ evolved.reshape(len(taus), d * d).T
    generator = LindbladGenerator(fock, options["frame"])
    table = np.empty((len(times), len(taus)), dtype=complex)
    for i, (t, source) in enumerate(zip(times, sources, strict=True)):
        for j, x in enumerate(list(integrate(generator, source, t + delays, options, stats, method))[
                len(delays) - len(taus):]):
            table[i, j] = np.sum(observable.T.multiply(x))
    return table
