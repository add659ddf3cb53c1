"""Shared timing helpers for the benchmarks: best-of-N wall time and the result record."""

from __future__ import annotations

import argparse
import json
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


def command_line(run: Callable[..., dict[str, Any]], description: str, argv: list[str] | None = None) -> None:
    """``python -m qderive.bench.<name>_bench [--json] [--quick]``: the same rows as ``qderive bench <name>``."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    options = parser.parse_args(argv)
    result = run(quick=options.quick)
    if options.json:
        print(json.dumps(result, indent=1, default=str))
        return
    for b in result["benchmarks"]:
        peer = "no peer" if b.get("peer_s") is None else f"{b['peer']}: {b['peer_s']:.4g} s  ratio {b['ratio']:.3g}"
        target = f"  (target {b['target']})" if "target" in b else ""
        print(f"{b['name']:<58} ours {b['ours_s']:.4g} s  {peer}{target}")
    for note in result.get("skipped", ()):
        print(f"skipped: {note}")
