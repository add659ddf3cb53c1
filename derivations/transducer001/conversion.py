r"""Two-tone steady state of the reduced model: harmonic balance on the coefficient tensors.

With coherent inputs ``a_in -> alpha_s e^{-i mu_s t}``, ``c_in -> alpha_d e^{-i mu_d t}`` the Langevin
equations of the derivation become linear equations for ``s_ij = <sigma_ij>``,

.. math:: \dot s = M_1 s + \alpha_s^* M_2 s + \alpha_s M_3 s + \alpha_d^* M_4 s + \alpha_d M_5 s ,

solved by :func:`~qderive.numeric.harmonic_balance` with harmonics ``(p, q)`` of ``p mu_d + q mu_s``
(tones ordered drive, signal), after eliminating ``s_00 = 1 - s_11 - s_22``. The optical output is
``c_out = c_in - i J`` with ``J = sqrt(gamma21_e) sigma_12 + sqrt(gamma20_e) sigma_02`` (source), so

* ``R_coh = |J^(1,1)|^2`` and ``R_tot = <c_out^+ c_out>^(0,0) - |c_out^(1,0)|^2
  = (gamma20_e + gamma21_e) s_22^(0,0) - |J^(1,0)|^2`` (``sigma_21 sigma_02 = sigma_20 sigma_12 = 0``);
* ``P_coh``, ``P_tot`` are the slopes in ``|alpha_s|^2`` at zero signal (first- and second-order
  coefficients of :func:`~qderive.numeric.small_signal_expansion`), ``R_d = R_tot`` at zero signal.

Everything is evaluated through the derivation's compiled rate evaluators and tensor filler.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.linalg import lu_factor, lu_solve
from scipy.optimize import brentq

from qderive.numeric import HarmonicSolution, MomentEquations, Tone, harmonic_balance, small_signal_expansion
from qderive.symbolic import ParameterError

from ..contract import Derivation
from .derivation import EFFECTIVE, TENSOR_ARGUMENTS

N = 3
REDUCED = [k for k in range(N * N) if k != 0]  # every s_ij but s_00
LEVEL_INDEX = {(i, j): i * N + j for i in range(N) for j in range(N)}


@dataclass(frozen=True)
class OperatingPoint:
    """Numbers of the reduced model at one parameter point: tensors ``M[k-1]`` (k = 1..5), rates, tones.

    Examples
    --------
    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import operating_point
    >>> point = operating_point(derivation)
    >>> point.tensors.shape  # M1..M5, each [i, j, m, n] over the three NV levels
    (5, 3, 3, 3, 3)
    >>> values = derivation.parameters.values
    >>> point.mu_d == values["w20"] - values["w10"], round(point.rates["gamma20_e"] / (2 * np.pi * 1e6), 6)
    (True, 14.0)
    """

    tensors: np.ndarray
    rates: Mapping[str, float]
    alpha_d: float
    mu_d: float
    mu_s: float


def operating_point(derivation: Derivation, overrides: Mapping[str, float] | None = None) -> OperatingPoint:
    """Evaluate rates (compiled evaluators) and fill the tensors (compiled filler) at the derivation's point.

    ``overrides`` changes parameters without deriving again (each value checked by its parameter).

    Examples
    --------
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import operating_point
    >>> point = operating_point(derivation)
    >>> stronger = operating_point(derivation, {"P_pump": 4 * derivation.parameters["P_pump"]})
    >>> round(stronger.alpha_d / point.alpha_d, 12)  # alpha_d = sqrt(P_pump/(hbar mu_d))
    2.0
    >>> stronger.rates == point.rates  # the eliminated rates do not depend on the pump
    True
    >>> operating_point(derivation, {"P_pump": -1.0})
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: 'P_pump' must be ...
    """
    parameters = derivation.parameters.replace(**overrides) if overrides else derivation.parameters
    values = parameters.values
    rates = {k: float(np.real(derivation.evaluators[k](values))) if k in derivation.evaluators else 0.0
             for k in EFFECTIVE}
    filler = derivation.data["filler"]
    tensors = np.empty(filler.shape, filler.dtype)
    arguments = [rates[s.name] if s.name in rates else float(values[s.name]) for s in TENSOR_ARGUMENTS]
    filler.fill(tensors, *arguments)
    mu_d = values["w20"] - values["w10"]
    alpha_d = float(np.real(derivation.evaluators["alpha_d"](values)))
    return OperatingPoint(tensors, rates, alpha_d, mu_d, values["w10"] + values["dmu_s"])


def _matrix(tensor: np.ndarray) -> np.ndarray:
    return tensor.reshape(N * N, N * N)


def _reduce(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(A', b')`` with ``s_00 = 1 - s_11 - s_22`` substituted: ``d y/dt = A' y + b'`` on the other eight."""
    transfer = np.zeros((N * N, len(REDUCED)))
    for column, k in enumerate(REDUCED):
        transfer[k, column] = 1.0
    transfer[0, [REDUCED.index(LEVEL_INDEX[1, 1]), REDUCED.index(LEVEL_INDEX[2, 2])]] = -1.0
    unit = np.zeros(N * N)
    unit[0] = 1.0
    return (matrix @ transfer)[REDUCED], (matrix @ unit)[REDUCED]


