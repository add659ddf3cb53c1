r"""Far field of the pump-written grating: the dominant-order Bessel model (compiled) and the exact dipole sum.

Each pump site ``phi_k = 2 pi k / N`` radiates channel ``(d, p)`` (direction, circular polarisation)
as a point dipole with phase ``e^{i n_dp phi_k}``, ``n_dp = s_d m +- offset``. In the direction
``(theta, phi)`` with ``x = n_out k_out R sin(theta)`` the exact array factor is

.. math:: \sum_k e^{i n \phi_k} e^{-i x \cos(\phi - \phi_k)}
          = N \sum_{p \equiv n\ (\mathrm{mod}\ N)} (-i)^p J_p(x) e^{i p \phi}

(Jacobi-Anger). The derivation keeps the dominant radiative order ``p = l`` of each channel; the
compiled kernel evaluates that model,
``I = sum_p |A_cw,p (-i)^{l_cw,p} J_{l_cw,p}(x) e^{i l_cw,p phi} + A_ccw,p (...)|^2`` (RHCP and LHCP
do not interfere), and :func:`dipole_sum_intensity` the exact sum over sites for the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp
from scipy.signal import find_peaks

from qderive.codegen import Kernel, compile_expr

from ..contract import Derivation
from .derivation import DIRECTIONS, POLARISATIONS

x, phi = sp.symbols("x phi", real=True)
ORDERS = sp.symbols("l_1:5", real=True)
AMPLITUDES = sp.symbols("A_1:5", complex=True)


def intensity_kernel() -> Kernel:
    """Compiled ``I(x, phi; l_1..l_4, A_1..A_4)``: pairs (1, 2) and (3, 4) interfere (CW, CCW of RHCP / LHCP).

    Examples
    --------
    >>> from scipy.special import jv
    >>> kernel = intensity_kernel()
    >>> value = kernel(2.0, 0.3, 3.0, 0.0, 0.0, 0.0, 1.0 + 0j, 0j, 0j, 0j)  # one channel: |J_3(x)|^2
    >>> bool(np.isclose(value, jv(3, 2.0) ** 2, rtol=1e-12))
    True
    """
    fields = [A * sp.exp(-sp.I * sp.pi * order / 2) * sp.besselj(order, x) * sp.exp(sp.I * order * phi)
              for A, order in zip(AMPLITUDES, ORDERS, strict=True)]
    intensity = sum(sp.Abs(fields[k] + fields[k + 1]) ** 2 for k in (0, 2))
    return compile_expr(intensity, [x, phi, *ORDERS, *AMPLITUDES], dtype="float64", name="vbg003_far_field",
                        domains={x: (0.1, 10.0), **{order: (-6, 6) for order in ORDERS}})


def channel_amplitudes(derivation: Derivation, values: Mapping[str, Any] | None = None) -> dict[str, complex]:
    """``A_dp = sqrt(w_d) (g_p / G) sin(G t) x`` the phase of the derived polarisation harmonic.

    ``w_cw = p_cw``, ``w_ccw = 1 - p_cw`` (a WGM photon shared coherently, equal phase).

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> d = system.derive(system.parameter_set())
    >>> amplitudes = channel_amplitudes(d)
    >>> total = sum(abs(a) ** 2 for a in amplitudes.values())
    >>> bool(np.isclose(total, d.value("eta")))  # every converted photon is in one of the four channels
    True
    >>> float(abs(channel_amplitudes(d, {"p_cw": 1.0})["ccw_rhcp"]))  # all clockwise
    0.0
    """
    v = dict(derivation.parameters.values) | dict(values or {})
    G = np.sqrt(abs(v["g_R"]) ** 2 + abs(v["g_L"]) ** 2)
    weights = {"cw": v["p_cw"], "ccw": 1 - v["p_cw"]}
    couplings = {"rhcp": v["g_R"], "lhcp": v["g_L"]}
    phases = derivation.data["polarisation_phases"]
    return {f"{d}_{p}": np.sqrt(weights[d]) * couplings[p] / G * np.sin(G * v["t"]) * phases[f"{d}_{p}"]
            for d in DIRECTIONS for p in POLARISATIONS}


def model_intensity(kernel: Kernel, derivation: Derivation, orders: Mapping[str, Any], theta: np.ndarray,
                    azimuth: np.ndarray, values: Mapping[str, Any] | None = None) -> np.ndarray:
    """The dominant-order model at ``(theta, azimuth)`` (broadcast); non-radiating channels contribute nothing.

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> d = system.derive(system.parameter_set())
    >>> theta, azimuth = np.meshgrid(np.linspace(0.05, 1.4, 7), np.linspace(0, 2 * np.pi, 16, endpoint=False))
    >>> model = model_intensity(intensity_kernel(), d, d.data["orders"], theta, azimuth)
    >>> exact = dipole_sum_intensity(d, theta, azimuth)  # every pump order, site by site
    >>> float(np.abs(model - exact).max() / exact.max()) < 0.02  # the dominant-order model within its tolerance
    True
    """
    v = dict(derivation.parameters.values) | dict(values or {})
    amplitudes = channel_amplitudes(derivation, v)
    arguments = []
    for p in POLARISATIONS:
        for d in DIRECTIONS:
            l_value = orders[f"l_{d}_{p}"]
            arguments.append((0.0 if l_value is None else float(l_value),
                              0j if l_value is None else complex(amplitudes[f"{d}_{p}"]) * int(v["N"])))
    xs = v["n_out"] * 2 * np.pi / v["lambda_out"] * v["R"] * np.sin(theta)
    xs, az = np.broadcast_arrays(np.asarray(xs, float), np.asarray(azimuth, float))
    flat = [np.ascontiguousarray(a).ravel() for a in (xs, az)]
    columns = [np.full(flat[0].shape, order) for order, _ in arguments]
    columns += [np.full(flat[0].shape, amplitude) for _, amplitude in arguments]
    return np.asarray(kernel(*flat, *columns)).reshape(xs.shape)


def dipole_sum_intensity(derivation: Derivation, theta: np.ndarray, azimuth: np.ndarray,
                         values: Mapping[str, Any] | None = None, phase_errors: np.ndarray | None = None
                         ) -> np.ndarray:
    """The exact far field of the ``N`` phased point dipoles (every pump order), optional per-site phase errors.

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> d = system.derive(system.parameter_set())
    >>> on_axis = dipole_sum_intensity(d, np.array([0.0]), np.array([0.0]))[0]
    >>> bool(on_axis > 0), d.value("on_axis")  # an l = 0 channel radiates along the axis
    (True, 1.0)
    >>> with_errors = dipole_sum_intensity(d, np.array([0.0]), np.array([0.0]), phase_errors=np.full(23, 0.3))
    >>> bool(np.isclose(with_errors[0], on_axis))  # a common phase error changes nothing
    True
    """
    v = dict(derivation.parameters.values) | dict(values or {})
    m, N = int(v["m"]), int(v["N"])
    offset = int(derivation.value("offset"))
    sites = 2 * np.pi * np.arange(N) / N
    errors = np.zeros(N) if phase_errors is None else np.asarray(phase_errors)
    amplitudes = channel_amplitudes(derivation, v)
    xs = v["n_out"] * 2 * np.pi / v["lambda_out"] * v["R"] * np.sin(np.asarray(theta, float))
    xs, az = np.broadcast_arrays(xs, np.asarray(azimuth, float))
    total = np.zeros(xs.shape)
    for p, sign in (("rhcp", 1), ("lhcp", -1)):
        field = np.zeros(xs.shape, complex)
        for d, s in DIRECTIONS.items():
            n = s * m + sign * offset
            factor = np.exp(1j * (n * sites + errors))
            field += amplitudes[f"{d}_{p}"] * np.einsum(
                "k,...k->...", factor, np.exp(-1j * xs[..., None] * np.cos(az[..., None] - sites)))
        total += np.abs(field) ** 2
    return total


def count_lobes(intensity_on_rings: np.ndarray) -> int:
    """Azimuthal maxima of the ring (row of ``intensity_on_rings``) with the strongest fringe contrast.

    Rows are rings of fixed polar angle sampled uniformly over ``phi in [0, 2 pi)``; a uniform ring
    has no lobes.

    Examples
    --------
    >>> azimuth = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    >>> rings = np.array([np.ones_like(azimuth), 1 + 0.5 * np.cos(4 * azimuth)])
    >>> count_lobes(rings), count_lobes(rings[:1])  # four maxima; a uniform ring has none
    (4, 0)
    """
    contrast = (intensity_on_rings.max(axis=1) - intensity_on_rings.min(axis=1)) / (
        intensity_on_rings.max(axis=1) + intensity_on_rings.min(axis=1) + 1e-300)
    row = intensity_on_rings[int(np.argmax(contrast))]
    if contrast.max() < 1e-6:
        return 0
    periodic = np.concatenate([row, row, row])
    peaks, _ = find_peaks(periodic, prominence=1e-3 * row.max())
    n = len(row)
    return int(np.sum((peaks >= n) & (peaks < 2 * n)))
