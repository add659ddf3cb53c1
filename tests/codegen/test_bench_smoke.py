"""The codegen benchmark runs end to end (tiny sizes) and reports in the agreed shape."""

from __future__ import annotations

from qderive.bench.codegen_bench import run


def test_quick_run_reports_every_benchmark():
    result = run(quick=True)
    names = [b["name"] for b in result["benchmarks"]]
    assert len(names) == 10 and len(set(names)) == 10  # SymEngine: two run-time rows and one build row
    for bench in result["benchmarks"]:
        if "symengine" in bench["name"]:  # the same numbers as ours (double rounding only)
            assert bench["max_rel_difference"] < 1e-12
    for bench in result["benchmarks"]:
        assert {"name", "ours_s", "peer", "peer_s", "ratio"} <= bench.keys()
        assert bench["ours_s"] > 0 and bench["peer_s"] > 0
        assert bench["ratio"] == bench["peer_s"] / bench["ours_s"]
    assert result["machine"]["cpus"] >= 1