def moment_equations(point: OperatingPoint, alpha_s: float = 1.0) -> MomentEquations:
    """Harmonic-balance equations: tone 0 the drive (``mu_d``), tone 1 the signal (``mu_s``, amplitude ``alpha_s``).

    Examples
    --------
    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import moment_equations, operating_point
    >>> equations = moment_equations(operating_point(derivation))
    >>> values = derivation.parameters.values  # default signal detuning dmu_s = 0: mu_s = w10
    >>> equations.size, [tone.frequency for tone in equations.tones] == [values["w20"] - values["w10"], values["w10"]]
    (8, True)
    >>> bool(np.linalg.eigvals(equations.drift).real.max() < 0)  # undriven, every s_ij relaxes
    True
    """
    M = [_matrix(t) for t in point.tensors]
    drift, source = _reduce(M[0])
    tones = []
    for frequency, amplitude, dagger, plain in ((point.mu_d, point.alpha_d, M[3], M[4]),
                                                (point.mu_s, alpha_s, M[1], M[2])):
        plus, source_plus = _reduce(amplitude * plain)
        minus, source_minus = _reduce(np.conj(amplitude) * dagger)
        tones.append(Tone(frequency, plus, minus, source_plus, source_minus))
    return MomentEquations(drift, source, tuple(tones))


def level_harmonic(solution: HarmonicSolution, m: tuple[int, int], i: int, j: int, order: int) -> complex:
    """``s_ij^(m)`` of the ``order``-th Taylor coefficient (``s_00`` rebuilt from the trace).

    Examples
    --------
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import converged_state, level_harmonic, operating_point
    >>> point = operating_point(derivation)
    >>> pumped = converged_state(point, 0.0)  # the pump alone
    >>> populations = [level_harmonic(pumped, (0, 0), k, k, 0) for k in range(3)]
    >>> all(0 < p.real < 1 and abs(p.imag) < 1e-12 for p in populations)
    True
    >>> s12, s21 = level_harmonic(pumped, (1, 0), 1, 2, 0), level_harmonic(pumped, (-1, 0), 2, 1, 0)
    >>> bool(abs(s12 - s21.conjugate()) < 1e-9 * abs(s12))  # s_ji^(-m) = conj(s_ij^(m)), not imposed
    True
    """
    x = solution[m]
    if (i, j) == (0, 0):
        trace = 1.0 if (order == 0 and m == (0, 0)) else 0.0
        return complex(trace - x[REDUCED.index(LEVEL_INDEX[1, 1])] - x[REDUCED.index(LEVEL_INDEX[2, 2])])
    return complex(x[REDUCED.index(LEVEL_INDEX[i, j])])


