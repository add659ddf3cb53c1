"""The result of an elimination: a reduced model with the assumptions and small parameters it needs."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.pretty.stringpict import prettyForm

from .errors import ApproximationWarning
from .model import Model
from .parameters import ParameterSet
from .printing import latex_text, pretty_lines, pretty_text, repr_latex


@dataclass(frozen=True)
class EffectiveModel:
    """A reduced model valid while every ``small_parameters`` value is small.

    ``small_parameters`` maps a name (e.g. ``"g/|i Delta + kappa/2|"``) to a SymPy expression in
    the original model's parameters.

    Examples
    --------
    >>> from qderive.symbolic import adiabatic_eliminate
    >>> from qderive.symbolic.library import jaynes_cummings
    >>> model = jaynes_cummings()
    >>> undriven = model.replace(hamiltonian=model.hamiltonian.subs(model.parameters["E"].symbol, 0))
    >>> reduced = adiabatic_eliminate(undriven, model.subsystem("a"))
    >>> [s.name for s in reduced.model.subsystems], reduced.method
    (['s'], 'adiabatic elimination (Langevin)')
    """

    model: Model
    method: str
    assumptions: tuple[str, ...]
    small_parameters: Mapping[str, sp.Expr]

    def check(self, values: Mapping[str, complex | float] | ParameterSet, threshold: float = 0.1) -> dict[str, float]:
        """Evaluate the small parameters; warn (:class:`ApproximationWarning`) for each above ``threshold``.

        Examples
        --------
        >>> import warnings
        >>> from qderive.symbolic import adiabatic_eliminate
        >>> from qderive.symbolic.library import jaynes_cummings
        >>> model = jaynes_cummings()
        >>> undriven = model.replace(hamiltonian=model.hamiltonian.subs(model.parameters["E"].symbol, 0))
        >>> reduced = adiabatic_eliminate(undriven, model.subsystem("a"))
        >>> values = {"Delta_c": 0.0, "Delta_a": 0.0, "g": 1.0, "E": 0.0, "kappa": 100.0, "gamma": 1.0}
        >>> small = reduced.check(values)  # |g| / (kappa/2) = 0.02
        >>> [round(v, 6) for v in small.values()]
        [0.02]
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     _ = reduced.check({**values, "kappa": 4.0})  # g / (kappa/2) = 0.5 is not small
        >>> caught[0].category.__name__
        'ApproximationWarning'
        """
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

    # -- printing -------------------------------------------------------------------------
    def _sympystr(self, printer: Any) -> str:
        lines = [f"{self.method}: {printer._print(self.model)}", "  valid while small:"]
        lines += [f"    {name} = {printer._print(expr)}" for name, expr in self.small_parameters.items()]
        lines += ["  assumptions:", *(f"    - {a}" for a in self.assumptions)]
        return "\n".join(lines)

    def _latex(self, printer: Any) -> str:
        lines = [rf"&{latex_text(f'{self.method}: {self.model.name}')}", *self.model._latex_equations(printer)]
        lines += [rf"&{latex_text(n)} = {printer._print(expr)} \ll 1" for n, expr in self.small_parameters.items()]
        lines += [rf"&{latex_text(a)}" for a in self.assumptions]
        return r"\begin{aligned}" + r"\\ ".join(lines) + r"\end{aligned}"

    def _pretty(self, printer: Any) -> prettyForm:
        lines = [prettyForm(f"{self.method}: {self.model.name}"), *self.model._pretty_equations(printer)]
        lines += [pretty_text(printer, f"{name} = ", expr, " << 1") for name, expr in self.small_parameters.items()]
        lines += [prettyForm(f"- {a}") for a in self.assumptions]
        return pretty_lines(lines)

    def __str__(self) -> str:
        return str(sp.sstr(self))

    def _repr_latex_(self) -> str:
        return repr_latex(self)
