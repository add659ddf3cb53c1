r"""Closed equations of motion for operator averages: ``meanfield`` and ``complete``.

For a model ``H``, ``sum_k gamma_k D[L_k]`` the average of a monomial ``m`` obeys

.. math:: \frac{d}{dt}\langle m\rangle = \big\langle i[H, m] + \sum_k \gamma_k (L_k^\dagger m L_k
          - \tfrac12\{L_k^\dagger L_k, m\}) \big\rangle ,

whose right-hand side holds products of more operators than ``m``. :func:`meanfield` writes it
down for a list of monomials and expands every average of more than ``order`` operators by the
cumulant rule of that order (:mod:`~qderive.symbolic.cumulants`); :func:`complete` adds the
equations of every average still missing until the set closes.

Conventions
-----------
* One projector per n-level system is eliminated (``sigma_gg = 1 - sum_(k != g) sigma_kk``; the
  first level by default), so moments are unique and no trace constraint is needed.
* Conjugate averages are represented once: ``<m^+> = conj(<m>)`` is not a separate unknown.
* Phase invariance (``complete(..., phase_invariant=True)``) drops the averages that change
  under ``a -> a e^{-i phi}``, ``sigma_ij -> sigma_ij e^{-i (j - i) phi}`` (level positions as
  excitation numbers): their charge ``sum (p - q) + sum (i - j)`` is not zero.
* :class:`IdenticalSystems`: ``N`` identical subsystems described by ``M`` explicit copies in the
  model (``M >= order``, one representative and more for correlations). An equation for a
  moment on copies ``A`` contains sums over all atoms; a term on copies ``B`` with ``r = |B \ A|``
  atoms outside ``A`` stands for ``prod_{t<r} (N - |A| - t)`` terms in the ``N``-atom system
  but only ``prod_{t<r} (M - |A| - t)`` in the model, so it is scaled by their ratio, and every
  moment is relabelled to its representative (the copy permutation giving the smallest
  monomial). Valid for states symmetric under permutations of the atoms.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import sympy as sp

from .cumulants import cumulant_expansion, operator_order
from .equations import adjoint_generator
from .errors import AlgebraError, ModelError
from .expectation import Expectation
from .model import Model
from .operators import IDENTITY, Monomial, Op, dagger_monomial, monomial_sort_key
from .subsystems import BosonMode, NLevelSystem, Subsystem

MomentFilter = Callable[[Op], bool]


@dataclass(frozen=True)
class IdenticalSystems:
    """``number`` identical subsystems represented by the explicit ``copies`` in a model.

    Parameters
    ----------
    copies : tuple of NLevelSystem or BosonMode
        At least two copies of one kind of subsystem (same levels), e.g. from
        :func:`identical_copies`; the first is the representative.
    number : sympy.Symbol
        The number ``N`` of subsystems (printed symbolically in the equations).

    Examples
    --------
    >>> import sympy as sp
    >>> group = IdenticalSystems(identical_copies(NLevelSystem("s", ("g", "e")), 2), sp.Symbol("N"))
    >>> [c.name for c in group.copies]
    ['s1', 's2']
    """

    copies: tuple[Subsystem, ...]
    number: sp.Symbol

    def __post_init__(self) -> None:
        object.__setattr__(self, "copies", tuple(self.copies))
        if len(self.copies) < 2:
            raise ModelError(f"IdenticalSystems needs at least 2 copies (one for pair correlations), got "
                             f"{[c.name for c in self.copies]}")
        kinds = {(type(c), getattr(c, "levels", None)) for c in self.copies}
        if len(kinds) != 1:
            raise ModelError(f"IdenticalSystems: copies {[c.name for c in self.copies]} are not of one kind")
        if not isinstance(self.number, sp.Symbol):
            raise ModelError(f"IdenticalSystems: number must be a sympy Symbol (N), got {self.number!r}")


def identical_copies(system: NLevelSystem | BosonMode, count: int) -> tuple[Subsystem, ...]:
    """``count`` copies of ``system`` named ``<name>1 .. <name>count``.

    Examples
    --------
    >>> [m.name for m in identical_copies(BosonMode("b"), 3)]
    ['b1', 'b2', 'b3']
    """
    if not isinstance(count, int) or count < 1:
        raise ModelError(f"identical_copies: count must be an integer >= 1, got {count!r}")
    if isinstance(system, NLevelSystem):
        return tuple(NLevelSystem(f"{system.name}{k}", system.levels) for k in range(1, count + 1))
    if isinstance(system, BosonMode):
        return tuple(BosonMode(f"{system.name}{k}") for k in range(1, count + 1))
    raise ModelError(f"identical_copies takes an NLevelSystem or BosonMode, got {type(system).__name__}")


def relabel(monomial: Monomial, mapping: dict[Subsystem, Subsystem]) -> Monomial:
    """``monomial`` with its subsystems renamed by ``mapping`` (others kept), re-sorted.

    Examples
    --------
    >>> s1, s2 = identical_copies(NLevelSystem("s", ("g", "e")), 2)
    >>> relabel(((s1, (1, 0)),), {s1: s2}) == ((s2, (1, 0)),)
    True
    """
    return tuple(sorted(((mapping.get(s, s), f) for s, f in monomial), key=lambda item: item[0].sort_key))


def phase_charge(monomial: Monomial) -> int:
    """``sum (p - q)`` over modes plus ``sum (i - j)`` over ``sigma_ij``: zero iff phase invariant.

    Examples
    --------
    >>> a, s = BosonMode("a"), NLevelSystem("s", ("g", "e"))
    >>> phase_charge(((a, (1, 1)),)), phase_charge(((s, (0, 1)), (a, (1, 0))))  # <a^+ a> and <s_ge a^+>: invariant
    (0, 0)
    >>> phase_charge(((a, (0, 1)),))  # <a> changes under a -> a exp(-i phi)
    -1
    """
    return sum(f[0] - f[1] for _, f in monomial)


@dataclass(frozen=True)
class ClosureRules:
    """How right-hand sides are closed: cumulant order, symmetries, eliminated projectors, filters.

    Examples
    --------
    >>> a = BosonMode("a")
    >>> rules = ClosureRules(order=1)
    >>> rules.average(((a, (1, 1)),))  # mean field: <a^+ a> = <a^+><a>
    <a>*<a^+>
    """

    order: int | None
    identical: tuple[IdenticalSystems, ...] = ()
    eliminated: tuple[tuple[NLevelSystem, int], ...] = ()
    phase_invariant: bool = False
    keep: MomentFilter | None = None
    constant: Callable[[Monomial], bool] | None = field(default=None, compare=False)
    fold_conjugates: bool = True

    # -- symmetry representatives ---------------------------------------------------------
    def canonical(self, monomial: Monomial) -> Monomial:
        """The representative of ``monomial`` under permutations of identical copies.

        Examples
        --------
        >>> s1, s2 = identical_copies(NLevelSystem("s", ("g", "e")), 2)
        >>> rules = ClosureRules(order=2, identical=(IdenticalSystems((s1, s2), sp.Symbol("N")),))
        >>> rules.canonical(((s2, (1, 0)),)) == ((s1, (1, 0)),)  # the first copy represents them all
        True
        """
        for group in self.identical:
            present = [s for s, _ in monomial if s in group.copies]
            if not present:
                continue
            images = (relabel(monomial, dict(zip(present, image, strict=True)))
                      for image in itertools.permutations(group.copies, len(present)))
            monomial = min(images, key=monomial_sort_key)
        return monomial

    def conjugate(self, monomial: Monomial) -> Monomial:
        """Representative of ``m^+``.

        Examples
        --------
        >>> a = BosonMode("a")
        >>> ClosureRules(order=2).conjugate(((a, (0, 2)),)) == ((a, (2, 0)),)  # (a a)^+ = a^+ a^+
        True
        """
        return self.canonical(dagger_monomial(monomial))

    def kept(self, monomial: Monomial) -> bool:
        """Whether a moment survives the filters (phase invariance, the user's ``keep``).

        Examples
        --------
        >>> a = BosonMode("a")
        >>> rules = ClosureRules(order=2, phase_invariant=True)
        >>> rules.kept(((a, (1, 1)),)), rules.kept(((a, (0, 1)),))
        (True, False)
        """
        if self.phase_invariant and phase_charge(monomial) != 0:
            return False
        return self.keep is None or bool(self.keep(Op.monomial(monomial)))

    def symbol(self, monomial: Monomial) -> sp.Expr:
        """``<m>`` as the symbol of its representative, or 0 when filtered.

        Examples
        --------
        >>> a = BosonMode("a")
        >>> invariant = ClosureRules(order=2, phase_invariant=True)
        >>> ClosureRules(order=2).symbol(((a, (1, 1)),)), invariant.symbol(((a, (0, 1)),))
        (<a^+ a>, 0)
        """
        if monomial == IDENTITY:
            return sp.S.One
        monomial = self.canonical(monomial)
        if not self.kept(monomial):
            return sp.S.Zero
        return Expectation(monomial)

    def average(self, monomial: Monomial) -> sp.Expr:
        """``<m>`` closed at this order (cumulant expansion of the representative).

        Examples
        --------
        >>> a = BosonMode("a")
        >>> ClosureRules(order=2).average(((a, (1, 2)),))  # Gaussian closure of <a^+ a a>
        <a a>*<a^+> - 2*<a>**2*<a^+> + 2*<a>*<a^+ a>
        """
        monomial = self.canonical(monomial)
        if self.order is None or (self.constant and self.constant(monomial)):
            return self.symbol(monomial)
        return cumulant_expansion(monomial, self.order, self.symbol)

    def scaling(self, lhs: Monomial, term: Monomial) -> sp.Expr:
        """Factor turning a sum over the model's copies into the sum over ``N`` subsystems.

        Examples
        --------
        >>> N = sp.Symbol("N")
        >>> s1, s2 = identical_copies(NLevelSystem("s", ("g", "e")), 2)
        >>> rules = ClosureRules(order=2, identical=(IdenticalSystems((s1, s2), N),))
        >>> rules.scaling(((s1, (1, 0)),), ((s2, (1, 0)),))  # one other atom in the model stands for N - 1
        N - 1
        """
        factor = sp.S.One
        for group in self.identical:
            inside = {s for s, _ in lhs if s in group.copies}
            outside = {s for s, _ in term if s in group.copies} - inside
            a, m = len(inside), len(group.copies)
            for t in range(len(outside)):
                factor *= (group.number - a - t) / sp.Integer(m - a - t)
        return factor

    def eliminate(self, op: Op) -> Op:
        """``op`` with the eliminated projector of each n-level system written as ``1 - sum`` of the others.

        Examples
        --------
        >>> s = NLevelSystem("s", ("g", "e"))
        >>> ClosureRules(order=None, eliminated=((s, 0),)).eliminate(s.projector("g"))
        1 - s_ee
        """
        for system, level in self.eliminated:
            op = op.eliminate_projector(system, system.levels[level])
        return op


def _derive(model: Model, rules: ClosureRules, monomial: Monomial) -> sp.Expr:
    generator = rules.eliminate(adjoint_generator(model, Op.monomial(monomial)))
    total = []
    for term, c in generator.terms.items():
        total.append(c * rules.scaling(monomial, term) * rules.average(term))
    return sp.expand(sp.Add(*total))


@dataclass(frozen=True)
class MomentEquations:
    """A set of equations ``d<m_k>/dt = rhs_k`` for averages of monomials.

    Attributes
    ----------
    moments : tuple of Monomial
        The monomials whose averages are the unknowns (symmetry representatives).
    rhs : tuple of sympy.Expr
        Right-hand sides in the :class:`Expectation` symbols of representatives and parameters.
    model : Model
    rules : ClosureRules
        Order, symmetries and filters used to close the right-hand sides.

    Examples
    --------
    >>> from qderive.symbolic.library import thermal_oscillator
    >>> model = thermal_oscillator()
    >>> a = model.subsystem("a").a
    >>> eqs = meanfield([a.dag() * a], model, order=2)
    >>> print(eqs)
    d<a^+ a>/dt = kappa*n_th - kappa*<a^+ a>
    """

    moments: tuple[Monomial, ...]
    rhs: tuple[sp.Expr, ...]
    model: Model
    rules: ClosureRules

    @property
    def order(self) -> int | None:
        """The cumulant order of the closure (``None``: no closure).

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> meanfield([model.subsystem("a").a], model, order=1).order
        1
        """
        return self.rules.order

    @property
    def symbols(self) -> tuple[Expectation, ...]:
        """The unknowns ``<m_k>``.

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> complete(meanfield([a.dag() * a], model, order=2)).symbols
        (<a^+ a>, <a>)
        """
        return tuple(Expectation(m) for m in self.moments)

    @property
    def parameters(self) -> tuple[sp.Symbol, ...]:
        """Every parameter symbol of the right-hand sides (sorted by name).

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> meanfield([model.subsystem("a").a], model, order=1).parameters
        (Delta, E, kappa)
        """
        found: set[sp.Symbol] = set()
        for expr in self.rhs:
            found |= {s for s in expr.free_symbols if not isinstance(s, Expectation)}
        return tuple(sorted(found, key=lambda s: s.name))

    def conjugates(self) -> dict[Expectation, Expectation]:
        """``{<m^+>: <m>}`` for the unknowns: the averages that stand for a conjugate unknown.

        A moment equal to its own conjugate only up to a relabelling of identical copies maps
        to itself (it is real).

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> eqs = meanfield([model.subsystem("a").a], model, order=1)
        >>> eqs.conjugates()  # <a^+> stands for conj(<a>), not a new unknown
        {<a^+>: <a>}
        """
        mapping: dict[Expectation, Expectation] = {}
        if not self.rules.fold_conjugates:
            return mapping
        for m in self.moments:
            partner = self.rules.conjugate(m)
            if partner != m or dagger_monomial(m) != m:
                mapping[Expectation(partner)] = Expectation(m)
        return mapping

    def missing(self) -> list[Monomial]:
        """Representatives that appear on a right-hand side but have no equation (nor their conjugate).

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> [str(Op.monomial(m)) for m in meanfield([a.dag() * a], model, order=2).missing()]
        ['a']
        """
        fold = self.rules.fold_conjugates
        known = set(self.moments) | ({self.rules.conjugate(m) for m in self.moments} if fold else set())
        found = set()
        for expr in self.rhs:
            for symbol in expr.atoms(Expectation):
                m = self.rules.canonical(symbol.monomial)
                if m in known or (self.rules.constant and self.rules.constant(m)):
                    continue
                found.add(min(m, self.rules.conjugate(m), key=monomial_sort_key) if fold else m)
        return sorted(found, key=monomial_sort_key)

    def equation(self, operator: Op) -> sp.Expr:
        """The right-hand side of one unknown (given as its monomial operator).

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> a = model.subsystem("a").a
        >>> eqs = complete(meanfield([a.dag() * a], model, order=2))
        >>> kappa, E = model.parameters["kappa"].symbol, model.parameters["E"].symbol
        >>> mean = eqs.symbols[1]
        >>> steady = sp.solve([eqs.equation(a), sp.conjugate(eqs.equation(a))], [mean, sp.conjugate(mean)])
        >>> sp.simplify(steady[mean].subs(model.parameters["Delta"].symbol, 0))  # <a> = -2 i E / kappa
        -2*I*E/kappa
        """
        monomial = self.rules.canonical(_single_monomial(operator))
        if monomial not in self.moments:
            raise AlgebraError(f"no equation for <{operator}>; unknowns are {list(map(str, self.symbols))}")
        return self.rhs[self.moments.index(monomial)]

    def __len__(self) -> int:
        return len(self.moments)

    def __str__(self) -> str:
        return "\n".join(f"d{s}/dt = {r}" for s, r in zip(self.symbols, self.rhs, strict=True))

    def latex(self) -> list[str]:
        r"""One LaTeX line ``\frac{d}{dt}<m> = ...`` per equation.

        Examples
        --------
        >>> from qderive.symbolic.library import thermal_oscillator
        >>> model = thermal_oscillator()
        >>> a = model.subsystem("a").a
        >>> lhs, rhs = meanfield([a.dag() * a], model, order=2).latex()[0].split(" = ")
        >>> print(lhs)
        \frac{d}{dt}\left\langle a^{\dagger} a \right\rangle
        >>> print(rhs)
        \kappa n_{th} - \kappa \left\langle a^{\dagger} a \right\rangle
        """
        return [rf"\frac{{d}}{{dt}}{sp.latex(s)} = {sp.latex(r)}" for s, r in zip(self.symbols, self.rhs, strict=True)]


def _single_monomial(op: Op) -> Monomial:
    if not isinstance(op, Op) or len(op.terms) != 1:
        raise AlgebraError(f"each operator must be a single monomial (e.g. a.dag() * a), got {op!r}")
    return next(iter(op.terms))


def _check_identical(model: Model, identical: Sequence[IdenticalSystems], order: int | None) -> None:
    declared = set(model.subsystems)
    for group in identical:
        missing = [c.name for c in group.copies if c not in declared]
        if missing:
            raise ModelError(f"model '{model.name}': identical copies {missing} are not subsystems of the model")
        if order is not None and len(group.copies) < order:
            raise ModelError(f"identical copies {[c.name for c in group.copies]}: order {order} needs at least "
                             f"{order} copies (correlations of {order} subsystems), got {len(group.copies)}")
        swap = dict(zip(group.copies[:2], group.copies[1::-1], strict=True))
        swapped = Op({relabel(m, swap): c for m, c in model.hamiltonian.terms.items()})
        if not (swapped - model.hamiltonian).is_zero():
            raise ModelError(f"model '{model.name}': the Hamiltonian is not symmetric under exchanging "
                             f"{group.copies[0].name} and {group.copies[1].name}; they are not identical")
        rates = sorted(str(d.rate) + str(Op({relabel(m, swap): c for m, c in d.operator.terms.items()}))
                       for d in model.dissipators)
        if rates != sorted(str(d.rate) + str(d.operator) for d in model.dissipators):
            raise ModelError(f"model '{model.name}': the dissipators are not symmetric under exchanging "
                             f"{group.copies[0].name} and {group.copies[1].name}")


def meanfield(
    ops: Iterable[Op], model: Model, order: int | None = None, *,
    identical: Sequence[IdenticalSystems] = (), eliminate: dict[NLevelSystem, object] | None = None,
) -> MomentEquations:
    r"""Equations of motion of the averages of ``ops``, closed by the cumulant rule of ``order``.

    ``d<m>/dt = <L^+(m)>`` with the model's Lindblad adjoint (``i[H, m]`` plus every dissipator);
    averages of more than ``order`` operators are expanded with joint cumulants above ``order``
    set to zero (``order=1`` is mean field, ``None`` keeps every product).

    Parameters
    ----------
    ops : iterable of Op
        Single monomials (coefficients ignored), e.g. ``[a.dag() * a, s.sigma("e", "e")]``.
    model : Model
    order : int or None
    identical : sequence of IdenticalSystems
        Groups of identical subsystems with a symbolic number ``N`` (see the module docstring).
    eliminate : dict, optional
        ``{n-level system: level}`` whose projector is written as ``1 - sum`` of the others;
        default the first level of every n-level system.

    Returns
    -------
    MomentEquations

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, declare
    >>> P = declare([("kappa", "decay", "rad/s"), ("E", "drive", "rad/s", "real")])
    >>> kappa, E = P["kappa"].symbol, P["E"].symbol
    >>> a = BosonMode("a").a
    >>> model = Model("drive", (BosonMode("a"),), E * (a + a.dag()), [Dissipator(kappa, a, "k")], P)
    >>> from qderive.symbolic import expectation
    >>> eqs = meanfield([a], model, order=1)
    >>> sp.expand(eqs.equation(a) - (-kappa / 2 * expectation(a) - sp.I * E))   # d<a>/dt
    0
    """
    _check_identical(model, identical, order)
    if eliminate is None:
        eliminate = {s: s.levels[0] for s in model.level_systems}
    rules = ClosureRules(
        order=order, identical=tuple(identical),
        eliminated=tuple((s, s.index(level)) for s, level in eliminate.items()),
    )
    monomials = []
    for op in ops:
        m = rules.canonical(_single_monomial(op))
        if rules.eliminate(Op.monomial(m)).terms.keys() != {m}:
            raise AlgebraError(f"<{Op.monomial(m)}> contains an eliminated projector; use the other levels")
        if order is not None and operator_order(m) > order:
            raise AlgebraError(f"<{Op.monomial(m)}> has {operator_order(m)} operators, more than order {order}")
        if m not in monomials:
            monomials.append(m)
    return MomentEquations(tuple(monomials), tuple(_derive(model, rules, m) for m in monomials), model, rules)


def complete(
    equations: MomentEquations, *, phase_invariant: bool = False, keep: MomentFilter | None = None,
    max_moments: int = 2000,
) -> MomentEquations:
    """Add equations for every average on a right-hand side until the set closes.

    Parameters
    ----------
    equations : MomentEquations
    phase_invariant : bool
        Drop (set to zero) every average that is not invariant under a global phase rotation
        (see the module docstring), as in a laser without a phase reference.
    keep : callable, optional
        ``keep(op) -> bool``: further averages to drop where it returns False.
    max_moments : int
        Refuse to grow beyond this many unknowns (e.g. a hierarchy that never closes at
        ``order=None``).

    Returns
    -------
    MomentEquations
        The closed set; filtered averages appear nowhere.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, declare
    >>> P = declare([("kappa", "decay", "rad/s"), ("E", "drive", "rad/s", "real")])
    >>> a = BosonMode("a").a
    >>> model = Model("drive", (BosonMode("a"),), P["E"].symbol * (a + a.dag()),
    ...               [Dissipator(P["kappa"].symbol, a, "k")], P)
    >>> [str(s) for s in complete(meanfield([a.dag() * a], model, order=2)).symbols]
    ['<a^+ a>', '<a>']
    """
    rules = replace(equations.rules, phase_invariant=phase_invariant or equations.rules.phase_invariant,
                    keep=keep or equations.rules.keep)
    model = equations.model
    moments = list(equations.moments)
    rhs = [_refilter(r, rules) for r in equations.rhs]
    current = MomentEquations(tuple(moments), tuple(rhs), model, rules)
    while missing := current.missing():
        if len(moments) + len(missing) > max_moments:
            raise AlgebraError(f"complete: more than {max_moments} moments needed (next: <{Op.monomial(missing[0])}>); "
                               "set an order or a filter")
        moments += missing
        rhs += [_derive(model, rules, m) for m in missing]
        current = MomentEquations(tuple(moments), tuple(rhs), model, rules)
    return current


def _refilter(expr: sp.Expr, rules: ClosureRules) -> sp.Expr:
    """``expr`` with filtered averages replaced by zero."""
    zeros = {s: 0 for s in expr.atoms(Expectation) if not rules.kept(rules.canonical(s.monomial))}
    return sp.expand(expr.xreplace(zeros)) if zeros else expr


__all__ = ["ClosureRules", "IdenticalSystems", "MomentEquations", "complete", "identical_copies", "meanfield",
           "phase_charge", "relabel"]
