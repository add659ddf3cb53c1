"""Large real rational kernels lowered by SymEngine alone, without SymPy's printer.

A real expression built only from ``+ - * /`` and integer powers of ``float64`` arguments,
with exact rational coefficients (what eliminations, susceptibilities and transfer functions
expand to), needs none of the printer's decisions about complex promotion, special functions
or branch cuts.  :func:`lower_rational` runs SymEngine's common-subexpression elimination on
the expression's SymEngine form and prints each temporary with SymEngine (C++, a
hundredth of SymPy's printing time); the statements must then parse as a
:mod:`~qderive.codegen.llvm_body` straight-line body (:func:`~qderive.codegen.llvm_body.parse_body`
checks every node), which is how such a kernel is compiled.  Anything else is declined
(``None``) and takes the general path (:func:`~qderive.codegen.emit.lower`); functions, fractional
powers and inexact numbers are found before the CSE, which the general path would run again:

* an argument that is not ``float64``, or two arguments whose symbols share a name (SymEngine
  tells symbols apart by name only);
* anything SymEngine prints outside the subset (functions print as ``sin(x)``, not
  ``np.sin(x)``; fractional powers; ``I``);
* a floating-point constant (SymEngine prints doubles with 15 digits, which would change
  them) or an integer of 2^53 or more (not exact as a double): the general printer keeps
  those exact;
* a temporary named like an argument;
* fewer operations than ``min_operations`` (small kernels are compiled by Numba from SymPy's
  printing, whose syntax this module does not reproduce).

A rational coefficient prints as ``(p/q)``, which the straight-line body folds by one IEEE
division, exactly as SymPy's printing ``p/q`` of it; ``x**(-n)`` is ``1/x**n`` there.

Examples
--------
>>> import sympy as sp
>>> from qderive.codegen.cse import symengine_form
>>> from qderive.codegen.emit import prepare_arguments
>>> x, y = sp.symbols("x y", real=True)
>>> expr = (x + y) ** 2 / 3 + 1 / (x + y)
>>> arguments = prepare_arguments([x, y], [expr], set())
>>> body = lower_rational(symengine_form(expr)[1], arguments, min_operations=1)
>>> print(body.program.statements)
x0 = x + y
return x0**(-1) + (1/3)*x0**2
>>> lower_rational(symengine_form(sp.sin(x))[1], arguments, min_operations=1) is None  # a function
True
"""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import CodegenError
from .llvm_body import Program, parse_body
from .printer import MAX_EXACT_INT


@dataclass(frozen=True)
class RationalBody:
    """What :func:`lower_rational` produced.

    Attributes
    ----------
    assignments : list of (str, str)
        ``(temporary, printed value)`` in evaluation order.
    output : str
        The printed result.
    program : Program
        The statements parsed and checked as a straight-line body.
    form : symengine.Basic
        The expression in SymEngine, in the arguments' source names (for the reference).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen.cse import symengine_form
    >>> from qderive.codegen.emit import prepare_arguments
    >>> x = sp.Symbol("x", real=True)
    >>> body = lower_rational(symengine_form(1 / (1 + x**2))[1], prepare_arguments([x], [x], set()), 1)
    >>> body.assignments, body.output, str(body.form)
    ([], '(1 + x**2)**(-1)', '(1 + x**2)**(-1)')
    """

    assignments: list[tuple[str, str]]
    output: str
    program: Program
    form: object


def lower_rational(form, arguments: Sequence, min_operations: int) -> RationalBody | None:
    """The straight-line body of ``form`` (a SymEngine expression in the symbols of the
    arguments' :attr:`~qderive.codegen.emit.Argument.symbol`), or ``None`` when the module
    docstring's conditions decline it.

    Parameters
    ----------
    form : symengine.Basic
        The expression, converted by :func:`~qderive.codegen.cse.symengine_form`.
    arguments : sequence of Argument
        The kernel's arguments (:func:`~qderive.codegen.emit.prepare_arguments`).
    min_operations : int
        Fewest operations accepted.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen.cse import symengine_form
    >>> from qderive.codegen.emit import prepare_arguments
    >>> x = sp.Symbol("lambda", positive=True)  # a keyword: its source name differs
    >>> arguments = prepare_arguments([x], [x**3 - 1], set())
    >>> body = lower_rational(symengine_form(x**3 - 1)[1], arguments, min_operations=1)
    >>> body.output, body.program.n_operations
    ('-1 + lambda_**3', 3)
    >>> lower_rational(symengine_form(x / 10**20)[1], arguments, 1) is None  # 10^20 is not exact as a double
    True
    """
    import symengine as se  # here, not at module level: a cached kernel's load never needs it

    if (any(a.dtype != "float64" for a in arguments) or len({a.symbol.name for a in arguments}) < len(arguments)
            or not all(map(_rational_node, form.atoms(se.Function, se.Pow, se.Number)))):
        return None  # declined before the CSE (one walk in C++): it would be done again on the general path
    renamed = {se.Symbol(a.symbol.name): se.Symbol(a.name) for a in arguments if a.symbol.name != a.name}
    form = form.xreplace(renamed) if renamed else form
    pairs, (reduced,) = se.cse([form])
    parameters = tuple(a.name for a in arguments)
    assignments = [(str(temporary), str(value)) for temporary, value in pairs]
    temporaries = {name for name, _ in assignments}
    if (len(temporaries) < len(assignments) or temporaries & set(parameters)
            or not all(name.isidentifier() and not keyword.iskeyword(name) for name in temporaries)):
        return None
    output = str(reduced)
    statements = "\n".join([f"{name} = {value}" for name, value in assignments] + [f"return {output}"])
    try:
        program = parse_body(parameters, statements)
    except CodegenError:
        return None
    if program.n_operations < min_operations:
        return None
    return RationalBody(assignments, output, program, form)


def _rational_node(node) -> bool:
    """Whether a SymEngine function, power or number may stand in a rational body: no function,
    integer exponents, numbers exact rationals with numerator and denominator below 2^53.

    Examples
    --------
    >>> import symengine as se
    >>> x = se.Symbol("x")
    >>> [_rational_node(n) for n in (x**-2, se.sqrt(x), se.sin(x), se.Rational(1, 3), se.RealDouble(0.5), se.I)]
    [True, False, False, True, False, False]
    """
    if node.is_Pow:
        return node.args[1].is_Integer
    if node.is_Rational:  # integers too
        return all(abs(part) < MAX_EXACT_INT for part in node.get_num_den())
    return False  # a function, a float or a complex number
