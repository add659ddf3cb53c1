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


# -- the source's parameters (the System's) and the models the derivation eliminates from ------------------

HBAR = 1.054571817e-34  # J s (CODATA 2018, exact with the SI definitions)
K_B = 1.380649e-23  # J/K (exact)

SOURCE_PARAMETERS = declare([
    ("T", "temperature of the mechanical bath", "K"),
    ("Qm", "mechanical quality factor", ""),
    ("fm", "mechanical frequency (cyclic)", "Hz"),
    ("delta", "Raman detuning w_q - w_m", "rad/s"),
    ("lam", "spin-mechanics coupling lambda", "rad/s"),
    ("gsp", "single-photon-cavity / mechanics optomechanical coupling", "rad/s"),
    ("ksp", "single-photon cavity energy decay rate", "rad/s"),
    ("kc", "cooling cavity energy decay rate", "rad/s"),
    ("gc", "cooling-cavity / mechanics optomechanical coupling", "rad/s"),
    ("gstar", "spin pure-dephasing rate (gstar D[s+ s-])", "rad/s", "nonnegative"),
    ("tl", "start of the detection gate", "s", "nonnegative"),
    ("tu", "end of the detection gate", "s"),
    ("Omega_q", "microwave Rabi frequency on each |0> <-> |+-1> transition", "rad/s"),
    ("Delta_q", "microwave detuning from the |0> <-> |+-1> transitions", "rad/s"),
    ("rwa", "1: validate the rotating-wave full model as well as the stated one (cutoffs converged on it); "
            "0: the stated one only (cutoffs converged on it, slower)", "",
     "nonnegative", (0.0, 1.0)),
])

# The dressing is not given in the source; Delta_q = 2pi x 1 GHz (below the 2.88 GHz zero-field
# splitting) and Omega_q chosen so that Omega_q^2 / (2 Delta_q) = w_m + delta (derived splitting).
_DELTA_Q = _TWO_PI * 1e9
DEFAULTS = {
    "T": 300.0, "Qm": 5e8, "fm": 3e6, "delta": _TWO_PI * 1e6, "lam": _TWO_PI * 100e3, "gsp": _TWO_PI * 100e3,
    "ksp": _TWO_PI * 20e3, "kc": _TWO_PI * 600e3, "gc": _TWO_PI * 150e3, "gstar": _TWO_PI * 0.2e3,
    "tl": 10e-6, "tu": 22e-6, "Delta_q": _DELTA_Q,
    "Omega_q": float(np.sqrt(2 * _DELTA_Q * (_W_M + _TWO_PI * 1e6))), "rwa": 1.0,
}


def full_values(values) -> dict[str, float]:
    """Values of the full model's parameters (:data:`PARAMETERS`) from the source's (:data:`SOURCE_PARAMETERS`).

    ``w_m = 2 pi fm``, ``w_q = w_m + delta``, ``gamma_m = w_m / Qm``, ``n_th = k_B T / (hbar w_m)``.

    Examples
    --------
    >>> round(full_values(DEFAULTS)["n_th"] / 1e6, 4)
    2.0837
    """
    w_m = _TWO_PI * values["fm"]
    return {
        "w_q": w_m + values["delta"], "w_m": w_m, "lam": values["lam"], "g_sp": values["gsp"], "g_c": values["gc"],
        "gstar": values["gstar"], "kappa_sp": values["ksp"], "kappa_c": values["kc"], "gamma_m": w_m / values["Qm"],
        "n_th": K_B * values["T"] / (HBAR * w_m),
    }


RWA_PARAMETERS = {name: p for name, p in PARAMETERS.items() if name not in ("w_q", "w_m")} | declare(
    [("delta", "Raman detuning w_q - w_m", "rad/s")])


def rwa_model() -> Model:
    r"""The full model in the rotating-wave approximation, in the frame rotating at ``w_q`` for every mode.

    .. math:: H = -\delta(b^\dagger b + c^\dagger c)
              + [b(\lambda\sigma_+ + g_{sp} a^\dagger + g_c c^\dagger) + \mathrm{h.c.}]

    The counter-rotating terms ``s- b``, ``a b``, ``c b`` (and their conjugates) of :func:`full_model`
    oscillate at ``w_q + w_m`` or ``2 w_m`` and are dropped (valid for ``delta, g_c, kappa_c << w_m``).

    Examples
    --------
    >>> [d.channel for d in rwa_model().dissipators]
    ['gstar', 'kappa_sp', 'kappa_c', 'gamma_m_down', 'gamma_m_up']
    """
    P = {name: p.symbol for name, p in RWA_PARAMETERS.items()}
    s_minus = SPIN.sigma("d", "e")
    a, b, c = PHOTON.a, PHONON.a, COOLING.a
    partners = P["lam"] * s_minus.dag() + P["g_sp"] * a.dag() + P["g_c"] * c.dag()
    H = -P["delta"] * (b.dag() * b + c.dag() * c) + partners * b + b.dag() * partners.dag()
    dissipators = (
        Dissipator(P["gstar"], s_minus.dag() * s_minus, "gstar"),
        Dissipator(P["kappa_sp"], a, "kappa_sp"),
        Dissipator(P["kappa_c"], c, "kappa_c"),
        *thermal_dissipators(P["gamma_m"], P["n_th"], b, "gamma_m"),
    )
    return Model("sps000_rwa", (SPIN, PHOTON, PHONON, COOLING), H, dissipators, RWA_PARAMETERS, ports=("kappa_sp",))


def rwa_values(values) -> dict[str, float]:
    """Values of :func:`rwa_model`'s parameters from the source's."""
    full = full_values(values)
    return {name: full[name] for name in RWA_PARAMETERS if name != "delta"} | {"delta": values["delta"]}
