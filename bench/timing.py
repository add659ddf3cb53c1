"""Shared timing helpers for the benchmarks: best-of-N wall time and the result record."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


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
