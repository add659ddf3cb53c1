"""Spin operators from sigma_ij obey the angular-momentum algebra; parameters refuse bad numbers."""

import math

import pytest
import sympy as sp

from qderive.symbolic import Parameter, ParameterError, ParameterSet, commutator, spin_operators, spin_system


@pytest.mark.parametrize("spin", ["1/2", 1, "3/2", 2])
def test_spin_algebra(spin):
    S = spin_operators(spin_system("S", spin))
    s = sp.Rational(spin)
    assert commutator(S.plus, S.minus) == 2 * S.z
    assert commutator(S.z, S.plus) == S.plus
    assert commutator(S.x, S.y) == sp.I * S.z
    assert S.x * S.x + S.y * S.y + S.z * S.z == s * (s + 1)


def test_spin_one_matrix_elements():
    system = spin_system("S", 1)
    S = spin_operators(system)
    assert S.plus.coefficient(system.sigma(1, 0)) == sp.sqrt(2)
    assert S.minus.coefficient(system.sigma(0, 1)) == sp.sqrt(2)


PARAMS = (
    Parameter("kappa", "cavity decay rate", "rad/s"),
    Parameter("n_th", "thermal occupation", "1", "nonnegative"),
    Parameter("Delta", "detuning", "rad/s", "real"),
)


def test_parameter_set_evaluates_with_assumptions():
    values = ParameterSet(PARAMS, {"kappa": 2.0, "n_th": 0.0, "Delta": -1.5})
    kappa, n, delta = (p.symbol for p in PARAMS)
    assert values.evaluate(kappa * (n + 1) + delta**2) == pytest.approx(2.0 + 2.25)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"kappa": -1.0, "n_th": 0.0, "Delta": 0.0}, "'kappa' must be positive"),
        ({"kappa": 1.0, "n_th": -0.1, "Delta": 0.0}, "'n_th' must be non-negative"),
        ({"kappa": math.nan, "n_th": 0.0, "Delta": 0.0}, "'kappa' must be finite"),
        ({"kappa": 1.0, "Delta": 0.0}, "missing value for 'n_th'"),
        ({"kappa": 1.0, "n_th": 0.0, "Delta": 0.0, "g": 1.0}, r"unknown parameter\(s\) \['g'\]"),
        ({"kappa": 1.0, "n_th": 0.0, "Delta": 1j}, "'Delta' must be real"),
    ],
)
def test_parameter_set_refuses_bad_values(values, message):
    with pytest.raises(ParameterError, match=message):
        ParameterSet(PARAMS, values)


def test_evaluate_refuses_unknown_symbols():
    values = ParameterSet(PARAMS, {"kappa": 2.0, "n_th": 0.0, "Delta": 0.0})
    with pytest.raises(ParameterError, match="no value for \\['g'\\]"):
        values.evaluate(sp.Symbol("g") * PARAMS[0].symbol)
