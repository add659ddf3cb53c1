"""The per-point work of a sweep and the backends that fan it out: serial, processes, Dask.

A point task derives the system at one parameter point and validates that derivation against the
full model (:func:`validate_point`). Backends:

``serial``
    in this process, with the caller's system (its symbolic cache is already warm);
``processes``
    a :class:`concurrent.futures.ProcessPoolExecutor` of spawned, single-threaded workers; a worker
    that dies (killed, out of memory) breaks the pool, which is restarted for the points not yet
    finished — a point is lost only if it kills its worker :data:`MAX_RESTARTS` times in a row;
``dask``
    a :mod:`distributed` cluster: a ``LocalCluster`` of single-threaded worker processes by default,
    or the scheduler at ``scheduler`` (``tcp://host:8786``). The scheduler reruns the tasks of a
    worker that dies.

Worker processes are *spawned* (they import the caller's ``__main__``), so a script that sweeps
with ``processes`` or a local Dask cluster needs the usual ``if __name__ == "__main__":`` guard.
Workers are single-threaded, so ``N`` workers use ``N`` cores and no worker's thread pool waits for a core
another worker holds: ``OMP/OPENBLAS/MKL/NUMBA_NUM_THREADS=1`` in the environment of the processes we
start, one Numba and one BLAS/OpenMP thread set by the pool's worker initializer
(:func:`single_threaded_worker`), and every task run inside :func:`single_threaded` (which also covers
the workers of an existing Dask scheduler, whose thread settings are restored after each task).
Each worker process builds a system once and keeps it for every
later task (its symbolic work and compiled kernels; kernels come from the disk cache, so they are
compiled once per machine, never per task). That per-process system table is the one piece of
module state here; it exists only inside worker processes, where a pool gives no other place to keep it.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

import numba
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from qderive.symbolic import QderiveError

from .contract import System, ValidationOptions

BACKENDS = ("serial", "processes", "dask")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
MAX_RESTARTS = 3
POINT_FAILURES = (QderiveError, ArithmeticError, np.linalg.LinAlgError)


class WorkerDiedWarning(UserWarning):
    """A worker process died during a sweep; its unfinished points are computed again.

    Examples
    --------
    >>> issubclass(WorkerDiedWarning, UserWarning)  # a warning: the sweep goes on and recomputes the lost points
    True
    """


@dataclass(frozen=True)
class PointResult:
    """What one point's validation produced (``failure`` set, and no numbers, when it could not be carried out).

    Examples
    --------
    >>> lost = PointResult(4, failure="ConvergenceError: ZVODE failed")
    >>> lost.passed, lost.error  # no numbers where the comparison could not be carried out
    (False, nan)
    """

    index: int
    metrics: dict[str, float] = field(default_factory=dict)
    error: float = float("nan")
    tolerance: float = float("nan")
    passed: bool = False
    failure: str = ""
    pid: int = 0


def validate_with(system: System, index: int, point: dict[str, float], quick: bool) -> PointResult:
    """Derive ``system`` at ``point`` and validate; a failure of the computation is recorded, not raised.

    Examples
    --------
    >>> from qderive.derivations.bloch import Bloch
    >>> system = Bloch()
    >>> overrides, condition = system.breakdown
    >>> result = validate_with(system, 0, dict(overrides), quick=True)  # outside the approximation's regime
    >>> result.passed, result.failure
    (False, '')
    >>> validate_with(system, 1, {"Omega": -1.0}, quick=True).failure  # recorded, not raised
    "ParameterError: 'Omega' must be positive (Rabi frequency of the drive), got -1.0 rad/s"
    """
    try:
        derivation = system.derive(system.parameter_set(point))
        validation = system.validate(derivation, ValidationOptions(quick=quick))
    except POINT_FAILURES as error:
        return PointResult(index, failure=" ".join(f"{type(error).__name__}: {error}".split()), pid=os.getpid())
    if validation is None:
        raise QderiveError(f"derivation '{system.name}' has no validation against full numerics")
    return PointResult(index, dict(validation.metrics), validation.error, validation.tolerance, validation.passed,
                       pid=os.getpid())


class _WorkerSystems:
    """The systems a worker process has built, by class: built on a worker's first task, reused after."""

    def __init__(self) -> None:
        self._systems: dict[type, System] = {}

    def get(self, system_class: type) -> System:
        if system_class not in self._systems:
            self._systems[system_class] = system_class()
        return self._systems[system_class]


