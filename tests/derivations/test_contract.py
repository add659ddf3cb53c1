"""The contract every registered derivation honours, run over the whole registry.

JSON shapes, `--set` reaching the results, units from one vocabulary (pint), every compiled
evaluator against SymPy, a quick validation that passes at the defaults and FAILS where the
approximation breaks down, and bad input refused by name in one line.
"""

import json
import math
import re

import pint
import pytest

from qderive.derivations.cli import main, parse_number
from qderive.derivations.contract import System, ValidationOptions
from qderive.derivations.registry import Registry

REGISTRY = Registry.discover()
NAMES = REGISTRY.names()
UNITS = pint.UnitRegistry()

def run_cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_every_system_with_a_validation_states_a_breakdown_point():
    for system in REGISTRY:
        validates = type(system).validate is not System.validate or (
            system.stages is not None and system.stages.validate is not None)
        assert not validates or system.breakdown is not None, f"'{system.name}' states no point where it must fail"


@pytest.mark.parametrize("name", NAMES)
class TestDerivationContract:
    def test_derive_json_shape(self, name, capsys):
        code, out, _ = run_cli(capsys, "derive", name, "--json")
        assert code == 0
        data = json.loads(out)
        assert {"name", "title", "parameters", "assumptions", "conditions", "steps", "results", "discrepancies"} <= set(
            data
        )
        assert data["name"] == name and data["title"] and data["assumptions"] and data["steps"] and data["results"]
        for step in data["steps"]:
            assert {"title", "latex", "note", "operation", "before", "relies_on"} == set(step) and step["latex"]
            assert set(step["relies_on"]) <= set(data["conditions"])
        for key, result in data["results"].items():
            assert set(result) == {"expr", "latex", "value", "units", "meaning"}, key
            assert result["meaning"], f"result '{key}' of '{name}' has no meaning"
            assert result["value"] is None or isinstance(result["value"], (int, float))
        for d in data["discrepancies"]:
            assert set(d) == {"source", "stated", "derived", "note"}

    def test_units_come_from_one_vocabulary(self, name):
        system = REGISTRY.get(name)
        derivation = system.derive(system.parameter_set())
        for unit in [p.unit for p in system.parameters] + [q.units for q in derivation.results.values()]:
            assert unit != "1", f"'{name}': dimensionless is written as '', not '1'"
            UNITS.parse_units(unit) if unit else None  # raises on anything pint cannot read

    def test_set_changes_the_results(self, name):
        system = REGISTRY.get(name)
        default = system.derive(system.parameter_set())
        changed_any = False
        for parameter in system.parameters:
            if parameter.domain != "positive" or parameter.bounds is not None:
                continue
            value = system.defaults[parameter.name] * 1.5
            derivation = system.derive(system.parameter_set({parameter.name: value}))
            assert derivation.parameters[parameter.name] == pytest.approx(value)
            changed_any |= any(
                q.value is not None and default.results[k].value is not None
                and not math.isclose(q.value, default.results[k].value, rel_tol=1e-12)
                for k, q in derivation.results.items()
            )
        assert changed_any, f"no --set of '{name}' changed any result"

    def test_every_evaluator_agrees_with_sympy(self, name):
        system = REGISTRY.get(name)
        parameters = system.parameter_set()
        derivation = system.derive(parameters)
        for key, evaluator in derivation.evaluators.items():
            compiled = complex(evaluator(parameters.values))
            exact = complex(parameters.evaluate(evaluator.expr))
            assert compiled == pytest.approx(exact, rel=1e-10, abs=1e-300), key

    def test_quick_validation_passes_at_the_defaults_and_fails_outside_the_regime(self, name):
        system = REGISTRY.get(name)
        options = ValidationOptions(quick=True)
        passed = system.validate(system.derive(system.parameter_set()), options)
        assert passed is None or passed.passed, passed.reason
        if system.breakdown is not None:
            overrides, condition = system.breakdown
            failed = system.validate(system.derive(system.parameter_set(overrides)), options)
            assert not failed.passed and condition in failed.reason

    def test_bad_values_refused_with_parameter_named(self, name, capsys):
        system = REGISTRY.get(name)
        parameter = next(p for p in system.parameters if p.domain == "positive")
        code, out, err = run_cli(capsys, "derive", name, "--set", f"{parameter.name}=-1")
        assert code == 2 and out == ""
        assert f"'{parameter.name}' must be positive" in err and len(err.strip().splitlines()) == 1
        code, _, err = run_cli(capsys, "derive", name, "--set", "no_such_parameter=1")
        assert code == 2 and "unknown parameter" in err

    def test_text_markdown_latex_render(self, name, capsys):
        for fmt in ("text", "markdown", "latex"):
            code, out, _ = run_cli(capsys, "derive", name, "--format", fmt)
            assert code == 0 and name in out


def test_unknown_name_exits_nonzero(capsys):
    code, out, err = run_cli(capsys, "derive", "no-such-derivation")
    assert code == 2 and out == "" and "unknown derivation" in err


def test_set_accepts_both_forms(capsys):
    one = run_cli(capsys, "derive", "bloch", "--json", "--set", "Omega=1e7", "Delta=2e6")
    two = run_cli(capsys, "derive", "bloch", "--json", "--set", "Omega=1e7", "--set", "Delta=2e6")
    assert one[0] == two[0] == 0 and one[1] == two[1]
    assert json.loads(one[1])["parameters"]["Delta"] == 2e6


def test_number_parser():
    assert parse_number("2*pi*1e6") == pytest.approx(6283185.307179586)
    assert parse_number("-3**2") == -9
    for bad in ("__import__('os')", "True", "1e400", "(" * 100 + "1" + ")" * 100):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_list_json(capsys):
    code, out, _ = run_cli(capsys, "list", "--json")
    assert code == 0 and {d["name"] for d in json.loads(out)} == set(NAMES)


@pytest.mark.parametrize(
    "argv",
    [
        ("validate", "bloch", "--set", "Omega=1e-300"),
        ("validate", "raman", "--set", "Delta=1e300", "--quick"),
        ("validate", "raman", "--set", "Omega1=1e300", "--quick"),
        ("validate", "engine004", "--set", "Gamma1=1e300", "--quick"),
        ("derive", "engine004", "--set", "conc=50"),
        ("run", "bloch", "--out", "/dev/null/report"),
    ],
)
def test_hostile_inputs_give_one_line_errors(argv, capsys):
    code, out, err = run_cli(capsys, *argv)
    *progress, last = err.strip().splitlines()
    assert code == 2 and out == "" and last.startswith("qderive: error:")
    # only the stage lines of the progress display may come before the error
    assert all(re.fullmatch(r"\w+: \w+ \(\d+/\d+, \d+\.\d s\)", line) for line in progress), progress


def test_validate_quiet_prints_no_progress(capsys):
    code, out, err = run_cli(capsys, "validate", "raman", "--quick", "--quiet")
    assert code == 0 and "PASSED" in out and err == ""
    code, out, err = run_cli(capsys, "validate", "raman", "--quick")
    assert code == 0 and err.splitlines()[0].startswith("raman: derive (1/2,")
