"""Max, Min, comparisons and Piecewise conditions with operands computed in complex
arithmetic (issue 13, item 3b), and the one error family of codegen.

The expression is engine004's steady-state concurrence ``C_ss`` exactly as
``qderive derive engine004 --json`` prints it: the ``sqrt`` of a product SymPy cannot prove
nonnegative is promoted to complex, which used to make Numba fail on ``Max``.  References
are SymPy's own 30-digit ``evalf`` (independent of our printer and of lambdify) and hand
values of the elementary cases.
"""

from __future__ import annotations

import cmath

import numpy as np
import pytest
import sympy as sp

from qderive.codegen import CodegenError, KernelCallError, compile_array, compile_expr

# `qderive derive engine004 --json`, results.C_ss.expr (symbols g, Gamma1 positive; pL, pR real)
C_SS = (
    "2*Max(0, Gamma1*g*Abs(pL - pR)/(2*(Gamma1**2 + 4*g**2)) - sqrt((Gamma1**2*pL*pR - Gamma1**2*pL"
    " - Gamma1**2*pR + Gamma1**2 + g**2*pL**2 + 2*g**2*pL*pR - 4*g**2*pL + g**2*pR**2 - 4*g**2*pR"
    " + 4*g**2)*(Gamma1**2*pL*pR + Gamma1**2*pL + Gamma1**2*pR + Gamma1**2 + g**2*pL**2"
    " + 2*g**2*pL*pR + 4*g**2*pL + g**2*pR**2 + 4*g**2*pR + 4*g**2))/(4*(Gamma1**2 + 4*g**2)))"
)


def concurrence(assumptions: bool):
    if assumptions:
        g, gamma1 = sp.symbols("g Gamma1", positive=True)
        p_l, p_r = sp.symbols("pL pR", real=True)
    else:
        g, gamma1, p_l, p_r = sp.symbols("g Gamma1 pL pR")
    args = [g, gamma1, p_l, p_r]
    return sp.sympify(C_SS, locals={s.name: s for s in args}), args


def physical_points(n, seed=11):
    """``(g, Gamma1, pL, pR)`` rows; every other one near the source's working point (weak
    coupling g < 0.45 Gamma1, hot bath unpolarised, cold bath strongly polarised: entangled)."""
    rng = np.random.default_rng(seed)
    gamma1 = rng.uniform(0.05, 3, n)
    near = np.arange(n) % 2 == 0
    g = np.where(near, rng.uniform(0.1, 0.45, n) * gamma1, rng.uniform(0.05, 3, n))
    p_l = np.where(near, rng.uniform(-0.1, 0.1, n), rng.uniform(-1, 1, n))
    p_r = np.where(near, rng.uniform(0.95, 1, n), rng.uniform(-1, 1, n))
    return np.column_stack([g, gamma1, p_l, p_r])


@pytest.mark.parametrize("assumptions, dtype", [(True, None), (False, None), (True, np.float64)])
def test_engine004_concurrence_compiles_and_is_exact(tmp_path, assumptions, dtype):
    expr, args = concurrence(assumptions)
    kernel = compile_expr(expr, args, dtype=dtype, name="C_ss", cache_dir=tmp_path,
                          domains={args[2]: (-1, 1), args[3]: (-1, 1)})
    assert kernel.dtype == np.float64 and kernel.check.passed
    points = physical_points(16)
    values = kernel(*points.T)
    for point, ours in zip(points, values, strict=True):
        exact = float(expr.evalf(30, subs=dict(zip(args, point, strict=True))))
        assert abs(ours - exact) <= 1e-12 * abs(exact) + 1e-15, (point, ours, exact)
        assert kernel.scalar(*point) == pytest.approx(ours, rel=1e-14, abs=1e-16)
    assert np.count_nonzero(values[::2]) >= 3 and np.count_nonzero(values) < len(values)  # both branches
    # equal polarisations: |pL - pR| = 0, so C_ss = 2 max(0, -sqrt(...)) = 0 exactly
    assert kernel(1.0, 2.0, 0.3, 0.3) == 0.0


def test_engine004_concurrence_is_nan_where_undefined(tmp_path):
    expr, args = concurrence(True)
    kernel = compile_expr(expr, args, name="C_ss", cache_dir=tmp_path)
    outside = dict(zip(args, (0.5, 2.0, 3.0, 0.5), strict=True))  # pL = 3: the sqrt argument is negative
    with pytest.raises((TypeError, ValueError)):  # SymPy cannot compare the complex operand either
        float(expr.subs(outside))
    assert np.isnan(kernel(*outside.values())) and np.isnan(kernel.scalar(*outside.values()))


