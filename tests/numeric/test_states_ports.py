"""Protocol tools against QuTiP (basis, tensor, ptrace, steadystate, expect) and analytic limits."""

import doctest

import numpy as np
import pytest
import qutip as qt
import sympy as sp

import qderive.numeric.ports
import qderive.numeric.states
from qderive.numeric import (
    drive_strength,
    fock_model,
    fourier_moment_equations,
    harmonic_balance,
    harmonic_output_flux,
    input_amplitude,
    ket,
    output_flux,
    prepare_state,
    product_state,
    reduced_state,
    steady_state,
)
from qderive.symbolic import TIME, BosonMode, Dissipator, Model, ModelError, NLevelSystem, ParameterError, declare

P = declare(
    [
        ("wa", "mode a detuning", "rad/s", "real"),
        ("g", "a-b exchange", "rad/s"),
        ("lam", "spin-b coupling", "rad/s"),
        ("chi", "dispersive shift", "rad/s", "real"),
        ("E", "drive on b", "rad/s", "real"),
        ("ka", "a loss", "rad/s"),
        ("gb", "b damping", "rad/s"),
        ("nb", "b occupation", "1", "nonnegative"),
        ("gs", "spin dephasing", "rad/s"),
    ]
)
wa, g, lam, chi, E, ka, gb, nb, gs = (p.symbol for p in P.values())
Q, A, B = NLevelSystem("q", ("d", "e")), BosonMode("a"), BosonMode("b")
T = NLevelSystem("t", (0, 1, 2))
VALUES = {"wa": 0.3, "g": 0.4, "lam": 0.25, "chi": 0.7, "E": 0.1, "ka": 1.0, "gb": 0.3, "nb": 0.2, "gs": 0.05}
CUTOFFS = {"a": 5, "b": 10}


def spin_two_modes():
    s_minus = Q.sigma("d", "e")
    H = (
        wa * A.adag * A.a
        + g * (A.adag * B.a + A.a * B.adag)
        + lam * (s_minus * B.adag + s_minus.dag() * B.a)
        + chi * Q.projector("e") * A.adag * A.a
        + E * (B.a + B.adag)
    )
    jumps = (
        Dissipator(ka, A.a, "ka"),
        Dissipator(gb * (1 + nb), B.a, "b_down"),
        Dissipator(gb * nb, B.adag, "b_up"),
        Dissipator(gs, Q.projector("e"), "gs"),
    )
    return Model("spin-two-modes", (Q, A, B), H, jumps, P, ("ka",))


def qutip_spin_two_modes():
    """The same model written directly in QuTiP (levels d = basis 0, e = basis 1)."""
    na, nb_ = CUTOFFS["a"], CUTOFFS["b"]
    a = qt.tensor(qt.qeye(2), qt.destroy(na), qt.qeye(nb_))
    b = qt.tensor(qt.qeye(2), qt.qeye(na), qt.destroy(nb_))
    sm = qt.tensor(qt.basis(2, 0) * qt.basis(2, 1).dag(), qt.qeye(na), qt.qeye(nb_))
    pe = sm.dag() * sm
    v = VALUES
    H = (v["wa"] * a.dag() * a + v["g"] * (a.dag() * b + a * b.dag()) + v["lam"] * (sm * b.dag() + sm.dag() * b)
         + v["chi"] * pe * a.dag() * a + v["E"] * (b + b.dag()))
    c_ops = [np.sqrt(v["ka"]) * a, np.sqrt(v["gb"] * (1 + v["nb"])) * b, np.sqrt(v["gb"] * v["nb"]) * b.dag()]
    return H, c_ops


def test_kets_match_qutip_basis_and_tensor():
    fock = fock_model(Model("m", (Q, T, A), 0 * A.a, (), {}), {}, {"a": 4})
    for labels, indices in (({"q": "e", "t": 2, "a": 0}, (1, 2, 0)), ({"q": "d", "t": 1, "a": 3}, (0, 1, 3))):
        reference = qt.tensor(qt.basis(2, indices[0]), qt.basis(3, indices[1]), qt.basis(4, indices[2]))
        assert np.array_equal(ket(fock, labels), reference.full().ravel())
        as_qobj = ket(fock, labels, qobj=True)
        assert as_qobj.dims == reference.dims and (as_qobj - reference).norm() == 0
    with pytest.raises(ParameterError, match="mode 'a' takes a Fock number 0..3"):
        ket(fock, {"q": "e", "t": 0, "a": 4})
    with pytest.raises(ParameterError, match=r"missing \['t'\]"):
        ket(fock, {"q": "e", "a": 0})
    with pytest.raises(ModelError, match="level 'x' is not a level of 'q'"):
        ket(fock, {"q": "x", "t": 0, "a": 0})


