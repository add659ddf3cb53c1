"""Subsystems of a composite quantum system: bosonic modes, n-level systems, input fields.

A subsystem is an immutable, hashable label with the data needed to multiply its operators.
Operators on different subsystems commute; the algebra of each kind lives in ``operators.py``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import ModelError

if TYPE_CHECKING:
    from .operators import Op


@dataclass(frozen=True)
class BosonMode:
    """A bosonic mode with annihilation operator ``a`` obeying ``[a, a^+] = 1``.

    Parameters
    ----------
    name : str
        Symbol of the annihilation operator as printed, e.g. ``"a"``.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode, commutator
    >>> b = BosonMode("b")
    >>> commutator(b.a, b.adag)  # [a, a^+] = 1
    1
    """

    name: str

    @property
    def sort_key(self) -> tuple[int, str]:
        """Ordering key of the subsystem in a monomial: n-level systems (0), modes (1), input fields (2), then by name.

        Examples
        --------
        >>> from qderive.symbolic import BosonMode, NLevelSystem
        >>> BosonMode("a").sort_key > NLevelSystem("s", ("g", "e")).sort_key
        True
        """
        return (1, self.name)

    @property
    def a(self) -> Op:
        """Annihilation operator ``a``.

        Examples
        --------
        >>> from qderive.symbolic import BosonMode
        >>> a = BosonMode("a").a
        >>> (a.dag() * a - a * a.dag()).expand()  # a^+ a - a a^+ = -1
        -1
        """
        from .operators import Op

        return Op.monomial(((self, (0, 1)),))

    @property
    def adag(self) -> Op:
        """Creation operator ``a^+``.

        Examples
        --------
        >>> from qderive.symbolic import BosonMode
        >>> mode = BosonMode("a")
        >>> mode.adag == mode.a.dag()
        True
        >>> mode.a * mode.adag  # normal ordering adds the commutator
        1 + a^+ a
        """
        return self.a.dag()


@dataclass(frozen=True)
class NLevelSystem:
    """An n-level system spanned by ``|l>`` for the labels ``levels`` (in this order).

    Its operator basis is ``sigma_ij = |i><j|`` with ``sigma_ij sigma_kl = delta_jk sigma_il``.

    Parameters
    ----------
    name : str
        Printed name, e.g. ``"s"`` gives ``s_eg``.
    levels : tuple
        Level labels (strings or integers), at least two, all distinct.

    Examples
    --------
    >>> from qderive.symbolic import NLevelSystem
    >>> s = NLevelSystem("s", ("g", "e"))
    >>> s.sigma("g", "e") * s.sigma("e", "g")  # |g><e|e><g| = |g><g|
    s_gg
    >>> s.sigma("e", "g") * s.sigma("e", "g")  # |e><g|e><g| = 0
    0
    """

    name: str
    levels: tuple[Hashable, ...]

    def __post_init__(self) -> None:
        if len(self.levels) < 2:
            raise ModelError(f"n-level system '{self.name}' needs at least 2 levels, got {self.levels!r}")
        if len(set(self.levels)) != len(self.levels):
            raise ModelError(f"n-level system '{self.name}' has repeated level labels {self.levels!r}")

    @property
    def sort_key(self) -> tuple[int, str]:
        """Ordering key of the subsystem in a monomial: n-level systems (0) before modes and input fields.

        Examples
        --------
        >>> from qderive.symbolic import InputField, NLevelSystem
        >>> NLevelSystem("s", ("g", "e")).sort_key < InputField("c").sort_key
        True
        """
        return (0, self.name)

    @property
    def dimension(self) -> int:
        """Number of levels, the dimension of the system's Hilbert space.

        Examples
        --------
        >>> from qderive.symbolic import NLevelSystem
        >>> NLevelSystem("lambda", ("g", "s", "e")).dimension
        3
        """
        return len(self.levels)

    def index(self, level: Hashable) -> int:
        """Position of a level label in ``levels``.

        Examples
        --------
        >>> from qderive.symbolic import NLevelSystem
        >>> NLevelSystem("s", ("g", "e", "f")).index("f")
        2
        """
        try:
            return self.levels.index(level)
        except ValueError:
            raise ModelError(
                f"level {level!r} is not a level of '{self.name}'; its levels are {self.levels!r}"
            ) from None

    def sigma(self, i: Hashable, j: Hashable) -> Op:
        """Transition operator ``sigma_ij = |i><j|``.

        Examples
        --------
        >>> from qderive.symbolic import NLevelSystem, commutator
        >>> s = NLevelSystem("s", ("g", "e"))
        >>> commutator(s.sigma("g", "e"), s.sigma("e", "g"))  # [sigma_ge, sigma_eg] = sigma_gg - sigma_ee
        s_gg - s_ee
        """
        from .operators import Op

        return Op.monomial(((self, (self.index(i), self.index(j))),))

    def projector(self, i: Hashable) -> Op:
        """Projector ``sigma_ii = |i><i|``.

        Examples
        --------
        >>> from qderive.symbolic import NLevelSystem
        >>> s = NLevelSystem("s", ("g", "e"))
        >>> p = s.projector("e")
        >>> (p * p - p).expand()  # a projector is idempotent
        0
        """
        return self.sigma(i, i)

    def label(self, index: int) -> str:
        """Printed label of the level at position ``index``.

        Examples
        --------
        >>> from qderive.symbolic import NLevelSystem
        >>> NLevelSystem("q", (0, 1, 2)).label(1)
        '1'
        """
        return str(self.levels[index])


@dataclass(frozen=True)
class InputField:
    """White-noise input field ``c_in`` of one dissipation channel (Gardiner-Collett).

    Input fields appear only in Heisenberg-Langevin equations and output fields. They are kept
    in the order of those equations: ``c_in^+`` to the left of system operators, ``c_in`` to the
    right. Their mutual commutator is a delta function in time, so the algebra refuses to reorder
    ``c_in c_in^+``.

    Examples
    --------
    >>> from qderive.symbolic import InputField
    >>> c = InputField("kappa").field
    >>> c.dag() * c  # normally ordered products are allowed
    kappa_in^+ kappa_in
    """

    channel: str

    @property
    def name(self) -> str:
        """Printed name of the field, ``<channel>_in``.

        Examples
        --------
        >>> from qderive.symbolic import InputField
        >>> InputField("kappa").name
        'kappa_in'
        """
        return f"{self.channel}_in"

    @property
    def sort_key(self) -> tuple[int, str]:
        """Ordering key: input fields (2) come after n-level systems and modes.

        Examples
        --------
        >>> from qderive.symbolic import BosonMode, InputField
        >>> InputField("c").sort_key > BosonMode("a").sort_key
        True
        """
        return (2, self.channel)

    @property
    def field(self) -> Op:
        """The input field operator ``c_in``.

        Examples
        --------
        >>> from qderive.symbolic import InputField
        >>> c = InputField("kappa").field
        >>> c.dag().dag() == c
        True
        """
        from .operators import Op

        return Op.monomial(((self, (0, 1)),))


Subsystem = BosonMode | NLevelSystem | InputField
