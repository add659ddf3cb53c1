"""SymPy expression -> Python source text that Numba compiles in ``nopython`` mode.

:class:`NumbaPrinter` extends SymPy's :class:`~sympy.printing.pycode.PythonCodePrinter`
so that one printed expression is valid for both real (``float64``) and complex
(``complex128``) operands: elementary functions are printed as NumPy ufuncs, which Numba
lowers for either type.  Functions whose real-valued version would return ``nan`` where
SymPy's value is complex (``sqrt``/``log``/fractional powers of a possibly negative
number, ``asin`` outside ``[-1, 1]``, ...) get their operand promoted to complex unless
SymPy's assumptions prove the real version is valid.  Every promotion is recorded in
:attr:`NumbaPrinter.promoted`, so the emitter knows which values may be complex at run
time.

:func:`check_supported` walks an expression before anything is printed and raises
:class:`~qderive.codegen.errors.UnsupportedFunctionError` naming the first construct
with no translation.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> NumbaPrinter().doprint(sp.sqrt(x) + sp.coth(x))
'np.sqrt(complex(x)) + 1/np.tanh(x)'
>>> NumbaPrinter().doprint(sp.sqrt(x**2 + 1))
'np.sqrt(x**2 + 1)'
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import BooleanAtom
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pycode import PythonCodePrinter

from .errors import UnsupportedFunctionError
from .special import __all__ as SPECIAL_NAMES
from .tree import distinct_nodes

#: Integers below this are exact as doubles (and printed as integers).
MAX_EXACT_INT = 2**53

# Printed directly as a call: these have no domain problem for real operands.
_DIRECT_CALLS = {
    "exp": "np.exp", "sin": "np.sin", "cos": "np.cos", "tan": "np.tan", "atan": "np.arctan",
    "atan2": "np.arctan2", "sinh": "np.sinh", "cosh": "np.cosh", "tanh": "np.tanh",
    "asinh": "np.arcsinh", "Abs": "np.abs", "conjugate": "np.conj", "arg": "np.angle",
}
# Valid for real operands only (Numba has no complex version).
_REAL_ONLY_CALLS = {
    "floor": "np.floor", "ceiling": "np.ceil", "sign": "np.sign",
    "erf": "math.erf", "erfc": "math.erfc", "gamma": "math.gamma",
}
# Promoted to complex unless the operand is provably inside the real domain.
_PROMOTING_CALLS = {"log": "np.log", "asin": "np.arcsin", "acos": "np.arccos",
                    "acosh": "np.arccosh", "atanh": "np.arctanh"}
_RECIPROCALS = {"cot": "np.tan", "sec": "np.cos", "csc": "np.sin",
                "coth": "np.tanh", "sech": "np.cosh", "csch": "np.sinh"}
_BESSEL = frozenset({"besselj", "bessely", "besseli", "besselk"})

_SUPPORTED_FUNCTIONS = (
    set(_DIRECT_CALLS) | {"Min", "Max"} | set(_REAL_ONLY_CALLS) | set(_PROMOTING_CALLS) | set(_RECIPROCALS)
    | set(_BESSEL) | {"re", "im", "Heaviside", "KroneckerDelta", "Piecewise"}
)
_SUPPORTED_NODES = (
    sp.Min, sp.Max, sp.Symbol, sp.Number, sp.NumberSymbol, sp.core.numbers.ImaginaryUnit, sp.Add, sp.Mul,
    sp.Pow, sp.core.relational.Relational, sp.And, sp.Or, sp.Not, BooleanAtom,
    sp.functions.elementary.piecewise.ExprCondPair,
)

#: Names the printed code may refer to, besides the arguments and temporaries.
RUNTIME_NAMES = frozenset(
    {"np", "math", "min", "max", "complex", "range", "prange", "njit", "out", "i", "call_body",
     "straight_line"} | set(SPECIAL_NAMES)
)


_REAL_FOR_REAL_ARGS = {
    "exp", "sin", "cos", "tan", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "Min", "Max",
    "floor", "ceiling", "sign", "erf", "erfc", "gamma", "cot", "sec", "csc", "coth", "sech",
    "csch", "Heaviside", "KroneckerDelta",
}
_ALWAYS_REAL = {"Abs", "re", "im", "arg", "RealOperand"}


def is_real_valued(expr: sp.Basic, _memo: dict | None = None, unpromoted: bool = False) -> bool:
    """Whether the printed ``expr`` computes a real (``float64``) value at run time.

    Decided structurally (real leaves, realness-preserving operations), which is both
    cheaper and more useful than ``expr.is_real``: that is ``None`` for any quotient since
    the denominator might vanish, whereas here a pole counts as real (the kernel returns
    inf/nan there).  Mirrors the printer's promotion rules, so ``True`` means no complex
    value is computed for ``expr`` outside ``Abs``/``re``/``im``/``arg``.

    Examples
    --------
    >>> import sympy as sp
    >>> x, y = sp.symbols("x y", real=True)
    >>> (1 / (x + y)).is_real, is_real_valued(1 / (x + y)), is_real_valued(sp.sqrt(x))
    (None, True, False)

    ``unpromoted=True`` answers for the printer's real mode (inside a
    :class:`~qderive.codegen.real_operands.RealOperand`), where ``sqrt``, ``log``,
    fractional powers and inverse trigonometric functions of real operands stay real
    (``nan`` outside their domain): ``is_real_valued(sp.sqrt(x), unpromoted=True)`` is True.
    """
    memo = {} if _memo is None else _memo
    if expr in memo:
        return memo[expr]

    def real(arg: sp.Basic) -> bool:
        return is_real_valued(arg, memo, unpromoted)

    if expr.is_Atom:
        result = expr.is_real is True
    elif isinstance(expr, (sp.Add, sp.Mul)):
        result = all(real(arg) for arg in expr.args)
    elif isinstance(expr, sp.Pow):
        base, exponent = expr.args
        result = real(exponent) and (
            (exponent.is_integer is True and real(base)) or base.is_nonnegative is True
            or (unpromoted and real(base)))
    elif isinstance(expr, sp.Piecewise):
        result = all(real(branch.expr) for branch in expr.args)
    elif isinstance(expr, (sp.Function, sp.Min, sp.Max)):
        name = type(expr).__name__
        if name in _ALWAYS_REAL:
            result = True
        elif name in _REAL_FOR_REAL_ARGS or (unpromoted and name in _PROMOTING_CALLS):
            result = all(real(arg) for arg in expr.args)
        elif name == "DefinedWhere":
            result = real(expr.args[0])
        elif name == "log":
            result = expr.args[0].is_nonnegative is True
        elif name in _BESSEL:
            result = _bessel_is_real(expr, memo, unpromoted)
        else:
            result = False
    else:
        result = False
    memo[expr] = result
    return result


def _bessel_is_real(expr: sp.Function, memo: dict, unpromoted: bool = False) -> bool:
    order, arg = expr.args
    if not is_real_valued(order, memo, unpromoted):
        return False
    if type(expr).__name__ in ("besselj", "besseli"):
        return is_real_valued(arg, memo, unpromoted) and (order.is_integer is True or arg.is_nonnegative is True)
    return arg.is_nonnegative is True


def check_supported(exprs: Iterable[sp.Basic]) -> None:
    """Raise :class:`UnsupportedFunctionError` for the first node without a translation.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> check_supported([sp.exp(x) * sp.besselj(1, x)])
    >>> check_supported([sp.Function("f")(x)])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    qderive.codegen.errors.UnsupportedFunctionError: undefined function f(x) has no numeric ...
    """
    for node in distinct_nodes(exprs):
        _check_node(node)


def _check_node(node: sp.Basic) -> None:
    if isinstance(node, AppliedUndef):
        raise UnsupportedFunctionError(
            f"undefined function {node} has no numeric implementation: substitute an explicit "
            "expression for it (expr.subs(...)) or make it an argument symbol"
        )
    if node is sp.zoo:
        raise UnsupportedFunctionError(
            "the expression contains zoo (complex infinity, a symbolic division by zero); "
            "fix the derivation or take a limit before generating code"
        )
    if isinstance(node, (sp.Derivative, sp.Integral, sp.Sum, sp.Product)):
        raise UnsupportedFunctionError(
            f"unevaluated {type(node).__name__} in {_short(node)}: call .doit() or evaluate it "
            "symbolically before generating code"
        )
    if isinstance(node, sp.Function):
        if type(node).__name__ not in _SUPPORTED_FUNCTIONS:
            raise UnsupportedFunctionError(
                f"function {type(node).__name__} (in {_short(node)}) has no Numba translation; "
                f"supported functions: {', '.join(sorted(_SUPPORTED_FUNCTIONS))}. Rewrite it "
                "in terms of these (e.g. expr.rewrite(...)) before generating code"
            )
        return
    if not isinstance(node, _SUPPORTED_NODES):
        raise UnsupportedFunctionError(
            f"{type(node).__name__} (in {_short(node)}) has no Numba translation; kernels "
            "support arithmetic, powers, the elementary and Bessel functions, Piecewise, "
            "Heaviside and KroneckerDelta"
        )


def _short(node: sp.Basic, limit: int = 80) -> str:
    text = str(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class NumbaPrinter(PythonCodePrinter):
    """Print SymPy expressions as Numba-compatible Python expressions.

    Parameters
    ----------
    settings : dict, optional
        Passed on to :class:`~sympy.printing.pycode.PythonCodePrinter`.

    Attributes
    ----------
    promoted : bool
        Set when the last :meth:`doprint` promoted an operand to complex; reset by
        :meth:`doprint`.

    Notes
    -----
    Complex sums and products are arranged so that real arithmetic stays real: a sum is
    printed as ``complex(<real terms>, <imaginary coefficients>) + <other terms>`` and the
    real factors of a product are multiplied before the complex ones.  (Numba widens a
    real operand of a complex operation to complex, and IEEE rules forbid simplifying the
    resulting multiplications by zero, so ``1j*a*b`` would cost three complex products.)
    The bare imaginary unit is the exception: SymPy keeps the number ``I`` first in a product
    and it is printed there, so ``I*a*b`` still gives ``1j*a*b``.
    Division by a complex value is printed as ``complex_divide(a, b)``
    (see :mod:`qderive.codegen.special`).

    Examples
    --------
    >>> import sympy as sp
    >>> a, b = sp.symbols("a b", real=True)
    >>> printer = NumbaPrinter()
    >>> z = sp.Symbol("z", complex=True)
    >>> printer.doprint(z * a * b)  # the real factors are multiplied before the complex one
    'a*b*z'
    >>> printer.doprint((1 + sp.I) * a * b)
    'a*b*(complex(1, 1))'
    >>> printer.doprint(sp.I * a * b)  # but not around the bare imaginary unit (see Notes)
    '1j*a*b'
    >>> printer.doprint(a / (a + sp.I * b))  # complex division through the runtime helper
    'complex_divide(a, complex(a, b))'
    """

    def __init__(self, settings: dict | None = None) -> None:
        settings = dict(settings or {})
        settings.setdefault("user_functions", {**_DIRECT_CALLS})
        super().__init__(settings)
        self.promoted = False
        self._real_mode = False  # inside a RealOperand's fast path: no promotion to complex
        self._memos: dict[bool, dict] = {False: {}, True: {}}

    def is_real(self, expr: sp.Basic) -> bool:
        """:func:`is_real_valued` for the current mode, memoised across this printer's calls.

        Examples
        --------
        >>> import sympy as sp
        >>> x = sp.Symbol("x", real=True)
        >>> NumbaPrinter().is_real(sp.sqrt(x)), NumbaPrinter().is_real(sp.sqrt(x**2 + 1))
        (False, True)
        """
        return is_real_valued(expr, self._memos[self._real_mode], self._real_mode)

    def doprint(self, expr, assign_to=None):  # noqa: D102 - same contract as SymPy's
        """Print ``expr`` (as SymPy's printer does), first resetting :attr:`promoted`.

        Examples
        --------
        >>> import sympy as sp
        >>> x = sp.Symbol("x", real=True)
        >>> printer = NumbaPrinter()
        >>> printer.doprint(sp.sqrt(x)), printer.promoted  # sqrt of a possibly negative x is taken in complex
        ('np.sqrt(complex(x))', True)
        >>> printer.doprint(sp.exp(x)), printer.promoted
        ('np.exp(x)', False)
        """
        self.promoted = False
        return super().doprint(expr, assign_to)

    # -- numbers -------------------------------------------------------------------------
    def _print_Float(self, expr):
        return _float_literal(float(expr))

    def _print_Integer(self, expr):
        value = int(expr)
        return str(value) if abs(value) < MAX_EXACT_INT else _float_literal(float(value))

    def _print_Rational(self, expr):
        if abs(expr.p) < MAX_EXACT_INT and expr.q < MAX_EXACT_INT:
            return f"{expr.p}/{expr.q}"
        return _float_literal(float(expr))

    def _print_Half(self, expr):
        return "1/2"

    def _print_NumberSymbol(self, expr):
        return _float_literal(float(expr))

    def _print_Pi(self, expr):
        return "np.pi"

    def _print_Exp1(self, expr):
        return "np.e"

    def _print_Infinity(self, expr):
        return "np.inf"

    def _print_NegativeInfinity(self, expr):
        return "-np.inf"

    def _print_NaN(self, expr):
        return "np.nan"

    # -- keeping real arithmetic real ----------------------------------------------------
    def _print_Add(self, expr, order=None):
        if self.is_real(expr):
            return super()._print_Add(expr, order)
        real, imaginary, other = [], [], []
        for term in self._as_ordered_terms(expr, order=order):
            if self.is_real(term):
                real.append(term)
            elif (coefficient := self._imaginary_coefficient(term)) is not None:
                imaginary.append(coefficient)
            else:
                other.append(term)
        if not imaginary:
            return super()._print_Add(expr, order)
        parts = [f"complex({self._print(sp.Add(*real, evaluate=False)) if real else '0.0'}, "
                 f"{self._print(sp.Add(*imaginary, evaluate=False))})"]
        if other:
            parts.append(self.parenthesize(sp.Add(*other, evaluate=False), PRECEDENCE["Add"]))
        return " + ".join(parts)

    def _imaginary_coefficient(self, term: sp.Expr) -> sp.Expr | None:
        """``r`` if ``term`` is ``I*r`` with ``r`` real-valued, else ``None``."""
        if term is sp.I:
            return sp.S.One
        if isinstance(term, sp.Mul) and sp.I in term.args:
            rest = [f for f in term.args if f is not sp.I]
            if len(rest) == len(term.args) - 1 and all(self.is_real(f) for f in rest):
                return sp.Mul(*rest, evaluate=False)
        return None

    def _complex_denominator(self, factor: sp.Expr) -> sp.Expr | None:
        """``b**e`` if ``factor`` is ``b**-e`` (``e > 0`` a number) and ``b**e`` is complex."""
        if not (factor.is_Pow and factor.exp.is_Number and factor.exp.is_negative):
            return None
        base, exponent = factor.base, -factor.exp
        denominator = base if exponent == 1 else sp.Pow(base, exponent, evaluate=False)
        return None if self.is_real(denominator) else denominator

    def _print_Mul(self, expr):
        factors = sp.Mul.make_args(expr)
        denominators = [d for f in factors if (d := self._complex_denominator(f)) is not None]
        if denominators:
            numerator = [f for f in factors if self._complex_denominator(f) is None]
            top = self._print(sp.Mul(*numerator, evaluate=False)) if numerator else "1.0"
            return f"complex_divide({top}, {self._print(sp.Mul(*denominators, evaluate=False))})"
        if not self.is_real(expr):
            real = [f for f in expr.args if self.is_real(f)]
            if 0 < len(real) < len(expr.args):
                expr = sp.Mul(*real, *(f for f in expr.args if not self.is_real(f)), evaluate=False)
        return super()._print_Mul(expr)

    # -- powers and promotion ------------------------------------------------------------
    def _must_promote(self, base: sp.Expr, valid_for_real: bool | None) -> bool:
        """Whether ``base`` needs ``complex(...)``: the real function is not known to be
        valid for it, it is not already known to be non-real, and we are not in real mode."""
        return not (valid_for_real or base.is_real is False or self._real_mode)

    def _operand(self, base: sp.Expr, valid_for_real: bool | None) -> str:
        """Print ``base``, wrapped in ``complex(...)`` unless the real function is valid."""
        if not self._must_promote(base, valid_for_real):
            return self._print(base)
        self.promoted = True
        return f"complex({self._print(base)})"

    def _print_Pow(self, expr, rational=False):
        base, exponent = expr.args
        if (denominator := self._complex_denominator(expr)) is not None:
            return f"complex_divide(1.0, {self._print(denominator)})"
        if exponent.is_integer:
            return super()._print_Pow(expr, rational=rational)
        if exponent == sp.S.Half or exponent == -sp.S.Half:
            root = f"np.sqrt({self._operand(base, base.is_nonnegative)})"
            return root if exponent.is_positive else f"1/{root}"
        if not self._must_promote(base, base.is_nonnegative):
            return super()._print_Pow(expr, rational=rational)
        return f"{self._operand(base, False)}**{self.parenthesize(exponent, PRECEDENCE['Pow'])}"

    def _print_log(self, expr):
        (arg,) = expr.args
        return f"{_PROMOTING_CALLS['log']}({self._operand(arg, arg.is_nonnegative)})"

    def _print_asin(self, expr):
        (arg,) = expr.args
        function = _PROMOTING_CALLS[type(expr).__name__]
        if self._real_mode:  # nan outside [-1, 1]; the RealOperand then takes the complex path
            return f"{function}({self._print(arg)})"
        if self.is_real(arg):  # a real operand must land on SymPy's side of the branch cut
            self.promoted = True
            return f"{function}(complex_on_cut({self._print(arg)}))"
        return f"{function}({self._operand(arg, False)})"

    _print_acos = _print_asin
    _print_atanh = _print_asin

    def _print_acosh(self, expr):  # NumPy's side of the cut (x + 0j) is SymPy's here
        (arg,) = expr.args
        return f"{_PROMOTING_CALLS['acosh']}({self._operand(arg, False)})"

    # -- other functions -----------------------------------------------------------------
    def _print_floor(self, expr):
        return self._real_only_call(expr)

    _print_ceiling = _print_floor
    _print_sign = _print_floor
    _print_erf = _print_floor
    _print_erfc = _print_floor
    _print_gamma = _print_floor

    def _real_only_call(self, expr):
        name = type(expr).__name__
        (arg,) = expr.args
        if not self.is_real(arg):
            raise UnsupportedFunctionError(
                f"{name}({_short(arg)}): the argument is not provably real and Numba has no "
                f"complex {name}; declare the symbols real (Symbol(..., real=True)) or "
                f"rewrite the expression"
            )
        return f"{_REAL_ONLY_CALLS[name]}({self._print(arg)})"

    def _print_cot(self, expr):
        (arg,) = expr.args
        return f"1/{_RECIPROCALS[type(expr).__name__]}({self._print(arg)})"

    _print_sec = _print_cot
    _print_csc = _print_cot
    _print_coth = _print_cot
    _print_sech = _print_cot
    _print_csch = _print_cot

    def _print_re(self, expr):
        return f"{self.parenthesize(expr.args[0], PRECEDENCE['Atom'], strict=True)}.real"

    def _print_im(self, expr):
        return f"{self.parenthesize(expr.args[0], PRECEDENCE['Atom'], strict=True)}.imag"

    def _print_Heaviside(self, expr):
        arg, at_zero = expr.args[0], expr.args[1] if len(expr.args) > 1 else sp.S.Half
        x = self._print(arg)
        return f"(1.0 if {x} > 0 else ({self._print(at_zero)} if {x} == 0 else (0.0 if {x} < 0 else np.nan)))"

    def _print_Max(self, expr):
        return self._nested("np.maximum", expr.args)

    def _print_Min(self, expr):
        return self._nested("np.minimum", expr.args)

    def _nested(self, function: str, args: tuple[sp.Basic, ...]) -> str:
        """``f(a, f(b, c))``: NumPy's ``maximum``/``minimum`` propagate ``nan`` (``max`` does not)."""
        text = self._print(args[-1])
        for arg in reversed(args[:-1]):
            text = f"{function}({self._print(arg)}, {text})"
        return text

    def _print_RealOperand(self, expr):
        """``real_operand(<operand in complex arithmetic>, rtol, atol)``, behind a fast path.

        If the operand is real when no function is promoted to complex, it is first
        computed in real arithmetic (``sqrt`` of a negative number gives ``nan``); only
        where that is ``nan`` is the complex computation done.  Where the real computation
        is a number, both agree: every promoted function then had an operand in its real
        domain, where the complex version returns the real value with a zero imaginary part.
        """
        operand, rtol, atol = expr.args
        promoted = self.promoted
        checked = f"real_operand({self._print(operand)}, {self._print(rtol)}, {self._print(atol)})"
        self._real_mode = True
        try:
            fast = self._print(operand) if self.is_real(operand) else None
        finally:
            self._real_mode = False
        self.promoted = promoted  # a complex operand inside does not make the result complex
        return checked if fast is None else f"({fast} if not np.isnan({fast}) else {checked})"

    def _print_DefinedWhere(self, expr):
        value, operand = expr.args
        return f"defined_where({self._print(value)}, {self._print(operand)})"

    def _print_KroneckerDelta(self, expr):
        a, b = (self._print(arg) for arg in expr.args)
        return f"(1.0 if {a} == {b} else 0.0)"

    def _print_Piecewise(self, expr):
        text = super()._print_Piecewise(expr)
        return text[: -len(" else None)")] + " else np.nan)" if text.endswith(" else None)") else text

    def _print_besselj(self, expr):
        order, arg = expr.args
        name = type(expr).__name__
        if not self.is_real(order):
            raise UnsupportedFunctionError(
                f"{name}({_short(order)}, ...): the order must be real (SciPy has no complex "
                "order); declare the order symbol real"
            )
        real_ok = _bessel_is_real(expr, self._memos[self._real_mode], self._real_mode)
        variant = "real" if real_ok else "complex"
        if not real_ok:
            self.promoted = True
        return f"{name}_{variant}({self._print(order)}, {self._print(arg)})"

    _print_bessely = _print_besselj
    _print_besseli = _print_besselj
    _print_besselk = _print_besselj

    def _print_not_supported(self, expr):
        raise UnsupportedFunctionError(f"no Numba translation for {_short(expr)}")


def _float_literal(value: float) -> str:
    """A literal that round-trips ``value`` exactly (``repr``), with inf/nan via NumPy."""
    if value != value:
        return "np.nan"
    if value in (float("inf"), float("-inf")):
        return "np.inf" if value > 0 else "-np.inf"
    return repr(value)