_WORKER_SYSTEMS = _WorkerSystems()


def validate_point(system_class: type, index: int, point: dict[str, float], quick: bool) -> PointResult:
    """The task run by a worker process: :func:`validate_with` on this process's instance of ``system_class``,
    single-threaded (:func:`single_threaded`).

    Examples
    --------
    >>> import os
    >>> from qderive.derivations.bloch import Bloch
    >>> result = validate_point(Bloch, 3, {}, True)  # builds this process's Bloch once, then reuses it
    >>> result.index, result.pid == os.getpid(), result.passed
    (3, True, True)
    """
    with single_threaded():
        return validate_with(_WORKER_SYSTEMS.get(system_class), index, point, quick)


@contextmanager
def single_threaded() -> Iterator[None]:
    """Numba's parallel loops and the BLAS/OpenMP thread pools on one thread inside the block; restored after.

    Examples
    --------
    >>> before = numba.get_num_threads()
    >>> with single_threaded():
    ...     thread_counts()["numba"]
    1
    >>> numba.get_num_threads() == before
    True
    """
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        numba.set_num_threads(previous)


def single_threaded_worker() -> None:
    """Initializer of a pool worker process: one Numba thread and one BLAS/OpenMP thread for the worker's life.

    Examples
    --------
    >>> with worker_pool(1) as pool:  # a spawned worker ran this initializer
    ...     pool.submit(thread_counts).result()["numba"]
    1
    """
    numba.set_num_threads(1)
    threadpool_limits(limits=1)


def thread_counts() -> dict[str, int]:
    """Threads this process would use: Numba's parallel loops and the largest BLAS/OpenMP pool (``0``: none loaded).

    Examples
    --------
    >>> counts = thread_counts()
    >>> sorted(counts), counts["numba"] == numba.get_num_threads()
    (['blas_openmp', 'numba'], True)
    """
    return {"numba": numba.get_num_threads(),
            "blas_openmp": max((pool["num_threads"] for pool in threadpool_info()), default=0)}


@contextmanager
def single_threaded_children() -> Iterator[None]:
    """Processes started inside this block inherit ``*_NUM_THREADS=1``; the caller's environment is restored after.

    Examples
    --------
    >>> import os
    >>> before = os.environ.get("OMP_NUM_THREADS")
    >>> with single_threaded_children():
    ...     print(all(os.environ[name] == "1" for name in THREAD_VARIABLES))
    True
    >>> os.environ.get("OMP_NUM_THREADS") == before  # restored
    True
    """
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.update({name: "1" for name in THREAD_VARIABLES})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


Points = list[tuple[int, dict[str, float]]]


def run_serial(system: System, points: Points, quick: bool, on_result: Callable[[PointResult], None]) -> None:
    """Every point in this process, in order.

    Examples
    --------
    >>> from qderive.derivations.bloch import Bloch
    >>> results = []
    >>> run_serial(Bloch(), [(0, {}), (5, {"Omega": -1.0})], True, results.append)
    >>> [(r.index, r.passed, bool(r.failure)) for r in results]
    [(0, True, False), (5, False, True)]
    """
    for index, point in points:
        on_result(validate_with(system, index, point, quick))


