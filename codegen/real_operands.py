"""Real operands for ``Max``, ``Min``, ordering comparisons and ``Piecewise`` conditions.

These are defined for real numbers only (SymPy refuses to compare complex numbers, and
Numba has no ordering of ``complex128``), but an operand may be computed in complex
arithmetic although it is real wherever the expression is defined: ``sqrt`` of an
argument SymPy cannot prove nonnegative is promoted to complex, e.g. in a concurrence
``2 Max(0, |c| - sqrt(a b))``.  :func:`with_real_operands` wraps every such operand in
:class:`RealOperand` before code generation.  Its value is the operand's real part where
the imaginary part is negligible (``|Im| <= rtol |Re| + atol``, the tolerance of the
kernel's accuracy check) and undefined elsewhere: ``nan`` in the kernel
(:func:`~qderive.codegen.special.real_operand`), a dropped sample point in the 30-digit
reference (:func:`reference_functions`).  A ``Piecewise`` whose condition compares such an
operand is wrapped in :class:`DefinedWhere`, so an undefined condition gives ``nan``
instead of silently selecting another branch.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> with_real_operands(sp.Max(0, 1 - sp.sqrt(x)), 1e-10, 0.0, lambda e: e.is_real is True)
Max(0, RealOperand(1 - sqrt(x), 1.0e-10, 0.0))
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import sympy as sp


class RealOperand(sp.Function):
    """``RealOperand(z, rtol, atol)``: ``Re z`` where ``|Im z| <= rtol |Re z| + atol``, else undefined.

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> RealOperand(1 - sp.sqrt(x), 1e-10, 0.0).is_extended_real  # SymPy may compare it
    True
    >>> f = sp.lambdify([x], RealOperand(1 - sp.sqrt(x), 1e-10, 0.0), modules=[reference_functions(), "mpmath"])
    >>> f(mpmath.mpf("0.25"))
    mpf('0.5')
    """

    nargs = 3
    is_extended_real = True


class DefinedWhere(sp.Function):
    """``DefinedWhere(value, r)``: ``value`` where the :class:`RealOperand` ``r`` is defined, else undefined.

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> wrapped = with_real_operands(sp.Piecewise((1, sp.sqrt(x) > 1), (0, True)), 1e-10, 0.0,
    ...                              lambda e: e.is_real is True)
    >>> wrapped.func.__name__, wrapped.args[1]  # the branch choice is guarded by its operand
    ('DefinedWhere', RealOperand(sqrt(x), 1.0e-10, 0.0))
    """

    nargs = 2


_ORDERINGS = (sp.Max, sp.Min, sp.StrictLessThan, sp.LessThan, sp.StrictGreaterThan, sp.GreaterThan)
_REBUILT_UNEVALUATED = (sp.Add, sp.Mul, sp.Pow)


def with_real_operands(expr: sp.Basic, rtol: float, atol: float,
                       is_real: Callable[[sp.Basic], bool]) -> sp.Basic:
    """``expr`` with every operand of an ordering that ``is_real`` does not accept wrapped.

    Parameters
    ----------
    expr : sympy.Basic
        The expression, in the kernel's local symbols.
    rtol, atol : float
        Tolerance below which an imaginary part counts as zero.
    is_real : callable
        Whether a subexpression computes a real value at run time
        (:meth:`~qderive.codegen.printer.NumbaPrinter.is_real`).

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> with_real_operands(sp.Max(0, x), 1e-10, 0.0, lambda e: e.is_real is True)  # real already: unchanged
    Max(0, x)
    """
    if not expr.has(*_ORDERINGS, sp.Heaviside):
        return expr
    tolerance = (sp.Float(rtol), sp.Float(atol))
    memo: dict[sp.Basic, sp.Basic] = {}

    def real(operand: sp.Basic) -> sp.Basic:
        return operand if is_real(operand) else RealOperand(operand, *tolerance)

    def visit(node: sp.Basic) -> sp.Basic:
        if node in memo:
            return memo[node]
        if not node.args:
            memo[node] = node
            return node
        args = [visit(arg) for arg in node.args]
        if isinstance(node, _ORDERINGS):
            args = [real(arg) for arg in args]
        elif isinstance(node, sp.Heaviside):
            args[0] = real(args[0])
        if tuple(args) == node.args:
            result = node
        elif isinstance(node, _REBUILT_UNEVALUATED):
            result = node.func(*args, evaluate=False)
        else:
            result = node.func(*args)
        if isinstance(result, sp.Piecewise):
            guards = [r for pair in result.args for r in sp.preorder_traversal(pair.cond)
                      if isinstance(r, RealOperand)]
            for guard in dict.fromkeys(guards):
                result = DefinedWhere(result, guard)
        memo[node] = result
        return result

    return visit(expr)


def reference_functions() -> dict[str, Callable]:
    """mpmath implementations of :class:`RealOperand` and :class:`DefinedWhere` for
    :func:`sympy.lambdify`; an undefined value raises :class:`ValueError` (the check then
    drops the sample point, as the kernel returns ``nan`` there).

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> f = sp.lambdify([x], RealOperand(sp.sqrt(x), 1e-10, 0.0), modules=[reference_functions(), "mpmath"])
    >>> f(mpmath.mpf(4))
    mpf('2.0')
    >>> f(mpmath.mpf(-4))  # sqrt(-4) = 2i is no real operand
    Traceback (most recent call last):
    ...
    ValueError: an operand of Max/Min/a comparison is complex here (2j)
    """
    return {"RealOperand": _real_operand_reference, "DefinedWhere": lambda value, operand: value}


def _real_operand_reference(z, rtol, atol):
    z = mpmath.mpmathify(z)
    if isinstance(z, mpmath.mpc):
        if abs(z.imag) > rtol * abs(z.real) + atol:
            raise ValueError(f"an operand of Max/Min/a comparison is complex here ({complex(z)})")
        return z.real
    return z
