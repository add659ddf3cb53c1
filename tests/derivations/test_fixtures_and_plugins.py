"""The redesign kept every number; a third-party derivation registered by entry point runs through the CLI.

``fixtures/*_before.json`` are the ``qderive derive NAME --json`` outputs of the previous derivation
layer (commit 9a025d1). Units changed only by the project's conventions: rates written ``1/s`` are
now ``rad/s`` (the number is unchanged: the rate that multiplies ``D[L]``), and dimensionless
quantities are ``""`` instead of ``"1"``.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qderive.derivations.registry import Registry

FIXTURES = Path(__file__).parent / "fixtures"
RENAMED_UNITS = {"1/s": "rad/s", "1": ""}
REGISTRY = Registry.discover()


def _rounded(text: str) -> str:
    """The expression of a fixture (our own JSON) with its floating-point numbers at 12 digits: a numerically
    optimised coefficient may move by an ulp when the compiled kernels round differently."""
    return re.sub(r"\d+\.\d+(?:e[-+]?\d+)?", lambda number: f"{float(number.group()):.12g}", text)


@pytest.mark.parametrize("name", ["bloch", "purcell", "raman", "engine004"])
def test_results_unchanged_by_the_redesign(name):
    before = json.loads((FIXTURES / f"{name}_before.json").read_text())
    system = REGISTRY.get(name)
    after = system.derive(system.parameter_set()).to_json()
    assert set(before["results"]) <= set(after["results"])
    for key, old in before["results"].items():
        new = after["results"][key]
        assert new["units"] == RENAMED_UNITS.get(old["units"], old["units"]), key
        if old["value"] is None:
            assert new["value"] is None, key
        else:
            assert new["value"] == pytest.approx(old["value"], rel=1e-12, abs=1e-300), key
        assert _rounded(new["expr"]) == _rounded(old["expr"]), key
    assert len(after["discrepancies"]) == len(before["discrepancies"])


PLUGIN = '''
"""A user's own derivation, shipped in another distribution."""
import sympy as sp
from qderive.derivations.contract import Derivation, Quantity, Step, System, closed_form
from qderive.symbolic import declare

P = declare([("kappa", "decay rate", "rad/s")])


class Decay(System):
    name = "userdecay"
    title = "exponential decay"
    summary = "a user's plug-in"
    parameters = tuple(P.values())
    defaults = {"kappa": 2.0}

    def derive(self, parameters):
        k = P["kappa"].symbol
        lifetime = 1 / k
        results = {"lifetime": Quantity(lifetime, "s", float(parameters.evaluate(lifetime)), "1/kappa")}
        return Derivation(self.name, self.title, parameters, ("Markov",), (Step("lifetime", sp.latex(lifetime)),),
                          results, evaluators={"lifetime": closed_form(lifetime, P)})
'''


def test_third_party_derivation_registered_by_entry_point_runs_through_the_cli(tmp_path):
    (tmp_path / "userplugin.py").write_text(textwrap.dedent(PLUGIN))
    dist = tmp_path / "userplugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: userplugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[qderive.derivations]\nuserdecay = userplugin:Decay\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    def cli(*argv):
        return subprocess.run([sys.executable, "-m", "qderive.derivations.cli", *argv], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=300)

    listed = cli("list")
    assert listed.returncode == 0 and "userdecay" in listed.stdout, listed.stderr
    derived = cli("derive", "userdecay", "--json", "--set", "kappa=4")
    assert derived.returncode == 0, derived.stderr
    assert json.loads(derived.stdout)["results"]["lifetime"]["value"] == 0.25
    run = cli("run", "userdecay", "--out", str(tmp_path / "report"), "--quiet")
    assert run.returncode == 0, run.stderr
    results = json.loads((tmp_path / "report" / "results.json").read_text())
    assert results["derivation"]["results"]["lifetime"]["value"] == 0.5 and results["validation"] is None
