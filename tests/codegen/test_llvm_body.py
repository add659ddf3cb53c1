"""Large real kernels built through LLVM directly (qderive.codegen.llvm_body)."""

from __future__ import annotations

import gc
import json
import math
import re

import mpmath
import numpy as np
import pytest
import sympy as sp
from numba import njit
from numba.core.errors import TypingError

from qderive.codegen import CodegenError, compile_expr, forget_loaded_kernels, llvm_body
from qderive.codegen import emit as emit_module
from qderive.codegen.cache import sha256_text
from qderive.codegen.llvm_body import BodyLoop, body_address, operation_count, parse_body, straight_line


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


def test_large_kernel_compiles_its_body_once(monkeypatch, tmp_path):
    """The body is one LLVM function in the scalar kernel, which is the module's only compiled
    function; the loop over points is compiled beside it, so loop and scalar agree bit for bit,
    and both agree with 30-digit mpmath at new points."""
    monkeypatch.setattr(emit_module, "LLVM_BODY_MIN_OPERATIONS", 10)
    expr, args = _chain_efficiency()
    kernel = compile_expr(expr, args, cache_dir=tmp_path, name="chain")
    assert isinstance(kernel.loop, BodyLoop) and list(kernel._module.SIGNATURES) == ["chain"]
    (llvm_ir,) = kernel.scalar.inspect_llvm().values()
    assert len(re.findall(r"^define .*straight_line_body", llvm_ir, flags=re.MULTILINE)) == 2  # body, its loop
    rng = np.random.default_rng(11)
    points = np.column_stack([rng.uniform(-2, 2, (25, 3)), rng.uniform(0.5, 2, (25, 3))])
    values = kernel(*points.T)
    assert np.array_equal(values, [kernel.scalar(*p) for p in points])
    reference = sp.lambdify(args, expr, modules="mpmath")
    with mpmath.workdps(30):
        exact = np.array([float(reference(*map(mpmath.mpf, p))) for p in points])
    assert np.max(np.abs(values - exact) / np.abs(exact)) < 1e-13


def test_large_parallel_kernel_calls_the_same_body(monkeypatch, tmp_path):
    """The prange loop of a large kernel calls the scalar kernel's body by address: the same
    numbers as the serial loop (each point is the same function call)."""
    monkeypatch.setattr(emit_module, "LLVM_BODY_MIN_OPERATIONS", 10)
    expr, args = _chain_efficiency()
    kernel = compile_expr(expr, args, cache_dir=tmp_path, name="chain", parallel=True)
    columns = [np.linspace(-2, 2, 301)] + [np.linspace(0.5, 2, 301) + k for k in range(5)]
    serial, threaded = np.empty(301), np.empty(301)
    kernel.loop(*columns, serial)
    kernel.parallel_loop(*columns, threaded, body_address(kernel.scalar, kernel._module.chain_body))
    assert np.array_equal(serial, threaded)
    assert serial[17] == kernel.scalar(*(c[17] for c in columns))


def test_body_loop_refuses_arrays_it_cannot_read():
    """The loop reads raw memory: every array must be flat, contiguous float64 of one length."""
    body = straight_line(("x", "y"), "return x - y")

    @njit("float64(float64, float64)")
    def difference(x, y):
        return body(x, y)

    loop = BodyLoop(difference, body, 2)
    out = np.empty(4)
    loop(np.arange(4.0), np.ones(4), out)
    assert out.tolist() == [-1.0, 0.0, 1.0, 2.0]
    for bad in (np.arange(4), np.arange(8.0)[::2], np.arange(3.0), np.arange(4.0).reshape(2, 2)):
        with pytest.raises(CodegenError, match="flat, C-contiguous float64"):
            loop(bad, np.ones(4), out)
    with pytest.raises(CodegenError, match="2 argument array"):
        loop(np.ones(4), out)
    with pytest.raises(CodegenError, match="no compiled copy"):
        BodyLoop(difference, straight_line(("x", "y"), "return x + y"), 2)  # another body


@pytest.mark.parametrize("enabled", [True, False])
def test_cold_build_restores_the_garbage_collector(tmp_path, enabled):
    x = sp.Symbol("x", real=True)
    if not enabled:
        gc.disable()
    try:
        kernel = compile_expr(sp.cos(x) ** 3, [x], cache_dir=tmp_path, name=f"gc_{enabled}")
        assert gc.isenabled() is enabled and not kernel.from_cache
        assert kernel(0.5) == pytest.approx(math.cos(0.5) ** 3, rel=1e-15)
    finally:
        gc.enable()


