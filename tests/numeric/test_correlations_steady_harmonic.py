"""Two-time correlations, steady states, harmonic balance and measures against QuTiP and analytic limits."""

import dataclasses

import numpy as np
import pytest
import qutip as qt
from scipy.integrate import trapezoid

from qderive.derivations.sps000.model import FIG3
from qderive.derivations.sps000.model import full_model as sps000
from qderive.numeric import (
    concurrence,
    density_matrix_harmonic,
    fidelity,
    fock_model,
    fourier_moment_equations,
    harmonic_balance,
    mesolve,
    partial_trace,
    photon_source_figures,
    purity,
    small_signal_expansion,
    steady_state,
    two_time_correlation,
    von_neumann_entropy,
)
from qderive.numeric.qutip_interop import state_to_qutip, to_qutip
from qderive.symbolic import BosonMode, ConvergenceError
from qderive.symbolic.library import (
    TWO_TONE_VALUES,
    driven_qubit,
    jaynes_cummings,
    pulsed_qubit,
    pumped_jaynes_cummings,
    two_tone_three_level,
)

TIGHT = {"atol": 1e-12, "rtol": 1e-10, "method": "adams"}
JC_VALUES = {"Delta_c": 0.3, "Delta_a": -0.2, "g": 1.0, "E": 0.4, "kappa": 0.8, "gamma": 0.2}


def test_correlations_match_qutip_two_and_three_operator():
    """Tolerance 1e-6 relative: both at rtol 1e-10, max observed difference 1e-7."""
    fock = fock_model(jaynes_cummings(), JC_VALUES, {"a": 6})
    a = fock.operator(BosonMode("a").a)
    ad = a.conj().T.tocsr()
    rho0 = np.eye(fock.dimension)[0]
    times, taus = np.linspace(0, 4, 5), np.linspace(0, 3, 7)
    ours2 = two_time_correlation(fock, rho0, times, taus, ad, a, options=TIGHT)
    ours3 = two_time_correlation(fock, rho0, times, taus, ad, ad @ a, a, options=TIGHT)
    h, c_ops = to_qutip(fock)
    def q(matrix):
        return state_to_qutip(fock, matrix.toarray())

    options = {"atol": 1e-12, "rtol": 1e-10}
    start = state_to_qutip(fock, np.diag(rho0))
    ref2 = qt.correlation_2op_2t(h, start, times, taus, c_ops, q(ad), q(a), options=options)
    ref3 = qt.correlation_3op_2t(h, start, times, taus, c_ops, q(ad), q(ad @ a), q(a), options=options)
    assert np.abs(ours2 - ref2).max() < 1e-6 * np.abs(ref2).max()
    assert np.abs(ours3 - ref3).max() < 1e-6 * np.abs(ref3).max()


def test_single_emitter_antibunching_and_time_dependent_correlation():
    """g2(0) = <s+ s+ s- s-> = 0 identically for a two-level emitter; pulsed case against QuTiP."""
    fock = fock_model(pulsed_qubit(), {"Omega": 3.0, "t0": 1.0, "w": 0.3, "gamma": 1.0})
    sm = fock.operator(pulsed_qubit().subsystems[0].sigma("g", "e"))
    sp_ = sm.conj().T.tocsr()
    rho0 = np.diag([1.0, 0.0])
    times, taus = np.linspace(0, 3, 7), np.linspace(0, 2, 5)
    g2 = two_time_correlation(fock, rho0, times, taus, sp_, sp_ @ sm, sm, options=TIGHT)
    assert np.abs(g2[:, 0]).max() < 1e-14 and np.abs(g2[:, 1:]).max() > 1e-3
    first = two_time_correlation(fock, rho0, times, taus, sp_, sm, options=TIGHT)
    h, c_ops = to_qutip(fock)
    ref = qt.correlation_2op_2t(h, qt.Qobj(rho0), times, taus, c_ops, qt.Qobj(sp_), qt.Qobj(sm),
                                options={"atol": 1e-12, "rtol": 1e-10})
    assert np.abs(first - ref).max() < 1e-6 * np.abs(ref).max()


def test_spontaneous_emission_correlation_is_lorentzian():
    """Undriven atom from |e>: <s+(t+tau) s-(t)> = P_e(t) e^{(i Delta - gamma/2) tau}, whose Fourier
    transform is a Lorentzian of FWHM gamma centred at Delta (exact; tolerance = solver's 1e-8)."""
    gamma, delta = 1.0, 0.7
    fock = fock_model(driven_qubit(), {"Delta": delta, "Omega": 0.0, "gamma": gamma})
    sm = fock.operator(driven_qubit().subsystems[0].sigma("g", "e"))
    times, taus = np.linspace(0, 2, 5), np.linspace(0, 6, 13)
    corr = two_time_correlation(fock, np.diag([0.0, 1.0]), times, taus, sm.conj().T, sm, options=TIGHT)
    exact = np.exp(-gamma * times)[:, None] * np.exp((1j * delta - gamma / 2) * taus)[None, :]
    np.testing.assert_allclose(corr, exact, rtol=1e-8, atol=1e-12)


