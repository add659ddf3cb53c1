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
    """Closed-form ``C_ss`` over ``grid`` (swept parameter -> values), by the sweep facility."""
    from ..sweep import sweep  # xarray is imported when a figure is drawn, not by every command

    return sweep(derivation, grid, results=["C_ss"], progress=False)["C_ss"].values


def rate_at(parameters: ParameterSet, conc: float | np.ndarray) -> float | np.ndarray:
    """``Gamma1`` at another concentration: the user's rate scaled linearly from the user's ``conc`` (Eq. 18)."""
    return parameters["Gamma1"] * np.asarray(conc) / parameters["conc"]


def concurrence_map(derivation: Derivation) -> Figure:
    """Source Fig. 3a: ``C_ss`` over cold-bath polarisation and coupling."""
    p = derivation.parameters
    G = p["Gamma1"]
    pR = np.linspace(0.9, 1.0, 201)
    g = np.linspace(1e-3, 0.8, 241) * G
    C = steady_concurrence(derivation, {"pR": pR, "g": g})
    panel = MapPanel(Axis("g", "10^3 rad/s"), Axis("p_R"), Axis("steady-state concurrence"), g / 1e3, pR, C,
                     title=f"Gamma1 = {G:.3g} rad/s, pL = {p['pL']:g}")
    return Figure("fig3a_concurrence_map", "steady-state concurrence (source Fig. 3a)", (panel,))


def optimal_coupling_curve(derivation: Derivation) -> Figure:
    """Source Fig. 3b: optimal ``g`` versus 13C concentration (``g_opt = x_opt Gamma1(conc)``)."""
    p, x_opt = derivation.parameters, derivation.data["x_opt"]
    conc = np.linspace(0.005, 0.10, 100)
    series = Series(conc * 100, x_opt * rate_at(p, conc) / 1e3, "g_opt")
    panel = CurvePanel(Axis("13C concentration", "%"), Axis("g_opt", "10^3 rad/s"), (series,),
                       title=f"g_opt = {x_opt:.4f} Gamma1, C_max = {derivation.value('C_ss_max'):.4f}")
    return Figure("fig3b_optimal_coupling", "optimal coupling (source Fig. 3b)", (panel,))


def transients(derivation: Derivation) -> Figure:
    """Source Fig. 3c: ``C(t)`` from the thermal product state for several concentrations at their ``g_opt``."""
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
    """Beyond the source: ``C_ss`` vs ``g`` with spin-lattice relaxation and pure dephasing (full numerics)."""
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
    """Beyond the source: ``max_g C_ss`` over both bath polarisations, negative temperatures included."""
    p = np.linspace(-0.999, 0.999, 161)
    x = np.linspace(0.005, 3.0, 300)
    C = steady_concurrence(derivation, {"pL": p, "pR": p, "g": x * derivation.parameters["Gamma1"]}).max(axis=2)
    panel = MapPanel(Axis("p_L (hot; p < 0: negative temperature)"), Axis("p_R"), Axis("max_g C_ss"), p, p, C.T,
                     title="entanglement region", contours=(1e-6,))
    return Figure("polarisation_region", "entanglement region over both bath polarisations", (panel,))


def figures(derivation: Derivation, validation: Validation | None,
            options: ValidationOptions = FULL) -> tuple[Figure, ...]:
    """All five figures."""
    return (concurrence_map(derivation), optimal_coupling_curve(derivation), transients(derivation),
            relaxation_and_dephasing_curves(derivation), polarisation_region(derivation))
