"""Shape of the benchmark report (quick mode; timings are not asserted)."""

from qderive.bench.numeric_bench import run


def test_quick_benchmark_report_shape():
    report = run(quick=True)
    assert len(report["benchmarks"]) == 9  # 5 numeric rows and 4 sps000 rows (gate, two-time; full and RWA)
    for entry in report["benchmarks"]:
        assert {"name", "ours_s", "peer", "peer_s", "ratio"} <= set(entry)
        assert entry["ratio"] == entry["peer_s"] / entry["ours_s"] > 0
