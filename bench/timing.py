"""Shared timing helpers for the benchmarks: best-of-N wall time, the result record, loaded runs, the command line.

Loaded runs (``--loaded``): a benchmark module that names its rows (``rows``, a mapping from a key
to ``rows(quick) -> list[dict]``, one or a few rows) can have every row timed in several fresh processes, one after the
other, while :func:`busy_cores` keeps one spinning Python process per available core running, so
that ours and the peer share the machine with a full load, as on a laptop with a busy browser or a
shared cluster node. :func:`loaded_rows` reports per row the quiet ratio (one fresh process, no
load), the worst loaded ratio over the processes and whether it is at least half the quiet one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from qderive.symbolic import QderiveError

# The whole program of a background load process: it spins until its parent is gone (reparented), so that even a
# benchmark killed without running its clean-up leaves no load behind.
SPIN = "import os, sys\nparent = int(sys.argv[1])\nwhile os.getppid() == parent:\n    pass\n"
ROW_TIMEOUT_S = 1800.0  # one row in one fresh process; a hung child is an error, not a stalled benchmark


def best_time(function: Callable[[], Any], repeats: int = 5, setup: Callable[[], Any] | None = None) -> float:
    """Smallest wall-clock time of ``repeats`` calls (seconds); ``setup`` runs untimed before each."""
    times = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def record(name: str, ours_s: float, peer: str, peer_s: float | None, **extra: Any) -> dict[str, Any]:
    """One benchmark row; ``ratio = peer_s / ours_s`` (above 1: ours is faster), ``None`` without a peer."""
    ratio = None if peer_s is None else peer_s / ours_s
    return {"name": name, "ours_s": ours_s, "peer": peer, "peer_s": peer_s, "ratio": ratio, **extra}


def available_cores() -> int:
    """Cores this process may run on."""
    return len(os.sched_getaffinity(0))


@contextmanager
def busy_cores(count: int | None = None) -> Iterator[list[subprocess.Popen]]:
    """Keep ``count`` (default: every available core) spinning Python processes running inside the block.

    The processes are killed and reaped when the block ends, also on an error or an interrupt.

    Examples
    --------
    >>> with busy_cores(1) as spinners:
    ...     all(p.poll() is None for p in spinners)
    True
    """
    spinners: list[subprocess.Popen] = []
    try:
        for _ in range(available_cores() if count is None else count):
            spinners.append(subprocess.Popen([sys.executable, "-c", SPIN, str(os.getpid())], stdin=subprocess.DEVNULL,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield spinners
    finally:
        for spinner in spinners:
            spinner.kill()
        for spinner in spinners:
            spinner.wait()


def row_in_fresh_process(module: str, key: str, quick: bool) -> list[dict[str, Any]]:
    """Rows ``key`` of ``qderive.bench.<module>`` timed in a new Python process (its own imports and thread pools)."""
    command = [sys.executable, "-m", f"qderive.bench.{module}", "--json", "--row", key] + (["--quick"] if quick else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=ROW_TIMEOUT_S, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise QderiveError(f"benchmark row '{key}' failed in a fresh process (exit {done.returncode}): {last}")
    return json.loads(done.stdout)["benchmarks"]


def loaded_rows(module: str, keys: Sequence[str], quick: bool, processes: int = 4,
                load: int | None = None) -> list[dict[str, Any]]:
    """Every row quiet (one fresh process) and under load (``processes`` fresh processes, every core busy).

    Each returned row is the quiet row with ``quiet_ratio``, ``loaded_ratios`` (one per process),
    ``loaded_ratio`` (the worst), ``loaded_ours_s`` (the slowest of ours), ``load_processes``,
    ``holds`` (``loaded_ratio >= quiet_ratio / 2``) and, for rows that report a ``median_ratio``,
    ``loaded_median_ratios`` added.
    """
    out = []
    for key in keys:
        quiet_rows = row_in_fresh_process(module, key, quick)
        with busy_cores(load) as spinners:
            loaded_runs = [row_in_fresh_process(module, key, quick) for _ in range(processes)]
        for position, quiet in enumerate(quiet_rows):
            loaded = [run[position] for run in loaded_runs]
            ratios = [row["ratio"] for row in loaded]
            medians = [row["median_ratio"] for row in loaded if "median_ratio" in row]
            out.append({**quiet, "quiet_ratio": quiet["ratio"], "loaded_ratios": ratios, "loaded_ratio": min(ratios),
                        "loaded_ours_s": max(row["ours_s"] for row in loaded), "load_processes": len(spinners),
                        "holds": min(ratios) >= quiet["ratio"] / 2,
                        **({"loaded_median_ratios": medians} if medians else {})})
    return out


def command_line(run: Callable[..., dict[str, Any]], description: str, argv: list[str] | None = None,
                 rows: Mapping[str, Callable[[bool], list[dict[str, Any]]]] | None = None) -> None:
    """``python -m qderive.bench.<name>_bench [--json] [--quick]``: the same rows as ``qderive bench <name>``.

    With ``rows`` (a module whose ``run`` takes ``loaded`` and ``processes``) also ``--row KEY`` (one row
    alone, as :func:`row_in_fresh_process` runs it) and ``--loaded [--processes N]`` (:func:`loaded_rows`).
    """
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    if rows is not None:
        parser.add_argument("--row", choices=sorted(rows), help="time this row alone")
        parser.add_argument("--loaded", action="store_true", help="every row quiet and with every core kept busy")
        parser.add_argument("--processes", type=int, default=4, help="fresh processes per loaded row (default 4)")
    options = parser.parse_args(argv)
    if rows is not None and options.row:
        result = {"benchmarks": rows[options.row](options.quick)}
    elif rows is not None and options.loaded:
        result = run(quick=options.quick, loaded=True, processes=options.processes)
    else:
        result = run(quick=options.quick)
    if options.json:
        print(json.dumps(result, indent=1, default=str))
        return
    print_rows(result)


def print_rows(result: Mapping[str, Any], indent: str = "") -> None:
    """One line per row: times, ratio, target, and the loaded ratios where there are any."""
    for b in result["benchmarks"]:
        peer = "no peer" if b.get("peer_s") is None else f"{b['peer']}: {b['peer_s']:.4g} s  ratio {b['ratio']:.3g}"
        target = f"  (target {b['target']})" if "target" in b else ""
        loaded = ""
        if "loaded_ratio" in b:
            loaded = (f"  loaded ratio {b['loaded_ratio']:.3g} (worst of {len(b['loaded_ratios'])} processes, "
                      f"{b['load_processes']} busy cores): {'holds' if b['holds'] else 'BELOW'} quiet/2")
        print(f"{indent}{b['name']:<58} ours {b['ours_s']:.4g} s  {peer}{target}{loaded}")
    for note in result.get("skipped", ()):
        print(f"{indent}skipped: {note}")