def test_sps000_figures_of_merit_small_cutoffs():
    """Brightness is kappa int <n>; a single emitter-driven photon gives g2 << 1 and I <= 1."""
    model = sps000()
    fock = fock_model(model, dict(FIG3), {"a": 2, "b": 3, "c": 2})
    d = fock.dimension
    rho0 = np.zeros((d, d))
    rho0[d // 2, d // 2] = 1.0  # spin |e>, modes in vacuum
    options = {"truncation_tolerance": None, "method": "adams"}
    figures = photon_source_figures(fock, rho0, (1e-6, 3e-6), "kappa_sp", n_points=17, options=options)
    assert 0 < figures.brightness < 1 and 0 <= figures.g2 < 0.2 and 0 < figures.indistinguishability <= 1
    # brightness against an independent mesolve of <a^+ a> integrated by the same trapezoid rule
    n = model.subsystem("a").adag * model.subsystem("a").a
    times = np.concatenate([[0.0], figures.times])
    population = mesolve(fock, rho0, times, e_ops=[n], options={**options, **TIGHT}).expect[0][1:]
    kappa = dict(FIG3)["kappa_sp"]
    assert figures.brightness == pytest.approx(kappa * trapezoid(population, figures.times), rel=1e-5)


def test_steady_states_match_qutip_direct_and_iterative():
    fock = fock_model(pumped_jaynes_cummings(), {"g": 1.0, "kappa": 0.5, "gamma": 0.05, "P": 3.0}, {"a": 40})
    h, c_ops = to_qutip(fock)
    reference = qt.steadystate(h, c_ops).full()
    for method in ("direct", "iterative"):
        assert np.abs(steady_state(fock, method=method) - reference).max() < 1e-9
    jc = fock_model(jaynes_cummings(), JC_VALUES, {"a": 10})
    h, c_ops = to_qutip(jc)
    assert np.abs(steady_state(jc) - qt.steadystate(h, c_ops).full()).max() < 1e-9
    # full sps000 (lam != 0, so the spin relaxes and the steady state is unique)
    full = fock_model(sps000(), dict(FIG3), {"a": 2, "b": 4, "c": 3})
    h, c_ops = to_qutip(full)
    assert np.abs(steady_state(full, 5e-2) - qt.steadystate(h, c_ops).full()).max() < 1e-8


def test_harmonic_balance_two_tones_against_long_time_evolution_and_derivatives():
    fock = fock_model(two_tone_three_level(), TWO_TONE_VALUES)
    equations = fourier_moment_equations(fock, [TWO_TONE_VALUES["mu_d"], TWO_TONE_VALUES["mu_s"]])
    solution = harmonic_balance(equations, 5, tol=1e-8)
    rho_dc = density_matrix_harmonic(solution, (0, 0), 3)
    assert np.trace(rho_dc) == pytest.approx(1.0, abs=1e-14)
    # the periodic solution solves the equation at every time: check the time derivative
    t = np.array([3.0, 7.5])
    x, dx = solution(t), (solution(t + 1e-5) - solution(t - 1e-5)) / 2e-5

    def generator(s, time):
        return equations.drift @ s + equations.source + sum(
            (k.plus @ s + k.source_plus) * np.exp(-1j * k.frequency * time) + (k.minus @ s + k.source_minus)
            * np.exp(1j * k.frequency * time) for k in equations.tones)

    for xi, dxi, time in zip(x, dx, t, strict=True):
        assert np.abs(generator(xi, time) - dxi).max() < 1e-6
    with pytest.raises(ConvergenceError, match="not converged at orders"):
        harmonic_balance(equations, 1, tol=1e-12)
    # small-signal slope of the level-2 population against a finite-difference ladder
    x0, x1, x2 = small_signal_expansion(equations, 1, 5)
    slope = density_matrix_harmonic(x2, (0, 0), 3)[2, 2].real
    eps = 1e-3
    scaled = dataclasses.replace(equations, tones=(equations.tones[0], dataclasses.replace(
        equations.tones[1], plus=eps * equations.tones[1].plus, minus=eps * equations.tones[1].minus,
        source_plus=eps * equations.tones[1].source_plus, source_minus=eps * equations.tones[1].source_minus)))
    p2 = density_matrix_harmonic(harmonic_balance(scaled, 5), (0, 0), 3)[2, 2].real
    p2_0 = density_matrix_harmonic(x0, (0, 0), 3)[2, 2].real
    assert (p2 - p2_0) / eps**2 == pytest.approx(slope, rel=1e-4)  # O(eps^2) relative corrections


def test_measures_match_qutip():
    rng = np.random.default_rng(3)
    for _ in range(3):
        x = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
        rho = x @ x.conj().T
        rho /= np.trace(rho)
        y = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
        sigma = y @ y.conj().T
        sigma /= np.trace(sigma)
        q = qt.Qobj(rho, dims=[[2, 2], [2, 2]])
        assert concurrence(rho) == pytest.approx(qt.concurrence(q), abs=1e-10)
        # QuTiP's fidelity is Tr sqrt(sqrt(rho) sigma sqrt(rho)); ours is its square (Uhlmann-Jozsa)
        assert fidelity(rho, sigma) == pytest.approx(qt.fidelity(q, qt.Qobj(sigma, dims=q.dims)) ** 2, rel=1e-10)
        assert von_neumann_entropy(rho) == pytest.approx(qt.entropy_vn(q, base=2), rel=1e-10)
        assert purity(rho) == pytest.approx((q * q).tr().real, rel=1e-12)
        np.testing.assert_allclose(partial_trace(rho, (2, 2), [1]), q.ptrace(1).full(), atol=1e-14)
