r"""The exact propagator ``P = exp(L dt)`` on column-stacked ``vec rho``, safe for long steps.

:func:`scipy.linalg.expm` computes ``exp(A)`` by scaling and squaring, with a backward error
``~ eps ||A||``. For a Liouvillian that breaks trace preservation at the ``eps ||L dt||`` level,
and the stationary eigenvalue 1 of ``P`` then drifts to ``exp(eps ||L dt||)``: a driven, damped
two-level atom evolved to ``t = 1e17`` returned an excited population of 7. Here a step whose
1-norm ``||L dt||_1`` exceeds ``MAX_STEP_NORM`` is split: ``P_0 = exp(L dt / 2^s)`` with
``||L dt||_1 / 2^s <= MAX_STEP_NORM``, then ``s`` squarings ``P_{k+1} = P_k^2``, after each of
which the two exact properties of a Lindblad propagator are restored (``O(d^4)``, cheap next to
the ``O(d^6)`` product):

* trace preservation, ``w^T P = w^T`` with ``w = vec(1)``:  ``P <- P + (w/d)(w^T - w^T P)``;
* Hermiticity preservation, ``P(X^+) = P(X)^+``: ``P <- (P + T P T)/2`` with ``T x = conj(x[sigma])``,
  ``sigma`` the index map ``i + d j -> j + d i``.

The squarings stop early once ``P`` no longer changes (``||P^2 - P||_1`` at the rounding level of one product): the
state has relaxed and ``P`` is the projector on the steady state, which more squarings would only
spoil with rounding. What rounding cannot fix is the phase of a slowly decaying oscillation: the
frequency itself is known to ``eps`` relative, so its phase after a time ``t`` only to
``eps ||L|| t``. :func:`exact_propagator` returns that bound (over the squarings actually done) so
that the caller can warn when it exceeds the requested accuracy.

Thread pools: small dense linear algebra runs on one thread. OpenBLAS's ``zgetrs`` (the solve inside
:func:`scipy.linalg.expm`) hands even a 16 x 16 system to its thread pool, and when other processes
hold the cores its threads wait for a scheduler time slice: the 0.05 ms evolution of a d = 4 model
took 2-12 ms per call. :func:`matrix_exponential` therefore computes ``exp`` of matrices up to
``SMALL_EXPM_MAX_SIZE`` with the compiled, thread-free :func:`~qderive.numeric.kernels.small_expm`
and, up to ``BLAS_SINGLE_THREAD_MAX_SIZE``, calls SciPy inside ``threadpoolctl.threadpool_limits(1)``
(restored on exit; its set-up costs about 0.5 ms, which the thread-free kernel avoids). Measured on the
2-core development machine with both cores busy: ``small_expm`` 0.002-2.1 ms for n = 4-64 against
0.8-2.5 ms for the limited SciPy call; at n = 256 the limited call took 118 ms, the unlimited 265 ms.
"""

from __future__ import annotations

import math
from contextlib import AbstractContextManager, nullcontext

import numpy as np
import scipy.linalg as sla
from threadpoolctl import threadpool_limits

from .kernels import small_expm

MAX_STEP_NORM = 1e3  # eps * 1e3 ~ 2e-13: the trace drift of one unsplit expm stays far below the tolerances
EPS = float(np.finfo(float).eps)
CONVERGED = 8.0  # squarings stop when ||P^2 - P||_1 <= CONVERGED d^2 eps ||P||_1 (rounding of one product)
SMALL_EXPM_MAX_SIZE = 64  # exp of matrices up to this size by the thread-free compiled kernel (module docstring)
BLAS_SINGLE_THREAD_MAX_SIZE = 256  # dense linear algebra up to this size with BLAS limited to one thread


def single_threaded_blas(size: int) -> AbstractContextManager:
    """Context in which BLAS runs on one thread when ``size <= BLAS_SINGLE_THREAD_MAX_SIZE`` (unchanged above).

    The thread counts are restored when the block ends.

    Examples
    --------
    >>> with single_threaded_blas(16):
    ...     product = np.eye(16) @ np.eye(16)
    """
    return threadpool_limits(limits=1, user_api="blas") if size <= BLAS_SINGLE_THREAD_MAX_SIZE else nullcontext()


