"""Figures of transducer001 (source Figs. 2b-f, 3b-e and beyond), drawn by the shared plotting module.

Every map is a 40 x 40 grid (9 x 9 with the quick options) of :func:`~.sweeps.metric_grid` (compiled
rates and tensor filler, one harmonic-balance solve per point). Frequencies and rates on the axes are
``x / 2 pi`` in MHz.
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
QUICK_MAP_POINTS = 9  # with ``options.quick``; odd, so the detuning maps contain the resonant point
TWO_PI = 2 * np.pi
PUMP_RANGE = (1e-12, 1e-8)  # W: 1 pW .. 10 nW
DARK_COUNT_BOUNDS = (10.0, 41.0)  # Hz: a tight bound, and the source's R_d at 55 pW


def pump_curve(derivation: Derivation, points: int = 30) -> Figure:
    """``P_coh``, ``P_tot`` and the dark count rate versus pump power (source Fig. 2b), log axis 1 pW .. 10 nW.

    Examples
    --------
    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.figures import pump_curve
    >>> figure = pump_curve(derivation, points=3)  # 1 pW, 100 pW, 10 nW
    >>> figure.name, [panel.title for panel in figure.panels]
    ('pump_power', ['conversion efficiency', 'dark counts'])
    >>> coherent, total, marker = figure.panels[0].series
    >>> bool(np.all(coherent.y < total.y)), bool(np.all(np.diff(figure.panels[1].series[0].y) > 0))  # R_d grows
    (True, True)
    >>> float(marker.x[0]), round(float(marker.y[0]), 2)  # the derivation's own pump, 55 pW, and its P_coh
    (5.5e-11, 0.55)
    """
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
    """The 40 x 40 grid over ``gamma1_phi`` (10 kHz..10 MHz) and ``gamma2_phi`` (100 kHz..100 MHz), x 2 pi.

    Examples
    --------
    Pure dephasing of either level only destroys coherence, so ``P_coh`` falls along both axes:

    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.figures import dephasing_grid
    >>> grid = dephasing_grid(derivation, points=3)
    >>> dict(grid["P_coh"].sizes)
    {'gamma1_phi': 3, 'gamma2_phi': 3}
    >>> coherent = grid["P_coh"].values
    >>> bool(np.all(np.diff(coherent, axis=0) < 0) and np.all(np.diff(coherent, axis=1) < 0))
    True
    """
    return metric_grid(derivation, {"gamma1_phi": TWO_PI * np.geomspace(1e4, 1e7, points),
                                    "gamma2_phi": TWO_PI * np.geomspace(1e5, 1e8, points)})


def detuning_grid(derivation: Derivation, points: int = MAP_POINTS):
    """The 40 x 40 grid over ``dw10`` (+-5 MHz) and ``dw20`` (+-30 MHz), x 2 pi.

    Examples
    --------
    A static detuning of either NV transition moves it off the signal or the pump: the resonant centre is
    the best point.

    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.figures import detuning_grid
    >>> grid = detuning_grid(derivation, points=3)  # -5, 0, 5 MHz by -30, 0, 30 MHz
    >>> coherent = grid["P_coh"].values
    >>> [int(k) for k in np.unravel_index(np.argmax(coherent), coherent.shape)], round(float(coherent[1, 1]), 2)
    ([1, 1], 0.55)
    """
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
    then maximised over ``log P`` on the allowed interval (bounded scalar optimisation). ``nan`` for all
    three when even 1 pW exceeds the bound.

    Examples
    --------
    A 10 Hz bound is active (the optimum sits on it); 41 Hz is not, the unconstrained optimum (~27 pW) has
    fewer dark counts:

    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.figures import optimal_pump
    >>> tight, loose = optimal_pump(derivation, 10.0), optimal_pump(derivation, 41.0)
    >>> round(tight[2], 1), tight[0] < loose[0], tight[1] < loose[1]  # R_d at the optimum, Hz
    (10.0, True, True)
    >>> bool(loose[2] < 41.0), round(loose[0] * 1e12)  # pW
    (True, 27)
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
    """``P_coh`` versus pump with the optimum under each dark-count bound marked.

    The bounds are :data:`DARK_COUNT_BOUNDS` (10 Hz and the source's 41 Hz).

    Examples
    --------
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.figures import pump_optimiser
    >>> panel, = pump_optimiser(derivation, points=3).panels
    >>> curve, *optima = panel.series
    >>> [s.label.split(":")[0] for s in optima]
    ['optimum, R_d <= 10 Hz', 'optimum, R_d <= 41 Hz']
    >>> bool(optima[-1].y[0] >= curve.y.max())  # the optimum beats every sampled pump power
    True
    """
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
    """Pump curves, dephasing and detuning maps (efficiency, coherent fraction, fidelity, heralding), optimiser.

    The maps are :data:`MAP_POINTS` square, :data:`QUICK_MAP_POINTS` with ``options.quick``. The bandwidth
    (fixing each node's detection window) is the validation's if it has one, else computed here.

    Examples
    --------
    >>> import numpy as np
    >>> from qderive.derivations.contract import QUICK
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.figures import figures
    >>> drawn = figures(derivation, None, QUICK)
    >>> [f.name for f in drawn]
    ['pump_power', 'dephasing_maps', 'detuning_maps', 'fidelity_dephasing', 'fidelity_detuning', 'pump_optimiser']
    >>> coherent, fraction = drawn[2].panels  # detuning maps: P_coh and P_coh/P_tot, 9 x 9
    >>> coherent.values.shape, bool(np.all((0 < fraction.values) & (fraction.values < 1)))
    ((9, 9), True)
    >>> fidelity = drawn[4].panels[0].values  # node A detuned, node B at the derivation's point
    >>> bool(fidelity[4, 4] == fidelity.max())  # both nodes identical at the centre: the best fidelity
    True
    """
    if validation is not None and "bandwidth_Hz" in validation.metrics:
        width = validation.metrics["bandwidth_Hz"]
    else:
        width, _ = conversion.bandwidth(derivation, TWO_PI * 40e6)
    points = QUICK_MAP_POINTS if options.quick else MAP_POINTS
    dephasing = dephasing_grid(derivation, points)
    detuning = detuning_grid(derivation, points)
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
