r"""Memory of a solver step estimated from the dimension, checked before anything large is allocated.

Each solver states how many bytes its step needs (complex128 entries are 16 bytes) and calls
:func:`require_memory` before it allocates: a request that does not fit in the memory the
machine has available raises :class:`InsufficientMemoryError` with the estimate, the available
memory and what to change. The estimates, for a Hilbert-space dimension ``d`` and ``n`` jump
operators:

* ODE evolution (ZVODE without Jacobian): ``15 d^2`` (Adams) or ``8 d^2`` (BDF) work entries,
  ``n + 2`` scratch matrices of the generator and ~8 more state-sized arrays (the initial state, the
  integrator's vector and its copies, the output state and its checks; measured with tracemalloc:
  ``22.7 d^2`` entries in all for one jump operator, against ``26 d^2`` estimated);
* exact propagation: the dense ``d^2 x d^2`` Liouvillian and ~8 matrices of that size inside
  :func:`scipy.linalg.expm` (and squaring);
* stored states: ``len(times) d^2`` entries;
* steady state: the search for the population block (``12 d^2`` bytes: an ``int32`` label and an
  ``int64`` order entry per Liouville index), then either the block's LU factors, bounded by the
  envelope of the banded block (16 + 4 bytes per entry; the block itself is assembled once, without
  the ``d^2 x d^2`` Liouvillian), or matrix-free GMRES: ``restart + 5`` real ``d^2`` vectors and
  ``n + 5`` complex ``d x d`` matrices (measured at the d = 2000 laser, tracemalloc peak of the
  solve: 1193 MiB when the whole Liouvillian was built, 77 MiB now).

The available memory is read only when an estimate exceeds ``QUERY_THRESHOLD_BYTES``, so small
models never pay for the query.
"""

from __future__ import annotations

import os

from qderive.symbolic import QderiveError

COMPLEX_BYTES = 16
QUERY_THRESHOLD_BYTES = 256 * 2**20  # below this an estimate is not checked against the machine
_GIB = 2**30


class InsufficientMemoryError(QderiveError, MemoryError):
    """A solver step needs more memory than the machine has available (raised before allocating).

    Examples
    --------
    >>> from qderive import QderiveError
    >>> try:
    ...     require_memory(expm_step_bytes(10**5), "exact propagation at dimension 100000", "use method 'adams'")
    ... except MemoryError as error:  # also a MemoryError, as Python's own
    ...     print(type(error).__name__, isinstance(error, QderiveError))
    InsufficientMemoryError True
    """


def available_memory() -> int:
    """Bytes the machine can give without swapping (``MemAvailable`` of ``/proc/meminfo``, else free pages).

    Examples
    --------
    >>> available_memory() > 0
    True
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def ode_step_bytes(dimension: int, n_jumps: int, method: str = "adams") -> int:
    """Bytes of one ODE evolution: ZVODE's work array and the generator's scratch matrices.

    Examples
    --------
    >>> ode_step_bytes(100, 1) == (15 + 1 + 10) * 100**2 * 16  # 26 d^2 complex entries with Adams
    True
    >>> ode_step_bytes(100, 1, "bdf") < ode_step_bytes(100, 1)  # BDF keeps fewer work vectors
    True
    """
    work = 15 if method == "adams" else 8
    return (work + n_jumps + 10) * dimension**2 * COMPLEX_BYTES


def expm_step_bytes(dimension: int) -> int:
    """Bytes of the dense Liouvillian and of :func:`scipy.linalg.expm` working on it (~9 copies).

    Examples
    --------
    >>> expm_step_bytes(32) / 2**20  # MiB at the largest dimension of exact propagation
    144.0
    """
    return 9 * dimension**4 * COMPLEX_BYTES


def require_memory(needed: int, what: str, advice: str) -> None:
    """Raise :class:`InsufficientMemoryError` when ``needed`` bytes exceed the available memory.

    Parameters
    ----------
    needed : int
        Estimated bytes of the step (see the module docstring).
    what : str
        The step, e.g. ``"mesolve (adams) at dimension 50000"``.
    advice : str
        What to change, e.g. ``"lower the cutoffs or use steady_state(method='iterative')"``.

    Examples
    --------
    >>> require_memory(1024, "a tiny step", "nothing")  # below QUERY_THRESHOLD_BYTES: not even checked
    >>> require_memory(2**80, "an exabyte step", "lower the cutoffs")
    Traceback (most recent call last):
    ...
    qderive.numeric.memory.InsufficientMemoryError: an exabyte step needs about ... GiB but the machine has ...
    """
    if needed <= QUERY_THRESHOLD_BYTES:
        return
    available = available_memory()
    if needed > available:
        raise InsufficientMemoryError(
            f"{what} needs about {needed / _GIB:.3g} GiB but the machine has {available / _GIB:.3g} GiB "
            f"available; {advice}"
        )
