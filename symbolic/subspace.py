"""Projection of operators onto a subspace of levels of an n-level system, ``P A P``."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from .errors import ModelError
from .operators import Op
from .subsystems import NLevelSystem


def project(op: Op, system: NLevelSystem, target: NLevelSystem, levels: Mapping[Hashable, Hashable]) -> Op:
    """``P A P`` for ``P`` the projector on some levels of ``system``, written on ``target``.

    ``levels`` maps each kept level of ``system`` to a level of ``target`` (e.g. the spin-1 states
    ``0, -1`` to the qubit states ``g, e``). Terms that leave the subspace are dropped; an
    identity on ``system`` becomes the identity of ``target``.

    Examples
    --------
    >>> from qderive.symbolic.spins import spin_operators, spin_system
    >>> from qderive.symbolic import NLevelSystem
    >>> spin, qubit = spin_system("S", 1), NLevelSystem("q", ("g", "e"))
    >>> Sx = spin_operators(spin).x
    >>> project(Sx, spin, qubit, {0: "g", -1: "e"})  # <0|Sx|-1> = 1/sqrt(2)
    sqrt(2)/2 q_ge + sqrt(2)/2 q_eg
    """
    kept = {system.index(old): target.index(new) for old, new in levels.items()}
    if sorted(kept.values()) != list(range(target.dimension)):
        raise ModelError(
            f"projection of '{system.name}' must map its kept levels one-to-one onto all levels of '{target.name}'"
        )
    result: dict = {}
    for monomial, c in op.terms.items():
        factors = []
        inside = True
        for sub, factor in monomial:
            if sub != system:
                factors.append((sub, factor))
            elif factor[0] in kept and factor[1] in kept:
                factors.append((target, (kept[factor[0]], kept[factor[1]])))
            else:
                inside = False
        if inside:
            mono = tuple(sorted(factors, key=lambda f: f[0].sort_key))
            result[mono] = result.get(mono, 0) + c
    return Op({m: c for m, c in result.items() if c != 0})