def matrix_exponential(matrices: np.ndarray) -> np.ndarray:
    """``exp(A)`` of one square matrix or of each of a stack ``(..., n, n)``, without waiting thread pools.

    Up to ``n = SMALL_EXPM_MAX_SIZE`` by :func:`~qderive.numeric.kernels.small_expm` (the Pade method of
    :func:`scipy.linalg.expm`, thread-free), above by :func:`scipy.linalg.expm` inside
    :func:`single_threaded_blas` (see the module docstring).

    Examples
    --------
    >>> generator = np.array([[0.0, 1.0], [-1.0, 0.0]])  # exp = rotation by one radian
    >>> bool(np.allclose(matrix_exponential(generator), [[np.cos(1), np.sin(1)], [-np.sin(1), np.cos(1)]]))
    True
    """
    matrices = np.asarray(matrices, dtype=complex)
    size = matrices.shape[-1]
    if size > SMALL_EXPM_MAX_SIZE:
        with single_threaded_blas(size):
            return sla.expm(matrices)
    if matrices.ndim == 2:
        return small_expm(np.ascontiguousarray(matrices))
    stack = np.ascontiguousarray(matrices).reshape(-1, size, size)
    return np.stack([small_expm(matrix) for matrix in stack]).reshape(matrices.shape)


def _restore(propagator: np.ndarray, d: int, swap: np.ndarray, diagonal: np.ndarray) -> np.ndarray:
    """Trace- and Hermiticity-preserving part of a Liouville-space propagator (see the module docstring)."""
    propagator = 0.5 * (propagator + propagator[swap][:, swap].conj())
    defect = -propagator[diagonal].sum(axis=0)  # w^T - w^T P, with w^T P the sum of the rows of rho_ii
    defect[diagonal] += 1.0
    propagator[diagonal] += defect / d
    return propagator


def exact_propagator(liouvillian: np.ndarray, step: float) -> tuple[np.ndarray, float]:
    """``exp(L step)`` for a dense Lindblad generator on column-stacked ``vec rho``, and its rounding bound.

    Parameters
    ----------
    liouvillian : ndarray, shape ``(d^2, d^2)``
        The generator ``L`` (:func:`~qderive.numeric.kernels.dense_superoperator`).
    step : float
        The time step ``dt`` (s), positive.

    Returns
    -------
    propagator : ndarray
        ``exp(L dt)``; steps with ``||L dt||_1 > MAX_STEP_NORM`` are split and squared with trace and
        Hermiticity preservation restored (module docstring).
    rounding_bound : float
        ``eps ||L||_1 tau``: bound on the phase error of the undamped part after the time ``tau``
        that the squarings covered before the propagator converged (``tau = dt`` without convergence).

    Examples
    --------
    >>> P, bound = exact_propagator(np.zeros((4, 4), dtype=complex), 1e6)
    >>> bool(np.allclose(P, np.eye(4))), bound
    (True, 0.0)
    """
    norm = float(np.abs(liouvillian).sum(axis=0).max())
    if norm * step <= MAX_STEP_NORM:
        return matrix_exponential(liouvillian * step), EPS * norm * step
    size = liouvillian.shape[0]
    d = math.isqrt(size)
    squarings = math.ceil(math.log2(norm * step / MAX_STEP_NORM))
    short = step / 2.0**squarings
    index = np.arange(size)
    swap = (index // d) + d * (index % d)
    diagonal = np.arange(d) * (d + 1)
    propagator = _restore(matrix_exponential(liouvillian * short), d, swap, diagonal)
    covered = short
    with single_threaded_blas(size):
        for _ in range(squarings):
            squared = _restore(propagator @ propagator, d, swap, diagonal)
            change = np.abs(squared - propagator).sum(axis=0).max()
            propagator = squared
            covered *= 2.0
            if change <= CONVERGED * size * EPS * np.abs(propagator).sum(axis=0).max():
                break
    return propagator, EPS * norm * covered
