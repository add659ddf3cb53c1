r"""The derivation contract: one immutable product read by the command line, reports, sweeps and tests.

A registered system is a :class:`System`. Its three stages each take the product of the one before
and never redo it:

``derive(parameters) -> Derivation``
    the symbolic work (cached per system in an explicit, clearable :class:`SymbolicCache`) evaluated
    at the user's numbers: steps, results with values and units, assumptions with their small
    parameters evaluated (:class:`Condition`), discrepancies with the source, and compiled
    :class:`Evaluator` kernels of the closed-form results.
``validate(derivation, options) -> Validation``
    checks *that* derivation's results (through its evaluators and the numeric layer) against the
    full model at the derivation's own parameters; ``passed`` is decided there, against a
    tolerance the system states, and says which small parameter is not small when it fails.
``figures(derivation, validation, options) -> tuple[Figure, ...]``
    plot data (:mod:`qderive.derivations.plotting`), drawn by the one shared plotting module.

:class:`Report` bundles the three. Conventions: hbar = 1; angular frequencies and rates share one
unit, rad/s (a rate ``Gamma`` multiplies ``D[L]`` in the master equation and is quoted in rad/s,
i.e. s^-1 of angular measure), so a coupling ``g`` and a rate ``Gamma`` compare directly.

Examples
--------
>>> from qderive.derivations.registry import Registry
>>> system = Registry.discover().get("bloch")
>>> derivation = system.derive(system.parameter_set())
>>> round(derivation.value("rho_ee"), 6)
0.227273
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import sympy as sp

from qderive.codegen import Kernel, compile_expr
from qderive.symbolic import Parameter, ParameterError, ParameterSet, QderiveError

from . import html
from .progress import Progress

if TYPE_CHECKING:
    from .plotting import Figure

T = TypeVar("T")


class ValidationError(QderiveError):
    """A validation could not be carried out (e.g. a metric came out non-finite)."""


def _frozen(mapping: Mapping[str, T] | None) -> Mapping[str, T]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Quantity:
    """A derived quantity: SymPy expression, unit (pint-readable, ``""`` if dimensionless), value, meaning.

    ``value`` is ``None`` for a quantity that is not a number at the given parameters (a condition
    or an equation).
    """

    expr: sp.Basic
    units: str
    value: float | None = None
    meaning: str = ""


@dataclass(frozen=True)
class Condition:
    """An assumption made quantitative: a small parameter, its value here, and the limit it must stay under.

    ``holds`` is ``value <= limit``. The limit is what the derivation needs for its stated
    accuracy (e.g. ``0.1`` when errors scale as the square of the small parameter and a 1 %
    result is wanted).
    """

    name: str
    expr: sp.Basic
    value: float
    limit: float
    meaning: str = ""

    @property
    def holds(self) -> bool:
        return self.value <= self.limit

    def describe(self) -> str:
        verdict = "holds" if self.holds else "FAILS"
        return f"{self.name} = {self.value:.3g} (needs <= {self.limit:g}: {verdict}) - {self.meaning}".rstrip(" -")


@dataclass(frozen=True)
class Step:
    """One step of a derivation: the equation before, the operation, the equation after, what it relies on.

    ``latex`` is the equation after the step; ``before`` the one it starts from (empty for a
    statement); ``operation`` a short verb phrase ("eliminate the cavity mode a"); ``relies_on``
    names :class:`Condition` entries of the derivation.
    """

    title: str
    latex: str
    note: str = ""
    operation: str = ""
    before: str = ""
    relies_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Discrepancy:
    """A source formula, number or statement that disagrees with the derivation, and why."""

    source: str
    stated: str
    derived: str
    note: str


@dataclass(frozen=True)
class Evaluator:
    """A closed-form result as a compiled function of named parameters.

    The :mod:`qderive.codegen` kernel is built on first use (and cached on disk across processes);
    calling with a mapping of parameter names to numbers or arrays broadcasts them (one compiled
    loop, no per-point Python).
    """

    expr: sp.Expr
    arguments: tuple[str, ...]
    symbols: tuple[sp.Symbol, ...]

    @cached_property
    def kernel(self) -> Kernel:
        return compile_expr(self.expr, list(self.symbols))

    def __call__(self, values: Mapping[str, Any]) -> np.ndarray:
        missing = [name for name in self.arguments if name not in values]
        if missing:
            raise ParameterError(f"evaluating {self.expr} needs values for {missing}")
        if not self.arguments:
            return np.asarray(self.kernel.scalar())
        arrays = np.broadcast_arrays(*(np.asarray(values[name]) for name in self.arguments))
        flat = self.kernel(*(np.ascontiguousarray(a).ravel() for a in arrays))
        return np.asarray(flat).reshape(arrays[0].shape)


def closed_form(expr: sp.Expr, parameters: Mapping[str, Parameter]) -> Evaluator:
    """An :class:`Evaluator` of ``expr`` over the declared parameters it contains (in name order)."""
    by_symbol = {p.symbol: name for name, p in parameters.items()}
    leftover = sorted(str(s) for s in expr.free_symbols if s not in by_symbol)
    if leftover:
        raise ParameterError(f"cannot compile {expr}: {leftover} are not declared parameters")
    names = tuple(sorted(by_symbol[s] for s in expr.free_symbols))
    return Evaluator(expr, names, tuple(parameters[n].symbol for n in names))


def quantities(expressions: Mapping[str, sp.Expr], meanings: Mapping[str, tuple[str, str]],
               parameters: ParameterSet) -> dict[str, Quantity]:
    """A :class:`Quantity` per expression: ``meanings[key] = (unit, meaning)``, value at ``parameters``."""
    return {key: Quantity(expr, meanings[key][0], float(parameters.evaluate(expr)), meanings[key][1])
            for key, expr in expressions.items()}


@dataclass(frozen=True)
class Derivation:
    """Everything a derivation produced at one parameter point; immutable.

    ``data`` carries derived objects that validation and figures need (effective models, symbolic
    solutions), so neither has to derive again.
    """

    name: str
    title: str
    parameters: ParameterSet
    assumptions: tuple[str, ...]
    steps: tuple[Step, ...]
    results: Mapping[str, Quantity]
    discrepancies: tuple[Discrepancy, ...] = ()
    conditions: Mapping[str, Condition] = field(default_factory=dict)
    evaluators: Mapping[str, Evaluator] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("results", "conditions", "evaluators", "data"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        unknown = {c for step in self.steps for c in step.relies_on} - set(self.conditions)
        if unknown:
            raise QderiveError(f"derivation '{self.name}': steps rely on undeclared conditions {sorted(unknown)}")

    def value(self, key: str) -> float:
        """The numeric value of result ``key`` (refused if it has none)."""
        if key not in self.results:
            raise QderiveError(f"derivation '{self.name}' has no result '{key}'; results: {sorted(self.results)}")
        value = self.results[key].value
        if value is None:
            raise QderiveError(f"result '{key}' of '{self.name}' is not a number")
        return value

    @property
    def failed_conditions(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions.values() if not c.holds)

    def _repr_html_(self) -> str:
        """Jupyter display: assumptions, conditions, steps, results, discrepancies with MathML equations."""
        return html.heading(self, 3) + "".join(html.derivation_sections(self))

    def to_json(self) -> dict[str, Any]:
        """The documented JSON of ``qderive derive NAME --json``."""
        return {
            "name": self.name,
            "title": self.title,
            "parameters": {k: _json_number(v) for k, v in self.parameters.values.items()},
            "assumptions": list(self.assumptions),
            "conditions": {
                k: {"expr": sp.sstr(c.expr), "latex": sp.latex(c.expr), "value": c.value, "limit": c.limit,
                    "holds": c.holds, "meaning": c.meaning}
                for k, c in self.conditions.items()
            },
            "steps": [
                {"title": s.title, "latex": s.latex, "note": s.note, "operation": s.operation, "before": s.before,
                 "relies_on": list(s.relies_on)}
                for s in self.steps
            ],
            "results": {
                key: {"expr": sp.sstr(q.expr), "latex": sp.latex(q.expr), "value": q.value, "units": q.units,
                      "meaning": q.meaning}
                for key, q in self.results.items()
            },
            "discrepancies": [
                {"source": d.source, "stated": d.stated, "derived": d.derived, "note": d.note}
                for d in self.discrepancies
            ],
        }


def _json_number(value: complex | float) -> float | list[float]:
    return [value.real, value.imag] if isinstance(value, complex) else value


@dataclass(frozen=True)
class ValidationOptions:
    """How hard to validate: ``quick`` trades the error-scaling study and convergence checks for speed."""

    quick: bool = False
    progress: bool = False

    def progress_of(self, description: str, total: int | None = None, unit: str = "steps") -> Progress:
        """A progress display for a validation's own long steps; silent unless ``progress``.

        Examples
        --------
        >>> with ValidationOptions(progress=False).progress_of("demo", 2) as progress:
        ...     progress.stage("first cutoff")
        >>> progress.done
        1
        """
        return Progress(description, total, enabled=self.progress, unit=unit)


FULL = ValidationOptions()
QUICK = ValidationOptions(quick=True)


@dataclass(frozen=True)
class Validation:
    """The approximation checked against the full model at the derivation's own parameters.

    ``error`` is the approximation's relative error there and ``tolerance`` what the derivation
    promises at this point (it may scale with the small parameters); ``passed`` is
    ``error <= tolerance`` with every condition of the derivation holding (outside its regime an
    approximation fails even where it happens to land close). ``reason`` says why, naming the small
    parameters that are not small. ``scaling`` holds the separate error-scaling study.
    """

    name: str
    metrics: Mapping[str, float]
    error: float
    tolerance: float
    reason: str
    conditions_hold: bool = True
    scaling: Mapping[str, float] = field(default_factory=dict)
    details: str = ""

    def __post_init__(self) -> None:
        for group in ("metrics", "scaling"):
            for key, value in getattr(self, group).items():
                if not math.isfinite(value):
                    raise ValidationError(
                        f"validation metric '{key}' of '{self.name}' is {value}; the comparison is not meaningful "
                        "here (a parameter is probably out of range)"
                    )
            object.__setattr__(self, group, _frozen(getattr(self, group)))
        if not (math.isfinite(self.error) and math.isfinite(self.tolerance)):
            raise ValidationError(f"validation of '{self.name}': error {self.error} or tolerance {self.tolerance} "
                                  "is not finite")

    @property
    def passed(self) -> bool:
        return self.error <= self.tolerance and self.conditions_hold

    def _repr_html_(self) -> str:
        """Jupyter display: verdict, reason and metrics."""
        return html.validation_section(self)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON of ``qderive validate NAME --json``."""
        return {"name": self.name, "passed": self.passed, "error": self.error, "tolerance": self.tolerance,
                "conditions_hold": self.conditions_hold, "reason": self.reason, "metrics": dict(self.metrics),
                "scaling": dict(self.scaling),
                "details": self.details}


