"""Textbook models written with the symbolic layer: inputs for tutorials, tests and benchmarks.

Driven qubit, pulsed qubit, driven cavity, thermal oscillator, Jaynes-Cummings (driven, lossy; and
incoherently pumped), a three-mode optomechanical chain and a two-tone three-level ladder. The
systems of the seed proposals are not here: each is defined once, in its derivation package.

Examples
--------
>>> model = driven_qubit()
>>> sorted(model.parameters)
['Delta', 'Omega', 'gamma']
"""

from __future__ import annotations

from types import MappingProxyType

import sympy as sp

from .model import TIME, Dissipator, Model, thermal_dissipators
from .parameters import declare
from .subsystems import BosonMode, NLevelSystem


def driven_qubit() -> Model:
    """Resonantly driven two-level atom: ``H = Delta s_ee + Omega/2 (s_eg + s_ge)``, ``gamma D[s_ge]``.

    Examples
    --------
    >>> from qderive.symbolic import commutator
    >>> model = driven_qubit()
    >>> s = model.subsystem("s")
    >>> Omega = model.parameters["Omega"].symbol
    >>> commutator(model.hamiltonian, s.projector("e")).equals(Omega / 2 * (s.sigma("g", "e") - s.sigma("e", "g")))
    True
    """
    p = declare([("Delta", "detuning", "rad/s", "real"), ("Omega", "Rabi frequency", "rad/s", "real"),
                 ("gamma", "radiative decay rate", "rad/s")])
    delta, omega, gamma = (q.symbol for q in p.values())
    s = NLevelSystem("s", ("g", "e"))
    h = delta * s.projector("e") + omega / 2 * (s.sigma("e", "g") + s.sigma("g", "e"))
    return Model("driven_qubit", (s,), h, (Dissipator(gamma, s.sigma("g", "e"), "rad"),), p, ports=("rad",))


def pulsed_qubit() -> Model:
    """Two-level atom driven by a Gaussian pulse ``Omega(t) = Omega exp(-(t - t0)^2 / (2 w^2))``.

    Examples
    --------
    >>> model = pulsed_qubit()
    >>> envelope = model.hamiltonian.coefficient(model.subsystem("s").sigma("e", "g"))
    >>> envelope.subs(TIME, model.parameters["t0"].symbol)  # the peak, at the pulse centre
    Omega/2
    """
    p = declare([("Omega", "peak Rabi frequency", "rad/s", "real"), ("t0", "pulse centre", "s"),
                 ("w", "pulse width", "s"), ("gamma", "radiative decay rate", "rad/s")])
    omega, t0, w, gamma = (q.symbol for q in p.values())
    s = NLevelSystem("s", ("g", "e"))
    envelope = omega * sp.exp(-((TIME - t0) ** 2) / (2 * w**2))
    h = envelope / 2 * (s.sigma("e", "g") + s.sigma("g", "e"))
    return Model("pulsed_qubit", (s,), h, (Dissipator(gamma, s.sigma("g", "e"), "rad"),), p)


def driven_cavity() -> Model:
    """Coherently driven damped cavity: ``H = Delta a^+a + E (a + a^+)``, ``kappa D[a]``.

    Examples
    --------
    >>> model = driven_cavity()
    >>> model.ports, [str(d) for d in model.dissipators]
    (('kappa',), ['kappa D[a]'])
    """
    p = declare([("Delta", "detuning", "rad/s", "real"), ("E", "drive amplitude", "rad/s", "real"),
                 ("kappa", "energy decay rate", "rad/s")])
    delta, e, kappa = (q.symbol for q in p.values())
    a = BosonMode("a").a
    h = delta * a.dag() * a + e * (a + a.dag())
    return Model("driven_cavity", (BosonMode("a"),), h, (Dissipator(kappa, a, "kappa"),), p, ports=("kappa",))


