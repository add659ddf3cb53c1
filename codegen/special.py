"""Special functions callable from Numba-compiled kernels.

Bessel functions are backed by SciPy's own C code; :func:`complex_on_cut` puts a real
number on the side of a branch cut that SymPy and mpmath use; :func:`complex_divide`
divides by a complex number without branches; :func:`real_operand` and
:func:`defined_where` give ``Max``, ``Min``, comparisons and ``Piecewise`` conditions real
operands (``nan`` where an operand is genuinely complex).

Numba cannot call :mod:`scipy.special` directly, but SciPy exports the C entry points of
its special functions through ``scipy.special.cython_special``.  This module registers
those addresses with LLVM under stable symbol names and wraps each in a Numba
``intrinsic`` that emits a plain external call.  Because the compiled kernels refer to the
functions *by name* (not by a baked-in address), Numba's on-disk cache stays valid across
processes: importing this module re-registers the symbols before any cached kernel is
linked.

For each of :math:`J_\\nu, Y_\\nu, I_\\nu, K_\\nu` there is a real variant
(``besselj_real(nu, x)``: real order, real argument, real result, exactly
``scipy.special.jv`` on floats) and a complex variant (``besselj_complex(nu, z)``: real
order, complex argument).  The complex variants call a C function returning
``double complex``; the call is declared as clang lowers it on x86-64 and AArch64 (the
complex argument split into two doubles, the result a ``{double, double}`` pair).  Every
kernel using them is checked against mpmath when it is created, so a platform with a
different ABI fails loudly instead of returning wrong numbers.

>>> from numba import njit
>>> @njit
... def j2(x):
...     return besselj_real(2.0, x)
>>> round(j2(1.5), 12)
0.232087672144
"""

from __future__ import annotations

import math

import llvmlite.binding as llvm
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import get_cython_function_address, intrinsic

__all__ = [
    "complex_on_cut", "complex_divide", "real_operand", "defined_where",
    "besselj_real", "besselj_complex", "bessely_real", "bessely_complex",
    "besseli_real", "besseli_complex", "besselk_real", "besselk_complex",
]

_CYTHON_MODULE = "scipy.special.cython_special"
_DOUBLE = ir.DoubleType()
_SKIP_DISPATCH = ir.Constant(ir.IntType(32), 0)


def _register(scipy_name: str, fused_index: int) -> str:
    """Expose ``cython_special.<scipy_name>`` (one fused variant) to LLVM; return the symbol."""
    symbol = f"qderive_scipy_{scipy_name}_{'complex' if fused_index == 0 else 'real'}"
    address = get_cython_function_address(_CYTHON_MODULE, f"__pyx_fuse_{fused_index}{scipy_name}")
    llvm.add_symbol(symbol, address)
    return symbol


def _real_variant(scipy_name: str):
    """A Numba intrinsic ``f(order, x) -> float64`` calling SciPy's real C function."""
    symbol = _register(scipy_name, fused_index=1)

    @intrinsic
    def call(typingctx, order, x):
        if not isinstance(order, types.Number) or not isinstance(x, (types.Float, types.Integer)):
            return None
        sig = types.float64(order, x)

        def codegen(context, builder, signature, args):
            fnty = ir.FunctionType(_DOUBLE, [_DOUBLE, _DOUBLE, ir.IntType(32)])
            fn = cgutils.get_or_insert_function(builder.module, fnty, symbol)
            nu = context.cast(builder, args[0], signature.args[0], types.float64)
            arg = context.cast(builder, args[1], signature.args[1], types.float64)
            return builder.call(fn, [nu, arg, _SKIP_DISPATCH])

        return sig, codegen

    return call


