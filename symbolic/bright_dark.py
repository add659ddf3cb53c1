r"""Bright and dark modes: ``B = sum_j g_j a_j / G`` with ``G = sqrt(sum_j |g_j|^2)`` and an orthonormal complement.

The unitary ``U`` (rows: bright, then dark modes) maps old modes to new ones, ``b_k = sum_j U_kj a_j``;
a coupling ``sum_j (g_j A^+ a_j + h.c.)`` becomes the beam splitter ``G (A^+ B + h.c.)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from .errors import ModelError
from .operators import Op, commutator
from .subsystems import BosonMode
from .transform import substitute_modes


@dataclass(frozen=True)
class BrightDarkBasis:
    """Old ``modes``, ``new_modes`` (bright first, then dark), the unitary ``U`` with ``b_k = sum_j U_kj a_j``
    and the collective coupling ``G = sqrt(sum_j |g_j|^2)``.

    Examples
    --------
    >>> g1, g2 = sp.symbols("g1 g2", positive=True)
    >>> basis = bright_dark_modes([g1, g2], [BosonMode("a1"), BosonMode("a2")])
    >>> sp.simplify(basis.unitary * basis.unitary.H) == sp.eye(2)  # U is unitary
    True
    """

    modes: tuple[BosonMode, ...]
    new_modes: tuple[BosonMode, ...]
    unitary: sp.Matrix
    G: sp.Expr

    @property
    def bright(self) -> Op:
        """The bright mode ``B = sum_j g_j a_j / G`` in terms of the old modes.

        Examples
        --------
        >>> g1, g2 = sp.symbols("g1 g2", positive=True)
        >>> a1, a2 = BosonMode("a1"), BosonMode("a2")
        >>> basis = bright_dark_modes([g1, g2], [a1, a2])
        >>> (basis.bright * basis.G).simplify().equals(g1 * a1.a + g2 * a2.a)
        True
        """
        return self.combination(0)

    @property
    def dark(self) -> tuple[Op, ...]:
        """The dark modes, orthogonal to the bright one, in terms of the old modes.

        Examples
        --------
        >>> g1, g2 = sp.symbols("g1 g2", positive=True)
        >>> a1, a2 = BosonMode("a1"), BosonMode("a2")
        >>> basis = bright_dark_modes([g1, g2], [a1, a2])
        >>> (dark,) = basis.dark
        >>> commutator(g1 * a1.adag + g2 * a2.adag, dark).is_zero()  # the coupling g1 a1^+ + g2 a2^+ misses it
        True
        """
        return tuple(self.combination(k) for k in range(1, len(self.modes)))

    def combination(self, k: int) -> Op:
        """``b_k = sum_j U_kj a_j`` in terms of the old modes.

        Examples
        --------
        >>> basis = bright_dark_modes([1, 1], [BosonMode("a1"), BosonMode("a2")])
        >>> basis.combination(0)  # equal couplings: B = (a1 + a2)/sqrt(2)
        sqrt(2)/2 a1 + sqrt(2)/2 a2
        """
        return sum((self.unitary[k, j] * a.a for j, a in enumerate(self.modes)), Op())

    def transform(self, op: Op) -> Op:
        """``op`` rewritten in the new modes (``a_j = sum_k conj(U_kj) b_k``).

        Examples
        --------
        >>> g1, g2 = sp.symbols("g1 g2", positive=True)
        >>> s = BosonMode("s")
        >>> a1, a2 = BosonMode("a1"), BosonMode("a2")
        >>> basis = bright_dark_modes([g1, g2], [a1, a2])
        >>> coupling = s.adag * (g1 * a1.a + g2 * a2.a)
        >>> basis.transform(coupling).equals(basis.G * s.adag * BosonMode("B").a)  # a beam splitter to B alone
        True
        """
        mapping = {
            a: sum((sp.conjugate(self.unitary[k, j]) * self.new_modes[k].a for k in range(len(self.modes))), Op())
            for j, a in enumerate(self.modes)
        }
        return substitute_modes(op, mapping).simplify(sp.simplify)

    def commutator_checks(self) -> dict[str, sp.Expr]:
        """``[b_k, b_l^+]`` simplified, which must be ``delta_kl`` (a symbolic proof for these couplings).

        Examples
        --------
        >>> g1, g2, g3 = sp.symbols("g1 g2 g3", positive=True)
        >>> basis = bright_dark_modes([g1, g2, g3], [BosonMode(f"a{k}") for k in (1, 2, 3)])
        >>> checks = basis.commutator_checks()
        >>> checks["[B, B^+]"], checks["[D1, D1^+]"], checks["[B, D2^+]"]
        (1, 1, 0)
        """
        checks = {}
        n = len(self.modes)
        for k in range(n):
            for j in range(n):
                c = commutator(self.combination(k), self.combination(j).dag()).simplify(sp.simplify)
                checks[f"[{self.new_modes[k].name}, {self.new_modes[j].name}^+]"] = (
                    c.coefficient(Op.scalar(1)) if c.terms else sp.S.Zero
                )
        return checks


def bright_dark_modes(
    couplings: Sequence[sp.Expr], modes: Sequence[BosonMode], names: Sequence[str] | None = None
) -> BrightDarkBasis:
    """Bright mode ``B = sum_j g_j a_j / G`` and a dark complement from a Householder reflection.

    With ``v = g / G`` and ``w = e_1 - v^*``, ``U = 1 - w w^+ / (1 - v_1)`` is unitary and Hermitian with
    first row ``v``; its other rows are the dark modes. ``g_1`` must be real (a phase of ``g_1`` is
    absorbed into ``a_1``) and not the only non-zero coupling.

    Examples
    --------
    >>> basis = bright_dark_modes([3, 4], [BosonMode("a1"), BosonMode("a2")])
    >>> basis.G, basis.unitary.row(0)
    (5, Matrix([[3/5, 4/5]]))
    """
    if len(couplings) != len(modes) or len(modes) < 2:
        raise ModelError("bright_dark_modes needs one coupling per mode and at least two modes")
    g = [sp.sympify(x) for x in couplings]
    if g[0].is_real is not True:
        raise ModelError(f"the first coupling must be real (absorb its phase into {modes[0].name}), got {g[0]}")
    G = sp.sqrt(sum(sp.Abs(x) ** 2 for x in g))
    v = [x / G for x in g]
    n = len(modes)
    w = sp.Matrix([(1 if j == 0 else 0) - sp.conjugate(v[j]) for j in range(n)])
    U = sp.eye(n) - (w * w.H) / (1 - v[0])
    U = U.applyfunc(sp.radsimp)
    names = list(names or ["B"] + [f"D{k}" for k in range(1, n)])
    return BrightDarkBasis(tuple(modes), tuple(BosonMode(x) for x in names), U, G)
