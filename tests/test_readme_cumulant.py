"""The README's cumulant workflow runs as written, and its numbers agree with an independent solution."""

import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_cumulant_workflow_runs(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("QDERIVE_CACHE_DIR", str(tmp_path))
    section = README.read_text().split("## Closed moment equations", 1)[1]
    block = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    namespace: dict = {}
    exec(compile(block, str(README), "exec"), namespace)
    assert "N*g" in capsys.readouterr().out                 # the equations print with their symbolic N
    system, values, sweep = namespace["system"], namespace["values"], namespace["sweep"]
    # photon number and inversion balance exactly: kappa n = N (nu (1 - p) - gamma p)
    a = namespace["a"]
    s1 = namespace["atoms"][0]
    for y in (namespace["y"], sweep[-1]):
        nu = values["nu"] if y is namespace["y"] else 5.0
        n, p = system.average(a.dag() * a, y).real, system.average(s1.sigma("e", "e"), y).real
        assert values["kappa"] * n == pytest.approx(values["N"] * (nu * (1 - p) - values["gamma"] * p), rel=1e-9)
    assert 0 < namespace["spectrum"].linewidth < values["kappa"]
    assert np.all(np.isfinite(sweep))
