"""``bloch``: optical Bloch equations of a driven two-level atom with dephasing, exact steady state.

Modules: :mod:`.model` (the master equation, with and without the RWA), :mod:`.derivation`
(drift tensor, steady state, saturation form), :mod:`.validation` (closed form vs the lab-frame
model and the rotating-frame master equation).
"""

from __future__ import annotations

from ..contract import Stages, System
from . import derivation, validation
from .model import DEFAULTS, PARAMETERS


class Bloch(System):
    """The optical Bloch equations as a registered derivation.

    Examples
    --------
    >>> from qderive.derivations.contract import QUICK
    >>> system = Bloch()
    >>> derivation = system.derive(system.parameter_set())
    >>> system.validate(derivation, QUICK).passed  # the default parameters lie in the rotating-wave regime
    True
    """

    name = "bloch"
    title = derivation.TITLE
    summary = "optical Bloch equations: driven two-level atom with dephasing"
    parameters = tuple(PARAMETERS.values())
    defaults = DEFAULTS
    stages = Stages(derivation.derive, validation.validate)
    breakdown = ({"Omega": 5e14}, "Omega/omega_0")  # outside the regime: validation fails naming this condition


SYSTEM = Bloch
