"""``transducer001``: microwave-to-optical transduction through one NV0 centre (seed transducer001, MODELS.md).

Modules: :mod:`.model` (parameters, defaults and their rule, full and sub-models), :mod:`.derivation`
(eliminated rates, coefficient tensors, single-click fidelity), :mod:`.conversion` (two-tone harmonic
balance of the reduced model: P_tot, P_coh, R_d, bandwidth), :mod:`.periodic` (harmonic balance against
time integration), :mod:`.validation` (convergence, time integration, full model), :mod:`.sweeps`,
:mod:`.figures`; the benchmark is :mod:`qderive.bench.transducer001_bench`.
"""

from __future__ import annotations

from ..contract import Stages, System
from . import derivation, figures, validation
from .model import DEFAULTS, PARAMETERS


class Transducer001(System):
    """The NV0 transducer as a registered derivation.

    Examples
    --------
    >>> from qderive.derivations.transducer001.model import STATED_RATES
    >>> system = Transducer001()
    >>> values = system.parameter_set().values  # the stated numbers plus the design rule for the unstated ones
    >>> values["P_pump"], round(values["w20"] / (2 * 3.141592653589793e12), 6)  # 55 pW pump, 500 THz optical line
    (5.5e-11, 500.0)
    >>> system.parameter_set({"P_pump": -1.0})
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: 'P_pump' must be ...
    """

    name = "transducer001"
    title = derivation.TITLE
    summary = "microwave-to-optical transduction through one NV0: eliminated cavities, tensors, two-tone steady state"
    parameters = tuple(PARAMETERS.values())
    defaults = DEFAULTS
    stages = Stages(derivation.derive, validation.validate, figures.figures)
    breakdown = ({"P_pump": 1e-9}, "markov_b")  # outside the regime: validation fails naming this condition


SYSTEM = Transducer001
