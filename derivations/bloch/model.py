r"""The driven two-level atom with pure dephasing (rotating frame of the laser, RWA, hbar = 1).

.. math:: H = -\Delta\,\sigma_{ee} + \tfrac{\Omega}{2}(\sigma_{eg} + \sigma_{ge}),\qquad
          \dot\rho = -i[H,\rho] + \Gamma D[\sigma_{ge}]\rho + 2\gamma_\phi D[\sigma_{ee}]\rho,

with ``Delta = w_laser - w_atom``; the coherence then decays at ``gamma_perp = Gamma/2 + gamma_phi``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from qderive.symbolic import TIME, Dissipator, Model, NLevelSystem, declare

PARAMETERS = declare(
    [
        ("Omega", "Rabi frequency of the drive", "rad/s"),
        ("Delta", "laser-atom detuning w_L - w_0", "rad/s", "real"),
        ("Gamma", "spontaneous emission rate", "rad/s"),
        ("gamma_phi", "pure dephasing rate of the coherence", "rad/s", "nonnegative"),
        ("omega_0", "atomic transition frequency (enters only the check of the rotating-wave approximation)",
         "rad/s"),
    ]
)
DEFAULTS = {"Omega": 2 * np.pi * 5e6, "Delta": 2 * np.pi * 2e6, "Gamma": 2 * np.pi * 6e6, "gamma_phi": 2 * np.pi * 1e6,
            "omega_0": 2 * np.pi * 384.23e12}
Omega, Delta, Gamma, gamma_phi, omega_0 = (PARAMETERS[k].symbol for k in ("Omega", "Delta", "Gamma", "gamma_phi",
                                                                            "omega_0"))
ATOM = NLevelSystem("s", ("g", "e"))


def bloch_model() -> Model:
    """The master equation above as a :class:`~qderive.symbolic.Model` (port ``rad``: the emitted field).

    Examples
    --------
    >>> model = bloch_model()
    >>> model.hamiltonian.is_hermitian(), [d.channel for d in model.dissipators], model.ports
    (True, ['rad', 'deph'], ('rad',))
    """
    s = ATOM.sigma
    H = -Delta * s("e", "e") + Omega / 2 * (s("e", "g") + s("g", "e"))
    dissipators = (Dissipator(Gamma, s("g", "e"), "rad"), Dissipator(2 * gamma_phi, s("e", "e"), "deph"))
    return Model("bloch", (ATOM,), H, dissipators, PARAMETERS, ports=("rad",))


def lab_frame_model() -> Model:
    r"""The same atom without the rotating-wave approximation, in the laboratory frame.

    .. math:: H = \omega_0\sigma_{ee} + \Omega\cos(\omega_L t)(\sigma_{eg} + \sigma_{ge}),
              \quad \omega_L = \omega_0 + \Delta,

    written as tones ``exp(-+ i w_L t)``; its period-averaged populations approach the rotating-frame
    steady state when ``Omega, |Delta| << omega_0``.

    Examples
    --------
    >>> model = lab_frame_model()
    >>> TIME in model.hamiltonian.free_symbols, omega_0 in model.hamiltonian.free_symbols  # explicit optical drive
    (True, True)
    """
    s = ATOM.sigma
    w_laser = omega_0 + Delta
    drive = Omega / 2 * (sp.exp(-sp.I * w_laser * TIME) + sp.exp(sp.I * w_laser * TIME))
    H = omega_0 * s("e", "e") + drive * (s("e", "g") + s("g", "e"))
    dissipators = (Dissipator(Gamma, s("g", "e"), "rad"), Dissipator(2 * gamma_phi, s("e", "e"), "deph"))
    return Model("bloch_lab", (ATOM,), H, dissipators, PARAMETERS, ports=("rad",))
