"""Lindblad evolution against QuTiP 5 (same models, tight tolerances) and conservation laws.

Tolerance: both solvers run at rtol 1e-10 / atol 1e-12, so their global errors are ~1e-8 of the
largest value; we assert 1e-6 relative agreement (the issue's target) with that margin.
"""

import numpy as np
import pytest
import qutip as qt

from qderive.derivations.engine004 import SYSTEM as ENGINE004
from qderive.derivations.engine004.model import engine_model as engine004
from qderive.derivations.engine004.model import numeric_values
from qderive.derivations.sps000.model import FIG3
from qderive.derivations.sps000.model import full_model as sps000
from qderive.numeric import LindbladSolver, fock_model, liouvillian, mesolve, mesolve_batch, steady_state
from qderive.numeric.kernels import dense_superoperator
from qderive.numeric.qutip_interop import from_qutip, state_to_qutip, to_qutip
from qderive.symbolic import BosonMode, ConvergenceError, ParameterError, TruncationError
from qderive.symbolic.library import (
    driven_cavity,
    jaynes_cummings,
    optomechanical_chain,
    pulsed_qubit,
    thermal_oscillator,
)

TIGHT = {"atol": 1e-12, "rtol": 1e-10}
ENGINE004_POINT = ENGINE004().parameter_set({"g": 2 * np.pi * 40e3, "pR": 0.98})


def qutip_expect(fock, rho0, times, ops):
    h, c_ops = to_qutip(fock)
    result = qt.mesolve(h, state_to_qutip(fock, rho0), times, c_ops,
                        e_ops=[state_to_qutip(fock, fock.operator(o).toarray()) for o in ops],
                        options={**TIGHT, "progress_bar": False})
    return np.array(result.expect)


def assert_close(ours, reference, rel=1e-6):
    ours, reference = np.asarray(ours), np.asarray(reference)
    assert np.abs(ours - reference).max() <= rel * np.abs(reference).max()


@pytest.mark.parametrize("method", ["adams", "expm"])
def test_jaynes_cummings_with_loss_matches_qutip(method):
    model = jaynes_cummings()
    values = {"Delta_c": 0.3, "Delta_a": -0.2, "g": 1.0, "E": 0.4, "kappa": 0.8, "gamma": 0.2}
    fock = fock_model(model, values, {"a": 8} if method == "adams" else {"a": 4})
    a, s = BosonMode("a"), model.subsystems[0]
    ops = [a.adag * a.a, s.projector("e"), a.a]
    rho0 = np.zeros(fock.dimension)
    rho0[fock.dimensions[1]] = 1.0  # |e, 0>
    times = np.linspace(0, 10, 21)
    result = mesolve(fock, rho0, times, e_ops=ops, options={**TIGHT, "method": method, "truncation_tolerance": None})
    assert_close(np.array(result.expect), qutip_expect(fock, np.outer(rho0, rho0), times, ops))
    assert result.stats["method"] == method


def test_driven_cavity_reaches_coherent_amplitude_and_counts_work():
    values = {"Delta": 0.5, "E": 0.6, "kappa": 1.0}
    fock = fock_model(driven_cavity(), values, {"a": 15})
    a = BosonMode("a").a
    result = mesolve(fock, np.eye(15)[0], np.linspace(0, 30, 7), e_ops=[a], options={**TIGHT, "method": "adams"})
    alpha = -1j * 0.6 / (0.5 + 0.5j)
    assert result.expect[0][-1] == pytest.approx(alpha, rel=1e-6)  # e^{-15} transient left
    assert result.stats["num_rhs"] > result.stats["num_steps"] > 10


def test_thermal_oscillator_relaxes_to_bath_occupation():
    """<n>(t) = n_th + (n0 - n_th) e^{-kappa t} exactly (linear equation for <n>)."""
    fock = fock_model(thermal_oscillator(), {"w": 3.0, "kappa": 0.5, "n_th": 0.3}, {"a": 20})
    n = BosonMode("a").adag * BosonMode("a").a
    times = np.linspace(0, 8, 9)
    result = mesolve(fock, np.eye(20)[1], times, e_ops=[n], options=TIGHT)
    np.testing.assert_allclose(result.expect[0], 0.3 + 0.7 * np.exp(-0.5 * times), rtol=1e-8)


