r"""Fields at a port: drive strengths from input powers, and the coherent and incoherent output flux.

Conventions (README): a port is a dissipator ``gamma D[L]`` with the input-output relation
``c_out = c_in - i sqrt(gamma) L``; fields are in ``sqrt(photons/s)``, so ``<c^+ c>`` is a photon
flux in 1/s. A coherent input of power ``P`` at angular frequency ``omega`` has the amplitude

.. math:: \alpha_{in} = \sqrt{P / (\hbar\omega)}, \qquad c_{in}(t) = \alpha_{in} e^{-i\omega t},

and, through the Langevin equation ``dL/dt = ... - i sqrt(gamma) c_in`` (for ``L = a``), acts on the
system as the Hamiltonian drive ``E (a^+ e^{-i omega t} + a e^{i omega t})`` with
``E = sqrt(gamma) alpha_in = sqrt(gamma P / (hbar omega))`` (rad/s). With that input the output
field of the port has

.. math:: \langle c_{out}\rangle = \alpha_{in} - i\sqrt{\gamma}\langle L\rangle, \qquad
          \langle c_{out}^\dagger c_{out}\rangle = |\alpha_{in}|^2 + \gamma\langle L^\dagger L\rangle
          + i\sqrt{\gamma}\,(\alpha_{in}\langle L^\dagger\rangle - \alpha_{in}^*\langle L\rangle),

so the incoherent flux ``<c_out^+ c_out> - |<c_out>|^2 = gamma (<L^+L> - |<L>|^2)`` does not depend
on the input. For a periodic (harmonic-balance) state ``<c_out(t)> = sum_m c^(m) e^{-i m.omega t}``
the time-averaged coherent flux is ``sum_f |sum_{m.omega = f} c^(m)|^2`` (Parseval, harmonics of
equal frequency added first) and the total flux is the time average ``<c_out^+ c_out>^(0)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.constants as const

from qderive.symbolic import ParameterError

from .fock import FockModel
from .harmonic_balance import HarmonicSolution, density_matrix_harmonic
from .states import as_array


def input_amplitude(power: float, angular_frequency: float) -> float:
    """``alpha_in = sqrt(P / (hbar omega))`` in sqrt(photons/s) for a power in W and omega in rad/s.

    Examples
    --------
    >>> round(input_amplitude(55e-12, 2 * 3.141592653589793 * 500e12) ** 2 / 1e6, 1)  # 55 pW at 500 THz, per us
    166.0
    """
    if not (np.isfinite(power) and power >= 0):
        raise ParameterError(f"power must be a finite non-negative number in W, got {power!r}")
    if not (np.isfinite(angular_frequency) and angular_frequency > 0):
        raise ParameterError(f"angular_frequency must be positive in rad/s, got {angular_frequency!r}")
    return float(np.sqrt(power / (const.hbar * angular_frequency)))


def drive_strength(power: float, angular_frequency: float, coupling_rate: float) -> float:
    """``E = sqrt(gamma P / (hbar omega))`` (rad/s): the Hamiltonian drive ``E (a^+ e^{-i w t} + h.c.)``
    of a coherent input of power ``P`` through a port of energy coupling rate ``gamma``.

    Examples
    --------
    >>> round(drive_strength(1e-15, 1e15, 1e6))  # 1 fW at 1e15 rad/s through a 1e6 /s port
    97378
    """
    if not (np.isfinite(coupling_rate) and coupling_rate >= 0):
        raise ParameterError(f"coupling_rate must be a finite non-negative rate in 1/s, got {coupling_rate!r}")
    return float(np.sqrt(coupling_rate) * input_amplitude(power, angular_frequency))


@dataclass(frozen=True)
class OutputFlux:
    """Photon fluxes (1/s) of a port's output field.

    ``amplitudes`` maps a harmonic index ``m`` (``()`` for a stationary state) to ``<c_out>^(m)``;
    ``frequencies`` are the tones of a harmonic-balance solution (empty for a stationary state).

    Examples
    --------
    >>> flux = OutputFlux(total=7.0, coherent=6.25, amplitudes={(): 1.5 + 2j})
    >>> flux.incoherent, flux.coherent_at(())  # |1.5 + 2 i|^2 = 6.25
    (0.75, 6.25)
    """

    total: float
    coherent: float
    amplitudes: Mapping[tuple[int, ...], complex] = field(default_factory=dict)
    frequencies: tuple[float, ...] = ()

    @property
    def incoherent(self) -> float:
        """``<c_out^+ c_out> - |<c_out>|^2`` (time-averaged).

        Examples
        --------
        >>> from qderive.numeric import fock_model, steady_state
        >>> from qderive.symbolic.library import thermal_oscillator
        >>> model = thermal_oscillator()
        >>> fock = fock_model(model.replace(ports=("bath_down",)), {"w": 1.0, "kappa": 1.0, "n_th": 0.05}, {"a": 10})
        >>> flux = output_flux(fock, steady_state(fock), "bath_down")
        >>> bool(np.isclose(flux.incoherent, 1.0 * (1 + 0.05) * 0.05)), flux.coherent  # kappa (1 + n) <a^+ a>, no <a>
        (True, 0.0)
        """
        return self.total - self.coherent

    def coherent_at(self, m: tuple[int, ...]) -> float:
        """``|<c_out>^(m)|^2``: the coherent flux of one harmonic (e.g. the signal tone ``(1, 1)``).

        Examples
        --------
        >>> flux = OutputFlux(total=1.0, coherent=0.5, amplitudes={(0,): 0.5, (1,): 0.5j}, frequencies=(2.0,))
        >>> flux.coherent_at((1,))
        0.25
        >>> flux.coherent_at((2,))
        Traceback (most recent call last):
        ...
        qderive.symbolic.errors.ParameterError: no harmonic (2,); kept harmonics are [(0,), (1,)]
        """
        m = tuple(m)
        if m not in self.amplitudes:
            raise ParameterError(f"no harmonic {m}; kept harmonics are {sorted(self.amplitudes)}")
        return float(abs(self.amplitudes[m]) ** 2)


def _port(fock: FockModel, port: str) -> tuple[np.ndarray, np.ndarray]:
    """``(sqrt(gamma) L, gamma L^+ L)`` of a port as dense matrices."""
    if port not in fock.model.ports:
        raise ParameterError(f"'{port}' is not a port of '{fock.model.name}'; ports are {list(fock.model.ports)}")
    J = fock.jump_operators[fock.channels.index(port)].toarray()
    return J, J.conj().T @ J


def output_flux(fock: FockModel, rho: np.ndarray, port: str, input_amplitude: complex = 0.0) -> OutputFlux:
    """Coherent ``|<c_out>|^2`` and total ``<c_out^+ c_out>`` output flux of ``port`` in the state ``rho``.

    ``rho`` is a density matrix (array or ``qutip.Qobj``), e.g. from :func:`~qderive.numeric.steady_state`.

    ``input_amplitude`` is the coherent input ``alpha_in`` of the port (sqrt(photons/s)); the
    model's Hamiltonian must already contain its drive ``sqrt(gamma) alpha_in`` (see the module docstring).

    Examples
    --------
    >>> from qderive.numeric import fock_model, steady_state
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, declare
    >>> P = declare([("E", "drive", "rad/s"), ("k", "loss", "rad/s")])
    >>> E, k = (p.symbol for p in P.values())
    >>> a = BosonMode("a")
    >>> fock = fock_model(Model("c", (a,), E * (a.a + a.adag), (Dissipator(k, a.a, "out"),), P, ("out",)),
    ...                   {"E": 0.5, "k": 2.0}, {"a": 12})
    >>> flux = output_flux(fock, steady_state(fock), "out")
    >>> round(flux.coherent, 9), round(flux.incoherent, 9)  # |sqrt(k) 2E/k|^2 = 0.5, coherent state
    (0.5, 0.0)
    """
    J, JdJ = _port(fock, port)
    rho = np.asarray(as_array(rho))
    if rho.shape != (fock.dimension, fock.dimension):
        raise ParameterError(f"rho must have shape ({fock.dimension}, {fock.dimension}), got {rho.shape}")
    mean_L = np.trace(J @ rho)  # sqrt(gamma) <L>
    mean = input_amplitude - 1j * mean_L
    total = abs(input_amplitude) ** 2 + np.trace(JdJ @ rho).real + 2 * (1j * input_amplitude * mean_L.conjugate()).real
    return OutputFlux(float(total), float(abs(mean) ** 2), {(): complex(mean)})


def harmonic_output_flux(fock: FockModel, solution: HarmonicSolution, port: str,
                         input_amplitudes: Mapping[tuple[int, ...], complex] | None = None,
                         tolerance: float = 1e-9) -> OutputFlux:
    """Time-averaged coherent and total output flux of ``port`` for a harmonic-balance solution.

    ``solution`` comes from :func:`~qderive.numeric.harmonic_balance` on
    :func:`~qderive.numeric.fourier_moment_equations` of ``fock``; ``input_amplitudes[m]`` is the
    coherent input of the port at harmonic ``m`` (e.g. ``{(1, 0): alpha_d}`` for a drive through
    it). Harmonics whose frequencies ``m . omega`` agree within ``tolerance`` (relative to the
    largest tone) add before squaring.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.numeric import fock_model, fourier_moment_equations, harmonic_balance
    >>> from qderive.symbolic import TIME, BosonMode, Dissipator, Model, declare
    >>> P = declare([("w", "cavity frequency", "rad/s"), ("E", "drive", "rad/s"), ("nu", "drive frequency", "rad/s"),
    ...              ("k", "loss", "rad/s")])
    >>> w, E, nu, k = (p.symbol for p in P.values())
    >>> a = BosonMode("a")
    >>> H = w * a.adag * a.a + E * (a.adag * sp.exp(-sp.I * nu * TIME) + a.a * sp.exp(sp.I * nu * TIME))
    >>> fock = fock_model(Model("lab", (a,), H, (Dissipator(k, a.a, "out"),), P, ("out",)),
    ...                   {"w": 2.0, "E": 0.1, "nu": 2.5, "k": 1.0}, {"a": 6})
    >>> solution = harmonic_balance(fourier_moment_equations(fock, [2.5]), 5)  # |n><m| turns at (n - m) nu
    >>> flux = harmonic_output_flux(fock, solution, "out")
    >>> bool(np.isclose(flux.coherent, 1.0 * 0.1**2 / ((2.0 - 2.5) ** 2 + 1.0 / 4)))  # k E^2 / ((w - nu)^2 + k^2/4)
    True
    >>> bool(abs(flux.incoherent) < 1e-9)  # a driven cavity stays coherent
    True
    """
    J, JdJ = _port(fock, port)
    inputs = dict(input_amplitudes or {})
    unknown = sorted(set(inputs) - set(solution.harmonics))
    if unknown:
        raise ParameterError(f"input harmonics {unknown} are not kept in the solution (orders {solution.orders})")
    d = fock.dimension
    mean_L = {m: complex(np.trace(J @ density_matrix_harmonic(solution, m, d))) for m in solution.harmonics}
    amplitudes = {m: complex(inputs.get(m, 0.0) - 1j * value) for m, value in mean_L.items()}
    # <c_out^+ c_out>^(0) = gamma <L^+L>^(0) + sum_f [|alpha_f|^2 + 2 Re(i alpha_f (sqrt(gamma) <L>_f)^*)]
    rho_0 = density_matrix_harmonic(solution, (0,) * len(solution.orders), d)
    total = float(np.trace(JdJ @ rho_0).real)
    coherent = 0.0
    for group in _frequency_groups(solution, tolerance):
        alpha = sum((inputs.get(m, 0.0) for m in group), 0j)
        L_f = sum((mean_L[m] for m in group), 0j)
        total += abs(alpha) ** 2 + 2 * (1j * alpha * L_f.conjugate()).real
        coherent += abs(alpha - 1j * L_f) ** 2
    return OutputFlux(total, float(coherent), amplitudes, tuple(solution.frequencies))


def _frequency_groups(solution: HarmonicSolution, tolerance: float) -> list[list[tuple[int, ...]]]:
    """Harmonic indices grouped by equal frequency ``m . omega`` (within ``tolerance`` x the largest tone)."""
    scale = max((abs(w) for w in solution.frequencies), default=0.0) or 1.0
    ordered = sorted(solution.harmonics, key=lambda m: float(np.dot(m, solution.frequencies)) if m else 0.0)
    groups: list[list[tuple[int, ...]]] = []
    last = None
    for m in ordered:
        f = float(np.dot(m, solution.frequencies)) if m else 0.0
        if last is None or f - last > tolerance * scale:
            groups.append([])
        groups[-1].append(m)
        last = f
    return groups


__all__ = ["OutputFlux", "drive_strength", "harmonic_output_flux", "input_amplitude", "output_flux"]
