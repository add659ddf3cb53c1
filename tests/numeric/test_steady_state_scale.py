"""Steady states at scale: the population block built without L, matrix-free GMRES, their options and errors."""

import numpy as np
import pytest

from qderive.numeric import fock_model, liouvillian, steady_state, steady_state_solution
from qderive.numeric.liouville_block import LindbladPattern, bordered_block, population_block
from qderive.numeric.steady_iterative import PRECONDITIONERS, liouvillian_norm
from qderive.symbolic import (
    BosonMode,
    ConvergenceError,
    Dissipator,
    Model,
    NLevelSystem,
    ParameterError,
    declare,
    thermal_dissipators,
)
from qderive.symbolic.library import pumped_jaynes_cummings

P = declare([("Delta", "detuning", "rad/s", "real"), ("E", "drive", "rad/s", "real"), ("kappa", "decay", "rad/s"),
             ("n_th", "thermal occupation", "1", "nonnegative"), ("J", "hopping", "rad/s", "real"),
             ("U", "Kerr", "rad/s", "real")])
delta, E, kappa, n_th, hop, kerr = (p.symbol for p in P.values())
A, B, C = BosonMode("a"), BosonMode("b"), BosonMode("c")


def driven_cavity():
    return Model("cavity", (A,), delta * A.a.dag() * A.a + E * (A.a + A.a.dag()), (Dissipator(kappa, A.a, "k"),), P)


def kerr_chain():
    """Three Kerr cavities in a chain, the first driven: no excitation number is conserved."""
    modes = (A, B, C)
    h = sum(delta * m.a.dag() * m.a + kerr * m.a.dag() * m.a.dag() * m.a * m.a for m in modes)
    h = h + hop * (A.a.dag() * B.a + B.a.dag() * A.a + B.a.dag() * C.a + C.a.dag() * B.a) + E * (A.a + A.a.dag())
    return Model("chain", modes, h, tuple(Dissipator(kappa, m.a, f"k{m.name}") for m in modes), P)


CHAIN = {"Delta": 0.5, "E": 0.6, "kappa": 1.0, "n_th": 0.0, "J": 0.8, "U": 0.2}


@pytest.mark.parametrize("method", ["direct", "iterative"])
def test_thermal_mode_has_geometric_populations(method):
    """Detailed balance of the truncated birth-death chain: p_k / p_{k-1} = n_th / (1 + n_th) exactly."""
    model = Model("thermal", (A,), delta * A.a.dag() * A.a, thermal_dissipators(kappa, n_th, A.a, "bath"), P)
    fock = fock_model(model, {"Delta": 1.0, "E": 0.0, "kappa": 0.1, "n_th": 0.4, "J": 0.0, "U": 0.0}, {"a": 30})
    solution = steady_state_solution(fock, method=method, tolerance=1e-12)
    k = np.arange(30)
    expected = 0.4**k / 1.4 ** (k + 1)
    np.testing.assert_allclose(np.diagonal(solution.rho).real, expected / expected.sum(), atol=1e-11)
    assert solution.method == method and solution.residual < 1e-12


@pytest.mark.parametrize("preconditioner", PRECONDITIONERS)
def test_iterative_driven_cavity_is_the_analytic_coherent_state(preconditioner):
    """alpha = -i E / (kappa/2 + i Delta); rho = |alpha><alpha| (cutoff 20: truncation error ~1e-16)."""
    values = {"Delta": 0.3, "E": 0.5, "kappa": 1.0, "n_th": 0.0, "J": 0.0, "U": 0.0}
    fock = fock_model(driven_cavity(), values, {"a": 20})
    alpha = -1j * 0.5 / (0.5 + 0.3j)
    n = np.arange(20)
    amplitudes = np.exp(-abs(alpha) ** 2 / 2) * alpha**n / np.sqrt([float(np.prod(np.arange(1, m + 1))) for m in n])
    solution = steady_state_solution(fock, method="iterative", tolerance=1e-13, preconditioner=preconditioner)
    np.testing.assert_allclose(solution.rho, np.outer(amplitudes, amplitudes.conj()), atol=1e-11)
    assert solution.products > 0 and solution.unknowns == 400