def _complex_variant(scipy_name: str):
    """A Numba intrinsic ``f(order, z) -> complex128`` calling SciPy's complex C function."""
    symbol = _register(scipy_name, fused_index=0)

    @intrinsic
    def call(typingctx, order, z):
        if not isinstance(order, types.Number) or not isinstance(z, types.Number):
            return None
        sig = types.complex128(order, z)

        def codegen(context, builder, signature, args):
            pair = ir.LiteralStructType([_DOUBLE, _DOUBLE])
            fnty = ir.FunctionType(pair, [_DOUBLE, _DOUBLE, _DOUBLE, ir.IntType(32)])
            fn = cgutils.get_or_insert_function(builder.module, fnty, symbol)
            nu = context.cast(builder, args[0], signature.args[0], types.float64)
            zc = context.make_complex(
                builder, types.complex128,
                context.cast(builder, args[1], signature.args[1], types.complex128),
            )
            result = builder.call(fn, [nu, zc.real, zc.imag, _SKIP_DISPATCH])
            out = context.make_complex(builder, types.complex128)
            out.real = builder.extract_value(result, 0)
            out.imag = builder.extract_value(result, 1)
            return out._getvalue()

        return sig, codegen

    return call


besselj_real = _real_variant("jv")
besselj_complex = _complex_variant("jv")
bessely_real = _real_variant("yv")
bessely_complex = _complex_variant("yv")
besseli_real = _real_variant("iv")
besseli_complex = _complex_variant("iv")
besselk_real = _real_variant("kv")
besselk_complex = _complex_variant("kv")


@njit(inline="always")
def complex_on_cut(x):
    """``x`` as a complex number on the SymPy/mpmath side of the real-axis branch cuts of
    ``asin``, ``acos`` and ``atanh``.

    NumPy follows C99: a real ``x`` beyond the branch point, promoted with a ``+0``
    imaginary part, lies above the cut, so ``arcsin(2.5+0j)`` has a positive imaginary
    part.  SymPy and mpmath take ``x > 1`` from below and ``x < -1`` from above
    (``asin(2.5) = pi/2 - 1.567i``); the sign of the zero imaginary part selects that.
    """
    return complex(x, -math.copysign(0.0, x))


@njit(inline="always")
def complex_divide(a, b):
    """``a / b`` for a complex ``b`` (``a`` real or complex), without branches.

    Computed as ``a * conj(b') / |b'|^2 * s`` with ``b' = s * b`` and
    ``s = 1 / max(|Re b|, |Im b|)``, so ``|b'|^2`` lies in ``[1, 2]`` and cannot overflow
    or underflow; the error is a few ulp, like Smith's algorithm that Numba uses.  Unlike
    Numba's ``/`` it has no data-dependent branches, so loops over it vectorise (2-3x
    faster), and at ``b == 0`` it returns ``nan`` instead of raising
    ``ZeroDivisionError`` (under ``error_model="numpy"``, which every generated kernel
    uses).  A ``b`` whose larger part is subnormal also gives ``nan``.
    """
    scale = 1.0 / max(abs(b.real), abs(b.imag))
    br = b.real * scale
    bi = b.imag * scale
    factor = scale / (br * br + bi * bi)
    return complex((a.real * br + a.imag * bi) * factor, (a.imag * br - a.real * bi) * factor)


@njit(inline="always")
def real_operand(z, rtol, atol):
    """The real part of ``z`` if its imaginary part is negligible, else ``nan``.

    Negligible means ``|Im z| <= rtol |Re z| + atol``, the accuracy the kernel is checked
    to.  ``Max``, ``Min`` and ordering comparisons are defined for real numbers only
    (SymPy refuses to compare a complex number), so an operand that is complex at run time
    makes the result undefined: ``nan``, never a silently dropped imaginary part.
    """
    return z.real if abs(z.imag) <= rtol * abs(z.real) + atol else math.nan


@njit(inline="always")
def defined_where(value, operand):
    """``value`` where ``operand`` (a :func:`real_operand` result) is defined, else ``nan``.

    Guards a ``Piecewise`` whose condition compares an operand that may be complex: a
    comparison with ``nan`` is simply false and would silently select another branch.
    """
    return value if operand == operand else math.nan
