"""``vbg003``: pump-written virtual Bragg grating (seed vbg003, MODELS.md section vbg003).

Modules: :mod:`.model` (parameters), :mod:`.derivation` (offset, selection rules, radiative orders,
bright supermodes, conversion, write-in), :mod:`.farfield` (compiled Bessel model and exact dipole
sum), :mod:`.validation` (brute-force site sums, exact far field and dynamics), :mod:`.figures`.
"""

from __future__ import annotations

from ..contract import Stages, System
from . import derivation, figures, validation
from .model import DEFAULTS, PARAMETERS


class VirtualBraggGrating(System):
    """The vbg003 derivation as a registered system.

    Examples
    --------
    >>> system = VirtualBraggGrating()
    >>> d = system.derive(system.parameter_set({"N": 21}))  # the source's ring row: no on-axis channel
    >>> d.value("on_axis"), d.failed_conditions
    (0.0, ())
    """

    name = "vbg003"
    title = derivation.TITLE
    summary = "virtual Bragg grating: selection rules, bright supermodes, conversion and far field"
    parameters = tuple(PARAMETERS.values())
    defaults = DEFAULTS
    stages = Stages(derivation.derive, validation.validate, figures.figures)
    breakdown = ({"N": 5}, "k R/|l_next|")  # outside the regime: validation fails naming this condition


SYSTEM = VirtualBraggGrating
