r"""The periodic regime of the reduced equations two ways: harmonic balance and direct time integration.

Both start from the same lab-frame equations ``ds/dt = A(t) s`` of :mod:`.conversion` (all nine
``s_ij``). Time integration works in the frame ``s_ij = e^{-i w_ij t} s^_ij`` with ``w_ij`` the
frequency of the harmonic ``label(i, j) = L_j - L_i`` (``L_0 = (0,0), L_1 = (0,1), L_2 = (1,1)`` in units
``(mu_d, mu_s)``), where every term is static or oscillates at ``mu_s`` (terms at multiples of ``mu_d``
are dropped: they are off resonance by ~``mu_d`` and change the result by ~``gamma/mu_d ~ 1e-8``).
One period ``2 pi/mu_s`` is integrated with classical Runge-Kutta (``steps`` steps) to the propagator
``Phi``; ``Phi^(2^k)`` (2^k periods) carries any initial state to the periodic regime; one more
period sampled and Fourier-analysed gives the harmonics ``s_ij^(p,q)``.
"""

from __future__ import annotations

import numpy as np

from .conversion import LEVEL_INDEX, N, OperatingPoint, converged_state, level_harmonic

LEVEL_LABELS = {0: np.array([0, 0]), 1: np.array([0, 1]), 2: np.array([1, 1])}
LABELS = {LEVEL_INDEX[i, j]: LEVEL_LABELS[j] - LEVEL_LABELS[i] for i in range(N) for j in range(N)}


def harmonics_by_balance(point: OperatingPoint, alpha_s: float) -> dict[tuple[int, int], np.ndarray]:
    """``{(p, q): s^(p,q)}`` (all nine ``s_ij``) from harmonic balance at signal amplitude ``alpha_s``.

    Truncation orders ``(1, 2)`` in ``(mu_d, mu_s)``; ``s^(p,q)[3 i + j]`` is ``s_ij^(p,q)``.

    Examples
    --------
    Without the pump the NV's ``|0>-|1>`` transition is a driven two-level system: a weak signal detuned
    by ``dmu`` gives ``s_01^(0,1) = -i sqrt(gamma10_e) alpha_s / (gamma10_t/2 - i dmu)``.

    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import operating_point
    >>> from qderive.derivations.transducer001.periodic import harmonics_by_balance
    >>> dmu = 2 * np.pi * 0.8e6
    >>> point = operating_point(derivation, {"P_pump": 0.0, "dmu_s": dmu})
    >>> harmonics = harmonics_by_balance(point, 1e-3)
    >>> r = point.rates
    >>> lorentzian = -1j * np.sqrt(r["gamma10_e"]) * 1e-3 / ((r["gamma10_i"] + r["gamma10_e"]) / 2 - 1j * dmu)
    >>> bool(abs(harmonics[(0, 1)][1] / lorentzian - 1) < 1e-6)
    True
    >>> bool(abs(harmonics[(0, 0)][8]) < 1e-15 and abs(harmonics[(1, 1)][2]) < 1e-15)  # |2> empty, nothing converted
    True
    """
    solution = converged_state(point, alpha_s, (1, 2))
    return {m: np.array([level_harmonic(solution, m, i, j, 0) for i in range(N) for j in range(N)])
            for m in solution.harmonics}


def _rotating_generator(point: OperatingPoint, alpha_s: float) -> dict[int, np.ndarray]:
    """``{q: A_q}`` with ``A^(t) = sum_q A_q e^{i q mu_s t}`` in the rotating frame (RWA in ``mu_d``)."""
    M = [t.reshape(N * N, N * N) for t in point.tensors]
    terms = [(M[0], np.array([0, 0])),
             (point.alpha_d * M[4], np.array([1, 0])), (np.conj(point.alpha_d) * M[3], np.array([-1, 0])),
             (alpha_s * M[2], np.array([0, 1])), (np.conj(alpha_s) * M[1], np.array([0, -1]))]
    frequency = {a: LABELS[a] @ (point.mu_d, point.mu_s) for a in LABELS}
    parts: dict[int, np.ndarray] = {}
    for matrix, tone in terms:
        for a, b in zip(*np.nonzero(matrix), strict=True):
            shift = LABELS[a] - LABELS[b] - tone
            if shift[0] != 0:
                continue
            parts.setdefault(int(shift[1]), np.zeros((N * N, N * N), complex))[a, b] += matrix[a, b]
    for a in LABELS:  # + i w_a on the diagonal: the lab frequencies cancel against M1's diagonal
        parts[0][a, a] += 1j * frequency[a]
    return parts


