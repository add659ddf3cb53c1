"""Eliminations against textbook results, against each other, and their validity warnings."""

import warnings

import numpy as np
import pytest
import sympy as sp

from qderive.symbolic import (
    ApproximationWarning,
    BosonMode,
    Dissipator,
    Model,
    ModelError,
    NLevelSystem,
    Op,
    adiabatic_eliminate,
    allowed_channels,
    angular_overlap,
    bright_dark_modes,
    declare,
    effective_operators,
    far_detuned_eliminate,
    maximise,
    site_sum,
    transition_rates,
)
from qderive.symbolic.selection_rules import PHI, angular_harmonics, d_tensor_3m, nonlinear_polarisation

P = declare(
    [
        ("g", "coupling", "rad/s"),
        ("kappa_i", "internal loss", "rad/s"),
        ("kappa_e", "external loss", "rad/s"),
        ("gamma", "emitter decay", "rad/s"),
        ("Delta", "cavity detuning", "rad/s", "real"),
        ("g_x", "a-b coupling", "rad/s"),
        ("g_y", "b-emitter coupling", "rad/s"),
        ("ka_i", "a internal", "rad/s"),
        ("ka_e", "a external", "rad/s"),
        ("kb_i", "b internal", "rad/s"),
        ("Omega", "weak drive", "rad/s"),
    ]
)
S = {k: p.symbol for k, p in P.items()}
CAV, EMITTER = BosonMode("a"), NLevelSystem("s", ("g", "e"))
s_minus = EMITTER.sigma("g", "e")


def cavity_emitter(detuned=True, drive=False):
    a = CAV.a
    H = (S["Delta"] if detuned else 0) * a.dag() * a + S["g"] * (a.dag() * s_minus + a * s_minus.dag())
    if drive:
        H = H + S["Omega"] / 2 * (s_minus + s_minus.dag())
    return Model(
        "ce",
        (CAV, EMITTER),
        H,
        (
            Dissipator(S["kappa_i"], a, "ki"),
            Dissipator(S["kappa_e"], a, "ke"),
            Dissipator(S["gamma"], s_minus, "gamma"),
        ),
        P,
        ("ke",),
    )


def test_purcell_rates_split_by_port():
    rates = transition_rates(adiabatic_eliminate(cavity_emitter(detuned=False), CAV).model, EMITTER, "e")
    kt = S["kappa_i"] + S["kappa_e"]
    assert sp.simplify(rates["ke"] - 4 * S["g"] ** 2 * S["kappa_e"] / kt**2) == 0
    assert sp.simplify(rates["ki"] - 4 * S["g"] ** 2 * S["kappa_i"] / kt**2) == 0
    assert rates["gamma"] == S["gamma"]


def test_detuned_rate_and_shift():
    effective = adiabatic_eliminate(cavity_emitter(), CAV).model
    kt, D, g = S["kappa_i"] + S["kappa_e"], S["Delta"], S["g"]
    rates = transition_rates(effective, EMITTER, "e")
    assert sp.simplify(rates["ke"] - g**2 * S["kappa_e"] / (D**2 + kt**2 / 4)) == 0
    assert sp.simplify(effective.hamiltonian.coefficient(EMITTER.projector("e")) + D * g**2 / (D**2 + kt**2 / 4)) == 0


def test_langevin_elimination_agrees_with_effective_operators():
    """Method 1 then weak drive vs method 3 directly: the photon flux into the external port agrees exactly."""
    model = cavity_emitter(detuned=False, drive=True)
    drive = S["Omega"] / 2 * (s_minus + s_minus.dag())
    m3 = effective_operators(
        model, [{CAV: 0, EMITTER: "g"}], [{CAV: 0, EMITTER: "e"}, {CAV: 1, EMITTER: "g"}], drive, EMITTER
    )
    amplitude = next(d for d in m3.model.dissipators if d.channel == "ke").operator.coefficient(EMITTER.projector("g"))
    rates = transition_rates(adiabatic_eliminate(cavity_emitter(detuned=False), CAV).model, EMITTER, "e")
    total = sum(rates.values())
    weak_drive_flux = rates["ke"] * S["Omega"] ** 2 / total**2  # Gamma_e * rho_ee, rho_ee = Omega^2 / Gamma_tot^2
    assert sp.simplify(amplitude * sp.conjugate(amplitude) - weak_drive_flux) == 0


