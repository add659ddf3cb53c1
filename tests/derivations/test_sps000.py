"""sps000: derived forms against hand derivations and limits, the effective model against the full model.

References are independent of the derivation: exact diagonalisation of the dressing Hamiltonian,
hand-derived limits (lam = gsp, gstar = 0, T -> 0, no cooling), the exact steady state of the
linear cooling stage, and the full master equation (rotating-wave form, small cutoffs).
"""

import math
import warnings

import numpy as np
import pytest
import sympy as sp

from qderive.derivations.contract import ValidationOptions
from qderive.derivations.registry import Registry
from qderive.derivations.sps000 import derivation as D
from qderive.derivations.sps000.model import HBAR, K_B
from qderive.derivations.sps000.validation import full_metrics
from qderive.numeric import fock_model, steady_state
from qderive.symbolic import ApproximationWarning, ParameterError

SYSTEM = Registry.discover().get("sps000")
S = D.SYMBOLS
TWO_PI = 2 * math.pi


@pytest.fixture(scope="module")
def symbolic():
    return SYSTEM.cache.get("symbolic", D.symbolic_solution)


@pytest.fixture(scope="module")
def default():
    return SYSTEM.derive(SYSTEM.parameter_set())


def test_dressed_splitting_matches_exact_diagonalisation(default):
    p = default.parameters
    Om, Dq = p["Omega_q"], p["Delta_q"]
    H = np.array([[0, Om / 2, 0], [Om / 2, -Dq, Om / 2], [0, Om / 2, 0]])  # basis |-1>, |0>, |+1>
    energies = np.linalg.eigvalsh(H)
    exact = energies[-1] - 0.0  # bright state above the dark state (energy 0)
    # second-order elimination: relative error O((Omega_q/Delta_q)^2) = 0.008 here
    assert default.value("omega_q") == pytest.approx(exact, rel=2 * (Om / Dq) ** 2)


def test_raman_coupling_and_noise_reduce_to_the_hand_results(symbolic):
    raman = symbolic["raman"]
    markov = {S["Gamma_opt"]: 0, S["gamma_m"]: 0, S["delta_b"]: S["delta"]}
    # Raman path through b at -delta plus the counter-rotating path at -(w_q + w_m) = -(delta + 2 w_m)
    hand = S["lam"] * S["gsp"] * (1 / S["delta"] - 1 / (S["delta"] + 2 * S["w_m"]))
    assert sp.simplify(raman["Omega"].subs(markov) - hand) == 0
    # Gamma_th -> gsp lam n_th gamma_m / delta^2 for a narrow mechanical line (the source's form)
    narrow = raman["Gamma_th"].subs({S["Gamma_opt"]: 0, S["delta_b"]: S["delta"]})
    limit = sp.limit(narrow / S["gamma_m"], S["gamma_m"], 0)
    assert sp.simplify(limit - S["gsp"] * S["lam"] * S["n_th"] / S["delta"] ** 2) == 0
    # lam != gsp: spin heating ~ lam^2, thermal photons ~ gsp^2, cross term lam gsp
    ratio = sp.simplify(raman["Gamma_heat_spin"] / raman["Gamma_heat_cavity"])
    assert sp.simplify(ratio - S["lam"] ** 2 / S["gsp"] ** 2) == 0
    assert sp.simplify(raman["Gamma_th"] ** 2 - raman["Gamma_heat_spin"] * raman["Gamma_heat_cavity"]) == 0


def test_emission_rate_limits(symbolic):
    raman = symbolic["raman"]
    cold = {S["n_th"]: 0, S["Gamma_opt"]: 0, S["Gamma_c_delta"]: 0, S["delta_b"]: S["delta"]}
    R = raman["R"].subs(cold)
    R = sp.limit(R, S["gamma_m"], 0)
    lam, gsp, delta, W = S["lam"], S["gsp"], S["delta"], S["delta"] + 2 * S["w_m"]
    omega = lam * gsp * (1 / delta - 1 / W)
    # T -> 0, no cooling bath: Lorentzian transfer 2 Omega^2 G/(G^2 + D^2) with G = (ksp + gstar)/2 (gstar D[s+s-])
    # and D = Stark (RWA, (gsp^2 - lam^2)/delta) plus Bloch-Siegert (-(gsp^2 + lam^2)/W) detuning
    G, Dt = (S["ksp"] + S["gstar"]) / 2, (gsp**2 - lam**2) / delta - (gsp**2 + lam**2) / W
    assert sp.simplify(R - 2 * omega**2 * G / (G**2 + Dt**2)) == 0
    R = sp.limit(R, S["w_m"], sp.oo)  # the RWA limit
    equal = sp.simplify(R.subs(gsp, lam) - 4 * (lam**2 / delta) ** 2 / (S["ksp"] + S["gstar"]))
    assert equal == 0
    # gstar = 0 as well: 4 Omega^2 / ksp, hence the critical detuning 2 gsp lam / ksp
    bare = R.subs({S["gsp"]: S["lam"], S["gstar"]: 0})
    assert sp.simplify(bare - 4 * S["lam"] ** 4 / S["delta"] ** 2 / S["ksp"]) == 0
    assert sp.simplify(raman["delta_critical"] - 2 * S["gsp"] * S["lam"] / S["ksp"]) == 0
    # lam != gsp at T = 0: the Stark shifts (lam^2 - gsp^2)/delta detune the Raman resonance
    detuning = sp.limit(raman["Raman_detuning"].subs(cold), S["gamma_m"], 0)
    assert sp.simplify(detuning - Dt) == 0
    beta0 = sp.limit(raman["beta0"].subs(cold), S["gamma_m"], 0)
    assert sp.simplify(beta0 - 1) == 0


