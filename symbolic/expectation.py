"""Expectation values ``<m>`` of operator monomials as SymPy symbols.

``<m>`` is complex in general and real for a Hermitian monomial; ``conjugate(<m>) = <m^+>``.
"""

from __future__ import annotations

import sympy as sp

from .operators import IDENTITY, Monomial, Op, dagger_monomial, monomial_to_str


def _monomial_latex(monomial: Monomial) -> str:
    return str(sp.latex(Op.monomial(monomial).to_sympy()))


class Expectation(sp.Symbol):
    """The expectation value ``<m>`` of one monomial ``m``.

    >>> from qderive.symbolic import BosonMode
    >>> e = expectation(BosonMode("a").a)
    >>> e, sp.conjugate(e)
    (<a>, <a^+>)
    """

    monomial: Monomial

    def __new__(cls, monomial: Monomial) -> Expectation:
        hermitian = dagger_monomial(monomial) == monomial
        assumptions = {"real": True} if hermitian else {"complex": True}
        obj = super().__new__(cls, f"<{monomial_to_str(monomial)}>", **assumptions)
        obj.monomial = monomial
        return obj

    def __getnewargs_ex__(self) -> tuple[tuple[Monomial], dict[str, object]]:
        return (self.monomial,), {}

    def _eval_conjugate(self) -> sp.Expr:
        return Expectation(dagger_monomial(self.monomial))

    def _latex(self, printer: object) -> str:
        return rf"\langle {_monomial_latex(self.monomial)} \rangle"

    @property
    def operator(self) -> Op:
        return Op.monomial(self.monomial)


def expectation(op: Op) -> sp.Expr:
    """``<A> = sum_m c_m <m>`` as a SymPy expression (the identity has ``<1> = 1``)."""
    return sp.Add(*(c if m == IDENTITY else c * Expectation(m) for m, c in op.terms.items()))


__all__ = ["Expectation", "expectation"]
