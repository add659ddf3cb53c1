"""Fault injection, generated source: no symbol name ever becomes code (issue 13, item 1).

Each hostile name would create a marker file if any part of it ran as Python: after a
newline or carriage return (ending the header comment), after a closing triple quote
(ending a docstring), after Unicode line and paragraph separators, form feeds and NEL.
The kernel is built, then loaded from the cache in a fresh process; the marker must
never appear, and the kernel must still compute the expression.
"""

from __future__ import annotations

import ast
import json

import numpy as np
import pytest
import sympy as sp

from qderive.codegen import compile_expr, forget_loaded_kernels


def hostile_names(marker):
    payload = f"open({str(marker)!r}, 'w').close()"
    return [
        f"a\n{payload}\n#",
        f"b\r{payload}\r#",
        f'c"""\n{payload}\n"""',
        f"d'''\r\n{payload}\r\n'''",
        f"e\u2028{payload}\u2029#",
        f"f\x0c\x85{payload}",
    ]


def build(names, cache_dir=None):
    symbols = [sp.Symbol(name, real=True) for name in names]
    expr = sum((k + 1) * s for k, s in enumerate(symbols)) + sp.exp(-symbols[0] ** 2)
    return compile_expr(expr, symbols, name=names[2], cache_dir=cache_dir)


LOAD_SCRIPT = """
import json
import sympy as sp
from qderive.codegen import compile_expr
names = json.loads({names!r})
symbols = [sp.Symbol(name, real=True) for name in names]
expr = sum((k + 1) * s for k, s in enumerate(symbols)) + sp.exp(-symbols[0] ** 2)
kernel = compile_expr(expr, symbols, name=names[2])
point = {point!r}
print(json.dumps({{"from_cache": kernel.from_cache, "value": float(kernel(*point)),
                  "scalar": kernel.scalar(*point)}}))
"""
POINT = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5]


def expected(point):
    return sum((k + 1) * v for k, v in enumerate(point)) + np.exp(-point[0] ** 2)


def test_hostile_symbol_names_stay_inert(tmp_path, run_python):
    marker = tmp_path / "PWNED"
    cache = tmp_path / "cache"
    names = hostile_names(marker)
    forget_loaded_kernels()
    kernel = build(names, cache)
    assert not marker.exists()
    assert kernel(*POINT) == pytest.approx(expected(POINT), rel=1e-15)
    # the module holds imports, functions and the signature table, nothing else
    statements = ast.parse(kernel.source).body
    assert {type(s) for s in statements} <= {ast.Import, ast.ImportFrom, ast.FunctionDef, ast.Assign}
    assert all(line.isprintable() for line in kernel.source.splitlines())
    loaded = run_python(LOAD_SCRIPT.format(names=json.dumps(names), point=POINT), cache)
    assert loaded["from_cache"]
    assert not marker.exists()
    assert loaded["value"] == loaded["scalar"] == pytest.approx(expected(POINT), rel=1e-15)
    manifest = json.loads((cache / f"{kernel.cache_key}.json").read_text())
    assert manifest["source_file"] == kernel.source_path.name and kernel.source_path.name.isascii()


def test_nul_and_surrogate_names_compile(tmp_path):
    x, y = sp.Symbol("x\x00y", real=True), sp.Symbol("\ud800", positive=True)
    kernel = compile_expr(x * y + sp.sqrt(y), [x, y], cache_dir=tmp_path)
    assert kernel(3.0, 4.0) == 14.0
    assert "x\\x00y" in kernel.source and "\\ud800" in kernel.source


def test_string_expressions_are_refused_not_evaluated(tmp_path):
    marker = tmp_path / "PWNED"
    x = sp.Symbol("x")
    with pytest.raises(ValueError, match="not a string"):
        compile_expr(f"open({str(marker)!r}, 'w').close() or x", [x], cache_dir=tmp_path)
    assert not marker.exists()
