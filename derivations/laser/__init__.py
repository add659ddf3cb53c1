"""``laser``: N identical atoms in a cavity with incoherent pumping, by the cumulant expansion.

Modules: :mod:`.model` (parameters, the master equation with explicit atoms, the representative
pair), :mod:`.derivation` (order-1 and order-2 equations with symbolic N, threshold and mean-field
photon number in closed form, order-2 steady state and linewidth), :mod:`.validation` (tensor
product for N <= 4, Dicke basis for N <= 10), :mod:`.figures` (photon number and linewidth versus
pump for N = 1..1000, error versus N).
"""

from __future__ import annotations

from ..contract import Stages, System
from . import derivation, figures, validation
from .model import DEFAULTS, PARAMETERS


class Laser(System):
    """The N-atom laser as a registered derivation.

    Examples
    --------
    >>> system = Laser()
    >>> d = system.derive(system.parameter_set())
    >>> d.value("n_meanfield") > 0, d.value("nu_threshold") < system.defaults["nu"] < d.value("nu_quench")  # lasing
    (True, True)
    """

    name = "laser"
    title = derivation.TITLE
    summary = "N-atom laser: cumulant equations with symbolic N, threshold, photon number, linewidth"
    parameters = tuple(PARAMETERS.values())
    defaults = DEFAULTS
    stages = Stages(derivation.derive, validation.validate, figures.figures)
    breakdown = ({"N": 1}, "1/N")  # outside the regime: validation fails naming this condition


SYSTEM = Laser
