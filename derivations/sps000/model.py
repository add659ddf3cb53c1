r"""Full model of the room-temperature spin-optomechanical single-photon source (seed sps000).

.. math::
    H = \omega_q(\sigma_+\sigma_- + a^\dagger a) + \omega_m(b^\dagger b + c^\dagger c)
        + [(\lambda\sigma_- + g_{sp} a + g_c c)(b + b^\dagger) + \mathrm{h.c.}]

    \dot\rho = -i[H,\rho] + \gamma^* D[\sigma_+\sigma_-] + \kappa_{sp} D[a] + \kappa_c D[c]
               + \gamma_m n_{th} D[b^\dagger] + \gamma_m (1 + n_{th}) D[b]

No rotating-wave approximation and no elimination (MODELS.md, section sps000). The spin is the
dressed qubit ``{|d>, |e>}`` with ``sigma_- = |d><e|``.
"""

from __future__ import annotations

import numpy as np

from qderive.symbolic import BosonMode, Dissipator, Model, NLevelSystem, declare, thermal_dissipators

PARAMETERS = declare([
    ("w_q", "dressed-qubit and cavity frequency w_m + delta", "rad/s"),
    ("w_m", "mechanical (and cooling-mode) frequency", "rad/s"),
    ("lam", "spin-mechanics coupling lambda", "rad/s"),
    ("g_sp", "single-photon-cavity / mechanics coupling", "rad/s"),
    ("g_c", "cooling-cavity / mechanics coupling", "rad/s"),
    ("gstar", "spin pure dephasing rate", "rad/s", "nonnegative"),
    ("kappa_sp", "single-photon cavity decay rate", "rad/s"),
    ("kappa_c", "cooling cavity decay rate", "rad/s"),
    ("gamma_m", "mechanical damping rate w_m / Q_m", "rad/s"),
    ("n_th", "thermal phonon number k_B T / (hbar w_m)", "1", "nonnegative"),
])

# Fig. 3 of the source: fm = 3 MHz, delta = 2pi x 1 MHz, lam = gsp = 2pi x 100 kHz, ksp = 2pi x 20 kHz,
# kc = 4 gc = 2pi x 600 kHz, gstar = 2pi x 0.2 kHz, Qm = 5e8, T = 300 K.
_TWO_PI = 2 * np.pi
_W_M = _TWO_PI * 3e6
FIG3 = {
    "w_q": _W_M + _TWO_PI * 1e6, "w_m": _W_M, "lam": _TWO_PI * 100e3, "g_sp": _TWO_PI * 100e3,
    "g_c": _TWO_PI * 150e3, "gstar": _TWO_PI * 0.2e3, "kappa_sp": _TWO_PI * 20e3, "kappa_c": _TWO_PI * 600e3,
    "gamma_m": _W_M / 5e8, "n_th": 1.380649e-23 * 300 / (1.054571817e-34 * _W_M),
}

SPIN = NLevelSystem("s", ("d", "e"))
PHOTON, PHONON, COOLING = BosonMode("a"), BosonMode("b"), BosonMode("c")


def full_model() -> Model:
    """The sps000 master equation exactly as stated in MODELS.md."""
    P = {name: p.symbol for name, p in PARAMETERS.items()}
    s_minus = SPIN.sigma("d", "e")
    a, b, c = PHOTON.a, PHONON.a, COOLING.a
    coupling = (P["lam"] * s_minus + P["g_sp"] * a + P["g_c"] * c) * (b + b.dag())
    H = (P["w_q"] * (s_minus.dag() * s_minus + a.dag() * a) + P["w_m"] * (b.dag() * b + c.dag() * c)
         + coupling + coupling.dag())
    dissipators = (
        Dissipator(P["gstar"], s_minus.dag() * s_minus, "gstar"),
        Dissipator(P["kappa_sp"], a, "kappa_sp"),
        Dissipator(P["kappa_c"], c, "kappa_c"),
        *thermal_dissipators(P["gamma_m"], P["n_th"], b, "gamma_m"),
    )
    return Model("sps000", (SPIN, PHOTON, PHONON, COOLING), H, dissipators, PARAMETERS, ports=("kappa_sp",))
