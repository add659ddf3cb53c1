"""Two-laser lambda system with a two-photon detuning: quasi-secular Raman elimination (issue 12, item 1).

H = Delta s_ee + delta s_22 + Omega1/2 (s_e1 + h.c.) + Omega2/2 (s_e2 + h.c.), Gamma D[s_1e] + Gamma D[s_2e].
References: exact diagonalisation of the 3x3 Hamiltonian and the full 9x9 Liouvillian. The effective
model is second order in Omega/Delta, so its relative error is O((Omega/Delta)^2): tolerances are
(Omega1/Delta)^2 for the splitting and 2 (Omega1/Delta)^2 for the rates, and the error scaling is
checked by halving Omega.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sps
import sympy as sp

from qderive.numeric import fock_model, liouvillian
from qderive.symbolic import (
    ApproximationWarning,
    Dissipator,
    Model,
    ModelError,
    NLevelSystem,
    declare,
    far_detuned_eliminate,
)

P = declare(
    [
        ("Omega1", "Rabi frequency 1 <-> e", "rad/s"),
        ("Omega2", "Rabi frequency 2 <-> e", "rad/s"),
        ("Delta", "one-photon detuning", "rad/s", "real"),
        ("delta", "two-photon detuning", "rad/s", "real"),
        ("eta", "extra shift of e", "rad/s", "real"),
        ("Gamma", "decay e -> 1 and e -> 2 (each)", "rad/s", "nonnegative"),
    ]
)
O1, O2, D, d, ETA, G = (p.symbol for p in P.values())
S = NLevelSystem("l", (1, 2, "e"))
V = O1 / 2 * (S.sigma("e", 1) + S.sigma(1, "e")) + O2 / 2 * (S.sigma("e", 2) + S.sigma(2, "e"))
ISSUE = {"Omega1": 0.4, "Omega2": 0.3, "Delta": 10.0, "delta": 0.002, "eta": 0.0, "Gamma": 0.0}
GROUND = [0, 1]  # basis indices of levels 1, 2


def lambda_model(extra=0):
    H = D * S.projector("e") + d * S.projector(2) + V + extra
    jumps = (Dissipator(G, S.sigma(1, "e"), "G1"), Dissipator(G, S.sigma(2, "e"), "G2"))
    return Model("lambda2", (S,), H, jumps, P)


def ground_block(fock):
    """H and jump operators of an effective model restricted to levels 1, 2 (e is projected out)."""
    block = np.ix_(GROUND, GROUND)
    return sps.csr_matrix(fock.hamiltonian.toarray()[block]), [
        sps.csr_matrix(j.toarray()[block]) for j in fock.jump_operators
    ]


def splittings(values, free):
    """(exact ground splitting of the full H, splitting of H_eff)."""
    exact = np.linalg.eigvalsh(fock_model(lambda_model(), values).hamiltonian.toarray())
    exact = np.sort(exact[np.argsort(np.abs(exact))[:2]])
    effective = far_detuned_eliminate(lambda_model(), free, V, (S, "e")).model
    approx = np.linalg.eigvalsh(ground_block(fock_model(effective, values))[0].toarray())
    return exact[1] - exact[0], approx[1] - approx[0]


def slow_eigenvalues(values, free):
    """The four slowest Liouvillian eigenvalues of the full model and the four of the effective one."""
    full = fock_model(lambda_model(), values)
    lf = np.linalg.eigvals(liouvillian(full.hamiltonian, full.jump_operators).toarray())
    lf = lf[np.argsort(np.abs(lf.real))][:4]
    effective = fock_model(far_detuned_eliminate(lambda_model(), free, V, (S, "e")).model, values)
    le = np.linalg.eigvals(liouvillian(*ground_block(effective)).toarray())

    def order(z):
        return z[np.lexsort((z.real, np.round(z.imag, 9)))]

    return order(lf), order(le)


FREE_WITH_DELTA = D * S.projector("e") + d * S.projector(2)
FREE_WITHOUT_DELTA = D * S.projector("e")


def test_issue_numbers_with_the_two_photon_detuning_in_free():
    """Exact 7.072e-3; the old secularity test dropped the Raman pair and gave 3.750e-3."""
    exact, approx = splittings(ISSUE, FREE_WITH_DELTA)
    assert exact == pytest.approx(7.072e-3, abs=5e-7)
    assert approx == pytest.approx(exact, rel=(0.4 / 10) ** 2)
    assert approx == pytest.approx(7.076e-3, abs=5e-7)  # the issue's second-order value


def test_two_photon_detuning_in_the_slow_part_is_accepted():
    """Old code raised a spurious ModelError ('slow Hamiltonian still couples to s_e through s_22')."""
    exact, approx = splittings(ISSUE, FREE_WITHOUT_DELTA)
    assert approx == pytest.approx(exact, rel=(0.4 / 10) ** 2)


def test_slow_term_on_the_eliminated_level_is_refused():
    """A slow eta s_ee was silently dropped; it must be refused, naming the term."""
    model = lambda_model(ETA * S.projector("e"))
    with pytest.raises(ModelError, match="acts on the eliminated 'l_e' through l_ee"):
        far_detuned_eliminate(model, FREE_WITH_DELTA, V, (S, "e"))
    # in `free` it is a detuning and enters the denominators: Delta -> Delta + eta
    shifted = far_detuned_eliminate(model, FREE_WITH_DELTA + ETA * S.projector("e"), V, (S, "e")).model
    reference = far_detuned_eliminate(lambda_model(), FREE_WITH_DELTA, V, (S, "e")).model
    assert shifted.hamiltonian == reference.hamiltonian.subs(D, D + ETA)


def test_quasi_secular_coupling_is_the_averaged_denominator():
    """J = -(Omega1 Omega2 / 8) [1/Delta + 1/(Delta - delta)] (Loewdin); James' form at delta = 0."""
    H = far_detuned_eliminate(lambda_model(), FREE_WITH_DELTA, V, (S, "e")).model.hamiltonian
    J = H.coefficient(S.sigma(1, 2))
    assert sp.simplify(J + O1 * O2 / 8 * (1 / D + 1 / (D - d))) == 0
    assert sp.simplify(J.subs(d, 0) + O1 * O2 / (4 * D)) == 0


