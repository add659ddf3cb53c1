"""The laser derivation: closed-form threshold and mean-field photon number against the equations solved
numerically, and the two exact solvers (tensor product, Dicke basis) against each other."""

import numpy as np
import pytest
import sympy as sp

from qderive.derivations.laser import derivation, validation
from qderive.derivations.laser.model import CAVITY, DEFAULTS, PARAMETERS
from qderive.numeric import evolve_moments, lower_moments
from qderive.symbolic import Expectation

KAPPA = DEFAULTS["kappa"]
POINT = {"N": 20.0, "g": 0.2 * KAPPA, "kappa": KAPPA, "gamma": 0.05 * KAPPA, "nu": 1.0 * KAPPA,
         "chi": 0.1 * KAPPA, "Delta_c": 0.3 * KAPPA, "Delta_a": -0.2 * KAPPA}


@pytest.fixture(scope="module")
def symbolic():
    first, second = derivation.equations()
    return first, second, derivation.threshold(first, second)


def closed_form(expressions, key, values):
    expr = derivation.explicit(expressions[key], expressions)
    return complex(expr.subs({PARAMETERS[k].symbol: v for k, v in values.items()}))


def largest_growth_rate(first, values):
    """Largest Re(eigenvalue) of the order-1 equations linearised at the non-lasing state."""
    a, s = CAVITY.a, derivation.group_atom()
    unknowns = [Expectation(next(iter(op.terms))) for op in (a, s.sigma("g", "e"))]
    conj = first.conjugates()
    rhs = sp.Matrix([first.equation(a), first.equation(s.sigma("g", "e"))])
    p0 = values["nu"] / (values["nu"] + values["gamma"])
    at = {u: 0 for u in unknowns} | {k: 0 for k, v in conj.items() if v in unknowns}
    at[Expectation(next(iter(s.sigma("e", "e").terms)))] = p0
    numbers = {PARAMETERS[k].symbol: v for k, v in values.items()}
    matrix = np.array(rhs.jacobian(unknowns).subs(at).subs(numbers), dtype=complex)
    return np.linalg.eigvals(matrix).real.max()


def test_threshold_pumps_are_where_the_non_lasing_state_turns_unstable(symbolic):
    first, _, expressions = symbolic
    resonant = POINT | {"Delta_c": 0.0, "Delta_a": 0.0}
    for key in ("nu_threshold", "nu_quench"):
        nu = closed_form(expressions, key, resonant).real
        below, above = (largest_growth_rate(first, resonant | {"nu": nu * f}) for f in (0.999, 1.001))
        assert below * above < 0, key          # the growth rate changes sign exactly there
    critical = closed_form(expressions, "N_threshold", POINT).real
    rates = [largest_growth_rate(first, POINT | {"N": critical * f}) for f in (0.999, 1.001)]
    assert rates[0] < 0 < rates[1]


def test_mean_field_photon_number_equals_the_long_time_order_one_solution(symbolic, tmp_path):
    first, _, expressions = symbolic
    system = lower_moments(first, cache_dir=tmp_path)
    a = CAVITY.a
    seed = system.initial_state([(a, 1e-3)])
    t_end = 3000 / KAPPA
    states = evolve_moments(system, POINT, [0.0, 0.9 * t_end, t_end], initial=seed, method="LSODA", rtol=1e-10,
                            atol=1e-12)
    n_late, n_end = (abs(system.average(a, y)) ** 2 for y in states[1:])
    assert n_late == pytest.approx(n_end, rel=1e-8)                        # converged modulus (it rotates)
    assert closed_form(expressions, "n_meanfield", POINT).real == pytest.approx(n_end, rel=1e-6)
    # the lasing frequency: <a> rotates at -omega_L in this frame
    z0, z1 = (system.average(a, y) for y in states[1:])
    rotation = np.angle(z1 / z0) / (0.1 * t_end)
    omega = closed_form(expressions, "omega_laser", POINT).real
    assert abs(np.angle(np.exp(1j * (rotation + omega) * 0.1 * t_end))) < 1e-4


def test_dicke_basis_agrees_with_the_tensor_product():
    values = {"N": 2.0, "g": 2.0, "kappa": 1.0, "gamma": 0.05, "nu": 2.0, "chi": 0.1, "Delta_c": 0.3,
              "Delta_a": -0.2}
    tensor = validation.tensor_product_solution(values, 2.0)
    dicke = validation.dicke_solution(values, 2.0)
    assert dicke["n"] == pytest.approx(tensor["n"], rel=1e-7)        # piqs' trace defect ~5e-8 limits this
    assert dicke["see"] == pytest.approx(tensor["see"], rel=1e-7)
    assert tensor["dimension"] == 4 * tensor["cutoff"]


def test_full_master_equation_needs_a_whole_number_of_atoms():
    with pytest.raises(Exception, match="whole number of atoms"):
        validation.exact_solution(POINT | {"N": 2.5})
