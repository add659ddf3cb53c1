"""Large real rational kernels lowered by SymEngine alone (qderive.codegen.rational_body)."""

from __future__ import annotations

import dataclasses

import mpmath
import numpy as np
import pytest
import symengine as se
import sympy as sp

from qderive.codegen import KernelCheckError, compile_expr, rational_body
from qderive.codegen import emit as emit_module
from qderive.codegen.check import _symengine_values


def _chain_efficiency():
    """|t|^2 of a 3-mode chain, denominator expanded: a real rational function (~200 operations)."""
    w, da, db = sp.symbols("omega Delta_a Delta_b", real=True)
    ka, kb, g = sp.symbols("kappa_a kappa_b g", positive=True)
    d = sp.expand((ka / 2 - sp.I * (w + da)) * (kb / 2 - sp.I * (w + db)) + g**2)
    d_re, d_im = d.as_real_imag()
    return ka * kb * g**2 / (d_re**2 + d_im**2), [w, da, db, ka, kb, g]


def _points(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(-2, 2, (n, 3)), rng.uniform(0.5, 2, (n, 3))])


def _mpmath_values(expr, args, points) -> np.ndarray:
    reference = sp.lambdify(args, expr, modules="mpmath")
    with mpmath.workdps(30):
        return np.array([float(reference(*map(mpmath.mpf, p))) for p in points])


@pytest.fixture
def general_path_calls(monkeypatch):
    """Lower the LLVM-body threshold and count the general (SymPy) lowerings."""
    monkeypatch.setattr(emit_module, "LLVM_BODY_MIN_OPERATIONS", 10)
    calls = []
    general = emit_module.lower
    monkeypatch.setattr(emit_module, "lower", lambda *a, **k: calls.append(a) or general(*a, **k))
    return calls


def test_rational_kernel_is_lowered_by_symengine_and_agrees_with_mpmath(general_path_calls, tmp_path):
    expr, args = _chain_efficiency()
    kernel = compile_expr(expr, args, cache_dir=tmp_path, name="chain")
    assert not general_path_calls and "straight_line(" in kernel.source
    assert kernel.check.passed and kernel.check.max_rel_error < 1e-13  # against the MPFR reference
    points = _points(40, 5)
    values = kernel(*points.T)
    exact = _mpmath_values(expr, args, points)
    assert np.max(np.abs(values - exact) / np.abs(exact)) < 1e-13


@pytest.mark.parametrize("make", [
    lambda x, y: x**3 / 10 + 0.1 * y,  # a float constant (SymEngine prints 15 digits)
    lambda x, y: x**3 + y / 10**20,  # an integer beyond 2^53
    lambda x, y: x**3 + sp.sin(y),  # a function
])
def test_what_symengine_would_print_inexactly_takes_the_general_path(general_path_calls, monkeypatch, tmp_path,
                                                                     make):
    """Declined before SymEngine's CSE, which the general path runs once."""
    cse_calls = []
    cse = se.cse
    monkeypatch.setattr(se, "cse", lambda *a: cse_calls.append(a) or cse(*a))
    x, y = sp.symbols("x y", real=True)
    expr = sum(make(x, y) ** k / (1 + x**2 + k * y**2) for k in range(1, 6))  # above the lowered threshold
    kernel = compile_expr(expr, [x, y], cache_dir=tmp_path)
    assert len(general_path_calls) == 1 and len(cse_calls) == 1 and kernel.check.passed
    points = np.random.default_rng(2).uniform(-1, 1, (20, 2))
    exact = _mpmath_values(expr, [x, y], points)
    assert np.max(np.abs(kernel(*points.T) - exact) / np.abs(exact)) < 1e-12


def _lowered_with(monkeypatch, change):
    """Make lower_rational's result pass through ``change`` (a fault injected after lowering)."""
    lower = rational_body.lower_rational
    monkeypatch.setattr(emit_module, "lower_rational", lambda *a: change(lower(*a)))


def test_the_reference_is_not_the_printed_statements(general_path_calls, monkeypatch, tmp_path):
    """A coefficient changed in the statements only: the MPFR reference of the SymEngine form
    disagrees and the build fails."""
    def wrong_statement(body):
        name, value = body.assignments[0]
        assignments = [(name, f"{value} + 1e-6")] + body.assignments[1:]
        text = "\n".join([f"{n} = {v}" for n, v in assignments] + [f"return {body.output}"])
        program = rational_body.parse_body(body.program.parameters, text)
        return dataclasses.replace(body, assignments=assignments, program=program)

    _lowered_with(monkeypatch, wrong_statement)
    expr, args = _chain_efficiency()
    with pytest.raises(KernelCheckError, match="30-digit reference"):
        compile_expr(expr, args, cache_dir=tmp_path)


def test_a_wrong_symengine_form_is_caught_by_the_sympy_tree(general_path_calls, monkeypatch, tmp_path):
    """Statements and SymEngine form wrong alike (as a faulty conversion would make them): the
    whole SymPy tree evaluated at the first point disagrees."""
    def scaled(body):
        return dataclasses.replace(body, output=f"(1 + 1e-6)*({body.output})",
                                   form=body.form * se.Rational(1000001, 1000000),
                                   program=rational_body.parse_body(
                                       body.program.parameters,
                                       body.program.statements.replace("return ", "return (1 + 1e-6)*(", 1) + ")"))

    _lowered_with(monkeypatch, scaled)
    expr, args = _chain_efficiency()
    with pytest.raises(KernelCheckError, match="30-digit reference"):
        compile_expr(expr, args, cache_dir=tmp_path)


def test_symengine_values_at_a_pole_and_exact_inputs():
    x, y = se.symbols("x y")
    with mpmath.workdps(30):
        (pole,) = _symengine_values([1 / (x - y)], ["x", "y"], mpmath.mpf(0.5), mpmath.mpf(0.5))
        (tiny,) = _symengine_values([x - se.Rational(1, 10)], ["x"], mpmath.mpf(0.1))
    assert mpmath.isinf(pole)
    assert float(tiny) == pytest.approx(5.551115123125783e-18, rel=1e-15)  # the double 0.1 exactly, not 1/10
