"""Fault injection for the numeric layer (issue 13, items 4-9): each reproduction of the issue, kept fixed.

References are independent of the code under test: analytic steady states and decay laws, mpmath
matrix exponentials at 40 digits, a second code path (single runs against the batch), and the
allocations measured by tracemalloc.
"""

import dataclasses
import tracemalloc

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from qderive.numeric import fock_model, mesolve, mesolve_batch, steady_state
from qderive.numeric.kernels import dense_superoperator
from qderive.numeric.memory import InsufficientMemoryError, ode_step_bytes
from qderive.numeric.state_checks import UnphysicalStateError
from qderive.symbolic import (
    TIME,
    ApproximationWarning,
    Dissipator,
    Model,
    ModelError,
    NLevelSystem,
    ParameterError,
    declare,
)
from qderive.symbolic.library import driven_cavity, driven_qubit

ATOM = NLevelSystem("s", ("g", "e"))


def qubit(omega, gamma=1.0, delta=0.0):
    return fock_model(driven_qubit(), {"Delta": delta, "Omega": omega, "gamma": gamma})


# -- item 4: long exact steps --------------------------------------------------------------------
@pytest.mark.parametrize("t_end", [1e17, 1e20])
def test_long_expm_step_reaches_the_analytic_steady_state(t_end):
    """rho_ee = (Omega^2/4) / (Delta^2 + Gamma^2/4 + Omega^2/2) = 1/3 for Omega = Gamma = 1 (was 7.0 and 0)."""
    result = mesolve(qubit(1.0), np.array([1.0, 0.0]), [0.0, t_end], e_ops=[ATOM.projector("e")])
    assert result.stats["method"] == "expm"
    assert result.expect[0][-1] == pytest.approx(1 / 3, abs=1e-12)
    assert result.stats["rounding_error_bound"] < 1e-10  # the squarings stopped once the state had relaxed


def test_long_steps_of_the_batch_reach_the_analytic_steady_state():
    values = [{"Delta": 0.0, "Omega": 1.0, "gamma": 1.0}, {"Delta": 0.0, "Omega": 2.0, "gamma": 1.0}]
    expect = mesolve_batch(driven_qubit(), values, [1.0, 0.0], [0.0, 1e17], [ATOM.projector("e")])
    np.testing.assert_allclose(expect[:, 0, -1], [(1 / 4) / (1 / 4 + 1 / 2), (4 / 4) / (1 / 4 + 4 / 2)], atol=1e-12)


def test_state_check_sees_a_negative_eigenvalue_behind_positive_populations():
    """[[0.5, 0.6], [0.6, 0.5]] has populations 0.5 but eigenvalues 1.1 and -0.1; a pure state passes."""
    from qderive.numeric.state_checks import check_states

    check_states(np.full((1, 2, 2), 0.5), 1e-9, [0.0], 0, "test")  # |+><+|, eigenvalues 1 and 0
    with pytest.raises(UnphysicalStateError, match="smallest eigenvalue -1.00e-01"):
        check_states(np.array([[[0.5, 0.6], [0.6, 0.5]]]), 1e-6, [3.0], 0, "test")
    check_states(np.array([[[0.5, 0.6], [0.6, 0.5]]]), 1e-6, [3.0], 1, "test")  # populations only: passes


def mpmath_population(fock, t_end):
    mp.mp.dps = 40
    L = mp.matrix(dense_superoperator(*fock.dense_matrices).tolist())
    return float(mp.re((mp.expm(L * mp.mpf(t_end)) * mp.matrix([1, 0, 0, 0]))[3]))


