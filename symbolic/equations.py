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
from typing import Any

import sympy as sp
from sympy.printing.pretty.stringpict import prettyForm

from .errors import ModelError
from .expectation import expectation
from .model import TIME, Model
from .operators import Op, commutator, monomial_to_str
from .printing import pretty_text, repr_latex
from .subsystems import BosonMode, InputField, NLevelSystem


@dataclass(frozen=True)
class EquationOfMotion:
    r"""The equation ``d(lhs)/dt = rhs`` of an operator (Heisenberg-Langevin) or of an average.

    ``lhs`` is the operator ``A`` (an :class:`Op`) or its average ``<A>`` (a SymPy expression);
    ``rhs`` is of the same kind. It prints through SymPy's printers as ``d<a^+ a>/dt = ...``
    (``str``), ``\frac{d}{dt}`` (``sympy.latex``, Jupyter) and a fraction (``sympy.pretty``).
    Use ``rhs`` for algebra; :meth:`as_sympy` gives a ``sympy.Eq`` for averages.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, declare
    >>> P = declare([("kappa", "decay", "rad/s")])
    >>> cavity = BosonMode("a")
    >>> model = Model("leaky", (cavity,), Op(), [Dissipator(P["kappa"].symbol, cavity.a, "out")], P)
    >>> print(expectation_value_equation(model, cavity.a.dag() * cavity.a))
    d<a^+ a>/dt = -kappa*<a^+ a>
    """

    lhs: Op | sp.Expr
    rhs: Op | sp.Expr

    def _lhs_is_atomic(self) -> bool:
        """True for one operator factor (``a``, ``s_ge``) or one symbol or average: no parentheses."""
        if isinstance(self.lhs, Op):
            terms = list(self.lhs.terms.items())
            return len(terms) == 1 and terms[0][1] == 1 and " " not in monomial_to_str(terms[0][0])
        return isinstance(self.lhs, sp.Symbol)

    def _sympystr(self, printer: Any) -> str:
        lhs = printer._print(self.lhs)
        lhs = lhs if self._lhs_is_atomic() else f"({lhs})"
        return f"d{lhs}/dt = {printer._print(self.rhs)}"

    def _latex(self, printer: Any) -> str:
        lhs = printer._print(self.lhs)
        derivative = rf"\frac{{d {lhs}}}{{dt}}" if self._lhs_is_atomic() else rf"\frac{{d}}{{dt}}\left({lhs}\right)"
        return f"{derivative} = {printer._print(self.rhs)}"

    def _pretty(self, printer: Any) -> prettyForm:
        lhs = printer._print(self.lhs)
        if not self._lhs_is_atomic():
            lhs = prettyForm(*lhs.parens())
        derivative = pretty_text(printer, "d", lhs) / prettyForm("dt")
        return pretty_text(printer, derivative, " = ", self.rhs)

    def _repr_latex_(self) -> str:
        return repr_latex(self)

    def __str__(self) -> str:
        return str(sp.sstr(self))

    def as_sympy(self) -> sp.Equality:
        """``Eq(Derivative(<A>, t), rhs)`` for an equation of averages (operators are not SymPy objects).

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> equation = expectation_value_equation(model, a).as_sympy()
        >>> kappa, Delta, E = (model.parameters[n].symbol for n in ("kappa", "Delta", "E"))
        >>> sp.simplify(sp.solve(equation.rhs, expectation(a))[0] - E / (sp.I * kappa / 2 - Delta))  # steady <a>
        0
        """
        if isinstance(self.rhs, Op) or isinstance(self.lhs, Op):
            raise ModelError("an operator equation has no sympy.Eq form; take averages with expectation_value_equation")
        return sp.Eq(sp.Derivative(self.lhs, TIME), self.rhs)


def adjoint_generator(model: Model, operator: Op) -> Op:
    """``L^+(A) = i[H, A] + sum_k gamma_k (L_k^+ A L_k - {L_k^+ L_k, A}/2)`` (no noise terms).

    Examples
    --------
    >>> from qderive.symbolic.library import driven_qubit
    >>> model = driven_qubit()
    >>> s = model.subsystem("s")
    >>> gamma = model.parameters["gamma"].symbol
    >>> undriven = model.replace(hamiltonian=Op())
    >>> adjoint_generator(undriven, s.projector("e")).equals(-gamma * s.projector("e"))  # spontaneous decay
    True
    """
    result = sp.I * commutator(model.hamiltonian, operator)
    for d in model.dissipators:
        L, Ld = d.operator, d.operator.dag()
        LdL = Ld * L
        result = result + d.rate * (Ld * operator * L - (LdL * operator + operator * LdL) / 2)
    return result


def heisenberg_langevin(model: Model, operator: Op) -> Op:
    """Right-hand side of the quantum Langevin equation ``dA/dt`` including input-field terms.

    :func:`heisenberg_langevin_equation` returns the whole equation ``dA/dt = ...`` for display.

    Examples
    --------
    >>> from qderive.symbolic.library import driven_cavity
    >>> model = driven_cavity()
    >>> heisenberg_langevin(model, model.subsystem("a").a)  # da/dt = -(i Delta + kappa/2) a - i E - i sqrt(kappa) c_in
    -I*E + (-I*Delta - kappa/2) a - I*sqrt(kappa) kappa_in
    """
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
    """Right-hand side of ``d<A>/dt = <L^+(A)>``, a SymPy expression in expectation values (vacuum inputs).

    :func:`expectation_value_equation` returns the whole equation ``d<A>/dt = ...`` for display.

    Examples
    --------
    >>> from qderive.symbolic.library import thermal_oscillator
    >>> model = thermal_oscillator()
    >>> a = model.subsystem("a").a
    >>> sp.expand(expectation_equation(model, a.dag() * a))  # d<n>/dt = -kappa (<n> - n_th)
    kappa*n_th - kappa*<a^+ a>
    """
    return expectation(adjoint_generator(model, operator))


