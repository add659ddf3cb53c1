r"""The ``e_ops`` of an evolution as QuTiP accepts them: operators, dicts and callables.

``e_ops`` may be one operator or a sequence or a dict of them; each entry is a sparse or dense
matrix, a symbolic :class:`~qderive.symbolic.Op`, a QuTiP ``Qobj`` (with the model's dims), or a
callable ``f(t, rho)`` of the time and the dense density matrix. The results are keyed like
QuTiP's ``e_data``: by the dict's keys, otherwise by position.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sps

from qderive.symbolic import Op, ParameterError

from .fock import FockModel
from .kernels import max_asymmetry
from .qutip_interop import is_qobj, qobj_array

Operator = np.ndarray | sps.spmatrix | Op
DENSE_MAX_DIMENSION = 64  # up to here an e_op is kept as a dense matrix (cheaper than sparse at this size)


def _is_operator(entry: Any) -> bool:
    return isinstance(entry, (Op, np.ndarray, sps.spmatrix)) or is_qobj(entry)


def e_op_entries(e_ops: Any) -> tuple[list[Hashable], list[Any]]:
    """``(keys, entries)`` of ``e_ops``: a dict's keys, or positions ``0, 1, ...``; one operator counts as a list."""
    if e_ops is None:
        return [], []
    if isinstance(e_ops, Mapping):
        return list(e_ops), list(e_ops.values())
    stacked = isinstance(e_ops, np.ndarray) and e_ops.ndim == 3  # several matrices in one array
    if (_is_operator(e_ops) and not stacked) or callable(e_ops):
        return [0], [e_ops]
    entries = list(e_ops)
    return list(range(len(entries))), entries


def operator_matrix(fock: FockModel, entry: Any, name: str = "e_ops entry") -> np.ndarray | sps.coo_matrix:
    """The matrix of an operator entry, shape checked: dense up to ``DENSE_MAX_DIMENSION``, else sparse (COO)."""
    d = fock.dimension
    if isinstance(entry, Op):
        entry = fock.operator(entry)
    elif is_qobj(entry):
        entry = qobj_array(entry, fock.dimensions, name)
    elif not isinstance(entry, (np.ndarray, sps.spmatrix)):
        raise ParameterError(f"{name} must be a matrix, an Op, a Qobj or a callable f(t, rho), got {entry!r}")
    if entry.shape != (d, d):
        raise ParameterError(f"{name} has shape {entry.shape}, expected {(d, d)}")
    if d <= DENSE_MAX_DIMENSION:
        return entry.toarray().astype(complex, copy=False) if sps.issparse(entry) else np.asarray(entry, complex)
    return entry.tocoo() if sps.issparse(entry) else sps.coo_matrix(entry)


def _is_hermitian(matrix: np.ndarray | sps.coo_matrix) -> bool:
    """Exactly Hermitian (then its expectation values are real)."""
    if isinstance(matrix, np.ndarray):
        return max_asymmetry(matrix) == 0
    return abs(matrix - matrix.conj().T).sum() == 0


class Expectations:
    """``Tr(A rho)`` of the operator entries and ``f(t, rho)`` of the callables, on a dense ``rho``.

    ``operators[k]`` is entry ``k``'s matrix (dense for small models, COO otherwise) or ``None``
    for a callable, which is in ``functions[k]``.
    """

    def __init__(self, fock: FockModel, e_ops: Any):
        self.keys, entries = e_op_entries(e_ops)
        self.operators: list[np.ndarray | sps.coo_matrix | None] = []
        self.functions: dict[int, Callable[[float, np.ndarray], complex]] = {}
        self.hermitian: list[bool] = []
        for k, entry in enumerate(entries):
            if not _is_operator(entry) and callable(entry):
                self.functions[k] = entry
                self.operators.append(None)
                self.hermitian.append(False)
                continue
            matrix = operator_matrix(fock, entry, f"e_ops[{self.keys[k]!r}]")
            self.operators.append(matrix)
            self.hermitian.append(_is_hermitian(matrix))

    def __len__(self) -> int:
        return len(self.operators)

    def _value(self, k: int, t: float, rho: np.ndarray) -> complex:
        a = self.operators[k]
        if a is None:
            return complex(self.functions[k](t, rho))
        if isinstance(a, np.ndarray):
            return np.sum(a * rho.T)  # Tr(A rho) = sum_ij A_ij rho_ji
        return np.dot(a.data, rho[a.col, a.row])

    def __call__(self, t: float, rho: np.ndarray) -> np.ndarray:
        return np.array([self._value(k, t, rho) for k in range(len(self.operators))])

    def finish(self, values: Sequence[np.ndarray]) -> list[np.ndarray]:
        """One row per entry; real for Hermitian operators and for callables whose values are all real."""
        table = np.array(values).reshape(len(values), len(self.operators)).T
        return [row.real if h or (k in self.functions and not np.any(row.imag)) else row
                for k, (row, h) in enumerate(zip(table, self.hermitian, strict=True))]