def test_chained_elimination_through_a_second_mode():
    """Eliminating a then b gives 4 g_y^2 (4 g_x^2 ka_e/ka^2) / (kb + 4 g_x^2/ka)^2; leading order = source form."""
    a, b = BosonMode("a"), BosonMode("b")
    H = S["g_x"] * (a.adag * b.a + a.a * b.adag) + S["g_y"] * (b.adag * s_minus + b.a * s_minus.dag())
    model = Model(
        "chain",
        (a, b, EMITTER),
        H,
        (Dissipator(S["ka_i"], a.a, "ka_i"), Dissipator(S["ka_e"], a.a, "ka_e"), Dissipator(S["kb_i"], b.a, "kb_i")),
        P,
    )
    reduced = adiabatic_eliminate(adiabatic_eliminate(model, a).model, b).model
    rates = transition_rates(reduced, EMITTER, "e")
    ka, kb, gx, gy = S["ka_i"] + S["ka_e"], S["kb_i"], S["g_x"], S["g_y"]
    exact = 4 * gy**2 * (4 * gx**2 * S["ka_e"] / ka**2) / (kb + 4 * gx**2 / ka) ** 2
    assert sp.simplify(rates["ka_e"] - exact) == 0
    eps = sp.Symbol("epsilon", positive=True)
    leading = sp.limit(rates["ka_e"].subs(gx, eps * gx) / eps**2, eps, 0)
    assert sp.simplify(leading - 16 * gx**2 * gy**2 * S["ka_e"] / (ka**2 * kb**2)) == 0


def lambda_system():
    O1, O2, D, G = sp.symbols("Omega1 Omega2 Delta Gamma", positive=True)
    params = declare([("Omega1", "", "rad/s"), ("Omega2", "", "rad/s"), ("Delta", "", "rad/s"), ("Gamma", "", "rad/s")])
    s = NLevelSystem("l", (1, 2, "e"))
    free = D * s.sigma("e", "e")
    V = O1 / 2 * (s.sigma("e", 1) + s.sigma(1, "e")) + O2 / 2 * (s.sigma("e", 2) + s.sigma(2, "e"))
    model = Model(
        "lambda", (s,), free + V, (Dissipator(G, s.sigma(1, "e"), "G1"), Dissipator(G, s.sigma(2, "e"), "G2")), params
    )
    return model, s, free, V, (O1, O2, D, G)


def test_raman_second_order_and_effective_operators_agree():
    model, s, free, V, (O1, O2, D, G) = lambda_system()
    second = far_detuned_eliminate(model, free, V, (s, "e")).model
    assert second.hamiltonian == -(
        O1**2 * s.sigma(1, 1) + O1 * O2 * (s.sigma(1, 2) + s.sigma(2, 1)) + O2**2 * s.sigma(2, 2)
    ) / (4 * D)
    assert sp.simplify(transition_rates(second, s, 1)["G2"] - G * O1**2 / (4 * D**2)) == 0
    rs = effective_operators(model, [{s: 1}, {s: 2}], [{s: "e"}], V, s).model
    J_rs = rs.hamiltonian.coefficient(s.sigma(1, 2))
    assert sp.simplify(J_rs + D * O1 * O2 / (4 * (D**2 + G**2))) == 0  # decay 2 Gamma: H_NH = Delta - i Gamma
    x = sp.Symbol("x", positive=True)
    assert sp.limit(J_rs.subs(G, x * D), x, 0) == second.hamiltonian.coefficient(s.sigma(1, 2))


def test_thermal_mode_elimination_gives_raman_coupling_and_noise():
    """sps000-type: spin and cavity coupled through a far-detuned thermal mode b."""
    lam, gsp, delta, gm, n = sp.symbols("lam g_sp delta gamma_m n_th", positive=True)
    params = declare(
        [
            ("lam", "", "rad/s"),
            ("g_sp", "", "rad/s"),
            ("delta", "", "rad/s"),
            ("gamma_m", "", "rad/s"),
            ("n_th", "", "1"),
        ]
    )
    spin, cav, mech = NLevelSystem("q", ("d", "e")), BosonMode("c"), BosonMode("m")
    X = lam * spin.sigma("d", "e") + gsp * cav.a
    free = delta * mech.adag * mech.a
    coupling = X * mech.adag + X.dag() * mech.a
    model = Model(
        "raman-mode",
        (spin, cav, mech),
        free + coupling,
        (Dissipator(gm * (n + 1), mech.a, "down"), Dissipator(gm * n, mech.adag, "up")),
        params,
    )
    eff = far_detuned_eliminate(model, free, coupling, mech, occupation=n).model
    jc = eff.hamiltonian.coefficient(spin.sigma("e", "d") * cav.a)
    assert sp.simplify(jc + lam * gsp / delta) == 0  # |Omega| = g_sp lam / delta
    down = next(d for d in eff.dissipators if d.channel == "down")
    assert down.operator == -X / delta and down.rate == gm * (n + 1)
    cross = sp.expand(down.rate * down.operator.coefficient(spin.sigma("d", "e")) * down.operator.coefficient(cav.a))
    assert sp.expand(cross - gsp * lam * gm * (n + 1) / delta**2) == 0  # Gamma_th ~ g_sp lam n_th gamma_m / delta^2


