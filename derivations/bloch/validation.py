"""Check the Bloch steady state: the closed form against the master equation, and the RWA against the lab frame.

At the user's point, the derived ``rho_ee`` (through its compiled evaluator) is compared with the
period-averaged excited population of the laboratory-frame model without the rotating-wave
approximation (harmonic balance, converged in the number of harmonics). That error is what the
derivation is judged by: it is small only while ``Omega/omega_0`` and ``|Delta|/omega_0`` are.
The closed form against the rotating-frame master equation (exact up to solver rounding) is a
separate metric, over a detuning sweep in the full validation.
"""

from __future__ import annotations

import numpy as np

from qderive.numeric import (
    density_matrix_harmonic,
    fock_model,
    fourier_moment_equations,
    harmonic_balance,
    steady_state,
)
from qderive.symbolic import ConvergenceError

from ..contract import Derivation, Validation, ValidationOptions, judge
from ..scaling import log_log_slope
from .model import bloch_model, lab_frame_model

MAX_HARMONICS = 40
TOLERANCE = 1e-3  # relative error of rho_ee that the rotating-wave result promises while its conditions hold


def lab_frame_population(parameters) -> float:
    """Period-averaged excited population without the RWA (harmonic balance, harmonics raised until converged).

    Examples
    --------
    >>> from qderive.derivations.bloch.model import PARAMETERS
    >>> from qderive.symbolic import ParameterSet
    >>> values = {"Omega": 1.0, "Delta": 0.0, "Gamma": 2.0, "gamma_phi": 0.0, "omega_0": 300.0}
    >>> lab = lab_frame_population(ParameterSet(tuple(PARAMETERS.values()), values))
    >>> abs(lab - 1 / 6) < 1e-4  # the rotating-wave value, up to Bloch-Siegert corrections ~ Omega/omega_0
    True
    """
    fock = fock_model(lab_frame_model(), parameters)
    equations = fourier_moment_equations(fock, [parameters["omega_0"] + parameters["Delta"]])
    for order in range(3, MAX_HARMONICS):
        try:
            solution = harmonic_balance(equations, order, tol=1e-10)
        except ConvergenceError:
            continue
        return float(np.real(density_matrix_harmonic(solution, (0,), 2)[1, 1]))
    raise ConvergenceError(f"lab-frame harmonic balance did not converge with {MAX_HARMONICS} harmonics; "
                           "Omega is comparable to omega_0 far beyond the rotating-wave regime")


def rotating_frame_population(parameters) -> float:
    """Excited population of the rotating-frame master equation (sparse steady state).

    Examples
    --------
    >>> from qderive.derivations.bloch.model import PARAMETERS
    >>> from qderive.symbolic import ParameterSet
    >>> values = {"Omega": 1.0, "Delta": 0.5, "Gamma": 2.0, "gamma_phi": 0.0, "omega_0": 300.0}
    >>> rho_ee = rotating_frame_population(ParameterSet(tuple(PARAMETERS.values()), values))
    >>> round(rho_ee, 12) == round(0.25 / 1.75, 12)  # (Omega/2)^2 / (Delta^2 + Gamma^2/4 + Omega^2/2)
    True
    """
    return float(np.real(steady_state(fock_model(bloch_model(), parameters))[1, 1]))


def validate(derivation: Derivation, options: ValidationOptions) -> Validation:
    """Judge ``rho_ee`` against the lab-frame model at the derivation's parameters.

    Examples
    --------
    >>> from qderive.derivations.contract import QUICK, SymbolicCache
    >>> from qderive.derivations.bloch import Bloch
    >>> system = Bloch()
    >>> validation = validate(system.derive(system.parameter_set()), QUICK)
    >>> validation.passed, validation.metrics["rel_error_vs_master_equation"] < 1e-10  # closed form = master equation
    (True, True)
    """
    parameters = derivation.parameters
    rho_ee = derivation.evaluators["rho_ee"]
    closed = float(rho_ee(parameters.values))
    lab = lab_frame_population(parameters)
    rotating = rotating_frame_population(parameters)
    error = abs(closed - lab) / lab
    metrics = {"rho_ee": closed, "rho_ee_lab_frame": lab, "rho_ee_master_equation": rotating,
               "rel_error_vs_lab_frame": error, "rel_error_vs_master_equation": abs(closed - rotating) / rotating}
    scaling: dict[str, float] = {}
    if not options.quick:
        gamma_perp = derivation.value("gamma_perp")
        detunings = np.linspace(-5, 5, 21) * gamma_perp + parameters["Delta"]
        numeric = np.array([rotating_frame_population(parameters.replace(Delta=float(x))) for x in detunings])
        closed_sweep = rho_ee({**parameters.values, "Delta": detunings})
        scaling["max_rel_error_detuning_sweep"] = float(np.max(np.abs(numeric - closed_sweep) / numeric))
        ratios = np.geomspace(0.003, 0.03, 4)
        errors = []
        for r in ratios:
            point = parameters.replace(omega_0=parameters["Omega"] / r)
            lab_point = lab_frame_population(point)
            errors.append(abs(float(rho_ee(point.values)) - lab_point) / lab_point)
        scaling["rwa_error_exponent_in_Omega_over_omega_0"] = log_log_slope(ratios, errors)
    quantity = "relative error of rho_ee (rotating-wave closed form vs lab frame)"
    return judge("bloch", derivation, error, TOLERANCE, quantity, metrics, scaling,
                 "closed-form rho_ee (compiled) vs the period average of the lab-frame master equation "
                 "(harmonic balance); the detuning sweep compares with the rotating-frame master equation "
                 "over +-5 gamma_perp")
