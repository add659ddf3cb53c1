"""A compiled kernel over a tensor-product grid, without materialising the grid.

:func:`evaluate_on_grid` runs nested compiled loops, one per grid dimension, that call the
kernel's scalar function with each argument read from its own axis (or a fixed value): no
broadcast input arrays are built, and the compiler hoists what depends only on outer loops, as a
hand-written loop would. The loop nest ("driver") is generated per *pattern* — grid rank and which
dimension feeds which argument — from a template whose only identifiers are numbered (``a0``,
``i1``); no expression or user text enters it. A driver takes the scalar function as an argument,
so one driver serves every kernel of that pattern; its compiled versions live in
:class:`GridDrivers`, which the caller owns (no module state).

Examples
--------
>>> import sympy as sp
>>> from qderive.codegen import compile_expr
>>> x, y = sp.symbols("x y", positive=True)
>>> kernel = compile_expr(x * y + 1, [x, y])
>>> drivers = GridDrivers()
>>> evaluate_on_grid(drivers, kernel, [np.array([1.0, 2.0]), 3.0], [0, None], (2, 4)).shape
(2, 4)
>>> float(evaluate_on_grid(drivers, kernel, [np.array([1.0, 2.0]), 3.0], [0, None], (2, 4))[1, 3])
7.0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numba import njit

from .errors import InvalidArgumentsError


def driver_source(rank: int, dims: Sequence[int | None]) -> str:
    """Python source of the loop nest for a grid of ``rank`` dimensions; argument ``k`` reads ``a{k}[i{dims[k]}]``.

    Examples
    --------
    >>> print(driver_source(2, [0, None]), end="")
    def drive(f, out, a0, a1):
        for i0 in range(out.shape[0]):
            for i1 in range(out.shape[1]):
                out[i0, i1] = f(a0[i0], a1[0])
    """
    arguments = ", ".join(f"a{k}" for k in range(len(dims)))
    lines = [f"def drive(f, out{', ' if dims else ''}{arguments}):"]
    for level in range(rank):
        lines.append("    " * (level + 1) + f"for i{level} in range(out.shape[{level}]):")
    index = ", ".join(f"i{level}" for level in range(rank))
    call = ", ".join(f"a{k}[{'0' if d is None else f'i{d}'}]" for k, d in enumerate(dims))
    lines.append("    " * (rank + 1) + f"out[{index}] = f({call})")
    return "\n".join(lines) + "\n"


class GridDrivers:
    """Compiled loop nests by pattern ``(rank, dims)``; each compiles once per process and kernel type.

    Examples
    --------
    >>> drivers = GridDrivers()
    >>> drivers.get(1, [0]) is drivers.get(1, [0])  # one compiled driver per pattern
    True
    """

    def __init__(self) -> None:
        self._drivers: dict[tuple[int, tuple[int | None, ...]], Any] = {}

    def get(self, rank: int, dims: Sequence[int | None]) -> Any:
        """The compiled driver for pattern ``(rank, dims)``, generated and wrapped in ``njit`` on first use.

        Examples
        --------
        >>> from numba import njit
        >>> @njit
        ... def square(x):
        ...     return x * x
        >>> out = np.empty(3)
        >>> GridDrivers().get(1, [0])(square, out, np.array([1.0, 2.0, 3.0]))
        >>> out.tolist()
        [1.0, 4.0, 9.0]
        """
        key = (rank, tuple(dims))
        if key not in self._drivers:
            namespace: dict[str, Any] = {}
            exec(compile(driver_source(rank, dims), "<qderive grid driver>", "exec"), namespace)  # numbered names only
            self._drivers[key] = njit(error_model="numpy")(namespace["drive"])
        return self._drivers[key]


def evaluate_on_grid(drivers: GridDrivers, kernel: Any, values: Sequence[Any], dims: Sequence[int | None],
                     shape: tuple[int, ...]) -> np.ndarray:
    """``kernel`` at every point of the grid ``shape``; argument ``k`` is ``values[k][i_dims[k]]`` or fixed.

    Parameters
    ----------
    drivers : GridDrivers
        Where the compiled loop nests are kept.
    kernel : Kernel
        A :func:`~qderive.codegen.compile_expr` kernel (its ``scalar`` function is called).
    values : sequence
        Per kernel argument: a 1-D array along grid dimension ``dims[k]``, or a number (``dims[k] = None``).
    dims : sequence of int or None
    shape : tuple of int
        The grid's shape; dimensions that no argument reads are broadcast (computed once).

    Returns
    -------
    numpy.ndarray
        Read-only when broadcast over unused dimensions.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen import compile_expr
    >>> g, k = sp.symbols("g kappa", positive=True)
    >>> f = compile_expr(g**2 / (g**2 + k**2), [g, k])
    >>> gs, ks = np.array([1.0, 2.0]), np.array([1.0, 2.0, 4.0])
    >>> grid = evaluate_on_grid(GridDrivers(), f, [gs, ks], [0, 1], (2, 3))
    >>> bool(np.allclose(grid, f.vectorized(gs[:, None], ks[None, :])))  # the same as the broadcast loop
    True
    >>> evaluate_on_grid(GridDrivers(), f, [gs, 1.0], [0, None], (2, 5)).flags.writeable  # broadcast over dim 1
    False
    """
    if len(values) != len(kernel.arguments) or len(dims) != len(values):
        raise InvalidArgumentsError(f"kernel takes {len(kernel.arguments)} arguments, got {len(values)} values")
    used = {d for d in dims if d is not None}
    local = tuple(n if d in used else 1 for d, n in enumerate(shape))
    arrays = []
    for value, d, argument in zip(values, dims, kernel.arguments, strict=True):
        array = np.ascontiguousarray(np.atleast_1d(np.asarray(value, dtype=argument.dtype)))
        expected = 1 if d is None else shape[d]
        if array.ndim != 1 or len(array) != expected:
            raise InvalidArgumentsError(f"argument {argument.symbol}: expected {expected} values, "
                                        f"got shape {array.shape}")
        arrays.append(array)
    out = np.empty(local, dtype=kernel.dtype)
    drivers.get(len(shape), dims)(kernel.scalar, out, *arrays)
    return out if local == shape else np.broadcast_to(out, shape)
