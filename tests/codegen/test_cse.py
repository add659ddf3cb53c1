"""SymEngine's CSE handed back as SymPy, and the reference that does not trust it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from qderive.codegen.check import make_plan, reference_sample, sample_points
from qderive.codegen.cse import eliminate_common
from qderive.codegen.emit import emit_scalar_module

x, y = sp.symbols("x y", real=True)
g, k = sp.symbols("g kappa", positive=True)
z = sp.Symbol("z", complex=True)

CASES = [
    (x + y) ** 2 + sp.sin(x + y) / (x + y) + sp.exp(-(x + y)) * x * y,
    sp.expand((g + k * x - sp.I * y) ** 4) / (1 + sp.expand((g - sp.I * k) ** 3)),
    sp.Piecewise((x * y + 1, x * y > 0), (sp.cos(x * y), True)) + sp.Max(0, x * y - g),
    sp.sqrt(g * k + g**2) * (g * k + g**2) ** 2 - sp.log(g * k + g**2) + sp.besselj(1, x * y) * x * y,
    sp.conjugate(z + x) * (z + x) + sp.Abs(z + x) ** 3 - sp.re(z) * sp.im(z) * sp.exp(z + x),
]


def _substituted(replacements, reduced):
    """The reduced expressions with every temporary replaced by its value (newest first)."""
    exprs = list(reduced)
    for temporary, value in reversed(replacements):
        exprs = [e.xreplace({temporary: value}) for e in exprs]
    return exprs


@pytest.mark.parametrize("expr", CASES)
def test_cse_keeps_the_values_and_the_symbols(expr):
    temporaries = iter(sp.symbols("t0:400"))
    replacements, reduced = eliminate_common([expr], temporaries)
    assert replacements, "every case shares a subexpression"
    for symbol in expr.free_symbols:  # the caller's symbols come back, assumptions included
        assert symbol in set().union(reduced[0].free_symbols, *(v.free_symbols for _, v in replacements))
    args = sorted(expr.free_symbols, key=str)
    original = sp.lambdify(args, expr, modules=["scipy", "numpy"])
    rebuilt = sp.lambdify(args, _substituted(replacements, reduced)[0], modules=["scipy", "numpy"])
    rng = np.random.default_rng(3)
    for _ in range(5):
        point = [complex(*rng.uniform(-2, 2, 2)) if s.is_real is not True else
                 (rng.uniform(0.5, 2) if s.is_positive else rng.uniform(-2, 2)) for s in args]
        want = complex(original(*point))
        assert abs(complex(rebuilt(*point)) - want) <= 1e-12 * abs(want)


def test_several_expressions_share_temporaries():
    first, second = (x + y) ** 2 * g, sp.exp(x + y) * g
    replacements, reduced = eliminate_common([first, second], iter(sp.symbols("t0:9")))
    shared = {t for t, _ in replacements}
    assert reduced[0].free_symbols & shared and reduced[1].free_symbols & shared
    differences = [e - r for e, r in zip([first, second], _substituted(replacements, reduced), strict=True)]
    assert [sp.simplify(d) for d in differences] == [0, 0]


def test_temporary_under_a_square_root_keeps_its_sign():
    # x0 = g*kappa + g**2 is positive: its square root stays real (no complex promotion)
    src = emit_scalar_module(sp.sqrt(g * k + g**2) + (g * k + g**2) ** 3, [g, k], name="f", dtype=None,
                             parallel=False, cache_key="K", versions="V").source
    assert "np.sqrt(x" in src and "complex(" not in src
    # a temporary of unknown sign is promoted
    src = emit_scalar_module(sp.sqrt(x * y + x) + (x * y + x) ** 3, [x, y], name="f", dtype=None,
                             parallel=False, cache_key="K", versions="V").source
    assert "np.sqrt(complex(x" in src


def test_reference_evaluates_the_whole_tree_at_one_point():
    """A CSE that changed the value would be caught: the first reference point comes from
    the expression before CSE, the others from the CSE'd statements."""
    expr = (x + y) ** 3 * sp.exp(x + y) + x * y * (x + y)
    module = emit_scalar_module(expr, [x, y], name="f", dtype=None, parallel=False, cache_key="K", versions="V")
    lowered = module.lowered
    (temporary, value), *rest = lowered.replacements
    broken = dataclasses.replace(lowered, replacements=[(temporary, 2 * value), *rest])
    points = sample_points(module.arguments, make_plan(module.arguments, None, 4, 0))
    sample = reference_sample(module.arguments, broken, 1, (0,), points)
    exact = sp.lambdify([x, y], expr)
    truth = np.array([exact(*p) for p in points.real])
    assert abs(sample.reference[0, 0] - truth[0]) <= 1e-14 * abs(truth[0])  # whole tree: right
    assert np.all(np.abs(sample.reference[1:, 0] - truth[1:]) > 1e-3 * np.abs(truth[1:]))  # CSE'd: broken
    good = reference_sample(module.arguments, lowered, 1, (0,), points)
    assert np.allclose(good.reference[:, 0], truth, rtol=1e-14, atol=0)


@pytest.mark.parametrize("power", [sp.Rational(1, 2), sp.Rational(-1, 3), sp.Rational(3, 2)])
def test_fractional_powers_of_reciprocals_keep_the_principal_branch(power, tmp_path):
    """SymEngine would turn (1/(y - x))**q into (y - x)**(-q): the conjugate where y < x."""
    from qderive.codegen import compile_expr

    expr = (1 / (y - x)) ** power * sp.sqrt(g)
    kernel = compile_expr(expr, [x, y, g], dtype=complex, cache_dir=tmp_path, domains={x: (1.0, 2.0), y: (0.0, 0.9)})
    value = complex(kernel(1.8, 0.7, 2.0))
    assert value == pytest.approx(complex((1 / (0.7 - 1.8)) ** complex(power)) * 2.0**0.5, rel=1e-13)
