"""The codegen benchmark runs end to end (tiny sizes) and reports in the agreed shape."""

from __future__ import annotations

from qderive.bench.codegen_bench import SYMENGINE_MISSING, _symengine, run


def test_quick_run_reports_every_benchmark():
    result = run(quick=True)
    names = [b["name"] for b in result["benchmarks"]]
    expected = 7 if _symengine() is None else 10  # SymEngine: two run-time rows and one build row
    assert len(names) == expected and len(set(names)) == expected
    assert result["skipped"] == ([SYMENGINE_MISSING] if _symengine() is None else [])
    for bench in result["benchmarks"]:
        if "symengine" in bench["name"]:  # the same numbers as ours (double rounding only)
            assert bench["max_rel_difference"] < 1e-12
    for bench in result["benchmarks"]:
        assert {"name", "ours_s", "peer", "peer_s", "ratio"} <= bench.keys()
        assert bench["ours_s"] > 0 and bench["peer_s"] > 0
        assert bench["ratio"] == bench["peer_s"] / bench["ours_s"]
    assert result["machine"]["cpus"] >= 1
