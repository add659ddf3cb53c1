r"""Steady-state power spectrum of a correlation function, by one sparse solve per frequency.

.. math:: S(\omega) = \int_{-\infty}^{\infty} e^{-i\omega\tau}\,
          \langle \delta A(\tau)\, \delta B(0)\rangle_{ss}\, d\tau ,
          \qquad \delta X = X - \langle X\rangle_{ss}

(the convention of ``qutip.spectrum``: ``A = a^+, B = a`` gives the emission spectrum, peaked at
the mode's frequency). The fluctuations exclude the coherent (elastic) part
``2 pi <A><B> delta(omega)``, which :class:`Spectrum` reports separately as ``coherent_weight``.

By the quantum regression theorem, for ``tau >= 0``
``<dA(tau) dB(0)> = Tr[A e^{L tau} Y_B]`` with the traceless ``Y_B = B rho - <B> rho``, and
``<dA(-tau) dB(0)> = <dA(0) dB(tau)> = Tr[B e^{L tau} Y_A]`` with ``Y_A = rho A - <A> rho``, so

.. math:: S(\omega) = -\mathrm{Tr}[A\,(\mathcal L - i\omega)^{-1} Y_B]
                      - \mathrm{Tr}[B\,(\mathcal L + i\omega)^{-1} Y_A] .

Each solve uses the bordered matrix ``L - i omega + w |rho_00><Tr|`` (``w`` added to the
equation of ``rho_00`` times the trace): for a traceless right-hand side its solution is
traceless, so it equals ``(L - i omega)^{-1} Y``, and the matrix is non-singular at every real
``omega`` including 0 when the steady state is unique and no other eigenvalue of ``L`` is
purely imaginary (no undamped oscillation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sps
import scipy.sparse.linalg as spla

from qderive.symbolic import Op, ParameterError

from .fock import FockModel
from .liouvillian import liouvillian
from .memory import require_memory
from .observables import Operator
from .steady_state import SPARSE_ENTRY_BYTES, envelope_entries, steady_state, trace_border


@dataclass(frozen=True)
class Spectrum:
    """``S(omega)`` of the fluctuations on ``frequencies`` and the weight ``<A><B>`` of the elastic line.

    The full spectrum is ``values + 2 pi coherent_weight delta(omega)``.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_cavity
    >>> model = driven_cavity()
    >>> a = model.subsystem("a").a
    >>> fock = fock_model(model, {"Delta": 0.0, "E": 0.25, "kappa": 1.0}, cutoffs={"a": 10})
    >>> result = spectrum(fock, [0.0, 1.0], a.dag(), a)
    >>> bool(np.allclose(result.values, 0, atol=1e-10))  # a coherent state has no fluctuations ...
    True
    >>> bool(np.isclose(result.coherent_weight, (2 * 0.25 / 1.0) ** 2))  # ... only the elastic line |<a>|^2
    True
    """

    frequencies: np.ndarray
    values: np.ndarray
    coherent_weight: complex


def _operator(fock: FockModel, op: Operator, name: str) -> sps.csr_matrix:
    matrix = sps.csr_matrix(fock.operator(op) if isinstance(op, Op) else op, dtype=complex)
    if matrix.shape != (fock.dimension, fock.dimension):
        raise ParameterError(f"{name} has shape {matrix.shape}, expected {(fock.dimension,) * 2}")
    return matrix


def spectrum(fock: FockModel, frequencies: Sequence[float], a_op: Operator, b_op: Operator,
             truncation_tolerance: float = 1e-4) -> Spectrum:
    r"""Steady-state spectrum ``S(omega) = int e^{-i omega tau} <dA(tau) dB(0)> dtau`` (see the module docstring).

    Parameters
    ----------
    fock : FockModel
        A time-independent model with a unique steady state.
    frequencies : sequence of float
        Angular frequencies ``omega`` (rad/s, in the frame of the model's Hamiltonian).
    a_op, b_op : operator
        ``A`` and ``B`` as sparse/dense matrices or symbolic :class:`~qderive.symbolic.Op`.
    truncation_tolerance : float
        Passed to :func:`~qderive.numeric.steady_state`.

    Returns
    -------
    Spectrum
        ``values[k] = S(frequencies[k])`` (real when ``A = B^+``).

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import thermal_oscillator
    >>> model = thermal_oscillator()
    >>> a = model.subsystem("a").a
    >>> fock = fock_model(model, {"w": 2.0, "kappa": 0.5, "n_th": 0.1}, cutoffs={"a": 14})
    >>> S = spectrum(fock, [2.0, 2.25], a.dag(), a).values
    >>> bool(np.allclose(S, [4 * 0.1 / 0.5, 2 * 0.1 / 0.5], rtol=1e-6))  # 4 n / kappa at w, half at w + kappa/2
    True
    """
    omegas = np.asarray(frequencies, dtype=float)
    if omegas.ndim != 1 or omegas.size == 0 or not np.all(np.isfinite(omegas)):
        raise ParameterError("frequencies must be a non-empty 1-d array of finite numbers")
    A, B = _operator(fock, a_op, "a_op"), _operator(fock, b_op, "b_op")
    rho = steady_state(fock, truncation_tolerance)
    mean_a, mean_b = np.sum(A.T.multiply(rho)), np.sum(B.T.multiply(rho))  # Tr(X rho) = sum X_ij rho_ji
    y_b = (B @ rho - mean_b * rho).reshape(-1, order="F")
    y_a = (A.T @ rho.T).T - mean_a * rho  # rho A
    y_a = y_a.reshape(-1, order="F")
    d = fock.dimension
    L = liouvillian(fock.hamiltonian, fock.jump_operators).tocsc()
    weight = np.abs(L.data).mean()
    border = trace_border(d * d, np.arange(d) * (d + 1), weight)  # rho_ii sits at i (d + 1) in vec rho
    require_memory(SPARSE_ENTRY_BYTES * envelope_entries(L + border), f"spectrum (LU of L - i omega) at dimension {d}",
                   "lower the Fock cutoffs or eliminate a fast subsystem adiabatically")
    identity = sps.identity(d * d, dtype=complex, format="csc")
    # Tr(X v) for column-stacked v: the row vec(X^T)
    row_a, row_b = A.T.toarray().reshape(-1, order="F"), B.T.toarray().reshape(-1, order="F")
    hermitian_pair = abs(A - B.conj().T).sum() == 0
    values = np.empty(omegas.size, dtype=complex)
    for k, omega in enumerate(omegas):
        forward = -row_a @ spla.splu(L + border - 1j * omega * identity).solve(y_b)
        if hermitian_pair:  # A = B^+: the tau < 0 half is the complex conjugate
            values[k] = 2 * forward.real
        else:
            values[k] = forward - row_b @ spla.splu(L + border + 1j * omega * identity).solve(y_a)
    if not np.all(np.isfinite(values)):
        raise ParameterError("the spectrum is not finite: L - i omega is singular (an undamped oscillation?)")
    return Spectrum(frequencies=omegas, values=values.real if hermitian_pair else values,
                    coherent_weight=complex(mean_a * mean_b))