LARGE_KERNEL_SCRIPT = """
import json
import numpy as np
import sympy as sp
from qderive.codegen import compile_expr, emit
emit.LLVM_BODY_MIN_OPERATIONS = 10  # the LLVM body for this small expression too
w, da, db = sp.symbols("omega Delta_a Delta_b", real=True)
ka, kb, g = sp.symbols("kappa_a kappa_b g", positive=True)
d = sp.expand((ka / 2 - sp.I * (w + da)) * (kb / 2 - sp.I * (w + db)) + g**2)
d_re, d_im = d.as_real_imag()
expr = ka * kb * g**2 / (d_re**2 + d_im**2) + sp.sqrt(ka) * sp.exp(-w**2)
k = compile_expr(expr, [w, da, db, ka, kb, g], name="chain")
values = k(np.linspace(-2, 2, 7), 0.3, -0.4, 1.1, 0.7, 1.3)
print(json.dumps({"from_cache": k.from_cache, "misses": sum(k.scalar.stats.cache_misses.values()),
                  "values": values.tolist()}))
"""


def test_fresh_process_runs_the_cached_body_and_loop(tmp_path, run_python):
    """A new process finds the body and its loop in the scalar kernel's cached machine code
    (nothing compiled) and gets the numbers of the first build, which agree with mpmath."""
    first = run_python(LARGE_KERNEL_SCRIPT, tmp_path)
    second = run_python(LARGE_KERNEL_SCRIPT, tmp_path)
    assert not first["from_cache"] and first["misses"] == 1
    assert second["from_cache"] and second["misses"] == 0 and second["values"] == first["values"]
    expr, args = _chain_efficiency()
    reference = sp.lambdify(args, expr, modules="mpmath")
    with mpmath.workdps(30):
        exact = [float(reference(mpmath.mpf(w), 0.3, -0.4, 1.1, 0.7, 1.3)) for w in np.linspace(-2, 2, 7)]
    np.testing.assert_allclose(second["values"], exact, rtol=1e-13)


def test_adopted_program_must_come_from_the_same_statements():
    """The emitter's parsed body is compiled instead of parsing again only for identical text."""
    body = straight_line(("x",), "t = x*x\nreturn t - 1")
    with pytest.raises(CodegenError, match="other statements"):
        body.adopt(parse_body(("x",), "t = x*x\nreturn t + 1"))
    with pytest.raises(CodegenError, match="other statements"):
        body.adopt(parse_body(("y",), "t = y*y\nreturn t - 1"))
    body.adopt(parse_body(("x",), "t = x*x\nreturn t - 1"))

    @njit("float64(float64)")
    def f(x):
        return body(x)

    assert f(3.0) == 3.0**2 - 1


def test_cold_build_parses_once_and_a_tampered_cached_body_is_refused(monkeypatch, tmp_path):
    """A cold build parses the body once (the emitter's check is what Numba compiles); a cached
    module whose body was rewritten, checksum included, and whose machine code is gone is
    parsed from its own text when Numba compiles it: the foreign statement is refused (never
    run) and the kernel is rebuilt, agreeing with mpmath."""
    monkeypatch.setattr(emit_module, "LLVM_BODY_MIN_OPERATIONS", 10)
    parsed = []

    def counting(parameters, statements):
        parsed.append(statements)
        return parse_body(parameters, statements)

    monkeypatch.setattr(emit_module, "parse_body", counting)
    monkeypatch.setattr(llvm_body, "parse_body", counting)
    expr, args = _chain_efficiency()
    kernel = compile_expr(expr, args, cache_dir=tmp_path, name="chain")
    assert "straight_line(" in kernel.source and len(parsed) == 1

    marker = tmp_path / "ran"
    source = kernel.source_path.read_text()
    tampered = re.sub(r"return ([^\\']*)'",  # still a valid module: the statement sits in a string literal
                      lambda found: f'return __import__("pathlib").Path("{marker}").touch() or {found[1]}\'',
                      source, count=1)
    assert tampered != source
    kernel.source_path.write_text(tampered)
    manifest_path = tmp_path / f"{kernel.cache_key}.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["source_sha256"] = sha256_text(tampered)
    manifest_path.write_text(json.dumps(manifest))
    for name in manifest["machine_code"]:
        (tmp_path / name).unlink()
    forget_loaded_kernels()
    parsed.clear()
    rebuilt = compile_expr(expr, args, cache_dir=tmp_path, name="chain")
    assert not rebuilt.from_cache and not marker.exists()
    assert len(parsed) == 2 and "__import__" in parsed[0]  # the tampered text, then the rebuild's own
    reference = sp.lambdify(args, expr, modules="mpmath")
    point = (0.4, 0.3, -0.4, 1.1, 0.7, 1.3)
    with mpmath.workdps(30):
        exact = float(reference(*map(mpmath.mpf, point)))
    assert math.isclose(rebuilt.scalar(*point), exact, rel_tol=1e-13)
