"""engine004: closed forms against full numerics, independent integrals and matrices, and analytic limits."""

import itertools

import numpy as np
import pytest
import scipy.constants as const
import sympy as sp
from scipy.integrate import tplquad
from scipy.optimize import minimize_scalar

from qderive.derivations.engine004 import SYSTEM, model
from qderive.derivations.engine004 import derivation as steps
from qderive.derivations.engine004 import validation as checks
from qderive.numeric import concurrence, steady_state
from qderive.symbolic import ParameterError

ENGINE = SYSTEM()
DEFAULT = ENGINE.parameter_set()
DERIVED = ENGINE.derive(DEFAULT)


def closed_form_concurrence(parameters):
    return ENGINE.derive(parameters).results["C_ss"].value


def full_concurrence(parameters):
    return concurrence(steady_state(model.full_fock_model(parameters)))


@pytest.mark.parametrize("pL, pR, x", list(itertools.product((0.0, -0.5), (0.5, 0.97, 0.99, 1.0), (0.05, 0.22, 1.5))))
def test_closed_form_matches_full_master_equation(pL, pR, x):
    point = DEFAULT.replace(pL=pL, pR=pR, g=x * DEFAULT["Gamma1"])
    assert closed_form_concurrence(point) == pytest.approx(full_concurrence(point), abs=1e-9)


def test_steady_state_elements_match_full_numerics():
    point = DEFAULT.replace(pR=0.8, pL=0.1, g=0.7 * DEFAULT["Gamma1"])
    rho = steady_state(model.full_fock_model(point))
    ss = DERIVED.data["steady_state"]
    values = {model.SYM[k]: point[k] for k in ("g", "Gamma1", "pL", "pR")}
    index = {"rho_gg": (0, 0), "rho_ge": (1, 1), "rho_eg": (2, 2), "rho_ee": (3, 3), "rho_eg_ge": (2, 1)}
    for key, (i, j) in index.items():
        assert complex(ss[key].subs(values)) == pytest.approx(rho[i, j], abs=1e-12), key


def test_analytic_limits():
    assert closed_form_concurrence(DEFAULT.replace(g=1e-9)) == pytest.approx(0.0, abs=1e-12)  # g -> 0
    assert closed_form_concurrence(DEFAULT.replace(pL=0.6, pR=0.6)) == 0.0  # no polarisation bias, no heat current
    swapped = closed_form_concurrence(DEFAULT.replace(pL=0.9, pR=-0.2))
    assert swapped == pytest.approx(closed_form_concurrence(DEFAULT.replace(pL=-0.2, pR=0.9)), rel=1e-12)


def test_concurrence_depends_only_on_g_over_gamma1():
    ss = DERIVED.data["steady_state"]
    assert model.SYM["Gamma1"] not in ss["witness_of_ratio"].free_symbols


def test_optimal_coupling_maximises_full_numerics():
    best = minimize_scalar(
        lambda g: -full_concurrence(DEFAULT.replace(g=g)), bounds=(1e4, 2e5), method="bounded", options={"xatol": 1e-3}
    )
    assert DERIVED.results["g_opt"].value == pytest.approx(best.x, rel=1e-5)
    assert DERIVED.results["C_ss_max"].value == pytest.approx(-best.fun, rel=1e-9)


def test_entanglement_threshold_is_where_concurrence_vanishes():
    threshold = DERIVED.results["entangled_threshold"].value
    assert 0.9 < threshold < 1.0
    assert full_concurrence(DEFAULT.replace(pR=threshold + 1e-4)) > 0
    assert full_concurrence(DEFAULT.replace(pR=threshold - 1e-4)) == 0


def spin_one():
    sp_ = np.sqrt(2) * np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=float)  # basis m = 1, 0, -1
    return sp_, sp_.T, np.diag([1.0, 0.0, -1.0])


def test_flip_flop_coupling_against_explicit_spin_one_matrices():
    """Project the secular dipolar Hamiltonian numerically onto |0>, |-1> and read off <0,-1|H|-1,0>."""
    r, theta = DEFAULT["r"], 0.3
    J = const.mu_0 * (2 * np.pi * 28.0e9) ** 2 * const.hbar / (4 * np.pi * r**3) * (1 - 3 * np.cos(theta) ** 2)
    plus, minus, z = spin_one()
    H = J * (np.kron(z, z) - (np.kron(plus, minus) + np.kron(minus, plus)) / 4)
    zero, down = 1, 2
    element = H[zero * 3 + down, down * 3 + zero]  # <0_L, -1_R| H |-1_L, 0_R>
    derived = ENGINE.derive(DEFAULT.replace(theta=theta)).results["g_flipflop"].value
    assert derived == pytest.approx(abs(element), rel=1e-12)
    assert derived == pytest.approx(abs(J) / 2, rel=1e-12)  # twice the source's Eq. 11, |J|/4
    assert any(d.source == "engine004 seed Eq. 11" for d in DERIVED.discrepancies)


