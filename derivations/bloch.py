r"""Optical Bloch equations of a driven two-level atom with pure dephasing, and their steady state.

Model (rotating frame of the laser, RWA, hbar = 1):

.. math:: H = -\Delta\,\sigma_{ee} + \tfrac{\Omega}{2}(\sigma_{eg} + \sigma_{ge}),\qquad
          \dot\rho = -i[H,\rho] + \Gamma D[\sigma_{ge}]\rho + 2\gamma_\phi D[\sigma_{ee}]\rho,

with ``Delta = w_laser - w_atom``; the coherence then decays at ``gamma_perp = Gamma/2 + gamma_phi``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from qderive.numeric import fock_model, steady_state
from qderive.symbolic import (
    Dissipator,
    Model,
    NLevelSystem,
    ParameterSet,
    coefficient_tensors,
    declare,
    heisenberg_langevin,
)

from .base import Derivation, Entry, Result, Step, Validation

PARAMETERS = declare(
    [
        ("Omega", "Rabi frequency of the drive", "rad/s"),
        ("Delta", "laser-atom detuning w_L - w_0", "rad/s", "real"),
        ("Gamma", "spontaneous emission rate", "rad/s"),
        ("gamma_phi", "pure dephasing rate of the coherence", "rad/s", "nonnegative"),
    ]
)
DEFAULTS = {"Omega": 2 * np.pi * 5e6, "Delta": 2 * np.pi * 2e6, "Gamma": 2 * np.pi * 6e6, "gamma_phi": 2 * np.pi * 1e6}
Omega, Delta, Gamma, gamma_phi = (PARAMETERS[k].symbol for k in ("Omega", "Delta", "Gamma", "gamma_phi"))
ATOM = NLevelSystem("s", ("g", "e"))


def bloch_model() -> Model:
    s = ATOM.sigma
    H = -Delta * s("e", "e") + Omega / 2 * (s("e", "g") + s("g", "e"))
    dissipators = (Dissipator(Gamma, s("g", "e"), "rad"), Dissipator(2 * gamma_phi, s("e", "e"), "deph"))
    return Model("bloch", (ATOM,), H, dissipators, PARAMETERS, ports=("rad",))


def steady_state_solution(model: Model) -> dict[tuple[int, int], sp.Expr]:
    """``<sigma_ij>`` solving ``M x = 0`` with ``<sigma_gg> + <sigma_ee> = 1``."""
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


def derive(parameters: ParameterSet) -> Derivation:
    model = bloch_model()
    tensors = coefficient_tensors(model)
    solution = steady_state_solution(model)
    rho_ee = solution[1, 1]
    coherence = solution[0, 1]  # <sigma_ge>
    gamma_perp = Gamma / 2 + gamma_phi
    saturation = sp.factor(Omega**2 * gamma_perp / (Gamma * (Delta**2 + gamma_perp**2)))
    dsge = heisenberg_langevin(model, ATOM.sigma("g", "e"))
    value = lambda expr: float(parameters.evaluate(expr))  # noqa: E731 - local shorthand
    results = {
        "rho_ee": Result(rho_ee, "1", value(rho_ee), "steady-state excited population"),
        "abs_coherence": Result(
            sp.factor(sp.Abs(coherence)), "1", value(sp.Abs(coherence)), "|<sigma_ge>| in steady state"
        ),
        "scattering_rate": Result(Gamma * rho_ee, "1/s", value(Gamma * rho_ee), "photon scattering rate Gamma rho_ee"),
        "saturation_parameter": Result(saturation, "1", value(saturation), "s with rho_ee = (s/2)/(1+s)"),
        "gamma_perp": Result(gamma_perp, "rad/s", value(gamma_perp), "coherence decay rate"),
    }
    steps = (
        Step(
            "Model", rf"H = {model.hamiltonian.latex()},\quad \Gamma D[\sigma_{{ge}}] + 2\gamma_\phi D[\sigma_{{ee}}]"
        ),
        Step("Heisenberg-Langevin equation of the coherence", rf"\dot\sigma_{{ge}} = {dsge.latex()}"),
        Step("Drift matrix on (s_gg, s_ge, s_eg, s_ee)", sp.latex(tensors.drift_matrix())),
        Step(
            "Steady state with trace one",
            rf"\langle\sigma_{{ee}}\rangle = {sp.latex(rho_ee)}",
            "solved exactly with sympy.solve, factored",
        ),
        Step("Saturation form", r"\rho_{ee} = \frac{s/2}{1+s},\ s = " + sp.latex(saturation)),
    )
    assumptions = (
        "rotating-wave approximation in the frame of the laser",
        "Markovian vacuum bath (zero temperature at optical frequencies)",
        "pure dephasing 2 gamma_phi D[sigma_ee]: coherence decays at Gamma/2 + gamma_phi",
    )
    return Derivation(
        "bloch",
        "optical Bloch equations of a driven two-level atom",
        assumptions,
        steps,
        results,
        parameters=parameters,
    )


def validate(parameters: ParameterSet) -> Validation:
    """Closed-form ``rho_ee`` against the numerical steady state of the master equation over a detuning sweep."""
    derivation = derive(parameters)
    closed_form = sp.lambdify(
        [Delta],
        derivation.results["rho_ee"].expr.subs({s: v for s, v in parameters.substitutions.items() if s != Delta}),
    )
    gamma_perp = derivation.results["gamma_perp"].value
    detunings = np.linspace(-5, 5, 21) * gamma_perp + parameters["Delta"]
    model = bloch_model()
    errors = []
    for detuning in detunings:
        rho = steady_state(fock_model(model, parameters.replace(Delta=float(detuning))))
        numeric = float(np.real(rho[1, 1]))
        errors.append(abs(numeric - closed_form(detuning)) / numeric)
    worst = float(max(errors))
    return Validation(
        "bloch",
        {"max_rel_error_rho_ee": worst, "points": float(len(detunings))},
        passed=worst < 1e-9,
        details="closed-form rho_ee vs sparse steady state of the full master equation, "
        "21 detunings over +-5 gamma_perp",
    )


ENTRY = Entry(
    name="bloch",
    summary="optical Bloch equations: driven two-level atom with dephasing",
    parameters=tuple(PARAMETERS.values()),
    defaults=DEFAULTS,
    derive=derive,
    validate=validate,
)
