r"""The Lindblad generator of a :class:`FockModel` prepared for repeated application.

.. math:: \dot X = \mathcal L_t X = -i(K(t) X - X K(t)^\dagger) + \sum_k J_k X J_k^\dagger,
          \qquad K(t) = H(t) - \tfrac{i}{2}\sum_k J_k^\dagger J_k ,

applied by the Numba kernel :func:`~qderive.numeric.kernels.lindblad_apply` (sparse ``K`` and
``J_k`` times a dense ``X``; no ``d^2 x d^2`` superoperator). ``K(t) = K_0 + sum_m f_m(t) H_m
- (i/2) sum_k |a_k(t)|^2 L_k^+ L_k`` is stored on the union sparsity pattern of its terms so that a
time step only rescales data; a jump operator with a time-dependent amplitude ``J_k(t) = a_k(t) L_k``
(time-dependent rate, ``a_k = sqrt(gamma_k(t))``) has its stored entries rescaled likewise.

In the interaction frame the static diagonal ``H_0 = diag(E)`` of the Hamiltonian is removed
from ``K`` and carried by the phases ``X_I = U_0^+ X U_0``, ``U_0 = exp(-i H_0 t)``: the state then
varies on the scale of the couplings, not of the bare frequencies, and an adaptive integrator
takes fewer steps. The dual generator (Heisenberg picture, used by the regression theorem)
:math:`\mathcal L^\ddagger A = i(K^\dagger A - A K) + \sum_k J_k^\dagger A J_k` is the same
kernel with ``K -> -K^+`` and ``J_k -> J_k^+``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sps

from qderive.symbolic import ModelError

from .fock import FockModel
from .kernels import lindblad_apply

Frame = Literal["auto", "lab", "interaction"]

# Measured on sps000 (d = 96, spread / couplings = 9, 0-22 us, rtol 1e-6): the interaction frame saved
# 7 % of the time but erred by 1.3e-5 against 1.2e-8 in the lab frame, whose fast phases force short
# steps; the frame pays off only when the bare frequencies dwarf the couplings.
INTERACTION_FRAME_RATIO = 100.0


def _aligned_csr(matrices: list[sps.spmatrix], d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Data of every matrix on their union CSR pattern: ``(data[m, :], indices, indptr)``."""
    coos = [sps.coo_matrix(m) for m in matrices]
    keys = [c.row.astype(np.int64) * d + c.col for c in coos]
    union = np.unique(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
    data = np.zeros((len(matrices), union.size), dtype=complex)
    for m, (c, key) in enumerate(zip(coos, keys, strict=True)):
        np.add.at(data[m], np.searchsorted(union, key), c.data)
    indptr = np.zeros(d + 1, dtype=np.int64)
    np.cumsum(np.bincount(union // d, minlength=d), out=indptr[1:])
    return data, (union % d).astype(np.int64), indptr


class LindbladGenerator:
    """``L_t`` of a Fock model, ready for :meth:`apply` (forward) or dual use (``dual=True``).

    Parameters
    ----------
    fock : FockModel
        The model's matrices at fixed parameters.
    frame : {"auto", "lab", "interaction"}
        ``"auto"`` picks the interaction frame when the spread of the Hamiltonian's static
        diagonal exceeds ``INTERACTION_FRAME_RATIO`` times the largest absolute row sum of the rest
        of ``K`` (the couplings and the damping).
    dual : bool
        Build the Heisenberg-picture generator ``L^++`` instead (time-independent models only).

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5})
    >>> forward = LindbladGenerator(fock, "lab")
    >>> dual = LindbladGenerator(fock, "lab", dual=True)
    >>> rho, A = np.diag([0.3, 0.7]).astype(complex), np.array([[1.0, 2.0j], [-2.0j, 0.5]])
    >>> lhs = np.trace(A @ forward.apply(0.0, rho, np.empty((2, 2), complex)))
    >>> rhs = np.trace(dual.apply(0.0, A, np.empty((2, 2), complex)) @ rho)
    >>> bool(np.isclose(lhs, rhs))  # Tr(A L rho) = Tr(L^dagger(A) rho)
    True
    """

    def __init__(self, fock: FockModel, frame: Frame = "auto", dual: bool = False):
        if frame not in ("auto", "lab", "interaction"):
            raise ModelError(f"frame must be 'auto', 'lab' or 'interaction', got {frame!r}")
        if dual and fock.varies_in_time:
            raise ModelError("the dual generator is built for time-independent models only")
        d = fock.dimension
        self.dimension = d
        amplitude_of = dict(fock.time_dependent_jumps)
        kept = [k for k, j in enumerate(fock.jump_operators) if j.nnz]
        jumps = [sps.csr_matrix(fock.jump_operators[k], dtype=complex) for k in kept]
        zero = sps.csr_matrix((d, d), dtype=complex)
        damping = sum((j.conj().T @ j for k, j in zip(kept, jumps, strict=True) if k not in amplitude_of), zero)
        # a jump f(t) L contributes |f(t)|^2 (-i/2) L^+ L to K(t)
        varying_damping = [-0.5j * (j.conj().T @ j) for k, j in zip(kept, jumps, strict=True) if k in amplitude_of]
        static = sps.csr_matrix(fock.hamiltonian, dtype=complex)
        energies = static.diagonal().real.copy()
        rest = static - sps.diags(energies) - 0.5j * damping
        for h in [h for _, h in fock.time_dependent] + varying_damping:
            rest = rest + abs(h)
        spread = energies.max() - energies.min() if d else 0.0
        if frame == "auto":
            frame = "interaction" if spread > INTERACTION_FRAME_RATIO * abs(rest).sum(axis=1).max() else "lab"
        self.frame = frame
        self.energies = energies if frame == "interaction" else np.zeros(d)
        k0 = static - sps.diags(self.energies) - 0.5j * damping
        if dual:  # the dual kernel sees -K^+, whose static diagonal is -E
            self.energies = -self.energies
        terms = [k0] + [sps.csr_matrix(h, dtype=complex) for _, h in fock.time_dependent] + varying_damping
        if dual:
            terms = [-t.conj().T for t in terms]
            jumps = [j.conj().T.tocsr() for j in jumps]
        self._k_terms, self._k_indices, self._k_indptr = _aligned_csr(terms, d)
        self._k_data = self._k_terms[0].copy()
        self._functions = tuple(f for f, _ in fock.time_dependent)
        self._amplitudes = tuple((n, amplitude_of[k]) for n, k in enumerate(kept) if k in amplitude_of)
        stacked = sps.vstack(jumps, format="csr") if jumps else sps.csr_matrix((0, d), dtype=complex)
        stacked.sort_indices()
        self._j_base = stacked.data.astype(complex)
        self._j_data = self._j_base.copy()
        self._j_owner = np.repeat(np.arange(len(jumps)), np.diff(stacked.indptr).reshape(-1, d).sum(axis=1)) \
            if jumps else np.zeros(0, dtype=np.int64)  # jump of every stored entry
        self._j_indices = stacked.indices.astype(np.int64)
        self._j_indptr = stacked.indptr.astype(np.int64)
        self._n_jumps = len(jumps)
        self._scratch = np.empty((len(jumps) + 2, d, d), dtype=complex)
        self._unit = np.ones(d, dtype=complex)
        self.time_dependent = bool(self._functions or self._amplitudes)

    @property
    def rotating(self) -> bool:
        """True when the generator works in the interaction frame of the static diagonal Hamiltonian.

        Examples
        --------
        >>> from qderive.numeric import fock_model
        >>> from qderive.symbolic.library import driven_qubit
        >>> far = fock_model(driven_qubit(), {"Delta": 1e4, "Omega": 1.0, "gamma": 0.5})  # detuning >> couplings
        >>> LindbladGenerator(far).rotating, LindbladGenerator(far, "lab").rotating
        (True, False)
        """
        return self.frame == "interaction"

    def _phases(self, t: float) -> np.ndarray:
        return np.exp(-1j * self.energies * t) if self.rotating else self._unit

    def apply(self, t: float, x: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``out = L_t x`` in this generator's frame.

        Examples
        --------
        >>> from qderive.numeric import fock_model, liouvillian
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 0.3, "Omega": 1.0, "gamma": 0.5})
        >>> rho = np.array([[0.6, 0.1 - 0.2j], [0.1 + 0.2j, 0.4]])
        >>> out = LindbladGenerator(fock, "lab").apply(0.0, rho, np.empty((2, 2), complex))
        >>> L = liouvillian(fock.hamiltonian, fock.jump_operators)  # the sparse d^2 x d^2 superoperator
        >>> bool(np.allclose(out.ravel(order="F"), L @ rho.ravel(order="F"))), bool(np.isclose(np.trace(out), 0))
        (True, True)
        """
        if self.time_dependent:
            amplitudes = [f(t) for _, f in self._amplitudes]
            coefficients = np.array([1.0] + [complex(f(t)) for f in self._functions]
                                    + [abs(a) ** 2 for a in amplitudes])
            np.dot(coefficients, self._k_terms, out=self._k_data)
            if amplitudes:
                scale = np.ones(self._n_jumps, dtype=complex)
                scale[[n for n, _ in self._amplitudes]] = amplitudes
                np.multiply(self._j_base, scale[self._j_owner], out=self._j_data)
        lindblad_apply(
            x, out, self._k_data, self._k_indices, self._k_indptr, self._j_data, self._j_indices, self._j_indptr,
            self._n_jumps, self._phases(t), self.rotating, self._scratch,
        )
        return out

    def to_lab(self, t: float, x: np.ndarray) -> np.ndarray:
        """Lab-frame operator ``U_0 X_I U_0^+`` of a frame operator (a no-op in the lab frame).

        Examples
        --------
        >>> from qderive.numeric import fock_model
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 1e4, "Omega": 1.0, "gamma": 0.5})
        >>> generator = LindbladGenerator(fock, "interaction")
        >>> x = np.array([[0.5, 0.5], [0.5, 0.5]], dtype=complex)
        >>> t = np.pi / 2e4  # a quarter period of the detuning: the coherence picks up the phase exp(-i Delta t) = -i
        >>> complex(generator.to_lab(t, x)[1, 0].round(12))
        -0.5j
        """
        if not self.rotating:
            return x
        u = self._phases(t)
        return x * np.outer(u, u.conj())

    def from_lab(self, t: float, x: np.ndarray) -> np.ndarray:
        """Frame operator ``U_0^+ X U_0`` of a lab-frame operator.

        Examples
        --------
        >>> from qderive.numeric import fock_model
        >>> from qderive.symbolic.library import driven_qubit
        >>> fock = fock_model(driven_qubit(), {"Delta": 1e4, "Omega": 1.0, "gamma": 0.5})
        >>> generator = LindbladGenerator(fock, "interaction")
        >>> x = np.array([[0.3, 0.1 + 0.4j], [0.1 - 0.4j, 0.7]])
        >>> bool(np.allclose(generator.to_lab(1.3, generator.from_lab(1.3, x)), x))  # inverse transformations
        True
        """
        if not self.rotating:
            return x
        u = self._phases(t)
        return x * np.outer(u.conj(), u)
