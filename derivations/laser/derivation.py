r"""Mean-field and second-order cumulant equations of the N-atom laser; threshold in closed form.

Stages: :func:`symbolic_solution` (parameter-free: the closed equations with symbolic ``N``, the
threshold and the mean-field photon number derived from them) and :func:`numeric_results` (the
compiled second-order system solved at the user's numbers).

* Order 1 (mean field): ``<a>``, ``<sigma>``, ``<sigma_ee>``. Below threshold the non-lasing
  state ``<a> = <sigma> = 0``, ``<sigma_ee> = p_0`` is stable; it loses stability when the
  linear ``(<a>, <sigma>)`` block at fixed inversion ``p`` has an eigenvalue ``-i omega_L``
  (``<a> ~ e^{-i omega_L t}``, the convention of the detunings):
  ``det(M(p) + i omega_L) = 0`` gives the lasing frequency ``omega_L`` (imaginary part) and the
  clamped inversion ``p_c`` (real part). Lasing needs ``p_0 > p_c``: the critical atom number and,
  at resonance, the threshold and quenching pumps follow. Above threshold the inversion stays
  clamped at ``p_c`` and the exact excitation balance ``d(n + N p)/dt = -kappa n + N (nu - (gamma + nu) p)``
  (read off the order-2 equations) gives ``n_meanfield = N (nu - (gamma + nu) p_c) / kappa``.
* Order 2, phase invariant: ``<a^+ a>``, ``<sigma_ee>``, ``<a^+ sigma>``, ``<sigma_1 sigma_2^+>``,
  the standard laser cumulant equations; solved numerically for ``n_cumulant``, ``see_cumulant``
  and the linewidth (regression theorem on the same equations).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from qderive.numeric import (
    MomentSystem,
    lower_moments,
    moment_spectrum,
    moment_steady_state,
    regression_system,
)
from qderive.symbolic import Expectation, MomentEquations, ParameterSet, QderiveError, complete, meanfield
from qderive.symbolic.reproducible import reproducible

from ..contract import Condition, Derivation, Quantity, Step, SymbolicCache, closed_form
from .model import CAVITY, PARAMETERS, Delta_a, Delta_c, N, chi, g, gamma, kappa, nu, representative_model

#: The mean-field lasing frequency (rotating frame), kept as a symbol inside the other threshold results.
OMEGA = sp.Symbol("omega_L", real=True)

TITLE = "N-atom laser: mean-field and second-order cumulant equations, threshold, photon number, linewidth"
ASSUMPTIONS = (
    "N identical atoms in a state symmetric under their permutation (one representative, one partner for pairs)",
    "cumulant expansion: joint cumulants of more than 2 operators neglected (order 2), of more than 1 (order 1)",
    "phase invariance: no phase reference (incoherent pump), so <a> = <sigma> = 0 in the order-2 equations",
    "Markovian baths: kappa D[a], gamma D[sigma], nu D[sigma^+], chi D[sigma_ee] per atom",
)


def _symbol(system_op) -> Expectation:
    return Expectation(next(iter(system_op.terms)))


def equations() -> tuple[MomentEquations, MomentEquations]:
    """The closed order-1 and order-2 (phase-invariant) equations with symbolic ``N``.

    Examples
    --------
    >>> first, second = equations()
    >>> second.order, len(second) > len(first) - 1, second.missing()  # order 2 closes (phase invariant)
    (2, True, [])
    """
    model, group = representative_model()
    a = CAVITY.a
    first = complete(meanfield([a], model, order=1, identical=[group]))
    second = complete(meanfield([a.dag() * a], model, order=2, identical=[group]), phase_invariant=True)
    return first, second


def threshold(first: MomentEquations, second: MomentEquations) -> dict[str, sp.Expr]:
    """Lasing frequency, clamped inversion, threshold and mean-field photon number, from the equations.

    Examples
    --------
    >>> from qderive.derivations.laser.model import Delta_a, Delta_c, chi, gamma, kappa, nu
    >>> t = threshold(*equations())
    >>> pulling = (kappa / 2 * Delta_a + (gamma + nu + chi) / 2 * Delta_c) / (kappa / 2 + (gamma + nu + chi) / 2)
    >>> sp.simplify(t["omega_laser"] - pulling)  # frequency pulling between cavity and atoms
    0
    >>> sp.simplify(t["see_unlasing"] - nu / (gamma + nu))  # below threshold: pump against decay
    0
    """
    model, group = representative_model()
    s1 = group.copies[0]
    a = CAVITY.a
    amplitude, coherence, inversion = _symbol(a), _symbol(s1.sigma("g", "e")), _symbol(s1.sigma("e", "e"))
    block = sp.Matrix([first.equation(a), first.equation(s1.sigma("g", "e"))])
    matrix = block.jacobian([amplitude, coherence])
    if sp.expand(block - matrix * sp.Matrix([amplitude, coherence])) != sp.zeros(2, 1):
        raise QderiveError("laser: the mean-field (<a>, <sigma>) block is not linear at fixed inversion")
    determinant = sp.expand((matrix + sp.I * OMEGA * sp.eye(2)).det())   # mode e^{-i omega_L t}
    real_part, imag_part = (sp.expand(part) for part in determinant.as_real_imag())
    lasing_frequency = sp.factor(_linear_root(imag_part, OMEGA))
    clamped = _linear_root(real_part, inversion)          # in terms of omega_L (kept as a symbol)
    clamped = sp.Rational(1, 2) + sp.factor(clamped - sp.Rational(1, 2))
    conjugates = first.conjugates()
    at_rest = {amplitude: 0, coherence: 0} | {k: 0 for k, v in conjugates.items() if v in (amplitude, coherence)}
    unpumped = sp.factor(_linear_root(first.equation(s1.sigma("e", "e")).xreplace(at_rest), inversion))
    photons, population = _symbol(a.dag() * a), _symbol(s1.sigma("e", "e"))
    balance = sp.expand(second.equation(a.dag() * a) + N * second.equation(s1.sigma("e", "e")))
    if balance.atoms(Expectation) - {photons, population}:
        raise QderiveError(f"laser: the excitation balance is not closed: {balance}")
    photons_of_inversion = sp.factor(_linear_root(balance, photons))
    condition = sp.numer(sp.together(clamped - unpumped))
    critical_atoms = sp.factor(_linear_root(sp.expand(condition), N))
    resonance = {Delta_c: 0, Delta_a: 0}
    if lasing_frequency.subs(resonance) != 0:
        raise QderiveError(f"laser: the lasing frequency {lasing_frequency} does not vanish at resonance")
    _, factors = sp.factor_list(condition.subs(resonance | {OMEGA: 0}))
    quadratic = [f for f, _ in factors if sp.degree(f, nu) == 2]
    if len(quadratic) != 1 or any(sp.degree(f, nu) > 2 for f, _ in factors):
        raise QderiveError(f"laser: the resonant threshold condition has no single quadratic factor in nu: {factors}")
    c2, c1, c0 = sp.Poly(quadratic[0], nu).all_coeffs()
    root = sp.sqrt(sp.factor(c1**2 - 4 * c2 * c0))
    lower, upper = sorted(((-c1 - root) / (2 * c2), (-c1 + root) / (2 * c2)),
                          key=lambda r: complex(r.subs(_SAMPLE)).real)
    return {
        "omega_laser": lasing_frequency,
        "see_clamped": clamped,
        "see_unlasing": unpumped,
        "N_threshold": critical_atoms,
        "nu_threshold": lower,
        "nu_quench": upper,
        "photons_of_inversion": photons_of_inversion,
        "n_meanfield": sp.Max(0, photons_of_inversion.subs(population, clamped), evaluate=False),
    }


def explicit(expr: sp.Expr, expressions: Mapping[str, sp.Expr]) -> sp.Expr:
    """``expr`` with the lasing frequency ``omega_L`` replaced by its expression (parameters only).

    Examples
    --------
    >>> from qderive.derivations.laser.model import Delta_a, Delta_c
    >>> t = threshold(*equations())
    >>> OMEGA in t["see_clamped"].free_symbols, OMEGA in explicit(t["see_clamped"], t).free_symbols
    (True, False)
    """
    return expr.xreplace({OMEGA: expressions["omega_laser"]})


def _linear_root(expr: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """The root of ``expr``, which must be linear in ``x``."""
    slope = sp.expand(sp.diff(expr, x))
    if slope == 0 or sp.diff(slope, x) != 0:
        raise QderiveError(f"laser: expected an expression linear in {x}, got {expr}")
    return -sp.expand(expr.subs(x, 0)) / slope


#: A point where both resonant threshold pumps are real, to tell the lower from the upper one.
_SAMPLE = {N: 10, g: 1, kappa: 1, gamma: sp.Rational(1, 10), chi: sp.Rational(1, 10)}


@reproducible
def symbolic_solution() -> dict[str, Any]:
    """Parameter-free part: both closed systems, the threshold expressions, the compiled order-2 system.

    Examples
    --------
    >>> symbolic = symbolic_solution()
    >>> sorted(symbolic), symbolic["system"].equations is symbolic["second"]
    (['first', 'regression', 'second', 'system', 'threshold'], True)
    """
    first, second = equations()
    system = lower_moments(second, name="laser_order2")
    return {"first": first, "second": second, "threshold": threshold(first, second), "system": system,
            "regression": regression_system(system, CAVITY.a.dag(), CAVITY.a)}


def numeric_results(symbolic: Mapping[str, Any], values: Mapping[str, float],
                    spectrum_points: int = 0) -> dict[str, float]:
    """``n_cumulant``, ``see_cumulant``, ``linewidth_cumulant`` (FWHM, rad/s) from the order-2 equations.

    Examples
    --------
    >>> from qderive.derivations.laser.model import DEFAULTS
    >>> numbers = numeric_results(symbolic_solution(), DEFAULTS)
    >>> from qderive.derivations.laser.validation import tensor_product_solution
    >>> exact = tensor_product_solution(DEFAULTS, numbers["n_cumulant"])  # full master equation, N = 4 atoms
    >>> abs(numbers["n_cumulant"] / exact["n"] - 1) < 0.15  # order 2 within the stated tolerance 0.6/N
    True
    """
    system: MomentSystem = symbolic["system"]
    model, group = representative_model()
    s1, a = group.copies[0], CAVITY.a
    values = {k: float(v) for k, v in values.items()}
    steady = moment_steady_state(system, values)
    n = system.average(a.dag() * a, steady).real
    see = system.average(s1.sigma("e", "e"), steady).real
    regression = symbolic["regression"]
    centre = float(values["Delta_c"])
    omegas = centre + values["kappa"] * np.linspace(-5, 5, max(spectrum_points, 1))
    spectrum = moment_spectrum(regression, values, steady, omegas)
    return {"n_cumulant": n, "see_cumulant": see, "linewidth_cumulant": spectrum.linewidth,
            "state": steady, "spectrum": spectrum}




MEANINGS: Mapping[str, tuple[str, str]] = {
    "omega_laser": ("rad/s", "mean-field lasing frequency in the rotating frame (frequency pulling)"),
    "see_clamped": ("", "inversion <sigma_ee> clamped above threshold (mean field)"),
    "see_unlasing": ("", "<sigma_ee> of the non-lasing state"),
    "N_threshold": ("", "critical atom number: lasing needs N > N_threshold (mean field)"),
    "nu_threshold": ("rad/s", "threshold pump at resonance (mean field; complex: no lasing at any pump)"),
    "nu_quench": ("rad/s", "pump above which lasing stops at resonance (mean field)"),
    "n_meanfield": ("", "steady-state photon number, mean field (order 1)"),
}
NUMERIC_MEANINGS: Mapping[str, tuple[str, str]] = {
    "n_cumulant": ("", "steady-state photon number <a^+ a>, second-order cumulant expansion"),
    "see_cumulant": ("", "excited population <sigma_ee> per atom, second-order cumulant expansion"),
    "linewidth_cumulant": ("rad/s", "FWHM of the cavity emission spectrum, regression theorem at order 2"),
}
SMALL_LIMIT = 0.5  # the expansion in 1/N needs at least two atoms


def _steps(symbolic: Mapping[str, Any]) -> tuple[Step, ...]:
    model, _ = representative_model()
    first, second, expressions = symbolic["first"], symbolic["second"], symbolic["threshold"]
    model_latex = (rf"H = {model.hamiltonian.latex()}" + r",\quad \kappa D[a] + \sum_j \big(\gamma D[\sigma_j]"
                   r" + \nu D[\sigma_j^+] + \chi D[\sigma_j^+\sigma_j]\big)")
    order1 = r" \\ ".join(first.latex())
    order2 = r" \\ ".join(second.latex())
    return (
        Step("Model: a representative atom s1 and a partner s2 for N identical atoms", model_latex,
             operation="write the sums over atoms with two explicit copies; scale terms by (N - |A|)/(2 - |A|)"),
        Step("Mean-field equations (cumulant order 1)", order1,
             operation="d<m>/dt = <L^+(m)>, products factorised <AB> = <A><B>, sigma_gg = 1 - sigma_ee",
             before=model_latex, relies_on=("1/N",)),
        Step("Second-order cumulant equations, phase invariant", order2,
             note="joint cumulants of three operators set to zero; averages that change under a global phase "
                  "rotation vanish (no phase reference)",
             operation="close d<a^+ a>/dt by complete(); drop phase-dependent averages", before=model_latex,
             relies_on=("1/N",)),
        Step("Lasing frequency and clamped inversion",
             rf"\omega_L = {sp.latex(expressions['omega_laser'])},\quad "
             rf"p_c = {sp.latex(expressions['see_clamped'])}",
             operation="det(M(p) + i omega_L) = 0 for the (<a>, <sigma>) block of the order-1 equations, "
                       "<a> ~ e^{-i omega_L t}",
             before=order1),
        Step("Threshold", rf"N_{{th}} = {sp.latex(expressions['N_threshold'])},\quad "
             rf"\nu_{{th}} = {sp.latex(expressions['nu_threshold'])}",
             operation="lasing when the unpumped inversion nu/(gamma+nu) exceeds p_c; at resonance a quadratic in nu"),
        Step("Mean-field photon number",
             rf"n = {sp.latex(expressions['photons_of_inversion'])}\ \text{{at}}\ p = p_c",
             operation="excitation balance d(n + N p)/dt of the order-2 equations, inversion clamped",
             before=order2),
    )


def derive(cache: SymbolicCache, parameters: ParameterSet) -> Derivation:
    """The laser derivation at ``parameters``: closed forms (order 1) and the order-2 steady state.

    Examples
    --------
    >>> from qderive.derivations.contract import SymbolicCache
    >>> from qderive.derivations.laser.model import DEFAULTS, PARAMETERS
    >>> from qderive.symbolic import ParameterSet
    >>> weak_pump = {**DEFAULTS, "nu": 0.01 * DEFAULTS["kappa"]}
    >>> below = derive(SymbolicCache(), ParameterSet(tuple(PARAMETERS.values()), weak_pump))
    >>> below.value("n_meanfield"), below.value("n_cumulant") < 0.05  # below threshold: no coherent field
    (0.0, True)
    """
    symbolic = cache.get("symbolic", symbolic_solution)
    expressions = {k: explicit(v, symbolic["threshold"]) for k, v in symbolic["threshold"].items()
                   if k in MEANINGS}
    results = {}
    for key, expr in expressions.items():
        value = complex(parameters.evaluate(expr))
        units, meaning = MEANINGS[key]
        real = value.real if abs(value.imag) <= 1e-12 * abs(value) else None
        results[key] = Quantity(expr, units, real, meaning if real is not None else meaning + " (no real value here)")
    numbers = numeric_results(symbolic, parameters.values)
    photons, population = _symbol(CAVITY.a.dag() * CAVITY.a), _symbol(group_atom().sigma("e", "e"))
    numeric_exprs = {"n_cumulant": photons, "see_cumulant": population,
                     "linewidth_cumulant": sp.Symbol("FWHM", positive=True)}
    for key, (units, meaning) in NUMERIC_MEANINGS.items():
        results[key] = Quantity(numeric_exprs[key], units, float(numbers[key]), meaning)
    conditions = {"1/N": Condition("1/N", 1 / N, 1 / float(parameters["N"]), SMALL_LIMIT,
                                   "many atoms: neglected third-order cumulants are O(1/N)")}
    evaluators = {key: closed_form(expr, PARAMETERS) for key, expr in expressions.items()}
    return Derivation("laser", TITLE, parameters, ASSUMPTIONS, _steps(symbolic), results, conditions=conditions,
                      evaluators=evaluators, data={"symbolic": symbolic, "state": numbers["state"],
                                                   "spectrum": numbers["spectrum"]})


def group_atom():
    """The representative atom ``s1``.

    Examples
    --------
    >>> group_atom().name, group_atom().levels
    ('s1', ('g', 'e'))
    """
    return representative_model()[1].copies[0]


__all__ = ["ASSUMPTIONS", "TITLE", "derive", "equations", "explicit", "numeric_results", "symbolic_solution",
           "threshold"]
