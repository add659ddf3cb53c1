"""Where the parallel Numba kernels start to pay: serial against parallel variant, by problem size.

For each size the best of several calls of the serial and of the parallel variant of a kernel
(same inputs, same result) are timed in this process; ``speedup = serial_s / parallel_s``. The
thresholds in :mod:`qderive.numeric.kernels` are the smallest sizes where the parallel variant is
clearly (at least ``MIN_SPEEDUP`` times) faster on a quiet machine: below them, its threads cost
more than they save, and on a machine whose cores are taken they wait on each other for whole
scheduler time slices. Run as ``python -m qderive.bench.threshold_bench [--json] [--quick]``.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sps

from qderive.bench.timing import best_time, busy_cores, command_line, record
from qderive.numeric import kernels

MIN_SPEEDUP = 1.3


def _lindblad_inputs(d: int, n_jumps: int = 2, seed: int = 0) -> tuple:
    """Arguments of the Lindblad kernels for a banded ``K`` (three diagonals) and ladder-like jumps."""
    rng = np.random.default_rng(seed)
    k = sps.diags([rng.normal(size=d - 1), rng.normal(size=d) - 0.5j, rng.normal(size=d - 1)], [-1, 0, 1],
                  format="csr", dtype=complex)
    jumps = sps.vstack([sps.diags([np.sqrt(np.arange(1, d))], [1], format="csr", dtype=complex)] * n_jumps,
                       format="csr")
    x = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    out = np.empty_like(x)
    scratch = np.empty((n_jumps + 2, d, d), dtype=complex)
    return (x, out, k.data, k.indices.astype(np.int64), k.indptr.astype(np.int64), jumps.data,
            jumps.indices.astype(np.int64), jumps.indptr.astype(np.int64), n_jumps, np.ones(d, dtype=complex),
            False, scratch)


def _batch_inputs(count: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(count, d, d)) + 0j, rng.normal(size=(count, 2, d, d)) + 0j)


def _pair(name: str, serial, parallel, args: tuple, repeats: int, loaded: bool, **extra) -> dict:
    """``ratio = serial_s / parallel_s``: the parallel variant's speed-up; with ``loaded`` also its median
    call time under a full load (``loaded_speedup``)."""
    serial(*args)
    parallel(*args)  # compile both before timing
    serial_s = best_time(lambda: serial(*args), repeats)
    parallel_s = best_time(lambda: parallel(*args), repeats)
    row = record(name, parallel_s, "serial variant", serial_s, **extra)
    if loaded:
        with busy_cores():
            row["loaded_serial_s"] = float(np.median(_calls(serial, args, repeats)))
            row["loaded_parallel_s"] = float(np.median(_calls(parallel, args, repeats)))
        row["loaded_speedup"] = row["loaded_serial_s"] / row["loaded_parallel_s"]
    return row


def _calls(function, args: tuple, repeats: int) -> list[float]:
    """Wall time of each of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return times


def run(quick: bool = False, loaded: bool = False) -> dict:
    """Serial and parallel variant of each ``prange`` kernel at growing sizes (``ratio`` is the speed-up)."""
    repeats = 5 if quick else 50
    out = []
    for d in (8, 32) if quick else (4, 8, 16, 32, 48, 64, 96, 128, 256):
        out.append(_pair(f"lindblad_apply, d = {d}", kernels.lindblad_apply_serial, kernels.lindblad_apply_parallel,
                         _lindblad_inputs(d), repeats, loaded, dimension=d))
    for count, d in ((10, 2), (100, 4)) if quick else ((100, 4), (1000, 4), (100, 8), (1000, 8), (200, 16)):
        args = _batch_inputs(count, d)
        out.append(_pair(f"batch_superoperators, {count} x d = {d}", kernels.batch_superoperators_serial,
                         kernels.batch_superoperators_parallel, args, repeats, loaded, entries=count * d**4))
        props = np.stack([kernels.batch_superoperators_serial(*args) * 1e-3] * 1, axis=1)
        steps = np.zeros(100, dtype=np.int64)
        initial = np.ones(d * d, dtype=complex)
        observables = np.ones((2, d * d), dtype=complex)
        out.append(_pair(f"propagate_batch, {count} x size {d * d} x 100 steps", kernels.propagate_batch_serial,
                         kernels.propagate_batch_parallel, (props, steps, initial, observables), repeats, loaded,
                         work=count * 100 * d**4))
    return {"benchmarks": out, "min_speedup": MIN_SPEEDUP,
            "thresholds": {"LINDBLAD_PARALLEL_MIN_DIMENSION": kernels.LINDBLAD_PARALLEL_MIN_DIMENSION,
                           "BATCH_PARALLEL_MIN_WORK": kernels.BATCH_PARALLEL_MIN_WORK}}


def main(argv: list[str] | None = None) -> None:
    """Command line; see :func:`~qderive.bench.timing.command_line`."""
    command_line(run, __doc__, argv)


if __name__ == "__main__":
    main()
