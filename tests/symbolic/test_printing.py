"""Operators, averages, equations and models print through SymPy's printers (str, pretty, latex, Jupyter).

Each test here failed before the printing protocol existed: ``sp.pretty`` of an average printed
``E[]`` (SymPy's printer for its own statistical ``Expectation``), ``sp.latex`` of an operator
printed ``\\mathtt{\\text{...}}``, and there was no equation object. LaTeX is checked by converting
it to MathML with ``latex2mathml`` (an independent LaTeX reader that refuses malformed input).
"""

import latex2mathml.converter
import numpy as np
import pytest
import sympy as sp

from qderive.symbolic import (
    BosonMode,
    Dissipator,
    EquationOfMotion,
    Model,
    NLevelSystem,
    Op,
    adiabatic_eliminate,
    declare,
    expectation,
    expectation_equation,
    expectation_value_equation,
    heisenberg_langevin,
    heisenberg_langevin_equation,
)

P = declare([("g", "coupling", "rad/s"), ("kappa", "cavity decay", "rad/s"), ("Delta", "detuning", "rad/s", "real")])
g, kappa, Delta = (p.symbol for p in P.values())
CAVITY, ATOM = BosonMode("a"), NLevelSystem("s", ("g", "e"))
a, s_ge = CAVITY.a, ATOM.sigma("g", "e")


def jaynes_cummings() -> Model:
    H = Delta * a.dag() * a + g * (a.dag() * s_ge + a * s_ge.dag())
    return Model("jc", (CAVITY, ATOM), H, [Dissipator(kappa, a, "kappa_e")], P, ports=("kappa_e",))


def assert_valid_latex(text: str) -> None:
    assert r"\mathtt" not in text and r"\text{<" not in text
    assert text.count("{") == text.count("}") and text.count(r"\left") == text.count(r"\right")
    latex2mathml.converter.convert(text)  # raises on malformed LaTeX (e.g. double subscripts)


def test_average_equation_keeps_the_operators_in_every_printer():
    rhs = expectation_equation(jaynes_cummings(), a.dag() * a)
    pretty = sp.pretty(rhs)
    assert "E[]" not in pretty
    assert pretty == "ⅈ⋅g⋅⟨s_eg a⟩ - ⅈ⋅g⋅⟨s_ge a†⟩ - κ⋅⟨a† a⟩"
    assert sp.pretty(rhs, use_unicode=False) == "I*g*<s_eg a> - I*g*<s_ge a^+> - kappa*<a^+ a>"
    assert str(rhs) == "I*g*<s_eg a> - I*g*<s_ge a^+> - kappa*<a^+ a>"
    latex = sp.latex(rhs)
    assert r"- \kappa \left\langle a^{\dagger} a \right\rangle" in latex
    assert_valid_latex(latex)
    assert expectation(a.dag() * a)._repr_latex_() == r"$\displaystyle \left\langle a^{\dagger} a \right\rangle$"


def test_operator_latex_pretty_and_str_agree_term_by_term():
    op = Delta * a.dag() * a + g * (a.dag() * s_ge + a * s_ge.dag()) - kappa / 2
    latex = sp.latex(op)
    assert latex == r"- \frac{\kappa}{2} + \Delta a^{\dagger} a + g s_{ge} a^{\dagger} + g s_{eg} a"
    assert op.latex() == latex and op._repr_latex_() == rf"$\displaystyle {latex}$"
    assert_valid_latex(latex)
    assert str(op) == sp.sstr(op) == "-kappa/2 + Delta a^+ a + g s_ge a^+ + g s_eg a"
    assert sp.pretty(op, use_unicode=False).splitlines() == [  # a fraction and daggers, as SymPy draws them
        "  kappa          +             +           ",
        "- ----- + Delta*a *a + g*s_ge*a  + g*s_eg*a",
        "    2                                      ",
    ]
    # the printed sum is the operator: reading the SymPy form back gives the same coefficients
    assert sp.expand(op.to_sympy() - sp.Add(*op._display_terms())) == 0


def test_input_fields_print_as_valid_latex_with_daggers():
    rhs = heisenberg_langevin(jaynes_cummings(), a.dag() * a)
    latex = sp.latex(rhs)
    assert r"{\kappa_{e}}_{\mathrm{in}}^{\dagger} a" in latex
    assert_valid_latex(latex)


def test_equations_print_with_their_left_hand_side():
    model = jaynes_cummings()
    langevin = heisenberg_langevin_equation(model, a)
    assert isinstance(langevin, EquationOfMotion)
    assert langevin.rhs == heisenberg_langevin(model, a)
    assert str(langevin) == "da/dt = -I*g s_ge + (-I*Delta - kappa/2) a - I*sqrt(kappa) kappa_e_in"
    average = expectation_value_equation(model, a.dag() * a)
    assert sp.expand(average.rhs - expectation_equation(model, a.dag() * a)) == 0
    assert average.lhs == expectation(a.dag() * a)
    assert str(average) == "d<a^+ a>/dt = I*g*<s_eg a> - I*g*<s_ge a^+> - kappa*<a^+ a>"
    assert sp.pretty(average).splitlines()[0].startswith("d⟨a† a⟩")
    composite = expectation_value_equation(model, a + a.dag())
    assert str(composite).startswith("d(<a> + <a^+>)/dt = ")
    for equation in (langevin, average, composite, heisenberg_langevin_equation(model, a.dag() * a)):
        latex = sp.latex(equation)
        assert latex.startswith(r"\frac{d")
        assert_valid_latex(latex)
        assert equation._repr_latex_() == rf"$\displaystyle {latex}$"