def test_product_and_reduced_states_match_qutip_tensor_and_ptrace():
    fock = fock_model(Model("m", (Q, T, A), 0 * A.a, (), {}), {}, {"a": 4})
    rng = np.random.default_rng(7)
    psi_t = rng.normal(size=3) + 1j * rng.normal(size=3)
    m = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    rho_a = m @ m.conj().T / np.trace(m @ m.conj().T)
    ours = product_state(fock, {"q": "e", "t": psi_t, "a": rho_a})
    reference = qt.tensor(qt.ket2dm(qt.basis(2, 1)), qt.ket2dm(qt.Qobj(psi_t).unit()), qt.Qobj(rho_a))
    assert np.abs(ours - reference.full()).max() < 1e-14
    assert product_state(fock, {"q": "e", "t": psi_t, "a": rho_a}, qobj=True).dims == reference.dims
    # an entangled state: random pure state of the whole space
    v = rng.normal(size=fock.dimension) + 1j * rng.normal(size=fock.dimension)
    whole = qt.Qobj(v, dims=[[2, 3, 4], [1, 1, 1]]).unit()
    rho = qt.ket2dm(whole)
    for keep, positions in ((["a"], [2]), (["q", "a"], [0, 2]), (["a", "t"], [1, 2])):
        assert np.abs(reduced_state(fock, rho.full(), keep) - rho.ptrace(positions).full()).max() < 1e-14
    with pytest.raises(ParameterError, match="density matrix of 'a' must be Hermitian with trace 1"):
        product_state(fock, {"q": "e", "t": 0, "a": 2 * rho_a})


@pytest.mark.parametrize("hold, then", [("d", "e"), ("e", "d"), ("superposition", "e")])
def test_prepare_state_matches_qutip_conditional_steady_state(hold, then):
    """QuTiP: H_R = (<psi| x 1) H (|psi> x 1), c_ops on the modes, steadystate, tensor with |then>."""
    fock = fock_model(spin_two_modes(), VALUES, CUTOFFS)
    psi = {"d": qt.basis(2, 0), "e": qt.basis(2, 1), "superposition": (qt.basis(2, 0) + qt.basis(2, 1)).unit()}[hold]
    ours_hold = {"superposition": psi.full().ravel()}.get(hold, hold)
    rho = prepare_state(fock, hold={"q": ours_hold}, then={"q": then})
    H, c_ops = qutip_spin_two_modes()
    project = qt.tensor(psi, qt.qeye(CUTOFFS["a"]), qt.qeye(CUTOFFS["b"]))
    H_R = project.dag() * H * project
    c_R = [project.dag() * c * project for c in c_ops]  # these act on the modes only: exact restriction
    reference = qt.tensor(qt.ket2dm(qt.basis(2, {"d": 0, "e": 1}[then])), qt.steadystate(H_R, c_R))
    assert np.abs(rho - reference.full()).max() < 1e-9
    assert prepare_state(fock, hold={"q": ours_hold}, then={"q": then}, qobj=True).dims == [[2, 5, 10]] * 2


def test_prepare_state_refuses_collective_jumps_across_the_held_part():
    model = spin_two_modes()
    collective = model.replace(dissipators=(*model.dissipators, Dissipator(ka, A.a + Q.sigma("d", "e"), "joint")))
    fock = fock_model(collective, VALUES, CUTOFFS)
    with pytest.raises(ModelError, match="channel 'joint' acts on held subsystems \\['q'\\]"):
        prepare_state(fock, hold={"q": "d"})
    with pytest.raises(ParameterError, match="'then' must name the held subsystems"):
        prepare_state(fock_model(model, VALUES, CUTOFFS), hold={"q": "d"}, then={"a": 0})


PORT = declare([("Delta", "atom detuning", "rad/s", "real"), ("Omega", "Rabi frequency", "rad/s", "real"),
                ("gamma", "radiative decay", "rad/s"), ("w0", "atom frequency", "rad/s"),
                ("w", "drive frequency", "rad/s")])
Delta, Omega, gamma, w0, w = (p.symbol for p in PORT.values())
ATOM = NLevelSystem("s", ("g", "e"))
SM = ATOM.sigma("g", "e")


def fluorescence_model(time_dependent=False):
    if time_dependent:  # lab-like frame: H = w0 s_ee + Omega/2 (s_+ e^{-i w t} + s_- e^{i w t})
        H = w0 * ATOM.projector("e") + Omega / 2 * (SM.dag() * sp.exp(-sp.I * w * TIME) + SM * sp.exp(sp.I * w * TIME))
    else:  # frame of the drive: Delta = w0 - w
        H = Delta * ATOM.projector("e") + Omega / 2 * (SM + SM.dag())
    return Model("fluorescence", (ATOM,), H, (Dissipator(gamma, SM, "out"),), PORT, ("out",))


