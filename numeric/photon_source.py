r"""Figures of merit of a triggered single-photon source over a detection gate ``[t_l, t_u]``.

For the port operator ``a`` with decay rate ``kappa`` (``c_out = c_in - i sqrt(kappa) a``):

.. math::
    \beta = \kappa \int_{t_l}^{t_u} \langle a^\dagger a\rangle(t)\, dt, \qquad
    N = \int_{t_l}^{t_u}\! dt \int_0^{t_u - t}\! d\tau\,
        \langle a^\dagger a\rangle(t)\,\langle a^\dagger a\rangle(t+\tau),

    g^{(2)} = \frac{1}{N}\int\!\!\int \langle a^\dagger(t) a^\dagger(t+\tau) a(t+\tau) a(t)\rangle, \qquad
    I = \frac{1}{N}\int\!\!\int |\langle a^\dagger(t+\tau) a(t)\rangle|^2

over the same triangle ``t_l <= t <= t + tau <= t_u`` (MODELS.md, sps000). Conventions: one-sided
integrals in ``tau`` (so for a perfect single photon ``I = 1`` and ``g2 = 0``); the
two-time functions come from :func:`~qderive.numeric.two_time_correlation` on a uniform grid of
``n_points`` times with step ``h = (t_u - t_l)/(n_points - 1)`` and delays ``tau_j = j h``, so the
upper limit ``t_u - t_i`` is a grid point; both integrals use the trapezoidal rule (error
``O(h^2)``; check convergence by raising ``n_points``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import trapezoid

from qderive.symbolic import ParameterError

from .correlations import two_time_correlation
from .evolution import LindbladSolver
from .fock import FockModel


@dataclass(frozen=True)
class PhotonSourceFigures:
    """Brightness ``beta``, ``g2``, indistinguishability and the grid data they come from.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_cavity
    >>> fock = fock_model(driven_cavity(), {"Delta": 0.0, "E": 0.0, "kappa": 1.0}, cutoffs={"a": 2})
    >>> figures = photon_source_figures(fock, np.diag([0.0, 1.0]), (0.0, 4.0), "kappa", n_points=11)
    >>> figures.times.shape, figures.first_order.shape  # the t grid, and t x tau
    ((11,), (11, 11))
    >>> bool(np.allclose(figures.population, np.exp(-figures.times), atol=1e-6))  # <a^+ a>(t) of one photon
    True
    """

    brightness: float
    g2: float
    indistinguishability: float
    normalisation: float
    times: np.ndarray
    population: np.ndarray
    first_order: np.ndarray
    second_order: np.ndarray


def _triangle_integral(values: np.ndarray, step: float) -> float:
    """``int_0^{T} dt int_0^{T - t} dtau f`` for ``values[i, j] = f(t_i, tau_j)`` on a uniform grid."""
    n = values.shape[0]
    inner = np.array([trapezoid(values[i, : n - i], dx=step) if n - i > 1 else 0.0 for i in range(n)])
    return float(trapezoid(inner, dx=step))


def photon_source_figures(fock: FockModel, rho0: np.ndarray, gate: tuple[float, float], port: str,
                          n_points: int = 41, t0: float = 0.0,
                          options: Mapping[str, Any] | None = None) -> PhotonSourceFigures:
    """Brightness, ``g2`` and indistinguishability of the photons leaving ``port`` in ``gate``.

    Parameters
    ----------
    fock : FockModel
        The model; ``port`` must be one of its ports (e.g. ``"kappa_sp"`` for sps000).
    rho0 : ndarray
        State at time ``t0`` (e.g. the cooled state with the emitter just excited).
    gate : (t_l, t_u)
        Detection window, ``t0 <= t_l < t_u`` (s).
    n_points : int
        Points of the uniform ``t`` and ``tau`` grids over the gate (at least 3).
    options : mapping, optional
        Integrator options.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_cavity
    >>> fock = fock_model(driven_cavity(), {"Delta": 0.0, "E": 0.0, "kappa": 1.0}, cutoffs={"a": 2})
    >>> figures = photon_source_figures(fock, np.diag([0.0, 1.0]), (0.0, 4.0), "kappa", n_points=21)
    >>> bool(np.isclose(figures.brightness, 1 - np.exp(-4.0), rtol=1e-2))  # a Fock state |1> leaking out
    True
    >>> abs(figures.g2) < 1e-12, bool(np.isclose(figures.indistinguishability, 1.0, atol=1e-6))  # one pure photon
    (True, True)
    """
    model = fock.model
    if port not in model.ports:
        raise ParameterError(f"'{port}' is not a port of model '{model.name}'; ports are {list(model.ports)}")
    t_low, t_up = map(float, gate)
    if not t0 <= t_low < t_up:
        raise ParameterError(f"gate must satisfy t0 <= t_l < t_u, got t0 = {t0}, gate = {gate}")
    if n_points < 3:
        raise ParameterError(f"n_points must be at least 3, got {n_points}")
    dissipator = model.dissipator(port)
    rate = float(fock.parameters.evaluate(dissipator.rate))
    a = fock.operator(dissipator.operator)
    number = (a.conj().T @ a).tocsr()
    times = np.linspace(t_low, t_up, n_points)
    step = times[1] - times[0]
    if t_low > t0:  # bring rho0 to the start of the gate
        rho0 = LindbladSolver(fock, options).run(rho0, [t0, t_low]).states[-1]
    first = two_time_correlation(fock, rho0, times, times - t_low, a.conj().T, a, options=options)
    second = two_time_correlation(fock, rho0, times, times - t_low, a.conj().T, number, a, options=options)
    population = first[:, 0].real  # <a^+(t) a(t)>
    shifted = np.array([np.concatenate([population[i:], np.zeros(i)]) for i in range(n_points)])
    normalisation = _triangle_integral(population[:, None] * shifted, step)
    return PhotonSourceFigures(
        brightness=rate * float(trapezoid(population, dx=step)),
        g2=_triangle_integral(second.real, step) / normalisation,
        indistinguishability=_triangle_integral(np.abs(first) ** 2, step) / normalisation,
        normalisation=normalisation, times=times, population=population, first_order=first, second_order=second,
    )
