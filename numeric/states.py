r"""States of a Fock model by labels: kets, product states, reduced states and protocol preparation.

The basis is that of :mod:`.fock`: the tensor product of the model's subsystems in declaration
order, an n-level system by its level labels, a mode by its Fock number ``0 .. N-1``. A state of
one subsystem (a *factor*) is given as

* a label: a level label (``"e"``) or a Fock number (``0``), meaning ``|label><label|``;
* a ket, a 1-d array of the subsystem's dimension (normalised here);
* a density matrix of the subsystem's dimension (checked: Hermitian, trace 1, positive).

:func:`prepare_state` is the protocol step "let part of the system reach its steady state while
the rest is held in a given state, then set the rest to another state" (sps000: the mechanics and
modes cooled with the spin in ``|d>``, then the spin set to ``|e>``). The held part ``F`` enters the
dynamics of the free part ``R`` through its expectation values: every monomial ``m_F m_R`` of the
Hamiltonian becomes ``<m_F> m_R`` (``<m_F> = Tr rho_F m_F``, exact for couplings that are linear in
the ``F`` operators when ``rho_F`` is a projector onto a state they annihilate, e.g. ``s_- |d> = 0``;
in general the mean-field, first-order, Hamiltonian of ``R``). Dissipators on ``F`` alone are dropped
(``F`` is held), those on ``R`` alone kept; a dissipator acting on both is refused. The QuTiP
equivalent is ``tensor(rho_then, steadystate(H_R, c_ops_R))`` in the model's subsystem order.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from functools import reduce
from typing import Any

import numpy as np
import sympy as sp

from qderive.symbolic import BosonMode, Dissipator, Model, ModelError, NLevelSystem, Op, ParameterError
from qderive.symbolic.subsystems import Subsystem

from .fock import FockModel, fock_model
from .measures import partial_trace
from .steady_state import steady_state

Factor = Hashable | np.ndarray


def as_array(state: Any) -> Any:
    """A ``qutip.Qobj`` as a NumPy array (a ket as 1-d); anything else unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> import qutip
    >>> as_array(qutip.basis(3, 1)).tolist()  # a ket becomes 1-d
    [0j, (1+0j), 0j]
    >>> rho = np.eye(2) / 2
    >>> as_array(rho) is rho  # anything else is returned unchanged
    True
    """
    if hasattr(state, "full") and hasattr(state, "dims"):
        array = state.full()
        return array.ravel() if array.shape[1] == 1 else array
    return state


def _layout(fock: FockModel) -> dict[str, tuple[int, Subsystem, int]]:
    """``name -> (position, subsystem, dimension)`` in the model's order."""
    return {s.name: (k, s, d) for k, (s, d) in enumerate(zip(fock.model.subsystems, fock.dimensions, strict=True))}


def _basis_index(system: Subsystem, dimension: int, label: Hashable) -> int:
    if isinstance(system, NLevelSystem):
        return system.index(label)
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool) and 0 <= label < dimension:
        return int(label)
    raise ParameterError(
        f"mode '{system.name}' takes a Fock number 0..{dimension - 1} (its cutoff is {dimension}), got {label!r}"
    )


def factor_state(system: Subsystem, dimension: int, state: Factor) -> np.ndarray:
    """Density matrix of one subsystem from a label, a ket or a density matrix (see the module docstring).

    Kets and density matrices may be arrays or ``qutip.Qobj``.

    Examples
    --------
    >>> from qderive.symbolic import NLevelSystem
    >>> factor_state(NLevelSystem("q", ("d", "e")), 2, "e").real
    array([[0., 0.],
           [0., 1.]])
    """
    state = as_array(state)
    if isinstance(state, np.ndarray) and state.ndim in (1, 2):
        if state.shape not in ((dimension,), (dimension, dimension)):
            raise ParameterError(
                f"state of '{system.name}' must have shape ({dimension},) or ({dimension}, {dimension}), "
                f"got {state.shape}"
            )
        if state.ndim == 1:
            norm = np.linalg.norm(state)
            if norm == 0 or not np.isfinite(norm):
                raise ParameterError(f"ket of '{system.name}' has norm {norm}; expected a non-zero finite vector")
            psi = np.asarray(state, dtype=complex) / norm
            return np.outer(psi, psi.conj())
        rho = np.asarray(state, dtype=complex)
        if not np.allclose(rho, rho.conj().T, atol=1e-10) or abs(np.trace(rho) - 1) > 1e-10:
            raise ParameterError(f"density matrix of '{system.name}' must be Hermitian with trace 1")
        if np.linalg.eigvalsh(rho).min() < -1e-10:
            raise ParameterError(f"density matrix of '{system.name}' is not positive")
        return rho
    rho = np.zeros((dimension, dimension), dtype=complex)
    index = _basis_index(system, dimension, state)
    rho[index, index] = 1.0
    return rho


