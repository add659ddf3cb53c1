r"""Helpers shared by the SymPy printing methods of operators, averages, equations and models.

SymPy's printers (``sp.latex``, ``sp.pretty``, ``str``/``sp.sstr``) call ``_latex``, ``_pretty``
and ``_sympystr`` on any object that defines them; the classes of this package implement those
three methods with the helpers here, so every object prints the same way through every printer
and inside larger SymPy expressions. Sums are printed in the order given (the canonical order of
:class:`~qderive.symbolic.operators.Op`), not re-sorted by the printer.

Examples
--------
>>> import sympy as sp
>>> from qderive.symbolic import BosonMode
>>> a = BosonMode("a").a
>>> sp.latex(a.dag() * a + 1)
'1 + a^{\\dagger} a'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp
from sympy.printing.pretty.stringpict import prettyForm, stringPict

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\^{}", "#": r"\#",
    "$": r"\$", "%": r"\%", "&": r"\&", "~": r"\~{}",
}


def latex_text(text: str) -> str:
    r"""``text`` escaped for LaTeX text mode and wrapped in ``\text{...}`` (for use inside math).

    Examples
    --------
    >>> latex_text("kappa_e & 50%")
    '\\text{kappa\\_e \\& 50\\%}'
    """
    return r"\text{" + "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text) + "}"


def print_sum(printer: Any, terms: Sequence[sp.Expr]) -> Any:
    """Print ``terms`` as one sum in the given order with any SymPy printer (``0`` if empty).

    Examples
    --------
    >>> import sympy as sp
    >>> from sympy.printing.str import StrPrinter
    >>> x, y = sp.symbols("x y")
    >>> print_sum(StrPrinter(), [y, x])  # kept in the given order, not re-sorted
    'y + x'
    >>> print_sum(StrPrinter(), [])
    '0'
    """
    if not terms:
        return printer._print(sp.S.Zero)
    if len(terms) == 1:
        return printer._print(terms[0])
    return printer._print_Add(sp.Add(*terms, evaluate=False), order="none")


def pretty_lines(lines: Sequence[prettyForm]) -> prettyForm:
    """Stack pretty forms one below the other, left-aligned.

    Examples
    --------
    >>> from sympy.printing.pretty.stringpict import prettyForm
    >>> print(pretty_lines([prettyForm("dx/dt = y"), prettyForm("dy/dt = -x")]))
    dx/dt = y
    dy/dt = -x
    """
    width = max(line.width() for line in lines)
    padded = [stringPict(*line.right(" " * (width - line.width()))) for line in lines]
    return prettyForm(*stringPict.stack(*padded))


def pretty_text(printer: Any, *parts: object) -> prettyForm:
    """Pretty form of ``parts`` side by side: strings as plain text, anything else printed.

    Examples
    --------
    >>> import sympy as sp
    >>> from sympy.printing.pretty.pretty import PrettyPrinter
    >>> print(pretty_text(PrettyPrinter({"use_unicode": False}), "d/dt x = ", -sp.Symbol("x")))
    d/dt x = -x
    """
    form = prettyForm("")
    for part in parts:
        piece = prettyForm(part) if isinstance(part, str) else printer._print(part)
        form = prettyForm(*form.right(piece))
    return form


def repr_latex(obj: object) -> str:
    r"""``$\displaystyle ...$`` for Jupyter's ``_repr_latex_``, as SymPy's own objects render.

    Examples
    --------
    >>> import sympy as sp
    >>> repr_latex(sp.Symbol("kappa") / 2)
    '$\\displaystyle \\frac{\\kappa}{2}$'
    """
    return f"$\\displaystyle {sp.latex(obj)}$"


__all__ = ["latex_text", "pretty_lines", "pretty_text", "print_sum", "repr_latex"]
