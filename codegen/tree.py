"""One walk over an expression tree that visits each distinct node once (shared subtrees included)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import sympy as sp


def distinct_nodes(exprs: Iterable[sp.Basic]) -> Iterator[sp.Basic]:
    """Every distinct node of ``exprs`` once, depth first; a subtree shared by several parents is not revisited.

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> shared = sp.sin(x)
    >>> nodes = list(distinct_nodes([shared + shared**2, shared]))
    >>> nodes.count(shared), nodes.count(x)
    (1, 1)
    """
    seen: set[sp.Basic] = set()
    stack = list(exprs)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        yield node
        stack.extend(node.args)
