"""The exceptions raised by :mod:`qderive.codegen`.

Every error the code generator raises on purpose derives from :class:`CodegenError`,
itself a :class:`qderive.QderiveError` (a :class:`ValueError`), so a caller can catch the whole family at once.
"""

from __future__ import annotations

from qderive.errors import QderiveError


class CodegenError(QderiveError):
    """Base class: the expression or the request cannot be turned into a kernel.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive import QderiveError
    >>> from qderive.codegen.printer import check_supported
    >>> try:
    ...     check_supported([sp.Function("f")(sp.Symbol("x"))])
    ... except CodegenError as error:
    ...     print(type(error).__name__, isinstance(error, QderiveError), isinstance(error, ValueError))
    UnsupportedFunctionError True True
    """


class UnsupportedFunctionError(CodegenError):
    """The expression contains a function or object with no Numba translation.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen import compile_expr
    >>> x = sp.Symbol("x")
    >>> compile_expr(sp.Function("f")(x), [x])
    Traceback (most recent call last):
    ...
    qderive.codegen.errors.UnsupportedFunctionError: ...
    """


class MissingArgumentError(CodegenError):
    """A free symbol of the expression is not in the argument list.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen import compile_expr
    >>> x, y = sp.symbols("x y")
    >>> compile_expr(x * y, [x])
    Traceback (most recent call last):
    ...
    qderive.codegen.errors.MissingArgumentError: free symbol(s) y of the expression are not in the argument list ...
    """


class InvalidArgumentsError(CodegenError):
    """The argument list itself is malformed (not symbols, duplicates, ...).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen import compile_expr
    >>> x = sp.Symbol("x")
    >>> compile_expr(x, [x, x])
    Traceback (most recent call last):
    ...
    qderive.codegen.errors.InvalidArgumentsError: argument(s) x listed more than once
    """


class KernelCheckError(CodegenError):
    """The compiled kernel disagrees with the high-precision reference evaluation.

    Examples
    --------
    >>> import numpy as np
    >>> import sympy as sp
    >>> from qderive.codegen.check import ReferenceSample, run_check
    >>> from qderive.codegen.emit import prepare_arguments
    >>> (arg,) = prepare_arguments([sp.Symbol("x")], [sp.Symbol("x")], set())
    >>> sample = ReferenceSample(np.array([[1.0]]), np.array([[1.0]]))
    >>> run_check(lambda p: p + 1e-3, sample, [arg], 1e-10, 0.0, "demo")
    Traceback (most recent call last):
    ...
    qderive.codegen.errors.KernelCheckError: demo: compiled kernel disagrees with the 30-digit reference: ...
    """


class KernelCallError(CodegenError, TypeError):
    """A compiled kernel was called with the wrong number, kind or shape of arguments.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen import compile_expr
    >>> x = sp.Symbol("x", positive=True)
    >>> kernel = compile_expr(x + 1, [x])
    >>> try:
    ...     kernel(1.0, 2.0)
    ... except TypeError as error:  # also a TypeError, as for any wrongly called function
    ...     print(type(error).__name__, error)
    KernelCallError kernel takes 1 argument(s) (x), got 2
    """


class KernelCacheWarning(UserWarning):
    """The kernel cache directory cannot be written: the kernel is kept in memory only.

    Examples
    --------
    >>> import tempfile, warnings
    >>> import sympy as sp
    >>> from qderive.codegen import compile_expr
    >>> x = sp.Symbol("x", positive=True)
    >>> with tempfile.NamedTemporaryFile() as not_a_folder, warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     kernel = compile_expr(x + 1, [x], cache_dir=not_a_folder.name)  # the cache cannot be written
    >>> caught[0].category.__name__, float(kernel(1.0))  # a warning, not an error: the kernel still works
    ('KernelCacheWarning', 2.0)
    """
