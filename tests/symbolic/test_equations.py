"""Equations of motion against hand-derived textbook results and an explicit-matrix master equation."""

import itertools

import pytest
import sympy as sp

from qderive.symbolic import (
    BosonMode,
    Dissipator,
    Expectation,
    Model,
    ModelError,
    NLevelSystem,
    coefficient_tensors,
    declare,
    expectation_equation,
    heisenberg_langevin,
)
from qderive.symbolic.subsystems import InputField

I = sp.I  # noqa: E741 - the imaginary unit, as written in the equations


def symbols(params):
    return [p.symbol for p in params.values()]


def test_driven_damped_cavity():
    """da/dt = -(i Delta + kappa/2) a - i E - i sqrt(kappa) a_in."""
    P = declare([("Delta", "detuning", "rad/s", "real"), ("E", "drive", "rad/s", "real"), ("kappa", "decay", "rad/s")])
    delta, E, kappa = symbols(P)
    mode = BosonMode("a")
    a = mode.a
    model = Model(
        "cavity", (mode,), delta * a.dag() * a + E * (a + a.dag()), (Dissipator(kappa, a, "kappa"),), P, ("kappa",)
    )
    expected = -(I * delta + kappa / 2) * a - I * E - I * sp.sqrt(kappa) * InputField("kappa").field
    assert heisenberg_langevin(model, a) == expected
    assert sp.expand(expectation_equation(model, a.dag() * a)) == sp.expand(
        -kappa * Expectation(((mode, (1, 1)),))
        - I * E * Expectation(((mode, (1, 0)),))
        + I * E * Expectation(((mode, (0, 1)),))
    )
    out = model.output_field("kappa")
    assert out == InputField("kappa").field - I * sp.sqrt(kappa) * a


def test_jaynes_cummings_with_cavity_loss():
    P = declare(
        [
            ("w_c", "cavity frequency", "rad/s"),
            ("w_a", "atom frequency", "rad/s"),
            ("g", "coupling", "rad/s"),
            ("kappa", "cavity decay", "rad/s"),
        ]
    )
    wc, wa, g, kappa = symbols(P)
    mode, atom = BosonMode("a"), NLevelSystem("s", ("g", "e"))
    a, sge, see, sgg = mode.a, atom.sigma("g", "e"), atom.sigma("e", "e"), atom.sigma("g", "g")
    H = wc * a.dag() * a + wa * see + g * (a.dag() * sge + a * sge.dag())
    model = Model("jc", (mode, atom), H, (Dissipator(kappa, a, "kappa"),), P)
    a_in = InputField("kappa").field
    assert heisenberg_langevin(model, a) == -I * wc * a - I * g * sge - kappa / 2 * a - I * sp.sqrt(kappa) * a_in
    assert heisenberg_langevin(model, sge) == -I * wa * sge + I * g * a * (see - sgg)
    assert heisenberg_langevin(model, see) == I * g * (a.dag() * sge - a * sge.dag())


def density_matrix_equations(model, system):
    """d<s_ij>/dt from drho/dt = -i[H, rho] + sum gamma D[L] rho with explicit n x n matrices."""
    n = system.dimension

    def matrix(op):
        M = sp.zeros(n, n)
        for monomial, c in op.expand_identities([system]).terms.items():
            ((_, (i, j)),) = monomial
            M[i, j] += c
        return M

    rho = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"r{i}{j}"))
    H = matrix(model.hamiltonian)
    drho = -I * (H * rho - rho * H)
    for d in model.dissipators:
        L = matrix(d.operator)
        drho += d.rate * (L * rho * L.H - (L.H * L * rho + rho * L.H * L) / 2)
    # <sigma_ij> = Tr(rho |i><j|) = rho_ji
    to_rho = {Expectation(((system, (i, j)),)): rho[j, i] for i in range(n) for j in range(n)}
    return {(i, j): drho[j, i] for i in range(n) for j in range(n)}, to_rho


def assert_matches_master_equation(model, system):
    reference, to_rho = density_matrix_equations(model, system)
    tensors = coefficient_tensors(model, system)
    n = system.dimension
    for (i, j), expected in reference.items():
        li, lj = system.levels[i], system.levels[j]
        ours = expectation_equation(model, system.sigma(li, lj)).xreplace(to_rho)
        assert sp.expand(ours - expected) == 0, (li, lj)
        from_tensor = sum(
            tensors.drift[i, j, m, k] * to_rho[Expectation(((system, (m, k)),))] for m in range(n) for k in range(n)
        )
        assert sp.expand(from_tensor - expected) == 0, (li, lj)


def test_optical_bloch_equations():
    P = declare(
        [
            ("Omega", "Rabi", "rad/s"),
            ("Delta", "detuning", "rad/s", "real"),
            ("Gamma", "decay", "rad/s"),
            ("gamma_phi", "dephasing", "rad/s", "nonnegative"),
        ]
    )
    Om, De, Ga, gp = symbols(P)
    s = NLevelSystem("s", ("g", "e"))
    H = -De * s.sigma("e", "e") + Om / 2 * (s.sigma("e", "g") + s.sigma("g", "e"))
    model = Model(
        "bloch", (s,), H, (Dissipator(Ga, s.sigma("g", "e"), "rad"), Dissipator(2 * gp, s.sigma("e", "e"), "deph")), P
    )
    assert_matches_master_equation(model, s)
    # textbook form: d<s_ge>/dt = (i Delta - Gamma/2 - gamma_phi) <s_ge> + i Omega/2 (<s_ee> - <s_gg>)
    sge, see, sgg = (Expectation(((s, ij),)) for ij in ((0, 1), (1, 1), (0, 0)))
    rhs = expectation_equation(model, s.sigma("g", "e"))
    assert sp.expand(rhs - ((I * De - Ga / 2 - gp) * sge + I * Om / 2 * (see - sgg))) == 0


