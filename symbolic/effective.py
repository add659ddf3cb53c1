"""The result of an elimination: a reduced model with the assumptions and small parameters it needs."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from .errors import ApproximationWarning
from .model import Model
from .parameters import ParameterSet


@dataclass(frozen=True)
class EffectiveModel:
    """A reduced model valid while every ``small_parameters`` value is small.

    ``small_parameters`` maps a name (e.g. ``"g/|i Delta + kappa/2|"``) to a SymPy expression in
    the original model's parameters.
    """

    model: Model
    method: str
    assumptions: tuple[str, ...]
    small_parameters: Mapping[str, sp.Expr]

    def check(self, values: Mapping[str, complex | float] | ParameterSet, threshold: float = 0.1) -> dict[str, float]:
        """Evaluate the small parameters; warn (:class:`ApproximationWarning`) for each above ``threshold``."""
        parameters = values if isinstance(values, ParameterSet) else self.model.parameter_set(values)
        result = {}
        for name, expr in self.small_parameters.items():
            value = abs(complex(parameters.evaluate(expr)))
            result[name] = value
            if value > threshold:
                warnings.warn(
                    f"{self.method}: small parameter {name} = {value:.3g} is not small (threshold {threshold}); "
                    "the effective model may be inaccurate here",
                    ApproximationWarning,
                    stacklevel=2,
                )
        return result
