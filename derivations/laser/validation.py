r"""Exact steady states of the N-atom laser, to check the cumulant expansion against.

* ``N <= 4``: the full master equation on the tensor product (``2^N`` atomic states times a Fock
  cutoff), :func:`qderive.numeric.steady_state`.
* ``4 < N <= MAX_DICKE``: permutational invariance. The atoms' density matrix is block diagonal
  in the Dicke basis ``|j, m>`` (QuTiP's ``piqs`` builds the Liouvillian of the local processes
  there: ``emission = gamma``, ``pumping = nu``, ``dephasing = chi``, since piqs' ``gamma_D/2
  L[sigma_z/2]`` equals ``gamma_D D[sigma_ee]``); with the cavity added, the Liouvillian is
  restricted to the elements that can be non-zero in the steady state: inside one ``j`` block
  and, the model being invariant under ``a -> a e^{i phi}``, ``sigma -> sigma e^{i phi}``,
  between states of equal excitation number ``m + N/2 + n``. The restricted system is solved
  directly with the trace condition. At ``N = 2, 3, 4`` both methods agree to ~3e-8 relative: the
  Liouvillian that ``piqs`` builds preserves the trace only to ~5e-8 (measured: the population rows
  sum to 5e-8 instead of 0 at rates ~20), whereas the tensor product agrees with an independent
  QuTiP tensor-product steady state to 1e-15.

The Fock cutoff grows until the population of its top level is below ``TOP_POPULATION``.
The cumulant expansion's promise: neglected third-order cumulants are ``O(1/N)`` at fixed
collective coupling ``g sqrt(N)``; measured in the lasing regime of the defaults (``g sqrt(N) = 3
kappa``) the relative error of ``<a^+ a>`` is ``~0.5/N`` for ``N = 4..10``, so the tolerance is
``min(0.25, 0.6/N)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.optimize
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from qderive.numeric import fock_model, spectrum, steady_state
from qderive.symbolic import ParameterError, TruncationError

from ..contract import Derivation, Validation, ValidationError, ValidationOptions, judge
from ..scaling import log_log_slope
from .derivation import numeric_results
from .model import CAVITY, laser_model

MAX_TENSOR = 4
MAX_DICKE = 10
QUICK_MAX_DICKE = 6
LINEWIDTH_MAX_N = 2   # full spectrum (one sparse solve per frequency) for the linewidth metric
TOP_POPULATION = 1e-10


def tolerance(count: float) -> float:
    """Relative error promised for the second-order cumulant expansion with ``count`` atoms."""
    return min(0.25, 0.6 / count)


def _atom_number(values: Mapping[str, float]) -> int:
    count = float(values["N"])
    if count != round(count) or count < 1:
        raise ParameterError(f"the full master equation needs a whole number of atoms N >= 1, got N = {count}")
    return int(round(count))


def _first_cutoff(photons_guess: float) -> int:
    return int(photons_guess + 6 * np.sqrt(photons_guess) + 10)


def _converged_fock(values: Mapping[str, float], photons_guess: float):
    """The tensor-product model at a cutoff whose top Fock level holds < TOP_POPULATION, and its steady state."""
    count = _atom_number(values)
    model = laser_model(count)
    parameters = {k: float(v) for k, v in values.items() if k != "N"} | {"N": float(count)}
    cutoff = _first_cutoff(photons_guess)
    while True:
        fock = fock_model(model, parameters, {"a": cutoff})
        try:
            return model, fock, steady_state(fock, truncation_tolerance=TOP_POPULATION), cutoff
        except TruncationError:
            cutoff = int(1.5 * cutoff)


def full_linewidth(values: Mapping[str, float], photons_guess: float, width_guess: float) -> float:
    """FWHM (rad/s) of the emission spectrum ``S(w)`` of ``<a^+(tau) a(0)>`` from the full master equation."""
    _, fock, _, _ = _converged_fock(values, photons_guess)
    a = CAVITY.a

    def density(w: float) -> float:
        return float(spectrum(fock, [w], a.dag(), a).values[0])

    grid = float(values["Delta_c"]) + width_guess * np.linspace(-10, 10, 81)
    sampled = spectrum(fock, grid, a.dag(), a).values
    k = int(np.argmax(sampled))
    step = grid[1] - grid[0]
    peak = scipy.optimize.minimize_scalar(lambda w: -density(w), bounds=(grid[k] - step, grid[k] + step),
                                          method="bounded", options={"xatol": 1e-6 * step})
    half = -peak.fun / 2
    edges = []
    for sign in (-1.0, 1.0):
        distance = step
        while density(peak.x + sign * distance) > half:
            distance *= 2
        edges.append(scipy.optimize.brentq(lambda d, s=sign: density(peak.x + s * d) - half, 0.0, distance,
                                           xtol=1e-9 * width_guess))
    return float(sum(edges))


def tensor_product_solution(values: Mapping[str, float], photons_guess: float = 1.0) -> dict[str, float]:
    """``<a^+ a>``, ``<sigma_ee>`` per atom from the full master equation (``N <= 4``)."""
    model, fock, rho, cutoff = _converged_fock(values, photons_guess)
    a, s1 = CAVITY.a, model.level_systems[0]
    return {"n": float(np.trace(fock.operator(a.dag() * a) @ rho).real),
            "see": float(np.trace(fock.operator(s1.sigma("e", "e")) @ rho).real),
            "cutoff": float(cutoff), "dimension": float(fock.dimension)}


def dicke_solution(values: Mapping[str, float], photons_guess: float = 1.0) -> dict[str, float]:
    """The same from the permutationally invariant (Dicke-basis) master equation (needs QuTiP)."""
    try:
        import qutip
        from qutip import piqs
    except ImportError as error:  # QuTiP is an optional peer, not a runtime dependency
        raise ParameterError("the Dicke-basis solution for N > 4 needs QuTiP (pip install qutip)") from error
    count = _atom_number(values)
    cutoff = _first_cutoff(photons_guess)
    while True:
        result = _dicke_steady_state(qutip, piqs, values, count, cutoff)
        if result["top"] < TOP_POPULATION:
            return {"n": result["n"], "see": result["see"], "cutoff": float(cutoff),
                    "dimension": float(result["dimension"])}
        cutoff = int(1.5 * cutoff)


def _dicke_steady_state(qutip, piqs, values: Mapping[str, float], count: int, cutoff: int) -> dict[str, float]:
    nds = piqs.num_dicke_states(count)
    spins = piqs.Dicke(N=count, emission=float(values["gamma"]), pumping=float(values["nu"]),
                       dephasing=float(values["chi"]))
    jz, jp, jm = piqs.jspin(count, "z"), piqs.jspin(count, "+"), piqs.jspin(count, "-")
    a = qutip.destroy(cutoff)
    spin_identity, cavity_identity = qutip.qeye(nds), qutip.qeye(cutoff)
    hamiltonian = (float(values["Delta_c"]) * qutip.tensor(spin_identity, a.dag() * a)
                   + float(values["Delta_a"]) * qutip.tensor(jz + count / 2 * spin_identity, cavity_identity)
                   + float(values["g"]) * (qutip.tensor(jm, a.dag()) + qutip.tensor(jp, a)))
    cavity_loss = qutip.liouvillian(None, [np.sqrt(float(values["kappa"])) * a])
    generator = (qutip.super_tensor(spins.liouvillian(), qutip.to_super(cavity_identity))
                 + qutip.super_tensor(qutip.to_super(spin_identity), cavity_loss) + qutip.liouvillian(hamiltonian))
    generator = sps.csr_matrix(generator.data.as_scipy())
    m = np.real(jz.diag())
    _, block = sps.csgraph.connected_components(sps.csr_matrix(abs(jp.data.as_scipy()) + sps.identity(nds)),
                                                directed=False)
    d = nds * cutoff
    spin_of, photons_of = np.repeat(np.arange(nds), cutoff), np.tile(np.arange(cutoff), nds)
    excitation = m[spin_of] + count / 2 + photons_of
    rows, cols = np.tile(np.arange(d), d), np.repeat(np.arange(d), d)     # QuTiP stacks columns: index = col d + row
    allowed = np.flatnonzero((block[spin_of[rows]] == block[spin_of[cols]])
                             & (np.abs(excitation[rows] - excitation[cols]) < 0.5))
    restricted = generator[allowed][:, allowed].tolil()
    diagonal = np.flatnonzero(rows[allowed] == cols[allowed])
    restricted[0, :] = 0.0
    restricted[0, diagonal] = 1.0                     # trace condition replaces one balance equation
    rhs = np.zeros(len(allowed), dtype=complex)
    rhs[0] = 1.0
    solution = spla.spsolve(restricted.tocsc(), rhs)
    populations = np.real(solution[diagonal])
    states = rows[allowed][diagonal]
    return {"n": float(populations @ photons_of[states]),
            "see": float(populations @ m[spin_of[states]] / count + 0.5),
            "top": float(populations[photons_of[states] == cutoff - 1].sum()),
            "dimension": float(len(allowed))}


def exact_solution(values: Mapping[str, float], photons_guess: float = 1.0,
                   max_dicke: int = MAX_DICKE) -> dict[str, float] | None:
    """Tensor product for ``N <= 4``, Dicke basis up to ``max_dicke`` atoms, else ``None``."""
    count = _atom_number(values)
    if count <= MAX_TENSOR:
        return tensor_product_solution(values, photons_guess) | {"method_dicke": 0.0}
    if count <= max_dicke:
        return dicke_solution(values, photons_guess) | {"method_dicke": 1.0}
    return None




def validate(derivation: Derivation, options: ValidationOptions) -> Validation:
    """Cumulant (order 2) and mean-field photon number and inversion against the exact steady state.

    The error is the larger relative error of ``n_cumulant`` and ``see_cumulant``; the tolerance
    :func:`tolerance` of ``N``. Without ``quick``, the error is also measured for ``N = 1..10`` at
    the user's collective coupling ``g sqrt(N)`` (expected ``~ 1/N`` asymptotically; at the defaults
    the local exponent is -0.66 at N = 3..8 and steepens with N).
    """
    parameters = derivation.parameters
    values = dict(parameters.values)
    count = _atom_number(values)
    n_cumulant, see_cumulant = derivation.value("n_cumulant"), derivation.value("see_cumulant")
    n_meanfield = derivation.value("n_meanfield")
    largest = QUICK_MAX_DICKE if options.quick else MAX_DICKE
    progress = options.progress_of("laser validation", 1 if options.quick else 3)
    progress.stage("exact steady state")
    exact = exact_solution(values, n_cumulant, max_dicke=largest)
    if exact is None:
        raise ValidationError(f"laser: no exact solution for N = {count} atoms (tensor product up to {MAX_TENSOR}, "
                              f"Dicke basis up to {largest}{' with --quick' * options.quick})")
    errors = {"rel_error_n_cumulant": abs(n_cumulant / exact["n"] - 1),
              "rel_error_see_cumulant": abs(see_cumulant / exact["see"] - 1),
              "rel_error_n_meanfield": abs(n_meanfield / exact["n"] - 1)}
    metrics = {"n_full": exact["n"], "see_full": exact["see"], "n_cumulant": n_cumulant, "see_cumulant": see_cumulant,
               "n_meanfield": n_meanfield, **errors, "cutoff": exact["cutoff"], "dimension": exact["dimension"],
               "dicke_basis": exact["method_dicke"]}
    scaling: dict[str, float] = {}
    if not options.quick:
        progress.stage(f"error versus atom number, N = 1..{MAX_DICKE}")
        counts, cumulant_errors = error_versus_atom_number(derivation, range(1, MAX_DICKE + 1))
        scaling = {f"rel_error_n_cumulant_N{c}": e for c, e in zip(counts, cumulant_errors, strict=True)}
        scaling |= {"error_exponent_in_N": log_log_slope(counts[-3:], cumulant_errors[-3:]),
                    "expected_exponent": -1.0}
    if not options.quick:
        progress.stage("linewidth from the two-time correlation" if count <= LINEWIDTH_MAX_N else "done")
    progress.close()
    if not options.quick and count <= LINEWIDTH_MAX_N:
        width = derivation.value("linewidth_cumulant")
        metrics["linewidth_full"] = full_linewidth(values, n_cumulant, width)
        metrics["linewidth_cumulant"] = width
        metrics["rel_error_linewidth"] = abs(width / metrics["linewidth_full"] - 1)
    error = max(errors["rel_error_n_cumulant"], errors["rel_error_see_cumulant"])
    method = "Dicke basis (qutip.piqs)" if exact["method_dicke"] else "tensor product"
    return judge("laser", derivation, error, tolerance(count), "relative error of <a^+ a> and <sigma_ee> (order 2)",
                 metrics, scaling,
                 f"exact steady state: {method}, Fock cutoff {int(exact['cutoff'])} (top level < {TOP_POPULATION:g}); "
                 f"tolerance min(0.25, 0.6/N); scaling at fixed g sqrt(N) for N = 1..{MAX_DICKE}, local exponent "
                 "fitted on the three largest N (asymptotically -1: third-order cumulants are O(1/N))")


def error_versus_atom_number(derivation: Derivation, counts) -> tuple[list[int], list[float]]:
    """Relative error of ``n_cumulant`` against the exact steady state at fixed ``g sqrt(N)``."""
    values = dict(derivation.parameters.values)
    collective = values["g"] * np.sqrt(values["N"])
    symbolic = derivation.data["symbolic"]
    counts, errors = list(counts), []
    for count in counts:
        point = values | {"N": float(count), "g": collective / np.sqrt(count)}
        n = numeric_results(symbolic, point)["n_cumulant"]
        errors.append(abs(n / exact_solution(point, n)["n"] - 1))
    return counts, errors


__all__ = ["MAX_DICKE", "MAX_TENSOR", "dicke_solution", "error_versus_atom_number", "exact_solution",
           "tensor_product_solution", "tolerance", "validate"]