def judge(
    name: str,
    derivation: Derivation,
    error: float,
    tolerance: float,
    quantity: str,
    metrics: Mapping[str, float],
    scaling: Mapping[str, float] | None = None,
    details: str = "",
) -> Validation:
    """A :class:`Validation` of ``derivation``; its ``reason`` names the conditions that fail.

    ``quantity`` names the error, e.g. ``"relative error of rho_ee"``.
    """
    verdict = "within" if error <= tolerance else "OUTSIDE"
    reason = f"{quantity} = {error:.3g} is {verdict} the tolerance {tolerance:.3g}"
    failed = derivation.failed_conditions
    if failed:
        reason += "; outside the regime of the approximation: " + "; ".join(c.describe() for c in failed)
    return Validation(name, metrics, error, tolerance, reason, conditions_hold=not failed, scaling=scaling or {},
                      details=details)


def conditions_of(small_parameters: Mapping[str, sp.Expr], parameters: ParameterSet, limit: float,
                  meaning: str) -> dict[str, Condition]:
    """:class:`Condition` entries for an elimination's small parameters (absolute values) at ``parameters``."""
    return {
        name: Condition(name, expr, abs(complex(parameters.evaluate(expr))), limit, meaning)
        for name, expr in small_parameters.items()
    }


@dataclass(frozen=True)
class Report:
    """What ``qderive run`` writes and the tests read: a derivation, its validation and its figures."""

    derivation: Derivation
    validation: Validation | None
    figures: tuple[Figure, ...]


