"""Spin operators ``S+, S-, Sz, Sx, Sy`` of spin ``s`` written through ``sigma_ij`` of a ``2s+1``-level system.

Levels are labelled by ``m = s, s-1, ..., -s`` and ``S+ |m> = sqrt(s(s+1) - m(m+1)) |m+1>`` (hbar = 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .errors import ModelError
from .operators import Op
from .subsystems import NLevelSystem


@dataclass(frozen=True)
class SpinOperators:
    """The spin operators ``S+``, ``S-``, ``Sz``, ``Sx``, ``Sy`` of one spin, as :class:`Op` on its levels.

    Examples
    --------
    >>> from qderive.symbolic import commutator
    >>> S = spin_operators(spin_system("S", 1))
    >>> commutator(S.x, S.y).equals(sp.I * S.z)  # [Sx, Sy] = i Sz
    True
    """

    plus: Op
    minus: Op
    z: Op
    x: Op
    y: Op


def spin_system(name: str, spin: sp.Rational | int | str) -> NLevelSystem:
    """An n-level system whose levels are the magnetic quantum numbers ``m = s, ..., -s``.

    Level labels are SymPy rationals (``1, 0, -1`` for spin 1; ``1/2, -1/2`` for spin 1/2).

    Examples
    --------
    >>> spin_system("S", "3/2").levels
    (3/2, 1/2, -1/2, -3/2)
    >>> spin_system("S", "1/3")
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ModelError: spin of 'S' must be a positive integer or half-integer, got '1/3'
    """
    s = sp.Rational(spin)
    if s <= 0 or (2 * s).q != 1:
        raise ModelError(f"spin of '{name}' must be a positive integer or half-integer, got {spin!r}")
    levels = tuple(s - k for k in range(int(2 * s) + 1))
    return NLevelSystem(name, levels)


def spin_operators(system: NLevelSystem) -> SpinOperators:
    """``S+, S-, Sz, Sx = (S+ + S-)/2, Sy = (S+ - S-)/(2i)`` on a system made by :func:`spin_system`.

    Examples
    --------
    >>> S = spin_operators(spin_system("S", 1))
    >>> casimir = S.x * S.x + S.y * S.y + S.z * S.z
    >>> casimir.expand_identities([spin_system("S", 1)]).equals(2)  # S^2 = s(s+1) = 2
    True
    """
    levels = system.levels
    s = sp.Rational(levels[0])
    if any(sp.Rational(m) != s - k for k, m in enumerate(levels)):
        raise ModelError(f"'{system.name}' is not a spin system (levels must be s, s-1, ..., -s): {levels!r}")
    plus = Op()
    z = Op()
    for label in levels:
        m = sp.Rational(label)
        z = z + m * system.sigma(m, m)
        if m != s:
            plus = plus + sp.sqrt(s * (s + 1) - m * (m + 1)) * system.sigma(m + 1, m)
    minus = plus.dag()
    return SpinOperators(plus=plus, minus=minus, z=z, x=(plus + minus) / 2, y=(plus - minus) / (2 * sp.I))