def heisenberg_langevin_equation(model: Model, operator: Op) -> EquationOfMotion:
    """The quantum Langevin equation ``dA/dt = ...`` of ``operator`` (right-hand side: :func:`heisenberg_langevin`).

    Examples
    --------
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, declare
    >>> P = declare([("kappa", "decay", "rad/s")])
    >>> cavity = BosonMode("a")
    >>> model = Model("leaky", (cavity,), Op(), [Dissipator(P["kappa"].symbol, cavity.a, "out")], P)
    >>> print(heisenberg_langevin_equation(model, cavity.a))
    da/dt = -kappa/2 a - I*sqrt(kappa) out_in
    """
    return EquationOfMotion(operator, heisenberg_langevin(model, operator))


def expectation_value_equation(model: Model, operator: Op) -> EquationOfMotion:
    """The equation ``d<A>/dt = <L^+(A)>`` of an average (right-hand side: :func:`expectation_equation`).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import NLevelSystem, Dissipator, Model, declare
    >>> P = declare([("Gamma", "decay", "rad/s")])
    >>> s = NLevelSystem("s", ("g", "e"))
    >>> model = Model("atom", (s,), Op(), [Dissipator(P["Gamma"].symbol, s.sigma("g", "e"), "rad")], P)
    >>> equation = expectation_value_equation(model, s.projector("e"))
    >>> print(equation)
    d<s_ee>/dt = -Gamma*<s_ee>
    >>> print(sp.latex(equation))
    \\frac{d \\left\\langle s_{ee} \\right\\rangle}{dt} = - \\Gamma \\left\\langle s_{ee} \\right\\rangle
    """
    return EquationOfMotion(expectation(operator), expectation_equation(model, operator))


def first_order_operators(model: Model) -> dict[str, Op]:
    """The operators whose equations define the model's dynamics to first order.

    ``a`` for every mode and ``sigma_ij`` (all ``i, j``) for every n-level system, keyed by name.

    Examples
    --------
    >>> from qderive.symbolic.library import jaynes_cummings
    >>> list(first_order_operators(jaynes_cummings()))
    ['s_gg', 's_ge', 's_eg', 's_ee', 'a']
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
    """Heisenberg-Langevin right-hand sides for ``operators`` (default: :func:`first_order_operators`).

    Examples
    --------
    >>> from qderive.symbolic.library import driven_qubit
    >>> model = driven_qubit()
    >>> rhs = equations_of_motion(model)
    >>> sorted(rhs)
    ['s_ee', 's_eg', 's_ge', 's_gg']
    >>> (rhs["s_gg"] + rhs["s_ee"]).is_zero()  # the population is conserved
    True
    """
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

    Examples
    --------
    >>> from qderive.symbolic.library import driven_qubit
    >>> tensors = coefficient_tensors(driven_qubit())
    >>> tensors.drift.shape, sorted(tensors.input)
    ((2, 2, 2, 2), ['rad'])
    """

    system: NLevelSystem
    drift: sp.ImmutableDenseNDimArray
    input_dagger: dict[str, sp.ImmutableDenseNDimArray]
    input: dict[str, sp.ImmutableDenseNDimArray]

    def drift_matrix(self) -> sp.Matrix:
        """``M`` reshaped to an ``n^2 x n^2`` matrix acting on ``vec(s)_(i n + j)``.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic.library import driven_qubit
        >>> M = coefficient_tensors(driven_qubit()).drift_matrix()
        >>> sp.simplify(sum(M[0, :]) + sum(M[3, :]))  # d(s_gg + s_ee)/dt has no drift: trace is conserved
        0
        >>> sp.Symbol("gamma", positive=True) in M.free_symbols
        True
        """
        n = self.system.dimension
        return sp.Matrix(n * n, n * n, lambda r, c: self.drift[r // n, r % n, c // n, c % n])


def coefficient_tensors(model: Model, system: NLevelSystem | None = None) -> CoefficientTensors:
    """The coefficient tensors ``M``, ``N^c+``, ``N^c`` of the Langevin equations of ``sigma_ij``.

    The model may contain only this n-level system (eliminate modes first); otherwise the
    equations do not close on ``sigma_mn`` and a :class:`ModelError` says which subsystem spoils it.

    Examples
    --------
    >>> from qderive.symbolic.library import driven_qubit
    >>> model = driven_qubit()
    >>> gamma = model.parameters["gamma"].symbol
    >>> tensors = coefficient_tensors(model)
    >>> tensors.drift[1, 1, 1, 1]  # d s_ee/dt contains -gamma s_ee (levels g=0, e=1)
    -gamma
    >>> sp.simplify(tensors.input_dagger["rad"][1, 1, 0, 1])  # noise term i sqrt(gamma) c_in^+ s_ge
    I*sqrt(gamma)
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
