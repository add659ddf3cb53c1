"""meanfield/complete against hand derivations; identical-atom reduction against the explicit atom-by-atom sum."""

import pytest
import sympy as sp

from qderive.symbolic import (
    AlgebraError,
    BosonMode,
    ClosureRules,
    Dissipator,
    Expectation,
    IdenticalSystems,
    Model,
    ModelError,
    NLevelSystem,
    complete,
    declare,
    identical_copies,
    meanfield,
)

I = sp.I  # noqa: E741
P = declare([
    ("N", "number of atoms", "1"), ("g", "coupling", "rad/s"), ("kappa", "cavity decay", "rad/s"),
    ("gamma", "atomic decay", "rad/s"), ("nu", "incoherent pump", "rad/s"), ("chi", "dephasing", "rad/s"),
    ("Delta_c", "cavity detuning", "rad/s", "real"), ("Delta_a", "atom detuning", "rad/s", "real"),
    ("eta", "cavity drive", "rad/s", "real"),
])
N, g, kappa, gamma, nu, chi, Dc, Da, eta = (p.symbol for p in P.values())
CAVITY = BosonMode("a")
ATOM = NLevelSystem("s", ("g", "e"))
a = CAVITY.a


def cavity_with_atoms(count, drive=False):
    """Laser (incoherent pump) or driven cavity with `count` explicit identical atoms s1..s<count>."""
    atoms = identical_copies(ATOM, count)
    H = Dc * a.dag() * a + (eta * (a + a.dag()) if drive else 0)
    dissipators = [Dissipator(kappa, a, "kappa")]
    for s in atoms:
        sm = s.sigma("g", "e")
        H = H + Da * s.sigma("e", "e") + g * (a.dag() * sm + a * sm.dag())
        dissipators += [Dissipator(gamma, sm, f"gamma_{s.name}"), Dissipator(chi, s.sigma("e", "e"), f"chi_{s.name}")]
        if not drive:
            dissipators.append(Dissipator(nu, sm.dag(), f"nu_{s.name}"))
    return Model("laser", (CAVITY, *atoms), H, dissipators, P), atoms


def avg(*factors):
    return Expectation(tuple(sorted(factors, key=lambda f: f[0].sort_key)))


def same(x, y):
    return sp.expand(x - y) == 0


def test_laser_order_one_is_mean_field():
    model, (s1, s2) = cavity_with_atoms(2)
    eqs = complete(meanfield([a], model, order=1, identical=[IdenticalSystems((s1, s2), N)]))
    A, S, P_ = avg((CAVITY, (0, 1))), avg((s1, (0, 1))), avg((s1, (1, 1)))
    S_dag, A_dag = avg((s1, (1, 0))), avg((CAVITY, (1, 0)))
    gamma2 = (gamma + nu + chi) / 2
    assert set(eqs.symbols) == {A, S, P_}
    assert same(eqs.equation(a), -(I * Dc + kappa / 2) * A - I * g * N * S)
    assert same(eqs.equation(s1.sigma("g", "e")), -(I * Da + gamma2) * S + I * g * A * (2 * P_ - 1))
    assert same(eqs.equation(s1.sigma("e", "e")), -(gamma + nu) * P_ + nu + I * g * (A_dag * S - A * S_dag))


def test_laser_order_two_phase_invariant():
    model, (s1, s2) = cavity_with_atoms(2)
    eqs = complete(meanfield([a.dag() * a], model, order=2, identical=[IdenticalSystems((s1, s2), N)]),
                   phase_invariant=True)
    n, p = avg((CAVITY, (1, 1))), avg((s1, (1, 1)))
    s, s_conj = avg((CAVITY, (1, 0)), (s1, (0, 1))), avg((CAVITY, (0, 1)), (s1, (1, 0)))   # <a^+ sigma>, <a sigma^+>
    c = avg((s1, (0, 1)), (s2, (1, 0)))                                                     # <sigma_1 sigma_2^+>
    gamma2 = (gamma + nu + chi) / 2
    assert set(eqs.symbols) == {n, p, s, c}
    assert same(eqs.equation(a.dag() * a), -kappa * n + I * g * N * (s_conj - s))
    assert same(eqs.equation(s1.sigma("e", "e")), -(gamma + nu) * p + nu + I * g * (s - s_conj))
    assert same(eqs.equation(a.dag() * s1.sigma("g", "e")),
                -(gamma2 + kappa / 2 - I * (Dc - Da)) * s + I * g * (p + n * (2 * p - 1)) + I * g * (N - 1) * c)
    assert same(eqs.equation(s1.sigma("g", "e") * s2.sigma("e", "g")),
                -2 * gamma2 * c + I * g * (2 * p - 1) * (s_conj - s))
    assert {str(x) for x in eqs.parameters} == {"N", "g", "kappa", "gamma", "nu", "chi", "Delta_c", "Delta_a"}
    assert "N" in str(eqs)


