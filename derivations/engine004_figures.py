"""Figures of the engine004 derivation: the source's Fig. 3a-c and two maps the source does not show.

Every curve is evaluated from the derived closed form, except the transients and the curves with
spin-lattice relaxation and dephasing, which come from the full master equation.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - backend chosen first
import numpy as np  # noqa: E402

from qderive.numeric import concurrence, steady_state  # noqa: E402
from qderive.symbolic import Dissipator, ParameterSet  # noqa: E402

from . import engine004 as engine  # noqa: E402

CONCENTRATIONS = (0.011, 0.03, 0.05, 0.10)


def _concurrence_of_ratio(pL: float | np.ndarray, pR: float | np.ndarray, x: np.ndarray) -> np.ndarray:
    """Closed-form ``C_ss`` as a function of ``x = g / Gamma1`` (it depends on nothing else)."""
    witness, _ = engine.concurrence_kernels()
    return 2 * np.maximum(0.0, witness(x, pL, pR))


def _rate(conc: float) -> float:
    """Gamma1 scaled with concentration, source Eq. 18."""
    return conc / engine.NATURAL_CONC * engine.RATE_AT_NATURAL


def figure_concurrence_map(parameters: ParameterSet, path: Path) -> Path:
    """Source Fig. 3a: ``C_ss`` over cold-bath polarisation and coupling."""
    G = parameters["Gamma1"]
    pR = np.linspace(0.9, 1.0, 201)
    g = np.linspace(1e-3, 0.8, 241) * G
    C = _concurrence_of_ratio(parameters["pL"], pR[:, None], g[None, :] / G)
    fig, ax = plt.subplots(figsize=(5, 4))
    image = ax.contourf(g / 1e3, pR, C, levels=30, cmap="viridis")
    fig.colorbar(image, label="steady-state concurrence")
    ax.set(
        xlabel=r"$g$ ($10^3$ rad/s)",
        ylabel=r"$p_R$",
        title=f"$\\Gamma_1$ = {G:.3g} s$^{{-1}}$, $p_L$ = {parameters['pL']:g}",
    )
    return _save(fig, path)


def figure_optimal_coupling(parameters: ParameterSet, path: Path) -> Path:
    """Source Fig. 3b: optimal ``g`` versus 13C concentration (``g_opt = x_opt Gamma1(conc)``)."""
    x_opt, w_max = engine.optimal_coupling(parameters["pL"], parameters["pR"])
    conc = np.linspace(0.005, 0.10, 100)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.plot(conc * 100, x_opt * _rate(1.0) * conc / 1e3)
    ax.set(
        xlabel="13C concentration (%)",
        ylabel=r"$g_{opt}$ ($10^3$ rad/s)",
        title=f"$g_{{opt}}$ = {x_opt:.4f} $\\Gamma_1$, $C_{{max}}$ = {2 * max(w_max, 0):.4f}",
    )
    return _save(fig, path)


def figure_transients(parameters: ParameterSet, path: Path) -> Path:
    """Source Fig. 3c: ``C(t)`` from the thermal product state for several concentrations at their ``g_opt``."""
    x_opt, _ = engine.optimal_coupling(parameters["pL"], parameters["pR"])
    fig, ax = plt.subplots(figsize=(5, 4))
    times = np.linspace(0, 8 / _rate(CONCENTRATIONS[0]), 801)
    for conc in CONCENTRATIONS:
        G = _rate(conc)
        point = parameters.replace(Gamma1=G, g=x_opt * G, conc=conc)
        ax.plot(times * 1e6, engine.transient_concurrence(point, times), label=f"{conc * 100:g} %")
    C_inf = _concurrence_of_ratio(parameters["pL"], parameters["pR"], np.array([x_opt]))[0]
    ax.axhline(C_inf, color="k", ls="--", lw=0.8, label="steady state")
    ax.set(xlabel=r"$t$ ($\mu$s)", ylabel="concurrence", title=f"$g = g_{{opt}}$, $p_R$ = {parameters['pR']:g}")
    ax.legend()
    return _save(fig, path)


def figure_relaxation_and_dephasing(parameters: ParameterSet, path: Path) -> Path:
    """Beyond the source: ``C_ss`` vs ``g`` with spin-lattice relaxation and pure dephasing (full numerics)."""
    G = parameters["Gamma1"]
    x = np.linspace(0.02, 1.0, 25)
    sL, sR = engine.LEFT.sigma("g", "e"), engine.RIGHT.sigma("g", "e")
    Gsl, gphi = engine.EXTRA_RATES["Gamma_SL"].symbol, engine.EXTRA_RATES["gamma_phi"].symbol
    extra = (
        Dissipator(Gsl / 2, sL, "sl_down_L"),
        Dissipator(Gsl / 2, sL.dag(), "sl_up_L"),
        Dissipator(Gsl / 2, sR, "sl_down_R"),
        Dissipator(Gsl / 2, sR.dag(), "sl_up_R"),
        Dissipator(gphi, engine.LEFT.projector("e"), "phi_L"),
        Dissipator(gphi, engine.RIGHT.projector("e"), "phi_R"),
    )
    fig, ax = plt.subplots(figsize=(5, 4))
    for relaxation, dephasing in ((1e-9, 1e-9), (0.02, 1e-9), (0.1, 1e-9), (1e-9, 0.1), (1e-9, 0.5)):
        values = {"Gamma_SL": relaxation * G, "gamma_phi": dephasing * G}
        C = [
            concurrence(
                steady_state(engine.full_fock_model(parameters.replace(g=xi * G), extra=extra, extra_values=values))
            )
            for xi in x
        ]
        ax.plot(x, C, label=rf"$\Gamma_{{SL}}$={relaxation:.2g}, $\gamma_\phi$={dephasing:.2g} ($\Gamma_1$)")
    ax.set(xlabel=r"$g/\Gamma_1$", ylabel="steady-state concurrence", title=f"$p_R$ = {parameters['pR']:g}")
    ax.legend(fontsize=7)
    return _save(fig, path)


def figure_polarisation_region(parameters: ParameterSet, path: Path) -> Path:
    """Beyond the source: ``max_g C_ss`` over both bath polarisations, negative temperatures included."""
    p = np.linspace(-0.999, 0.999, 161)  # at |p| = 1 rounding can make rho_gg rho_ee slightly negative
    x = np.linspace(0.005, 3.0, 300)
    C = _concurrence_of_ratio(p[:, None, None], p[None, :, None], x[None, None, :]).max(axis=2)
    if not np.all(np.isfinite(C)):
        raise ValueError("closed-form concurrence is not finite on the polarisation grid")
    fig, ax = plt.subplots(figsize=(5, 4))
    image = ax.contourf(p, p, C.T, levels=30, cmap="magma")
    ax.contour(p, p, C.T, levels=[1e-6], colors="w", linewidths=0.8)
    fig.colorbar(image, label=r"$\max_g C_{ss}$")
    ax.set(xlabel=r"$p_L$ (hot; $p<0$: negative temperature)", ylabel=r"$p_R$", title="entanglement region")
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def draw_all(parameters: ParameterSet, folder: Path) -> list[Path]:
    folder = Path(folder)
    return [
        figure_concurrence_map(parameters, folder / "fig3a_concurrence_map.png"),
        figure_optimal_coupling(parameters, folder / "fig3b_optimal_coupling.png"),
        figure_transients(parameters, folder / "fig3c_transients.png"),
        figure_relaxation_and_dephasing(parameters, folder / "relaxation_dephasing.png"),
        figure_polarisation_region(parameters, folder / "polarisation_region.png"),
    ]


__all__ = ["draw_all"]
