"""``transducer001``: microwave-to-optical transduction through one NV0 centre (seed transducer001, MODELS.md).

Modules: :mod:`.model` (parameters, defaults and their rule, full and sub-models), :mod:`.derivation`
(eliminated rates, coefficient tensors, single-click fidelity), :mod:`.conversion` (two-tone harmonic
balance of the reduced model: P_tot, P_coh, R_d, bandwidth), :mod:`.validation` (convergence, time
integration, full model), :mod:`.figures`, :mod:`.bench` (a 40x40 map against QuTiP).
"""

from __future__ import annotations

from ..contract import Derivation, System, Validation, ValidationOptions
from ..plotting import Figure
from . import derivation, figures, validation
from .model import DEFAULTS, PARAMETERS


class Transducer001(System):
    """The NV0 transducer as a registered derivation."""

    name = "transducer001"
    title = derivation.TITLE
    summary = "microwave-to-optical transduction through one NV0: eliminated cavities, tensors, two-tone steady state"
    parameters = tuple(PARAMETERS.values())
    defaults = DEFAULTS

    def derive(self, parameters) -> Derivation:
        return derivation.derive(self.cache, parameters)

    def validate(self, derivation: Derivation, options: ValidationOptions | None = None) -> Validation:
        return validation.validate(derivation, options or ValidationOptions())

    def figures(self, derivation: Derivation, validation: Validation | None) -> tuple[Figure, ...]:
        return figures.figures(derivation, validation)


SYSTEM = Transducer001
