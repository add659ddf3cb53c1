"""Every python block of the README runs as written, in order, in one namespace (documentation that executes)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_blocks_run(capsys):
    assert len(BLOCKS) >= 3, "README lost its python blocks"
    namespace: dict = {}
    for k, block in enumerate(BLOCKS):
        exec(compile(block, f"{README}:block{k}", "exec"), namespace)
    out = capsys.readouterr().out
    assert "sqrt(kappa) kappa_e_in" in out and "da/dt" in out
    assert abs(namespace["rho"].trace() - 1) < 1e-12
    assert namespace["final"].dims == [[10, 2], [10, 2]]
    assert namespace["validation"].passed and namespace["report"].derivation.name == "purcell"
    assert namespace["out"].shape == (2, 2, 2, 2)