def test_orderings_of_promoted_operands(tmp_path):
    x = sp.Symbol("x", real=True)
    root = sp.sqrt(x)  # complex arithmetic: SymPy cannot prove x >= 0
    exprs = [sp.Min(1, root), sp.Max(root, 2 * root - 1), sp.Piecewise((1, root - 1 > 0), (0, True)),
             sp.Heaviside(root - 1)]
    kernel = compile_array(exprs, [x], cache_dir=tmp_path, domains={x: (0, 4)})
    assert kernel.dtype == np.float64
    for xv in (0.25, 1.0, 2.25, 3.5):
        r = np.sqrt(xv)
        expected = [min(1, r), max(r, 2 * r - 1), 1.0 if r > 1 else 0.0, 1.0 if r > 1 else (0.5 if r == 1 else 0.0)]
        assert kernel(xv).tolist() == pytest.approx(expected, rel=1e-15)
    assert np.isnan(kernel(-1.0)).all()  # sqrt(-1) = i: none of them is defined


def test_complex_intermediates_with_a_real_operand(tmp_path):
    """sqrt(x) sqrt(x - 1) is real for x < 0 (i * i = -1) although each factor is not: the
    real-arithmetic fast path gives nan there and the complex computation must take over."""
    x = sp.Symbol("x", real=True)
    kernel = compile_expr(sp.Max(0, sp.sqrt(x) * sp.sqrt(x - 1) + 1), [x], cache_dir=tmp_path,
                          domains={x: (-3, 3)}, n_points=32)
    for xv in (-2.5, -0.2, 0.0, 0.5, 1.0, 2.0):
        operand = cmath.sqrt(xv) * cmath.sqrt(xv - 1) + 1
        expected = max(0.0, operand.real) if abs(operand.imag) <= 1e-10 * abs(operand.real) else np.nan
        assert kernel(xv) == pytest.approx(expected, rel=1e-14, nan_ok=True), xv
        assert kernel.scalar(xv) == pytest.approx(expected, rel=1e-14, nan_ok=True), xv


def test_complex_operand_everywhere_is_a_build_error(tmp_path):
    z = sp.Symbol("z", complex=True)
    with pytest.raises(CodegenError, match=r"operand of Max/Min.*re\(\)/Abs\(\)"):
        compile_expr(sp.Max(0, z), [z], cache_dir=tmp_path)
    kernel = compile_expr(sp.Max(0, sp.re(z)), [z], cache_dir=tmp_path)  # the fix the message names
    assert kernel(-1 + 2j) == 0.0 and kernel(1.5 - 1j) == 1.5


x = sp.Symbol("x", real=True)


@pytest.mark.parametrize("call, message", [
    (lambda d: compile_expr(x, [x], dtype="int32", cache_dir=d), "dtype must be"),
    (lambda d: compile_expr(x, [x], dtype="no such type", cache_dir=d), "dtype must be"),
    (lambda d: compile_expr(x, [x], rtol=float("nan"), cache_dir=d), "rtol must be"),
    (lambda d: compile_expr(x, [x], atol=-1.0, cache_dir=d), "atol must be"),
    (lambda d: compile_expr(x, [x], n_points="16", cache_dir=d), "n_points must be"),
    (lambda d: compile_expr(x, [x], domains={x: 5}, cache_dir=d), "domain of x"),
    (lambda d: compile_expr(x, 5, cache_dir=d), "sequence of symbols"),
    (lambda d: compile_expr(x, [x], name=3, cache_dir=d), "name must be"),
    (lambda d: compile_expr(x * sp.Integer(10) ** 400, [x], cache_dir=d), "could not be generated"),
    (lambda d: compile_array([[x], [x, x]], [x], cache_dir=d), "cannot read the array"),
])
def test_every_error_is_a_codegen_error(tmp_path, call, message):
    with pytest.raises(CodegenError, match=message):
        call(tmp_path)


def test_call_errors_are_codegen_errors(tmp_path):
    kernel = compile_expr(x**2, [x], cache_dir=tmp_path)
    for bad in (lambda: kernel(1.0, 2.0), lambda: kernel(1j), lambda: kernel("a"),
                lambda: kernel(np.ones(3), out=np.empty(2))):
        with pytest.raises(KernelCallError):
            bad()
    assert issubclass(KernelCallError, TypeError)  # as before: a wrong call is a TypeError too
