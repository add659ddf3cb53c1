"""The on-disk cache: reuse across processes, corruption, concurrency, keys, location."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from qderive.codegen import compile_expr, default_cache_dir, forget_loaded_kernels

x, y = sp.symbols("x y", real=True)
g = sp.Symbol("g", positive=True)
EXPR = g**2 * sp.exp(-x**2) / (1 + (x - y) ** 2) + sp.sqrt(g) * sp.cos(y)


def reference(xv, yv, gv):
    return gv**2 * np.exp(-xv**2) / (1 + (xv - yv) ** 2) + np.sqrt(gv) * np.cos(yv)


SCRIPT = """
import json, time
import sympy as sp
from qderive.codegen import compile_expr
x, y = sp.symbols("x y", real=True)
g = sp.Symbol("g", positive=True)
expr = g**2 * sp.exp(-x**2) / (1 + (x - y) ** 2) + sp.sqrt(g) * sp.cos(y)
start = time.perf_counter()
k = compile_expr(expr, [x, y, g])
seconds = time.perf_counter() - start
print(json.dumps({"from_cache": k.from_cache, "seconds": seconds, "value": float(k(0.3, -0.7, 1.9)),
                  "hits": sum(k.loop.stats.cache_hits.values()),
                  "misses": sum(k.loop.stats.cache_misses.values()), "source": str(k.source_path)}))
"""


def fresh(expr=EXPR, args=(x, y, g), **kw):
    """compile_expr as a new process would see it: nothing loaded in memory."""
    forget_loaded_kernels()
    return compile_expr(expr, list(args), **kw)


def numba_files(kernel, suffix):
    return sorted((kernel.source_path.parent / "__pycache__").glob(f"{kernel.source_path.stem}.*.{suffix}"))


def assert_correct(kernel):
    xs = np.linspace(-2, 2, 9)
    assert np.allclose(kernel(xs, 0.4, 1.3), reference(xs, 0.4, 1.3), rtol=1e-14, atol=0)


def test_second_process_reuses_without_recompiling(tmp_path, run_python):
    first = run_python(SCRIPT, tmp_path)
    second = run_python(SCRIPT, tmp_path)
    assert not first["from_cache"] and first["misses"] == 1
    assert second["from_cache"] and second["hits"] == 1 and second["misses"] == 0
    assert second["value"] == first["value"] == pytest.approx(reference(0.3, -0.7, 1.9), rel=1e-15)
    assert second["source"] == first["source"]


def test_key_depends_on_argument_order_and_options(tmp_path):
    xy = fresh(cache_dir=tmp_path)
    assert compile_expr(EXPR, [x, y, g], cache_dir=tmp_path) is xy  # same process: memory hit
    yx = fresh(args=(y, x, g), cache_dir=tmp_path)
    assert xy.cache_key != yx.cache_key and xy.source_path != yx.source_path
    assert yx(0.4, 1.1, 2.0) == pytest.approx(xy(1.1, 0.4, 2.0), rel=1e-15)
    again = fresh(cache_dir=tmp_path)
    assert again.from_cache and again.cache_key == xy.cache_key
    for variant in ({"name": "other"}, {"dtype": "complex128"}):
        assert fresh(cache_dir=tmp_path, **variant).cache_key != xy.cache_key
    assert fresh(EXPR + 1, cache_dir=tmp_path).cache_key != xy.cache_key


@pytest.mark.parametrize("damage", ["garble", "truncate", "delete"])
def test_damaged_source_is_detected_and_rebuilt(tmp_path, damage):
    built = fresh(cache_dir=tmp_path)
    path, original = built.source_path, built.source_path.read_bytes()
    if damage == "garble":  # same size, so no stat-based check could notice
        path.write_bytes(original.replace(b"np.exp(", b"np.cos(", 1))
    elif damage == "truncate":
        path.write_bytes(original[: len(original) // 2])
    else:
        path.unlink()
    rebuilt = fresh(cache_dir=tmp_path)
    assert not rebuilt.from_cache
    assert path.read_bytes() == original
    assert_correct(rebuilt)
    assert fresh(cache_dir=tmp_path).from_cache


@pytest.mark.parametrize("suffix, damage", [("nbi", "garble"), ("nbi", "truncate"), ("nbc", "garble"),
                                            ("nbc", "truncate")])
def test_damaged_numba_cache_is_rebuilt(tmp_path, suffix, damage):
    built = fresh(cache_dir=tmp_path)
    files = numba_files(built, suffix)
    assert files
    for f in files:
        data = f.read_bytes()
        f.write_bytes(os.urandom(len(data)) if damage == "garble" else data[: len(data) // 3])
    rebuilt = fresh(cache_dir=tmp_path)
    assert_correct(rebuilt)
    assert fresh(cache_dir=tmp_path).from_cache  # and the cache is healthy again


@pytest.mark.parametrize("damage", ["not json", "wrong reference values"])
def test_damaged_manifest_is_rebuilt(tmp_path, damage):
    built = fresh(cache_dir=tmp_path)
    manifest = tmp_path / f"{built.cache_key}.json"
    if damage == "not json":
        manifest.write_text('{"key": "' + built.cache_key + '", "sour')
    else:
        data = json.loads(manifest.read_text())
        data["sample"]["reference"]["re"] = [v * 1.001 for v in data["sample"]["reference"]["re"]]
        manifest.write_text(json.dumps(data))
    rebuilt = fresh(cache_dir=tmp_path)
    assert not rebuilt.from_cache
    assert_correct(rebuilt)
    assert fresh(cache_dir=tmp_path).from_cache


def test_concurrent_writers_do_not_corrupt_the_cache(tmp_path):
    env = dict(os.environ, QDERIVE_CACHE_DIR=str(tmp_path))
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert len({r["value"] for r in results}) == 1
    assert results[0]["value"] == pytest.approx(reference(0.3, -0.7, 1.9), rel=1e-15)
    assert len(list(tmp_path.glob("*.json"))) == 1
    assert not list(tmp_path.rglob("*.tmp"))
    loaded = fresh(cache_dir=tmp_path)
    assert loaded.from_cache
    assert_correct(loaded)


def test_cache_location(tmp_path, monkeypatch):
    monkeypatch.setenv("QDERIVE_CACHE_DIR", str(tmp_path / "from-env"))
    kernel = fresh()
    assert kernel.source_path.parent == (tmp_path / "from-env").resolve()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_cache_dir() == Path(tmp_path / "xdg" / "qderive" / "kernels")