def test_source_parameters_give_the_stated_critical_point_and_thermal_numbers(default):
    p = default.parameters
    assert default.value("delta_critical") == pytest.approx(p["delta"], rel=1e-12)  # ksp = 2 Omega in Fig. 3
    n_th = K_B * p["T"] / (HBAR * TWO_PI * p["fm"])
    assert default.value("n_th") == pytest.approx(n_th, rel=1e-12)
    gm = TWO_PI * p["fm"] / p["Qm"]
    # the source's Gamma_th with delta replaced by the mechanics' detuning at the Raman frequency, pulled by the
    # cooling mode (hand: gc^2 delta / (delta^2 + kc^2/4)); the rest is the mechanical linewidth (< 1 %)
    pull = p["gc"] ** 2 * p["delta"] / (p["delta"] ** 2 + p["kc"] ** 2 / 4)
    assert default.value("pull_c") == pytest.approx(pull, rel=1e-12)
    stated = p["gsp"] * p["lam"] * n_th * gm / (p["delta"] - pull) ** 2
    assert default.value("Gamma_th") == pytest.approx(stated, rel=0.01)
    # without cooling the number fluctuations are far from averaged out: ~ 2 lam^2 n_th / (delta gamma_m)
    hand = 2 * p["lam"] ** 2 * n_th / (p["delta"] * gm)
    assert default.value("number_fluctuations_uncooled") == pytest.approx(hand, rel=1e-6)
    assert default.value("Gamma_opt") == pytest.approx(4 * p["gc"] ** 2 / p["kc"], rel=1e-12)


def test_cooled_phonon_number_against_the_exact_linear_steady_state(symbolic):
    cooling = symbolic["cooling"]
    values = {"T": 300.0, "Qm": 5e8, "fm": 3e6, "gc": TWO_PI * 15e3, "kc": TWO_PI * 600e3}  # weak coupling
    gm = TWO_PI * values["fm"] / values["Qm"]
    n_th = K_B * values["T"] / (HBAR * TWO_PI * values["fm"])
    scaled = {"gamma_m": gm, "n_th": n_th / 2e4}  # same ratios, an occupation a Fock space can hold
    model = cooling["model"]
    names = {p: v for p, v in (values | scaled).items() if p in model.parameters}
    fill = {name: 1.0 for name in model.parameters if name not in names}
    fock = fock_model(model, names | fill, {"b": 4, "c": 3})
    b_number = np.real(np.trace(steady_state(fock) @ fock.operator(D.PHONON.a.dag() * D.PHONON.a).toarray()))
    weak = float(cooling["n_cooled"].subs({S[k]: v for k, v in (values | scaled).items()}))
    # exact linear result n gm (4g^2 + k(k+g)) / ((k+g)(4g^2 + k g)) differs from the weak-coupling form by (2gc/kc)^2
    assert b_number == pytest.approx(weak, rel=3 * (2 * values["gc"] / values["kc"]) ** 2)


def test_truncation_convergence_at_a_reduced_parameter_set():
    p = SYSTEM.parameter_set({"T": 30.0, "tl": 0.0, "tu": 12e-6}).values
    small = full_metrics(p, True, {"a": 3, "b": 3, "c": 2}, 5, 0.2)
    large = full_metrics(p, True, {"a": 4, "b": 4, "c": 3}, 5, 0.2)
    for attribute in ("indistinguishability", "g2", "beta"):
        assert getattr(small, attribute) == pytest.approx(getattr(large, attribute), abs=0.01), attribute


def test_effective_model_agrees_with_the_full_model_deep_in_the_adiabatic_regime():
    # delta/lam = 20 (small parameter 0.07), ksp = 2 Omega kept, gate over the emission
    overrides = {"lam": TWO_PI * 50e3, "gsp": TWO_PI * 50e3, "ksp": TWO_PI * 5e3, "T": 30.0, "tl": 0.0, "tu": 40e-6}
    validation = SYSTEM.validate(SYSTEM.derive(SYSTEM.parameter_set(overrides)), ValidationOptions(quick=True))
    assert validation.passed, validation.reason
    assert validation.metrics["rel_error_beta_rwa"] < 0.02 and validation.metrics["abs_error_I_rwa"] < 0.02


def test_bad_parameters_are_refused_or_warned_by_name():
    with pytest.raises(ParameterError, match="'tu' must exceed 'tl'"):
        SYSTEM.derive(SYSTEM.parameter_set({"tl": 30e-6}))
    with pytest.raises(ParameterError, match="'ksp' must be positive"):
        SYSTEM.parameter_set({"ksp": -1.0})
    near = SYSTEM.derive(SYSTEM.parameter_set({"delta": TWO_PI * 150e3}))
    assert any(c.name.startswith("|X| sqrt(2 n + 1)") for c in near.failed_conditions)
    uncooled = SYSTEM.derive(SYSTEM.parameter_set({"gc": TWO_PI * 0.1}))
    assert any("number fluctuations" in c.name for c in uncooled.failed_conditions)
    effective = near.data["effective"]
    values = dict(near.parameters.values) | {"gamma_m": TWO_PI * 3e6 / 5e8, "n_th": near.value("n_th"),
                                              "Gamma_opt": near.value("Gamma_opt"),
                                              "Gamma_c_delta": near.value("Gamma_c_delta"),
                                              "delta_b": near.parameters["delta"] - near.value("pull_c"),
                                              "w_m": TWO_PI * near.parameters["fm"]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        effective.check(values, threshold=0.2)
    assert any(issubclass(w.category, ApproximationWarning) and "|X| sqrt(2 n + 1)" in str(w.message) for w in caught)
