"""State measures: partial trace, purity, von Neumann entropy, fidelity, Wootters concurrence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.linalg as sla

from qderive.symbolic import QderiveError


def _check_density_matrix(rho: np.ndarray, name: str = "rho") -> np.ndarray:
    rho = np.asarray(rho, dtype=complex)
    if rho.ndim != 2 or rho.shape[0] != rho.shape[1]:
        raise QderiveError(f"{name} must be a square matrix, got shape {rho.shape}")
    if not np.allclose(rho, rho.conj().T, atol=1e-10):
        raise QderiveError(f"{name} is not Hermitian (max |rho - rho^+| = {np.abs(rho - rho.conj().T).max():.1e})")
    return rho


def partial_trace(rho: np.ndarray, dimensions: Sequence[int], keep: Sequence[int]) -> np.ndarray:
    """Reduced density matrix of the subsystems ``keep`` (indices into ``dimensions``).

    Examples
    --------
    >>> bell = np.array([1, 0, 0, 1]) / np.sqrt(2)
    >>> partial_trace(np.outer(bell, bell), [2, 2], [0]).tolist()  # a Bell state is maximally mixed on each qubit
    [[0.4999999999999999, 0.0], [0.0, 0.4999999999999999]]
    >>> product = np.kron(np.diag([0.2, 0.8]), np.diag([1.0, 0.0, 0.0]))
    >>> bool(np.allclose(partial_trace(product, [2, 3], [0]), np.diag([0.2, 0.8])))
    True
    """
    dimensions = list(dimensions)
    n = len(dimensions)
    keep = sorted(keep)
    tensor = np.asarray(rho).reshape(dimensions + dimensions)
    traced = [k for k in range(n) if k not in keep]
    letters = "abcdefghijklmnopqrstuvwxyz"
    rows = [letters[k] for k in range(n)]
    cols = [letters[k] if k in traced else letters[n + k].upper() for k in range(n)]
    out = "".join(rows[k] for k in keep) + "".join(cols[k] for k in keep)
    reduced = np.einsum("".join(rows) + "".join(cols) + "->" + out, tensor)
    d = int(np.prod([dimensions[k] for k in keep]))
    return reduced.reshape(d, d)


def purity(rho: np.ndarray) -> float:
    """``Tr rho^2``.

    Examples
    --------
    >>> purity(np.diag([1.0, 0.0])), purity(np.eye(4) / 4)  # pure state, and the maximally mixed state 1/d
    (1.0, 0.25)
    """
    rho = _check_density_matrix(rho)
    return float(np.real(np.vdot(rho.conj().T, rho)))


def von_neumann_entropy(rho: np.ndarray, base: float = 2.0) -> float:
    """``S = -Tr rho log rho`` (in bits by default).

    Examples
    --------
    >>> round(von_neumann_entropy(np.eye(4) / 4), 12), abs(von_neumann_entropy(np.diag([1.0, 0.0])))  # log2(4) bits
    (2.0, 0.0)
    >>> bool(np.isclose(von_neumann_entropy(np.diag([0.5, 0.5]), base=np.e), np.log(2)))  # in nats
    True
    """
    eigenvalues = np.linalg.eigvalsh(_check_density_matrix(rho))
    eigenvalues = eigenvalues[eigenvalues > 1e-15]
    return float(-np.sum(eigenvalues * np.log(eigenvalues)) / np.log(base))


def fidelity(rho: np.ndarray, sigma: np.ndarray) -> float:
    """Uhlmann fidelity ``F = (Tr sqrt(sqrt(rho) sigma sqrt(rho)))^2``.

    Examples
    --------
    >>> plus = np.full((2, 2), 0.5)  # |+><+|
    >>> round(fidelity(plus, np.diag([1.0, 0.0])), 12)  # |<+|0>|^2
    0.5
    >>> round(fidelity(np.diag([0.3, 0.7]), np.diag([0.3, 0.7])), 12)
    1.0
    """
    root = sla.sqrtm(_check_density_matrix(rho))
    inner = root @ _check_density_matrix(sigma, "sigma") @ root
    eigenvalues = np.clip(np.linalg.eigvalsh((inner + inner.conj().T) / 2), 0, None)
    return float(np.sum(np.sqrt(eigenvalues)) ** 2)


def concurrence(rho: np.ndarray) -> float:
    """Wootters concurrence ``C = max(0, l1 - l2 - l3 - l4)`` of a two-qubit state.

    ``l_k`` are the decreasing square roots of the eigenvalues of ``rho (sy x sy) rho^* (sy x sy)``.

    Examples
    --------
    >>> bell = np.array([0, 1, 1, 0]) / np.sqrt(2)
    >>> round(concurrence(np.outer(bell, bell)), 12), concurrence(np.eye(4) / 4)
    (1.0, 0.0)
    >>> p = 0.5  # Werner state p |Bell><Bell| + (1 - p) 1/4: C = max(0, (3p - 1)/2)
    >>> round(concurrence(p * np.outer(bell, bell) + (1 - p) * np.eye(4) / 4), 12)
    0.25
    """
    rho = _check_density_matrix(rho)
    if rho.shape != (4, 4):
        raise QderiveError(f"concurrence needs a two-qubit (4 x 4) density matrix, got shape {rho.shape}")
    sy = np.array([[0, -1j], [1j, 0]])
    flip = np.kron(sy, sy)
    rho_tilde = flip @ rho.conj() @ flip
    eigenvalues = np.linalg.eigvals(rho @ rho_tilde)
    roots = np.sort(np.sqrt(np.clip(eigenvalues.real, 0, None)))[::-1]
    return float(max(0.0, roots[0] - roots[1] - roots[2] - roots[3]))
