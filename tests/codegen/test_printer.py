"""The SymPy -> Numba printer: translations, promotion to complex, supported-set check."""

from __future__ import annotations

import pytest
import sympy as sp

from qderive.codegen.errors import CodegenError, UnsupportedFunctionError
from qderive.codegen.printer import NumbaPrinter, check_supported, is_real_valued
from qderive.codegen.real_operands import RealOperand

x, y = sp.symbols("x y", real=True)
p = sp.Symbol("p", positive=True)
z = sp.Symbol("z", complex=True)


def show(expr) -> str:
    return NumbaPrinter({"order": "none"}).doprint(expr)


@pytest.mark.parametrize(
    "expr, text",
    [
        (sp.sqrt(p), "np.sqrt(p)"),
        (sp.sqrt(x), "np.sqrt(complex(x))"),  # x may be negative: complex, as SymPy
        (sp.sqrt(x**2 + 1), "np.sqrt(1 + x**2)"),  # provably positive: stays real
        (1 / sp.sqrt(x), "complex_divide(1.0, np.sqrt(complex(x)))"),
        (1 / sp.sqrt(p), "1/np.sqrt(p)"),
        (x / (1 + sp.I * y), "complex_divide(x, complex(1, y))"),
        (x ** sp.Rational(3, 2), "complex(x)**(3/2)"),
        (p ** sp.Rational(3, 2), "p**(3/2)"),
        (sp.log(p), "np.log(p)"),
        (sp.log(x), "np.log(complex(x))"),
        (sp.asin(x), "np.arcsin(complex_on_cut(x))"),
        (sp.acosh(x), "np.arccosh(complex(x))"),
        (sp.atanh(z), "np.arctanh(complex(z))"),  # harmless when z is already complex
        (sp.coth(x), "1/np.tanh(x)"),
        (sp.sech(x), "1/np.cosh(x)"),
        (sp.re(z), "z.real"),
        (sp.im(z * sp.Symbol("w", complex=True)), "(w*z).imag"),
        (sp.arg(z), "np.angle(z)"),
        (sp.conjugate(z), "np.conj(z)"),
        (sp.Abs(z), "np.abs(z)"),
        (sp.Heaviside(x), "(1.0 if x > 0 else (1/2 if x == 0 else (0.0 if x < 0 else np.nan)))"),
        (sp.Max(x, y, 1), "np.maximum(1, np.maximum(x, y))"),  # propagates nan, unlike max()
        (sp.Min(x, p), "np.minimum(p, x)"),
        # real arithmetic first; the complex computation only where that gives nan
        (RealOperand(sp.sqrt(x) - 1, 1e-10, 0.0),
         "(-1 + np.sqrt(x) if not np.isnan(-1 + np.sqrt(x)) else real_operand(-1 + np.sqrt(complex(x)), 1e-10, 0.0))"),
        (RealOperand(z + 1, 1e-10, 0.0), "real_operand(1 + z, 1e-10, 0.0)"),  # complex anyway: no fast path
        (sp.KroneckerDelta(x, y), "(1.0 if x == y else 0.0)"),
        (sp.Piecewise((x, x > 0), (y, y > 0)), "((x) if (x > 0) else (y) if (y > 0) else np.nan)"),
        (sp.besselj(2, x), "besselj_real(2, x)"),
        (sp.besselj(sp.Rational(1, 3), x), "besselj_complex(1/3, x)"),  # x < 0: complex
        (sp.besselk(0, p), "besselk_real(0, p)"),
        (sp.besselk(0, x), "besselk_complex(0, x)"),
        (sp.Integer(10) ** 30 * x, "1e+30*x"),  # beyond int64: a float literal
        (sp.I * x, "x*1j"),
        # real arithmetic stays real: one complex number built from two real sums
        (x**2 + sp.I * x * y - sp.I * y / 2 + z, "complex(x**2, -1/2*y + x*y) + z"),
        (x * z * y, "x*y*z"),
        (sp.pi * x, "np.pi*x"),
    ],
)
def test_translation(expr, text):
    assert show(expr) == text


def test_float_literals_round_trip_exactly():
    value = sp.Float(0.1) + sp.Float(2) / 3  # 53-bit floats, printed to 17 digits
    assert float(eval(show(value))) == float(value)


def test_promotion_is_reported():
    printer = NumbaPrinter()
    printer.doprint(sp.sqrt(p))
    assert not printer.promoted
    printer.doprint(sp.sqrt(x))
    assert printer.promoted


def test_real_only_function_of_complex_argument_is_rejected():
    with pytest.raises(UnsupportedFunctionError, match="erf.*not provably real"):
        show(sp.erf(z))


@pytest.mark.parametrize(
    "expr, real",
    [
        (1 / (x + y), True),  # SymPy's is_real is None here (x + y may vanish)
        (sp.exp(x) / (1 + x**2), True),
        (sp.sqrt(x), False),
        (sp.sqrt(p), True),
        (sp.Abs(z) + x, True),
        (z * x, False),
        (sp.besselj(1, x), True),
        (sp.besselj(sp.Rational(1, 2), x), False),
        (sp.log(p) + sp.log(x), False),
    ],
)
def test_is_real_valued(expr, real):
    assert is_real_valued(expr) is real


@pytest.mark.parametrize(
    "expr, message",
    [
        (sp.Function("f")(x) + 1, r"undefined function f\(x\)"),
        (sp.Derivative(sp.Function("g")(x), x), r"undefined function g\(x\)|Derivative"),
        (sp.Integral(x**2, (x, 0, y)), "unevaluated Integral.*doit"),
        (sp.zeta(x), "function zeta .*no Numba translation"),
        (sp.Mod(x, 2), "Mod .*no Numba translation"),
        (x / sp.S.Zero, "zoo"),
    ],
)
def test_unsupported_constructs_are_named(expr, message):
    with pytest.raises(UnsupportedFunctionError, match=message) as info:
        check_supported([expr])
    assert isinstance(info.value, CodegenError) and isinstance(info.value, ValueError)


def test_supported_constructs_pass():
    check_supported([sp.Piecewise((sp.exp(x), (x > 0) & (y < 1)), (sp.besselj(0, x), True)),
                     sp.KroneckerDelta(x, y) * sp.Heaviside(x) + sp.Max(x, y)])
