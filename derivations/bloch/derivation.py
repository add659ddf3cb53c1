"""Optical Bloch equations: drift tensor, exact steady state, saturation form.

Stages: :func:`symbolic_solution` (parameter-free, cached by the system) and :func:`derive`
(the numbers at the user's point).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from qderive.symbolic import Model, ParameterSet, coefficient_tensors, heisenberg_langevin
from qderive.symbolic.reproducible import reproducible

from ..contract import Condition, Derivation, Step, SymbolicCache, closed_form, quantities
from .model import ATOM, PARAMETERS, Delta, Gamma, Omega, bloch_model, gamma_phi, omega_0

TITLE = "optical Bloch equations of a driven two-level atom"
ASSUMPTIONS = (
    "rotating-wave approximation in the frame of the laser",
    "Markovian vacuum bath (zero temperature at optical frequencies)",
    "pure dephasing 2 gamma_phi D[sigma_ee]: coherence decays at Gamma/2 + gamma_phi",
)


def steady_state_solution(model: Model) -> dict[tuple[int, int], sp.Expr]:
    """``<sigma_ij>`` solving ``M x = 0`` with ``<sigma_gg> + <sigma_ee> = 1`` (``M`` the drift tensor).

    Examples
    --------
    >>> solution = steady_state_solution(bloch_model())
    >>> textbook = (Omega**2 / 4) / (Delta**2 + Gamma**2 / 4 + Omega**2 / 2)  # no dephasing
    >>> sp.simplify(solution[1, 1].subs(gamma_phi, 0) - textbook), sp.simplify(solution[0, 0] + solution[1, 1])
    (0, 1)
    """
    tensors = coefficient_tensors(model)
    n = ATOM.dimension
    unknowns = {(m, k): sp.Symbol(f"x_{m}{k}") for m in range(n) for k in range(n)}
    equations = [
        sum(tensors.drift[i, j, m, k] * unknowns[m, k] for m in range(n) for k in range(n))
        for i in range(n)
        for j in range(n)
    ]
    equations.append(sum(unknowns[m, m] for m in range(n)) - 1)
    solution = sp.solve(equations, list(unknowns.values()), dict=True)[0]
    return {key: sp.factor(solution[symbol]) for key, symbol in unknowns.items()}


@reproducible
def symbolic_solution() -> dict[str, Any]:
    """The parameter-free part: steady-state expressions and the steps that lead to them.

    Examples
    --------
    >>> symbolic = symbolic_solution()
    >>> s = symbolic["expressions"]["saturation_parameter"]
    >>> sp.simplify(symbolic["expressions"]["rho_ee"] - (s / 2) / (1 + s))  # the saturation form is exact
    0
    >>> len(symbolic["steps"])
    5
    """
    model = bloch_model()
    tensors = coefficient_tensors(model)
    solution = steady_state_solution(model)
    rho_ee = solution[1, 1]
    gamma_perp = Gamma / 2 + gamma_phi
    saturation = sp.factor(Omega**2 * gamma_perp / (Gamma * (Delta**2 + gamma_perp**2)))
    dsge = heisenberg_langevin(model, ATOM.sigma("g", "e"))
    expressions = {
        "rho_ee": rho_ee,
        "abs_coherence": sp.factor(sp.Abs(solution[0, 1])),
        "scattering_rate": Gamma * rho_ee,
        "saturation_parameter": saturation,
        "gamma_perp": gamma_perp,
    }
    model_latex = rf"H = {model.hamiltonian.latex()},\quad \Gamma D[\sigma_{{ge}}] + 2\gamma_\phi D[\sigma_{{ee}}]"
    steps = (
        Step("Model", model_latex, operation="rotating frame of the laser, counter-rotating terms dropped",
             before=r"H_{lab} = \omega_0\sigma_{ee} + \Omega\cos(\omega_L t)(\sigma_{eg} + \sigma_{ge})",
             relies_on=tuple(RWA_CONDITIONS)),
        Step(
            "Heisenberg-Langevin equation of the coherence",
            rf"\dot\sigma_{{ge}} = {dsge.latex()}",
            operation="take -i[sigma_ge, H] plus the Lindblad adjoint of each dissipator",
            before=model_latex,
        ),
        Step(
            "Drift matrix on (s_gg, s_ge, s_eg, s_ee)",
            sp.latex(tensors.drift_matrix()),
            operation="collect the coefficients of every <sigma_mn> in d<sigma_ij>/dt",
        ),
        Step(
            "Steady state with trace one",
            rf"\langle\sigma_{{ee}}\rangle = {sp.latex(rho_ee)}",
            "solved exactly with sympy.solve, factored",
            operation="set M x = 0 and replace one equation by <sigma_gg> + <sigma_ee> = 1",
            before=r"M\,\vec{x} = 0",
        ),
        Step(
            "Saturation form",
            r"\rho_{ee} = \frac{s/2}{1+s},\ s = " + sp.latex(saturation),
            operation="divide numerator and denominator by Gamma (Delta^2 + gamma_perp^2)",
            before=rf"\rho_{{ee}} = {sp.latex(rho_ee)}",
        ),
    )
    return {"expressions": expressions, "steps": steps, "model": model}


RWA_CONDITIONS = {
    "Omega/omega_0": (Omega / omega_0, "drive slow compared with the optical frequency (rotating-wave approximation)"),
    "|Delta|/omega_0": (sp.Abs(Delta) / omega_0, "laser near resonance (rotating-wave approximation)"),
}
RWA_LIMIT = 0.01


MEANINGS: Mapping[str, tuple[str, str]] = {
    "rho_ee": ("", "steady-state excited population"),
    "abs_coherence": ("", "|<sigma_ge>| in steady state"),
    "scattering_rate": ("rad/s", "photon scattering rate Gamma rho_ee"),
    "saturation_parameter": ("", "s with rho_ee = (s/2)/(1+s)"),
    "gamma_perp": ("rad/s", "coherence decay rate"),
}


def derive(cache: SymbolicCache, parameters: ParameterSet) -> Derivation:
    """The Bloch derivation at ``parameters``.

    Examples
    --------
    >>> from qderive.derivations.contract import SymbolicCache
    >>> from qderive.symbolic import ParameterSet
    >>> cache = SymbolicCache()
    >>> values = {"Omega": 1e6, "Delta": 0.0, "Gamma": 2e6, "gamma_phi": 0.0, "omega_0": 1e15}
    >>> d = derive(cache, ParameterSet(tuple(PARAMETERS.values()), values))
    >>> round(d.value("rho_ee"), 12) == round(1 / 6, 12)  # (Omega/2)^2 / (Gamma^2/4 + Omega^2/2) on resonance
    True
    >>> round(d.value("scattering_rate") / d.value("rho_ee")), len(cache)  # Gamma rho_ee; symbolic work cached
    (2000000, 1)
    """
    symbolic = cache.get("symbolic", symbolic_solution)
    expressions = symbolic["expressions"]
    results = quantities(expressions, MEANINGS, parameters)
    evaluators = {key: closed_form(expr, PARAMETERS) for key, expr in expressions.items()}
    conditions = {
        name: Condition(name, expr, float(parameters.evaluate(expr)), RWA_LIMIT, meaning)
        for name, (expr, meaning) in RWA_CONDITIONS.items()
    }
    return Derivation("bloch", TITLE, parameters, ASSUMPTIONS, symbolic["steps"], results,
                      conditions=conditions, evaluators=evaluators, data={"model": symbolic["model"]})
