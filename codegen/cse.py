"""Common-subexpression elimination by SymEngine, handed back as SymPy.

SymPy's :func:`sympy.cse` rebuilds (and so re-canonicalises) every node it touches and
costs seconds on a 10^4-operation expression; SymEngine's C++ ``cse`` finds the same kind
of shared subexpressions (identical subtrees and common sub-sums/sub-products) in a
tenth of that.  :func:`eliminate_common` converts the expressions to SymEngine, runs its
``cse``, and converts the result back *without re-evaluating* sums, products and powers
(SymPy's ``evaluate=False`` constructors), so the back conversion is linear in the size of
the result.  Symbols come back as the caller's SymPy symbols (with their assumptions),
temporaries as the symbols the caller supplies, in evaluation order.

SymEngine rewrites ``(z**n)**q`` (integer ``n``, fractional ``q``) as ``z**(n q)`` when it
converts an expression, which changes the branch where ``z < 0`` (``sqrt(1/z)`` becomes
``z**(-1/2)``, the complex conjugate there). So the base of every power whose exponent is not
an integer (unless the base is a symbol or a number) is wrapped in a marker function SymEngine
cannot look into, and unwrapped on the way back; the power keeps SymPy's principal branch.

Substituting the temporaries back gives the input expressions (up to the order of terms
and factors); the accuracy check does not rely on that alone, it also evaluates the input
expression itself at one point (:func:`~qderive.codegen.check.reference_sample`).

>>> import sympy as sp
>>> x, y = sp.symbols("x y", real=True)
>>> eliminate_common([(x + y)**2 + sp.sin(x + y)], iter(sp.symbols("t0:9")))
([(t0, x + y)], [t0**2 + sin(t0)])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sympy as sp

from .errors import CodegenError
from .tree import distinct_nodes


def eliminate_common(
    exprs: Sequence[sp.Expr], temporaries: Iterator[sp.Symbol], known: tuple[sp.Expr, object] | None = None,
) -> tuple[list[tuple[sp.Symbol, sp.Expr]], list[sp.Expr]]:
    """SymEngine's CSE of ``exprs``, as SymPy: ``(replacements, reduced)`` like :func:`sympy.cse`.

    Parameters
    ----------
    exprs : sequence of sympy.Expr
        The expressions; their free symbols must have distinct names.
    temporaries : iterator of sympy.Symbol
        Names for the temporaries, none of them a free symbol of ``exprs``.
    known : (sympy.Expr, symengine.Basic), optional
        :func:`symengine_form` of an expression converted before; used for that very
        object among ``exprs`` instead of converting it again (unless a base is shielded).

    Returns
    -------
    replacements : list of (sympy.Symbol, sympy.Expr)
        ``(temporary, value)`` in evaluation order; a value uses arguments and earlier
        temporaries only.
    reduced : list of sympy.Expr
        ``exprs`` in terms of the temporaries.

    Raises
    ------
    CodegenError
        SymEngine cannot represent a construct of ``exprs``.

    Examples
    --------
    >>> x, y = sp.symbols("x y", real=True)
    >>> temporaries = (sp.Symbol(f"t{k}") for k in range(100))
    >>> replacements, reduced = eliminate_common([sp.sin(x + y) ** 2 + sp.sin(x + y)], temporaries)
    >>> rebuilt = reduced[0]
    >>> for temporary, value in reversed(replacements):
    ...     rebuilt = rebuilt.subs(temporary, value)
    >>> sp.simplify(rebuilt - (sp.sin(x + y) ** 2 + sp.sin(x + y))), len(replacements) >= 1  # same, shared parts
    (0, True)

    The principal branch survives (``sqrt(1/z) = i`` at ``z = -1``, where ``z**(-1/2) = -i``):

    >>> z = sp.Symbol("z")
    >>> _, [kept] = eliminate_common([sp.sqrt(1 / (z - x))], iter(sp.symbols("t0:9")))
    >>> kept.subs({z: -1, x: 0})
    I
    """
    import symengine as se  # here, not at module level: a cached kernel's load never needs it

    free, shielded = _scan(exprs)
    symbols = {se.Symbol(symbol.name): symbol for symbol in free}
    try:
        converted = [_kept_bases(expr) if shielded else expr for expr in exprs]
        converted = [known[1] if known is not None and expr is known[0] else se.sympify(expr) for expr in converted]
    except (se.SympifyError, UnicodeError, RuntimeError, TypeError, ValueError) as error:
        raise CodegenError(f"SymEngine cannot represent the expression for common-subexpression "
                           f"elimination: {type(error).__name__}: {error}") from None
    pairs, reduced = se.cse(converted)
    back = _Back(symbols, se.E)
    replacements = []
    for temporary, value in pairs:
        value = back(value)
        local = next(temporaries)
        symbols[temporary] = local
        replacements.append((local, value))
    return replacements, [back(expr) for expr in reduced]


KEPT_BASE = "qderive_kept_base"  # marker around the base of a fractional power (see the module docstring)


def _scan(exprs: Sequence[sp.Expr]) -> tuple[set[sp.Symbol], bool]:
    """``(free symbols, whether a base needs :func:`_kept_bases`)`` in one walk over each
    distinct node; raise :class:`CodegenError` for the reserved function name.

    Examples
    --------
    >>> x, z = sp.symbols("x z")
    >>> symbols, shielded = _scan([sp.sqrt(z) + x**2])
    >>> sorted(symbols, key=str), shielded, _scan([sp.sqrt(1 / z)])
    ([x, z], False, ({z}, True))
    """
    symbols: set[sp.Symbol] = set()
    shielded, bound = False, False
    for node in distinct_nodes(exprs):
        if node.is_Symbol:
            symbols.add(node)
        elif node.is_Pow:
            shielded = shielded or not (node.exp.is_Integer or node.base.is_Symbol or node.base.is_Number)
        elif node.is_Function and getattr(node, "name", None) == KEPT_BASE:
            raise CodegenError(f"the function name '{KEPT_BASE}' is reserved by the code generator")
        bound = bound or bool(getattr(node, "bound_symbols", ()))
    if bound:  # an integration or summation variable is not free
        symbols = set().union(*(expr.free_symbols for expr in exprs))
    return symbols, shielded


def _kept_bases(expr: sp.Expr) -> sp.Expr:
    """``expr`` with the base of every power with a non-integer exponent wrapped in :data:`KEPT_BASE`.

    Examples
    --------
    >>> z = sp.Symbol("z")
    >>> _kept_bases(sp.sqrt(1 / z) + sp.sqrt(z))
    sqrt(z) + sqrt(qderive_kept_base(1/z))
    """
    kept = sp.Function(KEPT_BASE)
    return expr.replace(
        lambda e: e.is_Pow and not e.exp.is_Integer and not (e.base.is_Symbol or e.base.is_Number),
        lambda e: sp.Pow(kept(e.base), e.exp, evaluate=False))


def symengine_form(expr: sp.Basic) -> tuple[sp.Basic, object] | None:
    """``(expr, expr converted to SymEngine)``, or ``None`` where SymEngine cannot represent it;
    for :func:`expression_text` and :func:`eliminate_common` (``known=``), which then share
    one conversion.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> str(symengine_form(x**2 + 1)[1])
    '1 + x**2'
    """
    import symengine as se

    try:
        return expr, se.sympify(expr)
    except (se.SympifyError, UnicodeError, RuntimeError, TypeError, ValueError):
        return None


def expression_text(expr: sp.Basic, known: tuple[sp.Basic, object] | None = None) -> str:
    """``expr`` printed by SymEngine (for comments: SymPy's printer takes a second per 10^4
    operations); ``known`` is :func:`symengine_form` of ``expr`` if already converted.

    >>> x = sp.Symbol("x")
    >>> expression_text(sp.exp(-x) / 2)
    '(1/2)*exp(-x)'

    SymPy prints what SymEngine cannot represent (e.g. a symbol name that is not valid
    UTF-8).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> expression_text(2 * x + sp.sin(x))
    '2*x + sin(x)'
    """
    form = known if known is not None and known[0] is expr else symengine_form(expr)
    try:
        return sp.sstr(expr, order="none") if form is None else str(form[1])
    except UnicodeError:
        return sp.sstr(expr, order="none")


class _Back:
    """SymEngine -> SymPy, sums, products and powers rebuilt unevaluated (memoised)."""

    def __init__(self, symbols: dict, euler) -> None:
        self.symbols = symbols  # SymEngine symbol -> SymPy symbol; grows with the temporaries
        self.euler = euler  # SymEngine's E: exp(x) is E**x there
        self.memo: dict = {}

    def __call__(self, node) -> sp.Basic:
        if node in self.memo:
            return self.memo[node]
        if node.is_Symbol:
            result = self.symbols[node]
        elif node.is_Add or node.is_Mul:
            kind = sp.Add if node.is_Add else sp.Mul
            args = []
            for arg in node.args:
                converted = self(arg)
                args.extend(converted.args if type(converted) is kind else (converted,))
            result = kind(*args, evaluate=False)
        elif node.is_Pow:
            base, exponent = node.args
            result = (sp.exp(self(exponent)) if base == self.euler
                      else sp.Pow(self(base), self(exponent), evaluate=False))
        elif not node.free_symbols:
            result = node._sympy_()
        elif getattr(node, "get_name", lambda: None)() == KEPT_BASE:
            result = self(node.args[0])
        else:  # functions, Piecewise, relations: small after CSE; evaluated in the caller's symbols
            result = node._sympy_().xreplace({sp.Symbol(s.name): self.symbols[s] for s in node.free_symbols})
            result = result.replace(sp.Function(KEPT_BASE), lambda base: base)
        self.memo[node] = result
        return result