def output_amplitude(point: OperatingPoint, solution: HarmonicSolution, m: tuple[int, int], order: int) -> complex:
    """``J^(m) = sqrt(gamma21_e) s_12^(m) + sqrt(gamma20_e) s_02^(m)`` (so ``c_out^(m) = c_in^(m) - i J^(m)``).

    Examples
    --------
    The coherently scattered pump ``|J^(1,0)|^2`` is part of the flux emitted into the optical waveguide,
    ``(gamma20_e + gamma21_e) s_22``; the difference is the dark count rate:

    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import (converged_state, level_harmonic,
    ...     operating_point, output_amplitude)
    >>> point = operating_point(derivation)
    >>> pumped = converged_state(point, 0.0)
    >>> emitted = (point.rates["gamma20_e"] + point.rates["gamma21_e"]) * level_harmonic(pumped, (0, 0), 2, 2, 0).real
    >>> coherent = abs(output_amplitude(point, pumped, (1, 0), 0)) ** 2
    >>> bool(0 < coherent < emitted), round(emitted - coherent)  # R_d in 1/s
    (True, 58)
    """
    r = point.rates
    return (np.sqrt(r["gamma21_e"]) * level_harmonic(solution, m, 1, 2, order)
            + np.sqrt(r["gamma20_e"]) * level_harmonic(solution, m, 0, 2, order))


def _dense_system(equations: MomentEquations, orders: tuple[int, ...], scale: list[float]
                  ) -> tuple[np.ndarray, np.ndarray, list[tuple[int, ...]]]:
    """The harmonic-balance matrix and right-hand side of :mod:`qderive.numeric.harmonic_balance`, assembled
    densely (the same equations; for the 72 unknowns here dense assembly is ~50x faster than sparse)."""
    n = equations.size
    indices = list(itertools.product(*(range(-k, k + 1) for k in orders)))
    position = {m: i for i, m in enumerate(indices)}
    frequencies = np.array([t.frequency for t in equations.tones])
    shifts = np.array([1j * np.dot(m, frequencies) for m in indices])
    matrix = np.kron(np.eye(len(indices)), equations.drift) + np.kron(np.diag(shifts), np.eye(n))
    rhs = np.zeros((len(indices), n), complex)
    rhs[position[(0,) * len(orders)]] -= equations.source
    for k, (tone, s) in enumerate(zip(equations.tones, scale, strict=True)):
        unit = np.eye(len(orders), dtype=int)[k]
        for sign, block, source in ((+1, tone.plus, tone.source_plus), (-1, tone.minus, tone.source_minus)):
            coupling = np.zeros((len(indices), len(indices)))
            for m in indices:
                other = tuple(np.subtract(m, sign * unit))
                if other in position:
                    coupling[position[m], position[other]] = 1.0
            matrix += s * np.kron(coupling, block)
            target = tuple(sign * unit)
            if source is not None and target in position:
                rhs[position[target]] -= s * source
    return matrix, rhs.ravel(), indices


