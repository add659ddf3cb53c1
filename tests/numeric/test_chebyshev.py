"""Chebyshev propagation against the dense matrix exponential, an analytic evolution and the ODE solver.

Tolerances: the dense ``scipy.linalg.expm`` of a ``d^2 x d^2`` Liouvillian (d <= 16) is accurate to
~1e-14 relative; the Chebyshev series is truncated at 1e-13 per output step (``atol``), so 1e-12
absolute leaves a margin of ~10 for rounding over a few steps.
"""

import numpy as np
import pytest
import scipy.linalg as sla

from qderive.numeric import LindbladSolver, fock_model, mesolve, two_time_correlation
from qderive.numeric.chebyshev import ChebyshevPropagator, numerical_range_box
from qderive.numeric.generator import LindbladGenerator
from qderive.numeric.kernels import dense_superoperator
from qderive.symbolic import BosonMode, ModelError, ParameterError
from qderive.symbolic.library import driven_cavity, jaynes_cummings, optomechanical_chain, pulsed_qubit

JC_VALUES = {"Delta_c": 0.3, "Delta_a": -0.2, "g": 1.0, "E": 0.4, "kappa": 0.8, "gamma": 0.2}
# oscillation-dominated: bare frequencies 20x the rates, as in the lab-frame sps000 model
FAST_JC = {"Delta_c": 12.0, "Delta_a": 11.0, "g": 1.0, "E": 0.4, "kappa": 0.3, "gamma": 0.1}


