"""``purcell``: Purcell rate by adiabatic elimination of a bad cavity, checked against the full Liouvillian.

Modules: :mod:`.model`, :mod:`.derivation`, :mod:`.validation`.
"""

from __future__ import annotations

from ..contract import Stages, System
from . import derivation, validation
from .model import DEFAULTS, PARAMETERS


class Purcell(System):
    """The Purcell derivation as a registered system.

    Examples
    --------
    >>> system = Purcell()
    >>> d = system.derive(system.parameter_set())
    >>> d.value("Purcell_factor") == d.value("Gamma_P") / system.defaults["gamma"], d.failed_conditions
    (True, ())
    """

    name = "purcell"
    title = derivation.TITLE
    summary = "Purcell rate 4 g^2/kappa by adiabatic elimination of the cavity"
    parameters = tuple(PARAMETERS.values())
    defaults = DEFAULTS
    stages = Stages(derivation.derive, validation.validate)
    breakdown = ({"g": 2e11}, "kappa")  # outside the regime: validation fails naming this condition


SYSTEM = Purcell
