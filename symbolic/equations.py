r"""Equations of motion: Heisenberg-Langevin (Gardiner-Collett), adjoint Lindblad, coefficient tensors.

For a model ``H``, ``sum_k gamma_k D[L_k]`` with input fields ``c_in,k`` (convention
``c_out = c_in - i sqrt(gamma) L``) the quantum Langevin equation of a system operator ``A`` is

.. math::
    \dot A = -i[A, H] - \sum_k \Big\{ [A, L_k^\dagger]\big(\tfrac{\gamma_k}{2} L_k + i\sqrt{\gamma_k}\, c_{in,k}\big)
             - \big(\tfrac{\gamma_k}{2} L_k^\dagger - i\sqrt{\gamma_k}\, c_{in,k}^\dagger\big)[A, L_k] \Big\}

(Gardiner & Collett, PRA 31, 3761 (1985), with ``b_in = i c_in``). Dropping the input fields
leaves the adjoint Lindblad generator
``L^+(A) = i[H, A] + sum_k gamma_k (L_k^+ A L_k - {L_k^+ L_k, A}/2)`` whose expectation gives
``d<A>/dt`` for vacuum inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from .errors import ModelError
from .expectation import expectation
from .model import Model
from .operators import Op, commutator
from .subsystems import BosonMode, InputField, NLevelSystem


def adjoint_generator(model: Model, operator: Op) -> Op:
    """``L^+(A) = i[H, A] + sum_k gamma_k (L_k^+ A L_k - {L_k^+ L_k, A}/2)`` (no noise terms)."""
    result = sp.I * commutator(model.hamiltonian, operator)
    for d in model.dissipators:
        L, Ld = d.operator, d.operator.dag()
        LdL = Ld * L
        result = result + d.rate * (Ld * operator * L - (LdL * operator + operator * LdL) / 2)
    return result


def heisenberg_langevin(model: Model, operator: Op) -> Op:
    """Right-hand side of the quantum Langevin equation ``dA/dt`` including input-field terms."""
    result = -sp.I * commutator(operator, model.hamiltonian)
    for d in model.dissipators:
        L, Ld = d.operator, d.operator.dag()
        c_in = d.input_field
        root = sp.sqrt(d.rate)
        left = commutator(operator, Ld) * (d.rate / 2 * L + sp.I * root * c_in)
        right = (d.rate / 2 * Ld - sp.I * root * c_in.dag()) * commutator(operator, L)
        result = result - left + right
    return result


def expectation_equation(model: Model, operator: Op) -> sp.Expr:
    """``d<A>/dt = <L^+(A)>`` as a SymPy expression in expectation values (vacuum inputs)."""
    return expectation(adjoint_generator(model, operator))


def first_order_operators(model: Model) -> dict[str, Op]:
    """The operators whose equations define the model's dynamics to first order.

    ``a`` for every mode and ``sigma_ij`` (all ``i, j``) for every n-level system, keyed by name.
    """
    operators: dict[str, Op] = {}
    for system in model.subsystems:
        if isinstance(system, BosonMode):
            operators[system.name] = system.a
        elif isinstance(system, NLevelSystem):
            for i in system.levels:
                for j in system.levels:
                    operators[str(system.sigma(i, j))] = system.sigma(i, j)
    return operators


def equations_of_motion(model: Model, operators: Mapping[str, Op] | None = None) -> dict[str, Op]:
    """Heisenberg-Langevin right-hand sides for ``operators`` (default: :func:`first_order_operators`)."""
    operators = first_order_operators(model) if operators is None else operators
    return {name: heisenberg_langevin(model, op) for name, op in operators.items()}


@dataclass(frozen=True)
class CoefficientTensors:
    r"""Coefficients of the closed Langevin equations of an n-level system ``s``:

    .. math:: \dot s_{ij} = \sum_{mn} \Big( M_{ijmn} s_{mn}
              + \sum_c \big[ N^{c\dagger}_{ijmn}\, c_{in}^\dagger s_{mn} + N^{c}_{ijmn}\, s_{mn} c_{in} \big] \Big)

    ``drift`` is ``M``; ``input_dagger[c]`` and ``input[c]`` are the input-field tensors of channel
    ``c``. Indices follow the order of ``system.levels``. With vacuum inputs the same ``M`` gives
    ``d<s_ij>/dt = sum_mn M_ijmn <s_mn>``.
    """

    system: NLevelSystem
    drift: sp.ImmutableDenseNDimArray
    input_dagger: dict[str, sp.ImmutableDenseNDimArray]
    input: dict[str, sp.ImmutableDenseNDimArray]

    def drift_matrix(self) -> sp.Matrix:
        """``M`` reshaped to an ``n^2 x n^2`` matrix acting on ``vec(s)_(i n + j)``."""
        n = self.system.dimension
        return sp.Matrix(n * n, n * n, lambda r, c: self.drift[r // n, r % n, c // n, c % n])


def coefficient_tensors(model: Model, system: NLevelSystem | None = None) -> CoefficientTensors:
    """The coefficient tensors ``M``, ``N^c+``, ``N^c`` of the Langevin equations of ``sigma_ij``.

    The model may contain only this n-level system (eliminate modes first); otherwise the
    equations do not close on ``sigma_mn`` and a :class:`ModelError` says which subsystem spoils it.
    """
    if system is None:
        if len(model.level_systems) != 1:
            raise ModelError(f"model '{model.name}': name the n-level system; it has {model.level_systems}")
        system = model.level_systems[0]
    others = [s.name for s in model.subsystems if s != system]
    if others:
        raise ModelError(
            f"model '{model.name}': the sigma_ij equations of '{system.name}' do not close while subsystems "
            f"{others} remain; eliminate them first"
        )
    n = system.dimension
    shape = (n, n, n, n)
    drift = sp.MutableDenseNDimArray.zeros(*shape)
    channels = [d.channel for d in model.dissipators]
    left = {c: sp.MutableDenseNDimArray.zeros(*shape) for c in channels}
    right = {c: sp.MutableDenseNDimArray.zeros(*shape) for c in channels}
    for i, li in enumerate(system.levels):
        for j, lj in enumerate(system.levels):
            rhs = heisenberg_langevin(model, system.sigma(li, lj)).expand_identities([system])
            for monomial, c in rhs.terms.items():
                factors = dict(monomial)
                m, nn = factors.pop(system)
                if not factors:
                    drift[i, j, m, nn] += c
                    continue
                (field, power), = factors.items()
                if not isinstance(field, InputField) or power not in ((1, 0), (0, 1)):
                    raise ModelError(f"unexpected term {Op.monomial(monomial)} in the equation of sigma_{li}{lj}")
                target = left if power == (1, 0) else right
                target[field.channel][i, j, m, nn] += c
    return CoefficientTensors(
        system=system,
        drift=sp.ImmutableDenseNDimArray(drift),
        input_dagger={c: sp.ImmutableDenseNDimArray(a) for c, a in left.items()},
        input={c: sp.ImmutableDenseNDimArray(a) for c, a in right.items()},
    )
