"""Figures of the laser: photon number and linewidth versus pump for N = 1..1000, error versus N.

Curves come from the compiled second-order equations (one Newton continuation per atom number for
the photon number; the regression theorem at fewer pumps for the linewidth); the exact points from
the full master equation (tensor product) where it is affordable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qderive.numeric import moment_spectrum, steady_state_sweep

from ..contract import FULL, Derivation, Validation, ValidationOptions
from ..plotting import Axis, CurvePanel, Figure, Series
from .model import CAVITY
from .validation import MAX_TENSOR, error_versus_atom_number, exact_solution, full_linewidth, tolerance

ATOM_NUMBERS = (1, 10, 100, 1000)


def pump_grid(derivation: Derivation, points: int = 400) -> np.ndarray:
    """Pumps from 0.01 to 30 times the cavity decay rate (log-spaced).

    Examples
    --------
    >>> from qderive.derivations.contract import Derivation
    >>> from qderive.derivations.laser import Laser
    >>> system = Laser()
    >>> d = Derivation("laser", "", system.parameter_set(), (), (), {})
    >>> pumps = pump_grid(d, 5) / system.defaults["kappa"]
    >>> float(pumps[0]), float(pumps[-1]), bool(np.allclose(pumps[1:] / pumps[:-1], pumps[1] / pumps[0]))  # log-spaced
    (0.01, 30.0, True)
    """
    return derivation.parameters["kappa"] * np.geomspace(0.01, 30.0, points)


def photon_number_and_linewidth(derivation: Derivation, validation: Validation | None, *, points: int = 400,
                                atom_numbers: Sequence[int] = ATOM_NUMBERS) -> Figure:
    """``<a^+ a>`` and the emission linewidth versus pump (order 2), exact points for small N.

    The order-2 curves at ``points`` pumps (linewidths at every 20th) for each of ``atom_numbers`` and the
    user's ``N``; exact points from the full master equation for ``N = 1`` and for the user's ``N`` where the
    tensor product is affordable.

    Examples
    --------
    >>> from qderive.derivations.laser import Laser
    >>> system = Laser()
    >>> derivation = system.derive(system.parameter_set({"N": 1}))
    >>> figure = photon_number_and_linewidth(derivation, None, points=9, atom_numbers=(1,))
    >>> [panel.y_axis.label for panel in figure.panels]
    ['photon number <a^+ a>', 'linewidth (FWHM) / kappa']
    >>> order2, exact = figure.panels[0].series
    >>> order2.label, exact.label
    ('N = 1 (order 2)', 'N = 1 exact')
    >>> [0 < int(np.argmax(s.y)) < len(s.y) - 1 for s in (order2, exact)]  # both quench at strong pump
    [True, True]
    """
    symbolic = derivation.data["symbolic"]
    system, regression = symbolic["system"], symbolic["regression"]
    values = dict(derivation.parameters.values)
    kappa = values["kappa"]
    pumps = pump_grid(derivation, points)
    photon_series, width_series = [], []
    a = CAVITY.a
    for count in sorted(set(atom_numbers) | {int(round(values["N"]))}):
        point = values | {"N": float(count)}
        states = steady_state_sweep(system, point, "nu", pumps)
        photons = np.array([system.average(a.dag() * a, y).real for y in states])
        photon_series.append(Series(pumps / kappa, photons, f"N = {count} (order 2)"))
        subset = np.arange(0, len(pumps), 20)
        widths = [moment_spectrum(regression, point | {"nu": pumps[i]}, states[i], [values["Delta_c"]]).linewidth
                  for i in subset]
        width_series.append(Series(pumps[subset] / kappa, np.array(widths) / kappa, f"N = {count}"))
    for count in sorted({1, int(round(values["N"]))} & set(range(1, MAX_TENSOR + 1))):
        exact_pumps = kappa * (np.geomspace(0.05, 20.0, 6) if count == 1 else np.geomspace(0.05, 5.0, 4))
        exact = [exact_solution(values | {"N": float(count), "nu": nu}, 1.0 + count * nu / kappa)["n"]
                 for nu in exact_pumps]
        photon_series.append(Series(exact_pumps / kappa, np.array(exact), f"N = {count} exact", points=True))
    single = values | {"N": 1.0}
    exact_pumps = kappa * np.geomspace(0.05, 5.0, 4)
    exact_widths = []
    for nu in exact_pumps:
        point = single | {"nu": nu}
        state = steady_state_sweep(system, point, "nu", [nu])[0]
        guess = moment_spectrum(regression, point, state, [values["Delta_c"]]).linewidth
        exact_widths.append(full_linewidth(point, 1.0 + nu / kappa, guess))
    width_series.append(Series(exact_pumps / kappa, np.array(exact_widths) / kappa, "N = 1 exact", points=True))
    photons = CurvePanel(Axis("pump nu / kappa", log=True), Axis("photon number <a^+ a>", log=True),
                         tuple(photon_series), title=f"g = {values['g'] / kappa:.3g} kappa")
    widths = CurvePanel(Axis("pump nu / kappa", log=True), Axis("linewidth (FWHM) / kappa", log=True),
                        tuple(width_series), title="regression theorem on the order-2 equations")
    return Figure("photon_number_linewidth", "photon number and linewidth versus pump", (photons, widths),
                  caption="second-order cumulant expansion at the user's g, kappa, gamma, chi and detunings; "
                          "points: full master equation (tensor product; linewidth: FWHM of its spectrum)")


def error_versus_n(derivation: Derivation, validation: Validation | None) -> Figure:
    """Relative error of the order-2 photon number versus N at fixed ``g sqrt(N)``.

    Examples
    --------
    >>> from qderive.derivations.contract import Derivation, Validation
    >>> from qderive.derivations.laser import Laser
    >>> system = Laser()
    >>> d = Derivation("laser", "", system.parameter_set(), (), (), {})
    >>> scaling = {"rel_error_n_cumulant_N2": 0.1, "rel_error_n_cumulant_N10": 0.02}  # from a full validation
    >>> (panel,) = error_versus_n(d, Validation("laser", {}, 0.0, 1.0, "", scaling=scaling)).panels
    >>> panel.series[0].x.tolist(), panel.series[1].y.tolist()  # the errors, and the stated tolerance min(0.25, 0.6/N)
    ([2.0, 10.0], [0.25, 0.06])
    """
    scaling = dict(validation.scaling) if validation is not None else {}
    counts = sorted(int(k.rsplit("N", 1)[1]) for k in scaling if k.startswith("rel_error_n_cumulant_N"))
    if counts:
        errors = [scaling[f"rel_error_n_cumulant_N{c}"] for c in counts]
    else:
        counts, errors = error_versus_atom_number(derivation, range(1, MAX_TENSOR + 1))
    counts_array = np.array(counts, dtype=float)
    series = (Series(counts_array, np.array(errors), "order 2 vs exact", points=True),
              Series(counts_array, np.array([tolerance(c) for c in counts]), "stated tolerance min(0.25, 0.6/N)"))
    panel = CurvePanel(Axis("number of atoms N", log=True), Axis("relative error of <a^+ a>", log=True), series,
                       title="fixed collective coupling g sqrt(N)")
    return Figure("cumulant_error_vs_N", "error of the cumulant expansion versus N", (panel,))


def figures(derivation: Derivation, validation: Validation | None, options: ValidationOptions = FULL, *,
            points: int = 400, atom_numbers: Sequence[int] = ATOM_NUMBERS) -> tuple[Figure, ...]:
    """The figures of a laser report: photon number and linewidth versus pump (``points`` pumps, see
    :func:`photon_number_and_linewidth`), and the error versus N (from ``validation`` where it has the errors).

    Examples
    --------
    >>> from qderive.derivations.laser import Laser
    >>> system = Laser()
    >>> derivation = system.derive(system.parameter_set({"N": 1}))
    >>> errors = Validation("laser", {}, 0.0, 1.0, "", scaling={"rel_error_n_cumulant_N2": 0.1})  # as validated
    >>> drawn = figures(derivation, errors, points=9, atom_numbers=(1,))
    >>> [figure.name for figure in drawn]
    ['photon_number_linewidth', 'cumulant_error_vs_N']
    """
    return (photon_number_and_linewidth(derivation, validation, points=points, atom_numbers=atom_numbers),
            error_versus_n(derivation, validation))


__all__ = ["ATOM_NUMBERS", "error_versus_n", "figures", "photon_number_and_linewidth", "pump_grid"]
