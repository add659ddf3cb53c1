"""Fault injection, the cache directory (issue 13, item 3).

A read-only cache (populated or empty), a cache path that is a file and cache entries
replaced by directories must give either a kernel loaded from the cache or one compiled in
memory with a single KernelCacheWarning: never a traceback, never a wrong number.
Files must be created with the umask's permissions (a group-shared cache), not 0600.
"""

from __future__ import annotations

import json
import os
import stat
import warnings

import numpy as np
import pytest
import sympy as sp

from qderive.codegen import KernelCacheWarning, compile_expr, forget_loaded_kernels

x = sp.Symbol("x", real=True)
g = sp.Symbol("g", positive=True)
EXPR = g * sp.cos(x) ** 2 + sp.sqrt(g) * x


def expected(xv, gv):
    return gv * np.cos(xv) ** 2 + np.sqrt(gv) * xv


SCRIPT = """
import json, warnings
import sympy as sp
from qderive.codegen import compile_expr
x = sp.Symbol("x", real=True)
g = sp.Symbol("g", positive=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    kernel = compile_expr(g * sp.cos(x) ** 2 + sp.sqrt(g) * x, [x, g])
    other = compile_expr(g * sp.sin(x) ** 2 + sp.sqrt(g) * x, [x, g])  # not in the cache
print(json.dumps({"from_cache": kernel.from_cache, "value": float(kernel(0.3, 2.0)),
                  "scalar": kernel.scalar(0.3, 2.0), "other": float(other(0.3, 2.0)),
                  "other_from_cache": other.from_cache,
                  "misses": sum(kernel.loop.stats.cache_misses.values())
                            + sum(kernel.scalar.stats.cache_misses.values()),
                  "warnings": [str(w.message) for w in caught]}))
"""


def fresh(cache_dir, expr=EXPR):
    forget_loaded_kernels()
    return compile_expr(expr, [x, g], cache_dir=cache_dir)


def snapshot(directory):
    return {p.relative_to(directory): p.read_bytes() if p.is_file() else None for p in directory.rglob("*")}


@pytest.mark.parametrize("populated", [True, False])
def test_read_only_cache(tmp_path, run_read_only, populated):
    cache = tmp_path / "cache"
    cache.mkdir()
    if populated:
        fresh(cache)
    before = snapshot(cache)
    done = run_read_only(SCRIPT, cache)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["value"] == result["scalar"] == pytest.approx(expected(0.3, 2.0), rel=1e-15)
    assert result["other"] == pytest.approx(2.0 * np.sin(0.3) ** 2 + np.sqrt(2.0) * 0.3, rel=1e-15)
    assert result["from_cache"] is populated and not result["other_from_cache"]
    if populated:
        assert result["misses"] == 0  # the verified machine code was used, read-only
    assert result["warnings"] and all("cannot be written" in w for w in result["warnings"])
    assert snapshot(cache) == before  # nothing was written


def test_read_only_cache_with_damaged_machine_code(tmp_path, run_read_only):
    """Damaged files cannot be removed from a read-only cache: they are not executed either."""
    cache = tmp_path / "cache"
    built = fresh(cache)
    for path in (cache / "__pycache__").glob(f"{built.source_path.stem}.*"):
        path.write_bytes(os.urandom(path.stat().st_size))
    done = run_read_only(SCRIPT, cache)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["from_cache"] and result["misses"] == 2  # both entry points compiled in memory
    assert result["value"] == result["scalar"] == pytest.approx(expected(0.3, 2.0), rel=1e-15)


def test_cache_path_that_is_a_file(tmp_path):
    path = tmp_path / "not-a-directory"
    path.write_text("user data")
    with pytest.warns(KernelCacheWarning, match="cannot be written"):
        kernel = fresh(path)
    assert kernel(0.3, 2.0) == pytest.approx(expected(0.3, 2.0), rel=1e-15)
    assert not kernel.from_cache and path.read_text() == "user data"


@pytest.mark.parametrize("entry", ["manifest", "source", "machine code folder", "machine code file"])
def test_entry_replaced_by_a_directory(tmp_path, entry):
    built = fresh(tmp_path)
    target = {
        "manifest": tmp_path / f"{built.cache_key}.json",
        "source": built.source_path,
        "machine code folder": tmp_path / "__pycache__",
        "machine code file": next((tmp_path / "__pycache__").glob(f"{built.source_path.stem}.*.nbc")),
    }[entry]
    if target.is_dir():
        for child in target.iterdir():
            child.unlink()
        target.rmdir()
        target.write_text("a file where a folder was")
    else:
        target.unlink()
        (target / "user-file").parent.mkdir()
        (target / "user-file").write_text("keep me")
    forget_loaded_kernels()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kernel = compile_expr(EXPR, [x, g], cache_dir=tmp_path)
    assert [w.category for w in caught] == [KernelCacheWarning], [str(w.message) for w in caught]
    assert kernel(0.3, 2.0) == kernel.scalar(0.3, 2.0) == pytest.approx(expected(0.3, 2.0), rel=1e-15)
    if (target / "user-file").exists():
        assert (target / "user-file").read_text() == "keep me"  # never deleted


def test_files_are_created_with_the_umask(tmp_path):
    old = os.umask(0o002)
    try:
        built = fresh(tmp_path)
    finally:
        os.umask(old)
    files = [built.source_path, tmp_path / f"{built.cache_key}.json", *(tmp_path / "__pycache__").iterdir()]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o664, path
