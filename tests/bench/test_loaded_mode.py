"""The loaded benchmark mode: background load is started and always stopped; the worst loaded ratio is reported.

References: the operating system's view of the spinning processes (alive inside the block, reaped
after it, also when the block raises); the row logic against ratios measured by this test itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from qderive.bench import timing


def test_busy_cores_start_spinning_processes_and_always_stop_them():
    with pytest.raises(KeyError), timing.busy_cores(2) as spinners:
        assert len(spinners) == 2 and all(p.poll() is None for p in spinners)  # running
        raise KeyError("the benchmark failed")
    assert all(p.returncode is not None for p in spinners)  # killed and reaped despite the error


def test_load_of_a_killed_benchmark_stops_by_itself():
    parent = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom qderive.bench.timing import busy_cores\n"
                               "with busy_cores(1) as spinners:\n    print(spinners[0].pid, flush=True)\n"
                               "    time.sleep(120)\n"], stdout=subprocess.PIPE, text=True)
    spinner = int(parent.stdout.readline())
    parent.kill()  # no clean-up runs in the parent
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and os.path.exists(f"/proc/{spinner}") and "Z" not in _state(spinner):
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{spinner}") or "Z" in _state(spinner)


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_loaded_rows_report_the_worst_process_and_the_half_quiet_criterion(monkeypatch):
    ratios = iter([40.0, 35.0, 12.0, 30.0, 8.0, 6.0, 5.0])  # row a: quiet, 3 loaded; row b: quiet, 2 loaded

    def fake_row(module, key, quick):
        return [{"name": key, "ours_s": 1.0, "peer": "peer", "peer_s": 1.0, "ratio": next(ratios)}]

    monkeypatch.setattr(timing, "row_in_fresh_process", fake_row)
    rows = timing.loaded_rows("numeric_bench", ["a"], quick=True, processes=3, load=1)
    rows += timing.loaded_rows("numeric_bench", ["b"], quick=True, processes=2, load=1)
    assert [r["loaded_ratio"] for r in rows] == [min(35.0, 12.0, 30.0), min(6.0, 5.0)]
    assert [r["holds"] for r in rows] == [12.0 >= 40.0 / 2, 5.0 >= 8.0 / 2]
    assert [r["load_processes"] for r in rows] == [1, 1]



def test_loaded_flag_on_a_benchmark_without_rows_is_refused_by_name():
    from argparse import Namespace

    from qderive import QderiveError
    from qderive.derivations.cli import _cmd_bench

    with pytest.raises(QderiveError, match="--loaded .*symbolic cannot"):
        _cmd_bench(Namespace(name="symbolic", quick=True, loaded=True, json=False), None)
