"""Check engine004: the closed-form concurrence against the full two-qubit master equation.

At the user's point ``C_ss`` of the derivation is compared with the Wootters concurrence of the
numerical steady state of the full master equation (and of the same with the ``S^z S^z`` term the
source drops). The closed form is exact within the local master equation, so the tolerance is the
solver's; outside ``g, Gamma1 << eps`` the local master equation itself is not valid and the
validation fails on the derivation's conditions. The full validation adds the transient
concurrence from the thermal product state (the source's Fig. 3c procedure).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
from scipy.optimize import minimize_scalar

from qderive.numeric import concurrence, liouvillian, steady_state
from qderive.symbolic import ParameterSet

from ..contract import Derivation, Validation, ValidationOptions, judge
from .model import full_fock_model, thermal_product_state

TOLERANCE = 1e-9  # absolute error of C_ss: the closed form is exact, this is the sparse solver's accuracy


def transient_concurrence(parameters: ParameterSet, times: np.ndarray) -> np.ndarray:
    """``C(t)`` from the thermal product state, by exact propagation ``exp(L dt)`` on a uniform grid.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> parameters = Engine004().parameter_set({"g": 5e4, "Gamma1": 2.5e5})
    >>> c = transient_concurrence(parameters, np.linspace(0.0, 4e-5, 41))
    >>> float(c[0]), bool(c.max() > 0), bool(np.all(c >= 0))  # a product state at t = 0, entangled later
    (0.0, True, True)
    """
    fock = full_fock_model(parameters)
    L = liouvillian(fock.hamiltonian, fock.jump_operators).toarray()
    step = sla.expm(L * (times[1] - times[0]))
    vec = thermal_product_state(parameters).reshape(-1, order="F")
    out = np.empty(len(times))
    for k in range(len(times)):
        out[k] = concurrence(vec.reshape(4, 4, order="F"))
        vec = step @ vec
    return out


def transient_maximum(parameters: ParameterSet, points: int = 2001) -> tuple[float, float]:
    """``(max_t C(t), t_max)``: grid search over ``[0, 40/Gamma1]`` refined by bounded optimisation.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> parameters = Engine004().parameter_set()
    >>> c_max, t_max = transient_maximum(parameters, points=201)
    >>> times = np.linspace(0.0, 40 / parameters["Gamma1"], 201)
    >>> bool(c_max >= transient_concurrence(parameters, times).max() - 1e-12), t_max > 0  # refined past the grid
    (True, True)
    """
    fock = full_fock_model(parameters)
    L = liouvillian(fock.hamiltonian, fock.jump_operators).toarray()
    rho0 = thermal_product_state(parameters).reshape(-1, order="F")
    times = np.linspace(0, 40 / parameters["Gamma1"], points)
    curve = transient_concurrence(parameters, times)
    k = int(np.argmax(curve))
    if curve[k] == 0:
        return 0.0, 0.0
    at = lambda t: -concurrence((sla.expm(L * t) @ rho0).reshape(4, 4, order="F"))  # noqa: E731
    lo, hi = times[max(k - 1, 0)], times[min(k + 1, points - 1)]
    best = minimize_scalar(at, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12 * times[-1]})
    return float(-best.fun), float(best.x)


def validate(derivation: Derivation, options: ValidationOptions) -> Validation:
    """Judge ``C_ss`` at the derivation's parameters; transients in the full validation.

    Examples
    --------
    A derivation whose closed form were wrong is caught (the real one agrees to ~1e-12:
    ``qderive validate engine004``):

    >>> import sympy as sp
    >>> from qderive.derivations.contract import QUICK, Derivation, Quantity
    >>> from qderive.derivations.engine004 import Engine004
    >>> parameters = Engine004().parameter_set()
    >>> wrong = {"C_ss": Quantity(sp.Symbol("C"), "", 0.5), "zz_coupling": Quantity(sp.Symbol("J"), "rad/s", 0.0)}
    >>> validation = validate(Derivation("engine004", "", parameters, (), (), wrong), QUICK)
    >>> validation.passed, 0 < validation.metrics["C_ss_full"] < 0.1  # the full model's concurrence is small
    (False, True)
    """
    parameters = derivation.parameters
    closed = derivation.value("C_ss")
    full = concurrence(steady_state(full_fock_model(parameters)))
    with_zz = concurrence(steady_state(full_fock_model(parameters, zz=derivation.value("zz_coupling"))))
    error = max(abs(full - closed), abs(with_zz - closed))
    metrics = {"C_ss": closed, "C_ss_full": full, "abs_error_C_ss": abs(full - closed), "C_ss_full_with_zz": with_zz}
    details = (f"closed form vs sparse steady state of the full master equation: |dC| = {abs(full - closed):.2e}; "
               f"with the S^z S^z term C = {with_zz:.12f}.")
    if not options.quick:
        c_t, t_max = transient_maximum(parameters)
        g_opt, c_ss_max = derivation.value("g_opt"), derivation.value("C_ss_max")
        c_t_opt, t_opt = transient_maximum(parameters.replace(g=g_opt))
        ratio = c_t_opt / c_ss_max if c_ss_max > 0 else 0.0
        scan = [0.1, 0.28, 1.0, 4.0]
        scanned = [transient_maximum(parameters.replace(g=x * parameters["Gamma1"]), 801)[0] for x in scan]
        monotonic = all(b > a for a, b in zip(scanned, scanned[1:], strict=False))
        metrics |= {
            "C_transient_max": c_t, "t_transient_max": t_max, "C_transient_max_at_g_opt": c_t_opt,
            "t_transient_max_at_g_opt": t_opt, "C_ss_max": c_ss_max, "ratio_transient_to_ss_max": ratio,
            "transient_max_increases_with_g": float(monotonic),
        }
        claim = "holds" if ratio > 2 else "does NOT hold"
        details += (
            f" Source claim 'transient maximum more than double the steady-state maximum' {claim} at g = g_opt "
            f"(ratio {ratio:.3f}). Transient maximum at g/Gamma1 = {scan}: {[round(c, 4) for c in scanned]}"
            + (" - it grows monotonically with g, so no transient optimum in g exists without the source's bound "
               "g < 70 kHz." if monotonic else "")
        )
    return judge("engine004", derivation, error, TOLERANCE, "absolute error of C_ss", metrics, details=details)
