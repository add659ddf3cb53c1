"""Steady-state spectra against an analytic Lorentzian, QuTiP 5 and an eigendecomposition of L."""

import numpy as np
import pytest
import qutip as qt

from qderive.numeric import fock_model, liouvillian, spectrum, steady_state
from qderive.numeric.qutip_interop import to_qutip
from qderive.symbolic import Dissipator, Model, NLevelSystem, ParameterError, declare
from qderive.symbolic.library import driven_qubit


def test_incoherently_pumped_atom_has_the_analytic_lorentzian():
    """H = w0 s_ee, gamma D[s-] + P D[s+]: <s+(tau) s-(0)> = p_e e^{(i w0 - (gamma+P)/2) tau}, so
    S(w) = p_e (gamma + P) / ((w - w0)^2 + (gamma + P)^2/4) with p_e = P/(gamma + P); no elastic line."""
    p = declare([("w0", "transition frequency", "rad/s"), ("gamma", "decay rate", "rad/s"),
                 ("P", "incoherent pump rate", "rad/s")])
    w0, gamma, pump = (q.symbol for q in p.values())
    atom = NLevelSystem("s", ("g", "e"))
    sm = atom.sigma("g", "e")
    model = Model("pumped_atom", (atom,), w0 * atom.projector("e"),
                  (Dissipator(gamma, sm, "decay"), Dissipator(pump, sm.dag(), "pump")), p)
    values = {"w0": 3.0, "gamma": 1.0, "P": 0.4}
    fock = fock_model(model, values)
    omegas = np.linspace(0.0, 6.0, 25)
    result = spectrum(fock, omegas, sm.dag(), sm)
    width = values["gamma"] + values["P"]
    p_e = values["P"] / width
    exact = p_e * width / ((omegas - values["w0"]) ** 2 + width**2 / 4)
    np.testing.assert_allclose(result.values, exact, rtol=1e-10)
    assert abs(result.coherent_weight) < 1e-14


def test_mollow_triplet_matches_qutip_and_reports_the_elastic_line():
    """Resonance fluorescence at Omega = 5 gamma against qutip.spectrum ('pi' away from w = 0, where
    QuTiP's pseudo-inverse is singular, and 'es' at w = 0); elastic weight |<s->|^2 against QuTiP."""
    fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 5.0, "gamma": 1.0})
    sm = fock.operator(driven_qubit().subsystems[0].sigma("g", "e"))
    h, c_ops = to_qutip(fock)
    q_sp, q_sm = qt.Qobj(sm.conj().T.toarray()), qt.Qobj(sm.toarray())
    omegas = np.linspace(-10, 10, 40)
    result = spectrum(fock, omegas, sm.conj().T, sm)
    reference = qt.spectrum(h, omegas, c_ops, q_sp, q_sm, solver="pi")
    np.testing.assert_allclose(result.values, reference, rtol=1e-10)
    at_zero = spectrum(fock, [0.0], sm.conj().T, sm).values[0]
    assert at_zero == pytest.approx(qt.spectrum(h, [0.0], c_ops, q_sp, q_sm, solver="es")[0], rel=1e-10)
    expected_weight = abs(qt.expect(q_sm, qt.steadystate(h, c_ops))) ** 2
    assert result.coherent_weight.real == pytest.approx(expected_weight, rel=1e-10)
    # side peaks of the triplet at +-Omega (weak-damping limit; 5% for Omega = 5 gamma)
    fine = np.linspace(3.0, 7.0, 401)
    peak = fine[np.argmax(spectrum(fock, fine, sm.conj().T, sm).values)]
    assert peak == pytest.approx(5.0, rel=0.05)


def test_general_operator_pair_matches_an_eigendecomposition_of_the_liouvillian():
    """A = B = s- (not a Hermitian pair): both halves of the tau axis, checked against
    S(w) = sum_l [-<A|v_l><u_l|Y_B>/(l - i w) - <B|v_l><u_l|Y_A>/(l + i w)] over the non-zero eigenvalues l."""
    fock = fock_model(driven_qubit(), {"Delta": 0.7, "Omega": 1.3, "gamma": 1.0})
    sm = fock.operator(driven_qubit().subsystems[0].sigma("g", "e")).toarray()
    omegas = np.array([-2.0, -0.3, 0.0, 0.5, 1.7])
    ours = spectrum(fock, omegas, sm, sm).values
    rho = steady_state(fock)
    mean = np.trace(sm @ rho)
    y_b = (sm @ rho - mean * rho).reshape(-1, order="F")
    y_a = (rho @ sm - mean * rho).reshape(-1, order="F")
    eigenvalues, vectors = np.linalg.eig(liouvillian(fock.hamiltonian, fock.jump_operators).toarray())
    inverse = np.linalg.inv(vectors)
    keep = np.abs(eigenvalues) > 1e-9
    projection = (sm.T.reshape(-1, order="F") @ vectors)[keep]  # Tr(s- v_l), the same for A and B
    coefficient_b, coefficient_a = (inverse @ y_b)[keep], (inverse @ y_a)[keep]
    lam = eigenvalues[keep]
    exact = np.array([np.sum(-projection * (coefficient_b / (lam - 1j * w) + coefficient_a / (lam + 1j * w)))
                      for w in omegas])
    np.testing.assert_allclose(ours, exact, rtol=1e-10)


def test_spectrum_rejects_bad_frequencies_and_operator_shapes():
    fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0})
    sm = fock.operator(driven_qubit().subsystems[0].sigma("g", "e"))
    with pytest.raises(ParameterError, match="frequencies must be"):
        spectrum(fock, [np.nan], sm.conj().T, sm)
    with pytest.raises(ParameterError, match="a_op has shape"):
        spectrum(fock, [0.0], np.eye(3), sm)
