r"""Purcell enhancement by adiabatic elimination of a bad cavity.

.. math:: H = \Delta a^\dagger a + g(a^\dagger\sigma_- + a\sigma_+),\quad \kappa D[a] + \gamma D[\sigma_-]

For ``kappa >> g`` the cavity follows the emitter and adds the decay channel
``Gamma_P = g^2 kappa / (Delta^2 + kappa^2/4)``, ``4 g^2 / kappa`` on resonance.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from qderive.numeric import fock_model, liouvillian
from qderive.symbolic import (
    BosonMode,
    Dissipator,
    Model,
    NLevelSystem,
    ParameterSet,
    adiabatic_eliminate,
    declare,
    effective_operators,
    maximise,
    transition_rates,
)

from .base import Derivation, Entry, Result, Step, Validation
from .scaling import log_log_slope, slowest_rate

PARAMETERS = declare(
    [
        ("g", "emitter-cavity coupling", "rad/s"),
        ("kappa", "cavity energy decay rate", "rad/s"),
        ("gamma", "emitter decay rate into other modes", "rad/s", "nonnegative"),
        ("Delta", "cavity-emitter detuning", "rad/s", "real"),
    ]
)
DEFAULTS = {"g": 2 * np.pi * 1e9, "kappa": 2 * np.pi * 40e9, "gamma": 2 * np.pi * 0.2e9, "Delta": 0.0}
g, kappa, gamma, Delta = (p.symbol for p in PARAMETERS.values())
CAVITY, EMITTER = BosonMode("a"), NLevelSystem("s", ("g", "e"))


def purcell_model() -> Model:
    a, s_minus = CAVITY.a, EMITTER.sigma("g", "e")
    H = Delta * a.dag() * a + g * (a.dag() * s_minus + a * s_minus.dag())
    return Model(
        "purcell",
        (CAVITY, EMITTER),
        H,
        (Dissipator(kappa, a, "kappa"), Dissipator(gamma, s_minus, "gamma")),
        PARAMETERS,
        ports=("kappa",),
    )


def derive(parameters: ParameterSet) -> Derivation:
    effective = adiabatic_eliminate(purcell_model(), CAVITY)
    small = effective.check(parameters)
    rates = transition_rates(effective.model, EMITTER, "e")
    gamma_p = rates["kappa"]
    shift = sp.factor(effective.model.hamiltonian.coefficient(EMITTER.projector("e")))
    # the same rate by the effective operator formalism (weak drive on the emitter, method 3)
    Omega = sp.Symbol("Omega", positive=True)
    drive = Omega / 2 * (EMITTER.sigma("e", "g") + EMITTER.sigma("g", "e"))
    driven = purcell_model().replace(
        hamiltonian=purcell_model().hamiltonian + drive,
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
    agree = sp.simplify((scattered - weak_drive_limit).subs(Delta, 0)) == 0
    ki, ke = sp.symbols("kappa_i kappa_e", positive=True)
    ((critical, best),) = maximise(4 * g**2 * ke / (ki + ke) ** 2, ke)
    value = lambda expr: float(parameters.evaluate(expr))  # noqa: E731
    results = {
        "Gamma_P": Result(gamma_p, "rad/s", value(gamma_p), "cavity-induced (Purcell) decay rate"),
        "Gamma_P_resonant": Result(gamma_p.subs(Delta, 0), "rad/s", value(gamma_p.subs(Delta, 0)), "4 g^2/kappa"),
        "Purcell_factor": Result(
            gamma_p / gamma, "1", value(gamma_p / gamma) if parameters["gamma"] > 0 else None, "Gamma_P / gamma"
        ),
        "cavity_shift": Result(shift, "rad/s", value(shift), "emitter frequency shift from the cavity"),
        "critical_coupling": Result(
            sp.Eq(ke, critical),
            "rad/s",
            None,
            "kappa_e maximising the emission 4 g^2 kappa_e/(kappa_i + kappa_e)^2 into the port",
        ),
        "small_parameter": Result(
            next(iter(effective.small_parameters.values())),
            "1",
            next(iter(small.values())),
            next(iter(effective.small_parameters)),
        ),
    }
    steps = (
        Step("Model", rf"H = {purcell_model().hamiltonian.latex()},\ \kappa D[a] + \gamma D[\sigma_-]"),
        Step(
            "Cavity Langevin equation set to steady state",
            r"a \approx \frac{-i g \sigma_- - i\sqrt{\kappa} a_{in}}"
            r"{i\Delta + \kappa/2}",
        ),
        Step("Effective model (method 1)", rf"H_{{eff}} = {effective.model.hamiltonian.latex()}"),
        Step("Purcell rate", rf"\Gamma_P = {sp.latex(gamma_p)}"),
        Step(
            "Cross-check by effective operators with a weak drive Omega (method 3)",
            rf"|L_{{eff}}^\kappa|^2 = {sp.latex(scattered)}",
            f"equals Gamma_P Omega^2/(gamma + Gamma_P)^2 on resonance: {agree}",
        ),
        Step(
            "Critical coupling: d/dkappa_e [4 g^2 kappa_e/(kappa_i + kappa_e)^2] = 0",
            rf"\kappa_e = {sp.latex(critical)}",
        ),
    )
    return Derivation(
        "purcell",
        "Purcell rate by adiabatic elimination of the cavity",
        effective.assumptions + ("vacuum bath; emitter dynamics slow compared with the cavity decay",),
        steps,
        results,
        parameters=parameters,
    )


def _numeric_rates(parameters: ParameterSet) -> tuple[float, float]:
    """(full master equation slowest population rate, effective gamma + Gamma_P)."""
    fock = fock_model(purcell_model(), parameters, {"a": 2})
    excitations = np.array([n + e for n in range(2) for e in range(2)])
    full = slowest_rate(liouvillian(fock.hamiltonian, fock.jump_operators), excitations)
    gp = float(parameters.evaluate(g**2 * kappa / (Delta**2 + kappa**2 / 4)))
    return full, parameters["gamma"] + gp


def validate(parameters: ParameterSet) -> Validation:
    """Effective decay rate against the full master equation, and its error scaling in g/kappa."""
    full, effective = _numeric_rates(parameters)
    ratios = np.geomspace(0.005, 0.05, 6)
    errors = []
    for r in ratios:
        point = parameters.replace(g=r * parameters["kappa"], gamma=0.0, Delta=0.0)
        exact, approx = _numeric_rates(point)
        errors.append(abs(exact - approx) / exact)
    slope = log_log_slope(ratios, errors)
    metrics = {
        "rate_full": full,
        "rate_effective": effective,
        "rel_error": abs(full - effective) / full,
        "error_exponent_in_g_over_kappa": slope,
        "expected_exponent": 2.0,
    }
    return Validation(
        "purcell",
        metrics,
        passed=abs(slope - 2) < 0.1,
        details="population decay rate from the full Liouvillian vs gamma + Gamma_P; sweep "
        "g/kappa = 0.005..0.05 at gamma = Delta = 0 gives relative error ~ (g/kappa)^slope",
    )


ENTRY = Entry(
    "purcell",
    "Purcell rate 4 g^2/kappa by adiabatic elimination of the cavity",
    tuple(PARAMETERS.values()),
    DEFAULTS,
    derive,
    validate,
)