def test_engine004_and_time_dependent_pulse_match_qutip():
    fock = fock_model(engine004(), numeric_values(ENGINE004_POINT))
    left, right = engine004().subsystems
    ops = [left.projector("e"), right.projector("e"), left.sigma("e", "g") * right.sigma("g", "e")]
    rho0 = np.diag([0.1, 0.2, 0.3, 0.4]).astype(complex)
    times = np.linspace(0, 20e-6, 11)
    for method in ("expm", "adams"):
        result = mesolve(fock, rho0, times, e_ops=ops, options={**TIGHT, "method": method})
        assert_close(np.array(result.expect), qutip_expect(fock, rho0, times, ops))
    pulse = fock_model(pulsed_qubit(), {"Omega": 3.0, "t0": 2.0, "w": 0.5, "gamma": 0.3})
    excited = pulsed_qubit().subsystems[0].projector("e")
    result = mesolve(pulse, np.diag([1.0, 0.0]), np.linspace(0, 5, 11), e_ops=[excited], options=TIGHT)
    assert_close(result.expect[0], qutip_expect(pulse, np.diag([1.0, 0.0]), np.linspace(0, 5, 11), [excited])[0])


def test_sps000_interaction_frame_matches_lab_frame_and_preserves_trace():
    """Both frames solve the same equation: they agree to the integrators' tolerance."""
    fock = fock_model(sps000(), dict(FIG3), {"a": 2, "b": 3, "c": 2})
    d = fock.dimension
    rho0 = np.zeros((d, d))
    rho0[d // 2, d // 2] = 1.0  # spin |e>, all modes in vacuum
    times = np.linspace(0, 2e-6, 5)
    options = {**TIGHT, "truncation_tolerance": None, "method": "adams"}
    lab = mesolve(fock, rho0, times, options={**options, "frame": "lab"})
    rotating = mesolve(fock, rho0, times, options={**options, "frame": "interaction"})
    assert rotating.stats["frame"] == "interaction" and lab.stats["frame"] == "lab"
    assert np.abs(lab.states - rotating.states).max() < 1e-7
    traces = np.trace(rotating.states, axis1=1, axis2=2)
    assert np.abs(traces - 1).max() < 1e-10
    assert np.abs(rotating.states - rotating.states.conj().transpose(0, 2, 1)).max() < 1e-10


@pytest.mark.parametrize("method", ["expm", "adams"])
def test_long_evolution_conserves_trace_and_hermiticity(method):
    """200 damping times at default tolerances: trace and Hermiticity to 1e-10."""
    fock = fock_model(jaynes_cummings(), {"Delta_c": 0.1, "Delta_a": 0.0, "g": 1.0, "E": 0.2, "kappa": 0.5,
                                          "gamma": 0.1}, {"a": 10})
    result = mesolve(fock, np.eye(fock.dimension)[0], np.linspace(0, 400, 9), options={"method": method})
    states = result.states
    assert np.abs(np.trace(states, axis1=1, axis2=2) - 1).max() < 1e-10
    assert np.abs(states - states.conj().transpose(0, 2, 1)).max() < 1e-10


def test_batch_matches_single_runs():
    model = engine004()
    left, right = model.subsystems
    ops = [left.projector("e"), left.sigma("e", "g") * right.sigma("g", "e")]
    values = [numeric_values(ENGINE004_POINT.replace(g=ENGINE004_POINT["g"] * x, pR=0.97 + 0.02 * x))
              for x in (0.2, 0.7, 1.3)]
    rho0 = np.diag([0.4, 0.3, 0.2, 0.1]).astype(complex)
    times = np.concatenate([np.linspace(0, 10e-6, 6), [13e-6, 20e-6]])  # uniform, then two other steps
    batch = mesolve_batch(model, values, rho0, times, ops)
    for b, v in enumerate(values):
        single = mesolve(fock_model(model, v), rho0, times, e_ops=ops, options={**TIGHT, "method": "adams"})
        # exact propagation (batch) against ZVODE at rtol 1e-10
        assert_close(batch[b], np.array(single.expect), rel=1e-6)


def test_bad_inputs_name_the_problem():
    fock = fock_model(driven_cavity(), {"Delta": 0.0, "E": 2.0, "kappa": 1.0}, {"a": 5})
    with pytest.raises(ParameterError, match="'kappa' must be positive"):
        fock_model(driven_cavity(), {"Delta": 0.0, "E": 2.0, "kappa": -1.0}, {"a": 5})
    with pytest.raises(ParameterError, match="trace is 2"):
        mesolve(fock, 2 * np.diag(np.eye(5)[0]), [0, 1])
    with pytest.raises(ParameterError, match="not Hermitian"):
        mesolve(fock, np.diag(np.eye(5)[0]) + np.eye(5, k=1) * 0.1, [0, 1])
    with pytest.raises(ParameterError, match="unknown solver option 'tolerance'"):
        mesolve(fock, np.eye(5)[0], [0, 1], options={"tolerance": 1e-3})
    with pytest.raises(ParameterError, match="option 'atol' must be a positive"):
        LindbladSolver(fock, {"atol": -1.0})
    with pytest.raises(TruncationError, match=r"mode 'a' holds .* at t = .* raise its cutoff above 5"):
        mesolve(fock, np.eye(5)[0], np.linspace(0, 5, 6), options={"method": "adams"})
    with pytest.raises(TruncationError, match=r"mode 'a' holds .* at t = 1 s .* raise its cutoff above 5"):
        mesolve(fock, np.eye(5)[0], np.linspace(0, 5, 6), options={"method": "expm"})  # the uniform-grid path
    with pytest.raises(ParameterError, match="finite and strictly increasing"):
        mesolve(fock, np.eye(5)[0], [0, 2, 1])
    with pytest.raises(ParameterError, match="negative eigenvalue"):
        mesolve(fock, np.diag([1.2, -0.2, 0, 0, 0]), [0, 1])
    with pytest.raises(ConvergenceError, match="raise options\\['nsteps'\\]"):
        mesolve(fock, np.eye(5)[0], [0, 100], options={"method": "adams", "nsteps": 5, "truncation_tolerance": None})


def test_qutip_round_trip():
    fock = fock_model(jaynes_cummings(), {"Delta_c": 0.3, "Delta_a": -0.2, "g": 1.0, "E": 0.4, "kappa": 0.8,
                                          "gamma": 0.2}, {"a": 4})
    h, c_ops = to_qutip(fock)
    assert h.dims == [[2, 4], [2, 4]]
    back, jumps = from_qutip(h, c_ops)
    assert abs(back - fock.hamiltonian).max() == 0
    assert all(abs(j - k).max() == 0 for j, k in zip(jumps, fock.jump_operators, strict=True))


def test_dense_superoperator_equals_qutip_liouvillian():
    """The compiled dense generator against ``qutip.liouvillian`` (same column-stacking convention)."""
    fock = fock_model(jaynes_cummings(), {"Delta_c": 0.3, "Delta_a": -0.2, "g": 1.0, "E": 0.4, "kappa": 0.8,
                                          "gamma": 0.2}, {"a": 4})
    h, c_ops = to_qutip(fock)
    reference = qt.liouvillian(h, c_ops).full()
    ours = dense_superoperator(*fock.dense_matrices)
    assert np.abs(ours - reference).max() <= 1e-14 * np.abs(reference).max()
    assert abs(liouvillian(fock.hamiltonian, fock.jump_operators) - reference).max() <= 1e-14 * np.abs(reference).max()


def test_three_mode_optomechanical_chain_matches_qutip():
    """Occupations of all three modes over time (ZVODE against QuTiP, both at rtol 1e-10) and the
    steady state against ``qutip.steadystate``; the coherent amplitudes of the linear chain against
    the analytic solution of ``0 = -(i D_k + k_k/2) alpha_k - i g (neighbours) - i E delta_ka``."""
    model = optomechanical_chain()
    values = {"Da": 0.2, "Db": -0.1, "Dc": 0.3, "gx": 0.8, "gy": 0.6, "E": 0.3, "ka": 1.0, "kc": 1.5, "gm": 0.05,
              "nth": 0.2}
    fock = fock_model(model, values, {"a": 4, "b": 4, "c": 4})
    a, b, c = (m.a for m in model.subsystems)
    occupations = [a.dag() * a, b.dag() * b, c.dag() * c]
    times = np.linspace(0, 10, 6)
    rho0 = np.diag(np.eye(fock.dimension)[0])  # all modes in vacuum
    result = mesolve(fock, rho0, times, e_ops=occupations, options={**TIGHT, "truncation_tolerance": 1e-3})
    assert_close(np.array(result.expect), qutip_expect(fock, rho0, times, occupations))
    rho = steady_state(fock, 1e-3)
    h, c_ops = to_qutip(fock)
    reference = qt.steadystate(h, c_ops).full()
    assert np.abs(rho - reference).max() < 1e-8
    drift = np.array([[-(1j * 0.2 + 0.5), -0.8j, 0], [-0.8j, -(-0.1j + 0.025), -0.6j], [0, -0.6j, -(0.3j + 0.75)]])
    alpha = np.linalg.solve(drift, [0.3j, 0, 0])
    amplitudes = [np.trace(fock.operator(m.a) @ rho) for m in model.subsystems]
    # the thermal phonons do not shift the amplitudes of a linear chain; truncation at 4 levels with
    # |alpha|^2 <= 0.06 and ~0.01 thermal phonons errs by ~1e-4 (tolerance 5e-4)
    np.testing.assert_allclose(amplitudes, alpha, atol=5e-4)
