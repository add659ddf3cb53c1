"""SymPy's randomised algorithms made reproducible for a derivation.

SymPy factors multivariate polynomials with Wang's algorithm, which draws its evaluation points from
``sympy.core.random.rng``, a generator seeded from the operating system in every process. The time a
factorisation takes depends on those draws: the Raman elimination of sps000 finishes in about 2 s for
most seeds and ran for minutes without finishing for one of six tried (``sympy.core.random.seed(4)``
before it), so a derivation could hang at random. Inside :func:`fixed_sympy_random` the generator is
reseeded with a seed under which every registered derivation was measured to finish, and its previous
state is restored on exit, so code outside sees the sequence it would have seen. The library's factoring
entry points (the eliminations, rates, baths, ``Dissipator.simplified``) and every derivation's symbolic
stages run under :func:`reproducible`: the same input gives the same work every time, in every process.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sympy.core import random as sympy_random

DERIVATION_SEED = 0  # measured: every registered derivation's symbolic work finishes in seconds under it

P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def fixed_sympy_random(seed: int = DERIVATION_SEED) -> Iterator[None]:
    """Run the block with SymPy's random generator seeded by ``seed``; restore its state afterwards.

    Examples
    --------
    >>> from sympy.core import random as sympy_random
    >>> with fixed_sympy_random():
    ...     first = sympy_random.rng.random()
    >>> with fixed_sympy_random():
    ...     second = sympy_random.rng.random()
    >>> first == second  # the same draws every time
    True
    >>> state = sympy_random.rng.getstate()
    >>> with fixed_sympy_random():
    ...     _ = sympy_random.rng.random()
    >>> sympy_random.rng.getstate() == state  # the outside sequence is untouched
    True
    """
    state = sympy_random.rng.getstate()
    sympy_random.rng.seed(seed)
    try:
        yield
    finally:
        sympy_random.rng.setstate(state)


def reproducible(function: Callable[P, T]) -> Callable[P, T]:
    """``function`` run inside :func:`fixed_sympy_random` (for a derivation's symbolic work).

    Examples
    --------
    >>> from sympy.core import random as sympy_random
    >>> draw = reproducible(lambda: sympy_random.rng.random())
    >>> draw() == draw()
    True
    """

    @functools.wraps(function)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> T:
        with fixed_sympy_random():
            return function(*args, **kwargs)

    return wrapped
