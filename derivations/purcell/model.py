r"""An emitter in a bad cavity.

.. math:: H = \Delta a^\dagger a + g(a^\dagger\sigma_- + a\sigma_+),\quad \kappa D[a] + \gamma D[\sigma_-]

``kappa`` is the cavity's energy decay rate (its only port), ``gamma`` the emitter's decay into
other modes, ``Delta`` the cavity-emitter detuning.
"""

from __future__ import annotations

import numpy as np

from qderive.symbolic import BosonMode, Dissipator, Model, NLevelSystem, declare

PARAMETERS = declare(
    [
        ("g", "emitter-cavity coupling", "rad/s"),
        ("kappa", "cavity energy decay rate", "rad/s"),
        ("gamma", "emitter decay rate into other modes", "rad/s", "nonnegative"),
        ("Delta", "cavity-emitter detuning", "rad/s", "real"),
    ]
)
DEFAULTS = {"g": 2 * np.pi * 1e9, "kappa": 2 * np.pi * 40e9, "gamma": 2 * np.pi * 0.2e9, "Delta": 0.0}
g, kappa, gamma, Delta = (p.symbol for p in PARAMETERS.values())
CAVITY, EMITTER = BosonMode("a"), NLevelSystem("s", ("g", "e"))


def purcell_model() -> Model:
    """The model above (port ``kappa``: the cavity output).

    Examples
    --------
    >>> from qderive.symbolic import commutator
    >>> model = purcell_model()
    >>> a, s = CAVITY.a, EMITTER
    >>> commutator(model.hamiltonian, a.dag() * a + s.projector("e")).is_zero()  # excitations are conserved
    True
    """
    a, s_minus = CAVITY.a, EMITTER.sigma("g", "e")
    H = Delta * a.dag() * a + g * (a.dag() * s_minus + a * s_minus.dag())
    return Model(
        "purcell",
        (CAVITY, EMITTER),
        H,
        (Dissipator(kappa, a, "kappa"), Dissipator(gamma, s_minus, "gamma")),
        PARAMETERS,
        ports=("kappa",),
    )
