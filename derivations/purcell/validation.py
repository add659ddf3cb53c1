"""Check the Purcell rate against the slowest population rate of the full Liouvillian.

At the user's point the derived ``gamma + Gamma_P`` (its compiled evaluator) is compared with the
population decay rate of the full emitter-cavity master equation (one-excitation truncation is
exact: the model conserves excitations up to decay). The error-scaling study in ``g/kappa``
(expected exponent 2) is a separate metric.
"""

from __future__ import annotations

import numpy as np

from qderive.numeric import fock_model, liouvillian

from ..contract import Derivation, Validation, ValidationOptions, judge
from ..scaling import log_log_slope, slowest_rate
from .model import purcell_model

TOLERANCE = 0.01  # the relative accuracy promised while the small parameter stays below 0.1


def full_rate(parameters) -> float:
    """Slowest non-zero population rate of the full master equation.

    Examples
    --------
    >>> import math
    >>> from qderive.derivations.purcell.model import PARAMETERS
    >>> from qderive.symbolic import ParameterSet
    >>> g, kappa, gamma = 1.0, 40.0, 0.2
    >>> values = {"g": g, "kappa": kappa, "gamma": gamma, "Delta": 0.0}
    >>> rate = full_rate(ParameterSet(tuple(PARAMETERS.values()), values))
    >>> exact = (kappa + gamma) / 2 - 2 * math.sqrt(((kappa - gamma) / 4) ** 2 - g**2)  # one-excitation eigenvalue
    >>> round(rate / exact, 10)
    1.0
    """
    fock = fock_model(purcell_model(), parameters, {"a": 2})
    excitations = np.array([n + e for n in range(2) for e in range(2)])
    return slowest_rate(liouvillian(fock.hamiltonian, fock.jump_operators), excitations)


def validate(derivation: Derivation, options: ValidationOptions) -> Validation:
    """Judge ``gamma + Gamma_P`` at the derivation's parameters; error scaling in ``g/kappa``.

    Examples
    --------
    >>> from qderive.derivations.contract import QUICK
    >>> from qderive.derivations.purcell import Purcell
    >>> system = Purcell()
    >>> strong = validate(system.derive(system.parameter_set({"g": 2e11})), QUICK)  # g > kappa: no bad cavity
    >>> strong.passed, "kappa" in strong.reason
    (False, True)
    """
    parameters = derivation.parameters
    total = derivation.evaluators["total_decay_rate"]
    full, effective = full_rate(parameters), float(total(parameters.values))
    error = abs(full - effective) / full
    metrics = {"rate_full": full, "rate_effective": effective, "rel_error": error}
    scaling: dict[str, float] = {}
    if not options.quick:
        ratios = np.geomspace(0.005, 0.05, 6)
        errors = []
        for r in ratios:
            point = parameters.replace(g=r * parameters["kappa"], gamma=0.0, Delta=0.0)
            exact = full_rate(point)
            errors.append(abs(exact - float(total(point.values))) / exact)
        scaling = {"error_exponent_in_g_over_kappa": log_log_slope(ratios, errors), "expected_exponent": 2.0}
    quantity = "relative error of the emitter decay rate gamma + Gamma_P"
    return judge("purcell", derivation, error, TOLERANCE, quantity, metrics, scaling,
                 "population decay rate from the full Liouvillian vs the derived gamma + Gamma_P; the sweep "
                 "g/kappa = 0.005..0.05 at gamma = Delta = 0 gives the relative error ~ (g/kappa)^exponent")
