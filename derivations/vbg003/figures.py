"""vbg003 figures: far-field images for every pump configuration, and robustness to pump phase errors.

The far-field images use the compiled dominant-order Bessel kernel on the plane of transverse
direction cosines ``(sin theta cos phi, sin theta sin phi)``; each panel's title carries the lobe
count of the configuration table and the count read off the image itself (they must agree).
The robustness figure is a Monte Carlo over random per-site pump phases (exact dipole sum) against
the analytic mean ``e^{-sigma^2} + (1 - e^{-sigma^2}) / N`` of the on-axis peak.
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from ..contract import FULL, Derivation, Validation, ValidationOptions
from ..plotting import Axis, CurvePanel, Figure, MapPanel, Series
from .farfield import count_lobes, dipole_sum_intensity, intensity_kernel, model_intensity

GRID = 81


def far_field_image(derivation: Derivation, row: dict, kernel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(u, I, valid)``: intensity on the direction-cosine plane for one configuration row.

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> from qderive.derivations.vbg003.farfield import intensity_kernel
    >>> system = VirtualBraggGrating()
    >>> d = system.derive(system.parameter_set())
    >>> row = next(r for r in d.data["table"] if r["N"] == 23)
    >>> u, image, valid = far_field_image(d, row, intensity_kernel())
    >>> image.shape, float(image[valid].max()), bool(image[GRID // 2, GRID // 2] > 0)  # peak 1; bright on axis
    ((81, 81), 1.0, True)
    """
    u = np.linspace(-1, 1, GRID)
    U, V = np.meshgrid(u, u)
    rho = np.hypot(U, V)
    valid = rho < 1
    theta = np.arcsin(np.clip(rho, 0, 1))
    image = model_intensity(kernel, derivation, row, theta, np.arctan2(V, U), {"N": row["N"]})
    return u, image / max(image.max(), 1e-300), valid


def lobes_in_model(derivation: Derivation, row: dict, kernel) -> int:
    """Lobes counted on rings of the drawn (model) far field.

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> from qderive.derivations.vbg003.farfield import intensity_kernel
    >>> system = VirtualBraggGrating()
    >>> d = system.derive(system.parameter_set())
    >>> kernel = intensity_kernel()
    >>> [(r["N"], r["lobes"], lobes_in_model(d, r, kernel)) for r in d.data["table"] if r["N"] in (21, 23)]
    [(21, 0, 0), (23, 4, 4)]
    """
    theta = np.linspace(0.01, np.pi / 2 * 0.99, 90)
    azimuth = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    T, A = np.meshgrid(theta, azimuth, indexing="ij")
    return count_lobes(model_intensity(kernel, derivation, row, T, A, {"N": row["N"]}))


def configuration_images(derivation: Derivation) -> Figure:
    """Far-field intensity for N = m - 8 .. m + 8 (grid of panels), lobes stated and counted.

    Examples
    --------
    >>> import dataclasses
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> d = system.derive(system.parameter_set())
    >>> len(d.data["table"])  # one panel per N = m - 8 .. m + 8
    17
    >>> two_rows = dataclasses.replace(d, data={**d.data, "table": d.data["table"][8:11:2]})  # N = 21, 23 only
    >>> [panel.title for panel in configuration_images(two_rows).panels]  # stated and counted lobes agree
    ['N = 21: lobes 0 (counted 0)', 'N = 23: lobes 4 (counted 4) (on axis)']
    """
    kernel = intensity_kernel()
    panels = []
    for row in derivation.data["table"]:
        u, image, valid = far_field_image(derivation, row, kernel)
        counted = lobes_in_model(derivation, row, kernel)
        axis = (" (on axis)" if row["on_axis"] else "") + ("" if row["in_regime"] else " [outside regime]")
        panels.append(MapPanel(Axis("sin(theta) cos(phi)"), Axis("sin(theta) sin(phi)"), Axis("intensity (peak 1)"),
                               u, u, image, valid=valid,
                               title=f"N = {row['N']}: lobes {row['lobes']} (counted {counted}){axis}"))
    title = f"far field per pump configuration, m = {int(derivation.parameters['m'])}"
    return Figure("far_field_configurations", title, tuple(panels), columns=6)


def phase_error_robustness(derivation: Derivation, samples: int = 200, progress: bool = False) -> Figure:
    """On-axis peak (exact dipole sum) under random per-site pump phases vs the analytic mean.

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> (panel,) = phase_error_robustness(system.derive(system.parameter_set()), samples=20).panels
    >>> monte_carlo, analytic = panel.series
    >>> round(float(monte_carlo.y[0]), 12), bool(np.abs(monte_carlo.y - analytic.y).max() < 0.15)  # exact at 0
    (1.0, True)
    """
    N = int(derivation.parameters["N"])
    sigmas = np.linspace(0, 1.0, 11)
    rng = np.random.default_rng(0)
    ideal = float(dipole_sum_intensity(derivation, np.array(0.0), np.array(0.0)))
    means = []
    for sigma in tqdm(sigmas, desc="vbg003 phase errors", disable=not progress):
        draws = [float(dipole_sum_intensity(derivation, np.array(0.0), np.array(0.0),
                                            phase_errors=rng.normal(0, sigma, N))) for _ in range(samples)]
        means.append(np.mean(draws) / ideal if ideal > 0 else 0.0)
    analytic = np.exp(-sigmas**2) + (1 - np.exp(-sigmas**2)) / N
    panel = CurvePanel(Axis("pump phase error sigma", "rad"), Axis("mean on-axis peak / ideal"),
                       (Series(sigmas, np.array(means), f"Monte Carlo, {samples} draws", points=True),
                        Series(sigmas, analytic, "exp(-s^2) + (1 - exp(-s^2))/N")),
                       title=f"N = {N}")
    return Figure("phase_error_robustness", "far-field peak under random pump phase errors", (panel,))


def figures(derivation: Derivation, validation: Validation | None,
            options: ValidationOptions = FULL) -> tuple[Figure, ...]:
    """The configuration images; the robustness curve when the configuration radiates on axis.

    Examples
    --------
    >>> import dataclasses
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> d = system.derive(system.parameter_set({"N": 21}))
    >>> one_row = dataclasses.replace(d, data={**d.data, "table": d.data["table"][8:9]})  # draw one panel only
    >>> [f.name for f in figures(one_row, None)]  # not on axis: no robustness curve
    ['far_field_configurations']
    """
    out = [configuration_images(derivation)]
    if derivation.value("on_axis"):
        out.append(phase_error_robustness(derivation, progress=options.progress))
    return tuple(out)
