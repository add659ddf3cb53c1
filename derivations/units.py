"""Values with units as people write them (``10nm``, ``2*pi*1.2MHz``, ``300K``), read with ``pint``.

:func:`parse_quantity` converts a text to a number in a parameter's declared unit (the
vocabulary of :mod:`qderive.symbolic.units`). The text is arithmetic (``+ - * / ** ^``,
parentheses) on numbers, ``pi`` and unit names known to ``pint`` (with SI prefixes), with implicit
multiplication (``1.2MHz``, ``10 nm``). It is parsed by Python's ``ast`` and evaluated node by node
from a whitelist; no text is ever executed, and ``pint`` only looks up single unit names.

The rad/s-versus-Hz convention
------------------------------
``pint`` (like SI) treats the radian as dimensionless, so on its own it would convert ``1 Hz`` to
``1 rad/s`` and silently lose a factor ``2 pi``. qderive declares frequencies and rates in ``rad/s``
(``1/s`` is the same unit), and keeps ``Hz`` for cycles or events per second. So, for a parameter
whose unit is a power of time (a frequency, a rate, a time, ``Hz^0.5``), every hertz of the value
must be matched by one explicit ``pi``, unless the declared unit holds that hertz itself:

* ``2*pi*1.2MHz`` to ``rad/s`` is ``7.54e6``; a bare ``1.2MHz`` is refused with a message saying
  so (write ``2*pi*1.2MHz`` if 1.2 MHz is the cyclic frequency ``f = omega/(2 pi)``, or give rad/s);
* ``1kHz`` to ``Hz`` is ``1000``; ``2*pi*1kHz`` or ``6283 rad/s`` to ``Hz`` is refused (divide an
  angular value by ``2*pi``: ``6283 rad/s/(2*pi)``);
* ``1/(2*pi*1MHz)`` to ``s`` is a time; ``1/MHz`` is refused (is it ``1/f`` or ``1/omega``?).

Units that hold their own ``2 pi`` (``rpm``, ``cycle/s``, ``deg``) are converted exactly by
``pint``, and quantities of other dimensions (an energy ``planck_constant*1GHz``, a length) are converted as
``pint`` does. A plain number is taken to be in the declared unit already.

Examples
--------
>>> parse_quantity("10nm", "m")
1e-08
>>> round(parse_quantity("2*pi*1.2MHz", "rad/s"))
7539822
>>> parse_quantity("1.2MHz", "rad/s", name="Omega")
Traceback (most recent call last):
...
qderive.symbolic.units.UnitError: Omega: '1.2MHz' is a cyclic frequency in Hz without its 2*pi but Omega is ...
"""

from __future__ import annotations

import ast
import cmath
import math
import re
from dataclasses import dataclass
from typing import Any

import pint

from qderive.symbolic.units import UnitError, check_unit

__all__ = ["UnitError", "parse_quantity"]

MAX_LENGTH = 200
MAX_EXPONENT = 12
_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[jJ]?)|(?P<name>[A-Za-zµμΩ][A-Za-z0-9_µμΩ]*)"
    r"|(?P<op>\*\*|[-+*/^()]))"
)


@dataclass(frozen=True)
class _Value:
    """An intermediate value: a ``pint`` quantity, its net powers of hertz and ``pi``, whether units occur."""

    quantity: Any
    hertz: float = 0
    pi: float = 0
    has_units: bool = False


def _tokens(text: str) -> str:
    """``text`` as Python arithmetic: implicit products made explicit, ``^`` written ``**``."""
    pieces: list[tuple[str, str]] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if not match:
            raise ValueError(f"unexpected character {stripped[position:].strip()[0]!r}")
        kind = match.lastgroup or ""
        pieces.append((kind, match.group(kind)))
        position = match.end()
    out: list[str] = []
    for index, (kind, token) in enumerate(pieces):
        previous = pieces[index - 1] if index else ("op", "")
        operand_before = previous[0] in ("number", "name") or previous[1] == ")"
        if operand_before and (kind in ("number", "name") or token == "("):
            out.append("*")
        out.append("**" if token == "^" else token)
    return " ".join(out)


def _unit(registry: Any, name: str) -> _Value:
    if name == "pi":
        return _Value(registry.Quantity(math.pi), pi=1)
    unit = registry.parse_units(name)
    hertz = any(unit_name == "hertz" for _, unit_name, _ in registry.parse_unit_name(name))
    return _Value(registry.Quantity(1.0, unit), hertz=1 if hertz else 0, has_units=True)


