"""Shape of the benchmark report (quick mode; timings are not asserted)."""

from qderive.bench.numeric_bench import run


def test_quick_benchmark_report_shape():
    report = run(quick=True)
    assert len(report["benchmarks"]) == 8  # 7 numeric rows and the sps000 validation row
    for entry in report["benchmarks"]:
        assert {"name", "ours_s", "peer", "peer_s", "ratio"} <= set(entry)
        assert entry["ratio"] == entry["peer_s"] / entry["ours_s"] > 0