@pytest.mark.parametrize("delta", [0.0, 0.002, 0.0075, 0.016, 0.05, 0.2])
@pytest.mark.parametrize("free", [FREE_WITH_DELTA, FREE_WITHOUT_DELTA], ids=["delta-in-free", "delta-slow"])
def test_sweep_through_the_raman_crossover(delta, free):
    """delta from exact resonance through Omega^2/Delta = 0.016 to 12x beyond: splitting, Raman coupling,
    Stark shifts and pumping rates as the slow Liouvillian eigenvalues (Gamma = 0.05)."""
    values = {**ISSUE, "delta": delta}
    # a slow delta is missing from the denominators: an extra relative error O(delta/Delta)
    tolerance = (0.4 / 10) ** 2 + (0 if free is FREE_WITH_DELTA else delta / 10)
    exact, approx = splittings(values, free)
    assert approx == pytest.approx(exact, rel=tolerance)
    full, effective = slow_eigenvalues({**values, "Gamma": 0.05}, free)
    rates = np.abs(full.real).max()
    frequencies = np.abs(full.imag).max()
    assert np.abs(full.real - effective.real).max() < (2 * (0.4 / 10) ** 2 + tolerance) * rates
    assert np.abs(full.imag - effective.imag).max() < tolerance * frequencies


def test_error_scales_as_omega_over_delta_squared():
    """Halving both Rabi frequencies (and scaling delta with Omega^2/Delta) cuts the error 4x."""
    errors = []
    for scale in (1.0, 0.5, 0.25):
        values = {**ISSUE, "Omega1": 0.4 * scale, "Omega2": 0.3 * scale, "delta": 0.002 * scale**2}
        exact, approx = splittings(values, FREE_WITH_DELTA)
        errors.append(abs(approx - exact) / exact)
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert ratios == pytest.approx([4.0, 4.0], rel=0.05)


def test_quasi_secular_small_parameter_is_checked():
    effective = far_detuned_eliminate(lambda_model(), FREE_WITH_DELTA, V, (S, "e"))
    name = "|e_m + e_n|/min(|e_m|, |e_n|) of l_e1, l_2e"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert effective.check(ISSUE)[name] == pytest.approx(0.002 / (10 - 0.002))
    with pytest.warns(ApproximationWarning, match=r"of l_e1, l_2e = 0\.667"):
        effective.check({**ISSUE, "delta": 4.0})