def run_processes(system: System, points: Points, quick: bool, on_result: Callable[[PointResult], None],
                  workers: int) -> None:
    """Every point on a pool of ``workers`` spawned processes; a broken pool is restarted for the rest.

    Examples
    --------
    One spawned worker (``tests/derivations/test_sweep.py`` compares the backend with the serial one, with a
    worker killed on the way):

    >>> from qderive.derivations.bloch import Bloch
    >>> results = []
    >>> run_processes(Bloch(), [(0, {}), (1, {})], True, results.append, workers=1)
    >>> sorted((r.index, r.passed) for r in results)
    [(0, True), (1, True)]
    """
    remaining = dict(points)
    restarts = 0
    while remaining:
        finished_before = len(remaining)
        try:
            _one_pool(type(system), remaining, quick, on_result, workers)
        except BrokenProcessPool:
            restarts = 0 if len(remaining) < finished_before else restarts + 1
            if restarts >= MAX_RESTARTS:
                raise QderiveError(f"sweep workers died {MAX_RESTARTS} times in a row without finishing a point; "
                                   f"{len(remaining)} points left (e.g. {next(iter(remaining.values()))})") from None
            warnings.warn(f"a sweep worker process died; restarting the pool for the {len(remaining)} unfinished "
                          "points", WorkerDiedWarning, stacklevel=2)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned, single-threaded processes (environment and :func:`single_threaded_worker`).

    Examples
    --------
    >>> import os
    >>> with worker_pool(1) as pool:
    ...     pool.submit(os.getpid).result() != os.getpid()
    True
    """
    with single_threaded_children():
        return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                   initializer=single_threaded_worker)


def _one_pool(system_class: type, remaining: dict[int, dict[str, float]], quick: bool,
              on_result: Callable[[PointResult], None], workers: int) -> None:
    executor = worker_pool(workers)
    try:
        with single_threaded_children():
            pending = {executor.submit(validate_point, system_class, index, point, quick): index
                       for index, point in remaining.items()}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()  # BrokenProcessPool propagates to the restart loop
                del pending[future]
                remaining.pop(result.index, None)
                on_result(result)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def run_dask(system: System, points: Points, quick: bool, on_result: Callable[[PointResult], None],
             workers: int, scheduler: str | None) -> None:
    """Every point on a Dask cluster: a new ``LocalCluster`` of ``workers`` processes, or the one at ``scheduler``.

    Examples
    --------
    Starting a local Dask cluster costs about ten seconds, so the call is not run here
    (``tests/derivations/test_sweep.py`` runs it against a cluster whose worker is killed):

    >>> from qderive.derivations.bloch import Bloch
    >>> results = []
    >>> run_dask(Bloch(), [(0, {})], True, results.append, workers=1, scheduler=None)  # doctest: +SKIP
    >>> results[0].passed  # doctest: +SKIP
    True
    """
    from distributed import Client, LocalCluster, as_completed

    with _dask_client(Client, LocalCluster, workers, scheduler) as client:
        futures = client.map(validate_point, [type(system)] * len(points), [i for i, _ in points],
                             [p for _, p in points], [quick] * len(points), pure=False)
        try:
            for future in as_completed(futures):
                on_result(future.result())
                future.release()
        finally:
            client.cancel(futures)


@contextmanager
def _dask_client(client_class: Any, cluster_class: Any, workers: int, scheduler: str | None) -> Iterator[Any]:
    if scheduler is not None:
        try:
            client = client_class(scheduler, timeout="20s")
        except OSError as error:
            raise QderiveError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
        with client:
            yield client
        return
    with single_threaded_children():
        cluster = cluster_class(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                                env=dict.fromkeys(THREAD_VARIABLES, "1"), silence_logs=logging.ERROR)
    with cluster, client_class(cluster) as client:
        yield client


def run_points(system: System, points: Iterable[tuple[int, dict[str, float]]], quick: bool,
               on_result: Callable[[PointResult], None], backend: str, workers: int | None = None,
               scheduler: str | None = None) -> None:
    """Validate every ``(flat index, point)`` on ``backend``, calling ``on_result`` in this process as each finishes.

    Examples
    --------
    >>> from qderive.derivations.bloch import Bloch
    >>> results = []
    >>> run_points(Bloch(), iter([(0, {"Omega": 0.0})]), True, results.append, backend="serial")
    >>> results[0].failure.startswith("ParameterError: 'Omega' must be positive")
    True
    >>> run_points(Bloch(), [], True, results.append, backend="threads")
    Traceback (most recent call last):
    ...
    qderive.errors.QderiveError: unknown backend 'threads'; choose one of serial, processes, dask
    """
    points = list(points)
    if backend not in BACKENDS:
        raise QderiveError(f"unknown backend '{backend}'; choose one of {', '.join(BACKENDS)}")
    if scheduler is not None and backend != "dask":
        raise QderiveError("a scheduler address needs backend 'dask'")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise QderiveError(f"workers must be a positive integer, got {workers!r}")
    if not points:
        return
    count = min(workers or len(os.sched_getaffinity(0)), len(points))
    if backend == "serial":
        run_serial(system, points, quick, on_result)
    elif backend == "processes":
        run_processes(system, points, quick, on_result, count)
    else:
        run_dask(system, points, quick, on_result, count, scheduler)
