"""Rates from (effective) models and symbolic optimisation of figures of merit."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import sympy as sp

from .errors import ModelError
from .model import Model
from .reproducible import reproducible
from .subsystems import NLevelSystem


@reproducible
def transition_rates(model: Model, system: NLevelSystem, level: Hashable) -> dict[str, sp.Expr]:
    """Rate of jumps out of ``level`` per channel: ``gamma_k sum_(j != level) |<j|L_k|level>|^2``.

    Jump operators must act on ``system`` alone (as after an elimination).

    Examples
    --------
    >>> from qderive.symbolic.library import two_tone_three_level
    >>> model = two_tone_three_level()
    >>> transition_rates(model, model.subsystem("s"), 2)  # out of |2>: only the 2 -> 1 decay; dephasing is no jump
    {'g21': gamma21}
    """
    index = system.index(level)
    rates = {}
    for d in model.dissipators:
        total = sp.S.Zero
        for monomial, c in d.operator.terms.items():
            if {s for s, _ in monomial} - {system}:
                raise ModelError(f"channel '{d.channel}' acts beyond '{system.name}': {d.operator}")
            if monomial and monomial[0][1][1] == index and monomial[0][1][0] != index:
                total += c * sp.conjugate(c)
        if total != 0:
            rates[d.channel] = sp.factor(sp.simplify(d.rate * total))
    return rates


def maximise(expr: sp.Expr, variable: sp.Symbol, constraints: Iterable[sp.Basic] = ()) -> list[tuple[sp.Expr, sp.Expr]]:
    """Stationary points of ``expr`` in ``variable`` that are maxima and satisfy ``constraints``.

    Solves ``d expr / d variable = 0`` exactly; keeps roots where the second derivative is negative
    (or undecided) and every constraint is not provably false. Returns ``[(x*, expr(x*)), ...]``.

    Examples
    --------
    >>> x, a = sp.symbols("x a", positive=True)
    >>> maximise(4 * a * x / (a + x) ** 2, x)  # impedance matching: the maximum is at x = a
    [(a, 1)]
    """
    first = sp.diff(expr, variable)
    second = sp.diff(first, variable)
    maxima = []
    for root in sp.solve(sp.Eq(first, 0), variable):
        if any(sp.simplify(c.subs(variable, root)) is sp.false for c in constraints):
            continue
        curvature = sp.simplify(second.subs(variable, root))
        if curvature.is_positive or curvature.is_zero:
            continue
        maxima.append((sp.simplify(root), sp.simplify(expr.subs(variable, root))))
    return maxima


def solve_condition(lhs: sp.Expr, rhs: sp.Expr, variable: sp.Symbol) -> list[sp.Expr]:
    """Solutions of ``lhs = rhs`` for ``variable`` (e.g. a critical-coupling condition ``R = kappa``).

    Examples
    --------
    >>> R, g, gamma, kappa = sp.symbols("R g gamma kappa", positive=True)
    >>> solve_condition(4 * g**2 / gamma, kappa, g)  # critical coupling 4 g^2 / gamma = kappa
    [sqrt(gamma)*sqrt(kappa)/2]
    """
    return [sp.simplify(s) for s in sp.solve(sp.Eq(lhs, rhs), variable)]