def test_bath_field_integral_against_numerical_quadrature():
    R_m = DEFAULT["R_m"]
    integral, _ = steps.bath_field_squared()
    value = float(integral.subs(model.SYM["R_m"], R_m))
    numeric, _ = tplquad(
        lambda r, th, ph: (2 + 3 * np.sin(th) ** 2) / r**6 * r**2 * np.sin(th), 0, 2 * np.pi, 0, np.pi, R_m, 1e3 * R_m
    )
    assert value == pytest.approx(numeric, rel=1e-6)  # the cut at 1000 R_m misses a 1e-9 fraction
    assert value == pytest.approx(16 * np.pi / (3 * R_m**3), rel=1e-12)


def test_source_values_that_agree():
    """B_CR ~ 102 mT (Eq. 9) and p ~ 1e-7 at room temperature (after Eq. 20), as the source states."""
    assert DERIVED.results["B_CR"].value == pytest.approx(0.102, abs=0.5e-3)
    assert 5e-8 < DERIVED.results["p_T"].value < 2e-7
    assert DERIVED.results["eps_n"].value / (2 * np.pi) == pytest.approx(1.1e6, rel=0.01)


def test_polarisation_out_of_range_is_refused():
    with pytest.raises(ParameterError, match=r"'pR' must lie in \[-1, 1\]"):
        ENGINE.derive(DEFAULT.replace(pR=1.5))
    with pytest.raises(ParameterError, match=r"'conc' must lie in \[0, 1\]"):
        DEFAULT.replace(conc=50)


def test_transient_maximum_converges_with_time_grid():
    coarse = checks.transient_maximum(DEFAULT, 401)
    fine = checks.transient_maximum(DEFAULT, 3201)
    assert coarse[0] == pytest.approx(fine[0], rel=1e-9)
    assert coarse[1] == pytest.approx(fine[1], rel=1e-6)


def test_transient_starts_unentangled_and_relaxes_to_steady_state():
    times = np.linspace(0, 60 / DEFAULT["Gamma1"], 301)
    curve = checks.transient_concurrence(DEFAULT, times)
    assert curve[0] == 0.0
    assert curve[-1] == pytest.approx(DERIVED.results["C_ss"].value, abs=1e-9)


def test_closed_moment_set_is_derived_not_assumed():
    """The X-state moments close (checked in moment_equations) and the |gg><ee| coherence vanishes."""
    equations = steps.moment_equations(model.engine_model())
    assert set(equations) == set(steps.MOMENTS)
    ss = steps.steady_state_moments(model.engine_model())
    assert ss["d"] == 0 and ss["d_bar"] == 0
    assert sp.simplify(ss["c"] - sp.conjugate(ss["c_bar"])) == 0


def test_run_draws_the_figures(tmp_path):
    from qderive.derivations.cli import main

    assert main(["run", "engine004", "--out", str(tmp_path), "--quiet"]) == 0
    figures = sorted(p.name for p in (tmp_path / "figures").glob("*.png"))
    assert len(figures) == 5 and all((tmp_path / "figures" / f).stat().st_size > 10_000 for f in figures)


def test_eq17_rate_is_concentration_independent_with_eq19_linewidth():
    """B_rms^2 ~ conc (Eq. 15) and Gamma2 ~ conc (Eq. 19) make Eq. 17 independent of conc, unlike Eq. 18."""
    _, brms2 = steps.bath_field_squared()
    gamma2 = model.SYM["conc"] / model.NATURAL_CONC * model.DEPHASING_AT_NATURAL
    rate = sp.simplify(3 * model.gamma_e**2 * brms2 / gamma2)
    assert model.SYM["conc"] not in rate.free_symbols
    assert any(d.source == "engine004 seed Eqs. 17-19" for d in DERIVED.discrepancies)


def test_entanglement_window_and_minimal_polarisation_against_numerics():
    window, p_min = steps.entanglement_bounds(DERIVED.data["steady_state"]["threshold_numerator"])
    G = DEFAULT["Gamma1"]
    assert float(window) == pytest.approx(np.sqrt(2) / 3, rel=1e-12)
    assert full_concurrence(DEFAULT.replace(g=0.99 * float(window) * G)) > 0
    assert full_concurrence(DEFAULT.replace(g=1.01 * float(window) * G)) == 0
    grid = np.linspace(0.05, 0.6, 56) * G
    below = max(full_concurrence(DEFAULT.replace(pR=float(p_min) - 1e-4, g=g)) for g in grid)
    assert below == 0 and float(p_min) == pytest.approx(0.971737, abs=1e-6)
