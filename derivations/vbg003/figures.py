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
    """``(u, I, valid)``: intensity on the direction-cosine plane for one configuration row."""
    u = np.linspace(-1, 1, GRID)
    U, V = np.meshgrid(u, u)
    rho = np.hypot(U, V)
    valid = rho < 1
    theta = np.arcsin(np.clip(rho, 0, 1))
    image = model_intensity(kernel, derivation, row, theta, np.arctan2(V, U), {"N": row["N"]})
    return u, image / max(image.max(), 1e-300), valid


def lobes_in_model(derivation: Derivation, row: dict, kernel) -> int:
    """Lobes counted on rings of the drawn (model) far field."""
    theta = np.linspace(0.01, np.pi / 2 * 0.99, 90)
    azimuth = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    T, A = np.meshgrid(theta, azimuth, indexing="ij")
    return count_lobes(model_intensity(kernel, derivation, row, T, A, {"N": row["N"]}))


def configuration_images(derivation: Derivation) -> Figure:
    """Far-field intensity for N = m - 8 .. m + 8 (grid of panels), lobes stated and counted."""
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
    """On-axis peak (exact dipole sum) under random per-site pump phases vs the analytic mean."""
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
    """The configuration images; the robustness curve when the configuration radiates on axis."""
    out = [configuration_images(derivation)]
    if derivation.value("on_axis"):
        out.append(phase_error_robustness(derivation, progress=options.progress))
    return tuple(out)
