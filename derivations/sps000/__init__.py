"""``sps000``: room-temperature spin-optomechanical single-photon source (seed sps000, MODELS.md section sps000).

Modules: :mod:`.model` (the full model, its rotating-wave form, the source's parameters),
:mod:`.protocol` (cooled initial state), :mod:`.derivation` (dressing, cooling, Raman elimination,
rates, discrepancies), :mod:`.validation` (full model vs effective model over the source's gate),
:mod:`.figures` (Fig. 3(b)-(f), validity map, gate optimiser).
"""

from __future__ import annotations

import math

from ..contract import Derivation, System, Validation, ValidationOptions
from ..plotting import Figure
from . import derivation, figures, validation
from .model import DEFAULTS, SOURCE_PARAMETERS


class Sps000(System):
    """The spin-optomechanical single-photon source as a registered derivation."""

    name = "sps000"
    title = derivation.TITLE
    summary = "spin-optomechanical single-photon source: Raman elimination of thermal mechanics, I, g2, beta"
    parameters = tuple(SOURCE_PARAMETERS.values())
    defaults = DEFAULTS
    breakdown = ({"delta": 2 * math.pi * 2e5}, "|X| sqrt(2 n + 1)")  # outside the regime: validation names it

    def derive(self, parameters) -> Derivation:
        return derivation.derive(self.cache, parameters)

    def validate(self, derivation: Derivation, options: ValidationOptions | None = None) -> Validation:
        return validation.validate(derivation, options or ValidationOptions())

    def figures(self, derivation: Derivation, validation: Validation | None,
                options: ValidationOptions | None = None) -> tuple[Figure, ...]:
        return figures.figures(self, derivation, validation, options or ValidationOptions())


SYSTEM = Sps000
