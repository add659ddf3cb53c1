r"""Raman coupling of a far-detuned lambda system: second-order elimination of the excited level.

.. math:: H = \Delta\sigma_{ee} + \tfrac{\Omega_1}{2}(\sigma_{e1} + \sigma_{1e})
          + \tfrac{\Omega_2}{2}(\sigma_{e2} + \sigma_{2e}),
          \quad \Gamma D[\sigma_{1e}] + \Gamma D[\sigma_{2e}]

For ``|Delta| >> Omega_1, Omega_2, Gamma``: ``J_eff = -Omega_1 Omega_2 / (4 Delta)``,
``shift_i = -Omega_i^2 / (4 Delta)``, optical pumping ``1 -> 2`` at ``Gamma Omega_1^2 / (4 Delta^2)``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from qderive.numeric import fock_model, liouvillian
from qderive.symbolic import (
    Dissipator,
    Model,
    NLevelSystem,
    ParameterSet,
    declare,
    effective_operators,
    far_detuned_eliminate,
    transition_rates,
)

from .base import Derivation, Entry, Result, Step, Validation
from .scaling import log_log_slope

PARAMETERS = declare(
    [
        ("Omega1", "Rabi frequency on 1 <-> e", "rad/s"),
        ("Omega2", "Rabi frequency on 2 <-> e", "rad/s", "nonnegative"),
        ("Delta", "detuning of the excited level", "rad/s", "real"),
        ("Gamma", "decay rate e -> 1 and e -> 2 (each)", "rad/s", "nonnegative"),
    ]
)
DEFAULTS = {"Omega1": 2 * np.pi * 10e6, "Omega2": 2 * np.pi * 8e6, "Delta": 2 * np.pi * 1e9, "Gamma": 2 * np.pi * 6e6}
Omega1, Omega2, Delta, Gamma = (p.symbol for p in PARAMETERS.values())
ATOM = NLevelSystem("s", (1, 2, "e"))


def parts() -> tuple[sp.Expr, sp.Expr]:
    s = ATOM.sigma
    free = Delta * s("e", "e")
    coupling = Omega1 / 2 * (s("e", 1) + s(1, "e")) + Omega2 / 2 * (s("e", 2) + s(2, "e"))
    return free, coupling


def lambda_model() -> Model:
    free, coupling = parts()
    jumps = (Dissipator(Gamma, ATOM.sigma(1, "e"), "Gamma_1"), Dissipator(Gamma, ATOM.sigma(2, "e"), "Gamma_2"))
    return Model("raman", (ATOM,), free + coupling, jumps, PARAMETERS)


def derive(parameters: ParameterSet) -> Derivation:
    model = lambda_model()
    free, coupling = parts()
    second = far_detuned_eliminate(model, free, coupling, (ATOM, "e"))
    small = second.check(parameters)
    H = second.model.hamiltonian
    J = H.coefficient(ATOM.sigma(1, 2))
    shift_1, shift_2 = H.coefficient(ATOM.projector(1)), H.coefficient(ATOM.projector(2))
    pumping = transition_rates(second.model, ATOM, 1)["Gamma_2"]
    rayleigh = next(d for d in second.model.dissipators if d.channel == "Gamma_1").operator.coefficient(
        ATOM.projector(1)
    )
    scattering = sp.factor(pumping + Gamma * rayleigh * sp.conjugate(rayleigh))
    operators = effective_operators(model, [{ATOM: 1}, {ATOM: 2}], [{ATOM: "e"}], coupling, ATOM)
    J_rs = sp.factor(operators.model.hamiltonian.coefficient(ATOM.sigma(1, 2)))
    limit = sp.limit(
        J_rs.subs(Gamma, sp.Symbol("epsilon", positive=True) * Delta) / J, sp.Symbol("epsilon", positive=True), 0
    )
    value = lambda expr: float(parameters.evaluate(expr))  # noqa: E731
    results = {
        "J_eff": Result(J, "rad/s", value(J), "coefficient of s_12 + s_21 in H_eff"),
        "shift_1": Result(shift_1, "rad/s", value(shift_1), "ac Stark shift of level 1"),
        "shift_2": Result(shift_2, "rad/s", value(shift_2), "ac Stark shift of level 2"),
        "Gamma_eff_1": Result(pumping, "rad/s", value(pumping), "optical pumping rate out of level 1 (into 2)"),
        "scattering_rate_1": Result(scattering, "rad/s", value(scattering), "photon scattering rate from level 1"),
        "J_eff_with_decay": Result(J_rs, "rad/s", value(J_rs), "J_eff by effective operators (includes Gamma)"),
        "small_parameter": Result(
            sp.Max(*second.small_parameters.values()), "1", max(small.values()), "max Omega_i / (2 |Delta|)"
        ),
    }
    steps = (
        Step("Model", rf"H = {model.hamiltonian.latex()}"),
        Step("Second-order (Schrieffer-Wolff / James) Hamiltonian on {1, 2}", rf"H_{{eff}} = {H.latex()}"),
        Step(
            "Jump operators L + [S, L] projected on {1, 2}",
            r"\\ ".join(
                rf"L_{{{d.channel}}} = \sqrt{{{sp.latex(d.rate)}}}\,({d.operator.latex()})"
                for d in second.model.dissipators
            ),
        ),
        Step(
            "Effective operator formalism (Reiter-Sorensen)",
            rf"J = {sp.latex(J_rs)}",
            f"ratio to the second-order J as Gamma/Delta -> 0: {limit}",
        ),
    )
    return Derivation(
        "raman",
        "Raman coupling of a far-detuned lambda system",
        second.assumptions,
        steps,
        results,
        parameters=parameters,
    )


def _splitting(parameters: ParameterSet) -> tuple[float, float]:
    """(exact, second-order) splitting of the two ground-like eigenvalues at Gamma = 0."""
    fock = fock_model(lambda_model(), parameters.replace(Gamma=0.0))
    exact = np.sort(np.linalg.eigvalsh(fock.hamiltonian.toarray()))
    ground = exact[np.argsort(np.abs(exact))[:2]]
    O1, O2, D = parameters["Omega1"], parameters["Omega2"], parameters["Delta"]
    H2 = -np.array([[O1**2, O1 * O2], [O1 * O2, O2**2]]) / (4 * D)
    approx = np.linalg.eigvalsh(H2)
    return float(abs(ground[1] - ground[0])), float(abs(approx[1] - approx[0]))


def _pumping(parameters: ParameterSet) -> float:
    """Slowest decay rate of the full Liouvillian with Omega2 = 0: optical pumping out of level 1."""
    fock = fock_model(lambda_model(), parameters.replace(Omega2=0.0))
    rates = -np.linalg.eigvals(liouvillian(fock.hamiltonian, fock.jump_operators).toarray()).real
    return float(np.min(rates[rates > 1e-9 * rates.max()]))


def validate(parameters: ParameterSet) -> Validation:
    """Ground splitting and pumping rate against the full model; error scaling in Omega/Delta."""
    exact, approx = _splitting(parameters)
    derivation = derive(parameters.replace(Omega2=0.0)) if parameters["Gamma"] > 0 else None
    pumping_full = _pumping(parameters) if derivation else 0.0
    pumping_eff = derivation.results["Gamma_eff_1"].value if derivation else 0.0
    ratios = np.geomspace(0.003, 0.03, 6)
    errors = []
    for r in ratios:
        point = parameters.replace(Omega1=r * abs(parameters["Delta"]), Omega2=0.8 * r * abs(parameters["Delta"]))
        e, a = _splitting(point)
        errors.append(abs(e - a) / e)
    slope = log_log_slope(ratios, errors)
    metrics = {
        "splitting_full": exact,
        "splitting_effective": approx,
        "rel_error_splitting": abs(exact - approx) / exact,
        "pumping_full": pumping_full,
        "pumping_effective": pumping_eff,
        "rel_error_pumping": abs(pumping_full - pumping_eff) / pumping_full if pumping_full else 0.0,
        "error_exponent_in_Omega_over_Delta": slope,
        "expected_exponent": 2.0,
    }
    return Validation(
        "raman",
        metrics,
        passed=abs(slope - 2) < 0.1,
        details="ground-state splitting of the full Hamiltonian vs H_eff (Gamma = 0), and the slowest "
        "Liouvillian rate (Omega2 = 0) vs Gamma Omega1^2/(4 Delta^2)",
    )


ENTRY = Entry(
    "raman",
    "Raman coupling and Stark shifts of a far-detuned lambda system",
    tuple(PARAMETERS.values()),
    DEFAULTS,
    derive,
    validate,
)
