"""Bloch derivation against the textbook steady state, the master equation and the lab frame."""

import sympy as sp

from qderive.derivations.bloch import SYSTEM
from qderive.derivations.bloch.model import Delta, Gamma, Omega, gamma_phi
from qderive.derivations.contract import ValidationOptions

BLOCH = SYSTEM()


def test_steady_state_matches_textbook_form():
    """rho_ee = (Omega^2 gamma_perp / 2 Gamma) / (Delta^2 + gamma_perp^2 + Omega^2 gamma_perp / Gamma)."""
    derivation = BLOCH.derive(BLOCH.parameter_set())
    gperp = Gamma / 2 + gamma_phi
    textbook = (Omega**2 * gperp / (2 * Gamma)) / (Delta**2 + gperp**2 + Omega**2 * gperp / Gamma)
    assert sp.simplify(derivation.results["rho_ee"].expr - textbook) == 0
    # the gamma_phi = 0 limit: (Omega^2/4) / (Delta^2 + Gamma^2/4 + Omega^2/2)
    limit = derivation.results["rho_ee"].expr.subs(gamma_phi, 0)
    assert sp.simplify(limit - (Omega**2 / 4) / (Delta**2 + Gamma**2 / 4 + Omega**2 / 2)) == 0


def test_validation_against_master_equation_and_lab_frame():
    validation = BLOCH.validate(BLOCH.derive(BLOCH.parameter_set({"gamma_phi": 0.0})), ValidationOptions())
    assert validation.passed
    assert validation.metrics["rel_error_vs_master_equation"] < 1e-9
    assert validation.scaling["max_rel_error_detuning_sweep"] < 1e-9
    # Bloch-Siegert physics: the RWA error grows with Omega/omega_0 (at least linearly)
    assert validation.scaling["rwa_error_exponent_in_Omega_over_omega_0"] > 0.9


def test_symbolic_work_is_done_once_per_system():
    system = SYSTEM()
    system.derive(system.parameter_set())
    assert len(system.cache) == 1
    system.derive(system.parameter_set({"Omega": 1e7}))
    assert len(system.cache) == 1
    system.cache.clear()
    assert len(system.cache) == 0
