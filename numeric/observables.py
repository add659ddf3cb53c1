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
    """``(keys, entries)`` of ``e_ops``: a dict's keys, or positions ``0, 1, ...``; one operator counts as a list.

    Examples
    --------
    >>> e_op_entries({"n": np.eye(2), "p": np.zeros((2, 2))})[0]
    ['n', 'p']
    >>> keys, entries = e_op_entries(np.eye(2))  # one operator counts as a list of one
    >>> keys, len(entries)
    ([0], 1)
    """
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
    """The matrix of an operator entry, shape checked: dense up to ``DENSE_MAX_DIMENSION``, else sparse (COO).

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_cavity
    >>> model = driven_cavity()
    >>> fock = fock_model(model, {"Delta": 0.0, "E": 0.1, "kappa": 1.0}, cutoffs={"a": 3})
    >>> a = model.subsystem("a").a
    >>> bool(np.allclose(operator_matrix(fock, a.dag() * a), np.diag([0, 1, 2])))
    True
    >>> operator_matrix(fock, np.eye(2))
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: e_ops entry has shape (2, 2), expected (3, 3)
    """
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

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> model = driven_qubit()
    >>> fock = fock_model(model, {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5})
    >>> s = model.subsystem("s")
    >>> expectations = Expectations(fock, {"P_e": s.projector("e"), "s-": s.sigma("g", "e"), "t": lambda t, rho: t})
    >>> rho = np.array([[0.75, 0.25j], [-0.25j, 0.25]])
    >>> expectations(2.0, rho).tolist()  # Tr(P_e rho), Tr(s_ge rho) = rho_eg, and the callable
    [(0.25+0j), -0.25j, (2+0j)]
    >>> expectations.hermitian
    [True, False, False]
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
        """One row per entry; real for Hermitian operators and for callables whose values are all real.

        Examples
        --------
        >>> from qderive.numeric import fock_model
        >>> from qderive.symbolic.library import driven_qubit
        >>> model = driven_qubit()
        >>> fock = fock_model(model, {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5})
        >>> s = model.subsystem("s")
        >>> expectations = Expectations(fock, [s.projector("e"), s.sigma("g", "e")])
        >>> rows = expectations.finish([expectations(0.0, np.diag([1.0, 0.0])), expectations(1.0, np.diag([0.5, 0.5]))])
        >>> rows[0].dtype.name, rows[0].tolist(), rows[1].dtype.name  # real for the Hermitian projector
        ('float64', [0.0, 0.5], 'complex128')
        """
        table = np.array(values).reshape(len(values), len(self.operators)).T
        return [row.real if h or (k in self.functions and not np.any(row.imag)) else row
                for k, (row, h) in enumerate(zip(table, self.hermitian, strict=True))]
