"""Check sps000: the effective Jaynes-Cummings model with thermal noise against the full model.

The source's protocol: the modes' steady state under cooling with the spin held in ``|d>``, then
the spin set to ``|e>``, photons counted in the gate ``[tl, tu]`` (``I``, ``g2``, ``beta`` of
:func:`~qderive.numeric.photon_source_figures`). Solved for

* the full master equation as stated (lab frame, no rotating-wave approximation);
* the full model in the rotating-wave approximation (:func:`.model.rwa_model`), if ``rwa = 1``;
* the effective model of the derivation (spin and single-photon cavity only).

Fock cutoffs are chosen automatically: a cutoff is raised while the solver reports population in
a mode's top level above the truncation tolerance, then every cutoff is raised once more and the
metrics compared (``CONVERGENCE`` in absolute value). With ``rwa = 1`` this convergence study runs
on the RWA model and the stated model runs once at the converged cutoffs (its own top-level check
along the run may still raise a cutoff): its counter-rotating terms add only ``~(g / 2 w_m)^2`` of
population, and its fast oscillations make each run several times dearer. Quick mode uses fixed small cutoffs, a loose
truncation tolerance and a coarse gate grid (a few seconds), the RWA model only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from qderive.numeric import LindbladSolver, fock_model, photon_source_figures, steady_state
from qderive.numeric.states import prepare_state
from qderive.symbolic import Dissipator, Model, TruncationError

from ..contract import Derivation, Validation, ValidationError, ValidationOptions, judge
from ..progress import Progress
from .model import PHOTON, full_model, full_values, rwa_model, rwa_values

TOLERANCE = 0.05  # relative error of beta_eff (and absolute of I_eff, g2_eff) promised while the conditions hold
CONVERGENCE = 2e-3  # absolute change of I, g2, beta between successive cutoffs
OPTIONS = {"atol": 1e-10, "rtol": 1e-8}
QUICK = {"cutoffs": {"a": 3, "b": 4, "c": 2}, "n_points": 9, "truncation_tolerance": 0.2}
FULL = {"cutoffs": {"a": 3, "b": 4, "c": 2}, "n_points": 13, "truncation_tolerance": 1e-4}
MAX_CUTOFF = 12
ROUNDING = 1e-6  # negative eigenvalues of rho(tl) up to this size are integration error (atol 1e-10 per element)


@dataclass(frozen=True)
class SourceMetrics:
    """``I``, ``g2``, ``beta`` of one model, its cutoffs and the top Fock populations of the cooled initial state.

    The integrator also refuses any time on the gate grid where a top level exceeds the truncation tolerance.

    Examples
    --------
    >>> m = SourceMetrics(indistinguishability=0.93, g2=0.01, beta=0.45, cutoffs={"a": 3}, top={"a": 1e-6}, seconds=2.0)
    >>> m.beta, dict(m.cutoffs)
    (0.45, {'a': 3})
    """

    indistinguishability: float
    g2: float
    beta: float
    cutoffs: Mapping[str, int]
    top: Mapping[str, float]
    seconds: float


def _at_gate_start(fock, rho0: np.ndarray, tl: float, options: Mapping) -> np.ndarray:
    """``rho(tl)``; eigenvalues the integrator left below zero within ``ROUNDING`` are set to zero (else refused)."""
    if tl == 0:
        return rho0
    rho = LindbladSolver(fock, options).run(rho0, [0.0, tl]).states[-1]
    rho = (rho + rho.conj().T) / 2
    values, vectors = np.linalg.eigh(rho)
    if values.min() < -ROUNDING:
        raise ValidationError(f"the state at tl has a negative eigenvalue {values.min():.2e}; tighten the integrator")
    values = np.clip(values, 0.0, None)
    return (vectors * (values / values.sum())) @ vectors.conj().T


def _figures(fock, rho0, parameters, n_points, truncation_tolerance):
    options = OPTIONS | {"truncation_tolerance": truncation_tolerance}
    tl, tu = parameters["tl"], parameters["tu"]
    return photon_source_figures(fock, _at_gate_start(fock, rho0, tl, options), (tl, tu), "kappa_sp",
                                 n_points=n_points, t0=tl, options=options)


def full_metrics(parameters: Mapping[str, float], rwa: bool, cutoffs: Mapping[str, int], n_points: int,
                 truncation_tolerance: float = 1e-4) -> SourceMetrics:
    """``I, g2, beta`` of the full model (``rwa``: in the rotating-wave approximation) at fixed cutoffs.

    Protocol of the source: the modes' steady state with the spin held in ``|d>``, the spin set to
    ``|e>``, evolution to ``tl``, then the two-time correlations over ``[tl, tu]`` on ``n_points``.

    Examples
    --------
    >>> from qderive.derivations.sps000.model import DEFAULTS
    >>> m = full_metrics(DEFAULTS, True, {"a": 3, "b": 4, "c": 2}, 5, 0.2)  # RWA model at small cutoffs, 5 points
    >>> round(m.beta, 2), round(m.indistinguishability, 2)
    (0.39, 0.98)
    >>> m.top["b"] < 1e-3  # the mechanics' top Fock level holds less than 0.1 %
    True
    """
    start = time.perf_counter()
    model, values = (rwa_model(), rwa_values(parameters)) if rwa else (full_model(), full_values(parameters))
    fock = fock_model(model, values, dict(cutoffs))
    rho0 = prepare_state(fock, hold={"s": "d"}, then={"s": "e"}, truncation_tolerance=truncation_tolerance)
    f = _figures(fock, rho0, parameters, n_points, truncation_tolerance)
    top = {k: float(np.max(v)) for k, v in fock.top_level_populations(rho0).items()}
    return SourceMetrics(f.indistinguishability, f.g2, f.brightness, dict(cutoffs), top, time.perf_counter() - start)


def fitting(run: Callable[[Mapping[str, int]], SourceMetrics], cutoffs: Mapping[str, int]) -> SourceMetrics:
    """``run`` at ``cutoffs``, raising the cutoff of the mode a :class:`TruncationError` names until none is raised.

    Examples
    --------
    >>> def run(cutoffs):  # a toy model: truncation error below 4 levels
    ...     if cutoffs["a"] < 4:
    ...         raise TruncationError("mode 'a' holds 1e-3 of the population in its top level")
    ...     return SourceMetrics(0.9, 0.0, 0.4, dict(cutoffs), {}, 0.0)
    >>> fitting(run, {"a": 2}).cutoffs
    {'a': 4}
    """
    cutoffs = dict(cutoffs)
    while True:
        try:
            return run(cutoffs)
        except TruncationError as error:
            mode = str(error).split("'")[1]
            if cutoffs[mode] >= MAX_CUTOFF:
                raise
            cutoffs[mode] += 1


def converged(run: Callable[[Mapping[str, int]], SourceMetrics], cutoffs: Mapping[str, int],
              tolerance: float = CONVERGENCE) -> tuple[SourceMetrics, list[SourceMetrics]]:
    """Raise cutoffs until no truncation error and the metrics change by less than ``tolerance``.

    Examples
    --------
    >>> from qderive.symbolic import TruncationError
    >>> def run(cutoffs):  # a toy model: truncation error below 4 levels, metrics settling as 1/cutoff^4
    ...     if cutoffs["a"] < 4:
    ...         raise TruncationError("mode 'a' holds 1e-3 of the population in its top level")
    ...     x = 0.9 - 1 / cutoffs["a"] ** 4
    ...     return SourceMetrics(x, 0.0, x, dict(cutoffs), {}, 0.0)
    >>> best, history = converged(run, {"a": 2}, tolerance=1e-3)
    >>> best.cutoffs, [h.cutoffs["a"] for h in history]  # 5 and 6 agree to 1e-3: the smaller one is returned
    ({'a': 5}, [4, 5, 6])
    """
    cutoffs, history = dict(cutoffs), []
    while True:
        metrics = fitting(run, cutoffs)
        cutoffs = dict(metrics.cutoffs)
        history.append(metrics)
        if len(history) > 1:
            a, b = history[-2], history[-1]
            change = max(abs(a.indistinguishability - b.indistinguishability), abs(a.g2 - b.g2), abs(a.beta - b.beta))
            if change < tolerance:
                return history[-2], history
        if max(cutoffs.values()) >= MAX_CUTOFF:
            raise TruncationError(f"sps000 metrics not converged to {tolerance} at cutoffs {cutoffs}")
        cutoffs = {k: v + 1 for k, v in cutoffs.items()}


def effective_fock(derivation: Derivation, cutoff: int = 4, rwa: bool = False):
    """Fock matrices of the derived effective model (``rwa``: without the counter-rotating terms) at its parameters.

    Examples
    --------
    >>> from qderive.derivations.sps000 import Sps000
    >>> system = Sps000()
    >>> derivation = system.derive(system.parameter_set())
    >>> fock = effective_fock(derivation)
    >>> fock.dimensions  # the spin {|d>, |e>} and the single-photon cavity with up to 3 photons
    (2, 4)
    >>> d1, e0 = 0 * 4 + 1, 1 * 4 + 0  # |d, 1> and |e, 0>
    >>> float(round(fock.hamiltonian[d1, e0].real / derivation.value("Omega"), 12))  # the derived Raman coupling
    1.0
    """
    effective = derivation.data["effective_rwa" if rwa else "effective"].model
    values = dict(derivation.parameters.values)
    values |= {"gamma_m": 2 * np.pi * values["fm"] / values["Qm"], "n_th": derivation.value("n_th"),
               "w_m": 2 * np.pi * values["fm"],
               "Gamma_opt": derivation.value("Gamma_opt"), "Gamma_c_delta": derivation.value("Gamma_c_delta"),
               "delta_b": values["delta"] - derivation.value("pull_c")}
    return fock_model(effective, {k: values[k] for k in effective.parameters}, {"a": cutoff})


def effective_initial_state(fock) -> np.ndarray:
    """``|e><e|`` times the cavity's steady state with the spin held in ``|d>`` (its channels' cavity parts only).

    Examples
    --------
    >>> from qderive.derivations.sps000 import Sps000
    >>> system = Sps000()
    >>> derivation = system.derive(system.parameter_set())
    >>> rho0 = effective_initial_state(effective_fock(derivation))
    >>> blocks = rho0.reshape(2, 4, 2, 4)
    >>> np.round(np.trace(blocks, axis1=1, axis2=3).real, 12).tolist()  # the spin starts in |e>
    [[0.0, 0.0], [0.0, 1.0]]
    >>> photons = np.trace(np.trace(blocks, axis1=0, axis2=2) @ np.diag(np.arange(4))).real
    >>> injection = derivation.value("Gamma_heat_cavity") / derivation.parameters["ksp"]
    >>> bool(abs(photons / injection - 1) < 0.01)  # thermal photons: injection rate over the cavity decay rate
    True
    """
    model: Model = fock.model
    a = PHOTON.a
    dissipators = []
    for d in model.dissipators:
        for op, kind in ((a, "down"), (a.dag(), "up")):
            amplitude = d.operator.coefficient(op)
            if amplitude != 0:
                dissipators.append(Dissipator(d.rate * sp.Abs(amplitude) ** 2, op, f"{d.channel}_{kind}"))
    cavity = Model("cavity", (PHOTON,), 0 * a.dag() * a, tuple(dissipators), model.parameters)
    rho_a = steady_state(fock_model(cavity, fock.parameters, {"a": fock.dimensions[1]}))
    return np.kron(np.diag([0.0, 1.0]), rho_a)


def effective_metrics(derivation: Derivation, n_points: int, cutoff: int = 4, rwa: bool = False) -> SourceMetrics:
    """``I, g2, beta`` of the derived effective model over the gate (the cavity cutoff raised as needed).

    Examples
    --------
    >>> from qderive.derivations.sps000 import Sps000
    >>> system = Sps000()
    >>> derivation = system.derive(system.parameter_set())
    >>> effective = effective_metrics(derivation, 5)
    >>> full = full_metrics(derivation.parameters.values, True, {"a": 3, "b": 4, "c": 2}, 5, 0.2)
    >>> difference = abs(effective.indistinguishability - full.indistinguishability)
    >>> round(effective.indistinguishability, 2), bool(difference < 0.01)  # the RWA full model agrees
    (0.98, True)
    """
    start = time.perf_counter()
    while True:
        fock = effective_fock(derivation, cutoff, rwa)
        try:
            rho0 = effective_initial_state(fock)
            f = _figures(fock, rho0, derivation.parameters, n_points, 1e-4)
            break
        except TruncationError:
            if cutoff >= MAX_CUTOFF:
                raise
            cutoff += 1
    top = {k: float(np.max(v)) for k, v in fock.top_level_populations(rho0).items()}
    return SourceMetrics(f.indistinguishability, f.g2, f.brightness, {"a": cutoff}, top, time.perf_counter() - start)


def _record(prefix: str, m: SourceMetrics) -> dict[str, float]:
    out = {f"I{prefix}": m.indistinguishability, f"g2{prefix}": m.g2, f"beta{prefix}": m.beta,
           f"seconds{prefix}": m.seconds}
    out |= {f"cutoff{prefix}_{k}": float(v) for k, v in m.cutoffs.items()}
    out |= {f"top_fock_population{prefix}_{k}": v for k, v in m.top.items()}
    return out


def _history(label: str, history: list[SourceMetrics]) -> str:
    return f"{label} cutoffs tried: " + ", ".join(
        f"{h.cutoffs} -> (I {h.indistinguishability:.4f}, g2 {h.g2:.4f}, beta {h.beta:.4f}, {h.seconds:.0f} s)"
        for h in history)


def _announced(run: Callable[[Mapping[str, int]], SourceMetrics], label: str,
               progress: Progress) -> Callable[[Mapping[str, int]], SourceMetrics]:
    def announced(cutoffs: Mapping[str, int]) -> SourceMetrics:
        progress.stage(f"{label} at cutoffs {dict(cutoffs)}")
        return run(cutoffs)

    return announced


def _solve(derivation: Derivation, quick: bool, progress: Progress) -> tuple[list, dict[str, float], str]:
    """The (name, effective, full) pairs to judge, their metrics, and how the cutoffs were chosen."""
    p = derivation.parameters.values
    settings = QUICK if quick else FULL
    n = settings["n_points"]
    if quick:
        progress.stage("effective and RWA full model at quick cutoffs")
        eff = effective_metrics(derivation, n, rwa=True)
        rwa = full_metrics(p, True, settings["cutoffs"], n, settings["truncation_tolerance"])
        return ([("rwa", eff, rwa)], _record("_eff_rwa", eff) | _record("_rwa", rwa),
                f"quick: effective model without the counter-rotating terms vs the RWA full model at fixed "
                f"cutoffs {settings['cutoffs']}, {n} gate points, top-level tolerance 0.2")
    pairs, metrics, texts = [], {}, []
    if p["rwa"] >= 0.5:
        # truncation converged on the RWA model; the stated model then runs once at those cutoffs, its top
        # levels checked along the whole run (its counter-rotating terms add ~(g / 2 w_m)^2 population)
        rwa, history = converged(_announced(lambda c: full_metrics(p, True, c, n), "RWA full model", progress),
                                 settings["cutoffs"])
        progress.stage("effective model without the counter-rotating terms")
        eff_rwa = effective_metrics(derivation, n, rwa=True)
        metrics |= _record("_rwa", rwa) | _record("_eff_rwa", eff_rwa)
        pairs.append(("rwa", eff_rwa, rwa))
        texts.append(_history("RWA model", history))
        full = fitting(_announced(lambda c: full_metrics(p, False, c, n), "stated model", progress), rwa.cutoffs)
        texts.append(f"stated model run at {full.cutoffs} (cutoffs converged on the RWA model; top levels checked "
                     f"along the run)")
    else:
        full, history = converged(_announced(lambda c: full_metrics(p, False, c, n), "stated model", progress),
                                  settings["cutoffs"])
        texts.append(_history("stated model", history))
    progress.stage("effective model")
    eff = effective_metrics(derivation, n)
    metrics |= _record("", full) | _record("_eff", eff)
    pairs.insert(0, ("full", eff, full))
    return pairs, metrics, "; ".join(texts)


def validate(derivation: Derivation, options: ValidationOptions) -> Validation:
    """Judge ``beta_eff, I_eff, g2_eff`` against the full model at the derivation's parameters.

    Full mode: with ``rwa = 1`` the cutoffs are converged on the RWA full model (:func:`converged`)
    and the stated model runs once at them (raised only where its own top-level check fails);
    with ``rwa = 0`` the stated model's cutoffs are converged directly (slower: its counter-rotating
    terms oscillate at ``w_q + w_m``).

    Examples
    --------
    >>> from qderive.derivations.sps000 import Sps000
    >>> system = Sps000()
    >>> derivation = system.derive(system.parameter_set())
    >>> quick = ValidationOptions(quick=True)
    >>> validation = validate(derivation, quick)
    >>> validation.passed, validation.error < validation.tolerance
    (True, True)
    >>> overrides, condition = system.breakdown  # a Raman detuning of only 2pi x 200 kHz
    >>> failed = validate(system.derive(system.parameter_set(overrides)), quick)
    >>> failed.passed, condition in failed.reason  # fails, and names the small parameter that is not small
    (False, True)
    """
    p = derivation.parameters.values
    n = (QUICK if options.quick else FULL)["n_points"]
    with options.progress_of("sps000 validation") as progress:
        pairs, metrics, history_text = _solve(derivation, options.quick, progress)
    errors = {}
    for name, eff, reference in pairs:
        errors |= {
            f"rel_error_beta_{name}": abs(eff.beta - reference.beta) / reference.beta,
            f"abs_error_I_{name}": abs(eff.indistinguishability - reference.indistinguishability),
            f"abs_error_g2_{name}": abs(eff.g2 - reference.g2),
        }
    reference_name = pairs[0][0]
    metrics |= errors
    error = max(errors.values())
    details = (f"effective model vs the {reference_name} model over the gate [{p['tl']:.3g}, {p['tu']:.3g}] s with "
               f"{n} grid points; {history_text}. Source (Fig. 3 set): I = 0.98, g2 = 0.07, beta = 0.48.")
    return judge("sps000", derivation, error, TOLERANCE,
                 "max(relative error of beta_eff, |I_eff - I|, |g2_eff - g2|)", metrics, details=details)