def thermal_oscillator() -> Model:
    """Damped oscillator in a thermal bath: ``H = w a^+a``, ``kappa (1+n) D[a] + kappa n D[a^+]``.

    Examples
    --------
    >>> [d.channel for d in thermal_oscillator().dissipators]
    ['bath_down', 'bath_up']
    """
    p = declare([("w", "frequency", "rad/s"), ("kappa", "energy decay rate", "rad/s"),
                 ("n_th", "bath occupation", "1", "nonnegative")])
    w, kappa, n_th = (q.symbol for q in p.values())
    a = BosonMode("a").a
    dissipators = thermal_dissipators(kappa, n_th, a, "bath")
    return Model("thermal_oscillator", (BosonMode("a"),), w * a.dag() * a, dissipators, p)


def jaynes_cummings() -> Model:
    """Lossy Jaynes-Cummings model with a driven cavity (rotating frame of the drive).

    Examples
    --------
    >>> from qderive.symbolic import commutator
    >>> model = jaynes_cummings()
    >>> a, s = model.subsystem("a").a, model.subsystem("s")
    >>> undriven = model.hamiltonian.subs(model.parameters["E"].symbol, 0)
    >>> commutator(undriven, a.dag() * a + s.projector("e")).is_zero()  # excitations conserved without drive
    True
    """
    p = declare([("Delta_c", "cavity detuning", "rad/s", "real"), ("Delta_a", "atom detuning", "rad/s", "real"),
                 ("g", "atom-cavity coupling", "rad/s", "real"), ("E", "cavity drive", "rad/s", "real"),
                 ("kappa", "cavity decay rate", "rad/s"), ("gamma", "atomic decay rate", "rad/s")])
    dc, da, g, e, kappa, gamma = (q.symbol for q in p.values())
    mode = BosonMode("a")
    s = NLevelSystem("s", ("g", "e"))
    a, sm = mode.a, s.sigma("g", "e")
    h = dc * a.dag() * a + da * s.projector("e") + g * (a.dag() * sm + sm.dag() * a) + e * (a + a.dag())
    return Model("jaynes_cummings", (s, mode), h, (Dissipator(kappa, a, "kappa"), Dissipator(gamma, sm, "gamma")), p)


def optomechanical_chain() -> Model:
    """Three modes in a chain, microwave ``a`` - mechanics ``b`` - optical ``c`` (rotating frame of the drive):

    ``H = Da a^+a + Db b^+b + Dc c^+c + gx (a^+ b + a b^+) + gy (b^+ c + b c^+) + E (a + a^+)``,
    ``ka D[a] + kc D[c] + gm (1 + nth) D[b] + gm nth D[b^+]``.

    Examples
    --------
    >>> model = optomechanical_chain()
    >>> [d.channel for d in model.dissipators], model.ports
    (['ka', 'kc', 'gm_down', 'gm_up'], ('kc',))
    """
    p = declare([("Da", "microwave detuning", "rad/s", "real"), ("Db", "mechanical detuning", "rad/s", "real"),
                 ("Dc", "optical detuning", "rad/s", "real"), ("gx", "microwave-mechanics coupling", "rad/s", "real"),
                 ("gy", "mechanics-optics coupling", "rad/s", "real"), ("E", "microwave drive", "rad/s", "real"),
                 ("ka", "microwave decay", "rad/s"), ("kc", "optical decay", "rad/s"),
                 ("gm", "mechanical damping", "rad/s"), ("nth", "thermal phonon number", "1", "nonnegative")])
    da, db, dc, gx, gy, e, ka, kc, gm, nth = (q.symbol for q in p.values())
    modes = BosonMode("a"), BosonMode("b"), BosonMode("c")
    a, b, c = (m.a for m in modes)
    h = (da * a.dag() * a + db * b.dag() * b + dc * c.dag() * c + gx * (a.dag() * b + a * b.dag())
         + gy * (b.dag() * c + b * c.dag()) + e * (a + a.dag()))
    dissipators = (Dissipator(ka, a, "ka"), Dissipator(kc, c, "kc"), *thermal_dissipators(gm, nth, b, "gm"))
    return Model("optomechanical_chain", modes, h, dissipators, p, ports=("kc",))


