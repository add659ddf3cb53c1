"""Expectation values ``<m>`` of operator monomials as SymPy symbols.

``<m>`` is complex in general and real for a Hermitian monomial; ``conjugate(<m>) = <m^+>``.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.printing.pretty.stringpict import prettyForm

from .operators import IDENTITY, Monomial, Op, dagger_monomial, monomial_to_str, monomial_to_sympy


class Expectation(sp.Symbol):
    """The expectation value ``<m>`` of one monomial ``m``.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> e = expectation(BosonMode("a").a)
    >>> e, sp.conjugate(e)
    (<a>, <a^+>)
    >>> print(sp.latex(-2 * e))
    - 2 \\left\\langle a \\right\\rangle

    Averages sort after plain symbols in products, so ``-kappa <a^+ a>`` prints in that order.
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

    @classmethod
    def class_key(cls) -> tuple[int, int, str]:
        """SymPy's ordering key: averages sort after symbols, sums, powers and functions, so coefficients print first.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> a = BosonMode("a").a
        >>> -sp.Symbol("kappa") * expectation(a.dag() * a)
        -kappa*<a^+ a>
        """
        return 6, 0, cls.__name__  # after symbols, sums, powers and functions: coefficients print first

    def _latex(self, printer: Any) -> str:
        return rf"\left\langle {printer._print(monomial_to_sympy(self.monomial))} \right\rangle"

    def _pretty(self, printer: Any) -> prettyForm:
        """One line, ``⟨a† a⟩`` (``<a^+ a>`` in ASCII mode)."""
        text = monomial_to_str(self.monomial)
        if not printer._use_unicode:
            return prettyForm(f"<{text}>")
        text = text.replace("^+", "\N{DAGGER}")
        return prettyForm(f"\N{MATHEMATICAL LEFT ANGLE BRACKET}{text}\N{MATHEMATICAL RIGHT ANGLE BRACKET}")

    def _sympystr(self, printer: Any) -> str:
        return str(self.name)

    @property
    def operator(self) -> Op:
        """The monomial ``m`` of ``<m>`` as an operator.

        Examples
        --------
        >>> from qderive.symbolic import BosonMode
        >>> a = BosonMode("a").a
        >>> expectation(a.dag() * a).operator.equals(a.dag() * a)
        True
        """
        return Op.monomial(self.monomial)


def expectation(op: Op) -> sp.Expr:
    """``<A> = sum_m c_m <m>`` as a SymPy expression (the identity has ``<1> = 1``).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import BosonMode
    >>> a = BosonMode("a").a
    >>> expectation(a * a.dag())  # <a a^+> = <a^+ a> + 1
    <a^+ a> + 1
    >>> sp.conjugate(expectation(a)) == expectation(a.dag())
    True
    """
    return sp.Add(*(c if m == IDENTITY else c * Expectation(m) for m, c in op.terms.items()))


__all__ = ["Expectation", "expectation"]