def test_gigahertz_rabi_over_one_second_is_within_its_stated_rounding_bound():
    """Omega = 2 pi x 5 GHz over 1 s: float64 knows the phase only to eps Omega t; the bound says so and holds."""
    fock = qubit(2 * np.pi * 5e9)
    with pytest.warns(ApproximationWarning, match="float64 rounding bounds the accuracy"):
        result = mesolve(fock, np.array([1.0, 0.0]), [0.0, 1.0], e_ops=[ATOM.projector("e")])
    bound = result.stats["rounding_error_bound"]
    assert 1e-6 < bound < 1e-5  # eps * ||L||_1 * 1 s ~ 7e-6
    assert abs(result.expect[0][-1] - mpmath_population(fock, 1.0)) <= bound


@pytest.mark.parametrize("method", ["expm", "adams"])
def test_an_unphysical_propagated_state_is_refused(method):
    """A non-Hermitian 'Hamiltonian' injected into the matrices breaks Hermiticity of rho: refused by name."""
    fock = qubit(1.0)
    broken = dataclasses.replace(fock, hamiltonian=fock.hamiltonian + 0.3j * fock.operator(ATOM.sigma("e", "g")))
    with pytest.raises(UnphysicalStateError, match=r"invalid density matrix at t = .* max \|rho - rho\^\+\|"):
        mesolve(broken, np.array([1.0, 0.0]), np.linspace(0, 5, 6), options={"method": method})


# -- item 5: operators on undeclared subsystems --------------------------------------------------
def test_operator_on_a_foreign_subsystem_is_refused_by_name():
    fock = qubit(1.0)
    foreign = NLevelSystem("other", ("g", "e")).projector("e")
    with pytest.raises(ModelError, match=r"subsystem\(s\) \['other'\], which model 'driven_qubit' does not declare"):
        fock.operator(foreign)
    with pytest.raises(ModelError, match="'other'"):
        mesolve(fock, np.array([1.0, 0.0]), [0.0, 1.0], e_ops=[foreign])


# -- item 6: complex parameter columns of the batch ----------------------------------------------
def complex_drive():
    p = declare([("Omega", "complex Rabi frequency", "rad/s", "complex"), ("gamma", "decay rate", "rad/s")])
    omega, gamma = (q.symbol for q in p.values())
    h = omega / 2 * ATOM.sigma("e", "g") + sp.conjugate(omega) / 2 * ATOM.sigma("g", "e")
    return Model("complex_drive", (ATOM,), h, (Dissipator(gamma, ATOM.sigma("g", "e"), "rad"),), p)


def test_batch_keeps_the_imaginary_part_of_complex_parameters():
    """A purely imaginary drive is the real drive rotated: same population, coherence times i (was: no drive)."""
    model, times = complex_drive(), np.linspace(0, 4, 9)
    ops = [ATOM.projector("e"), ATOM.sigma("g", "e")]
    batch = mesolve_batch(model, [{"Omega": 1j, "gamma": 0.5}, {"Omega": 1.0, "gamma": 0.5}], [1, 0], times, ops)
    single = mesolve(fock_model(model, {"Omega": 1j, "gamma": 0.5}), np.array([1.0, 0.0]), times, e_ops=ops)
    np.testing.assert_allclose(batch[0], np.array(single.expect), atol=1e-12)
    np.testing.assert_allclose(batch[0, 0], batch[1, 0], atol=1e-12)
    np.testing.assert_allclose(batch[0, 1], 1j * batch[1, 1], atol=1e-12)  # sigma_ge -> e^{i arg Omega} sigma_ge
    assert batch[0, 0, -1] > 0.1


# -- item 7: non-unique steady states, NaN states, absurd options ----------------------------------
def collective_pair():
    p = declare([("gamma", "collective decay rate", "rad/s")])
    a, b = NLevelSystem("a", ("g", "e")), NLevelSystem("b", ("g", "e"))
    jump = a.sigma("g", "e") + b.sigma("g", "e")
    return fock_model(Model("pair", (a, b), 0 * a.projector("e"), (Dissipator(p["gamma"].symbol, jump, "c"),), p),
                      {"gamma": 1.0})


