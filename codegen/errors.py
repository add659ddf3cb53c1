"""The exceptions raised by :mod:`qderive.codegen`.

Every error the code generator raises on purpose derives from :class:`CodegenError`,
itself a :class:`qderive.QderiveError` (a :class:`ValueError`), so a caller can catch the whole family at once.
"""

from __future__ import annotations

from qderive.errors import QderiveError


class CodegenError(QderiveError):
    """Base class: the expression or the request cannot be turned into a kernel."""


class UnsupportedFunctionError(CodegenError):
    """The expression contains a function or object with no Numba translation."""


class MissingArgumentError(CodegenError):
    """A free symbol of the expression is not in the argument list."""


class InvalidArgumentsError(CodegenError):
    """The argument list itself is malformed (not symbols, duplicates, ...)."""


class KernelCheckError(CodegenError):
    """The compiled kernel disagrees with the high-precision reference evaluation."""


class KernelCallError(CodegenError, TypeError):
    """A compiled kernel was called with the wrong number, kind or shape of arguments."""


class KernelCacheWarning(UserWarning):
    """The kernel cache directory cannot be written: the kernel is kept in memory only."""
