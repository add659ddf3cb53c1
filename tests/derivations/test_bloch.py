"""Bloch derivation against the textbook steady state and the full master equation."""

import sympy as sp

from qderive.derivations import bloch


def test_steady_state_matches_textbook_form():
    """rho_ee = (Omega^2 gamma_perp / 2 Gamma) / (Delta^2 + gamma_perp^2 + Omega^2 gamma_perp / Gamma)."""
    derivation = bloch.derive(bloch.ENTRY.parameter_set())
    Om, De, Ga, gp = bloch.Omega, bloch.Delta, bloch.Gamma, bloch.gamma_phi
    gperp = Ga / 2 + gp
    textbook = (Om**2 * gperp / (2 * Ga)) / (De**2 + gperp**2 + Om**2 * gperp / Ga)
    assert sp.simplify(derivation.results["rho_ee"].expr - textbook) == 0
    # the gamma_phi = 0 limit: (Omega^2/4) / (Delta^2 + Gamma^2/4 + Omega^2/2)
    limit = derivation.results["rho_ee"].expr.subs(gp, 0)
    assert sp.simplify(limit - (Om**2 / 4) / (De**2 + Ga**2 / 4 + Om**2 / 2)) == 0


def test_validation_against_master_equation():
    validation = bloch.validate(bloch.ENTRY.parameter_set({"gamma_phi": 0.0}))
    assert validation.passed
    assert validation.metrics["max_rel_error_rho_ee"] < 1e-9
