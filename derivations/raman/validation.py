"""Check the Raman derivation: ground splitting and pumping rate against the full model.

The derived effective Hamiltonian on ``{1, 2}`` (its compiled ``shift_1``, ``shift_2``, ``J_eff``)
gives a splitting that is compared with the two lowest-lying eigenvalues of the full Hamiltonian
(``Gamma = 0``); the derived pumping rate ``Gamma_eff_1`` is compared with the slowest rate of the
full Liouvillian at ``Omega2 = 0``. The error-scaling study in ``Omega/Delta`` is separate.
"""

from __future__ import annotations

import numpy as np

from qderive.numeric import fock_model, liouvillian

from ..contract import Derivation, Validation, ValidationOptions, judge
from ..scaling import log_log_slope
from .model import lambda_model

TOLERANCE = 0.01  # the relative accuracy promised while max Omega_i/(2|Delta|) stays below 0.1


def full_splitting(parameters) -> float:
    """Splitting of the two eigenvalues of the full Hamiltonian (Gamma = 0) closest to zero.

    Examples
    --------
    >>> from qderive.derivations.raman.model import PARAMETERS
    >>> from qderive.symbolic import ParameterSet
    >>> values = {"Omega1": 1.0, "Omega2": 1.0, "Delta": 100.0, "Gamma": 0.0}
    >>> split = full_splitting(ParameterSet(tuple(PARAMETERS.values()), values))
    >>> abs(split - 2 * 1.0 / (4 * 100.0)) < 1e-6  # 2 |J| = Omega1 Omega2 / (2 Delta) to leading order
    True
    """
    fock = fock_model(lambda_model(), parameters.replace(Gamma=0.0))
    energies = np.linalg.eigvalsh(fock.hamiltonian.toarray())
    ground = energies[np.argsort(np.abs(energies))[:2]]
    return float(abs(ground[1] - ground[0]))


def effective_splitting(derivation: Derivation, values) -> float:
    """Splitting of the derived 2x2 effective Hamiltonian ``[[shift_1, J], [J, shift_2]]`` at ``values``.

    Examples
    --------
    >>> from qderive.derivations.raman import Raman
    >>> system = Raman()
    >>> d = system.derive(system.parameter_set())
    >>> values = {**d.parameters.values, "Omega2": d.parameters["Omega1"]}  # equal shifts: the splitting is 2 |J|
    >>> round(effective_splitting(d, values) / abs(2 * float(d.evaluators["J_eff"](values))), 12)
    1.0
    """
    shift_1, shift_2, J = (float(derivation.evaluators[k](values)) for k in ("shift_1", "shift_2", "J_eff"))
    return float(np.sqrt((shift_1 - shift_2) ** 2 + 4 * J**2))


def full_pumping(parameters) -> float:
    """Slowest decay rate of the full Liouvillian with Omega2 = 0: optical pumping out of level 1.

    Examples
    --------
    >>> from qderive.derivations.raman.model import PARAMETERS
    >>> from qderive.symbolic import ParameterSet
    >>> values = {"Omega1": 1.0, "Omega2": 0.0, "Delta": 100.0, "Gamma": 1.0}
    >>> rate = full_pumping(ParameterSet(tuple(PARAMETERS.values()), values))
    >>> abs(rate / (1.0 * 1.0**2 / (4 * 100.0**2)) - 1) < 1e-3  # Gamma Omega1^2 / (4 Delta^2)
    True
    """
    fock = fock_model(lambda_model(), parameters.replace(Omega2=0.0))
    rates = -np.linalg.eigvals(liouvillian(fock.hamiltonian, fock.jump_operators).toarray()).real
    return float(np.min(rates[rates > 1e-9 * rates.max()]))


def validate(derivation: Derivation, options: ValidationOptions) -> Validation:
    """Judge the splitting (and, with decay, the pumping rate) at the derivation's parameters.

    Examples
    --------
    >>> from qderive.derivations.contract import QUICK
    >>> from qderive.derivations.raman import Raman
    >>> system = Raman()
    >>> near = validate(system.derive(system.parameter_set({"Delta": 1e7})), QUICK)  # Delta ~ Omega: not far detuned
    >>> near.passed, "s_e1" in near.reason  # the failing small parameter is named
    (False, True)
    """
    parameters = derivation.parameters
    exact, approx = full_splitting(parameters), effective_splitting(derivation, parameters.values)
    errors = {"rel_error_splitting": abs(exact - approx) / exact}
    metrics = {"splitting_full": exact, "splitting_effective": approx}
    if parameters["Gamma"] > 0:
        pumping_full = full_pumping(parameters)
        pumping_eff = float(derivation.evaluators["Gamma_eff_1"]({**parameters.values, "Omega2": 0.0}))
        errors["rel_error_pumping"] = abs(pumping_full - pumping_eff) / pumping_full
        metrics |= {"pumping_full": pumping_full, "pumping_effective": pumping_eff}
    metrics |= errors
    scaling: dict[str, float] = {}
    if not options.quick:
        ratios = np.geomspace(0.003, 0.03, 6)
        study = []
        for r in ratios:
            point = parameters.replace(Omega1=r * abs(parameters["Delta"]), Omega2=0.8 * r * abs(parameters["Delta"]))
            e = full_splitting(point)
            study.append(abs(e - effective_splitting(derivation, point.values)) / e)
        scaling = {"error_exponent_in_Omega_over_Delta": log_log_slope(ratios, study), "expected_exponent": 2.0}
    worst = max(errors, key=errors.get)
    quantity = "relative error of the " + worst.removeprefix("rel_error_")
    return judge("raman", derivation, errors[worst], TOLERANCE, quantity, metrics, scaling,
                 "ground splitting of the full Hamiltonian vs the derived H_eff (Gamma = 0), and the slowest "
                 "Liouvillian rate (Omega2 = 0) vs the derived Gamma_eff_1")
