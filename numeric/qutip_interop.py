"""QuTiP objects in and out: Fock-model matrices and states as ``Qobj``, QuTiP models as Fock models.

QuTiP stays optional: this module imports it only inside the functions that build a QuTiP object
or read one, and recognises a ``Qobj`` handed to a solver by its type's module (:func:`is_qobj`)
without importing QuTiP.

Examples
--------
A model written in QuTiP, solved by qderive and by QuTiP:

>>> import qutip
>>> from qderive.numeric import mesolve
>>> H, c_ops = 0.5 * qutip.sigmax(), [np.sqrt(0.3) * qutip.sigmam()]
>>> times = np.linspace(0.0, 3.0, 7)
>>> ours = mesolve(FockModel.from_qutip(H, c_ops), qutip.basis(2, 0), times, e_ops={"z": qutip.sigmaz()},
...               options={"store_states": True})
>>> theirs = qutip.mesolve(H, qutip.basis(2, 0), times, c_ops, e_ops=[qutip.sigmaz()],
...                        options={"atol": 1e-10, "rtol": 1e-10})
>>> bool(np.allclose(ours.e_data["z"], theirs.expect[0], atol=1e-7))
True
>>> ours.final_state_as_qobj().dims
[[2], [2]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sps

from qderive.symbolic import Model, NLevelSystem, Op, ParameterError, ParameterSet
from qderive.symbolic.subsystems import Subsystem

from .fock import FockModel, TimeFunction


def is_qobj(value: Any) -> bool:
    """True for a QuTiP ``Qobj`` or ``QobjEvo`` (decided from its type, without importing QuTiP).

    Examples
    --------
    >>> import qutip
    >>> is_qobj(qutip.sigmax()), is_qobj(np.eye(2))
    (True, False)
    """
    return type(value).__module__.split(".")[0] == "qutip"


def _dims(dimensions: Sequence[int]) -> list[list[int]]:
    return [list(dimensions), list(dimensions)]


def qobj_array(value: Any, dimensions: Sequence[int], name: str) -> np.ndarray:
    """The dense array of a ``Qobj`` whose space is the model's (tensor dimensions ``dimensions`` or their product).

    Raises :class:`ParameterError` naming ``name`` when the ``Qobj`` lives in another space.

    Examples
    --------
    >>> import qutip
    >>> qobj_array(qutip.basis(2, 1), [2], "rho0").ravel().tolist()
    [0j, (1+0j)]
    >>> qobj_array(qutip.basis(3, 0), [2], "rho0")
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ParameterError: rho0 is a Qobj with dims [[3], [1]]; the model's space has dims [2]
    """
    d = int(np.prod(dimensions))
    space = value.dims[0]
    if space != list(dimensions) and space != [d]:
        raise ParameterError(f"{name} is a Qobj with dims {value.dims}; the model's space has dims {list(dimensions)}")
    return np.asarray(value.full())


def to_qutip(fock: FockModel) -> tuple[Any, list[Any]]:
    """``(H, c_ops)`` as QuTiP objects with the model's tensor dimensions.

    A time-dependent Hamiltonian becomes QuTiP's list format ``[H0, [H_k, f_k], ...]``, a jump
    operator with a time-dependent amplitude ``[J_k, f_k]``.

    Examples
    --------
    >>> import qutip
    >>> from qderive.numeric import fock_model, steady_state
    >>> from qderive.symbolic.library import jaynes_cummings
    >>> values = {"Delta_c": 0.1, "Delta_a": -0.2, "g": 0.5, "E": 0.2, "kappa": 1.0, "gamma": 0.3}
    >>> fock = fock_model(jaynes_cummings(), values, cutoffs={"a": 6})
    >>> H, c_ops = to_qutip(fock)
    >>> H.dims, len(c_ops)
    ([[2, 6], [2, 6]], 2)
    >>> bool(np.allclose(qutip.steadystate(H, c_ops).full(), steady_state(fock), atol=1e-8))  # QuTiP agrees
    True
    """
    import qutip

    dims = _dims(fock.dimensions)
    h = qutip.Qobj(fock.hamiltonian, dims=dims)
    if fock.time_dependent:
        h = [h] + [[qutip.Qobj(m, dims=dims), _coefficient(f)] for f, m in fock.time_dependent]
    amplitudes = dict(fock.time_dependent_jumps)
    c_ops = []
    for k, j in enumerate(fock.jump_operators):
        c = qutip.Qobj(j, dims=dims)
        c_ops.append([c, _coefficient(amplitudes[k])] if k in amplitudes else c)
    return h, c_ops


def _coefficient(function: TimeFunction) -> Any:
    return lambda t: complex(function(t))


def _matrix(q: Any) -> sps.csr_matrix:
    return sps.csr_matrix(q.to("csr").data_as("csr_matrix"), dtype=complex)


def from_qutip(hamiltonian: Any, c_ops: Sequence[Any] = ()) -> tuple[sps.csr_matrix, list[sps.csr_matrix]]:
    """Sparse ``(H, [J_k])`` from time-independent QuTiP operators (for comparing with a Fock model).

    Examples
    --------
    >>> import qutip
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic.library import driven_qubit
    >>> fock = fock_model(driven_qubit(), {"Delta": 0.0, "Omega": 1.0, "gamma": 0.5})
    >>> # levels (g, e) are qderive's basis (0, 1): sigma_x is symmetric, the lowering |g><e| is QuTiP's sigmap()
    >>> H, (J,) = from_qutip(0.5 * qutip.sigmax(), [np.sqrt(0.5) * qutip.sigmap()])
    >>> bool(np.allclose(H.toarray(), fock.hamiltonian.toarray())), bool(np.allclose(J.toarray(),
    ...                                                                               fock.jump_operators[0].toarray()))
    (True, True)
    """
    return _matrix(hamiltonian), [_matrix(c) for c in c_ops]


def _split_list_format(value: Any, args: dict | None, name: str) -> tuple[Any, list[tuple[TimeFunction, Any]]]:
    """A QuTiP operator in list format as ``(constant Qobj or None, [(f(t), Qobj), ...])``."""
    import qutip

    if isinstance(value, qutip.Qobj):
        return value, []
    if isinstance(value, qutip.QobjEvo):
        raise ParameterError(f"{name} is a QobjEvo; pass it in list format [H0, [H1, f1], ...] instead")
    constant, varying = None, []
    for part in value:
        if isinstance(part, qutip.Qobj):
            constant = part if constant is None else constant + part
        elif isinstance(part, (list, tuple)) and len(part) == 2 and isinstance(part[0], qutip.Qobj):
            coefficient = qutip.coefficient(part[1], args=args or {})
            varying.append((lambda t, c=coefficient: complex(c(t)), part[0]))
        else:
            raise ParameterError(f"{name}: expected a Qobj or a pair [Qobj, coefficient], got {part!r}")
    return constant, varying


def fock_model_from_qutip(hamiltonian: Any, c_ops: Sequence[Any] = (), subsystems: Sequence[Subsystem] | None = None,
                          args: dict | None = None, name: str = "qutip_model") -> FockModel:
    """A :class:`FockModel` of a model written in QuTiP, for qderive's solvers (see :meth:`FockModel.from_qutip`).

    Examples
    --------
    >>> import qutip
    >>> from qderive.numeric import mesolve
    >>> excited = qutip.basis(2, 0)  # sigmam() lowers basis(2, 0)
    >>> amplitude = lambda t: np.sqrt(0.5 * t)  # the rate gamma(t) = t / 2
    >>> fock = fock_model_from_qutip(0 * qutip.sigmaz(), [[qutip.sigmam(), amplitude]])
    >>> fock.time_dependent_jumps[0][0], fock.symbolic
    (0, False)
    >>> result = mesolve(fock, excited, [0.0, 2.0], e_ops=[excited.proj()], options={"atol": 1e-10, "rtol": 1e-10})
    >>> bool(np.isclose(result.expect[0][-1], np.exp(-(2.0**2) / 4), atol=1e-7))  # exp(-int_0^t gamma) = exp(-t^2/4)
    True
    """
    import qutip

    constant, varying = _split_list_format(hamiltonian, args, "H")
    reference = constant if constant is not None else (varying[0][1] if varying else None)
    if reference is None:
        raise ParameterError("H is empty: pass a Qobj or QuTiP's list format [H0, [H1, f1], ...]")
    dimensions = [int(n) for n in reference.dims[0]]
    if subsystems is None:
        subsystems = [NLevelSystem(f"q{k}", tuple(range(n))) for k, n in enumerate(dimensions)]
    subsystems = tuple(subsystems)
    if len(subsystems) != len(dimensions):
        raise ParameterError(f"subsystems: {len(subsystems)} given for the {len(dimensions)} tensor factors "
                             f"{dimensions}")
    for system, n in zip(subsystems, dimensions, strict=True):
        if isinstance(system, NLevelSystem) and system.dimension != n:
            raise ParameterError(f"subsystem '{system.name}' has {system.dimension} levels, its factor {n}")
    d = int(np.prod(dimensions))

    def matrix(q: Any, what: str) -> sps.csr_matrix:
        if not isinstance(q, qutip.Qobj) or q.dims != _dims(dimensions):
            raise ParameterError(f"{what} must be a Qobj operator with dims {_dims(dimensions)}, got {q!r}")
        return _matrix(q)

    h0 = matrix(constant, "H") if constant is not None else sps.csr_matrix((d, d), dtype=complex)
    asymmetry = h0 - h0.conj().T
    if asymmetry.nnz and np.abs(asymmetry.data).max() > 1e-12 * max(np.abs(h0.data).max(initial=0.0), 1.0):
        raise ParameterError("H is not Hermitian")
    time_dependent = tuple((f, matrix(q, "H")) for f, q in varying)
    jumps, amplitudes = [], []
    for k, c in enumerate(c_ops):
        pair = isinstance(c, (list, tuple)) and len(c) == 2 and not isinstance(c[1], qutip.Qobj)
        c_constant, c_varying = _split_list_format([c] if pair else c, args, f"c_ops[{k}]")
        if c_constant is not None and c_varying or len(c_varying) > 1:
            raise ParameterError(f"c_ops[{k}] must be a Qobj or one pair [Qobj, coefficient]")
        if c_varying:
            amplitudes.append((k, c_varying[0][0]))
            jumps.append(matrix(c_varying[0][1], f"c_ops[{k}]"))
        else:
            jumps.append(matrix(c_constant, f"c_ops[{k}]"))
    model = Model(name, subsystems, Op())
    return FockModel(
        model=model, parameters=ParameterSet((), {}), dimensions=tuple(dimensions), hamiltonian=h0,
        time_dependent=time_dependent, jump_operators=tuple(jumps),
        channels=tuple(f"c_ops[{k}]" for k in range(len(jumps))), time_dependent_jumps=tuple(amplitudes),
        symbolic=False,
    )


def state_to_qutip(fock: FockModel, rho: np.ndarray) -> Any:
    """A density matrix as a QuTiP ``Qobj`` with the model's dimensions.

    Examples
    --------
    >>> from qderive.numeric import fock_model, steady_state
    >>> from qderive.symbolic.library import jaynes_cummings
    >>> values = {"Delta_c": 0.0, "Delta_a": 0.0, "g": 0.5, "E": 0.2, "kappa": 1.0, "gamma": 0.3}
    >>> fock = fock_model(jaynes_cummings(), values, cutoffs={"a": 5})
    >>> rho = state_to_qutip(fock, steady_state(fock))
    >>> rho.dims, bool(rho.isherm), bool(np.isclose(rho.tr(), 1))
    ([[2, 5], [2, 5]], True, True)
    >>> bool(np.isclose(rho.ptrace(0).tr(), 1))  # QuTiP's partial trace over the cavity
    True
    """
    import qutip

    return qutip.Qobj(np.asarray(rho), dims=_dims(fock.dimensions))


def states_to_qutip(dimensions: Sequence[int], states: Sequence[np.ndarray]) -> list[Any]:
    """Density matrices as QuTiP ``Qobj`` with tensor dimensions ``dimensions``.

    Examples
    --------
    >>> states = states_to_qutip([2], [np.diag([1.0, 0.0]), np.diag([0.5, 0.5])])
    >>> [round(float((rho * rho).tr()), 12) for rho in states]  # purities
    [1.0, 0.5]
    """
    import qutip

    return [qutip.Qobj(np.asarray(rho), dims=_dims(dimensions)) for rho in states]
