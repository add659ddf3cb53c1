"""Figures of transducer001 (source Figs. 2b-f, 3b-e and beyond), drawn by the shared plotting module.

Every map is a 40 x 40 grid of :func:`~.sweeps.metric_grid` (compiled rates and tensor filler, one
harmonic-balance solve per point). Frequencies and rates on the axes are ``x / 2 pi`` in MHz.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from ..contract import FULL, Derivation, Validation, ValidationOptions
from ..plotting import Axis, CurvePanel, Figure, MapPanel, Series
from . import conversion
from .sweeps import metric_grid
from .validation import entanglement, node

MAP_POINTS = 40
TWO_PI = 2 * np.pi
PUMP_RANGE = (1e-12, 1e-8)  # W: 1 pW .. 10 nW
DARK_COUNT_BOUNDS = (10.0, 41.0)  # Hz: a tight bound, and the source's R_d at 55 pW


def pump_curve(derivation: Derivation, points: int = 30) -> Figure:
    """``P_coh``, ``P_tot`` and the dark count rate versus pump power (source Fig. 2b), log axis 1 pW .. 10 nW."""
    powers = np.geomspace(*PUMP_RANGE, points)
    grid = metric_grid(derivation, {"P_pump": powers})
    at = conversion.figures_of_merit(conversion.operating_point(derivation))
    p0 = derivation.parameters["P_pump"]
    left = CurvePanel(Axis("pump power", "W", log=True), Axis("efficiency"),
                      (Series(powers, grid["P_coh"].values, "P_coh"), Series(powers, grid["P_tot"].values, "P_tot"),
                       Series(np.array([p0]), np.array([at["P_coh"]]), f"P_pump = {p0 * 1e12:g} pW", points=True)),
                      title="conversion efficiency")
    right = CurvePanel(Axis("pump power", "W", log=True), Axis("dark count rate R_d", "1/s", log=True),
                       (Series(powers, grid["R_d"].values, "R_d"),), title="dark counts",
                       reference_lines=((41.0, "source: 41 Hz at 55 pW"),))
    return Figure("pump_power", "efficiency and dark counts versus pump power", (left, right))


def _map_panels(grid, x: str, y: str, label_x: str, label_y: str, title: str) -> tuple[MapPanel, MapPanel]:
    xs, ys = grid[x].values / TWO_PI / 1e6, grid[y].values / TWO_PI / 1e6
    coherent = grid["P_coh"].transpose(y, x).values
    ratio = coherent / grid["P_tot"].transpose(y, x).values
    log_x, log_y = bool(xs.min() > 0), bool(ys.min() > 0)
    axes = (Axis(label_x, "MHz", log=log_x), Axis(label_y, "MHz", log=log_y))
    return (MapPanel(*axes, Axis("P_coh"), xs, ys, coherent, title=f"P_coh, {title}", contours=(0.1,)),
            MapPanel(*axes, Axis("P_coh / P_tot"), xs, ys, ratio, title=f"P_coh/P_tot, {title}", contours=(0.5, 0.9)))


def dephasing_grid(derivation: Derivation, points: int = MAP_POINTS):
    """The 40 x 40 grid over ``gamma1_phi`` (10 kHz..10 MHz) and ``gamma2_phi`` (100 kHz..100 MHz), x 2 pi."""
    return metric_grid(derivation, {"gamma1_phi": TWO_PI * np.geomspace(1e4, 1e7, points),
                                    "gamma2_phi": TWO_PI * np.geomspace(1e5, 1e8, points)})


def detuning_grid(derivation: Derivation, points: int = MAP_POINTS):
    """The 40 x 40 grid over ``dw10`` (+-5 MHz) and ``dw20`` (+-30 MHz), x 2 pi."""
    return metric_grid(derivation, {"dw10": TWO_PI * np.linspace(-5e6, 5e6, points),
                                    "dw20": TWO_PI * np.linspace(-30e6, 30e6, points)})


def _fidelity_panels(derivation: Derivation, grid, x: str, y: str, label_x: str, label_y: str, bandwidth_hz: float,
                     title: str) -> tuple[MapPanel, MapPanel]:
    """Node A on the grid, node B at the derivation's point (ideal); ``cos theta = cos(theta_A - theta_B)``."""
    reference = conversion.figures_of_merit(conversion.operating_point(derivation))
    node_a = node({k: grid[k].transpose(y, x).values for k in ("P_tot", "P_coh", "R_d")}, bandwidth_hz)
    node_b = node(reference, bandwidth_hz)
    cos_theta = np.cos(grid["theta"].transpose(y, x).values - reference["theta"])
    out = entanglement(derivation, node_a, node_b, cos_theta)
    xs, ys = grid[x].values / TWO_PI / 1e6, grid[y].values / TWO_PI / 1e6
    axes = (Axis(label_x, "MHz", log=bool(xs.min() > 0)), Axis(label_y, "MHz", log=bool(ys.min() > 0)))
    return (MapPanel(*axes, Axis("F_1c"), xs, ys, out["F1c"], title=f"fidelity, {title}", contours=(0.5, 0.8)),
            MapPanel(*axes, Axis("R_herald", "Hz"), xs, ys, out["R_herald"], title=f"heralding rate, {title}"))


