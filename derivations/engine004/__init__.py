"""``engine004``: the two-qubit NV entanglement engine (seed engine004, MODELS.md section engine004).

Modules: :mod:`.model` (parameters, constants, master equation), :mod:`.derivation` (resonance
field, spin-1 flip-flop coupling, bath field, closed-form steady state and concurrence, optimum and
thresholds, discrepancies), :mod:`.validation` (full master equation, transients),
:mod:`.figures` (Fig. 3a-c and two maps).
"""

from __future__ import annotations

from ..contract import FULL, Derivation, System, Validation, ValidationOptions
from ..plotting import Figure
from . import derivation, figures, validation
from .model import DEFAULTS, PARAMETERS


class Engine004(System):
    """The NV entanglement engine as a registered derivation."""

    name = "engine004"
    title = derivation.TITLE
    summary = "two-qubit NV entanglement engine: couplings, rates, steady-state concurrence"
    parameters = tuple(PARAMETERS.values())
    defaults = DEFAULTS

    def derive(self, parameters) -> Derivation:
        return derivation.derive(self.cache, parameters)

    def validate(self, derivation: Derivation, options: ValidationOptions = FULL) -> Validation:
        return validation.validate(derivation, options)

    def figures(self, derivation: Derivation, validation: Validation | None) -> tuple[Figure, ...]:
        return figures.figures(derivation, validation)


SYSTEM = Engine004