@pytest.mark.parametrize("method", ["direct", "iterative"])
def test_collective_decay_has_no_unique_steady_state(method):
    """Only collective decay: the singlet is dark, so |gg> and |S> are both steady."""
    with pytest.raises(ModelError, match="steady state is not unique"):
        steady_state(collective_pair(), method=method)


def test_iterative_steady_state_still_agrees_with_direct_where_unique():
    fock = fock_model(driven_cavity(), {"Delta": 0.5, "E": 0.6, "kappa": 1.0}, {"a": 12})
    np.testing.assert_allclose(steady_state(fock, method="iterative"), steady_state(fock), atol=1e-9)


def test_nan_states_absurd_tolerances_and_booleans_are_refused():
    fock = qubit(1.0)
    with pytest.raises(ParameterError, match="rho0 has non-finite entries"):
        mesolve(fock, np.array([np.nan, 1.0]), [0.0, 1.0])
    with pytest.raises(ParameterError, match="rho0 has non-finite entries"):
        mesolve(fock, np.full((2, 2), np.nan), [0.0, 1.0])
    for options in ({"atol": 100, "rtol": 100}, {"rtol": 1.0}, {"atol": True}, {"nsteps": True},
                    {"truncation_tolerance": True}, {"max_step": False}, {"state_tolerance": 2.0},
                    {"store_states": "yes"}):
        with pytest.raises(ParameterError, match=f"option '{next(iter(options))}'"):
            mesolve(fock, np.array([1.0, 0.0]), [0.0, 1.0], options=options)
    for settings in ({"tolerance": 100.0}, {"tolerance": True}, {"restart": 0}, {"maxiter": 2.5},
                     {"truncation_tolerance": False}, {"method": "lu"}, {"preconditioner": "ilu"},
                     {"check_uniqueness": "yes"}):
        with pytest.raises(ParameterError, match=f"'{next(iter(settings))}' must be"):
            steady_state(fock, **settings)


# -- item 8: time-dependent and infinite rates ----------------------------------------------------
def decaying_atom(rate):
    p = declare([("kappa", "initial decay rate", "rad/s")])
    kappa = p["kappa"].symbol
    return Model("fading", (ATOM,), 0 * ATOM.projector("e"), (Dissipator(rate(kappa), ATOM.sigma("g", "e"), "k"),), p)


@pytest.mark.parametrize("method", ["adams", "bdf"])
def test_time_dependent_rate_follows_the_analytic_decay(method):
    """gamma(t) = kappa e^{-t}: p_e(t) = exp(-kappa (1 - e^{-t})) (QuTiP's sqrt(kappa exp(-t)) collapse operator)."""
    fock = fock_model(decaying_atom(lambda k: k * sp.exp(-TIME)), {"kappa": 2.0})
    times = np.linspace(0, 5, 11)
    result = mesolve(fock, np.array([0.0, 1.0]), times, e_ops=[ATOM.projector("e")],
                     options={"method": method, "atol": 1e-12, "rtol": 1e-10})
    np.testing.assert_allclose(result.expect[0], np.exp(-2.0 * (1 - np.exp(-times))), rtol=1e-7)


def test_time_dependent_rate_is_refused_where_a_constant_generator_is_needed():
    fock = fock_model(decaying_atom(lambda k: k * sp.exp(-TIME)), {"kappa": 2.0})
    with pytest.raises(ParameterError, match="method 'expm' needs a time-independent model"):
        mesolve(fock, np.array([0.0, 1.0]), [0.0, 1.0], options={"method": "expm"})
    with pytest.raises(ModelError, match="time-independent"):
        steady_state(fock)


