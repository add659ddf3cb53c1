"""transducer001 against independent references: hand-solved Langevin equations, the Liouvillian, the two-level
Lorentzian, time integration, and the full model with the three modes kept."""

import numpy as np
import pytest
import sympy as sp

from qderive.derivations.contract import ValidationOptions
from qderive.derivations.registry import Registry
from qderive.derivations.transducer001 import conversion, periodic, validation
from qderive.derivations.transducer001.derivation import EFF, FID, reduced_model
from qderive.derivations.transducer001.model import NV, SYM
from qderive.numeric import fock_model, liouvillian
from qderive.symbolic import ParameterError


@pytest.fixture(scope="module")
def system():
    return Registry.discover().get("transducer001")


@pytest.fixture(scope="module")
def derivation(system):
    return system.derive(system.parameter_set())


@pytest.fixture(scope="module")
def point(derivation):
    return conversion.operating_point(derivation)


def test_chained_rate_equals_the_hand_solved_linear_langevin_equations(derivation):
    # 0 = -(ka/2) a - i gx b ;  0 = -(kb/2) b - i gx a - i gy s  (no input); flux ka_e |a|^2 per |s|^2
    a, b, s = sp.symbols("a b s")
    g = SYM
    ka, kb = g["ka_i"] + g["ka_e"], g["kb_i"] + g["kb_e"]
    solution = sp.solve([-ka / 2 * a - sp.I * g["gx"] * b, -kb / 2 * b - sp.I * g["gx"] * a - sp.I * g["gy"] * s],
                        [a, b], dict=True)[0]
    amplitude = solution[a].subs(s, 1)
    hand = g["ka_e"] * sp.simplify(amplitude * sp.conjugate(amplitude))
    assert sp.simplify(hand - derivation.results["gamma10_e"].expr) == 0
    C = derivation.results["C_ab"].expr
    source = derivation.results["gamma10_e_source_form"].expr
    assert sp.simplify(derivation.results["gamma10_e"].expr * (1 + C) ** 2 - source) == 0  # the (1 + C)^2 factor


def test_optical_rates_are_detuned_purcell_rates(derivation):
    p = derivation.parameters
    kc = p["kc_i"] + p["kc_e"]
    detuned = 4 * p["g12"] ** 2 * p["kc_e"] / (kc**2 + 4 * p["w10"] ** 2)  # |1>-|2> misses c by w10
    assert derivation.value("gamma21_e") == pytest.approx(detuned, rel=1e-12)
    assert derivation.value("gamma20_e") == pytest.approx(4 * p["g02"] ** 2 * p["kc_e"] / kc**2, rel=1e-12)
    assert derivation.value("gamma20_e") == pytest.approx(2 * np.pi * 14e6, rel=1e-9)  # the stated rate reproduced
    assert derivation.value("gamma10_e") == pytest.approx(2 * np.pi * 1.3e6, rel=1e-9)


def test_drift_tensor_equals_the_liouvillian(derivation, point):
    values = {**derivation.parameters.values, **point.rates}
    model = reduced_model()
    fock = fock_model(model, {k: values[k] for k in model.parameters})
    L = liouvillian(fock.hamiltonian, fock.jump_operators).toarray()
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    rho = X @ X.conj().T
    rho /= np.trace(rho)
    rho_dot = (L @ rho.reshape(-1, order="F")).reshape(3, 3, order="F")
    s = rho.T  # s_mn = <|m><n|> = rho_nm
    from_tensor = np.einsum("ijmn,mn->ij", point.tensors[0], s)
    assert np.allclose(from_tensor, rho_dot.T, rtol=0, atol=1e-9 * np.abs(rho_dot).max())


def test_input_tensors_by_hand(derivation):
    # d s01/dt contains -i sqrt(gamma10_e) (s00 - s11) a_in (from -i[s01, s10] a_in sqrt(gamma))
    M3, M5 = derivation.results["M3"].expr, derivation.results["M5"].expr
    root = sp.sqrt(EFF["gamma10_e"])
    assert sp.simplify(M3[0, 1, 0, 0] + sp.I * root) == 0 and sp.simplify(M3[0, 1, 1, 1] - sp.I * root) == 0
    assert sp.simplify(M5[1, 2, 1, 1] + sp.I * sp.sqrt(EFF["gamma21_e"])) == 0
    assert sp.simplify(M5[0, 2, 0, 0] + sp.I * sp.sqrt(EFF["gamma20_e"])) == 0
    assert all(derivation.results["M2"].expr[i, j, m, n] == sp.conjugate(M3[j, i, n, m]) for i in range(3)
               for j in range(3) for m in range(3) for n in range(3))


def test_two_level_lorentzian_without_pump(derivation):
    # no pump: s01 responds to a weak signal as -i sqrt(g10e) alpha / (g10t/2 + gamma1_phi - i dmu)
    for dmu, dephasing in ((0.0, 0.0), (2 * np.pi * 0.8e6, 2 * np.pi * 0.3e6)):
        pt = conversion.operating_point(derivation, {"P_pump": 1e-30, "dmu_s": dmu, "gamma1_phi": dephasing})
        harmonics = periodic.harmonics_by_balance(pt, 1e-3)
        r = pt.rates
        expected = -1j * np.sqrt(r["gamma10_e"]) * 1e-3 / ((r["gamma10_i"] + r["gamma10_e"]) / 2 + dephasing - 1j * dmu)
        assert harmonics[(0, 1)][1] == pytest.approx(expected, rel=1e-6)