class SymbolicCache:
    """An explicit, clearable store for a system's parameter-independent symbolic work.

    A system's symbolic derivation does not depend on the numbers, so it is done once per key and
    reused by every later ``derive`` (sweeps call ``derive`` at many points).
    """

    def __init__(self) -> None:
        self._store: dict[Hashable, Any] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        if key not in self._store:
            self._store[key] = build()
        return self._store[key]

    def clear(self) -> None:
        self._store.clear()

    def __len__(self) -> int:
        return len(self._store)


@dataclass(frozen=True)
class Stages:
    """The module functions a system's package provides: ``derive(cache, parameters)``, ``validate``, ``figures``."""

    derive: Callable[[SymbolicCache, ParameterSet], Derivation]
    validate: Callable[[Derivation, ValidationOptions], Validation] | None = None
    figures: Callable[[Derivation, Validation | None, ValidationOptions], tuple[Figure, ...]] | None = None


class System:
    """A registered derivation. Subclasses set the class attributes, and either ``stages`` or override the methods.

    Attributes
    ----------
    name, title, summary : str
        Registry name (``qderive derive NAME``), a title, a one-line summary.
    parameters : tuple of Parameter
        The user-settable parameters (``--set``), each with meaning, unit and domain.
    defaults : mapping
        A value for every parameter.
    """

    name: str = ""
    title: str = ""
    summary: str = ""
    parameters: tuple[Parameter, ...] = ()
    defaults: Mapping[str, complex | float] = MappingProxyType({})
    stages: Stages | None = None
    #: ``(overrides, condition)``: a point outside the approximation's regime, where ``validate`` must FAIL
    #: and name ``condition`` (checked for every registered system by the contract tests)
    breakdown: tuple[Mapping[str, complex | float], str] | None = None

    def __init__(self) -> None:
        if not self.name or not self.name.replace("_", "").isalnum():
            raise QderiveError(f"a System needs a name of letters, digits and '_', got {self.name!r}")
        self.cache = SymbolicCache()

    def parameter_set(self, overrides: Mapping[str, complex | float] | None = None) -> ParameterSet:
        """The defaults updated by ``overrides``, each value checked against its parameter's domain."""
        return ParameterSet(self.parameters, {**self.defaults, **dict(overrides or {})})

    def derive(self, parameters: ParameterSet) -> Derivation:
        """The derivation at ``parameters`` (symbolic work from :attr:`cache`)."""
        if self.stages is None:
            raise QderiveError(f"derivation '{self.name}' defines neither stages nor derive()")
        return self.stages.derive(self.cache, parameters)

    def validate(self, derivation: Derivation, options: ValidationOptions = FULL) -> Validation | None:
        """Check ``derivation`` against the full model; ``None`` if the system has no full model."""
        if self.stages is None or self.stages.validate is None:
            return None
        return self.stages.validate(derivation, options)

    def figures(self, derivation: Derivation, validation: Validation | None,
                options: ValidationOptions = FULL) -> tuple[Figure, ...]:
        """Plot data drawn from ``derivation`` and ``validation``; none by default.

        ``options.quick`` asks for cheaper figures where a figure set validates (coarser maps),
        ``options.progress`` for progress lines on the long ones.
        """
        if self.stages is None or self.stages.figures is None:
            return ()
        return tuple(self.stages.figures(derivation, validation, options))

    def report(self, parameters: ParameterSet, options: ValidationOptions = FULL) -> Report:
        """Derive once, validate that derivation, and build the figures from both (progress if asked)."""
        with Progress(self.name, 3, enabled=options.progress) as progress:
            progress.stage("derive")
            derivation = self.derive(parameters)
            progress.stage("validate")
            validation = self.validate(derivation, options)
            progress.stage("figures")
            figures = tuple(self.figures(derivation, validation, options))
        return Report(derivation, validation, figures)
