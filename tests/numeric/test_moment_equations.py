"""Closed moment equations solved numerically, against analytic Gaussian results and the full master equation."""

import numpy as np
import pytest

from qderive.numeric import (
    evolve_moments,
    fock_model,
    lower_moments,
    moment_spectrum,
    moment_steady_state,
    regression_system,
    spectrum,
    steady_state,
    steady_state_sweep,
)
from qderive.symbolic import (
    BosonMode,
    Dissipator,
    IdenticalSystems,
    Model,
    NLevelSystem,
    ParameterError,
    complete,
    declare,
    identical_copies,
    meanfield,
)

GAIN = declare([("kappa", "cavity decay", "rad/s"), ("nu", "incoherent gain", "rad/s"),
                ("Delta", "detuning", "rad/s", "real"), ("E", "drive", "rad/s", "real")])
MODE = BosonMode("a")
a = MODE.a


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("QDERIVE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "moment_kernels"))


@pytest.fixture(scope="module")
def gain_cavity():
    """Driven cavity with gain below threshold: linear, so the order-2 equations are exact."""
    kappa, nu, delta, E = (p.symbol for p in GAIN.values())
    model = Model("gain", (MODE,), delta * a.dag() * a + E * (a + a.dag()),
                  [Dissipator(kappa, a, "k"), Dissipator(nu, a.dag(), "nu")], GAIN)
    return model, lower_moments(complete(meanfield([a.dag() * a], model, order=2)))


VALUES = {"kappa": 2.0, "nu": 0.5, "Delta": 0.3, "E": 0.4}


def analytic_gain_cavity(t):
    """<a>(t), <a^+ a>(t) from vacuum: mean amplitude plus thermal-like noise nu/(kappa - nu)."""
    rate = 1j * VALUES["Delta"] + (VALUES["kappa"] - VALUES["nu"]) / 2
    alpha = -1j * VALUES["E"] / rate * (1 - np.exp(-rate * t))
    noise = VALUES["nu"] / (VALUES["kappa"] - VALUES["nu"]) * (1 - np.exp(-(VALUES["kappa"] - VALUES["nu"]) * t))
    return alpha, np.abs(alpha) ** 2 + noise


def test_evolution_and_steady_state_of_a_linear_cavity(gain_cavity):
    _, system = gain_cavity
    times = np.linspace(0.0, 6.0, 13)
    states = evolve_moments(system, VALUES, times, method="BDF")
    alpha, n = analytic_gain_cavity(times)
    assert np.array([system.average(a, y) for y in states]) == pytest.approx(alpha, abs=1e-7)
    assert np.array([system.average(a.dag() * a, y).real for y in states]) == pytest.approx(n, abs=1e-7)
    steady = moment_steady_state(system, VALUES)
    alpha_inf, n_inf = analytic_gain_cavity(np.inf)
    assert system.average(a.dag() * a, steady).real == pytest.approx(n_inf, rel=1e-12)
    assert system.average(a, steady) == pytest.approx(alpha_inf, rel=1e-12)


def test_regression_spectrum_equals_the_master_equation_spectrum(gain_cavity):
    model, system = gain_cavity
    steady = moment_steady_state(system, VALUES)
    omegas = np.linspace(-3.0, 3.0, 13)
    ours = moment_spectrum(regression_system(system, a.dag(), a), VALUES, steady, omegas)
    full = spectrum(fock_model(model, VALUES, {"a": 30}), omegas, a.dag(), a)
    np.testing.assert_allclose(ours.values, full.values, rtol=1e-7)
    assert ours.coherent_weight == pytest.approx(full.coherent_weight, rel=1e-7)
    assert ours.linewidth == pytest.approx(VALUES["kappa"] - VALUES["nu"], rel=1e-9)   # Lorentzian FWHM


def test_moment_spectrum_refuses_a_non_adjoint_pair(gain_cavity):
    _, system = gain_cavity
    with pytest.raises(ParameterError, match="A = B"):
        moment_spectrum(regression_system(system, a, a), VALUES, moment_steady_state(system, VALUES), [0.0])


LASER = declare([("N", "atoms", "1"), ("g", "coupling", "rad/s"), ("kappa", "cavity decay", "rad/s"),
                 ("gamma", "decay", "rad/s"), ("nu", "pump", "rad/s"), ("chi", "dephasing", "rad/s")])


def laser(count):
    N, g, kappa, gamma, nu, chi = (p.symbol for p in LASER.values())
    atoms = identical_copies(NLevelSystem("s", ("g", "e")), count)
    H = 0 * a
    dissipators = [Dissipator(kappa, a, "kappa")]
    for s in atoms:
        sm = s.sigma("g", "e")
        H = H + g * (a.dag() * sm + a * sm.dag())
        dissipators += [Dissipator(gamma, sm, f"g{s.name}"), Dissipator(nu, sm.dag(), f"n{s.name}"),
                        Dissipator(chi, s.sigma("e", "e"), f"c{s.name}")]
    return Model("laser", (MODE, *atoms), H, dissipators, LASER), atoms


@pytest.fixture(scope="module")
def laser_system():
    model, atoms = laser(2)
    eqs = complete(meanfield([a.dag() * a], model, order=2, identical=[IdenticalSystems(atoms, LASER["N"].symbol)]),
                   phase_invariant=True)
    return lower_moments(eqs), atoms[0]


def test_cumulant_steady_state_approaches_the_exact_one_as_n_grows(laser_system):
    """G = g sqrt(N) fixed above threshold: the errors of <a^+ a> and <sigma_ee> fall with N."""
    system, s1 = laser_system
    errors = []
    for count in (1, 2, 3):
        values = {"N": count, "g": 3.0 / np.sqrt(count), "kappa": 1.0, "gamma": 0.05, "nu": 2.0, "chi": 0.01}
        y = moment_steady_state(system, values)
        model, atoms = laser(count)
        fock = fock_model(model, values, {"a": 12 + 6 * count})
        rho = steady_state(fock)          # refuses a cutoff that is not converged (TruncationError)
        exact_n = np.trace(fock.operator(a.dag() * a) @ rho).real
        exact_p = np.trace(fock.operator(atoms[0].sigma("e", "e")) @ rho).real
        errors.append((abs(system.average(a.dag() * a, y).real / exact_n - 1),
                       abs(system.average(s1.sigma("e", "e"), y).real / exact_p - 1)))
    n_errors, p_errors = zip(*errors, strict=True)
    assert n_errors[0] > n_errors[1] > n_errors[2] and n_errors[2] < 0.85 * n_errors[0]
    assert p_errors[0] > p_errors[1] > p_errors[2] and p_errors[2] < 0.7 * p_errors[0]


def test_sweep_equals_pointwise_steady_states(laser_system):
    system, _ = laser_system
    values = {"N": 50, "g": 0.3, "kappa": 1.0, "gamma": 0.05, "nu": 0.1, "chi": 0.01}
    grid = np.linspace(0.1, 5.0, 200)           # crosses the lasing threshold
    states = steady_state_sweep(system, values, "nu", grid)
    for i in (0, 57, 199):
        single = moment_steady_state(system, {**values, "nu": grid[i]})
        assert states[i] == pytest.approx(single, rel=1e-8, abs=1e-10)
    with pytest.raises(ParameterError, match="'pump' is not a parameter"):
        steady_state_sweep(system, values, "pump", grid)
