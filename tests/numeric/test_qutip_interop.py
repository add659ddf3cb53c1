"""QuTiP interop both ways (issue 17): Qobj in rho0 and e_ops, dict/callable e_ops, progress bars,
models written in QuTiP solved by qderive, results as Qobj, QuTiP imported only when needed.

The reference is ``qutip.mesolve`` on the same QuTiP objects at tight tolerances (both solvers'
global errors ~1e-9), compared to 1e-7.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import qutip as qt

from qderive.numeric import FockModel, fock_model, mesolve, qutip_interop
from qderive.symbolic import BosonMode, ModelError, NLevelSystem, ParameterError, TruncationError
from qderive.symbolic.library import jaynes_cummings

TIGHT = {"atol": 1e-12, "rtol": 1e-10}
QUTIP_TIGHT = {**TIGHT, "progress_bar": False}
N = 4  # cavity cutoff


def qutip_jaynes_cummings():
    """A driven, damped Jaynes-Cummings model written in QuTiP: cavity (N) x atom (2), pulsed drive, fading decay."""
    a = qt.tensor(qt.destroy(N), qt.qeye(2))
    sm = qt.tensor(qt.qeye(N), qt.sigmam())
    h0 = 0.3 * a.dag() * a + 0.5 * (a.dag() * sm + a * sm.dag())
    h = [h0, [0.2 * (a + a.dag()), lambda t: np.exp(-((t - 2.0) ** 2))]]
    c_ops = [np.sqrt(0.4) * a, [sm, lambda t: np.sqrt(0.3 * np.exp(-t))]]  # QuTiP's time-dependent collapse
    return h, c_ops, a, sm


def test_from_qutip_model_with_time_dependent_drive_and_rate_matches_qutip():
    h, c_ops, a, sm = qutip_jaynes_cummings()
    fock = FockModel.from_qutip(h, c_ops, subsystems=[BosonMode("a"), NLevelSystem("atom", ("e", "g"))])
    psi0 = qt.tensor(qt.basis(N, 0), qt.basis(2, 0))  # |0> x |e> (QuTiP's sigmam lowers basis 0 to 1)
    times = np.linspace(0, 5, 11)
    e_ops = {"n": a.dag() * a, "excited": sm.dag() * sm, "field": a}
    ours = mesolve(fock, psi0, times, e_ops=e_ops, options={**TIGHT, "truncation_tolerance": None})
    theirs = qt.mesolve(h, psi0, times, c_ops, e_ops=e_ops, options=QUTIP_TIGHT)
    assert list(ours.e_data) == list(theirs.e_data) == ["n", "excited", "field"]
    for key in e_ops:
        np.testing.assert_allclose(ours.e_data[key], theirs.e_data[key], atol=1e-7)
    assert ours.expect[0].dtype == float and ours.expect[2].dtype == complex  # real for Hermitian e_ops


def test_default_tolerances_accept_the_integrators_own_small_negative_eigenvalues():
    """At atol 1e-8 / rtol 1e-6 this model's ODE states dip to eigenvalue -1.0e-6 (integrator error, not a fault).

    They must be accepted (the allowance is state_tolerance + 100 (atol + rtol)) and agree with a tight QuTiP run to
    the integrator's error.
    """
    n = 10
    a = qt.tensor(qt.destroy(n), qt.qeye(2))
    sm = qt.tensor(qt.qeye(n), qt.sigmam())
    h = [0.5 * (a.dag() * sm + a * sm.dag()), [0.3 * (a + a.dag()), lambda t: np.exp(-((t - 3) ** 2))]]
    c_ops = [np.sqrt(0.2) * a, [sm, lambda t: np.sqrt(0.1 * np.exp(-t))]]
    fock = FockModel.from_qutip(h, c_ops, subsystems=[BosonMode("a"), NLevelSystem("atom", ("e", "g"))])
    psi0 = qt.tensor(qt.basis(n, 0), qt.basis(2, 0))
    times = np.linspace(0, 10, 101)
    ours = mesolve(fock, psi0, times, e_ops={"n": a.dag() * a})
    theirs = qt.mesolve(h, psi0, times, c_ops, e_ops={"n": a.dag() * a}, options=QUTIP_TIGHT)
    np.testing.assert_allclose(ours.e_data["n"], theirs.e_data["n"], atol=1e-5)


def test_time_dependent_rate_goes_to_qutip_as_a_collapse_operator_with_coefficient():
    """to_qutip of gamma(t) = kappa e^{-t} gives [L, sqrt(gamma(t))]; QuTiP then follows exp(-kappa (1 - e^{-t}))."""
    import sympy as sp

    from qderive.symbolic import TIME, Dissipator, Model, declare

    p = declare([("kappa", "initial decay rate", "rad/s")])
    atom = NLevelSystem("s", ("g", "e"))
    model = Model("fading", (atom,), 0 * atom.projector("e"),
                  (Dissipator(p["kappa"].symbol * sp.exp(-TIME), atom.sigma("g", "e"), "k"),), p)
    h, c_ops = qutip_interop.to_qutip(fock_model(model, {"kappa": 2.0}))
    times = np.linspace(0, 4, 9)
    theirs = qt.mesolve(h, qt.basis(2, 1), times, c_ops, e_ops=[qt.num(2)], options=QUTIP_TIGHT).expect[0]
    np.testing.assert_allclose(theirs, np.exp(-2.0 * (1 - np.exp(-times))), rtol=1e-7)


def test_qobj_kets_density_matrices_and_every_kind_of_e_op():
    """rho0 as a Qobj ket or density matrix; e_ops as Qobj, Op, array, sparse matrix and callable f(t, rho)."""
    model = jaynes_cummings()
    values = {"Delta_c": 0.3, "Delta_a": -0.2, "g": 1.0, "E": 0.4, "kappa": 0.8, "gamma": 0.2}
    fock = fock_model(model, values, {"a": N})
    atom, mode = model.subsystems
    h, c_ops = qutip_interop.to_qutip(fock)
    ket = qt.tensor(qt.basis(2, 1), qt.basis(N, 0))  # fock's order: atom (g, e) x mode
    n_qobj = qt.tensor(qt.qeye(2), qt.num(N))
    times = np.linspace(0, 3, 7)
    theirs = qt.mesolve(h, ket, times, c_ops, e_ops=[n_qobj], options=QUTIP_TIGHT).expect[0]
    e_ops = [n_qobj, mode.adag * mode.a, n_qobj.full(), n_qobj.to("csr").data_as("csr_matrix"),
             lambda t, rho: np.trace(rho @ n_qobj.full())]
    for rho0 in (ket, ket.proj()):
        for method in ("adams", "expm"):
            result = mesolve(fock, rho0, times, e_ops=e_ops,
                             options={**TIGHT, "method": method, "truncation_tolerance": None})
            for values_k in result.expect:
                np.testing.assert_allclose(values_k, theirs, atol=1e-7)
    assert atom.name == "s"


def test_results_convert_to_qobj_with_dims():
    fock = fock_model(jaynes_cummings(), {"Delta_c": 0.3, "Delta_a": -0.2, "g": 1.0, "E": 0.4, "kappa": 0.8,
                                          "gamma": 0.2}, {"a": 3})
    h, c_ops = qutip_interop.to_qutip(fock)
    ket = qt.tensor(qt.basis(2, 1), qt.basis(3, 0))
    times = [0.0, 0.7, 2.0]
    ours = mesolve(fock, ket, times, options={**TIGHT, "truncation_tolerance": None})
    theirs = qt.mesolve(h, ket, times, c_ops, options={**QUTIP_TIGHT, "store_states": True})
    final = ours.final_state_as_qobj()
    assert final.dims == [[2, 3], [2, 3]]
    assert (final - theirs.final_state).norm() < 1e-7
    states = ours.states_as_qobj()
    assert len(states) == 3 and all(s.dims == [[2, 3], [2, 3]] for s in states)
    assert (states[1] - theirs.states[1]).norm() < 1e-7
    with pytest.raises(ParameterError, match="no states were stored"):
        mesolve(fock, ket, times, e_ops=[qt.tensor(qt.qeye(2), qt.num(3))],
                options={"truncation_tolerance": None}).final_state_as_qobj()


def test_qobj_in_another_space_and_bad_progress_bars_are_refused():
    fock = fock_model(jaynes_cummings(), {"Delta_c": 0.3, "Delta_a": -0.2, "g": 1.0, "E": 0.4, "kappa": 0.8,
                                          "gamma": 0.2}, {"a": 3})
    with pytest.raises(ParameterError, match=r"rho0 is a Qobj with dims \[\[3, 2\], \[1\]\]"):
        mesolve(fock, qt.tensor(qt.basis(3, 0), qt.basis(2, 0)), [0, 1])
    with pytest.raises(ParameterError, match="e_ops\\['n'\\] is a Qobj with dims"):
        mesolve(fock, qt.tensor(qt.basis(2, 0), qt.basis(3, 0)), [0, 1], e_ops={"n": qt.num(4)})
    with pytest.raises(ParameterError, match="option 'progress_bar' must be None, 'text' or 'tqdm'"):
        mesolve(fock, qt.tensor(qt.basis(2, 0), qt.basis(3, 0)), [0, 1], options={"progress_bar": "fancy"})


@pytest.mark.parametrize("bar", ["text", "tqdm"])
def test_progress_bar_reports_every_output_time(bar, capsys):
    fock = FockModel.from_qutip(qt.sigmax(), [0.5 * qt.sigmam()])
    times = np.linspace(0, 1, 11)
    result = mesolve(fock, qt.basis(2, 0), times, e_ops=[qt.sigmaz()], options={"progress_bar": bar,
                                                                              "method": "adams"})
    reference = qt.mesolve(qt.sigmax(), qt.basis(2, 0), times, [0.5 * qt.sigmam()], e_ops=[qt.sigmaz()],
                           options={"progress_bar": False}).expect[0]
    np.testing.assert_allclose(result.expect[0], reference, atol=1e-5)
    err = capsys.readouterr().err
    assert "100.0%" in err if bar == "text" else "11/11" in err


def test_from_qutip_declares_modes_for_truncation_checks_and_has_no_symbolic_hamiltonian():
    a = qt.destroy(3)
    fock = FockModel.from_qutip(2.0 * (a + a.dag()), [0.5 * a], subsystems=[BosonMode("a")])
    with pytest.raises(TruncationError, match="mode 'a' holds"):
        mesolve(fock, qt.basis(3, 0), [0.0, 5.0], options={"method": "adams"})
    from qderive.numeric import fourier_moment_equations

    with pytest.raises(ModelError, match="given only by matrices"):
        fourier_moment_equations(fock, [1.0])
    with pytest.raises(ParameterError, match="H is not Hermitian"):
        FockModel.from_qutip(a, [])


def test_qutip_is_imported_only_when_handed_a_qobj():
    script = textwrap.dedent("""
        import sys
        import numpy as np
        from qderive.numeric import fock_model, mesolve, qutip_interop
        from qderive.symbolic import Dissipator, Model, NLevelSystem, declare
        p = declare([("gamma", "decay rate", "rad/s")])
        s = NLevelSystem("s", ("g", "e"))
        model = Model("atom", (s,), s.sigma("e", "g") + s.sigma("g", "e"),
                      (Dissipator(p["gamma"].symbol, s.sigma("g", "e"), "rad"),), p)
        fock = fock_model(model, {"gamma": 1.0})
        result = mesolve(fock, np.array([1.0, 0.0]), [0.0, 1.0], e_ops={"e": np.diag([0.0, 1.0])},
                         options={"progress_bar": "text"})
        assert result.e_data["e"].shape == (2,)
        assert "qutip" not in sys.modules and "tqdm" not in sys.modules, "imported without a Qobj"
    """)
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