def test_resonance_fluorescence_fluxes_match_qutip_and_mollow():
    """Coherent gamma |<s->|^2 and incoherent gamma (rho_ee - |<s->|^2); on resonance s = 2 Omega^2/gamma^2,
    rho_ee = s / (2 (1 + s)), |<s->|^2 = s / (2 (1 + s)^2)."""
    values = {"Delta": 0.0, "Omega": 1.3, "gamma": 1.0, "w0": 1.0, "w": 1.0}
    fock = fock_model(fluorescence_model(), values)
    flux = output_flux(fock, steady_state(fock), "out")
    s = 2 * 1.3**2
    assert flux.total == pytest.approx(s / (2 * (1 + s)), rel=1e-12)
    assert flux.coherent == pytest.approx(s / (2 * (1 + s) ** 2), rel=1e-12)
    values["Delta"] = 0.6
    fock = fock_model(fluorescence_model(), values)
    flux = output_flux(fock, steady_state(fock), "out")
    H = 0.6 * qt.num(2) + 1.3 / 2 * (qt.destroy(2) + qt.create(2))
    rho = qt.steadystate(H, [qt.destroy(2)])
    mean = qt.expect(qt.destroy(2), rho)
    assert flux.coherent == pytest.approx(abs(mean) ** 2, rel=1e-9)
    assert flux.incoherent == pytest.approx(qt.expect(qt.num(2), rho) - abs(mean) ** 2, rel=1e-9)


def test_reflection_from_a_driven_single_port_cavity():
    """Input alpha through the only port, E = sqrt(kappa) alpha: on resonance <c_out> = -alpha, flux |alpha|^2."""
    params = declare([("E", "drive", "rad/s", "real"), ("kappa", "port", "rad/s")])
    E_, k_ = (p.symbol for p in params.values())
    cavity = Model("cav", (A,), E_ * (A.a + A.adag), (Dissipator(k_, A.a, "port"),), params, ("port",))
    kappa, power, omega = 2.0e6, 1e-15, 2 * np.pi * 200e12
    alpha = input_amplitude(power, omega)
    E_value = drive_strength(power, omega, kappa)
    assert E_value == pytest.approx(np.sqrt(kappa) * alpha, rel=1e-15)
    scale = 1e6  # solve in units of 1e6 /s: E and kappa scaled, fluxes scaled back
    fock = fock_model(cavity, {"E": E_value / scale * 1e-3, "kappa": kappa / scale}, {"a": 8})
    flux = output_flux(fock, steady_state(fock), "port", input_amplitude=alpha / np.sqrt(scale) * 1e-3)
    incoming = (alpha / np.sqrt(scale) * 1e-3) ** 2
    assert flux.amplitudes[()] == pytest.approx(-alpha / np.sqrt(scale) * 1e-3, rel=1e-9)
    assert flux.total == pytest.approx(incoming, rel=1e-9) and abs(flux.incoherent) < 1e-12 * incoming


def test_harmonic_output_flux_matches_the_rotating_frame_steady_state():
    """A tone at w on an atom at w0: the m = 1 harmonic of <s-> is the rotating-frame steady state with
    Delta = w0 - w; time-averaged coherent and total fluxes agree with it."""
    values = {"Delta": 0.2, "Omega": 0.9, "gamma": 1.0, "w0": 3.2, "w": 3.0}
    lab = fock_model(fluorescence_model(time_dependent=True), values)
    solution = harmonic_balance(fourier_moment_equations(lab, [3.0]), 4, tol=1e-10)
    flux = harmonic_output_flux(lab, solution, "out")
    frame = fock_model(fluorescence_model(), values)
    reference = output_flux(frame, steady_state(frame), "out")
    assert flux.total == pytest.approx(reference.total, rel=1e-9)
    assert flux.coherent == pytest.approx(reference.coherent, rel=1e-9)
    assert flux.coherent_at((1,)) == pytest.approx(reference.coherent, rel=1e-9)
    assert flux.amplitudes[(1,)] == pytest.approx(reference.amplitudes[()], rel=1e-9)


def test_port_errors_name_the_input():
    fock = fock_model(fluorescence_model(), {"Delta": 0.0, "Omega": 1.0, "gamma": 1.0, "w0": 1.0, "w": 1.0})
    with pytest.raises(ParameterError, match="'nope' is not a port"):
        output_flux(fock, np.eye(2) / 2, "nope")
    with pytest.raises(ParameterError, match="power must be a finite non-negative"):
        input_amplitude(-1.0, 1.0)


@pytest.mark.parametrize("module", [qderive.numeric.states, qderive.numeric.ports])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
