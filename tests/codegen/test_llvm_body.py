"""Large real kernels built through LLVM directly (qderive.codegen.llvm_body)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from numba import njit
from numba.core.errors import TypingError

from qderive.codegen import CodegenError, compile_expr, forget_loaded_kernels
from qderive.codegen import emit as emit_module
from qderive.codegen.llvm_body import operation_count, straight_line


def _chain_efficiency():
    """|t|^2 of a 3-mode chain with the denominator expanded (~200 real operations)."""
    w, da, db = sp.symbols("omega Delta_a Delta_b", real=True)
    ka, kb, g = sp.symbols("kappa_a kappa_b g", positive=True)
    d = sp.expand((ka / 2 - sp.I * (w + da)) * (kb / 2 - sp.I * (w + db)) + g**2)
    d_re, d_im = d.as_real_imag()
    return ka * kb * g**2 / (d_re**2 + d_im**2) + sp.sqrt(ka) * sp.exp(-w**2), [w, da, db, ka, kb, g]


def test_large_kernel_uses_llvm_body_and_agrees_with_mpmath(monkeypatch, tmp_path):
    """Lowering the size threshold routes a real kernel through the LLVM body; its values
    at new points agree with a 30-digit mpmath evaluation of the SymPy expression."""
    monkeypatch.setattr(emit_module, "LLVM_BODY_MIN_OPERATIONS", 10)
    expr, args = _chain_efficiency()
    kernel = compile_expr(expr, args, cache_dir=tmp_path, name="chain")
    assert "straight_line(" in kernel.source and kernel.dtype == np.float64
    reference = sp.lambdify(args, expr, modules="mpmath")
    rng = np.random.default_rng(5)
    points = np.column_stack([rng.uniform(-2, 2, (40, 3)), rng.uniform(0.5, 2, (40, 3))])
    values = kernel(*points.T)
    with mpmath.workdps(30):
        exact = np.array([float(reference(*map(mpmath.mpf, p))) for p in points])
    assert np.max(np.abs(values - exact) / np.abs(exact)) < 1e-13
    assert kernel.scalar(*points[3]) == values[3]

    scalar = kernel.scalar

    @njit
    def from_numba(p):  # the scalar entry point stays callable from @njit code
        return scalar(p[0], p[1], p[2], p[3], p[4], p[5])

    assert from_numba(points[7]) == values[7]
    forget_loaded_kernels()
    cached = compile_expr(expr, args, cache_dir=tmp_path, name="chain")
    assert cached.from_cache and np.array_equal(cached(*points.T), values)


def test_default_threshold_keeps_small_kernels_on_numba(tmp_path):
    expr, args = _chain_efficiency()
    assert "straight_line(" not in compile_expr(expr, args, cache_dir=tmp_path).source


def test_ieee_semantics_of_the_body():
    """Division by zero gives inf/nan as Numba's numpy error model; constants fold as Python's
    floats; integer powers, negative ones included, are exact for small integers."""
    body = straight_line(("x", "y"), "t = 1/2*x**3 - 3*y**-2\nreturn t")
    ratio = straight_line(("x", "y"), "return x/y")
    zero_power = straight_line(("x",), "return x**0 + np.sqrt(x) + np.abs(-x)")

    @njit
    def run(x, y):
        return body(x, y), ratio(x, y), zero_power(x)

    t, r, z = run(2.0, 4.0)
    assert t == 0.5 * 8 - 3 / 16 and r == 0.5 and z == 1 + math.sqrt(2) + 2
    assert run(1.0, 0.0)[1] == math.inf and run(-1.0, 0.0)[1] == -math.inf and math.isnan(run(0.0, 0.0)[1])
    folded = straight_line(("x",), "return x + 1/0")

    @njit
    def run_folded(x):
        return folded(x)

    assert run_folded(1.0) == math.inf


@pytest.mark.parametrize("statements", [
    "return __import__('os').system('true')",  # parsed, never executed: any other call is refused
    "return x.real",
    "return x**0.5",
    "y = x\nreturn z",
    "x[0] = 1\nreturn x",
    "return 'text'",
    "import os\nreturn x",
    "t = x",
])
def test_outside_the_subset_is_refused(statements):
    assert operation_count(("x",), statements) is None
    body = straight_line(("x",), statements)  # parsed when Numba compiles a call

    @njit
    def call(x):
        return body(x)

    with pytest.raises(Exception, match="straight-line body") as raised:
        call(1.0)
    assert isinstance(raised.value, (CodegenError, TypingError))


def test_complex_kernels_stay_on_numba(monkeypatch, tmp_path):
    monkeypatch.setattr(emit_module, "LLVM_BODY_MIN_OPERATIONS", 1)
    x = sp.Symbol("x", real=True)
    kernel = compile_expr(sp.sqrt(x) + x**3, [x], cache_dir=tmp_path)  # sqrt of a real x: complex
    assert "straight_line(" not in kernel.source
    assert kernel(-4.0) == pytest.approx(2j - 64, rel=1e-15)
