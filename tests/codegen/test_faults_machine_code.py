"""Fault injection, cached machine code (issue 13, item 2).

Every machine-code file a kernel can execute (the scalar kernel's and the vectorised
loop's) must be in the manifest and checked before Numba unpickles it; a damaged file is
recompiled from the verified source, never executed; the accuracy check runs every entry
point; and the manifest's paths are relative, so a moved cache still verifies.

The damage that matters is the quiet kind: one constant of the object code changed, so
the file still loads and computes a plausible wrong number.  The expression carries a
distinctive constant whose 8 bytes appear in each entry point's object code.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct

import numpy as np
import pytest
import sympy as sp

from qderive.codegen import compile_expr, forget_loaded_kernels

C = 0.123456789
x, y = sp.symbols("x y", real=True)
EXPR = sp.Float(C) * x + x * sp.exp(-y**2)
POINT = (1.5, 0.5)

SCRIPT = f"""
import json
import sympy as sp
from qderive.codegen import compile_expr
x, y = sp.symbols("x y", real=True)
kernel = compile_expr(sp.Float({C!r}) * x + x * sp.exp(-y**2), [x, y], name="machine")
point = {POINT!r}
print(json.dumps({{"from_cache": kernel.from_cache, "scalar": kernel.scalar(*point),
                  "loop": float(kernel(*point)),
                  "scalar_misses": sum(kernel.scalar.stats.cache_misses.values()),
                  "loop_misses": sum(kernel.loop.stats.cache_misses.values())}}))
"""


def expected(xv, yv):
    return C * xv + xv * np.exp(-yv**2)


def build(cache_dir):
    forget_loaded_kernels()
    kernel = compile_expr(EXPR, [x, y], name="machine", cache_dir=cache_dir)
    kernel.scalar(*POINT)  # (before the fix, this is when the scalar kernel got compiled and cached)
    return kernel


def machine_code(kernel, entry: str) -> list:
    function = kernel._names["scalar" if entry == "scalar" else "loop"]
    root = kernel.source_path.parent / "__pycache__"
    return sorted(root.glob(f"{kernel.source_path.stem}.{function}-*.nbc"))


def change_constant(path):
    raw = path.read_bytes()
    assert raw.count(struct.pack("<d", C)) == 1
    path.write_bytes(raw.replace(struct.pack("<d", C), struct.pack("<d", 0.5)))


@pytest.mark.parametrize("entry, damage", [("scalar", "constant"), ("loop", "constant"), ("scalar", "truncate")])
def test_damaged_machine_code_is_recompiled_not_executed(tmp_path, run_python, entry, damage):
    kernel = build(tmp_path)
    (data,) = machine_code(kernel, entry)
    if damage == "constant":
        change_constant(data)
    else:
        data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    loaded = run_python(SCRIPT, tmp_path)
    assert loaded["from_cache"]
    assert loaded["scalar"] == loaded["loop"] == pytest.approx(expected(*POINT), rel=1e-15)
    assert loaded[f"{entry}_misses"] == 1  # recompiled from the verified source
    assert loaded[f"{'loop' if entry == 'scalar' else 'scalar'}_misses"] == 0
    forget_loaded_kernels()  # the recompiled code was recorded: now a clean hit
    again = compile_expr(EXPR, [x, y], name="machine", cache_dir=tmp_path)
    assert again.from_cache and not again.scalar.stats.cache_misses and not again.loop.stats.cache_misses
    assert again.scalar(*POINT) == pytest.approx(expected(*POINT), rel=1e-15)


def test_check_runs_every_entry_point(tmp_path):
    """Wrong scalar machine code that the manifest vouches for (a consistent forgery) is
    caught by the accuracy check at load, and the kernel is rebuilt."""
    kernel = build(tmp_path)
    (data,) = machine_code(kernel, "scalar")
    change_constant(data)
    manifest_path = tmp_path / f"{kernel.cache_key}.json"
    manifest = json.loads(manifest_path.read_text())
    forged = f"__pycache__/{data.name}"
    assert forged in manifest["machine_code"]
    manifest["machine_code"][forged] = hashlib.sha256(data.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest))
    forget_loaded_kernels()
    rebuilt = compile_expr(EXPR, [x, y], name="machine", cache_dir=tmp_path)
    assert not rebuilt.from_cache
    assert rebuilt.scalar(*POINT) == pytest.approx(expected(*POINT), rel=1e-15)
    assert rebuilt.check.passed


def test_moved_cache_still_verifies(tmp_path, run_python):
    build(tmp_path / "first")
    manifest = json.loads(next((tmp_path / "first").glob("*.json")).read_text())
    assert manifest["machine_code"] and all(not name.startswith("/") and name.startswith("__pycache__/")
                                            for name in manifest["machine_code"])
    shutil.move(tmp_path / "first", tmp_path / "moved")
    loaded = run_python(SCRIPT, tmp_path / "moved")
    assert loaded["from_cache"] and loaded["scalar_misses"] == loaded["loop_misses"] == 0
    assert loaded["loop"] == pytest.approx(expected(*POINT), rel=1e-15)