def pumped_jaynes_cummings() -> Model:
    """Single-atom laser: resonant Jaynes-Cummings with incoherent pumping ``P D[s_eg]`` and loss.

    ``H = g (a^+ s_ge + s_eg a)``, ``kappa D[a] + gamma D[s_ge] + P D[s_eg]``. The Hamiltonian
    conserves the excitation number, so the steady state is diagonal in it.

    Examples
    --------
    >>> from qderive.symbolic import commutator
    >>> model = pumped_jaynes_cummings()
    >>> a, s = model.subsystem("a").a, model.subsystem("s")
    >>> commutator(model.hamiltonian, a.dag() * a + s.projector("e")).is_zero()
    True
    """
    p = declare([("g", "atom-cavity coupling", "rad/s", "real"), ("kappa", "cavity decay rate", "rad/s"),
                 ("gamma", "atomic decay rate", "rad/s"), ("P", "incoherent pump rate", "rad/s")])
    g, kappa, gamma, pump = (q.symbol for q in p.values())
    mode, s = BosonMode("a"), NLevelSystem("s", ("g", "e"))
    a, sm = mode.a, s.sigma("g", "e")
    h = g * (a.dag() * sm + sm.dag() * a)
    dissipators = (Dissipator(kappa, a, "kappa"), Dissipator(gamma, sm, "gamma"), Dissipator(pump, sm.dag(), "pump"))
    return Model("pumped_jaynes_cummings", (s, mode), h, dissipators, p)


def two_tone_three_level() -> Model:
    """Ladder ``|0>, |1>, |2>`` driven by two tones, in the lab frame (no rotating frame exists
    for incommensurate tones with the counter-rotating terms kept):

    ``H = w1 s11 + w2 s22 + 2 Od cos(mu_d t) (s10 + s01) + 2 Os cos(mu_s t) (s21 + s12)``,
    ``gamma10 D[s01] + gamma21 D[s12] + gamma_phi D[s22]``.

    Examples
    --------
    >>> model = two_tone_three_level()
    >>> sorted(str(x) for x in model.hamiltonian.free_symbols)  # explicitly time dependent (lab frame)
    ['Od', 'Os', 'mu_d', 'mu_s', 't', 'w1', 'w2']
    """
    p = declare([("w1", "level 1 frequency", "rad/s"), ("w2", "level 2 frequency", "rad/s"),
                 ("Od", "drive Rabi frequency", "rad/s", "real"), ("Os", "signal Rabi frequency", "rad/s", "real"),
                 ("mu_d", "drive frequency", "rad/s"), ("mu_s", "signal frequency", "rad/s"),
                 ("gamma10", "1->0 decay rate", "rad/s"), ("gamma21", "2->1 decay rate", "rad/s"),
                 ("gamma_phi", "level-2 dephasing rate", "rad/s")])
    w1, w2, od, os_, mu_d, mu_s, g10, g21, gphi = (q.symbol for q in p.values())
    s = NLevelSystem("s", (0, 1, 2))
    h = (w1 * s.projector(1) + w2 * s.projector(2)
         + 2 * od * sp.cos(mu_d * TIME) * (s.sigma(1, 0) + s.sigma(0, 1))
         + 2 * os_ * sp.cos(mu_s * TIME) * (s.sigma(2, 1) + s.sigma(1, 2)))
    dissipators = (Dissipator(g10, s.sigma(0, 1), "g10"), Dissipator(g21, s.sigma(1, 2), "g21"),
                   Dissipator(gphi, s.projector(2), "gphi"))
    return Model("two_tone_three_level", (s,), h, dissipators, p)


TWO_TONE_VALUES = MappingProxyType({"w1": 1.0, "w2": 2.1, "Od": 0.08, "Os": 0.05, "mu_d": 1.02, "mu_s": 1.13,
                   "gamma10": 0.1, "gamma21": 0.15, "gamma_phi": 0.05})