def optimal_pump(derivation: Derivation, dark_count_bound: float) -> tuple[float, float, float]:
    """``(P_pump, P_coh, R_d)`` maximising ``P_coh`` over 1 pW..10 nW subject to ``R_d <= dark_count_bound`` (Hz).

    ``R_d`` grows with the pump, so the bound is an upper pump limit found by Brent's method; ``P_coh`` is
    then maximised over ``log P`` on the allowed interval (bounded scalar optimisation).
    """
    merit = lambda p: conversion.figures_of_merit(conversion.operating_point(derivation, {"P_pump": p}))  # noqa: E731
    low, high = PUMP_RANGE
    if merit(high)["R_d"] > dark_count_bound:
        if merit(low)["R_d"] > dark_count_bound:
            return float("nan"), float("nan"), float("nan")
        high = brentq(lambda lp: merit(10**lp)["R_d"] - dark_count_bound, np.log10(low), np.log10(high), xtol=1e-6)
        high = 10**high
    best = minimize_scalar(lambda lp: -merit(10**lp)["P_coh"], bounds=(np.log10(low), np.log10(high)),
                           method="bounded", options={"xatol": 1e-4})
    p = 10**best.x
    at = merit(p)
    return float(p), at["P_coh"], at["R_d"]


def pump_optimiser(derivation: Derivation, points: int = 30) -> Figure:
    """``P_coh`` versus pump with the optimum under each dark-count bound marked."""
    powers = np.geomspace(*PUMP_RANGE, points)
    grid = metric_grid(derivation, {"P_pump": powers})
    series = [Series(powers, grid["P_coh"].values, "P_coh")]
    for bound in DARK_COUNT_BOUNDS:
        p, coherent, dark = optimal_pump(derivation, bound)
        series.append(Series(np.array([p]), np.array([coherent]), f"optimum, R_d <= {bound:g} Hz: "
                             f"{p * 1e12:.3g} pW, P_coh {coherent:.3f}", points=True))
    panel = CurvePanel(Axis("pump power", "W", log=True), Axis("P_coh"), tuple(series),
                       title="pump optimiser under a dark-count bound")
    return Figure("pump_optimiser", "maximum P_coh under a dark-count bound", (panel,))


def figures(derivation: Derivation, validation: Validation | None,
            options: ValidationOptions = FULL) -> tuple[Figure, ...]:
    """Pump curves, dephasing and detuning maps (efficiency, coherent fraction, fidelity, heralding), optimiser."""
    if validation is not None and "bandwidth_Hz" in validation.metrics:
        width = validation.metrics["bandwidth_Hz"]
    else:
        width, _ = conversion.bandwidth(derivation, TWO_PI * 40e6)
    dephasing = dephasing_grid(derivation)
    detuning = detuning_grid(derivation)
    d_labels = ("gamma1_phi", "gamma2_phi", "gamma1_phi / 2pi", "gamma2_phi / 2pi")
    w_labels = ("dw10", "dw20", "dw10 / 2pi", "dw20 / 2pi")
    return (
        pump_curve(derivation),
        Figure("dephasing_maps", "efficiency under pure dephasing (source Fig. 2c, d)",
               _map_panels(dephasing, *d_labels, "dephasing")),
        Figure("detuning_maps", "efficiency under static detunings (source Fig. 2e, f)",
               _map_panels(detuning, *w_labels, "detuning")),
        Figure("fidelity_dephasing", "single-click fidelity and heralding rate, dephasing at node A (Fig. 3b, c)",
               _fidelity_panels(derivation, dephasing, *d_labels, width, "dephasing")),
        Figure("fidelity_detuning", "single-click fidelity and heralding rate, detuning at node A (Fig. 3d, e)",
               _fidelity_panels(derivation, detuning, *w_labels, width, "detuning")),
        pump_optimiser(derivation),
    )