def ket(fock: FockModel, labels: Mapping[str, Hashable], qobj: bool = False) -> Any:
    """The product basis ket ``|l_1, l_2, ...>`` from one label per subsystem name.

    Every subsystem must be named: levels by label, modes by Fock number. Returns a 1-d array of
    length ``fock.dimension`` or, with ``qobj=True``, a ``qutip.Qobj`` ket with the model's dims
    (the same state as ``qutip.tensor(qutip.basis(d_1, i_1), ...)``).

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic import BosonMode, Model, NLevelSystem
    >>> q, a = NLevelSystem("q", ("d", "e")), BosonMode("a")
    >>> fock = fock_model(Model("m", (q, a), 0 * a.a), {}, {"a": 3})
    >>> int(ket(fock, {"q": "e", "a": 0}).argmax())  # |e> x |0>: index 1 * 3 + 0
    3
    """
    layout = _layout(fock)
    _check_names(layout, labels, complete=True)
    indices = [_basis_index(s, d, labels[name]) for name, (_, s, d) in layout.items()]
    vector = np.zeros(fock.dimension, dtype=complex)
    vector[np.ravel_multi_index(indices, fock.dimensions)] = 1.0
    return _as_qobj(vector, fock.dimensions, ket=True) if qobj else vector


def product_state(fock: FockModel, states: Mapping[str, Factor], qobj: bool = False) -> Any:
    """``rho_1 x rho_2 x ...`` in the model's order; every subsystem named (label, ket or density matrix).

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic import BosonMode, Model, NLevelSystem
    >>> q, a = NLevelSystem("q", ("d", "e")), BosonMode("a")
    >>> fock = fock_model(Model("m", (q, a), 0 * a.a), {}, {"a": 3})
    >>> float(product_state(fock, {"q": "e", "a": 0})[3, 3].real)
    1.0
    """
    layout = _layout(fock)
    _check_names(layout, states, complete=True)
    rho = reduce(np.kron, (factor_state(s, d, states[name]) for name, (_, s, d) in layout.items()))
    return _as_qobj(rho, fock.dimensions) if qobj else rho


def reduced_state(fock: FockModel, rho: np.ndarray, keep: Sequence[str], qobj: bool = False) -> Any:
    """Partial trace of ``rho`` (array or ``qutip.Qobj``) onto the subsystems named in ``keep`` (model order).

    The QuTiP equivalent is ``rho.ptrace([positions of keep])``.

    Examples
    --------
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic import BosonMode, Model, NLevelSystem
    >>> q, a = NLevelSystem("q", ("d", "e")), BosonMode("a")
    >>> fock = fock_model(Model("m", (q, a), 0 * a.a), {}, {"a": 3})
    >>> reduced_state(fock, product_state(fock, {"q": "e", "a": 1}), ["q"]).real
    array([[0., 0.],
           [0., 1.]])
    """
    layout = _layout(fock)
    _check_names(layout, dict.fromkeys(keep), complete=False)
    rho = np.asarray(as_array(rho))
    if rho.shape != (fock.dimension, fock.dimension):
        raise ParameterError(f"rho must have shape ({fock.dimension}, {fock.dimension}), got {rho.shape}")
    positions = sorted(layout[name][0] for name in keep)
    reduced = partial_trace(rho, fock.dimensions, positions)
    return _as_qobj(reduced, tuple(fock.dimensions[k] for k in positions)) if qobj else reduced


def _held_expectation(monomial: tuple, held: Mapping[Subsystem, np.ndarray], dimensions: Mapping[Subsystem, int]
                      ) -> tuple[complex, tuple]:
    """``(Tr rho_F m_F, m_R)`` for a monomial ``m_F m_R`` and the held product state ``rho_F``."""
    value = 1.0 + 0j
    rest = []
    for system, factor in monomial:
        if system not in held:
            rest.append((system, factor))
            continue
        rho = held[system]
        if isinstance(system, NLevelSystem):
            value *= rho[factor[1], factor[0]]
        else:
            d = dimensions[system]
            lowering = np.diag(np.sqrt(np.arange(1, d, dtype=float)), 1)
            matrix = np.linalg.matrix_power(lowering.T, factor[0]) @ np.linalg.matrix_power(lowering, factor[1])
            value *= np.trace(rho @ matrix)
    return value, tuple(rest)


def _free_model(fock: FockModel, held: Mapping[Subsystem, np.ndarray]) -> Model:
    """The model of the free subsystems with the held ones replaced by their expectation values."""
    model = fock.model
    dimensions = dict(zip(model.subsystems, fock.dimensions, strict=True))
    terms: dict = {}
    for monomial, c in model.hamiltonian.terms.items():
        value, rest = _held_expectation(monomial, held, dimensions)
        if value != 0:
            terms[rest] = terms.get(rest, 0) + c * _number(value)
    dissipators = []
    for d in model.dissipators:
        acts_on = d.operator.subsystems()
        if acts_on <= set(held):
            continue
        if acts_on & set(held):
            raise ModelError(
                f"channel '{d.channel}' acts on held subsystems {sorted(s.name for s in acts_on & set(held))} and on "
                "free ones; prepare_state cannot hold part of a collective jump operator"
            )
        dissipators.append(Dissipator(d.rate, d.operator, d.channel))
    subsystems = tuple(s for s in model.subsystems if s not in held)
    hamiltonian = Op({m: c for m, c in terms.items() if c != 0})
    return Model(f"{model.name} (held: {', '.join(s.name for s in held)})", subsystems, hamiltonian, dissipators,
                 model.parameters, tuple(p for p in model.ports if p in {d.channel for d in dissipators}))