@pytest.mark.parametrize("kind", ["lambda", "ladder"])
def test_three_level_systems(kind):
    P = declare(
        [
            ("Omega1", "Rabi 1", "rad/s"),
            ("Omega2", "Rabi 2", "rad/s"),
            ("Delta1", "detuning 1", "rad/s", "real"),
            ("Delta2", "detuning 2", "rad/s", "real"),
            ("Gamma1", "decay 1", "rad/s"),
            ("Gamma2", "decay 2", "rad/s"),
            ("gamma_phi", "dephasing", "rad/s"),
        ]
    )
    O1, O2, D1, D2, G1, G2, gp = symbols(P)
    if kind == "lambda":
        s = NLevelSystem("s", (1, 2, "e"))
        H = (
            -D1 * s.sigma("e", "e")
            - (D1 - D2) * s.sigma(2, 2)
            + O1 / 2 * (s.sigma("e", 1) + s.sigma(1, "e"))
            + O2 / 2 * (s.sigma("e", 2) + s.sigma(2, "e"))
        )
        jumps = [Dissipator(G1, s.sigma(1, "e"), "G1"), Dissipator(G2, s.sigma(2, "e"), "G2")]
    else:
        s = NLevelSystem("s", ("g", "m", "r"))
        H = (
            -D1 * s.sigma("m", "m")
            - (D1 + D2) * s.sigma("r", "r")
            + O1 / 2 * (s.sigma("m", "g") + s.sigma("g", "m"))
            + O2 / 2 * (s.sigma("r", "m") + s.sigma("m", "r"))
        )
        jumps = [Dissipator(G1, s.sigma("g", "m"), "G1"), Dissipator(G2, s.sigma("m", "r"), "G2")]
    jumps.append(Dissipator(gp, s.sigma(s.levels[2], s.levels[2]), "phi"))
    model = Model(kind, (s,), H, jumps, P)
    assert_matches_master_equation(model, s)
    tensors = coefficient_tensors(model)
    if kind == "lambda":
        # hand-derived: d<s_ee>/dt = -(G1 + G2)<s_ee> + i O1/2 (<s_1e> - <s_e1>) + i O2/2 (<s_2e> - <s_e2>)
        e = 2
        assert tensors.drift[e, e, e, e] == -(G1 + G2)
        assert tensors.drift[e, e, 0, e] == I * O1 / 2
        assert tensors.drift[e, e, e, 0] == -I * O1 / 2
    # input-field tensors: -i sqrt(G1) [s_ij, L^+] c_in with L = s_ab, [s_ij, s_ba] = d_jb s_ia - d_ia s_bj
    a_, b_ = (0, 1) if kind == "ladder" else (0, 2)
    right = tensors.input[jumps[0].channel]
    for i, j, m, k in itertools.product(range(3), repeat=4):
        expected = 0
        if j == b_ and (m, k) == (i, a_):
            expected += -I * sp.sqrt(G1)
        if i == a_ and (m, k) == (b_, j):
            expected += I * sp.sqrt(G1)
        assert sp.expand(right[i, j, m, k] - expected) == 0


class TestModelValidation:
    P = declare([("g", "coupling", "rad/s"), ("kappa", "decay", "rad/s"), ("x", "signed number", "1", "real")])
    mode, other = BosonMode("a"), BosonMode("b")

    def test_non_hermitian_hamiltonian(self):
        with pytest.raises(ModelError, match="not Hermitian"):
            Model("m", (self.mode,), self.P["g"].symbol * self.mode.a, (), self.P)

    def test_negative_rate(self):
        with pytest.raises(ModelError, match="negative"):
            Model("m", (self.mode,), Op0(), (Dissipator(-self.P["kappa"].symbol, self.mode.a, "k"),), self.P)

    def test_rate_of_unknown_sign(self):
        with pytest.raises(ModelError, match="not provably non-negative"):
            Model("m", (self.mode,), Op0(), (Dissipator(self.P["x"].symbol, self.mode.a, "k"),), self.P)

    def test_undeclared_subsystem(self):
        with pytest.raises(ModelError, match="subsystem 'b', which the model does not declare"):
            Model("m", (self.mode,), self.other.adag * self.other.a, (), self.P)

    def test_unknown_symbol(self):
        with pytest.raises(ModelError, match="unknown symbol 'w'"):
            Model("m", (self.mode,), sp.Symbol("w", positive=True) * self.mode.adag * self.mode.a, (), self.P)

    def test_unknown_port(self):
        with pytest.raises(ModelError, match="port 'out' names no dissipator"):
            Model("m", (self.mode,), Op0(), (Dissipator(self.P["kappa"].symbol, self.mode.a, "k"),), self.P, ("out",))

    def test_open_equations_refuse_tensor(self):
        s = NLevelSystem("s", ("g", "e"))
        model = Model(
            "m",
            (self.mode, s),
            self.P["g"].symbol * (self.mode.adag * s.sigma("g", "e") + self.mode.a * s.sigma("e", "g")),
            (),
            self.P,
        )
        with pytest.raises(ModelError, match="eliminate them first"):
            coefficient_tensors(model, s)


def Op0():
    from qderive.symbolic import Op

    return Op()
