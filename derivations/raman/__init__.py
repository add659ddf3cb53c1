"""``raman``: Raman coupling, Stark shifts and pumping of a far-detuned lambda system.

Modules: :mod:`.model`, :mod:`.derivation`, :mod:`.validation`.
"""

from __future__ import annotations

from ..contract import Stages, System
from . import derivation, validation
from .model import DEFAULTS, PARAMETERS


class Raman(System):
    """The Raman derivation as a registered system.

    Examples
    --------
    >>> from qderive.derivations.contract import QUICK
    >>> system = Raman()
    >>> validation = system.validate(system.derive(system.parameter_set()), QUICK)
    >>> validation.passed, validation.metrics["rel_error_splitting"] < 1e-3  # Omega/(2 Delta) ~ 5e-3 by default
    (True, True)
    """

    name = "raman"
    title = derivation.TITLE
    summary = "Raman coupling and Stark shifts of a far-detuned lambda system"
    parameters = tuple(PARAMETERS.values())
    defaults = DEFAULTS
    stages = Stages(derivation.derive, validation.validate)
    breakdown = ({"Delta": 1e7}, "s_e1")  # outside the regime: validation fails naming this condition


SYSTEM = Raman
