"""Source emission: argument handling, readability, and cost on large expressions."""

from __future__ import annotations

import time

import pytest
import sympy as sp

from qderive.codegen.emit import MAX_COMMENT_CHARS, emit_array_module, emit_scalar_module, identifier, prepare_arguments
from qderive.codegen.errors import InvalidArgumentsError, MissingArgumentError

x, y = sp.symbols("x y", real=True)


def emit(expr, args, **kw):
    return emit_scalar_module(expr, args, name=kw.pop("name", "f"), dtype=None, parallel=False,
                              cache_key="KEY", versions="VERSIONS", **kw)


def test_identifiers_are_readable_and_unique():
    taken: set[str] = set()
    names = [identifier(n, taken) for n in ["\\kappa_{a}", "κ", "Δ", "2x", "lambda", "out", "x", "x"]]
    assert names == ["kappa_a", "kappa", "Delta", "a_2x", "lambda_", "out_", "x", "x_2"]


def test_missing_argument_names_the_symbol():
    g = sp.Symbol("g")
    with pytest.raises(MissingArgumentError, match=r"free symbol\(s\) g .*add them to args"):
        prepare_arguments([x], [x * g], set())


@pytest.mark.parametrize("args, message", [([x, x], "more than once"), ([x, 2], "not a sympy Symbol")])
def test_malformed_argument_lists(args, message):
    with pytest.raises(InvalidArgumentsError, match=message):
        prepare_arguments(args, [x], set())


def test_argument_dtypes_follow_assumptions():
    plain, z = sp.Symbol("a"), sp.Symbol("z", complex=True)
    arguments = prepare_arguments([plain, z, x], [plain + z + x], set())
    assert [a.dtype for a in arguments] == ["float64", "complex128", "float64"]
    assert arguments[0].local.is_real  # unassumed symbols are real arguments


def test_source_is_readable_python():
    kappa = sp.Symbol("\\kappa", positive=True)
    expr = sp.exp(-kappa * x) / (x**2 + kappa**2) + sp.exp(-kappa * x) * x
    module = emit(expr, [x, kappa], name="decay rate")
    src = module.source
    compile(src, "<generated>", "exec")
    assert "# Scalar kernel `decay_rate`" in src
    assert "#     kappa: float64 <- \\kappa" in src
    expression = src.split("# Expression (SymPy):")[1].split("import")[0]
    assert "exp(" in expression and "\\kappa" in expression  # the originating expression
    assert "def decay_rate(x, kappa):" in src and "def decay_rate_loop(x, kappa, out):" in src
    assert src.count("np.exp(") == 1  # CSE: the exponential is computed once
    assert module.dtype == "float64"


def test_long_expression_is_truncated_in_the_comment():
    big = sp.Add(*[sp.exp(k * x) / (k + 1) for k in range(400)])
    module = emit(big, [x])
    assert "[truncated:" in module.source and "kernel's .expr attribute" in module.source
    comment = [line for line in module.source.splitlines() if line.startswith("#     ")]
    assert MAX_COMMENT_CHARS < sum(len(line) for line in comment) < MAX_COMMENT_CHARS + 500


def test_array_module_assigns_zeros_once():
    m = sp.Matrix([[x, 0, 0], [0, y, 0], [0, 0, x * y]])
    module = emit_array_module(list(m), (3, 3), [x, y], name="M", dtype=None, cache_key="K",
                               versions="V", expression_text=str(m))
    assert "out[:] = 0  # 6 of 9 entries are identically zero" in module.source
    assert "out[2, 2] = x*y" in module.source
    assert module.output_entries == (0, 4, 8)


def _large_expression(n_terms: int):
    """A sum of products of powers, with exponentials and rational functions: count_ops grows
    linearly in n_terms, with shared subexpressions for CSE to find."""
    s = sp.symbols("s0:8", real=True)
    terms = []
    for k in range(n_terms):
        a, b, c = s[k % 8], s[(3 * k + 1) % 8], s[(5 * k + 2) % 8]
        terms.append(a ** (k % 4 + 1) * b * sp.exp(-(a - b) ** 2 / (k + 1)) / (1 + c**2 + k)
                     + sp.sqrt(1 + c**2 + k) * a * b ** (k % 3 + 2) / (k + 2))
    return sp.Add(*terms), list(s)


def test_emission_scales_linearly_on_ten_thousand_operations():
    small, args = _large_expression(60)
    large, _ = _large_expression(600)
    assert sp.count_ops(large) >= 10_000
    start = time.perf_counter()
    emit(small, args)
    t_small = time.perf_counter() - start
    start = time.perf_counter()
    module = emit(large, args)
    t_large = time.perf_counter() - start
    assert t_large < 30  # seconds; about 2-5 s on the 2-core reference machine
    assert t_large < 40 * max(t_small, 0.05)  # 10x the size: no super-linear blow-up
    compile(module.source, "<large>", "exec")