def test_infinite_rates_are_refused():
    with pytest.raises(ModelError, match="rate of channel 'k' is not finite"):
        decaying_atom(lambda k: sp.oo * k)
    with pytest.raises(ParameterError, match="rate of channel 'k'"):
        fock_model(decaying_atom(lambda k: sp.exp(k)), {"kappa": 1000.0})  # e^1000 overflows float64
    fock = fock_model(decaying_atom(lambda k: k * sp.exp(TIME)), {"kappa": 1.0})  # e^800 overflows
    with pytest.raises(ModelError, match=r"rate of channel 'k' is \(inf\+0j\) at t = 800"):
        mesolve(fock, np.array([0.0, 1.0]), [800.0, 801.0])


# -- item 9: memory estimated before allocating ---------------------------------------------------
def test_oversized_cutoff_is_refused_with_estimate_available_memory_and_advice():
    """Cutoff 50 000: d^2 = 2.5e9 amplitudes; every solver refuses before allocating."""
    fock = fock_model(driven_cavity(), {"Delta": 0.5, "E": 0.6, "kappa": 1.0}, {"a": 50_000})
    rho0 = np.zeros(50_000)
    rho0[0] = 1.0
    for solve, advice in ((lambda: mesolve(fock, rho0, [0.0, 1.0]), "lower the Fock cutoffs"),
                          (lambda: steady_state(fock), "lower the Fock cutoffs"),
                          (lambda: steady_state(fock, method="iterative"), "lower the Fock cutoffs")):
        with pytest.raises(InsufficientMemoryError, match=rf"needs about [\d.e+]+ GiB but the machine has .* GiB "
                                                          rf"available; {advice}"):
            solve()
    assert issubclass(InsufficientMemoryError, MemoryError)


def test_direct_steady_state_that_cannot_fit_advises_the_iterative_method(monkeypatch):
    """A machine with 4 MB available: the Liouvillian of a d = 60 cavity fits, its LU factors (~8 MB) do not."""
    from qderive.numeric import memory

    monkeypatch.setattr(memory, "QUERY_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(memory, "available_memory", lambda: 4 * 2**20)
    fock = fock_model(driven_cavity(), {"Delta": 0.5, "E": 0.6, "kappa": 1.0}, {"a": 60})
    with pytest.raises(InsufficientMemoryError, match=r"LU factors.*0.00391 GiB available; use method='iterative'"):
        steady_state(fock)


def test_spectrum_that_cannot_fit_is_refused_before_its_factorisation(monkeypatch):
    """The steady state is injected; a 4 MB machine cannot hold the LU of the d = 60 cavity's L - i omega."""
    import importlib

    from qderive.numeric import memory, spectrum

    spectrum_module = importlib.import_module("qderive.numeric.spectrum")  # the package attribute is the function

    fock = fock_model(driven_cavity(), {"Delta": 0.5, "E": 0.6, "kappa": 1.0}, {"a": 60})
    rho = steady_state(fock)
    monkeypatch.setattr(spectrum_module, "steady_state", lambda *args, **kwargs: rho)
    monkeypatch.setattr(memory, "QUERY_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(memory, "available_memory", lambda: 4 * 2**20)
    a = driven_cavity().subsystems[0].a
    with pytest.raises(InsufficientMemoryError, match=r"spectrum \(LU of L - i omega\) at dimension 60"):
        spectrum(fock, [0.0, 1.0], a.dag(), a)


def test_ode_memory_estimate_bounds_the_measured_allocation():
    """tracemalloc sees numpy's allocations (ZVODE's work array, the generator's scratch): estimate >= peak, < 2x."""
    d = 150
    fock = fock_model(driven_cavity(), {"Delta": 0.5, "E": 0.1, "kappa": 1.0}, {"a": d})
    rho0 = np.eye(d)[0]
    mesolve(fock, rho0, [0.0, 0.1], options={"method": "adams"})  # compile outside the measurement
    tracemalloc.start()
    try:
        mesolve(fock, rho0, [0.0, 0.1], options={"method": "adams", "store_states": False})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    estimate = ode_step_bytes(d, len(fock.jump_operators), "adams")
    assert peak <= estimate < 2 * peak
