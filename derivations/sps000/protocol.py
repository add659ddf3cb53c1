"""The sps000 protocol's initial state: modes cooled with the spin in ``|d>``, then the spin set to ``|e>``."""

from __future__ import annotations

import numpy as np

from qderive.numeric import fock_model, steady_state
from qderive.symbolic import Model, NLevelSystem, Op

from .model import full_model

GATE = (10e-6, 22e-6)  # the source's photon-counting gate [tl, tu] (Fig. 3)


def _with_level(op: Op, system: NLevelSystem, level: str) -> Op:
    """``<level| A |level>`` on ``system``: the operator acting on the other subsystems."""
    index = system.index(level)
    terms: dict = {}
    for monomial, c in op.terms.items():
        factors = dict(monomial)
        if factors.pop(system, (index, index)) == (index, index):
            rest = tuple((sub, factor) for sub, factor in monomial if sub != system)
            terms[rest] = terms.get(rest, 0) + c
    return Op({m: c for m, c in terms.items() if c != 0})


def sps000_cooled_state(values: dict[str, float], cutoffs: dict[str, int], tolerance: float = 1e-4) -> np.ndarray:
    """Start of the sps000 protocol: the modes' steady state under cooling with the spin in ``|d>``
    (where the spin-phonon coupling vanishes), then the spin set to ``|e>``: ``|e><e| x rho_modes``.

    The full model with ``lam = 0`` has no unique steady state (the spin populations never
    relax), so the modes are solved as their own model, ``<d| H |d>`` with the modes' dissipators.

    Examples
    --------
    >>> from qderive.derivations.sps000.model import DEFAULTS, full_values
    >>> values = full_values(DEFAULTS) | {"g_c": 1e-6, "g_sp": 1e-6, "n_th": 0.0}  # modes decoupled and cold
    >>> rho = sps000_cooled_state(values, {"a": 2, "b": 2, "c": 2})
    >>> rho.shape, round(float(rho[8, 8].real), 9)  # |e> x vacuum: index 8 of (s, a, b, c) = (2, 2, 2, 2)
    ((16, 16), 1.0)
    """
    model = full_model()
    spin, modes = model.subsystems[0], model.subsystems[1:]
    dissipators = tuple(d for d in model.dissipators if spin not in {s for m in d.operator.terms for s, _ in m})
    cooling = Model("sps000_modes", modes, _with_level(model.hamiltonian, spin, "d"), dissipators, model.parameters)
    rho_modes = steady_state(fock_model(cooling, values, cutoffs), tolerance)
    return np.kron(np.diag([0.0, 1.0]), rho_modes)
