"""Every supported function against mpmath at 30 digits (one array kernel, one compile).

The references call mpmath directly, so they are independent of SymPy's printers.  Bessel
functions come from SciPy's C code through Numba; the complex-argument variants exercise
the ``double complex`` calling convention.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from qderive.codegen import compile_array

x = sp.Symbol("x", real=True)
p = sp.Symbol("p", positive=True)
z = sp.Symbol("z", complex=True)
n, m = sp.symbols("n m", integer=True)
ARGS = [x, p, z, n, m]

# (sympy expression, mpmath reference taking (x, p, z, n, m))
CASES = [
    (sp.besselj(0, x), lambda x, p, z, n, m: mpmath.besselj(0, x)),
    (sp.besselj(3, x), lambda x, p, z, n, m: mpmath.besselj(3, x)),  # x < 0 too (integer order)
    (sp.besselj(n, p), lambda x, p, z, n, m: mpmath.besselj(n, p)),
    (sp.besselj(1, z), lambda x, p, z, n, m: mpmath.besselj(1, z)),
    (sp.besselj(sp.Rational(1, 2), x), lambda x, p, z, n, m: mpmath.besselj(0.5, x)),  # complex for x < 0
    (sp.bessely(1, p), lambda x, p, z, n, m: mpmath.bessely(1, p)),
    (sp.besseli(2, x), lambda x, p, z, n, m: mpmath.besseli(2, x)),
    (sp.besselk(0, p), lambda x, p, z, n, m: mpmath.besselk(0, p)),
    (sp.besselk(1, z), lambda x, p, z, n, m: mpmath.besselk(1, z)),
    (sp.tanh(x) + sp.coth(p), lambda x, p, z, n, m: mpmath.tanh(x) + mpmath.coth(p)),
    (sp.sech(x) + sp.csch(p) + sp.sec(x) + sp.csc(p) + sp.cot(p),
     lambda x, p, z, n, m: mpmath.sech(x) + mpmath.csch(p) + mpmath.sec(x) + mpmath.csc(p) + mpmath.cot(p)),
    (sp.Abs(z) + sp.arg(z), lambda x, p, z, n, m: abs(z) + mpmath.arg(z)),
    (sp.conjugate(z) * z**2, lambda x, p, z, n, m: mpmath.conj(z) * z**2),
    (sp.re(z) * sp.im(z), lambda x, p, z, n, m: z.real * z.imag),
    (sp.Heaviside(x), lambda x, p, z, n, m: 1 if x > 0 else (0.5 if x == 0 else 0)),
    (sp.Heaviside(x, 1), lambda x, p, z, n, m: 1 if x >= 0 else 0),
    (sp.Piecewise((x**2, x < 0), (sp.sin(x), True)), lambda x, p, z, n, m: x**2 if x < 0 else mpmath.sin(x)),
    (sp.KroneckerDelta(n, m), lambda x, p, z, n, m: 1 if n == m else 0),
    (sp.sqrt(x) + sp.log(x - sp.S.Half),
     lambda x, p, z, n, m: mpmath.sqrt(mpmath.mpc(x)) + mpmath.log(mpmath.mpc(x - 0.5))),
    (x ** sp.Rational(1, 3), lambda x, p, z, n, m: mpmath.power(mpmath.mpc(x), mpmath.mpf(1) / 3)),
    (sp.asin(2 * x) + sp.acos(x) + sp.acosh(x) + sp.atanh(x),
     lambda x, p, z, n, m: sum(f(mpmath.mpc(v)) for f, v in
                               [(mpmath.asin, 2 * x), (mpmath.acos, x), (mpmath.acosh, x), (mpmath.atanh, x)])),
    (sp.asinh(x) + sp.atan(x) + sp.atan2(x, p),
     lambda x, p, z, n, m: mpmath.asinh(x) + mpmath.atan(x) + mpmath.atan2(x, p)),
    (sp.erf(x) + sp.erfc(x / 2) + sp.gamma(p),
     lambda x, p, z, n, m: mpmath.erf(x) + mpmath.erfc(x / 2) + mpmath.gamma(p)),
    (sp.sign(x) + sp.floor(3 * x) + sp.ceiling(x),
     lambda x, p, z, n, m: mpmath.sign(x) + mpmath.floor(3 * x) + mpmath.ceil(x)),
    (sp.Min(x, p) + sp.Max(x, p, 1), lambda x, p, z, n, m: min(x, p) + max(x, p, 1)),
    (sp.exp(sp.I * x * p) / (1 + z**2), lambda x, p, z, n, m: mpmath.expj(x * p) / (1 + z**2)),
]

POINTS = [  # x, p, z, n, m: includes x = 0 (Heaviside), x < 0 (branch cuts), |x| > 1
    (0.0, 0.7, 0.3 - 0.4j, 2, 2),
    (-1.3, 1.9, -1.5 + 0.2j, 0, 1),
    (0.45, 0.05, 2.5 + 3.0j, 3, -1),
    (1.7, 7.5, -0.1 - 2.2j, -2, -2),
    (-0.2, 3.3, 4.0 + 0.0j, 1, 1),
]


@pytest.fixture(scope="module")
def functions():
    return compile_array([expr for expr, _ in CASES], ARGS, name="functions")


def test_every_function_matches_mpmath(functions):
    assert functions.dtype == np.complex128 and functions.shape == (len(CASES),)
    assert functions.max_rel_error < 1e-12
    for point in POINTS:
        got = functions(*point)
        with mpmath.workdps(30):
            exact = [complex(ref(mpmath.mpf(point[0]), mpmath.mpf(point[1]), mpmath.mpc(point[2]),
                                 point[3], point[4])) for _, ref in CASES]
        for (expr, _), ours, ref in zip(CASES, got, exact, strict=True):
            # relative 1e-12; the absolute floor covers values near a zero of an O(1) function
            assert abs(ours - ref) <= 1e-12 * abs(ref) + 1e-15, (expr, point, ours, ref)


def test_bessel_of_real_argument_is_a_real_kernel():
    kernel = compile_array([sp.besselj(0, x), sp.besselj(2, x) * sp.bessely(0, p)], [x, p], name="j0")
    assert kernel.dtype == np.float64
    assert "besselj_real" in kernel.source and "besselj_complex" not in kernel.source
    with mpmath.workdps(30):
        assert kernel(-2.5, 0.9)[1] == pytest.approx(float(mpmath.besselj(2, -2.5) * mpmath.bessely(0, 0.9)),
                                                     rel=1e-13)


def test_complex_divide_is_accurate_over_the_whole_range_and_total():
    from numba import njit

    from qderive.codegen.special import complex_divide

    divide = njit(error_model="numpy")(lambda a, b: complex_divide(a, b))  # as in kernels
    rng = np.random.default_rng(5)
    for _ in range(300):
        scale_a, scale_b = 10.0 ** rng.uniform(-250, 250, 2)
        a = complex(*rng.normal(size=2)) * scale_a
        b = complex(*rng.normal(size=2)) * scale_b
        with mpmath.workdps(30):
            exact = complex(mpmath.mpc(a) / mpmath.mpc(b))
        if exact == 0 or not np.isfinite(exact) or abs(exact) < 1e-290:
            continue  # the quotient itself under/overflows double precision
        assert abs(divide(a, b) - exact) <= 4e-16 * abs(exact)
        assert abs(divide(a.real, b) - complex(mpmath.mpf(a.real) / mpmath.mpc(b))) <= 4e-16 * abs(a.real / b)
    assert np.isnan(divide(1.0 + 1j, 0j))  # a pole gives nan, never ZeroDivisionError