def _evaluate(node: ast.AST, registry: Any) -> _Value:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex)):
        if isinstance(node.value, bool):
            raise ValueError("True/False are not numbers")
        return _Value(registry.Quantity(node.value if isinstance(node.value, complex) else float(node.value)))
    if isinstance(node, ast.Name):
        return _unit(registry, node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        value = _evaluate(node.operand, registry)
        if isinstance(node.op, ast.USub):
            return _Value(-value.quantity, value.hertz, value.pi, value.has_units)
        return value
    if isinstance(node, ast.BinOp):
        left, right = _evaluate(node.left, registry), _evaluate(node.right, registry)
        units = left.has_units or right.has_units
        if isinstance(node.op, ast.Mult):
            return _Value(left.quantity * right.quantity, left.hertz + right.hertz, left.pi + right.pi, units)
        if isinstance(node.op, ast.Div):
            return _Value(left.quantity / right.quantity, left.hertz - right.hertz, left.pi - right.pi, units)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            if left.hertz != right.hertz or (left.hertz and left.pi != right.pi):
                raise ValueError("a sum mixes terms with and without Hz or 2*pi; convert each term the same way")
            total = left.quantity + right.quantity if isinstance(node.op, ast.Add) else left.quantity - right.quantity
            pi = left.pi if left.pi == right.pi else math.nan  # e.g. pi/2 + 0.1: no count, refused next to Hz
            return _Value(total, left.hertz, pi, units)
        if isinstance(node.op, ast.Pow):
            if right.hertz or right.pi or not right.quantity.dimensionless:
                raise ValueError("an exponent must be a plain number")
            power = float(right.quantity.to("dimensionless").magnitude)
            if abs(power) > MAX_EXPONENT:
                raise ValueError(f"exponent {power:g} is out of range (at most {MAX_EXPONENT})")
            return _Value(left.quantity**power, left.hertz * power, left.pi * power, units)
    raise ValueError("only numbers, pi, unit names and + - * / ** ^ ( ) are allowed")


def parse_quantity(text: str, unit: str, name: str = "value") -> complex | float:
    """The number that ``text`` gives in the declared ``unit``, e.g. ``parse_quantity("10nm", "m") == 1e-8``.

    Parameters
    ----------
    text : str
        A number with or without units: ``"10nm"``, ``"2*pi*1.2MHz"``, ``"300K"``, ``"1e6"``,
        ``"90deg"``, ``"3.5e-3 T"``, ``"(1+2j) MHz*2*pi"``. A plain number is read in ``unit``.
    unit : str
        The declared unit (vocabulary of :mod:`qderive.symbolic.units`), e.g. ``"rad/s"``, ``""``.
    name : str
        The parameter's name, used in error messages.

    Returns
    -------
    float or complex
        The value in ``unit`` (finite); complex only when the text holds an imaginary literal (``2j``).

    Raises
    ------
    UnitError
        (a :class:`qderive.QderiveError`) for unreadable text, an unknown unit, a dimension other
        than the declared one (both named), a bare Hz value for a frequency declared in rad/s (see
        the module notes), or a result that is not finite.

    Examples
    --------
    >>> parse_quantity("300K", "K")
    300.0
    >>> parse_quantity("2.5", "rad/s")
    2.5
    >>> parse_quantity("10 s", "m", name="r")
    Traceback (most recent call last):
    ...
    qderive.symbolic.units.UnitError: r: '10 s' has dimension [time] but r is declared in m ([length])
    """
    declared = check_unit(unit, f"parameter '{name}'")
    shown = declared or "dimensionless"
    if len(text) > MAX_LENGTH:
        raise UnitError(f"{name}: the value is longer than {MAX_LENGTH} characters")
    registry = pint.get_application_registry()
    try:
        value = _evaluate(ast.parse(_tokens(text), mode="eval").body, registry)
        target = registry.parse_units(declared)
        if not value.has_units:  # a plain number is already in the declared unit
            return _finite(value.quantity.magnitude, text, name)
        if value.quantity.dimensionality != target.dimensionality:
            raise UnitError(
                f"{name}: {text!r} has dimension {_dimension(value.quantity.dimensionality)} but {name} is "
                f"declared in {shown} ({_dimension(target.dimensionality)})"
            )
        _check_cycles(value, registry.Quantity(1.0, target), text, name, shown)
        number = value.quantity.to(target).magnitude
    except UnitError:
        raise
    except pint.UndefinedUnitError as error:
        raise UnitError(f"{name}: unknown unit {error.unit_names!r} in {text!r}") from None
    except (SyntaxError, ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError,
            pint.PintError) as error:
        reason = str(error) if isinstance(error, ValueError) else type(error).__name__
        raise UnitError(f"{name}: cannot read {text!r} as a value in {shown} ({reason})") from None
    return _finite(number, text, name)


def _check_cycles(value: _Value, target: Any, text: str, name: str, shown: str) -> None:
    """Refuse a value whose hertz are not matched by ``pi`` factors or by hertz of the target (module notes)."""
    if set(dict(target.dimensionality)) != {"[time]"}:
        return
    target_hertz = dict(target.unit_items()).get("hertz", 0)
    if (value.hertz or target_hertz) and value.hertz - value.pi != target_hertz:
        if target_hertz:
            raise UnitError(
                f"{name}: {name} is declared in {shown} (cycles per second) but {text!r} is an angular or 1/s "
                "value; give it in Hz, or divide rad/s by 2*pi"
            )
        raise UnitError(
            f"{name}: {text!r} is a cyclic frequency in Hz without its 2*pi but {name} is declared in {shown} "
            "(angular, hbar = 1); write 2*pi*<value in Hz> for omega = 2 pi f (1/(2*pi*<value in Hz>) for a "
            "time), or give the value in SI angular units"
        )


def _finite(number: complex | float, text: str, name: str) -> complex | float:
    """``number`` as a float (a complex only if its imaginary part is non-zero), refused unless finite."""
    number = complex(number)
    if not cmath.isfinite(number):
        raise UnitError(f"{name}: {text!r} is not a finite number")
    return number if number.imag else number.real


def _dimension(dimensionality: Any) -> str:
    return str(dimensionality) if str(dimensionality) else "dimensionless"
