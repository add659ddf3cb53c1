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
    """The spin-optomechanical single-photon source as a registered derivation.

    Examples
    --------
    >>> from qderive.derivations.sps000.model import full_values
    >>> system = Sps000()
    >>> parameters = system.parameter_set()
    >>> n_th = full_values(parameters.values)["n_th"]  # k_B T / (hbar w_m): a hot mechanical mode at room temperature
    >>> round(n_th / (1.380649e-23 * parameters["T"] / (1.054571817e-34 * 2 * math.pi * parameters["fm"])), 12)
    1.0
    >>> system.breakdown[1]  # the small parameter named when the validation fails outside its regime
    '|X| sqrt(2 n + 1)'
    """

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
