"""The README's API tour runs as written (documentation that executes)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_tour_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python block"
    namespace: dict = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    out = capsys.readouterr().out
    assert "sqrt(kappa) kappa_e_in" in out
    rho = namespace["rho"]
    assert abs(rho.trace() - 1) < 1e-12
