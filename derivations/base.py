"""The derivation object: assumptions, steps, results, discrepancies, and its validation record.

A derivation module builds one immutable :class:`Derivation`; the command line, the report and
the tests all read that object and none re-derives anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from qderive.symbolic import Parameter, ParameterSet


@dataclass(frozen=True)
class Step:
    """One step of a derivation: a title, the equation in LaTeX, and an optional remark."""

    title: str
    latex: str
    note: str = ""

@dataclass(frozen=True)
class Result:
    """A derived quantity: its SymPy expression, unit, and value at the derivation's parameters.

    ``value`` is ``None`` for results that are not numbers (conditions, functions of a sweep).
    """

    expr: sp.Basic
    units: str
    value: float | None = None
    meaning: str = ""

@dataclass(frozen=True)
class Discrepancy:
    """A source formula or number that disagrees with the derivation."""

    source: str
    stated: str
    derived: str
    note: str

@dataclass(frozen=True)
class Derivation:
    """Everything a derivation produced, immutable."""

    name: str
    title: str
    assumptions: tuple[str, ...]
    steps: tuple[Step, ...]
    results: Mapping[str, Result]
    discrepancies: tuple[Discrepancy, ...] = ()
    parameters: ParameterSet | None = None

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape of ``qderive derive NAME --json``."""
        return {
            "name": self.name,
            "assumptions": list(self.assumptions),
            "steps": [{"title": s.title, "latex": s.latex} for s in self.steps],
            "results": {
                key: {"expr": sp.sstr(r.expr), "latex": sp.latex(r.expr), "value": r.value, "units": r.units}
                for key, r in self.results.items()
            },
            "discrepancies": [
                {"source": d.source, "stated": d.stated, "derived": d.derived, "note": d.note}
                for d in self.discrepancies
            ],
        }

@dataclass(frozen=True)
class Validation:
    """Comparison of a derivation's approximation with the full numerical solution."""

    name: str
    metrics: Mapping[str, float]
    passed: bool
    details: str | Mapping[str, Any] = ""

    def __post_init__(self) -> None:
        for key, value in self.metrics.items():
            if not math.isfinite(value):
                raise ValueError(f"validation metric '{key}' of '{self.name}' is {value}; a metric must be finite")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "metrics": dict(self.metrics), "passed": self.passed, "details": self.details}

Figures = Callable[[ParameterSet, "Path"], list["Path"]]  # noqa: F821 - pathlib.Path, resolved lazily

@dataclass(frozen=True)
class Entry:
    """A registered derivation: its parameters with default values and what it can do.

    ``derive`` and ``validate`` take a validated :class:`ParameterSet`; ``figures`` also takes an
    output folder and returns the files it wrote.
    """

    name: str
    summary: str
    parameters: tuple[Parameter, ...]
    defaults: Mapping[str, float]
    derive: Callable[[ParameterSet], Derivation]
    validate: Callable[[ParameterSet], Validation] | None = None
    figures: Callable[..., list] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def parameter_set(self, overrides: Mapping[str, float] | None = None) -> ParameterSet:
        """Defaults updated by ``overrides``, each value checked against its parameter's domain."""
        return ParameterSet(self.parameters, {**self.defaults, **dict(overrides or {})})
