"""Sweep workers run single-threaded: one Numba thread and one BLAS/OpenMP thread in every worker process.

Reference: the thread counts the libraries themselves report (``numba.get_num_threads``,
``threadpoolctl.threadpool_info``) inside a worker, against 1; and the caller's own counts, which
must come back unchanged after a single-threaded block.
"""

from __future__ import annotations

import numba
from threadpoolctl import threadpool_info, threadpool_limits

from qderive.derivations.sweep_workers import single_threaded, thread_counts, worker_pool


def test_process_pool_workers_report_one_thread():
    before = thread_counts()
    pool = worker_pool(1)
    try:
        counts = [pool.submit(thread_counts).result(timeout=120) for _ in range(2)]
    finally:
        pool.shutdown(wait=True)
    assert all(c["numba"] == 1 and 0 <= c["blas_openmp"] <= 1 for c in counts), counts
    assert thread_counts() == before  # the caller's thread pools are not touched


def test_single_threaded_block_limits_and_restores_the_callers_pools():
    outer = min(2, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(outer)
    try:
        with threadpool_limits(limits=2, user_api="blas"):
            blas_before = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
            with single_threaded():
                assert thread_counts()["numba"] == 1
                assert all(pool["num_threads"] == 1 for pool in threadpool_info())
            assert numba.get_num_threads() == outer
            assert [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"] == blas_before
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)

