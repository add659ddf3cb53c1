"""Linear mode transformations ``a_j -> sum_k M_jk b_k`` applied to operators."""

from __future__ import annotations

from collections.abc import Mapping

from .operators import Op
from .subsystems import BosonMode


def substitute_modes(op: Op, mapping: Mapping[BosonMode, Op]) -> Op:
    """Replace each mode ``a`` by ``mapping[a]`` (and ``a^+`` by its conjugate), re-normal-ordering.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import BosonMode
    >>> a, b, c = BosonMode("a"), BosonMode("b"), BosonMode("c")
    >>> r = 1 / sp.sqrt(2)
    >>> number = a.adag * a.a + b.adag * b.a
    >>> rotated = substitute_modes(number, {a: r * (b.a + c.a), b: r * (b.a - c.a)})
    >>> rotated.equals(b.adag * b.a + c.adag * c.a)  # a beam splitter conserves the photon number
    True
    """
    result = Op()
    for monomial, c in op.terms.items():
        term = Op.scalar(c)
        for system, factor in monomial:
            if system in mapping:
                image = mapping[system]
                term = term * image.dag() ** factor[0] * image ** factor[1]
            else:
                term = term * Op({((system, factor),): 1})
        result = result + term
    return result
