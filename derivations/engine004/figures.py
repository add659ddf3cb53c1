"""Figures of engine004 as plot data: the source's Fig. 3a-c and two maps the source does not show.

The maps come from sweeps (:mod:`qderive.derivations.sweep`) of the derivation's compiled
closed form ``C_ss``; the optimal-coupling curve is ``x_opt Gamma1(conc)``; the transients and the
curves with spin-lattice relaxation and dephasing come from the full master equation (time
evolution and models beyond the derivation, not results that a sweep evaluates). The user's
``Gamma1`` is the rate at the user's ``conc``; other concentrations scale it linearly (source Eq. 18).
"""

from __future__ import annotations

import numpy as np

from qderive.numeric import concurrence, steady_state
from qderive.symbolic import ParameterSet

from ..contract import FULL, Derivation, Validation, ValidationOptions
from ..plotting import Axis, CurvePanel, Figure, MapPanel, Series
from .model import full_fock_model, relaxation_and_dephasing
from .validation import transient_concurrence

CONCENTRATIONS = (0.011, 0.03, 0.05, 0.10)


def steady_concurrence(derivation: Derivation, grid: dict[str, np.ndarray]) -> np.ndarray:
    """Closed-form ``C_ss`` over ``grid`` (swept parameter -> values), by the sweep facility.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> system = Engine004()
    >>> derivation = system.derive(system.parameter_set())
    >>> g_opt = derivation.data["x_opt"] * derivation.parameters["Gamma1"]
    >>> C = steady_concurrence(derivation, {"g": np.array([0.5, 1.0, 2.0]) * g_opt})
    >>> bool(C[1] > C[0] and C[1] > C[2])  # the closed form peaks at the optimal coupling
    True
    >>> round(float(C[1]) / derivation.value("C_ss_max"), 9)  # and its peak is the derived maximum
    1.0
    """
    from ..sweep import sweep  # xarray is imported when a figure is drawn, not by every command

    return sweep(derivation, grid, results=["C_ss"], progress=False)["C_ss"].values


def rate_at(parameters: ParameterSet, conc: float | np.ndarray) -> float | np.ndarray:
    """``Gamma1`` at another concentration: the user's rate scaled linearly from the user's ``conc`` (Eq. 18).

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> parameters = Engine004().parameter_set({"Gamma1": 2.5e5, "conc": 0.011})
    >>> rate_at(parameters, np.array([0.011, 0.022])).tolist()  # linear in the 13C concentration (Eq. 18)
    [250000.0, 500000.0]
    """
    return parameters["Gamma1"] * np.asarray(conc) / parameters["conc"]


def concurrence_map(derivation: Derivation) -> Figure:
    """Source Fig. 3a: ``C_ss`` over cold-bath polarisation and coupling.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> system = Engine004()
    >>> derivation = system.derive(system.parameter_set())
    >>> (panel,) = concurrence_map(derivation).panels
    >>> panel.values.shape  # (p_R, g)
    (201, 241)
    >>> ratio = panel.values.max() / derivation.value("C_ss_max")  # the grid holds the user's p_R = 1 and g near g_opt
    >>> bool(0.999 < ratio <= 1.0)
    True
    """
    p = derivation.parameters
    G = p["Gamma1"]
    pR = np.linspace(0.9, 1.0, 201)
    g = np.linspace(1e-3, 0.8, 241) * G
    C = steady_concurrence(derivation, {"pR": pR, "g": g})
    panel = MapPanel(Axis("g", "10^3 rad/s"), Axis("p_R"), Axis("steady-state concurrence"), g / 1e3, pR, C,
                     title=f"Gamma1 = {G:.3g} rad/s, pL = {p['pL']:g}")
    return Figure("fig3a_concurrence_map", "steady-state concurrence (source Fig. 3a)", (panel,))


def optimal_coupling_curve(derivation: Derivation) -> Figure:
    """Source Fig. 3b: optimal ``g`` versus 13C concentration (``g_opt = x_opt Gamma1(conc)``).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.derivations.contract import Derivation, Quantity
    >>> from qderive.derivations.engine004 import Engine004
    >>> parameters = Engine004().parameter_set()
    >>> d = Derivation("engine004", "", parameters, (), (), {"C_ss_max": Quantity(sp.Symbol("C"), "", 0.04)},
    ...                data={"x_opt": 0.224})
    >>> (panel,) = optimal_coupling_curve(d).panels
    >>> (series,) = panel.series
    >>> bool(np.allclose(series.y * 1e3, 0.224 * rate_at(parameters, series.x / 100)))  # g_opt = x_opt Gamma1(conc)
    True
    """
    p, x_opt = derivation.parameters, derivation.data["x_opt"]
    conc = np.linspace(0.005, 0.10, 100)
    series = Series(conc * 100, x_opt * rate_at(p, conc) / 1e3, "g_opt")
    panel = CurvePanel(Axis("13C concentration", "%"), Axis("g_opt", "10^3 rad/s"), (series,),
                       title=f"g_opt = {x_opt:.4f} Gamma1, C_max = {derivation.value('C_ss_max'):.4f}")
    return Figure("fig3b_optimal_coupling", "optimal coupling (source Fig. 3b)", (panel,))


