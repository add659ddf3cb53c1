r"""N identical two-level atoms in a single-mode cavity with incoherent pumping (the ``laser``).

.. math:: H = \Delta_c a^\dagger a + \Delta_a \sum_j \sigma_j^+\sigma_j + g \sum_j (a^\dagger\sigma_j + a\sigma_j^+),

.. math:: \dot\rho = -i[H, \rho] + \kappa D[a]\rho + \sum_j \big(\gamma D[\sigma_j] + \nu D[\sigma_j^+]
          + \chi D[\sigma_j^+\sigma_j]\big)\rho,

with ``sigma_j = |g><e|`` of atom ``j``, in the frame rotating at a reference frequency
(``Delta_c``, ``Delta_a`` the cavity and atom detunings from it), hbar = 1, rates in rad/s.
``chi D[sigma_ee]`` dephases the atomic coherence at ``chi/2``.
"""

from __future__ import annotations

import numpy as np

from qderive.symbolic import BosonMode, Dissipator, IdenticalSystems, Model, NLevelSystem, declare, identical_copies

PARAMETERS = declare([
    ("N", "number of atoms", ""),
    ("g", "atom-cavity coupling (vacuum Rabi frequency / 2)", "rad/s"),
    ("kappa", "cavity energy decay rate", "rad/s"),
    ("gamma", "atomic spontaneous decay rate", "rad/s", "nonnegative"),
    ("nu", "incoherent pump rate |g> -> |e>", "rad/s", "nonnegative"),
    ("chi", "atomic dephasing rate (coefficient of D[sigma_ee])", "rad/s", "nonnegative"),
    ("Delta_c", "cavity detuning from the reference frame", "rad/s", "real"),
    ("Delta_a", "atomic detuning from the reference frame", "rad/s", "real"),
])
#: A lasing point with few atoms (full master equation affordable): g sqrt(N) = 3 kappa, pump 2 kappa.
KAPPA = 2 * np.pi * 1e6
DEFAULTS = {"N": 4, "g": 1.5 * KAPPA, "kappa": KAPPA, "gamma": 0.05 * KAPPA, "nu": 2.0 * KAPPA,
            "chi": 0.01 * KAPPA, "Delta_c": 0.0, "Delta_a": 0.0}
N, g, kappa, gamma, nu, chi, Delta_c, Delta_a = (PARAMETERS[k].symbol for k in PARAMETERS)
CAVITY = BosonMode("a")
ATOM = NLevelSystem("s", ("g", "e"))


def laser_model(count: int) -> Model:
    """The master equation with ``count`` explicit atoms ``s1 .. s<count>`` (``N`` is not used in it).

    Examples
    --------
    >>> model = laser_model(3)
    >>> [s.name for s in model.subsystems], len(model.dissipators)  # the cavity, then 3 atoms with 3 channels each
    (['a', 's1', 's2', 's3'], 10)
    """
    a = CAVITY.a
    atoms = identical_copies(ATOM, count)
    hamiltonian = Delta_c * a.dag() * a
    dissipators = [Dissipator(kappa, a, "kappa")]
    for s in atoms:
        lower = s.sigma("g", "e")
        hamiltonian = hamiltonian + Delta_a * s.sigma("e", "e") + g * (a.dag() * lower + a * lower.dag())
        dissipators += [Dissipator(gamma, lower, f"gamma_{s.name}"), Dissipator(nu, lower.dag(), f"nu_{s.name}"),
                        Dissipator(chi, s.sigma("e", "e"), f"chi_{s.name}")]
    return Model(f"laser_{count}", (CAVITY, *atoms), hamiltonian, dissipators, PARAMETERS)


def representative_model() -> tuple[Model, IdenticalSystems]:
    """Two explicit atoms standing for ``N`` identical ones (a representative and a partner for pairs).

    Examples
    --------
    >>> model, group = representative_model()
    >>> [s.name for s in group.copies], group.number  # two explicit atoms stand for N
    (['s1', 's2'], N)
    """
    model = laser_model(2)
    return model, IdenticalSystems(model.level_systems, N)