def test_driven_cavity_with_atoms_orders_one_and_two():
    model, (s1, s2) = cavity_with_atoms(2, drive=True)
    group = [IdenticalSystems((s1, s2), N)]
    A, A_dag, S = avg((CAVITY, (0, 1))), avg((CAVITY, (1, 0))), avg((s1, (0, 1)))
    gamma2 = (gamma + chi) / 2
    first = meanfield([a, s1.sigma("g", "e")], model, order=1, identical=group)
    assert same(first.equation(a), -(I * Dc + kappa / 2) * A - I * g * N * S - I * eta)
    second = meanfield([a.dag() * a, a * s1.sigma("g", "e")], model, order=2, identical=group)
    n, p = avg((CAVITY, (1, 1))), avg((s1, (1, 1)))
    s, s_conj = avg((CAVITY, (1, 0)), (s1, (0, 1))), avg((CAVITY, (0, 1)), (s1, (1, 0)))
    assert same(second.equation(a.dag() * a), -kappa * n + I * g * N * (s_conj - s) + I * eta * (A - A_dag))
    aa, a_see = avg((CAVITY, (0, 2))), avg((CAVITY, (0, 1)), (s1, (1, 1)))
    a_s, ss = avg((CAVITY, (0, 1)), (s1, (0, 1))), avg((s1, (0, 1)), (s2, (0, 1)))
    aa_see = aa * p + 2 * A * a_see - 2 * A**2 * p                      # order-2 cumulant rule
    expected = (-(I * (Dc + Da) + kappa / 2 + gamma2) * a_s - I * eta * S - I * g * (N - 1) * ss
                - I * g * (aa - 2 * aa_see))
    assert same(second.equation(a * s1.sigma("g", "e")), expected)


@pytest.mark.parametrize("count", [2, 3])
def test_identical_reduction_equals_explicit_sum(count):
    explicit_model, atoms = cavity_with_atoms(count)
    reduced_model, (r1, r2) = cavity_with_atoms(2)
    s1, s2 = atoms[0], atoms[1]
    ops = [a.dag() * a, s1.sigma("e", "e"), a.dag() * s1.sigma("g", "e"), s1.sigma("g", "e") * s2.sigma("e", "g")]
    explicit = meanfield(ops, explicit_model, order=2)
    reduced = meanfield(ops, reduced_model, order=2, identical=[IdenticalSystems((r1, r2), N)])
    # the explicit equations with every average relabelled to its representative (atoms are identical)
    relabel = ClosureRules(order=None, identical=(IdenticalSystems(atoms, N),))
    for op in ops:
        rhs = explicit.equation(op)
        rhs = rhs.xreplace({x: relabel.symbol(x.monomial) for x in rhs.atoms(Expectation)})
        assert same(rhs, reduced.equation(op).subs(N, count)), op


def test_complete_reaches_a_fixed_point():
    model, (s1, s2) = cavity_with_atoms(2, drive=True)
    eqs = complete(meanfield([a], model, order=2, identical=[IdenticalSystems((s1, s2), N)]))
    assert eqs.missing() == []
    again = complete(eqs)
    assert again.moments == eqs.moments
    assert all(same(x, y) for x, y in zip(again.rhs, eqs.rhs, strict=True))
    # every average on a right-hand side is an unknown or the conjugate of one
    conj = eqs.conjugates()
    for expr in eqs.rhs:
        for x in expr.atoms(Expectation):
            assert x in eqs.symbols or x in conj


def test_refusals():
    model, (s1, s2) = cavity_with_atoms(2)
    with pytest.raises(AlgebraError, match="eliminated projector"):
        meanfield([s1.sigma("g", "g")], model, order=2)
    with pytest.raises(AlgebraError, match="more than order"):
        meanfield([a.dag() * a * s1.sigma("e", "e")], model, order=2)
    with pytest.raises(ModelError, match="at least 3 copies"):
        meanfield([a], model, order=3, identical=[IdenticalSystems((s1, s2), N)])
    asymmetric = Model("x", model.subsystems, model.hamiltonian + g * s1.sigma("e", "e"), model.dissipators, P)
    with pytest.raises(ModelError, match="not symmetric"):
        meanfield([a], asymmetric, order=2, identical=[IdenticalSystems((s1, s2), N)])
    with pytest.raises(AlgebraError, match="more than 3 moments"):
        complete(meanfield([a.dag() * a], model), max_moments=3)
