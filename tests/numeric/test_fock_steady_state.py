"""Fock-space matrices and the steady state against analytic limits."""

import numpy as np
import pytest

from qderive.numeric import fock_model, steady_state
from qderive.symbolic import BosonMode, Dissipator, Model, ModelError, TruncationError, declare, thermal_dissipators

P = declare([("Delta", "detuning", "rad/s", "real"), ("E", "drive", "rad/s", "real"), ("kappa", "decay", "rad/s"),
             ("n_th", "thermal occupation", "1", "nonnegative")])
delta, E, kappa, n_th = (p.symbol for p in P.values())
mode = BosonMode("a")
a = mode.a


def driven_cavity():
    return Model("cavity", (mode,), delta * a.dag() * a + E * (a + a.dag()), (Dissipator(kappa, a, "k"),), P)


def test_driven_cavity_is_coherent_with_analytic_amplitude():
    """alpha = -i E / (kappa/2 + i Delta); the steady state is the pure coherent state |alpha>."""
    values = {"Delta": 0.3, "E": 0.5, "kappa": 1.0, "n_th": 0.0}
    fock = fock_model(driven_cavity(), values, {"a": 25})
    rho = steady_state(fock)
    alpha = -1j * 0.5 / (0.5 + 0.3j)
    assert np.trace(rho @ fock.operator(a).toarray()) == pytest.approx(alpha, rel=1e-10)
    assert np.trace(rho @ rho).real == pytest.approx(1.0, rel=1e-10)


def test_thermal_oscillator_steady_state():
    """A damped oscillator in a thermal bath relaxes to <a^+ a> = n_th."""
    model = Model("thermal", (mode,), delta * a.dag() * a, thermal_dissipators(kappa, n_th, a, "bath"), P)
    fock = fock_model(model, {"Delta": 1.0, "E": 0.0, "kappa": 0.1, "n_th": 0.4}, {"a": 40})
    rho = steady_state(fock)
    assert np.trace(rho @ fock.operator(a.dag() * a).toarray()).real == pytest.approx(0.4, rel=1e-9)


def test_truncation_too_small_is_reported():
    fock = fock_model(driven_cavity(), {"Delta": 0.0, "E": 2.0, "kappa": 1.0, "n_th": 0.0}, {"a": 6})
    with pytest.raises(TruncationError, match="mode 'a' holds .* raise its cutoff above 6"):
        steady_state(fock)


def test_missing_cutoff_is_reported():
    with pytest.raises(ModelError, match="mode 'a' needs a Fock cutoff"):
        fock_model(driven_cavity(), {"Delta": 0.0, "E": 2.0, "kappa": 1.0, "n_th": 0.0})


def test_measures_on_bell_and_product_states():
    from qderive.numeric import concurrence, partial_trace, purity, von_neumann_entropy

    bell = np.zeros(4, complex)
    bell[[1, 2]] = 1 / np.sqrt(2)
    rho = np.outer(bell, bell.conj())
    assert concurrence(rho) == pytest.approx(1.0, abs=1e-12)
    assert concurrence(np.eye(4) / 4) == pytest.approx(0.0, abs=1e-12)
    reduced = partial_trace(rho, (2, 2), [0])
    np.testing.assert_allclose(reduced, np.eye(2) / 2, atol=1e-14)
    assert purity(reduced) == pytest.approx(0.5)
    assert von_neumann_entropy(reduced) == pytest.approx(1.0)
    # Werner state p|psi-><psi-| + (1-p)/4: C = max(0, (3p - 1)/2)
    p = 0.7
    werner = p * rho + (1 - p) * np.eye(4) / 4
    assert concurrence(werner) == pytest.approx((3 * p - 1) / 2, abs=1e-12)


def test_non_unique_steady_states_are_reported():
    """Two ways a steady state fails to be unique, each named in the error.

    Structural: a qubit with only dephasing never moves population, so ``|g>`` and ``|e>`` are
    both stationary. Numerical: two emitters decaying collectively, ``D[s1- + s2-]``, keep the
    singlet dark; every population is connected (through coherences), but ``|gg>`` and the
    singlet are both stationary, so the bordered Liouvillian is singular.
    """
    from qderive.symbolic import NLevelSystem

    p = declare([("w", "transition frequency", "rad/s"), ("gamma", "decay rate", "rad/s")])
    w, gamma = (q.symbol for q in p.values())
    qubit = NLevelSystem("q", ("g", "e"))
    dephasing = Dissipator(gamma, qubit.projector("e"), "phi")
    dephased = Model("dephased", (qubit,), w * qubit.projector("e"), (dephasing,), p)
    with pytest.raises(ModelError, match="not unique: the populations split into 2 sectors"):
        steady_state(fock_model(dephased, {"w": 1.0, "gamma": 0.1}))
    one, two = NLevelSystem("s1", ("g", "e")), NLevelSystem("s2", ("g", "e"))
    collective = one.sigma("g", "e") + two.sigma("g", "e")
    pair = Model("superradiant_pair", (one, two), w * (one.projector("e") + two.projector("e")),
                 (Dissipator(gamma, collective, "collective"),), p)
    with pytest.raises(ModelError, match="not unique: the Liouvillian with the trace condition is singular"):
        steady_state(fock_model(pair, {"w": 1.0, "gamma": 0.1}))
    # an independent decay channel for each emitter makes it unique again: both in |g>
    split = Model("pair", (one, two), w * (one.projector("e") + two.projector("e")),
                  (Dissipator(gamma, collective, "collective"), Dissipator(gamma, one.sigma("g", "e"), "one"),
                   Dissipator(gamma, two.sigma("g", "e"), "two")), p)
    assert abs(steady_state(fock_model(split, {"w": 1.0, "gamma": 0.1}))[0, 0] - 1) < 1e-12
