"""``engine004``: the two-qubit NV entanglement engine (seed engine004, MODELS.md section engine004).

Modules: :mod:`.model` (parameters, constants, master equation), :mod:`.derivation` (resonance
field, spin-1 flip-flop coupling, bath field, closed-form steady state and concurrence, optimum and
thresholds, discrepancies), :mod:`.validation` (full master equation, transients),
:mod:`.figures` (Fig. 3a-c and two maps).
"""

from __future__ import annotations

from ..contract import Stages, System
from . import derivation, figures, validation
from .model import DEFAULTS, PARAMETERS


class Engine004(System):
    """The NV entanglement engine as a registered derivation.

    Examples
    --------
    >>> system = Engine004()
    >>> overrides, condition = system.breakdown  # where validate must FAIL, naming the condition
    >>> system.parameter_set(overrides)["g"] / system.defaults["eps"] > 0.1, condition
    (True, 'g/eps')
    >>> system.parameter_set({"pR": 1.5})
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: 'pR' must lie in [-1, 1] (polarisation of the right (cold) bath), got 1.5

    """

    name = "engine004"
    title = derivation.TITLE
    summary = "two-qubit NV entanglement engine: couplings, rates, steady-state concurrence"
    parameters = tuple(PARAMETERS.values())
    defaults = DEFAULTS
    stages = Stages(derivation.derive, validation.validate, figures.figures)
    breakdown = ({"g": 1e7}, "g/eps")  # outside the regime: validation fails naming this condition


SYSTEM = Engine004
