r"""Equations of two-time correlations ``<A(t + tau) B(t)>`` of closed moment equations.

Quantum regression theorem: for ``tau >= 0``, ``g_X(tau) = <X(tau) B(0)>`` obeys the same
equation of motion in ``tau`` as ``<X>`` in ``t``. The operator ``B`` at time 0 is put on an
ancilla copy ``B_0`` of its subsystem, on which neither ``H`` nor the dissipators act, and
``d<X B_0>/dtau = <L^+(X) B_0>`` is closed by the same cumulant rule as the moments
(QuantumCumulants' ``CorrelationFunction`` does the same). Averages with ``B_0`` and other
operators are the unknowns; averages without the ancilla, and ``<B_0> = <B>``, are constants
taken from the steady state. With ``B`` one elementary operator every term holds ``B_0``
exactly once, so the equations are linear (affine) in the unknowns:
``dg/dtau = M g + c``, with ``g(0) = <X B>`` evaluated in the steady state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .cumulants import elements
from .errors import AlgebraError
from .moments import MomentEquations, _derive, _single_monomial, relabel
from .operators import Monomial, Op, monomial_sort_key
from .subsystems import BosonMode, NLevelSystem, Subsystem


def _ancilla(system: Subsystem) -> Subsystem:
    if isinstance(system, NLevelSystem):
        return NLevelSystem(f"{system.name}0", system.levels)
    if isinstance(system, BosonMode):
        return BosonMode(f"{system.name}0")
    raise AlgebraError(f"no ancilla for subsystem {system!r}")


@dataclass(frozen=True)
class CorrelationEquations:
    """Linear equations of ``<X(tau) B_0>`` (see the module docstring).

    Attributes
    ----------
    equations : MomentEquations
        Unknowns ``<X B_0>`` (first: ``<A B_0>``) and right-hand sides; constants are averages
        without the ancilla or of the ancilla alone.
    a, b : Op
        The operators of ``<A(tau) B(0)>``.
    ancilla : dict
        ``{subsystem: its ancilla copy}`` for the subsystem of ``B``.
    steady : MomentEquations
        The system whose steady state supplies the constants and initial values.

    Examples
    --------
    >>> from qderive.symbolic import complete, meanfield
    >>> from qderive.symbolic.library import driven_qubit
    >>> model = driven_qubit()
    >>> s = model.subsystem("s")
    >>> steady = complete(meanfield([s.projector("e"), s.sigma("g", "e")], model))
    >>> g1 = correlation_equations(steady, s.sigma("e", "g"), s.sigma("g", "e"))  # <s+(tau) s-(0)>
    >>> len(g1.equations), [str(x) for x in g1.equations.symbols]
    (3, ['<s_eg s0_ge>', '<s_ee s0_ge>', '<s_ge s0_ge>'])
    """

    equations: MomentEquations
    a: Op
    b: Op
    ancilla: dict[Subsystem, Subsystem]
    steady: MomentEquations

    def has_ancilla(self, monomial: Monomial) -> bool:
        """Whether ``monomial`` holds the ancilla ``B_0`` (an unknown) or not (a constant).

        Examples
        --------
        >>> from qderive.symbolic import complete, meanfield
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> corr = correlation_equations(complete(meanfield([a.dag() * a], model, order=2)), a.dag(), a)
        >>> corr.has_ancilla(corr.equations.moments[0]), corr.has_ancilla(next(iter(a.terms)))
        (True, False)
        """
        return any(s in self.ancilla.values() for s, _ in monomial)

    def collapse(self, monomial: Monomial) -> Op:
        """``X B`` for the unknown ``<X B_0>``: the ancilla put back at time 0, to the right of ``X``.

        Examples
        --------
        >>> from qderive.symbolic import complete, meanfield
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> corr = correlation_equations(complete(meanfield([a.dag() * a], model, order=2)), a.dag(), a)
        >>> corr.collapse(corr.equations.moments[0])  # g(0) = <a^+ a>
        a^+ a
        """
        back = {v: k for k, v in self.ancilla.items()}
        system_part = tuple(f for f in monomial if f[0] not in back)
        ancilla_part = relabel(tuple(f for f in monomial if f[0] in back), back)
        return Op.monomial(system_part) * Op.monomial(ancilla_part)

    def original(self, monomial: Monomial) -> Monomial:
        """A constant ancilla-only monomial written on the original subsystem.

        Examples
        --------
        >>> from qderive.symbolic import complete, meanfield
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> mode = model.subsystem("a")
        >>> corr = correlation_equations(complete(meanfield([mode.adag * mode.a], model, order=2)), mode.adag, mode.a)
        >>> corr.original(((corr.ancilla[mode], (0, 1)),)) == ((mode, (0, 1)),)  # <a0> is the steady <a>
        True
        """
        return relabel(monomial, {v: k for k, v in self.ancilla.items()})


def correlation_equations(steady: MomentEquations, a: Op, b: Op, max_moments: int = 500) -> CorrelationEquations:
    """Closed equations of ``<A(tau) B(0)>`` by the regression theorem on ``steady``'s rules.

    Parameters
    ----------
    steady : MomentEquations
        Closed moment equations (from :func:`~qderive.symbolic.complete`).
    a, b : Op
        Single monomials; ``b`` must be one elementary operator (``a``, ``a^+`` or a ``sigma_ij``).

    Examples
    --------
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, declare, meanfield, complete
    >>> P = declare([("kappa", "decay", "rad/s"), ("w", "frequency", "rad/s")])
    >>> mode = BosonMode("a")
    >>> model = Model("c", (mode,), P["w"].symbol * mode.a.dag() * mode.a,
    ...               [Dissipator(P["kappa"].symbol, mode.a, "k")], P)
    >>> eqs = complete(meanfield([mode.a.dag() * mode.a], model, order=2))
    >>> g = correlation_equations(eqs, mode.a.dag(), mode.a).equations   # g(tau) = <a^+(tau) a(0)>
    >>> [str(s) for s in g.symbols]
    ['<a^+ a0>']
    >>> import sympy as sp
    >>> w, kappa = P["w"].symbol, P["kappa"].symbol
    >>> sp.expand(g.rhs[0] - (sp.I * w - kappa / 2) * g.symbols[0])   # d g/dtau = (i w - kappa/2) g
    0
    """
    b_monomial = _single_monomial(b)
    if len(elements(b_monomial)) != 1:
        raise AlgebraError(f"b must be one elementary operator (a, a^+ or sigma_ij), got {b}")
    a_monomial = _single_monomial(a)
    system = b_monomial[0][0]
    ancilla = {system: _ancilla(system)}
    b0 = relabel(b_monomial, ancilla)
    ancilla_systems = set(ancilla.values())

    def constant(monomial: Monomial) -> bool:
        inside = [s for s, _ in monomial if s in ancilla_systems]
        return not inside or len(inside) == len(monomial)

    rules = replace(steady.rules, constant=constant, fold_conjugates=False)
    first = rules.canonical(tuple(sorted(a_monomial + b0, key=lambda f: f[0].sort_key)))
    moments = [first]
    rhs = [_derive(steady.model, rules, first)]
    current = MomentEquations(tuple(moments), tuple(rhs), steady.model, rules)
    while missing := [m for m in current.missing() if not constant(m)]:
        if len(moments) + len(missing) > max_moments:
            raise AlgebraError(f"correlation_equations: more than {max_moments} unknowns")
        missing = sorted(set(missing), key=monomial_sort_key)
        moments += missing
        rhs += [_derive(steady.model, rules, m) for m in missing]
        current = MomentEquations(tuple(moments), tuple(rhs), steady.model, rules)
    return CorrelationEquations(current, a, b, ancilla, steady)


__all__ = ["CorrelationEquations", "correlation_equations"]
