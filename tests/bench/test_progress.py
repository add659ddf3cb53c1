"""Benchmarks announce their progress on standard error, row by row where they have rows; --quiet silences it."""

import io

from qderive.bench import numeric_bench
from qderive.derivations.cli import main
from qderive.derivations.progress import Progress


def test_numeric_rows_are_announced_as_they_start():
    stream = io.StringIO()
    result = numeric_bench.run(quick=True, rows=["driven_qubit"], progress=Progress("bench numeric", 1, stream=stream))
    assert stream.getvalue().startswith("bench numeric: driven_qubit (1/1, ")
    assert len(result["benchmarks"]) == 1 and result["benchmarks"][0]["ratio"] > 0


def test_bench_command_shows_progress_unless_quiet(capsys):
    assert main(["bench", "symbolic", "--quick"]) == 0
    assert capsys.readouterr().err.startswith("bench: symbolic (1/1, ")
    assert main(["bench", "symbolic", "--quick", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "[symbolic]" in captured.out
