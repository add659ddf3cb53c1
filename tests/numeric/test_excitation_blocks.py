"""The excitation-number block preconditioner: exact inverse of the drive-free Liouvillian, and its use in GMRES."""

import numpy as np
import pytest

from qderive.numeric import excitation_blocks, fock_model, liouvillian, steady_state_solution
from qderive.numeric.excitation_blocks import ExcitationBlockInverse, excitation_grading, sorted_model
from qderive.numeric.steady_iterative import solve_matrix_free
from qderive.symbolic import BosonMode, Dissipator, Model, NLevelSystem, ParameterError, declare

P = declare([("Delta", "detuning", "rad/s", "real"), ("U", "Kerr", "rad/s", "real"), ("J", "hopping", "rad/s", "real"),
             ("E", "drive", "rad/s", "real"), ("kappa", "decay", "rad/s"), ("kappa_c", "decay of c", "rad/s"),
             ("g", "coupling", "rad/s", "real"), ("gamma", "qubit decay", "rad/s")])
delta, kerr, hop, drive, kappa, kappa_c, g, gamma = (p.symbol for p in P.values())
A, B, C = BosonMode("a"), BosonMode("b"), BosonMode("c")
VALUES = {"Delta": 0.5, "U": 0.2, "J": 0.8, "E": 0.6, "kappa": 1.0, "kappa_c": 1.0, "g": 1.0, "gamma": 0.2}


def kerr_chain():
    """Three Kerr cavities with hopping, the first driven; the last decays at ``kappa_c``."""
    modes = (A, B, C)
    h = sum(delta * m.a.dag() * m.a + kerr * m.a.dag() * m.a.dag() * m.a * m.a for m in modes)
    h = h + hop * (A.a.dag() * B.a + B.a.dag() * A.a + B.a.dag() * C.a + C.a.dag() * B.a) + drive * (A.a + A.a.dag())
    rates = (kappa, kappa, kappa_c)
    jumps = tuple(Dissipator(r, m.a, f"k{m.name}") for r, m in zip(rates, modes, strict=True))
    return Model("chain", modes, h, jumps, P)


def bordered(fock, x, weight):
    """``L x + w Tr(x) |0><0|`` from the sparse ``d^2 x d^2`` Liouvillian (column-stacked)."""
    d = fock.dimension
    out = (liouvillian(fock.hamiltonian, fock.jump_operators) @ x.reshape(-1, order="F")).reshape(d, d, order="F")
    out[0, 0] += weight * np.trace(x)
    return out


@pytest.mark.parametrize("case", ["orthogonal", "eigenvectors", "schur"])
def test_block_inverse_undoes_the_drive_free_liouvillian(case, monkeypatch):
    """``A_0^{-1} A_0 X = X`` with ``A_0`` built independently: the Liouvillian of the same model at ``E = 0``.

    Equal decay rates give real orthogonal eigenvectors, a slower last cavity complex ones; the
    Schur path is forced by a zero condition limit.
    """
    if case == "schur":
        monkeypatch.setattr(excitation_blocks, "EIGENVECTOR_CONDITION_LIMIT", 0.0)
    values = {**VALUES, "kappa_c": 1.0 if case == "orthogonal" else 0.3}
    driven = fock_model(kerr_chain(), values, {"a": 4, "b": 3, "c": 3})
    grading = excitation_grading(driven)
    assert grading.lowering == (0, 1, 2) and grading.block_sizes.tolist() == [1, 3, 6, 8, 8, 6, 3, 1]
    inverse = ExcitationBlockInverse(sorted_model(driven, grading), grading, 0.7)
    assert (inverse.orthogonal, inverse.schur) == {"orthogonal": (True, False), "eigenvectors": (False, False),
                                                   "schur": (False, True)}[case]
    drive_free = sorted_model(fock_model(kerr_chain(), {**values, "E": 0.0}, {"a": 4, "b": 3, "c": 3}), grading)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((36, 36)) + 1j * rng.standard_normal((36, 36))
    x = x + x.conj().T
    recovered = inverse.solve(bordered(drive_free, x, 0.7), np.empty_like(x))
    assert np.abs(recovered - x).max() < 1e-12 * np.abs(x).max()


def test_excitation_preconditioned_gmres_agrees_with_lu_in_fewer_products():
    """Driven chain: the steady state of GMRES with the block preconditioner equals sparse LU's; hopping is exact in
    the preconditioner, so it needs far fewer products than the number-diagonal one (triangular)."""
    fock = fock_model(kerr_chain(), {**VALUES, "kappa_c": 0.7}, {"a": 4, "b": 3, "c": 3})
    direct = steady_state_solution(fock, 0.05, method="direct")
    blocks = steady_state_solution(fock, 0.05, method="iterative", tolerance=1e-11, preconditioner="excitation",
                                   check_uniqueness=False)
    triangular = steady_state_solution(fock, 0.05, method="iterative", tolerance=1e-11, preconditioner="triangular",
                                       check_uniqueness=False)
    assert np.abs(blocks.rho - direct.rho).max() < 1e-8
    assert np.abs(triangular.rho - direct.rho).max() < 1e-8
    assert 3 * blocks.products < triangular.products
    default = steady_state_solution(fock, 0.05, method="iterative", tolerance=1e-11, check_uniqueness=False)
    assert default.products == blocks.products  # "auto" takes the block preconditioner here


def test_grading_counts_excitations_whichever_way_the_levels_are_listed():
    """A qubit listed excited-first: its decay raises the level index, so that index counts downwards and
    ``N = n_a + [q = e]`` (conserved by the Jaynes-Cummings coupling)."""
    qubit = NLevelSystem("q", ("e", "g"))
    model = Model("jc", (qubit, A), g * (A.a.dag() * qubit.sigma("g", "e") + A.a * qubit.sigma("e", "g")),
                  (Dissipator(kappa, A.a, "k"), Dissipator(gamma, qubit.sigma("g", "e"), "q")), P)
    fock = fock_model(model, VALUES, {"a": 5})
    grading = excitation_grading(fock)
    excited, photons = np.unravel_index(np.arange(10), (2, 5))
    np.testing.assert_array_equal(grading.number, photons + (excited == 0))
    assert grading.lowering == (0, 1)
    rho = solve_matrix_free(fock, 1e-12, 20, 200, "excitation").rho
    assert np.abs(rho - np.diag(np.eye(10)[5])).max() < 1e-10  # no drive: the vacuum |g, 0> (index 5) exactly


def test_without_a_lowering_jump_auto_falls_back_and_excitation_is_refused():
    """Pure dephasing lowers nothing: no grading; 'auto' runs the triangular preconditioner and finds the unital
    channel's steady state ``1/d``; 'excitation' says why it cannot run."""
    model = Model("dephased", (A,), delta * A.a.dag() * A.a + drive * (A.a + A.a.dag()),
                  (Dissipator(kappa, A.a.dag() * A.a, "phi"),), P)
    fock = fock_model(model, VALUES, {"a": 4})
    assert excitation_grading(fock) is None
    auto = solve_matrix_free(fock, 1e-12, 20, 500, "auto")
    assert np.abs(auto.rho - np.eye(4) / 4).max() < 1e-10
    assert auto.products == solve_matrix_free(fock, 1e-12, 20, 500, "triangular").products
    with pytest.raises(ParameterError, match="preconditioner='excitation' needs an excitation number"):
        solve_matrix_free(fock, 1e-10, 20, 200, "excitation")