def harmonics_by_integration(point: OperatingPoint, alpha_s: float, steps: int = 256, doublings: int = 20
                             ) -> dict[tuple[int, int], np.ndarray]:
    """``{(p, q): s^(p,q)}`` from Runge-Kutta integration over ``2^doublings`` periods of ``mu_s``.

    Examples
    --------
    The second method reproduces harmonic balance (:func:`harmonics_by_balance`) at a 1000 photons/s signal:

    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import operating_point
    >>> from qderive.derivations.transducer001.periodic import harmonics_by_balance, harmonics_by_integration
    >>> point = operating_point(derivation)
    >>> integrated = harmonics_by_integration(point, np.sqrt(1e3))
    >>> balanced = harmonics_by_balance(point, np.sqrt(1e3))
    >>> all(abs(integrated[m][3 * i + j] / balanced[m][3 * i + j] - 1) < 1e-6  # s_22, signal s_01, converted s_02
    ...     for m, (i, j) in (((0, 0), (2, 2)), ((0, 1), (0, 1)), ((1, 1), (0, 2))))
    True
    """
    parts = _rotating_generator(point, alpha_s)
    period = 2 * np.pi / point.mu_s
    h = period / steps

    def generator(t: float) -> np.ndarray:
        return sum(A * np.exp(1j * q * point.mu_s * t) for q, A in parts.items())

    def step(t: float, y: np.ndarray) -> np.ndarray:
        k1 = generator(t) @ y
        k2 = generator(t + h / 2) @ (y + h / 2 * k1)
        k3 = generator(t + h / 2) @ (y + h / 2 * k2)
        k4 = generator(t + h) @ (y + h * k3)
        return y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)

    propagator = np.eye(N * N, dtype=complex)
    for k in range(steps):
        propagator = step(k * h, propagator)
    state = np.zeros(N * N, complex)
    state[0] = 1.0  # start in |0>
    for _ in range(doublings):
        state = propagator @ state
        propagator = propagator @ propagator
    samples = np.empty((steps, N * N), complex)
    for k in range(steps):
        samples[k] = state
        state = step(k * h, state)
    times = np.arange(steps) * h
    harmonics = {}
    for q in range(-2, 3):  # s^(t) = sum_q c_q e^{-i q mu_s t}
        c_q = (samples * np.exp(1j * q * point.mu_s * times)[:, None]).mean(axis=0)
        for a in LABELS:
            label = tuple(int(x) for x in LABELS[a] + np.array([0, q]))
            harmonics.setdefault(label, np.zeros(N * N, complex))[a] = c_q[a]
    return harmonics


def fluxes_from_harmonics(point: OperatingPoint, harmonics: dict[tuple[int, int], np.ndarray]) -> dict[str, float]:
    """``R_coh = |J^(1,1)|^2`` and ``R_tot = (gamma20_e + gamma21_e) s_22^(0,0) - |J^(1,0)|^2`` (1/s).

    Examples
    --------
    At a weak signal (10 photons/s) the fluxes per signal photon are the small-signal slopes of
    :func:`~.conversion.figures_of_merit`; without signal ``R_tot`` is the dark count rate:

    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import figures_of_merit, operating_point
    >>> from qderive.derivations.transducer001.periodic import fluxes_from_harmonics, harmonics_by_balance
    >>> point = operating_point(derivation)
    >>> signal = fluxes_from_harmonics(point, harmonics_by_balance(point, np.sqrt(10.0)))
    >>> dark = fluxes_from_harmonics(point, harmonics_by_balance(point, 0.0))
    >>> merit = figures_of_merit(point)
    >>> bool(abs(signal["R_coh"] / 10.0 / merit["P_coh"] - 1) < 1e-4)
    True
    >>> bool(abs((signal["R_tot"] - dark["R_tot"]) / 10.0 / merit["P_tot"] - 1) < 1e-4)
    True
    >>> dark["R_coh"], bool(abs(dark["R_tot"] / merit["R_d"] - 1) < 1e-8)  # nothing converted without signal
    (0.0, True)
    """
    r = point.rates
    zero = np.zeros(N * N, complex)

    def J(m: tuple[int, int]) -> complex:
        s = harmonics.get(m, zero)
        return np.sqrt(r["gamma21_e"]) * s[LEVEL_INDEX[1, 2]] + np.sqrt(r["gamma20_e"]) * s[LEVEL_INDEX[0, 2]]

    s22 = harmonics[(0, 0)][LEVEL_INDEX[2, 2]].real
    return {"R_coh": float(abs(J((1, 1))) ** 2),
            "R_tot": float((r["gamma20_e"] + r["gamma21_e"]) * s22 - abs(J((1, 0))) ** 2)}