def _random_state(d, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    x = x @ x.conj().T
    return x / np.trace(x)


def _expm_apply(liouvillian, x, t):
    d = x.shape[0]
    return (sla.expm(liouvillian * t) @ x.reshape(-1, order="F")).reshape(d, d, order="F")


@pytest.mark.parametrize("values", [JC_VALUES, FAST_JC])
@pytest.mark.parametrize("dual", [False, True])
def test_propagation_matches_dense_exponential(values, dual):
    fock = fock_model(jaynes_cummings(), values, {"a": 8})  # d = 16
    liouvillian = dense_superoperator(*fock.dense_matrices)
    if dual:  # the Hilbert-Schmidt adjoint: the Heisenberg-picture generator
        liouvillian = liouvillian.conj().T
    propagator = ChebyshevPropagator(LindbladGenerator(fock, "lab", dual=dual),
                                     numerical_range_box(fock.hamiltonian, fock.jump_operators), 1e-13)
    x = _random_state(fock.dimension)
    stats = {"num_rhs": 0, "num_steps": 0}
    for t in (0.05, 1.0, 7.0):
        error = np.abs(propagator.propagate(x, t, stats) - _expm_apply(liouvillian, x, t)).max()
        assert error < 1e-12, (t, error)
    assert stats["truncation_error_bound"] < 3e-13


def test_loose_tolerance_error_stays_within_the_stated_bound():
    fock = fock_model(jaynes_cummings(), FAST_JC, {"a": 8})
    x = _random_state(fock.dimension, 1)
    stats = {"num_rhs": 0, "num_steps": 0}
    propagator = ChebyshevPropagator(LindbladGenerator(fock, "lab"),
                                     numerical_range_box(fock.hamiltonian, fock.jump_operators), 1e-4)
    result = propagator.propagate(x, 3.0, stats)
    error = np.linalg.norm(result - _expm_apply(dense_superoperator(*fock.dense_matrices), x, 3.0))
    assert 0 < error <= stats["truncation_error_bound"] + 1e-13  # Frobenius error against the operator-norm bound
    assert stats["truncation_error_bound"] <= 1e-4


def test_box_contains_the_numerical_range():
    """Gershgorin rectangle against the exact extremes of the Hermitian and anti-Hermitian parts (dense)."""
    values = {"Da": 1.3, "Db": 0.7, "Dc": -0.9, "gx": 0.2, "gy": 0.15, "E": 0.3, "ka": 0.4, "kc": 0.3, "gm": 0.05,
              "nth": 0.3}
    fock = fock_model(optomechanical_chain(), values, {"a": 2, "b": 3, "c": 2})
    box = numerical_range_box(fock.hamiltonian, fock.jump_operators)
    liouvillian = dense_superoperator(*fock.dense_matrices)
    real = np.linalg.eigvalsh((liouvillian + liouvillian.conj().T) / 2)
    imag = np.linalg.eigvalsh((liouvillian - liouvillian.conj().T) / 2j)
    assert box.real_low <= real[0] and real[-1] <= box.real_high
    assert max(-imag[0], imag[-1]) <= box.imag_half_width
    # Gershgorin is not loose here: within a factor 2 of the true extents
    assert box.real_high - box.real_low < 2 * (real[-1] - real[0])
    assert box.imag_half_width < 2 * imag[-1]


def test_damped_driven_cavity_follows_the_analytic_amplitude():
    r"""From vacuum, ``<a>(t) = -i E (1 - e^{-(i Delta + kappa/2) t}) / (i Delta + kappa/2)`` (exact for a
    linear cavity; the cutoff 14 truncates a coherent state of |alpha| <= 0.4 at ~1e-12)."""
    values = {"Delta": 8.0, "E": 1.5, "kappa": 0.4}
    fock = fock_model(driven_cavity(), values, {"a": 14})
    times = np.linspace(0, 6, 13)
    result = mesolve(fock, np.eye(fock.dimension)[0], times, e_ops=[BosonMode("a").a],
                     options={"method": "chebyshev", "atol": 1e-12, "truncation_tolerance": 1e-10})
    rate = 1j * values["Delta"] + values["kappa"] / 2
    exact = -1j * values["E"] * (1 - np.exp(-rate * times)) / rate
    assert result.stats["method"] == "chebyshev"
    assert np.abs(result.expect[0] - exact).max() < 1e-10


def test_solver_matches_expm_method_and_keeps_checks():
    fock = fock_model(jaynes_cummings(), FAST_JC, {"a": 8})
    rho0 = _random_state(fock.dimension, 2)
    times = np.linspace(0, 5, 11)
    options = {"truncation_tolerance": None}
    ours = mesolve(fock, rho0, times, options={**options, "method": "chebyshev", "atol": 1e-13})
    exact = mesolve(fock, rho0, times, options={**options, "method": "expm", "atol": 1e-12})
    assert np.abs(ours.states - exact.states).max() < 1e-12
    assert np.abs(ours.states - ours.states.conj().transpose(0, 2, 1)).max() == 0  # Hermitian by construction
    assert np.abs(np.trace(ours.states, axis1=1, axis2=2) - 1).max() < 1e-13
    assert ours.stats["num_rhs"] > 0 and ours.stats["frame"] == "lab"


def test_dual_correlations_match_forward_propagation():
    """``<A(t + tau) B(t)>`` by the Chebyshev dual propagation against ``Tr[A exp(L tau)(B rho(t))]`` (dense)."""
    fock = fock_model(jaynes_cummings(), FAST_JC, {"a": 8})
    a = fock.operator(BosonMode("a").a).toarray()
    rho0 = _random_state(fock.dimension, 3)
    times, taus = np.linspace(0, 2, 3), np.linspace(0, 3, 4)
    table = two_time_correlation(fock, rho0, times, taus, a.conj().T, a, options={"method": "chebyshev",
                                                                                   "atol": 1e-13})
    liouvillian = dense_superoperator(*fock.dense_matrices)
    for i, t in enumerate(times):
        rho = _expm_apply(liouvillian, rho0, t)
        for j, tau in enumerate(taus):
            expected = np.trace(a.conj().T @ _expm_apply(liouvillian, a @ rho, tau))
            assert abs(table[i, j] - expected) < 1e-12


def test_auto_picks_chebyshev_only_where_it_applies():
    fast = fock_model(jaynes_cummings(), FAST_JC, {"a": 20})  # d = 40 > EXPM_MAX_DIMENSION
    assert LindbladSolver(fast).method == "chebyshev"
    damped = fock_model(jaynes_cummings(), {**FAST_JC, "Delta_c": 0.0, "Delta_a": 0.0, "kappa": 5.0}, {"a": 20})
    assert LindbladSolver(damped).method == "adams"
    assert LindbladSolver(fock_model(jaynes_cummings(), FAST_JC, {"a": 4})).method == "expm"
    assert LindbladSolver(fast, {"frame": "interaction"}).method == "adams"  # asked for a rotating frame


def test_bad_options_and_generators_are_refused():
    pulsed = fock_model(pulsed_qubit(), {"Omega": 1.0, "t0": 1.0, "w": 0.3, "gamma": 0.1})
    with pytest.raises(ParameterError, match="chebyshev.*time-independent"):
        LindbladSolver(pulsed, {"method": "chebyshev"})
    with pytest.raises(ParameterError, match="method"):
        LindbladSolver(pulsed, {"method": "cheb"})
    fock = fock_model(jaynes_cummings(), FAST_JC, {"a": 4})
    with pytest.raises(ParameterError, match="lab frame"):
        LindbladSolver(fock, {"method": "chebyshev", "frame": "interaction"})
    box = numerical_range_box(fock.hamiltonian, fock.jump_operators)
    with pytest.raises(ModelError, match="lab frame"):
        ChebyshevPropagator(LindbladGenerator(fock, "interaction"), box, 1e-10)
    with pytest.raises(ParameterError, match="tolerance"):
        ChebyshevPropagator(LindbladGenerator(fock, "lab"), box, 0.0)