def small_signal_dense(equations: MomentEquations, tone: int, orders: tuple[int, ...]
                       ) -> tuple[HarmonicSolution, HarmonicSolution, HarmonicSolution]:
    """:func:`~qderive.numeric.small_signal_expansion` with dense assembly and one dense LU (same equations).

    Returns the zeroth, first and second Taylor coefficients in the amplitude of tone ``tone``.

    Examples
    --------
    >>> import numpy as np
    >>> from qderive.numeric import small_signal_expansion
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import moment_equations, operating_point, small_signal_dense
    >>> equations = moment_equations(operating_point(derivation))
    >>> dense = small_signal_dense(equations, 1, (1, 1))
    >>> sparse = small_signal_expansion(equations, 1, (1, 1))  # sparse assembly and solver
    >>> all(np.allclose(d[m], s[m], rtol=1e-8, atol=1e-12 * np.abs(s[m]).max())
    ...     for d, s in zip(dense, sparse) for m in [(1, 0), (1, 1), (0, 0)])
    True
    """
    m0, r0, indices = _dense_system(equations, orders, [0.0 if k == tone else 1.0 for k in range(len(orders))])
    full, r_full, _ = _dense_system(equations, orders, [1.0] * len(orders))
    m1, r1 = full - m0, r_full - r0
    lu = lu_factor(m0)
    x0 = lu_solve(lu, r0)
    x1 = lu_solve(lu, r1 - m1 @ x0)
    x2 = lu_solve(lu, -(m1 @ x1))
    frequencies = tuple(t.frequency for t in equations.tones)
    return tuple(HarmonicSolution(tuple(orders), frequencies,  # type: ignore[return-value]
                                  dict(zip(indices, x.reshape(len(indices), equations.size), strict=True)))
                 for x in (x0, x1, x2))


def figures_of_merit(point: OperatingPoint, orders: tuple[int, int] = (1, 1), dense: bool = True
                     ) -> dict[str, float]:
    """``P_tot``, ``P_coh`` (slopes in the signal flux), ``R_d`` (1/s) and the phase of ``c_out^(1,1)``.

    ``P_inc = P_tot - P_coh``. The drive tone is kept to all orders, the signal to second order.
    ``dense=False`` uses the sparse :func:`~qderive.numeric.small_signal_expansion` (tests compare both).

    Examples
    --------
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import figures_of_merit, operating_point
    >>> point = operating_point(derivation)
    >>> merit = figures_of_merit(point)
    >>> 0 < merit["P_coh"] < merit["P_tot"] < 1 and merit["R_d"] > 0  # part of the converted light is incoherent
    True
    >>> sparse = figures_of_merit(point, dense=False)
    >>> all(abs(sparse[k] / merit[k] - 1) < 1e-8 for k in ("P_tot", "P_coh", "R_d"))
    True
    >>> round(merit["P_coh"], 2), round(merit["P_tot"], 2), round(merit["R_d"])  # R_d in 1/s
    (0.55, 0.65, 58)

    (the source reports 0.32, 0.36 and 41 Hz at 55 pW with its own, partly unstated, inputs).
    """
    expand = small_signal_dense if dense else small_signal_expansion
    x0, x1, x2 = expand(moment_equations(point), 1, orders)
    r = point.rates
    emitted = r["gamma20_e"] + r["gamma21_e"]
    J0, J1, J2 = (output_amplitude(point, x, (1, 0), k) for k, x in enumerate((x0, x1, x2)))
    converted = output_amplitude(point, x1, (1, 1), 1)
    R_d = emitted * level_harmonic(x0, (0, 0), 2, 2, 0).real - abs(J0) ** 2
    P_tot = emitted * level_harmonic(x2, (0, 0), 2, 2, 2).real - 2 * (np.conj(J0) * J2).real - abs(J1) ** 2
    c11 = -1j * converted
    return {"P_tot": float(P_tot), "P_coh": float(abs(converted) ** 2), "R_d": float(R_d),
            "theta": float(np.angle(c11)), "P_coh_over_P_tot": float(abs(converted) ** 2 / P_tot) if P_tot else 0.0}


def truncation_study(point: OperatingPoint, orders: tuple[int, ...] = (1, 2, 3)) -> dict[int, dict[str, float]]:
    """Figures of merit at equal truncation orders ``(K, K)``; the tail change is the truncation error.

    Examples
    --------
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import operating_point, truncation_study
    >>> study = truncation_study(operating_point(derivation), (1, 2))
    >>> sorted(study), abs(study[2]["P_coh"] / study[1]["P_coh"] - 1) < 1e-8  # converged at the lowest order
    ([1, 2], True)
    """
    return {K: figures_of_merit(point, (K, K)) for K in orders}