def test_average_equation_as_sympy_eq_solves_like_the_rhs():
    """The sympy.Eq form is usable by SymPy: solving d<s_ee>/dt = 0 with <s_ee> free gives the rhs' root."""
    s = NLevelSystem("s", ("g", "e"))
    Q = declare([("Gamma", "decay", "rad/s")])
    model = Model("atom", (s,), Op(), [Dissipator(Q["Gamma"].symbol, s.sigma("g", "e"), "rad")], Q)
    equation = expectation_value_equation(model, s.projector("e")).as_sympy()
    t = sp.Symbol("t", real=True)
    assert isinstance(equation, sp.Eq) and equation.lhs == sp.Derivative(expectation(s.projector("e")), t)
    assert sp.solve(equation.rhs, expectation(s.projector("e"))) == [0]  # decay to the ground state


def test_models_and_effective_models_print_their_equations():
    model = jaynes_cummings()
    text = str(model)
    assert "  H = Delta a^+ a + g s_ge a^+ + g s_eg a" in text and "kappa D[a]  (channel kappa_e, port)" in text
    assert_valid_latex(sp.latex(model))
    assert r"\kappa \mathcal{D}\left[a\right]\rho" in sp.latex(model)
    effective = adiabatic_eliminate(model, CAVITY)
    for obj in (model, effective):
        assert obj._repr_latex_().startswith(r"$\displaystyle \begin{aligned}")
        assert "D[" in sp.pretty(obj, use_unicode=False)
    assert_valid_latex(sp.latex(effective))
    assert r"\text{|X|/|i Delta\_a + kappa\_a/2|}" in sp.latex(effective)
    assert "valid while small:" in str(effective)


def test_eliminated_dissipator_is_simplified_and_unchanged_physically():
    """Rate 4 g^2 kappa/(4 Delta^2 + kappa^2), unit-modulus phase; output field of beta = -i/(i Delta + kappa/2)."""
    effective = adiabatic_eliminate(jaynes_cummings(), CAVITY).model
    (d,) = effective.dissipators
    assert sp.simplify(d.rate - g**2 * kappa / (Delta**2 + kappa**2 / 4)) == 0  # Purcell rate, textbook form
    coefficient = d.operator.coefficient(s_ge)
    assert len(d.operator) == 1 and not sp.fraction(coefficient)[1].has(sp.I)
    assert sp.simplify(coefficient * sp.conjugate(coefficient) - 1) == 0
    assert str(d) == "4*g**2*kappa/(4*Delta**2 + kappa**2) D[-(2*Delta + I*kappa)/sqrt(4*Delta**2 + kappa**2) s_ge]"
    # output field c_out = c_in - i sqrt(rate) L equals the Langevin steady state: -i sqrt(kappa) beta g s_ge
    rng = np.random.default_rng(7)
    for gv, kv, dv in rng.uniform([0.1, 0.5, -3.0], [1.0, 3.0, 3.0], size=(5, 3)):
        beta = -1j / (1j * dv + kv / 2)
        ours = complex((sp.sqrt(d.rate) * coefficient).subs({g: gv, kappa: kv, Delta: dv}))
        assert ours == pytest.approx(np.sqrt(kv) * beta * gv, rel=1e-12)


def test_simplified_keeps_the_lindblad_term_for_several_terms():
    """A common positive factor moves to the rate; rate * L^+ L is unchanged."""
    h = sp.Symbol("h", positive=True)
    b = BosonMode("b").a
    d = Dissipator(kappa, g * h * s_ge + 2 * g * b, "mixed")
    tidy = d.simplified()
    assert sp.simplify(tidy.rate - kappa * g**2) == 0
    assert ((tidy.rate * tidy.operator.dag() * tidy.operator) - d.rate * d.operator.dag() * d.operator).is_zero()


def test_thermally_eliminated_dissipators_are_simplified_too():
    """Loss and gain channels: g^2 kappa (n+1) / (Delta^2 + kappa^2/4) and g^2 kappa n / (...), unit phases."""
    from qderive.symbolic import thermal_dissipators, thermal_eliminate

    Q = declare([*((p.name, p.meaning, p.unit, p.domain) for p in P.values()), ("n", "occupation", "", "nonnegative")])
    n = Q["n"].symbol
    H = Delta * a.dag() * a + g * (a.dag() * s_ge + a * s_ge.dag())
    model = Model("thermal jc", (CAVITY, ATOM), H, thermal_dissipators(kappa, n, a, "m"), Q)
    eliminated = thermal_eliminate(model, CAVITY).model
    for channel, occupation, jump in (("m_down", n + 1, s_ge), ("m_up", n, s_ge.dag())):
        d = eliminated.dissipator(channel)
        assert sp.simplify(d.rate - g**2 * kappa * occupation / (Delta**2 + kappa**2 / 4)) == 0
        coefficient = d.operator.coefficient(jump)
        assert not sp.fraction(coefficient)[1].has(sp.I)
        assert sp.simplify(coefficient * sp.conjugate(coefficient) - 1) == 0
