"""Benchmarks of the sweep facility against its peers, side by side in one run.

* ``C_ss_1e7_points_vs_lambdify`` / ``_vs_hand_numba``: engine004's steady-state concurrence
  ``C_ss = 2 max(0, |rho_eg,ge| - sqrt(rho_gg rho_ee))`` (the derived closed form as the
  derivation's evaluator compiles it, ``sqrt(|rho_gg rho_ee|)``: see
  ``engine004.derivation.real_square_roots``) on a 10 x 100 x 100 x 100 grid of
  ``(Gamma1, g, pL, pR)``. Ours: ``sweep(derivation, grid, results=["C_ss"])`` end to end (grid,
  compiled evaluator block by block, labelled dataset). Peers: ``sympy.lambdify(modules="numpy")``
  of the same expression on the materialised grid (materialising untimed), and a hand-written
  ``@njit`` loop of the same formula nested over the four axes (allocating its result, as the
  sweep does). Single-threaded throughout.
* ``validation_sweep_64_points_processes`` / ``_dask``: engine004 validated against its full master
  equation (quick validation) on an 8 x 8 grid of ``(pR, g)``: ``backend="processes"`` and
  ``backend="dask"`` (a new ``LocalCluster``) against ``backend="serial"``, each a fresh
  ``sweep("engine004", ...)`` call (every backend pays its own start-up: symbolic work, worker
  processes). ``ratio`` is the speed-up over serial.

``ratio = peer_s / ours_s`` (above 1: ours faster). Run ``qderive bench sweep [--json] [--quick]``.
"""

from __future__ import annotations

import os
import platform
import time

import numba
import numpy as np
import sympy as sp
from numba import njit

from .timing import best_time, command_line, record

VALIDATION_GRID = {"pR": (0.95, 1.0, 8), "g": (5e3, 2e5, 8, "log")}


@njit(cache=True, error_model="numpy")
def hand_concurrence(Gamma1, g, pL, pR, out):
    """``C_ss`` of engine004, typed by hand, nested over the grid axes."""
    for i in range(Gamma1.shape[0]):
        G = Gamma1[i]
        G2 = G * G
        for j in range(g.shape[0]):
            gg = g[j]
            g2 = gg * gg
            den = G2 + 4 * g2
            for k in range(pL.shape[0]):
                a = pL[k]
                for m in range(pR.shape[0]):
                    b = pR[m]
                    A = G2*a*b - G2*a - G2*b + G2 + g2*a*a + 2*g2*a*b - 4*g2*a + g2*b*b - 4*g2*b + 4*g2
                    B = G2*a*b + G2*a + G2*b + G2 + g2*a*a + 2*g2*a*b + 4*g2*a + g2*b*b + 4*g2*b + 4*g2
                    w = G * gg * abs(a - b) / (2 * den) - np.sqrt(A * B) / (4 * den)
                    out[i, j, k, m] = 2 * max(0.0, w)


def closed_form_rows(points_per_axis: tuple[int, int, int, int], repeats: int) -> list[dict]:
    """``C_ss`` over a 4-D grid: the sweep vs lambdify vs the hand-written loop."""
    from qderive.derivations.engine004 import SYSTEM
    from qderive.derivations.sweep import sweep

    system = SYSTEM()
    derivation = system.derive(system.parameter_set())
    n_G, n_g, n_p, n_q = points_per_axis
    G0 = derivation.parameters["Gamma1"]
    axes = {"Gamma1": np.linspace(0.5, 2.0, n_G) * G0, "g": np.linspace(0.01, 1.0, n_g) * G0,
            "pL": np.linspace(-0.99, 0.99, n_p), "pR": np.linspace(-0.99, 0.99, n_q)}
    points = n_G * n_g * n_p * n_q
    run = lambda: sweep(derivation, axes, results=["C_ss"], progress=False)["C_ss"].values  # noqa: E731
    ours_values = run()
    ours = best_time(run, repeats)

    evaluator = derivation.evaluators["C_ss"]
    lambdified = sp.lambdify(list(evaluator.symbols), evaluator.expr, modules="numpy")
    mesh = dict(zip(axes, np.meshgrid(*axes.values(), indexing="ij"), strict=True))
    flat = [np.ascontiguousarray(mesh[name]).ravel() for name in evaluator.arguments]
    peer_values = lambdified(*flat).reshape(ours_values.shape)
    np.testing.assert_allclose(ours_values, peer_values, rtol=1e-11, atol=1e-14)
    lambdify_s = best_time(lambda: lambdified(*flat), repeats)

    out = np.empty((n_G, n_g, n_p, n_q))
    hand_concurrence(axes["Gamma1"], axes["g"], axes["pL"], axes["pR"], out)
    np.testing.assert_allclose(ours_values, out, rtol=1e-11, atol=1e-14)
    hand_s = best_time(lambda: hand_concurrence(axes["Gamma1"], axes["g"], axes["pL"], axes["pR"], np.empty(out.shape)),
                       repeats)  # like ours, it allocates its result
    label = f"C_ss_{points:.0e}_points".replace("+0", "")
    return [
        record(f"{label}_vs_lambdify", ours, "sympy.lambdify(modules='numpy') on the materialised grid", lambdify_s,
               target=">= 20", points=points),
        record(f"{label}_vs_hand_numba", ours, "hand-written @njit loop nested over the axes",
               hand_s, target=">= 0.667 (within 1.5x)", points=points),
    ]


def validation_rows(grid: dict, workers: int) -> list[dict]:
    """engine004 validation sweep: processes and dask against serial (each a fresh call)."""
    from qderive.derivations.sweep import sweep

    times, datasets = {}, {}
    for backend in ("serial", "processes", "dask"):
        start = time.perf_counter()
        datasets[backend] = sweep("engine004", grid, validate=True, backend=backend, workers=workers, progress=False)
        times[backend] = time.perf_counter() - start
    for backend in ("processes", "dask"):  # the same numbers, whatever the backend
        full = "validation_C_ss_full"
        np.testing.assert_allclose(datasets[backend][full], datasets["serial"][full], rtol=1e-9, atol=1e-12)
    points = int(np.prod(list(datasets["serial"].sizes.values())))
    return [record(f"validation_sweep_{points}_points_{backend}", times[backend], "serial backend", times["serial"],
                   target="> 1 (speed-up over serial)", workers=workers,
                   notes="fresh sweep('engine004', validate=True) per backend, start-up included")
            for backend in ("processes", "dask")]


def machine() -> dict:
    """What the numbers were measured on, and how busy it was."""
    return {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "numba": numba.__version__, "numpy": np.__version__, "sympy": sp.__version__,
            "load_average_1_5_15_min": [round(x, 2) for x in os.getloadavg()]}


def run(quick: bool = False) -> dict:
    """Every sweep benchmark; ``quick`` shrinks the sizes to a smoke test."""
    before = machine()
    workers = min(2, len(os.sched_getaffinity(0)))
    if quick:
        rows = closed_form_rows((2, 10, 10, 10), 1)
        rows += validation_rows({"pR": (0.95, 1.0, 2), "g": (5e3, 2e5, 2, "log")}, workers)
    else:
        rows = closed_form_rows((10, 100, 100, 100), 5)
        rows += validation_rows(VALIDATION_GRID, workers)
    return {"benchmarks": rows, "machine": before, "load_average_after": machine()["load_average_1_5_15_min"],
            "quick": quick}


def main(argv: list[str] | None = None) -> None:
    """Command line; see :func:`~qderive.bench.timing.command_line`."""
    command_line(run, __doc__, argv)


if __name__ == "__main__":
    main()