def test_harmonic_balance_matches_time_integration(point):
    for flux in (1e3, 0.0):
        balanced = periodic.fluxes_from_harmonics(point, periodic.harmonics_by_balance(point, np.sqrt(flux)))
        integrated = periodic.fluxes_from_harmonics(point, periodic.harmonics_by_integration(point, np.sqrt(flux)))
        assert integrated["R_tot"] == pytest.approx(balanced["R_tot"], rel=1e-6)
        assert integrated["R_coh"] == pytest.approx(balanced["R_coh"], rel=1e-6, abs=1e-12)


def test_reduced_model_agrees_with_the_full_model(derivation):
    # resonant linear response through a linear chain is exact after elimination (Markov at the signal
    # frequency): P_coh to 1e-3; the dark counts within the promised 10 %.
    full = validation.full_figures_of_merit(derivation)
    assert full["P_coh_reduced"] == pytest.approx(full["P_coh"], rel=1e-3)
    assert full["P_tot_reduced"] == pytest.approx(full["P_tot"], rel=0.02)
    assert full["R_d_reduced"] == pytest.approx(full["R_d"], rel=0.1)


def test_slopes_agree_with_finite_signal_and_truncation_converges(point):
    merit = conversion.figures_of_merit(point)
    sparse = conversion.figures_of_merit(point, dense=False)  # numeric.small_signal_expansion: same equations
    assert all(sparse[k] == pytest.approx(merit[k], rel=1e-8) for k in ("P_tot", "P_coh", "R_d"))
    finite = periodic.fluxes_from_harmonics(point, periodic.harmonics_by_balance(point, np.sqrt(10.0)))
    dark = periodic.fluxes_from_harmonics(point, periodic.harmonics_by_balance(point, 0.0))
    assert finite["R_coh"] / 10.0 == pytest.approx(merit["P_coh"], rel=1e-4)
    assert (finite["R_tot"] - dark["R_tot"]) / 10.0 == pytest.approx(merit["P_tot"], rel=1e-4)
    assert dark["R_tot"] == pytest.approx(merit["R_d"], rel=1e-9)
    study = conversion.truncation_study(point, (1, 2))
    assert study[2]["P_coh"] == pytest.approx(study[1]["P_coh"], rel=1e-10)


def test_optimal_excitation_probability_is_the_sources_and_a_maximum(derivation):
    optimum = derivation.data["Pe_opt"]
    source = sp.sqrt(FID["Pi_00"]) / (sp.sqrt(FID["Pi_00"]) + sp.sqrt(FID["Pi_11"]))
    assert sp.simplify(optimum - source) == 0
    values = {FID["Pi_00"]: 3e-6, FID["Pi_10"]: 0.2, FID["Pi_01"]: 0.2, FID["Pi_11"]: 0.3, FID["alpha_n"]: 1.0,
              FID["delta_abs"]: 0.3, FID["cos_theta"]: 1.0}
    F = sp.lambdify(FID["P_e"], derivation.data["F1c"].subs(values))
    best = float(optimum.subs(values))
    assert F(best) > max(F(best * 0.9), F(best * 1.1))
    ideal = validation.entanglement(derivation, {"P_tot": 1.0, "P_coh": 1.0, "P_d": 1e-9},
                                    {"P_tot": 1.0, "P_coh": 1.0, "P_d": 1e-9})
    assert ideal["F1c"] == pytest.approx(1.0, abs=1e-3)  # lossless, noiseless nodes: a perfect Bell state


def test_bad_inputs_refused_by_name(system, derivation):
    with pytest.raises(ParameterError, match="'ka_i' must be non-negative"):
        system.parameter_set({"ka_i": -1.0})
    with pytest.raises(ParameterError, match="'kc_e' must be positive"):
        system.parameter_set({"kc_e": -1.0})
    zero_pump = system.derive(system.parameter_set({"P_pump": 0.0}))
    with pytest.raises(ParameterError, match="'P_pump' must be positive"):
        system.validate(zero_pump, ValidationOptions(quick=True))


def test_nv_levels_follow_the_source_labels():
    assert NV.levels == (0, 1, 2)


def test_reconstructed_single_click_weights_reproduce_the_sources_entanglement_numbers(derivation):
    # the source's own P_tot = 0.36, P_coh = 0.32, R_d = 41 Hz, BW = 5.0 MHz (two digits each) give its
    # F1c = 0.93 and R_herald = 3.1 kHz at 1 MHz through the derived F1c, P_e* and N
    here = validation.node({"P_tot": 0.36, "P_coh": 0.32, "R_d": 41.0}, 5.0e6)
    out = validation.entanglement(derivation, here, here)
    assert out["F1c"] == pytest.approx(0.93, abs=0.01)
    assert out["R_herald"] == pytest.approx(3.1e3, rel=0.03)