def converged_state(point: OperatingPoint, alpha_s: float, orders: tuple[int, int] = (1, 1)) -> HarmonicSolution:
    """Full (not expanded) harmonic-balance solution at finite signal amplitude, convergence checked.

    Examples
    --------
    A weak signal of 10 photons/s: the converted flux ``|J^(1,1)|^2`` over the signal flux is the
    small-signal slope ``P_coh``.

    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import (converged_state, figures_of_merit,
    ...     operating_point, output_amplitude)
    >>> point = operating_point(derivation)
    >>> state = converged_state(point, np.sqrt(10.0))
    >>> converted = abs(output_amplitude(point, state, (1, 1), 0)) ** 2 / 10.0
    >>> bool(abs(converted / figures_of_merit(point)["P_coh"] - 1) < 1e-4)
    True
    """
    return harmonic_balance(moment_equations(point, alpha_s), orders, tol=1e-8)


def coherent_efficiency(derivation: Derivation, detunings: np.ndarray, overrides: Mapping[str, float] | None = None
                        ) -> np.ndarray:
    """``P_coh`` at each signal detuning ``dmu_s`` (rad/s).

    Examples
    --------
    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import coherent_efficiency, figures_of_merit, operating_point
    >>> curve = coherent_efficiency(derivation, 2 * np.pi * np.array([-5e6, 0.0, 5e6]))
    >>> bool(curve[1] > 2 * max(curve[0], curve[2]))  # resonant peak, 5 MHz off it below half (bandwidth ~ 4.5 MHz)
    True
    >>> bool(curve[1] == figures_of_merit(operating_point(derivation))["P_coh"])  # default dmu_s = 0
    True
    """
    base = dict(overrides or {})
    return np.array([figures_of_merit(operating_point(derivation, {**base, "dmu_s": float(d)}))["P_coh"]
                     for d in detunings])


def bandwidth(derivation: Derivation, span: float, points: int = 81,
              overrides: Mapping[str, float] | None = None) -> tuple[float, float]:
    """``(FWHM of P_coh versus dmu_s in Hz, peak P_coh)``; half-maximum crossings refined by Brent's method.

    ``span`` (rad/s) is the half-width of the search grid; refused if the curve has not fallen below half
    its maximum inside it.

    Examples
    --------
    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> from qderive.derivations.transducer001.conversion import bandwidth
    >>> width, peak = bandwidth(derivation, 2 * np.pi * 40e6, points=9)  # coarse grid, Brent-refined edges
    >>> round(width / 1e6, 2), round(peak, 2)  # MHz; the source reports 5.0 MHz (its P_coh 0.32)
    (4.52, 0.55)
    >>> bandwidth(derivation, 2 * np.pi * 1e6, points=9)
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: P_coh stays above half its maximum ...; widen the span
    """
    grid = np.linspace(-span, span, points)
    curve = coherent_efficiency(derivation, grid, overrides)
    k = int(np.argmax(curve))
    peak = curve[k]
    if peak <= 0:
        raise ParameterError("P_coh vanishes at every signal detuning: no bandwidth (is P_pump > 0?)")
    below = np.flatnonzero(curve < peak / 2)
    left, right = below[below < k], below[below > k]
    if not len(left) or not len(right):
        raise ParameterError(f"P_coh stays above half its maximum within |dmu_s| < {span:.3g} rad/s; widen the span")
    half = lambda d: coherent_efficiency(derivation, np.array([d]), overrides)[0] - peak / 2  # noqa: E731
    lo = brentq(half, grid[left[-1]], grid[left[-1] + 1], xtol=1e-6 * span)
    hi = brentq(half, grid[right[0] - 1], grid[right[0]], xtol=1e-6 * span)
    return float((hi - lo) / (2 * np.pi)), float(peak)