def test_small_parameter_warning_names_it():
    effective = adiabatic_eliminate(cavity_emitter(), CAV)
    values = {
        "g": 1.0,
        "kappa_i": 1.0,
        "kappa_e": 1.0,
        "gamma": 0.1,
        "Delta": 0.0,
        "g_x": 1,
        "g_y": 1,
        "ka_i": 1,
        "ka_e": 1,
        "kb_i": 1,
        "Omega": 1,
    }
    with pytest.warns(ApproximationWarning, match=r"\|X\|/\|i Delta_a \+ kappa_a/2\| = 1"):
        effective.check(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert effective.check({**values, "g": 0.01})["|X|/|i Delta_a + kappa_a/2|"] == pytest.approx(0.01)


def test_nonlinear_mode_is_refused():
    a = CAV.a
    model = Model(
        "kerr",
        (CAV, EMITTER),
        S["g"] * a.dag() * a.dag() * a * a + S["g"] * (a.dag() * s_minus + a * s_minus.dag()),
        (Dissipator(S["kappa_i"], a, "ki"),),
        P,
    )
    with pytest.raises(ModelError, match="needs H linear in a"):
        adiabatic_eliminate(model, CAV)


def test_critical_coupling_by_symbolic_maximisation():
    ki, ke, g = sp.symbols("kappa_i kappa_e g", positive=True)
    ((root, value),) = maximise(4 * g**2 * ke / (ki + ke) ** 2, ke)
    assert root == ki and sp.simplify(value - g**2 / ki) == 0


def test_bright_dark_modes():
    g = sp.symbols("g1:4", positive=True)
    modes = [BosonMode(f"a{j}") for j in range(3)]
    basis = bright_dark_modes(g, modes)
    assert (basis.unitary * basis.unitary.H).applyfunc(sp.simplify) == sp.eye(3)
    checks = basis.commutator_checks()
    assert (
        checks["[B, B^+]"] == 1 and checks["[B, D1^+]"] == 0 and checks["[D1, D2^+]"] == 0 and checks["[D2, D2^+]"] == 1
    )
    A = BosonMode("A")
    H = sum((gj * (A.adag * m.a + A.a * m.adag) for gj, m in zip(g, modes, strict=True)), Op())
    G = sp.sqrt(sum(x**2 for x in g))
    assert basis.transform(H) == G * (A.adag * basis.new_modes[0].a + A.a * basis.new_modes[0].adag)


def test_selection_rule_sums_against_brute_force():
    for n in range(-9, 10):
        for N in (3, 4, 5):
            brute = np.sum(np.exp(2j * np.pi * n * np.arange(N) / N))
            assert complex(site_sum(n, N)) == pytest.approx(brute, abs=1e-12)
    n = sp.Symbol("n", integer=True)
    assert angular_overlap(n) == 2 * sp.pi * sp.KroneckerDelta(n, 0)


def test_allowed_channels_of_a_radial_field():
    m = sp.Symbol("m", integer=True, positive=True)
    r_hat = sp.Matrix([sp.cos(PHI), sp.sin(PHI), 0])
    rows = {(c.component, c.output_l) for c in allowed_channels(r_hat * sp.exp(sp.I * m * PHI))}
    assert rows == {("+", m - 1), ("-", m + 1)}
    q = sp.Symbol("q", integer=True)
    assert {c.output_l for c in allowed_channels(r_hat * sp.exp(sp.I * m * PHI), sites=6)} == {
        m - 1 - 6 * q,
        m + 1 - 6 * q,
    }


def test_chi2_projection_matches_numeric_fourier_transform():
    """Harmonics of a 3m chi(2) polarisation (radial field x radial pump) against an FFT at numeric d's."""
    d = d_tensor_3m(*sp.symbols("d22 d31 d33", real=True))
    r_hat = sp.Matrix([sp.cos(PHI), sp.sin(PHI), 0])
    P = nonlinear_polarisation(d, r_hat, r_hat)
    values = {sp.Symbol("d22", real=True): 2.1, sp.Symbol("d31", real=True): -4.6, sp.Symbol("d33", real=True): -25.0}
    for component, expr in zip("xyz", P, strict=True):
        harmonics = angular_harmonics(expr)
        f = sp.lambdify(PHI, expr.subs(values), "numpy")
        phis = np.linspace(0, 2 * np.pi, 64, endpoint=False)
        samples = np.broadcast_to(f(phis), phis.shape).astype(complex)
        fft = np.fft.fft(samples) / len(phis)
        for k in range(-5, 6):
            expected = complex(sp.sympify(harmonics.get(sp.Integer(k), 0)).subs(values))
            assert fft[k % 64] == pytest.approx(expected, abs=1e-12), (component, k)
