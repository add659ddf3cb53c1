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
from .qutip_interop import is_qobj, qobj_array

Operator = np.ndarray | sps.spmatrix | Op


def _is_operator(entry: Any) -> bool:
    return isinstance(entry, (Op, np.ndarray, sps.spmatrix)) or is_qobj(entry)


def e_op_entries(e_ops: Any) -> tuple[list[Hashable], list[Any]]:
    """``(keys, entries)`` of ``e_ops``: a dict's keys, or positions ``0, 1, ...``; one operator counts as a list."""
    if e_ops is None:
        return [], []
    if isinstance(e_ops, Mapping):
        return list(e_ops), list(e_ops.values())
    if _is_operator(e_ops) and not (isinstance(e_ops, np.ndarray) and e_ops.ndim == 3) or callable(e_ops):
        return [0], [e_ops]
    entries = list(e_ops)
    return list(range(len(entries))), entries


def operator_matrix(fock: FockModel, entry: Any, name: str = "e_ops entry") -> sps.csr_matrix:
    """The sparse matrix of an operator entry, with its shape checked against the model."""
    d = fock.dimension
    if isinstance(entry, Op):
        return fock.operator(entry)
    if is_qobj(entry):
        entry = qobj_array(entry, fock.dimensions, name)
    elif not isinstance(entry, (np.ndarray, sps.spmatrix)):
        raise ParameterError(f"{name} must be a matrix, an Op, a Qobj or a callable f(t, rho), got {entry!r}")
    matrix = sps.csr_matrix(entry, dtype=complex)
    if matrix.shape != (d, d):
        raise ParameterError(f"{name} has shape {matrix.shape}, expected {(d, d)}")
    return matrix


class Expectations:
    """``Tr(A rho)`` of the operator entries (sparse, on a dense ``rho``) and ``f(t, rho)`` of the callables."""

    def __init__(self, fock: FockModel, e_ops: Any):
        self.keys, entries = e_op_entries(e_ops)
        self.coo: list[sps.coo_matrix | None] = []
        self.functions: dict[int, Callable[[float, np.ndarray], complex]] = {}
        self.hermitian: list[bool] = []
        for k, entry in enumerate(entries):
            if not _is_operator(entry) and callable(entry):
                self.functions[k] = entry
                self.coo.append(None)
                self.hermitian.append(False)
                continue
            matrix = operator_matrix(fock, entry, f"e_ops[{self.keys[k]!r}]").tocoo()
            self.coo.append(matrix)
            self.hermitian.append(abs(matrix - matrix.conj().T).sum() == 0)

    def __len__(self) -> int:
        return len(self.coo)

    @property
    def matrices(self) -> list[tuple[int, sps.coo_matrix]]:
        """``(position, matrix)`` of the operator entries."""
        return [(k, a) for k, a in enumerate(self.coo) if a is not None]

    def __call__(self, t: float, rho: np.ndarray) -> np.ndarray:
        # Tr(A rho) = sum_ij A_ij rho_ji
        if not self.functions:
            return np.array([np.dot(a.data, rho[a.col, a.row]) for a in self.coo])
        return np.array([complex(self.functions[k](t, rho)) if a is None else np.dot(a.data, rho[a.col, a.row])
                         for k, a in enumerate(self.coo)])

    def finish(self, values: Sequence[np.ndarray]) -> list[np.ndarray]:
        """One row per entry; real for Hermitian operators and for callables whose values are all real."""
        table = np.array(values).reshape(len(values), len(self.coo)).T
        return [row.real if h or (k in self.functions and not np.any(row.imag)) else row
                for k, (row, h) in enumerate(zip(table, self.hermitian, strict=True))]
