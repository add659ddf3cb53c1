"""The one vocabulary of units in which parameters and results are declared.

A declared unit is ``""`` (dimensionless; ``"1"`` is read as ``""``) or a product of unprefixed SI
unit symbols with powers, written with ``*``, ``/``, a space and ``^`` (or ``**``): ``"rad/s"``,
``"1/s"``, ``"m"``, ``"T^2"``, ``"1/m^3"``, ``"J/K"``, ``"Hz^0.5"``. Every symbol is one that the
``pint`` library reads as the same SI unit (a test checks this), so a declared unit is machine-readable.

Convention (hbar = 1): angular frequencies, couplings and rates of the master equation are declared
in ``rad/s`` (``1/s`` names the same SI unit). ``Hz`` is kept for quantities that count discrete
events or cycles per second (a repetition rate, a photon flux ``Hz^0.5`` amplitude), never for an
angular frequency; converting between the two needs an explicit ``2*pi`` (see
``qderive.derivations.units``).

Nothing here evaluates numbers or imports ``pint``; ``qderive.derivations.units`` parses values.

Examples
--------
>>> check_unit("rad/s")
'rad/s'
>>> check_unit("1")
''
>>> unit_suffix(""), unit_suffix("rad/s")
('', ' rad/s')
"""

from __future__ import annotations

import re

from .errors import ParameterError

__all__ = ["DIMENSIONLESS", "SI_SYMBOLS", "UnitError", "check_unit", "unit_suffix"]

DIMENSIONLESS = ""
SI_SYMBOLS = frozenset(
    {"s", "m", "kg", "A", "K", "mol", "cd", "rad", "sr", "N", "Pa", "J", "W", "C", "V", "F", "ohm", "S", "Wb",
     "T", "H", "Hz"}
)
_FACTOR = r"[A-Za-z]+(?:(?:\^|\*\*)-?[0-9]+(?:\.[0-9]+)?)?"
_UNIT = re.compile(rf"(?:1|{_FACTOR})(?:\s*[*/ ]\s*{_FACTOR})*")


class UnitError(ParameterError):
    """A unit outside the vocabulary, or a value whose unit does not fit the declared one.

    Examples
    --------
    >>> from qderive.symbolic import ParameterError
    >>> try:
    ...     check_unit("rad/sec")
    ... except UnitError as error:
    ...     print(isinstance(error, ParameterError), "'sec' is not allowed" in str(error))
    True True
    """


def check_unit(unit: str, where: str = "unit") -> str:
    """The declared ``unit`` in canonical form (``"1"`` becomes ``""``), refused if outside the vocabulary.

    Parameters
    ----------
    unit : str
        E.g. ``"rad/s"``, ``""`` (dimensionless), ``"T^2"``, ``"1/m^3"``.
    where : str
        What declares it (e.g. ``"parameter 'kappa'"``), named in the error.

    Raises
    ------
    UnitError
        For a prefixed, misspelled or non-SI symbol (``"MHz"``, ``"rad/sec"``, ``"nm"``) or bad syntax.

    Examples
    --------
    >>> check_unit("1/m^3")
    '1/m^3'
    >>> check_unit("MHz", "parameter 'f'")
    Traceback (most recent call last):
    ...
    qderive.symbolic.units.UnitError: parameter 'f': unit 'MHz' is not in the vocabulary; ...
    """
    text = unit.strip()
    if text in ("", "1"):
        return DIMENSIONLESS
    if not _UNIT.fullmatch(text):
        raise UnitError(f"{where}: cannot read the unit {unit!r}; write SI symbols with * / ^, e.g. 'rad/s', '1/m^3'")
    for symbol in re.findall(r"[A-Za-z]+", text):
        if symbol not in SI_SYMBOLS:
            hint = (
                "angular frequencies and rates are declared in rad/s (hbar = 1); values are given in SI units"
                if symbol.endswith("Hz")
                else f"use unprefixed SI symbols: {', '.join(sorted(SI_SYMBOLS))}"
            )
            raise UnitError(f"{where}: unit {unit!r} is not in the vocabulary; {symbol!r} is not allowed ({hint})")
    return text


def unit_suffix(unit: str) -> str:
    """``" <unit>"`` to print after a number, empty for a dimensionless quantity (no trailing ``1``).

    Examples
    --------
    >>> f"{2.5}{unit_suffix('rad/s')}", f"{0.3}{unit_suffix('1')}"
    ('2.5 rad/s', '0.3')
    """
    return "" if unit.strip() in ("", "1") else f" {unit.strip()}"