def test_three_mode_iterative_agrees_with_direct_and_reports_its_residual():
    fock = fock_model(kerr_chain(), CHAIN, {"a": 4, "b": 3, "c": 3})
    direct = steady_state_solution(fock, 0.05, method="direct")
    iterative = steady_state_solution(fock, 0.05, method="iterative", tolerance=1e-11)
    # the residual bound times the condition number (~1e3 here) bounds the error
    assert np.abs(direct.rho - iterative.rho).max() < 1e-8
    L = liouvillian(fock.hamiltonian, fock.jump_operators)
    exact_norm = np.abs(L).sum(axis=0).max()
    assert liouvillian_norm(fock) == pytest.approx(exact_norm, rel=1e-12)  # no diagonal jumps: exact
    residual = np.abs(L @ iterative.rho.reshape(-1, order="F")).sum() / exact_norm
    assert residual == pytest.approx(iterative.residual, rel=1e-6) and residual < 1e-11
    # auto: at 4 levels each the 6-dimensional Liouville lattice fills the LU (envelope ~ 900 x 4096 entries)
    larger = fock_model(kerr_chain(), CHAIN, {"a": 4, "b": 4, "c": 4})
    assert steady_state_solution(larger, 0.05, check_uniqueness=False).method == "iterative"


def test_population_block_is_the_invariant_block_of_the_full_liouvillian():
    """The assembled rows equal those of the sparse L; the block excludes every other component."""
    fock = fock_model(pumped_jaynes_cummings(), {"g": 1.0, "kappa": 0.5, "gamma": 0.05, "P": 3.0}, {"a": 6})
    pattern = LindbladPattern.of(fock)
    block = population_block(pattern)
    d = fock.dimension
    assert block.size == 1 + 4 * 5 + 1  # ket and bra of equal excitation number: N = 0, N = 1..5, N = 6
    assert block.indices[-1] == 0  # rho_00 last
    L = liouvillian(fock.hamiltonian, fock.jump_operators).tocsr()
    outside = np.setdiff1d(np.arange(d * d), block.indices)
    assert abs(L[block.indices][:, outside]).max() == 0 and abs(L[outside][:, block.indices]).max() == 0
    matrix, weight = bordered_block(pattern, block)
    expected = L[block.indices][:, block.indices].toarray()
    expected[-1, block.position[np.arange(d) * (d + 1)]] += weight
    np.testing.assert_allclose(matrix.toarray(), expected, atol=1e-14)


def test_iterative_that_cannot_converge_says_so_in_one_line():
    fock = fock_model(kerr_chain(), CHAIN, {"a": 4, "b": 3, "c": 3})
    with pytest.raises(ConvergenceError, match=r"^steady_state \(iterative\): GMRES reached residual .* after \d+ "
                                               r"products with L, not the tolerance 1e-10; raise maxiter") as error:
        steady_state(fock, 0.05, method="iterative", maxiter=5)
    assert "\n" not in str(error.value)


def test_options_are_checked_before_any_work():
    fock = fock_model(driven_cavity(), {"Delta": 0.3, "E": 0.5, "kappa": 1.0, "n_th": 0.0, "J": 0.0, "U": 0.0},
                      {"a": 10})
    for settings, message in (({"method": "gmres"}, "'method' must be 'auto', 'direct' or 'iterative'"),
                              ({"tolerance": 0.0}, "'tolerance' must be a positive number below 1"),
                              ({"restart": True}, "'restart' must be a positive integer"),
                              ({"maxiter": -3}, "'maxiter' must be a positive integer"),
                              ({"preconditioner": "jacobi"}, "'preconditioner' must be one of")):
        with pytest.raises(ParameterError, match=message):
            steady_state(fock, **settings)


def test_qubit_with_only_collective_partner_is_caught_by_the_second_gmres_start():
    """A dark singlet: every population connected, yet two steady states; the second start exposes it."""
    from qderive.symbolic import ModelError

    p = declare([("gamma", "collective decay rate", "rad/s")])
    one, two = NLevelSystem("s1", ("g", "e")), NLevelSystem("s2", ("g", "e"))
    jump = one.sigma("g", "e") + two.sigma("g", "e")
    fock = fock_model(Model("pair", (one, two), 0 * one.projector("e"), (Dissipator(p["gamma"].symbol, jump, "c"),),
                            p), {"gamma": 1.0})
    with pytest.raises(ModelError, match="two GMRES solves from different starts differ"):
        steady_state(fock, method="iterative")