def transients(derivation: Derivation) -> Figure:
    """Source Fig. 3c: ``C(t)`` from the thermal product state for several concentrations at their ``g_opt``.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> system = Engine004()
    >>> derivation = system.derive(system.parameter_set())
    >>> (panel,) = transients(derivation).panels
    >>> [series.label for series in panel.series]
    ['1.1 %', '3 %', '5 %', '10 %']
    >>> (steady, _), = panel.reference_lines
    >>> late = panel.series[0].y[-1]  # the full master equation after 8 / Gamma1 relaxes to the closed form
    >>> bool(abs(late / steady - 1) < 1e-3)
    True
    >>> round(float(panel.series[0].y.max() / steady), 1)  # on the way it overshoots to twice the steady value
    2.1
    """
    p, x_opt = derivation.parameters, derivation.data["x_opt"]
    times = np.linspace(0, 8 / rate_at(p, CONCENTRATIONS[0]), 801)
    series = []
    for conc in CONCENTRATIONS:
        G = float(rate_at(p, conc))
        point = p.replace(Gamma1=G, g=x_opt * G, conc=conc)
        series.append(Series(times * 1e6, transient_concurrence(point, times), f"{conc * 100:g} %"))
    steady = float(steady_concurrence(derivation, {"g": np.array([x_opt * p["Gamma1"]])})[0])
    panel = CurvePanel(Axis("t", "us"), Axis("concurrence"), tuple(series), title=f"g = g_opt, pR = {p['pR']:g}",
                       reference_lines=((steady, "steady state"),))
    return Figure("fig3c_transients", "transient concurrence (source Fig. 3c)", (panel,))


def relaxation_and_dephasing_curves(derivation: Derivation) -> Figure:
    """Beyond the source: ``C_ss`` vs ``g`` with spin-lattice relaxation and pure dephasing (full numerics).

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> system = Engine004()
    >>> derivation = system.derive(system.parameter_set())
    >>> (panel,) = relaxation_and_dephasing_curves(derivation).panels
    >>> negligible = panel.series[0]  # both extra rates 1e-9 Gamma1: the full model's steady states ...
    >>> closed_form = steady_concurrence(derivation, {"g": negligible.x * derivation.parameters["Gamma1"]})
    >>> bool(np.max(np.abs(negligible.y - closed_form)) < 1e-6)  # ... reproduce the derived C_ss
    True
    >>> float(panel.series[2].y.max())  # spin-lattice relaxation at 0.1 Gamma1 leaves no entanglement
    0.0
    """
    p = derivation.parameters
    G = p["Gamma1"]
    x = np.linspace(0.02, 1.0, 25)
    extra = relaxation_and_dephasing()
    series = []
    for relaxation, dephasing in ((1e-9, 1e-9), (0.02, 1e-9), (0.1, 1e-9), (1e-9, 0.1), (1e-9, 0.5)):
        values = {"Gamma_SL": relaxation * G, "gamma_phi": dephasing * G}
        C = [concurrence(steady_state(full_fock_model(p.replace(g=xi * G), extra=extra, extra_values=values)))
             for xi in x]
        series.append(Series(x, np.array(C), f"Gamma_SL = {relaxation:.2g}, gamma_phi = {dephasing:.2g} (Gamma1)"))
    panel = CurvePanel(Axis("g/Gamma1"), Axis("steady-state concurrence"), tuple(series), title=f"pR = {p['pR']:g}")
    return Figure("relaxation_dephasing", "concurrence with spin-lattice relaxation and dephasing", (panel,))


def polarisation_region(derivation: Derivation) -> Figure:
    """Beyond the source: ``max_g C_ss`` over both bath polarisations, negative temperatures included.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> system = Engine004()
    >>> derivation = system.derive(system.parameter_set())
    >>> (panel,) = polarisation_region(derivation).panels
    >>> float(panel.x[80]), float(panel.y[80]), float(panel.values[80, 80])  # unpolarised baths: no entanglement
    (0.0, 0.0, 0.0)
    >>> bool(panel.values.max() > derivation.value("C_ss_max"))  # opposite polarisations beat the default (0, 1)
    True
    """
    p = np.linspace(-0.999, 0.999, 161)
    x = np.linspace(0.005, 3.0, 300)
    C = steady_concurrence(derivation, {"pL": p, "pR": p, "g": x * derivation.parameters["Gamma1"]}).max(axis=2)
    panel = MapPanel(Axis("p_L (hot; p < 0: negative temperature)"), Axis("p_R"), Axis("max_g C_ss"), p, p, C.T,
                     title="entanglement region", contours=(1e-6,))
    return Figure("polarisation_region", "entanglement region over both bath polarisations", (panel,))


def figures(derivation: Derivation, validation: Validation | None,
            options: ValidationOptions = FULL) -> tuple[Figure, ...]:
    """All five figures.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> system = Engine004()
    >>> derivation = system.derive(system.parameter_set())
    >>> [figure.name for figure in figures(derivation, None)]
    ['fig3a_concurrence_map', 'fig3b_optimal_coupling', 'fig3c_transients', 'relaxation_dephasing',
     'polarisation_region']
    """
    return (concurrence_map(derivation), optimal_coupling_curve(derivation), transients(derivation),
            relaxation_and_dephasing_curves(derivation), polarisation_region(derivation))
