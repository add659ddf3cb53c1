"""Named model parameters (symbol, meaning, unit, domain) and validated numeric parameter sets."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import sympy as sp

from .errors import ParameterError
from .units import check_unit, unit_suffix

Domain = Literal["positive", "nonnegative", "real", "complex", "count"]
_ASSUMPTIONS: dict[str, dict[str, bool]] = {
    "count": {"integer": True, "positive": True},
    "positive": {"positive": True},
    "nonnegative": {"nonnegative": True, "real": True},
    "real": {"real": True},
    "complex": {"complex": True},
}


@dataclass(frozen=True)
class Parameter:
    """A model parameter: SymPy symbol with assumptions, a one-line meaning and its SI unit.

    ``unit`` is in the vocabulary of :mod:`qderive.symbolic.units` (checked on creation, a
    :class:`~qderive.symbolic.units.UnitError` otherwise): angular frequencies and rates in
    ``"rad/s"``, ``""`` (or ``"1"``, stored as ``""``) for a dimensionless number.
    ``bounds = (low, high)`` closes a real domain further (a fraction, an angle, a polarisation);
    values outside are refused by name.

    Examples
    --------
    >>> kappa = Parameter("kappa", "cavity energy decay rate", "rad/s")
    >>> kappa.symbol.is_positive
    True
    >>> Parameter("p", "polarisation", "", "real", bounds=(-1, 1)).check(2.0)
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: 'p' must lie in [-1, 1] (polarisation), got 2.0
    """

    name: str
    meaning: str
    unit: str
    domain: Domain = "positive"
    latex: str | None = None
    bounds: tuple[float, float] | None = None
    aliases: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", check_unit(self.unit, f"parameter '{self.name}'"))
        if self.domain not in _ASSUMPTIONS:
            raise ParameterError(
                f"parameter '{self.name}': domain must be one of {sorted(_ASSUMPTIONS)}, got {self.domain!r}"
            )
        if self.bounds is not None and (self.domain == "complex" or not self.bounds[0] < self.bounds[1]):
            raise ParameterError(f"parameter '{self.name}': bounds must be (low, high) with low < high on a real "
                                 f"domain, got {self.bounds!r}")

    @property
    def symbol(self) -> sp.Symbol:
        """SymPy symbol of the parameter with the assumptions of its domain (positive, real, integer, ...).

        Examples
        --------
        >>> Parameter("N", "number of emitters", "", "count").symbol.is_integer
        True
        >>> Parameter("Delta", "detuning", "rad/s", "real").symbol.is_positive is None  # sign unknown
        True
        """
        return sp.Symbol(self.name, **_ASSUMPTIONS[self.domain])

    def _check_count(self, value: object) -> int:
        """A positive whole number (a mode order, a number of sites)."""
        number = float(value.real) if isinstance(value, complex) and value.imag == 0 else value
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not float(number).is_integer() \
                or number < 1:
            raise ParameterError(f"'{self.name}' must be a positive whole number ({self.meaning}), got {value!r}")
        return int(number)

    def named_value(self, text: str) -> float | None:
        """The number a name stands for (``aliases``, e.g. ``("phi", pi/2)`` for a polarisation angle), or None.

        Examples
        --------
        >>> import math
        >>> theta = Parameter("theta", "polarisation angle", "rad", "real", aliases=(("phi", math.pi / 2),))
        >>> theta.named_value("phi") == math.pi / 2, theta.named_value("psi")
        (True, None)
        """
        return dict(self.aliases).get(text)

    def check(self, value: complex | float) -> complex | float:
        """The value, refused with a :class:`ParameterError` if it lies outside the domain.

        Examples
        --------
        >>> Parameter("N", "number of emitters", "", "count").check(3.0)
        3
        >>> Parameter("gamma", "decay rate", "rad/s", "nonnegative").check(-1.0)
        Traceback (most recent call last):
        ...
        qderive.symbolic.errors.ParameterError: 'gamma' must be non-negative (decay rate), got -1.0 rad/s
        """
        if self.domain == "count":
            return self._check_count(value)
        if isinstance(value, bool) or not isinstance(value, (int, float, complex)):
            try:
                value = complex(value) if self.domain == "complex" else float(value)
            except (TypeError, ValueError):
                raise ParameterError(f"'{self.name}' must be a number, got {value!r}") from None
        if isinstance(value, complex) and self.domain != "complex":
            if value.imag != 0:
                raise ParameterError(f"'{self.name}' must be real ({self.meaning}), got {value!r}")
            value = value.real
        if not (math.isfinite(value.real) and math.isfinite(value.imag)):
            raise ParameterError(f"'{self.name}' must be finite, got {value!r}{unit_suffix(self.unit)}")
        if isinstance(value, complex):  # complex domain: no sign to check
            return value
        if self.domain == "positive" and not value > 0:
            raise ParameterError(
                f"'{self.name}' must be positive ({self.meaning}), got {value!r}{unit_suffix(self.unit)}"
            )
        if self.domain == "nonnegative" and not value >= 0:
            raise ParameterError(
                f"'{self.name}' must be non-negative ({self.meaning}), got {value!r}{unit_suffix(self.unit)}"
            )
        if self.bounds is not None and not self.bounds[0] <= value <= self.bounds[1]:
            low, high = self.bounds
            raise ParameterError(
                f"'{self.name}' must lie in [{low:g}, {high:g}] ({self.meaning}), "
                f"got {value!r}{unit_suffix(self.unit)}"
            )
        return value


@dataclass(frozen=True)
class ParameterSet:
    """Numbers for a set of declared parameters, each checked against its domain on entry.

    Missing, unknown, non-finite or out-of-domain values raise :class:`ParameterError`.

    Examples
    --------
    >>> params = declare([("g", "coupling", "rad/s"), ("kappa", "cavity decay rate", "rad/s")])
    >>> ps = ParameterSet(tuple(params.values()), {"g": 1.0, "kappa": 4.0})
    >>> ps["kappa"]
    4.0
    >>> ParameterSet(tuple(params.values()), {"g": 1.0})
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: missing value for 'kappa' (cavity decay rate, rad/s)
    """

    parameters: tuple[Parameter, ...]
    values: Mapping[str, complex | float]
    _by_name: dict[str, Parameter] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {p.name: p for p in self.parameters}
        unknown = sorted(set(self.values) - set(by_name))
        if unknown:
            raise ParameterError(f"unknown parameter(s) {unknown}; known parameters: {sorted(by_name)}")
        missing = [name for name in by_name if name not in self.values]
        if missing:
            described = ", ".join(f"'{n}' ({by_name[n].meaning}, {by_name[n].unit})" for n in missing)
            raise ParameterError(f"missing value for {described}")
        checked = {name: by_name[name].check(value) for name, value in self.values.items()}
        object.__setattr__(self, "values", checked)
        object.__setattr__(self, "_by_name", by_name)

    def __getitem__(self, name: str) -> complex | float:
        return self.values[name]

    def replace(self, **values: complex | float) -> ParameterSet:
        """A new set with some values changed (each checked again).

        Examples
        --------
        >>> params = declare([("g", "coupling", "rad/s"), ("kappa", "cavity decay rate", "rad/s")])
        >>> ps = ParameterSet(tuple(params.values()), {"g": 1.0, "kappa": 4.0})
        >>> ps.replace(g=2.0)["g"], ps["g"]  # the original set is unchanged
        (2.0, 1.0)
        """
        return ParameterSet(self.parameters, {**self.values, **values})

    @property
    def substitutions(self) -> dict[sp.Symbol, complex | float]:
        """``{symbol: value}`` for SymPy's ``subs``/``evalf``, with the symbols carrying their domains.

        Examples
        --------
        >>> params = declare([("g", "coupling", "rad/s")])
        >>> ParameterSet(tuple(params.values()), {"g": 2.0}).substitutions
        {g: 2.0}
        """
        return {self._by_name[name].symbol: value for name, value in self.values.items()}

    def evaluate(self, expr: sp.Expr, extra: Mapping[sp.Symbol, complex | float] | None = None) -> complex | float:
        """Numeric value of ``expr`` at these parameters; refuses leftover symbols and NaN.

        Examples
        --------
        >>> params = declare([("g", "coupling", "rad/s"), ("kappa", "cavity decay rate", "rad/s")])
        >>> ps = ParameterSet(tuple(params.values()), {"g": 1.0, "kappa": 4.0})
        >>> g, kappa = params["g"].symbol, params["kappa"].symbol
        >>> ps.evaluate(4 * g**2 / kappa)  # the Purcell rate 4 g^2 / kappa
        1.0
        """
        substitutions = self.substitutions | dict(extra or {})
        expr = sp.sympify(expr)
        leftover = expr.free_symbols - set(substitutions)
        if leftover:
            raise ParameterError(
                f"cannot evaluate {expr}: no value for {sorted(map(str, leftover))}; declare and set them"
            )
        value = complex(expr.evalf(subs=substitutions, n=17))
        if not (math.isfinite(value.real) and math.isfinite(value.imag)):
            raise ParameterError(f"{expr} evaluates to {value} at {dict(self.values)}")
        return value.real if value.imag == 0 else value


def declare(specs: Iterable[tuple[str, str, str] | tuple[str, str, str, Domain]
                            | tuple[str, str, str, Domain, tuple[float, float]]]) -> dict[str, Parameter]:
    """Parameters from ``(name, meaning, unit[, domain[, bounds]])`` tuples, keyed by name.

    Examples
    --------
    >>> params = declare([("Delta", "detuning", "rad/s", "real"), ("eta", "efficiency", "", "real", (0, 1))])
    >>> params["Delta"].domain, params["eta"].bounds
    ('real', (0, 1))
    """
    parameters = [Parameter(*spec[:4], bounds=spec[4]) if len(spec) == 5 else Parameter(*spec) for spec in specs]
    return {p.name: p for p in parameters}
