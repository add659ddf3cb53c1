"""Purcell rate by adiabatic elimination of the cavity, cross-checked by effective operators.

For ``kappa >> g`` the cavity follows the emitter and adds the decay channel
``Gamma_P = g^2 kappa / (Delta^2 + kappa^2/4)``, ``4 g^2 / kappa`` on resonance. Stages:
:func:`symbolic_solution` (parameter-free, cached by the system) and :func:`derive`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from qderive.symbolic import ParameterSet, adiabatic_eliminate, declare, effective_operators, maximise, transition_rates
from qderive.symbolic.reproducible import reproducible

from ..contract import Derivation, Quantity, Step, SymbolicCache, closed_form, conditions_of
from .model import CAVITY, EMITTER, PARAMETERS, Delta, g, gamma, purcell_model

TITLE = "Purcell rate by adiabatic elimination of the cavity"
SMALL_LIMIT = 0.1  # errors scale as (small parameter)^2: below 0.1 the rate is good to about 1 %


def _effective_operator_check(gamma_p: sp.Expr) -> tuple[sp.Expr, bool]:
    """``|L_eff^kappa|^2`` of a weakly driven emitter (Reiter-Sorensen) and whether it equals the Purcell flux."""
    Omega = sp.Symbol("Omega", positive=True)
    drive = Omega / 2 * (EMITTER.sigma("e", "g") + EMITTER.sigma("g", "e"))
    model = purcell_model()
    driven = model.replace(
        hamiltonian=model.hamiltonian + drive,
        parameters={**PARAMETERS, **declare([("Omega", "weak drive", "rad/s")])},
    )
    operators = effective_operators(
        driven, [{CAVITY: 0, EMITTER: "g"}], [{CAVITY: 0, EMITTER: "e"}, {CAVITY: 1, EMITTER: "g"}], drive, EMITTER
    )
    amplitude = next(d for d in operators.model.dissipators if d.channel == "kappa").operator.coefficient(
        EMITTER.projector("g")
    )
    scattered = sp.factor(sp.simplify(sp.Abs(amplitude) ** 2))
    weak_drive_limit = sp.factor(gamma_p * Omega**2 / (gamma + gamma_p) ** 2)
    return scattered, sp.simplify((scattered - weak_drive_limit).subs(Delta, 0)) == 0


@reproducible
def symbolic_solution() -> dict[str, Any]:
    """Eliminate the cavity; rates, shift, the effective-operator cross-check, critical coupling.

    Examples
    --------
    >>> from qderive.derivations.purcell.model import Delta, g, kappa
    >>> symbolic = symbolic_solution()
    >>> expressions = symbolic["expressions"]
    >>> sp.simplify(expressions["Gamma_P"] - 4 * g**2 * kappa / (kappa**2 + 4 * Delta**2))  # Lorentzian in Delta
    0
    >>> expressions["Gamma_P_resonant"], symbolic["critical"]  # 4 g^2/kappa; kappa_e = kappa_i maximises the port
    (4*g**2/kappa, Eq(kappa_e, kappa_i))
    """
    model = purcell_model()
    effective = adiabatic_eliminate(model, CAVITY)
    rates = transition_rates(effective.model, EMITTER, "e")
    gamma_p = rates["kappa"]
    shift = sp.factor(effective.model.hamiltonian.coefficient(EMITTER.projector("e")))
    scattered, agree = _effective_operator_check(gamma_p)
    ki, ke = sp.symbols("kappa_i kappa_e", positive=True)
    ((critical, _),) = maximise(4 * g**2 * ke / (ki + ke) ** 2, ke)
    small_name, small_expr = next(iter(effective.small_parameters.items()))
    expressions = {
        "Gamma_P": gamma_p,
        "Gamma_P_resonant": gamma_p.subs(Delta, 0),
        "Purcell_factor": gamma_p / gamma,
        "cavity_shift": shift,
        "total_decay_rate": gamma + gamma_p,
        "small_parameter": small_expr,
    }
    model_latex = rf"H = {model.hamiltonian.latex()},\ \kappa D[a] + \gamma D[\sigma_-]"
    steps = (
        Step("Model", model_latex),
        Step(
            "Cavity Langevin equation set to steady state",
            r"a \approx \frac{-i g \sigma_- - i\sqrt{\kappa} a_{in}}{i\Delta + \kappa/2}",
            operation="eliminate the cavity mode a: da/dt = 0 in its Heisenberg-Langevin equation",
            before=r"\dot a = -(i\Delta + \kappa/2) a - i g \sigma_- - i\sqrt{\kappa} a_{in}",
            relies_on=tuple(effective.small_parameters),
        ),
        Step("Effective model (method 1)", rf"H_{{eff}} = {effective.model.hamiltonian.latex()}",
             operation="substitute a into the emitter's equations"),
        Step("Purcell rate", rf"\Gamma_P = {sp.latex(gamma_p)}",
             operation="read the decay rate of sigma_ee into the kappa port"),
        Step(
            "Cross-check by effective operators with a weak drive Omega (method 3)",
            rf"|L_{{eff}}^\kappa|^2 = {sp.latex(scattered)}",
            f"equals Gamma_P Omega^2/(gamma + Gamma_P)^2 on resonance: {agree}",
            operation="Reiter-Sorensen effective operators from the ground and singly excited manifolds",
        ),
        Step(
            "Critical coupling: d/dkappa_e [4 g^2 kappa_e/(kappa_i + kappa_e)^2] = 0",
            rf"\kappa_e = {sp.latex(critical)}",
            operation="maximise the emission into the port over kappa_e",
        ),
    )
    return {
        "expressions": expressions,
        "critical": sp.Eq(ke, critical),
        "small_parameters": dict(effective.small_parameters),
        "small_name": small_name,
        "steps": steps,
        "assumptions": effective.assumptions
        + ("vacuum bath; emitter dynamics slow compared with the cavity decay",),
        "effective_model": effective,
    }


MEANINGS = {
    "Gamma_P": ("rad/s", "cavity-induced (Purcell) decay rate"),
    "Gamma_P_resonant": ("rad/s", "4 g^2/kappa"),
    "Purcell_factor": ("", "Gamma_P / gamma"),
    "cavity_shift": ("rad/s", "emitter frequency shift from the cavity"),
    "total_decay_rate": ("rad/s", "gamma + Gamma_P: the emitter's population decay rate"),
}


def derive(cache: SymbolicCache, parameters: ParameterSet) -> Derivation:
    """The Purcell derivation at ``parameters``.

    Examples
    --------
    >>> from qderive.derivations.contract import SymbolicCache
    >>> from qderive.derivations.purcell.model import DEFAULTS, PARAMETERS
    >>> from qderive.symbolic import ParameterSet
    >>> d = derive(SymbolicCache(), ParameterSet(tuple(PARAMETERS.values()), {**DEFAULTS, "gamma": 0.0}))
    >>> d.results["Purcell_factor"].value is None  # undefined without other decay channels, not a NaN
    True
    >>> round(d.value("Gamma_P_resonant") / (4 * DEFAULTS["g"] ** 2 / DEFAULTS["kappa"]), 12)
    1.0
    """
    symbolic = cache.get("symbolic", symbolic_solution)
    expressions = symbolic["expressions"]
    conditions = conditions_of(symbolic["small_parameters"], parameters, SMALL_LIMIT,
                               "cavity fast compared with the emitter-cavity exchange")
    results = {}
    for key, expr in expressions.items():
        if key == "small_parameter":
            results[key] = Quantity(expr, "", conditions[symbolic["small_name"]].value, symbolic["small_name"])
        elif key == "Purcell_factor" and parameters["gamma"] == 0:
            results[key] = Quantity(expr, "", None, MEANINGS[key][1] + " (undefined at gamma = 0)")
        else:
            results[key] = Quantity(expr, MEANINGS[key][0], float(parameters.evaluate(expr)), MEANINGS[key][1])
    results["critical_coupling"] = Quantity(
        symbolic["critical"], "rad/s", None,
        "kappa_e maximising the emission 4 g^2 kappa_e/(kappa_i + kappa_e)^2 into the port",
    )
    evaluators = {key: closed_form(expr, PARAMETERS) for key, expr in expressions.items()}
    return Derivation("purcell", TITLE, parameters, symbolic["assumptions"], symbolic["steps"], results,
                      conditions=conditions, evaluators=evaluators,
                      data={"effective_model": symbolic["effective_model"]})
