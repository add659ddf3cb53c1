"""The README's API tour and its derivation-contract example run as written (documentation that executes)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_tour_runs(capsys):
    assert BLOCKS, "README has no python block"
    namespace: dict = {}
    exec(compile(BLOCKS[0], str(README), "exec"), namespace)
    out = capsys.readouterr().out
    assert "sqrt(kappa) kappa_e_in" in out
    rho = namespace["rho"]
    assert abs(rho.trace() - 1) < 1e-12


def test_readme_contract_example_runs():
    (block,) = [b for b in BLOCKS if "Registry.discover()" in b]
    namespace: dict = {}
    exec(compile(block, str(README), "exec"), namespace)
    assert namespace["validation"].passed and namespace["report"].derivation.name == "purcell"
