"""Operator algebra: sums of normal-ordered monomials with SymPy coefficients.

An :class:`Op` is a linear combination ``sum_m c_m m`` of monomials. A monomial is a product of
one factor per subsystem, in a fixed subsystem order, each factor already in canonical form:

* bosonic mode ``a``: ``(a^+)^p a^q`` (normal order), stored as ``(p, q)``;
* n-level system: ``sigma_ij = |i><j|``, stored as the level indices ``(i, j)``;
* input field ``c_in``: ``(c_in^+)^p c_in^q`` with ``c_in^+`` to the left of the system and
  ``c_in`` to the right (the order of the Gardiner-Collett equations).

Products are reduced on the fly with ``[a, a^+] = 1`` (Wick's theorem for one mode,
``a^q (a^+)^r = sum_k k! C(q,k) C(r,k) (a^+)^(r-k) a^(q-k)``) and
``sigma_ij sigma_kl = delta_jk sigma_il``; operators on different subsystems commute. The
coefficients are never simplified by the constructors: call :meth:`Op.expand` or
:meth:`Op.simplify` when a canonical form is wanted. This owns every commutation rule of the
toolkit; nothing else re-implements them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from math import comb, factorial
from typing import Any

import sympy as sp
from sympy.physics.quantum import Dagger

from .errors import AlgebraError
from .printing import print_sum, repr_latex
from .subsystems import InputField, NLevelSystem, Subsystem

Factor = tuple[int, int]
Monomial = tuple[tuple[Subsystem, Factor], ...]
IDENTITY: Monomial = ()


def _factor_product(system: Subsystem, left: Factor, right: Factor) -> list[tuple[int, Factor]]:
    """Product of two factors on one subsystem, as ``[(integer weight, factor), ...]``."""
    if isinstance(system, NLevelSystem):
        return [(1, (left[0], right[1]))] if left[1] == right[0] else []
    p, q = left
    r, s = right
    if isinstance(system, InputField):
        if q and r:
            raise AlgebraError(
                f"cannot reorder {system.name} {system.name}^+: input fields have a delta-function "
                "commutator; keep c_in^+ to the left and c_in to the right"
            )
        return [(1, (p + r, q + s))]
    return [(factorial(k) * comb(q, k) * comb(r, k), (p + r - k, q + s - k)) for k in range(min(q, r) + 1)]


def _is_identity_factor(system: Subsystem, factor: Factor) -> bool:
    return not isinstance(system, NLevelSystem) and factor == (0, 0)


def multiply_monomials(left: Monomial, right: Monomial) -> list[tuple[int, Monomial]]:
    """Product of two monomials as a list of ``(integer weight, monomial)``.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> mode = BosonMode("a")
    >>> a, adag = next(iter(mode.a.terms)), next(iter(mode.adag.terms))
    >>> sorted(weight for weight, _ in multiply_monomials(a, adag))  # a a^+ = a^+ a + 1
    [1, 1]
    >>> len(multiply_monomials(adag, a))  # a^+ a is already normal ordered
    1
    """
    if not left:
        return [(1, right)]
    if not right:
        return [(1, left)]
    partial: list[tuple[int, list[tuple[Subsystem, Factor]]]] = [(1, [])]
    i = j = 0
    while i < len(left) or j < len(right):
        if j == len(right) or (i < len(left) and left[i][0].sort_key < right[j][0].sort_key):
            for _, factors in partial:
                factors.append(left[i])
            i += 1
            continue
        if i == len(left) or right[j][0].sort_key < left[i][0].sort_key:
            for _, factors in partial:
                factors.append(right[j])
            j += 1
            continue
        system = left[i][0]
        if right[j][0] != system:
            raise AlgebraError(
                f"two different subsystems are both named '{system.name}': {system!r} and {right[j][0]!r}"
            )
        products = _factor_product(system, left[i][1], right[j][1])
        if not products:
            return []
        partial = [
            (weight * w, factors + ([] if _is_identity_factor(system, f) else [(system, f)]))
            for weight, factors in partial
            for w, f in products
        ]
        i += 1
        j += 1
    return [(weight, tuple(factors)) for weight, factors in partial]


def dagger_monomial(monomial: Monomial) -> Monomial:
    """Hermitian conjugate of a monomial (each factor ``(p, q) -> (q, p)``, ``sigma_ij -> sigma_ji``).

    Examples
    --------
    >>> from qderive.symbolic import NLevelSystem
    >>> s = NLevelSystem("s", ("g", "e"))
    >>> m = next(iter(s.sigma("e", "g").terms))
    >>> dagger_monomial(m) == next(iter(s.sigma("g", "e").terms))
    True
    """
    return tuple((system, (f[1], f[0])) for system, f in monomial)


class Op:
    """A linear combination of normal-ordered monomials with SymPy coefficients.

    Build operators from subsystems (``BosonMode("a").a``, ``NLevelSystem("s", ("g", "e")).sigma("e", "g")``)
    and combine them with ``+``, ``-``, ``*`` and scalars.

    >>> from qderive.symbolic import BosonMode, commutator
    >>> a = BosonMode("a").a
    >>> commutator(a, a.dag())
    1
    >>> (a * a.dag())
    1 + a^+ a

    Examples
    --------
    >>> from qderive.symbolic import NLevelSystem
    >>> s = NLevelSystem("s", ("g", "e"))
    >>> sx = s.sigma("e", "g") + s.sigma("g", "e")
    >>> (sx * sx).expand_identities([s]).equals(1)  # sigma_x^2 = 1
    True
    """

    __slots__ = ("terms",)
    __hash__ = None  # type: ignore[assignment]  # equality is algebraic, not structural

    def __init__(self, terms: Mapping[Monomial, sp.Expr] | None = None):
        self.terms: dict[Monomial, sp.Expr] = dict(terms or {})

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def monomial(cls, monomial: Monomial, coefficient: sp.Expr | int = 1) -> Op:
        """Single-term operator ``coefficient * monomial`` (the monomial in canonical factor form).

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> mode = BosonMode("a")
        >>> Op.monomial(((mode, (1, 1)),), sp.Symbol("omega"))  # omega a^+ a
        omega a^+ a
        """
        return cls({monomial: sp.sympify(coefficient)})

    @classmethod
    def scalar(cls, value: sp.Expr | int | float | complex) -> Op:
        """A scalar as that multiple of the identity; zero gives the empty operator.

        Examples
        --------
        >>> Op.scalar(3) * Op.scalar(2)
        6
        >>> len(Op.scalar(0))
        0
        """
        value = sp.sympify(value)
        return cls({IDENTITY: value}) if value != 0 else cls()

    @staticmethod
    def _from_lists(accumulated: Mapping[Monomial, list[sp.Expr]]) -> Op:
        terms = {}
        for monomial, coefficients in accumulated.items():
            total = sp.Add(*coefficients)
            if total != 0:
                terms[monomial] = total
        return Op(terms)

    # -- arithmetic -----------------------------------------------------------------------
    def __add__(self, other: Op | sp.Expr | int | float) -> Op:
        other = as_op(other)
        accumulated: dict[Monomial, list[sp.Expr]] = defaultdict(list)
        for source in (self, other):
            for monomial, c in source.terms.items():
                accumulated[monomial].append(c)
        return Op._from_lists(accumulated)

    __radd__ = __add__

    def __neg__(self) -> Op:
        return Op({m: -c for m, c in self.terms.items()})

    def __sub__(self, other: Op | sp.Expr | int | float) -> Op:
        return self + (-as_op(other))

    def __rsub__(self, other: Op | sp.Expr | int | float) -> Op:
        return as_op(other) - self

    def __mul__(self, other: Op | sp.Expr | int | float) -> Op:
        if not isinstance(other, Op):
            factor = sp.sympify(other)
            if factor == 0:
                return Op()
            return Op({m: c * factor for m, c in self.terms.items()})
        accumulated: dict[Monomial, list[sp.Expr]] = defaultdict(list)
        for m1, c1 in self.terms.items():
            for m2, c2 in other.terms.items():
                c12 = c1 * c2
                for weight, m in multiply_monomials(m1, m2):
                    accumulated[m].append(c12 * weight if weight != 1 else c12)
        return Op._from_lists(accumulated)

    def __rmul__(self, other: sp.Expr | int | float) -> Op:
        return self * other  # scalars commute with operators

    def __truediv__(self, other: sp.Expr | int | float) -> Op:
        return self * (1 / sp.sympify(other))

    def __pow__(self, exponent: int) -> Op:
        if not isinstance(exponent, int) or exponent < 0:
            raise AlgebraError(f"operator powers must be non-negative integers, got {exponent!r}")
        result = Op.scalar(1)
        for _ in range(exponent):
            result = result * self
        return result

    # -- structure ------------------------------------------------------------------------
    def dag(self) -> Op:
        """Hermitian conjugate ``A^+``.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> a = BosonMode("a").a
        >>> (sp.I * a).dag()  # (i a)^+ = -i a^+
        -I a^+
        """
        return Op({dagger_monomial(m): sp.conjugate(c) for m, c in self.terms.items()})

    def subsystems(self) -> set[Subsystem]:
        """Every subsystem that some monomial acts on.

        Examples
        --------
        >>> from qderive.symbolic import BosonMode, NLevelSystem
        >>> mode, s = BosonMode("a"), NLevelSystem("s", ("g", "e"))
        >>> sorted(x.name for x in (mode.adag * s.sigma("g", "e")).subsystems())
        ['a', 's']
        """
        return {system for m in self.terms for system, _ in m}

    @property
    def free_symbols(self) -> set[sp.Symbol]:
        """Every SymPy symbol that appears in some coefficient.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> g, omega = sp.symbols("g omega")
        >>> a = BosonMode("a").a
        >>> sorted(str(x) for x in (omega * a.dag() * a + g * (a + a.dag())).free_symbols)
        ['g', 'omega']
        """
        symbols: set[sp.Symbol] = set()
        for c in self.terms.values():
            symbols |= c.free_symbols
        return symbols

    def __iter__(self) -> Iterator[tuple[Monomial, sp.Expr]]:
        return iter(self.terms.items())

    def __len__(self) -> int:
        return len(self.terms)

    def coefficient(self, monomial: Op | Monomial) -> sp.Expr:
        """Coefficient of one monomial (given as a single-term ``Op`` with unit coefficient).

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> a = BosonMode("a").a
        >>> (a * a.dag() * 2).coefficient(a.dag() * a)  # 2 a a^+ = 2 a^+ a + 2
        2
        """
        if isinstance(monomial, Op):
            if len(monomial.terms) != 1:
                raise AlgebraError("coefficient() takes a single monomial, got a sum of terms")
            monomial = next(iter(monomial.terms))
        return self.terms.get(monomial, sp.S.Zero)

    # -- simplification -------------------------------------------------------------------
    def applyfunc(self, function: Callable[[sp.Expr], sp.Expr]) -> Op:
        """Apply ``function`` to every coefficient and drop the terms that become zero.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> x = sp.Symbol("x")
        >>> a = BosonMode("a").a
        >>> (x * a + a.dag()).applyfunc(lambda c: c.subs(x, 0))  # the a term vanishes and is dropped
        a^+
        """
        terms = {}
        for m, c in self.terms.items():
            c = function(c)
            if c != 0:
                terms[m] = c
        return Op(terms)

    def expand(self) -> Op:
        """Coefficients expanded with ``sympy.expand``; zero terms dropped.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> x = sp.Symbol("x")
        >>> a = BosonMode("a").a
        >>> ((x + 1) ** 2 * a - x**2 * a).expand()
        (2*x + 1) a
        """
        return self.applyfunc(sp.expand)

    def simplify(self, function: Callable[[sp.Expr], sp.Expr] = sp.simplify) -> Op:
        """Apply a SymPy simplification (``sympy.simplify`` by default) to every coefficient.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> x = sp.Symbol("x")
        >>> a = BosonMode("a").a
        >>> (sp.sin(x) ** 2 * a + sp.cos(x) ** 2 * a).simplify()  # sin^2 + cos^2 = 1
        a
        >>> (sp.sin(x) ** 2 * a + sp.cos(x) ** 2 * a).simplify(sp.trigsimp)
        a
        """
        return self.applyfunc(function)

    def subs(self, *args: object, **kwargs: object) -> Op:
        """Substitute in every coefficient (the arguments of ``sympy.Expr.subs``); zero terms dropped.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> g, kappa = sp.symbols("g kappa")
        >>> a = BosonMode("a").a
        >>> (g * a + kappa * a.dag()).subs({g: 2, kappa: 0})
        2 a
        """
        return self.applyfunc(lambda c: c.subs(*args, **kwargs))

    def expand_identities(self, systems: Iterable[NLevelSystem]) -> Op:
        """Write the identity of each n-level system in ``systems`` as ``sum_i sigma_ii``.

        After this every monomial carries an explicit factor for each of those systems, which
        makes the representation unique (used for equality and for closing ``sigma_ij`` sets).

        Examples
        --------
        >>> from qderive.symbolic import BosonMode, NLevelSystem
        >>> s = NLevelSystem("s", ("g", "e"))
        >>> BosonMode("a").a.expand_identities([s])  # a = a (s_gg + s_ee)
        s_gg a + s_ee a
        """
        result: dict[Monomial, list[sp.Expr]] = defaultdict(list)
        systems = sorted(set(systems), key=lambda s: s.sort_key)
        for m, c in self.terms.items():
            present = {system for system, _ in m}
            expanded = [m]
            for system in systems:
                if system in present:
                    continue
                expanded = [
                    tuple(sorted(mono + ((system, (i, i)),), key=lambda f: f[0].sort_key))
                    for mono in expanded
                    for i in range(system.dimension)
                ]
            for mono in expanded:
                result[mono].append(c)
        return Op._from_lists(result)

    def eliminate_projector(self, system: NLevelSystem, level: Hashable) -> Op:
        """Write ``sigma_ll`` of ``system`` as ``1 - sum_(k != l) sigma_kk`` wherever it appears.

        Eliminating one projector per n-level system gives the unique form in which moment
        equations close without a trace constraint (the ground state is usually eliminated).

        Examples
        --------
        >>> from qderive.symbolic import NLevelSystem
        >>> s = NLevelSystem("s", ("g", "e"))
        >>> s.projector("g").eliminate_projector(s, "g")  # sigma_gg = 1 - sigma_ee
        1 - s_ee
        """
        index = system.index(level)
        complement = Op.scalar(1) - sum((system.projector(k) for k in system.levels if k != level), Op())
        result = Op()
        for m, c in self.terms.items():
            factors = dict(m)
            if factors.get(system) != (index, index):
                result = result + Op({m: c})
                continue
            rest = tuple(f for f in m if f[0] != system)
            result = result + Op({rest: c}) * complement
        return result

    def is_zero(self) -> bool:
        """True when the operator vanishes identically (after expansion and simplification).

        Examples
        --------
        >>> from qderive.symbolic import NLevelSystem
        >>> s = NLevelSystem("s", ("g", "e"))
        >>> (s.projector("g") + s.projector("e") - 1).is_zero()  # completeness of the levels
        True
        >>> s.projector("g").is_zero()
        False
        """
        systems = [s for s in self.subsystems() if isinstance(s, NLevelSystem)]
        for c in self.expand_identities(systems).terms.values():
            if sp.expand(c) != 0 and sp.simplify(c) != 0:
                return False
        return True

    def equals(self, other: Op | sp.Expr | int | float) -> bool:
        """Algebraic equality: ``self - other`` vanishes identically.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> a = BosonMode("a").a
        >>> (a * a.dag()).equals(a.dag() * a + 1)
        True
        """
        return (self - as_op(other)).is_zero()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (Op, sp.Basic, int, float, complex)):
            return NotImplemented
        return self.equals(other)

    def is_hermitian(self) -> bool:
        """True when ``A - A^+`` vanishes identically.

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.symbolic import BosonMode
        >>> g = sp.Symbol("g", real=True)
        >>> a = BosonMode("a").a
        >>> (g * (a + a.dag())).is_hermitian(), (sp.I * g * (a + a.dag())).is_hermitian()
        (True, False)
        """
        return (self - self.dag()).is_zero()

    # -- printing -------------------------------------------------------------------------
    def to_sympy(self) -> sp.Expr:
        """The operator as a SymPy expression in non-commutative symbols (for display).

        Examples
        --------
        >>> from qderive.symbolic import BosonMode
        >>> expr = (BosonMode("a").adag * BosonMode("a").a).to_sympy()
        >>> expr.is_commutative, str(expr)
        (False, 'Dagger(a)*a')
        """
        return sp.Add(*(c * monomial_to_sympy(m) for m, c in self.terms.items()))

    def _display_terms(self) -> list[sp.Expr]:
        """``c_m m`` per monomial, in the canonical order of :func:`monomial_sort_key`."""
        ordered = sorted(self.terms.items(), key=lambda item: monomial_sort_key(item[0]))
        return [c * monomial_to_sympy(m) for m, c in ordered]

    def latex(self) -> str:
        """LaTeX of the operator (the same as ``sympy.latex(op)``).

        Examples
        --------
        >>> from qderive.symbolic import NLevelSystem
        >>> NLevelSystem("s", ("g", "e")).sigma("e", "g").latex()
        's_{eg}'
        """
        return str(sp.latex(self))

    def _latex(self, printer: Any) -> str:
        return str(print_sum(printer, self._display_terms()))

    def _pretty(self, printer: Any) -> Any:
        return print_sum(printer, self._display_terms())

    def _sympystr(self, printer: Any) -> str:
        if not self.terms:
            return "0"
        parts = []
        for m, c in sorted(self.terms.items(), key=lambda item: monomial_sort_key(item[0])):
            text = printer._print(c)
            if not m:
                parts.append(text)
            elif c == 1:
                parts.append(monomial_to_str(m))
            elif c == -1:
                parts.append("-" + monomial_to_str(m))
            else:
                text = f"({text})" if isinstance(c, sp.Add) else text
                parts.append(f"{text} {monomial_to_str(m)}")
        return " + ".join(parts).replace("+ -", "- ")

    def _repr_latex_(self) -> str:
        return repr_latex(self)

    def __repr__(self) -> str:
        return str(sp.sstr(self))

    __str__ = __repr__


def as_op(value: Op | sp.Expr | int | float | complex) -> Op:
    """An ``Op`` from an operator or a scalar (a scalar is that multiple of the identity).

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> as_op(2) + BosonMode("a").a
    2 + a
    >>> a = BosonMode("a").a
    >>> as_op(a) is a  # an operator is returned unchanged
    True
    """
    return value if isinstance(value, Op) else Op.scalar(value)


def commutator(a: Op, b: Op) -> Op:
    """``[A, B] = A B - B A``.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import BosonMode
    >>> a = BosonMode("a").a
    >>> commutator(a.dag() * a, a)  # [a^+ a, a] = -a
    -a
    >>> commutator(a, a.dag() ** 2)  # [a, (a^+)^2] = 2 a^+
    2 a^+
    """
    return a * b - b * a


def anticommutator(a: Op, b: Op) -> Op:
    """``{A, B} = A B + B A``.

    Examples
    --------
    >>> from qderive.symbolic import NLevelSystem
    >>> s = NLevelSystem("s", ("g", "e"))
    >>> anticommutator(s.sigma("g", "e"), s.sigma("e", "g")).expand_identities([s]).equals(1)  # {s-, s+} = 1
    True
    """
    return a * b + b * a


def monomial_sort_key(monomial: Monomial) -> tuple[int, tuple[tuple[tuple[int, str], Factor], ...]]:
    """Canonical ordering key of a monomial: fewer factors first, then by subsystem and powers.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> mode = BosonMode("a")
    >>> one, a, adag_a = (next(iter(op.terms)) for op in (mode.a**0, mode.a, mode.adag * mode.a))
    >>> sorted([adag_a, a, one], key=monomial_sort_key) == [one, a, adag_a]
    True
    """
    return (len(monomial), tuple((s.sort_key, f) for s, f in monomial))


def _factor_strings(system: Subsystem, factor: Factor) -> list[str]:
    """Printed factors of one subsystem, e.g. ``["a^+", "a^+", "a"]`` or ``["s_eg"]``."""
    if isinstance(system, NLevelSystem):
        i, j = (system.label(k) for k in factor)
        joined = f"{i}{j}" if len(i) == len(j) == 1 else f"{{{i},{j}}}"
        return [f"{system.name}_{joined}"]
    p, q = factor
    return [f"{system.name}^+"] * p + [system.name] * q


def monomial_to_str(monomial: Monomial) -> str:
    """Readable form with ``c_in^+`` first and ``c_in`` last, e.g. ``c_in^+ a^+ a s_eg``.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode, InputField
    >>> c, a = InputField("kappa").field, BosonMode("a").a
    >>> monomial_to_str(next(iter((a * c).terms)))  # the input field stays to the right
    'a kappa_in'
    """
    left, middle, right = [], [], []
    for system, factor in monomial:
        if isinstance(system, InputField):
            left += [f"{system.name}^+"] * factor[0]
            right += [system.name] * factor[1]
        else:
            middle += _factor_strings(system, factor)
    return " ".join(left + middle + right) or "1"


class InputFieldSymbol(sp.Symbol):
    r"""Display symbol of an input field ``<channel>_in``: LaTeX ``{\kappa_{e}}_{\mathrm{in}}``.

    Examples
    --------
    >>> import sympy as sp
    >>> sp.latex(InputFieldSymbol("kappa_e_in", commutative=False))
    '{\\kappa_{e}}_{\\mathrm{in}}'
    """

    def _latex(self, printer: Any) -> str:
        channel = printer._print(sp.Symbol(self.name.removesuffix("_in")))
        return rf"{{{channel}}}_{{\mathrm{{in}}}}"


def monomial_to_sympy(monomial: Monomial) -> sp.Expr:
    """A monomial as a product of non-commutative SymPy symbols, in printed order.

    ``sigma_ij`` of a system ``s`` is the symbol ``s_ij`` (``s_i,j`` for longer labels), a mode is
    its name with ``Dagger`` for creation operators, an input field an :class:`InputFieldSymbol`.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> a = BosonMode("a")
    >>> monomial_to_sympy(next(iter((a.adag * a.adag * a.a).terms)))
    Dagger(a)**2*a
    """

    def boson(op: sp.Symbol, p: int, q: int) -> sp.Expr:
        return Dagger(op) ** p * op**q

    left, middle, right = [], [], []
    for system, (p, q) in monomial:
        if isinstance(system, InputField):
            field = InputFieldSymbol(system.name, commutative=False)
            left.append(boson(field, p, 0))
            right.append(boson(field, 0, q))
        elif isinstance(system, NLevelSystem):
            i, j = system.label(p), system.label(q)
            joined = f"{i}{j}" if len(i) == len(j) == 1 else f"{i},{j}"
            middle.append(sp.Symbol(f"{system.name}_{joined}", commutative=False))
        else:
            middle.append(boson(sp.Symbol(system.name, commutative=False), p, q))
    return sp.Mul(*(left + middle + right))
