r"""Joint cumulants of operator products and the cumulant (generalised mean-field) expansion.

A normal-ordered monomial ``m = X_1 X_2 ... X_n`` is a product of ``n`` elementary operators
(``a^+`` and ``a`` of a mode count once per power, ``sigma_ij`` of an n-level system counts
once). Its joint cumulant is

.. math:: \kappa(X_1, \dots, X_n) = \sum_{\pi} (|\pi| - 1)!\, (-1)^{|\pi| - 1}
          \prod_{B \in \pi} \Big\langle \prod_{i \in B} X_i \Big\rangle

over the set partitions ``pi`` of ``{1..n}``, each block keeping the original operator order
(so every block is again a normal-ordered monomial). The expansion of order ``k`` sets every
joint cumulant of more than ``k`` operators to zero and solves ``kappa(X_1..X_n) = 0`` for the
moment, recursively, until only moments of at most ``k`` operators remain:

.. math:: \langle X_1 \cdots X_n \rangle \approx -\sum_{\pi,\ |\pi| \ge 2} (|\pi| - 1)!\, (-1)^{|\pi| - 1}
          \prod_{B \in \pi} \langle X_B \rangle_k .

Order 1 is the mean-field factorisation ``<A B> = <A><B>``; order 2 keeps all pair correlations
(exact for Gaussian states of modes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from math import factorial

import sympy as sp

from .errors import AlgebraError
from .expectation import Expectation
from .operators import IDENTITY, Monomial
from .subsystems import InputField, NLevelSystem, Subsystem

#: One elementary operator: its subsystem and factor (``(1, 0)`` = ``a^+``, ``(0, 1)`` = ``a``,
#: ``(i, j)`` = ``sigma_ij``).
Element = tuple[Subsystem, tuple[int, int]]
Leaf = Callable[[Monomial], sp.Expr]


def elements(monomial: Monomial) -> list[Element]:
    """The elementary operators of a monomial in product order, e.g. ``a^+ a^+ a s_eg`` -> 4.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> a = BosonMode("a")
    >>> len(elements(((a, (2, 1)),)))
    3
    """
    result: list[Element] = []
    for system, (p, q) in monomial:
        if isinstance(system, InputField):
            raise AlgebraError(f"moments of the input field '{system.name}' have no cumulant expansion")
        if isinstance(system, NLevelSystem):
            result.append((system, (p, q)))
        else:
            result += [(system, (1, 0))] * p + [(system, (0, 1))] * q
    return result


def operator_order(monomial: Monomial) -> int:
    """Number of elementary operators in ``monomial`` (its order as a moment).

    Examples
    --------
    >>> from qderive.symbolic import BosonMode, NLevelSystem
    >>> a, s = BosonMode("a"), NLevelSystem("s", ("g", "e"))
    >>> operator_order(((s, (1, 0)), (a, (1, 1))))  # s_eg a^+ a: three elementary operators
    3
    """
    return len(elements(monomial))


def block_monomial(block: list[Element]) -> Monomial:
    """The normal-ordered monomial of a block of elements taken in their original order.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> a = BosonMode("a")
    >>> block_monomial([(a, (1, 0)), (a, (0, 1)), (a, (1, 0))]) == ((a, (2, 1)),)  # powers add up
    True
    """
    factors: dict[Subsystem, tuple[int, int]] = {}
    for system, factor in block:
        if isinstance(system, NLevelSystem):
            factors[system] = factor  # a monomial holds at most one sigma per n-level system
        else:
            p, q = factors.get(system, (0, 0))
            factors[system] = (p + factor[0], q + factor[1])
    return tuple(sorted(factors.items(), key=lambda item: item[0].sort_key))


def set_partitions(items: list) -> Iterator[list[list]]:
    """Every partition of ``items`` into non-empty blocks; blocks keep the original order.

    Examples
    --------
    >>> partitions = list(set_partitions([1, 2, 3]))
    >>> len(partitions), len(list(set_partitions(list(range(5)))))  # Bell numbers B3 = 5, B5 = 52
    (5, 52)
    >>> [[1], [2, 3]] in partitions
    True
    """
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in set_partitions(rest):
        yield [[first], *partition]
        for k in range(len(partition)):
            yield [*partition[:k], [first, *partition[k]], *partition[k + 1:]]


def _plain_leaf(monomial: Monomial) -> sp.Expr:
    return sp.S.One if monomial == IDENTITY else Expectation(monomial)


def joint_cumulant(monomial: Monomial, leaf: Leaf = _plain_leaf) -> sp.Expr:
    """The joint cumulant ``kappa(X_1, ..., X_n)`` of the elements of ``monomial`` (definition).

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> a = BosonMode("a")
    >>> joint_cumulant(((a, (1, 1)),))
    -<a>*<a^+> + <a^+ a>
    """
    items = elements(monomial)
    total = sp.S.Zero
    for partition in set_partitions(items):
        m = len(partition)
        weight = factorial(m - 1) * (-1) ** (m - 1)
        total += weight * sp.Mul(*(leaf(block_monomial(block)) for block in partition))
    return total


def cumulant_expansion(monomial: Monomial, order: int, leaf: Leaf = _plain_leaf) -> sp.Expr:
    """``<monomial>`` with every joint cumulant of more than ``order`` operators set to zero.

    Parameters
    ----------
    monomial : Monomial
        A normal-ordered monomial (no input fields).
    order : int
        Highest order of the moments kept (``>= 1``); moments with at most ``order`` elements are
        returned as they are.
    leaf : callable, optional
        Maps a kept monomial to its symbol (default :class:`Expectation`); used to substitute
        symmetry representatives or zeros for filtered moments.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode, NLevelSystem
    >>> a, s = BosonMode("a"), NLevelSystem("s", ("g", "e"))
    >>> cumulant_expansion(((s, (1, 1)), (a, (1, 0))), 1)
    <a^+>*<s_ee>
    """
    if not isinstance(order, int) or order < 1:
        raise AlgebraError(f"cumulant order must be an integer >= 1, got {order!r}")
    memo: dict[Monomial, sp.Expr] = {}

    def expand(block: Monomial) -> sp.Expr:
        if block in memo:
            return memo[block]
        items = elements(block)
        if len(items) <= order:
            value = leaf(block)
        else:
            value = sp.S.Zero
            for partition in set_partitions(items):
                m = len(partition)
                if m == 1:
                    continue
                weight = -factorial(m - 1) * (-1) ** (m - 1)
                value += weight * sp.Mul(*(expand(block_monomial(b)) for b in partition))
        memo[block] = value
        return value

    return expand(monomial)


__all__ = ["block_monomial", "cumulant_expansion", "elements", "joint_cumulant", "operator_order",
           "set_partitions"]
