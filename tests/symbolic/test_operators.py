"""Operator algebra against independent references: truncated matrices and SymPy's own rules."""

import itertools

import numpy as np
import pytest
import sympy as sp

from qderive.symbolic import AlgebraError, BosonMode, InputField, NLevelSystem, Op, anticommutator, commutator


def boson_matrix(p: int, q: int, cutoff: int) -> np.ndarray:
    a = np.diag(np.sqrt(np.arange(1, cutoff)), 1)
    return np.linalg.matrix_power(a.T, p) @ np.linalg.matrix_power(a, q)


def op_matrix(op: Op, mode: BosonMode, cutoff: int) -> np.ndarray:
    out = np.zeros((cutoff, cutoff), dtype=complex)
    for monomial, c in op.terms.items():
        factors = dict(monomial)
        p, q = factors.get(mode, (0, 0))
        out += complex(c) * boson_matrix(p, q, cutoff)
    return out


@pytest.mark.parametrize("p,q,r,s", list(itertools.product(range(3), repeat=4)))
def test_boson_products_match_truncated_matrices(p, q, r, s):
    """Normal-ordered product (a^+^p a^q)(a^+^r a^s) equals the matrix product away from the cutoff."""
    mode = BosonMode("a")
    a = mode.a
    product = (a.dag() ** p * a**q) * (a.dag() ** r * a**s)
    cutoff, keep = 14, 6  # truncation only spoils levels near the top
    reference = boson_matrix(p, q, cutoff) @ boson_matrix(r, s, cutoff)
    ours = op_matrix(product, mode, cutoff)
    np.testing.assert_allclose(ours[:keep, :keep], reference[:keep, :keep], atol=1e-9)


def test_canonical_commutation_and_textbook_identities():
    a = BosonMode("a").a
    assert commutator(a, a.dag()) == 1
    assert commutator(a.dag() * a, a) == -a
    assert commutator(a**2, a.dag() ** 2) == 4 * a.dag() * a + 2
    assert anticommutator(a, a.dag()) == 2 * a.dag() * a + 1


def test_matches_sympy_physics_quantum_boson_normal_ordering():
    from sympy.physics.quantum import Dagger
    from sympy.physics.quantum.boson import BosonOp
    from sympy.physics.quantum.operatorordering import normal_ordered_form

    b = BosonOp("a")
    expr = normal_ordered_form(sp.expand(b * b * Dagger(b) * b * Dagger(b) * Dagger(b)), independent=True)
    a = BosonMode("a").a
    ours = (a * a * a.dag() * a * a.dag() * a.dag()).to_sympy()
    ours = ours.subs(sp.Symbol("a", commutative=False), b)
    assert sp.expand(expr - ours) == 0


def test_transition_operator_algebra_for_four_levels():
    s = NLevelSystem("s", (0, 1, 2, 3))
    for i, j, k, m in itertools.product(range(4), repeat=4):
        product = s.sigma(i, j) * s.sigma(k, m)
        expected = s.sigma(i, m) if j == k else Op()
        assert product.terms == expected.terms
    identity = sum((s.projector(i) for i in range(4)), Op())
    assert identity == 1


def test_different_subsystems_commute_and_conjugation():
    a, b = BosonMode("a").a, BosonMode("b").a
    s = NLevelSystem("s", ("g", "e"))
    g = sp.Symbol("g", positive=True)
    z = sp.Symbol("z")
    assert commutator(a, b.dag()) == 0
    assert commutator(a, s.sigma("g", "e")) == 0
    h = g * (a.dag() * s.sigma("g", "e") + a * s.sigma("e", "g"))
    assert h.is_hermitian()
    assert not (z * a + a.dag()).is_hermitian()
    assert (z * a * s.sigma("e", "g")).dag() == sp.conjugate(z) * a.dag() * s.sigma("g", "e")


def test_input_fields_keep_gardiner_order_and_refuse_reordering():
    c_in = InputField("k").field
    a = BosonMode("a").a
    assert str(c_in.dag() * a * c_in) == "k_in^+ a k_in"
    with pytest.raises(AlgebraError, match="delta-function commutator"):
        c_in * c_in.dag()


def test_identity_expansion_makes_equality_exact():
    s = NLevelSystem("s", ("g", "e"))
    assert s.sigma("g", "g") + s.sigma("e", "e") - 1 == 0
    assert s.sigma("g", "g") != s.sigma("e", "e")


def test_eliminate_projector_uses_completeness():
    s = NLevelSystem("s", ("g", "e", "f"))
    b = BosonMode("b")
    op = s.sigma("g", "g") * b.a + 2 * s.sigma("g", "e")
    reduced = op.eliminate_projector(s, "g")
    assert reduced == op
    assert all(factor != (0, 0) for m in reduced.terms for system, factor in m if system == s)