def _number(value: complex) -> sp.Expr:
    """A numeric coefficient for the free model: a Float when real, a complex number otherwise."""
    value = complex(value)
    return sp.Float(value.real, 17) if abs(value.imag) <= 1e-15 * max(1.0, abs(value.real)) else sp.sympify(value)


def prepare_state(fock: FockModel, hold: Mapping[str, Factor], then: Mapping[str, Factor] | None = None,
                  qobj: bool = False, **steady_options: Any) -> Any:
    """Steady state of the free subsystems with ``hold`` held fixed, tensored with ``then`` (default ``hold``).

    Parameters
    ----------
    fock : FockModel
        The full model's matrices (parameters and cutoffs).
    hold : mapping of subsystem name to state
        The held subsystems and their states during the preparation (label, ket or density matrix).
    then : mapping of subsystem name to state, optional
        The states the held subsystems are set to afterwards; the same names as ``hold``.
    qobj : bool
        Return a ``qutip.Qobj`` with the model's dims instead of an array.
    **steady_options
        Passed to :func:`~qderive.numeric.steady_state` (e.g. ``truncation_tolerance``, ``method``).

    Returns
    -------
    numpy.ndarray or qutip.Qobj
        ``rho_then x rho_free_ss`` in the model's subsystem order, ``(d, d)``.

    Raises
    ------
    ModelError
        When a dissipator acts on held and free subsystems together, or the free steady state is not unique.

    Examples
    --------
    >>> import numpy as np
    >>> from qderive.numeric import fock_model
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, NLevelSystem, declare
    >>> P = declare([("g", "coupling", "rad/s"), ("E", "drive", "rad/s"), ("k", "loss", "rad/s")])
    >>> g, E, k = (p.symbol for p in P.values())
    >>> q, a = NLevelSystem("q", ("d", "e")), BosonMode("a")
    >>> H = g * (a.adag * q.sigma("d", "e") + a.a * q.sigma("e", "d")) + E * (a.a + a.adag)
    >>> fock = fock_model(Model("m", (q, a), H, (Dissipator(k, a.a, "k"),), P), {"g": 1, "E": 0.5, "k": 1}, {"a": 12})
    >>> rho = prepare_state(fock, hold={"q": "d"}, then={"q": "e"})
    >>> round(float(np.trace(rho @ fock.operator(a.adag * a.a).toarray()).real), 6)  # |2iE/k|^2 = 1
    1.0
    """
    layout = _layout(fock)
    then = hold if then is None else then
    _check_names(layout, hold, complete=False)
    if set(then) != set(hold):
        raise ParameterError(f"'then' must name the held subsystems {sorted(hold)}, got {sorted(then)}")
    if set(hold) == set(layout):
        raise ParameterError("prepare_state needs at least one free subsystem; use product_state for a product state")
    held = {layout[name][1]: factor_state(layout[name][1], layout[name][2], state) for name, state in hold.items()}
    free_model = _free_model(fock, held)
    cutoffs = {name: d for name, (_, s, d) in layout.items() if isinstance(s, BosonMode) and name not in hold}
    rho_free = steady_state(fock_model(free_model, fock.parameters, cutoffs), **steady_options)
    free_names = [name for name in layout if name not in hold]
    # tensor in the order (held..., free...), then permute the axes to the model's order
    order = list(hold) + free_names
    rho_held = reduce(np.kron, (factor_state(layout[n][1], layout[n][2], then[n]) for n in hold))
    rho = np.kron(rho_held, rho_free)
    dims = [layout[name][2] for name in order]
    axes = [order.index(name) for name in layout]
    n = len(dims)
    rho = rho.reshape(dims + dims).transpose(axes + [n + k for k in axes]).reshape(fock.dimension, fock.dimension)
    return _as_qobj(rho, fock.dimensions) if qobj else rho


def _check_names(layout: Mapping[str, Any], given: Mapping[str, Any], complete: bool) -> None:
    unknown = sorted(set(given) - set(layout))
    if unknown:
        raise ParameterError(f"unknown subsystem(s) {unknown}; the model has {list(layout)}")
    missing = [name for name in layout if name not in given]
    if complete and missing:
        raise ParameterError(f"give the state of every subsystem; missing {missing} (model order {list(layout)})")


def _as_qobj(array: np.ndarray, dimensions: Sequence[int], ket: bool = False) -> Any:
    import qutip

    dims = [list(dimensions), [1] * len(dimensions)] if ket else [list(dimensions), list(dimensions)]
    return qutip.Qobj(array.reshape(-1, 1) if ket else array, dims=dims)


__all__ = ["as_array", "factor_state", "ket", "prepare_state", "product_state", "reduced_state"]
