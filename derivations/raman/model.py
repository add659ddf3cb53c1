r"""A far-detuned lambda system: two ground levels 1, 2 and an excited level e.

.. math:: H = \Delta\sigma_{ee} + \tfrac{\Omega_1}{2}(\sigma_{e1} + \sigma_{1e})
          + \tfrac{\Omega_2}{2}(\sigma_{e2} + \sigma_{2e}),
          \quad \Gamma D[\sigma_{1e}] + \Gamma D[\sigma_{2e}]

(rotating frame of both lasers, Raman resonance).
"""

from __future__ import annotations

import numpy as np

from qderive.symbolic import Dissipator, Model, NLevelSystem, Op, declare

PARAMETERS = declare(
    [
        ("Omega1", "Rabi frequency on 1 <-> e", "rad/s"),
        ("Omega2", "Rabi frequency on 2 <-> e", "rad/s", "nonnegative"),
        ("Delta", "detuning of the excited level", "rad/s", "real"),
        ("Gamma", "decay rate e -> 1 and e -> 2 (each)", "rad/s", "nonnegative"),
    ]
)
DEFAULTS = {"Omega1": 2 * np.pi * 10e6, "Omega2": 2 * np.pi * 8e6, "Delta": 2 * np.pi * 1e9, "Gamma": 2 * np.pi * 6e6}
Omega1, Omega2, Delta, Gamma = (p.symbol for p in PARAMETERS.values())
ATOM = NLevelSystem("s", (1, 2, "e"))


def parts() -> tuple[Op, Op]:
    """The free part ``Delta sigma_ee`` and the laser coupling.

    Examples
    --------
    >>> free, coupling = parts()
    >>> (free + coupling).is_hermitian(), coupling.coefficient(ATOM.sigma("e", 1))
    (True, Omega1/2)
    """
    s = ATOM.sigma
    free = Delta * s("e", "e")
    coupling = Omega1 / 2 * (s("e", 1) + s(1, "e")) + Omega2 / 2 * (s("e", 2) + s(2, "e"))
    return free, coupling


def lambda_model() -> Model:
    """The model above; ``Gamma_1`` and ``Gamma_2`` are the two decay channels.

    Examples
    --------
    >>> model = lambda_model()
    >>> [str(d) for d in model.dissipators]  # equal branching from e into 1 and 2
    ['Gamma D[s_1e]', 'Gamma D[s_2e]']
    """
    free, coupling = parts()
    jumps = (Dissipator(Gamma, ATOM.sigma(1, "e"), "Gamma_1"), Dissipator(Gamma, ATOM.sigma(2, "e"), "Gamma_2"))
    return Model("raman", (ATOM,), free + coupling, jumps, PARAMETERS)
