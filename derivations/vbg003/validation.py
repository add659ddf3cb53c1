"""Check vbg003 against brute force: numerical site sums, the exact dipole far field, exact mode dynamics.

At the user's ``(m, N)``: (1) the nonlinear polarisation is evaluated numerically site by site
(NumPy, independent of the symbolic contraction) and its overlap with every ``e^{i l phi}``,
``|l| <= 3N``, is summed over the sites: the surviving ``l`` must be exactly the derived rule;
(2) the dominant-order Bessel far field (compiled kernel) against the exact sum over the ``N``
dipoles over the whole forward hemisphere; (3) the lobe count derived against the count read off
the exact far field; (4) ``pop_R, pop_L`` against the exact single-excitation evolution of the WGM
and both channels (``expm``). The judged error is the far-field error (1, 3, 4 must be exact).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from ..contract import Derivation, Validation, ValidationOptions, judge
from .derivation import DIRECTIONS
from .farfield import count_lobes, dipole_sum_intensity, intensity_kernel, model_intensity

TOLERANCE = 0.02  # relative far-field error of the dominant-order model, normalised to its peak


def lithium_niobate_tensor(d22: float = 1.0, d31: float = -2.0, d33: float = -12.0) -> np.ndarray:
    """``d_ijk`` of class 3m written out numerically (mirror normal to x, Kleinman symmetry).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic.selection_rules import d_tensor_3m
    >>> symbolic = np.array(d_tensor_3m(1, -2, -12).tolist(), dtype=float)
    >>> bool(np.array_equal(lithium_niobate_tensor(), symbolic))  # the same tensor, written out independently
    True
    """
    d = np.zeros((3, 3, 3))
    d[0, 0, 2] = d[0, 2, 0] = d31
    d[0, 0, 1] = d[0, 1, 0] = -d22
    d[1, 0, 0], d[1, 1, 1] = -d22, d22
    d[1, 1, 2] = d[1, 2, 1] = d31
    d[2, 0, 0] = d[2, 1, 1] = d31
    d[2, 2, 2] = d33
    return d


def surviving_orders(m: int, N: int, alpha: float, direction: int, component: int) -> set[int]:
    """``l`` with ``|sum_k P_c(phi_k) e^{-i l phi_k}| > 1e-9 N`` (``component`` +1: e_+, -1: e_-).

    Examples
    --------
    >>> found = surviving_orders(21, 23, np.pi / 2, direction=1, component=1)  # CW, RHCP
    >>> sorted(l for l in found if abs(l) < 50)  # l = m + 2 + q N
    [-46, -23, 0, 23, 46]
    """
    sites = 2 * np.pi * np.arange(N) / N
    r = np.stack([np.cos(sites), np.sin(sites), 0 * sites], axis=1)
    p_hat = np.stack([-np.sin(sites), np.cos(sites), 0 * sites], axis=1)
    field = r * np.exp(1j * direction * m * sites)[:, None]
    pump = np.cos(alpha) * r + np.sin(alpha) * p_hat
    polarisation = np.einsum("ijk,sj,sk->si", lithium_niobate_tensor(), field, pump)
    projected = (polarisation[:, 0] - component * 1j * polarisation[:, 1]) / np.sqrt(2)
    ls = np.arange(-3 * N - abs(m), 3 * N + abs(m) + 1)
    sums = np.exp(-1j * np.outer(ls, sites)) @ projected
    return {int(order) for order, value in zip(ls, sums, strict=True) if abs(value) > 1e-9 * N}


def rule_orders(derivation: Derivation, direction: str, name: str, span: range) -> set[int]:
    """The derived ``l = n + q N`` over the same range of ``l``.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.derivations.contract import Derivation
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> from qderive.derivations.vbg003.derivation import selection_rules
    >>> system = VirtualBraggGrating()
    >>> d = Derivation("vbg003", "", system.parameter_set(), (), (), {}, data={"rules": selection_rules(sp.Integer(2))})
    >>> span = range(-90, 91)
    >>> rule_orders(d, "cw", "rhcp", span) == surviving_orders(21, 23, np.pi / 2, 1, 1) & set(span)  # rule = site sum
    True
    """
    rule = derivation.data["rules"][f"{direction}_{name}"]
    m, N = int(derivation.parameters["m"]), int(derivation.parameters["N"])
    base = int(rule.subs({sym: (m if sym.name == "m" else N if sym.name == "N" else 0) for sym in rule.free_symbols}))
    return {base + k * N for k in range(-10 * len(span), 10 * len(span)) if (base + k * N) in span}


def populations_exact(derivation: Derivation) -> tuple[float, float]:
    """Photon numbers in the two channels from ``exp(-i H t)`` on {A, c_R, c_L} (one excitation in A).

    Examples
    --------
    >>> from qderive.derivations.contract import Derivation
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> d = Derivation("vbg003", "", system.parameter_set({"g_R": 1e8, "g_L": 2e8, "t": 5e-9}), (), (), {})
    >>> G = np.hypot(1e8, 2e8)
    >>> bool(np.allclose(populations_exact(d), np.array([1, 4]) / 5 * np.sin(G * 5e-9) ** 2))  # |g_j|^2/G^2 sin^2(G t)
    True
    """
    p = derivation.parameters
    g = np.array([p["g_R"], p["g_L"]], dtype=complex)
    H = np.zeros((3, 3), complex)
    H[1:, 0], H[0, 1:] = g, g.conj()  # g_j c_j^+ A + h.c. in the one-excitation basis (A, c_R, c_L)
    state = sla.expm(-1j * H * p["t"]) @ np.array([1, 0, 0], complex)
    return float(abs(state[1]) ** 2), float(abs(state[2]) ** 2)


def validate(derivation: Derivation, options: ValidationOptions) -> Validation:
    """Judge the far-field model at the derivation's parameters; the exact parts must agree to rounding.

    Examples
    --------
    >>> from qderive.derivations.contract import QUICK
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> validation = validate(system.derive(system.parameter_set()), QUICK)
    >>> validation.passed, validation.error <= validation.tolerance
    (True, True)
    """
    p = derivation.parameters
    m, N, alpha = int(p["m"]), int(p["N"]), p["pump_pol"]
    mismatches = 0
    for direction, s in DIRECTIONS.items():
        for name, component in (("rhcp", 1), ("lhcp", -1)):
            found = surviving_orders(m, N, alpha, s, component)
            span = range(-3 * N - m, 3 * N + m + 1)
            mismatches += found != rule_orders(derivation, direction, name, span)
    theta = np.linspace(0, np.pi / 2 * 0.999, 60 if options.quick else 180)
    azimuth = np.linspace(0, 2 * np.pi, 120 if options.quick else 360, endpoint=False)
    T, A = np.meshgrid(theta, azimuth, indexing="ij")
    exact = dipole_sum_intensity(derivation, T, A)
    model = model_intensity(intensity_kernel(), derivation, derivation.data["orders"], T, A)
    far_field_error = float(np.max(np.abs(model - exact)) / np.max(exact))
    lobes_counted = count_lobes(exact)
    pop_R, pop_L = populations_exact(derivation)
    population_error = max(abs(pop_R - derivation.value("pop_R")), abs(pop_L - derivation.value("pop_L")))
    metrics = {
        "selection_rule_mismatches": float(mismatches), "far_field_rel_error": far_field_error,
        "lobes_derived": derivation.value("lobes"), "lobes_counted": float(lobes_counted),
        "pop_R_exact": pop_R, "pop_L_exact": pop_L, "population_abs_error": population_error,
    }
    exact_parts_agree = mismatches == 0 and lobes_counted == derivation.value("lobes") and population_error < 1e-12
    error = far_field_error if exact_parts_agree else max(1.0, far_field_error)
    return judge("vbg003", derivation, error, TOLERANCE,
                 "relative far-field error of the dominant-order model (1 if a rule, lobe count or population "
                 "disagrees)", metrics,
                 details="site sums of the numerically evaluated polarisation for |l| <= 3N + m; exact dipole sum "
                         "over the forward hemisphere; lobes counted on the ring of strongest fringe contrast; "
                         "channel populations by expm of the one-excitation Hamiltonian")
