r"""Two-qubit entanglement engine on two NV centres: parameters, constants and the master equation.

Two resonant NV electron-spin qubits ``{|0>, |-1>} = {g, e}`` coupled by the flip-flop part of
their dipolar interaction, each relaxed by its own 13C nuclear-spin bath:

.. math::
    H_S = \epsilon(\sigma^+_L\sigma^-_L + \sigma^+_R\sigma^-_R) + g(\sigma^+_L\sigma^-_R + \sigma^-_L\sigma^+_R),

    \dot\rho = -i[H_S,\rho] + \sum_{\alpha=L,R} \gamma^+_\alpha D[\sigma^+_\alpha]\rho
               + \gamma^-_\alpha D[\sigma^-_\alpha]\rho,\qquad
    \gamma^\mp_\alpha = \tfrac{1 \pm p_\alpha}{2}\Gamma_1 .

Rates and couplings are both in rad/s (the project's convention; the source quotes both in kHz
and only ``g / Gamma1`` enters the steady state).
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import scipy.constants as const
import sympy as sp

from qderive.numeric import FockModel, fock_model
from qderive.symbolic import Dissipator, Model, NLevelSystem, ParameterSet, declare

# Constants as the source states them (Sec. III), kept as symbols in the derived expressions.
mu0, hbar, k_B, D, gamma_e, gamma_n = sp.symbols("mu_0 hbar k_B D gamma_e gamma_n", positive=True)
CONSTANTS = MappingProxyType({
    mu0: const.mu_0,
    hbar: const.hbar,
    k_B: const.k,
    D: 2 * np.pi * 2.87e9,
    gamma_e: 2 * np.pi * 28.0e9,
    gamma_n: 2 * np.pi * 10.7e6,
})
C_S = sp.Rational(1, 4)  # multiplicity factor of the reservoir spins (source, after Eq. 14)
DIAMOND_ATOM_DENSITY = 3.515e3 / (12.011e-3 / const.Avogadro)  # m^-3 (3.515 g/cm^3)
RATE_AT_NATURAL = 250e3  # rad/s, measured Gamma1 at 1.1 % 13C (source Eq. 18)
DEPHASING_AT_NATURAL = 1.5e3  # rad/s, Gamma2 at 1.1 % 13C (source Eq. 19)
NATURAL_CONC = 0.011

PARAMETERS = declare(
    [
        ("r", "distance between the two NV centres", "m"),
        ("theta", "angle between the NV-NV vector and the NV axis / field", "rad", "real", (0.0, np.pi)),
        ("R_m", "minimal radius of the 13C volume of influence", "m"),
        ("conc", "13C concentration as a fraction (natural: 0.011)", "", "positive", (0.0, 1.0)),
        ("T", "temperature of the unpolarised (hot) nuclear bath", "K"),
        ("eps", "qubit splitting |0> <-> |-1> at cross relaxation", "rad/s"),
        ("Gamma1", "bare cross-relaxation rate of each qubit into its bath", "rad/s"),
        ("Gamma2", "NV decoherence rate (linewidth of the bath spectral density)", "rad/s"),
        ("pL", "polarisation of the left (hot) bath", "", "real", (-1.0, 1.0)),
        ("pR", "polarisation of the right (cold) bath", "", "real", (-1.0, 1.0)),
        ("g", "flip-flop coupling used in the master equation", "rad/s"),
    ]
)
DEFAULTS = MappingProxyType({
    "r": 10e-9,
    "theta": np.pi / 2,
    "R_m": 0.2e-9,
    "conc": NATURAL_CONC,
    "T": 300.0,
    "eps": 2 * np.pi * 1.1e6,
    "Gamma1": RATE_AT_NATURAL,
    "Gamma2": DEPHASING_AT_NATURAL,
    "pL": 0.0,
    "pR": 1.0,
    "g": 5.0e4,
})
SYM = MappingProxyType({name: p.symbol for name, p in PARAMETERS.items()})

LEFT, RIGHT = NLevelSystem("L", ("g", "e")), NLevelSystem("R", ("g", "e"))
# bath rates as independent positive symbols while deriving; replaced by (1 -+ p) Gamma1 / 2 afterwards
RATES = declare(
    [
        ("gp_L", "gamma+ of L", "rad/s"),
        ("gm_L", "gamma- of L", "rad/s"),
        ("gp_R", "gamma+ of R", "rad/s"),
        ("gm_R", "gamma- of R", "rad/s"),
    ]
)
gp_L, gm_L, gp_R, gm_R = (p.symbol for p in RATES.values())
EXTRA_RATES = declare(
    [
        ("Gamma_SL", "spin-lattice relaxation rate (each direction Gamma_SL/2)", "rad/s"),
        ("gamma_phi", "pure dephasing rate, gamma_phi D[sigma_ee]", "rad/s"),
        ("J_zz", "projected S^z S^z coupling", "rad/s", "real"),
    ]
)


def rates_from_polarisations() -> dict[sp.Symbol, sp.Expr]:
    """``gamma-_a = (1 + p_a) Gamma1 / 2``, ``gamma+_a = (1 - p_a) Gamma1 / 2`` (source Eqs. 21-23).

    Examples
    --------
    >>> rates = rates_from_polarisations()
    >>> sp.simplify(rates[gp_L] + rates[gm_L] - SYM["Gamma1"]), rates[gp_R].subs(SYM["pR"], 1)  # a fully cold bath
    (0, 0)
    """
    G, pL, pR = SYM["Gamma1"], SYM["pL"], SYM["pR"]
    return {gp_L: (1 - pL) * G / 2, gm_L: (1 + pL) * G / 2, gp_R: (1 - pR) * G / 2, gm_R: (1 + pR) * G / 2}


def engine_model(extra: tuple[Dissipator, ...] = (), with_zz: bool = False) -> Model:
    """The master equation of Eq. (2) with bath rates ``gp_L, gm_L, gp_R, gm_R`` as symbols.

    ``extra`` adds dissipators (spin-lattice relaxation, dephasing); ``with_zz`` adds the projected
    secular ``S^z_L S^z_R`` term ``J_zz sigma_ee^L sigma_ee^R`` that the source neglects.

    Examples
    --------
    >>> from qderive.symbolic import commutator
    >>> model = engine_model()
    >>> sL, sR = LEFT.projector("e"), RIGHT.projector("e")
    >>> commutator(model.hamiltonian, sL + sR).is_zero()  # the flip-flop conserves the excitation number
    True
    >>> "J_zz" in engine_model(with_zz=True).parameters, len(engine_model(relaxation_and_dephasing()).dissipators)
    (True, 10)
    """
    sL, sR = LEFT.sigma("g", "e"), RIGHT.sigma("g", "e")
    eps, g = SYM["eps"], SYM["g"]
    H = eps * (sL.dag() * sL + sR.dag() * sR) + g * (sL.dag() * sR + sL * sR.dag())
    if with_zz:
        H = H + EXTRA_RATES["J_zz"].symbol * LEFT.projector("e") * RIGHT.projector("e")
    dissipators = (
        Dissipator(gp_L, sL.dag(), "up_L"),
        Dissipator(gm_L, sL, "down_L"),
        Dissipator(gp_R, sR.dag(), "up_R"),
        Dissipator(gm_R, sR, "down_R"),
        *extra,
    )
    used = H.free_symbols.union(*(d.rate.free_symbols for d in extra))
    parameters = {**PARAMETERS, **RATES, **{k: v for k, v in EXTRA_RATES.items() if v.symbol in used}}
    return Model("engine004", (LEFT, RIGHT), H, dissipators, parameters)


def relaxation_and_dephasing() -> tuple[Dissipator, ...]:
    """Spin-lattice relaxation ``Gamma_SL/2`` each way and pure dephasing ``gamma_phi D[sigma_ee]`` on both qubits.

    Examples
    --------
    >>> [d.channel for d in relaxation_and_dephasing()][:2], str(relaxation_and_dephasing()[-1])
    (['sl_down_L', 'sl_up_L'], 'gamma_phi D[R_ee]')
    """
    sL, sR = LEFT.sigma("g", "e"), RIGHT.sigma("g", "e")
    Gsl, gphi = EXTRA_RATES["Gamma_SL"].symbol, EXTRA_RATES["gamma_phi"].symbol
    return (
        Dissipator(Gsl / 2, sL, "sl_down_L"),
        Dissipator(Gsl / 2, sL.dag(), "sl_up_L"),
        Dissipator(Gsl / 2, sR, "sl_down_R"),
        Dissipator(Gsl / 2, sR.dag(), "sl_up_R"),
        Dissipator(gphi, LEFT.projector("e"), "phi_L"),
        Dissipator(gphi, RIGHT.projector("e"), "phi_R"),
    )


def numeric_rates(parameters: ParameterSet) -> dict[str, float]:
    """The four bath rates at ``parameters``.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> rates = numeric_rates(Engine004().parameter_set({"pL": 0.0, "pR": 1.0, "Gamma1": 2.0}))
    >>> {k: round(v, 12) for k, v in rates.items()}  # hot left bath: equal rates; cold right bath: decay only
    {'gp_L': 1.0, 'gm_L': 1.0, 'gp_R': 0.0, 'gm_R': 2.0}
    """
    return {str(k): float(parameters.evaluate(v)) for k, v in rates_from_polarisations().items()}


def numeric_values(parameters: ParameterSet) -> dict[str, float]:
    """Every value :func:`engine_model` needs: the parameters and the four bath rates.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> values = numeric_values(Engine004().parameter_set())
    >>> set(PARAMETERS) | set(RATES) == set(values)
    True
    """
    return {**parameters.values, **numeric_rates(parameters)}


def full_fock_model(
    parameters: ParameterSet,
    zz: float | None = None,
    extra: tuple[Dissipator, ...] = (),
    extra_values: dict[str, float] | None = None,
) -> FockModel:
    """Sparse matrices of the two-qubit master equation (optionally with ``J_zz = zz``).

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> from qderive.numeric import steady_state
    >>> system = Engine004()
    >>> uncoupled = system.parameter_set({"g": 1e-9})
    >>> rho = steady_state(full_fock_model(uncoupled))
    >>> bool(np.allclose(rho, thermal_product_state(uncoupled), atol=1e-8))  # each qubit thermalises with its bath
    True
    >>> bool(full_fock_model(uncoupled, zz=1e3).hamiltonian.diagonal()[-1].real > 0)  # J_zz shifts |ee>
    True
    """
    model = engine_model(extra, with_zz=zz is not None)
    values = {**numeric_values(parameters), **(extra_values or {})}
    if zz is not None:
        values["J_zz"] = zz
    return fock_model(model, values)


def thermal_product_state(parameters: ParameterSet) -> np.ndarray:
    """Each qubit in the thermal state of its own bath: excited population ``(1 - p)/2``.

    Examples
    --------
    >>> from qderive.derivations.engine004 import Engine004
    >>> rho = thermal_product_state(Engine004().parameter_set({"pL": 0.2, "pR": 1.0}))
    >>> np.diag(rho).real.tolist()  # (g, e) x (g, e): left excited (1 - 0.2)/2, right in g
    [0.6, 0.0, 0.4, 0.0]
    """
    qubit = [np.diag([(1 + parameters[p]) / 2, (1 - parameters[p]) / 2]) for p in ("pL", "pR")]
    return np.kron(qubit[0], qubit[1]).astype(complex)
