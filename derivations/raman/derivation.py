"""Raman coupling of a far-detuned lambda system: second-order elimination of the excited level.

For ``|Delta| >> Omega_1, Omega_2, Gamma``: ``J_eff = -Omega_1 Omega_2 / (4 Delta)``,
``shift_i = -Omega_i^2 / (4 Delta)``, optical pumping ``1 -> 2`` at ``Gamma Omega_1^2 / (4 Delta^2)``.
Stages: :func:`symbolic_solution` (parameter-free, cached) and :func:`derive`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from qderive.symbolic import ParameterSet, effective_operators, far_detuned_eliminate, transition_rates
from qderive.symbolic.reproducible import reproducible

from ..contract import Derivation, Step, SymbolicCache, closed_form, conditions_of, quantities
from .model import ATOM, PARAMETERS, Gamma, lambda_model, parts

TITLE = "Raman coupling of a far-detuned lambda system"
SMALL_LIMIT = 0.1  # errors scale as (Omega/Delta)^2: below 0.1 the splitting is good to about 1 %


@reproducible
def symbolic_solution() -> dict[str, Any]:
    """Second-order effective Hamiltonian and jumps; the Reiter-Sorensen cross-check.

    Examples
    --------
    >>> from qderive.derivations.raman.model import Delta, Gamma, Omega1, Omega2
    >>> e = symbolic_solution()["expressions"]
    >>> sp.simplify(e["J_eff"] + Omega1 * Omega2 / (4 * Delta)), sp.simplify(e["shift_1"] + Omega1**2 / (4 * Delta))
    (0, 0)
    >>> sp.simplify(e["Gamma_eff_1"] - Gamma * Omega1**2 / (4 * Delta**2))  # pumping 1 -> 2 through e, to O(1/Delta^2)
    0
    """
    model = lambda_model()
    free, coupling = parts()
    second = far_detuned_eliminate(model, free, coupling, (ATOM, "e"))
    H = second.model.hamiltonian
    J = H.coefficient(ATOM.sigma(1, 2))
    pumping = transition_rates(second.model, ATOM, 1)["Gamma_2"]
    rayleigh = next(d for d in second.model.dissipators if d.channel == "Gamma_1").operator.coefficient(
        ATOM.projector(1)
    )
    operators = effective_operators(model, [{ATOM: 1}, {ATOM: 2}], [{ATOM: "e"}], coupling, ATOM)
    J_rs = sp.factor(operators.model.hamiltonian.coefficient(ATOM.sigma(1, 2)))
    epsilon = sp.Symbol("epsilon", positive=True)
    limit = sp.limit(J_rs.subs(Gamma, epsilon * sp.Abs(PARAMETERS["Delta"].symbol)) / J, epsilon, 0)
    expressions = {
        "J_eff": J,
        "shift_1": H.coefficient(ATOM.projector(1)),
        "shift_2": H.coefficient(ATOM.projector(2)),
        "Gamma_eff_1": pumping,
        "scattering_rate_1": sp.factor(pumping + Gamma * rayleigh * sp.conjugate(rayleigh)),
        "J_eff_with_decay": J_rs,
        "small_parameter": sp.Max(*second.small_parameters.values()),
    }
    model_latex = rf"H = {model.hamiltonian.latex()}"
    steps = (
        Step("Model", model_latex),
        Step(
            "Second-order (Schrieffer-Wolff / James) Hamiltonian on {1, 2}",
            rf"H_{{eff}} = {H.latex()}",
            operation="eliminate the excited level e to second order in the laser coupling",
            before=model_latex,
            relies_on=tuple(second.small_parameters),
        ),
        Step(
            "Jump operators L + [S, L] projected on {1, 2}",
            r"\\ ".join(
                rf"L_{{{d.channel}}} = \sqrt{{{sp.latex(d.rate)}}}\,({d.operator.latex()})"
                for d in second.model.dissipators
            ),
            operation="dress each jump operator with the generator S of the transformation",
        ),
        Step(
            "Effective operator formalism (Reiter-Sorensen)",
            rf"J = {sp.latex(J_rs)}",
            f"ratio to the second-order J as Gamma/Delta -> 0: {limit}",
            operation="effective operators from the ground manifold {1, 2} and the excited manifold {e}",
        ),
    )
    return {"expressions": expressions, "steps": steps, "assumptions": second.assumptions,
            "small_parameters": dict(second.small_parameters), "effective_model": second}


MEANINGS = {
    "J_eff": ("rad/s", "coefficient of s_12 + s_21 in H_eff"),
    "shift_1": ("rad/s", "ac Stark shift of level 1"),
    "shift_2": ("rad/s", "ac Stark shift of level 2"),
    "Gamma_eff_1": ("rad/s", "optical pumping rate out of level 1 (into 2)"),
    "scattering_rate_1": ("rad/s", "photon scattering rate from level 1"),
    "J_eff_with_decay": ("rad/s", "J_eff by effective operators (includes Gamma)"),
    "small_parameter": ("", "max Omega_i / (2 |Delta|)"),
}


def derive(cache: SymbolicCache, parameters: ParameterSet) -> Derivation:
    """The Raman derivation at ``parameters``.

    Examples
    --------
    >>> from qderive.derivations.contract import SymbolicCache
    >>> from qderive.derivations.raman.model import DEFAULTS, PARAMETERS
    >>> from qderive.symbolic import ParameterSet
    >>> d = derive(SymbolicCache(), ParameterSet(tuple(PARAMETERS.values()), DEFAULTS))
    >>> expected = -DEFAULTS["Omega1"] * DEFAULTS["Omega2"] / (4 * DEFAULTS["Delta"])
    >>> round(d.value("J_eff") / expected, 12)
    1.0
    >>> d.value("small_parameter") == DEFAULTS["Omega1"] / (2 * DEFAULTS["Delta"])  # max Omega_i / (2 |Delta|)
    True
    """
    symbolic = cache.get("symbolic", symbolic_solution)
    results = quantities(symbolic["expressions"], MEANINGS, parameters)
    conditions = conditions_of(symbolic["small_parameters"], parameters, SMALL_LIMIT,
                               "laser couplings small compared with the detuning of e")
    evaluators = {key: closed_form(expr, PARAMETERS) for key, expr in symbolic["expressions"].items()}
    return Derivation("raman", TITLE, parameters, symbolic["assumptions"], symbolic["steps"], results,
                      conditions=conditions, evaluators=evaluators,
                      data={"effective_model": symbolic["effective_model"]})
