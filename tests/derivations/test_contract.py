"""Contract every registered derivation honours: CLI JSON shapes, units, --set round trip, bad input refused."""

import json

import pytest

from qderive.derivations import registry
from qderive.derivations.cli import main, parse_number

NAMES = registry.names()


def run_cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("name", NAMES)
class TestDerivationContract:
    def test_derive_json_shape(self, name, capsys):
        code, out, _ = run_cli(capsys, "derive", name, "--json")
        assert code == 0
        data = json.loads(out)
        assert set(data) == {"name", "assumptions", "steps", "results", "discrepancies"}
        assert data["name"] == name and data["assumptions"] and data["steps"] and data["results"]
        for step in data["steps"]:
            assert set(step) == {"title", "latex"} and step["latex"]
        for key, result in data["results"].items():
            assert set(result) == {"expr", "latex", "value", "units"}, key
            assert result["units"], f"result '{key}' of '{name}' has no unit"
            assert result["value"] is None or isinstance(result["value"], (int, float))
        for d in data["discrepancies"]:
            assert set(d) == {"source", "stated", "derived", "note"}

    def test_set_round_trip(self, name, capsys):
        entry = registry.entry(name)
        parameter = next(p for p in entry.parameters if p.domain == "positive")
        value = entry.defaults[parameter.name] * 1.5
        derivation = entry.derive(entry.parameter_set({parameter.name: value}))
        assert derivation.parameters[parameter.name] == pytest.approx(value)

    def test_bad_values_refused_with_parameter_named(self, name, capsys):
        entry = registry.entry(name)
        parameter = next(p for p in entry.parameters if p.domain == "positive")
        code, out, err = run_cli(capsys, "derive", name, "--set", f"{parameter.name}=-1")
        assert code != 0 and out == ""
        assert f"'{parameter.name}' must be positive" in err and len(err.strip().splitlines()) == 1
        code, _, err = run_cli(capsys, "derive", name, "--set", "no_such_parameter=1")
        assert code != 0 and "unknown parameter" in err

    def test_text_markdown_latex_render(self, name, capsys):
        for fmt in ("text", "markdown", "latex"):
            code, out, _ = run_cli(capsys, "derive", name, "--format", fmt)
            assert code == 0 and name in out


def test_unknown_name_exits_nonzero(capsys):
    code, out, err = run_cli(capsys, "derive", "no-such-derivation")
    assert code != 0 and out == "" and "unknown derivation" in err


def test_number_parser():
    assert parse_number("2*pi*1e6") == pytest.approx(6283185.307179586)
    assert parse_number("-3**2") == -9
    with pytest.raises(ValueError, match="cannot read"):
        parse_number("__import__('os')")


def test_list_json(capsys):
    code, out, _ = run_cli(capsys, "list", "--json")
    assert code == 0 and {d["name"] for d in json.loads(out)} == set(NAMES)


def test_run_writes_a_report_folder(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "run", "bloch", "--out", str(tmp_path), "--quiet")
    assert code == 0 and out == ""
    derivation = json.loads((tmp_path / "derivation.json").read_text())
    validation = json.loads((tmp_path / "validation.json").read_text())
    assert derivation["name"] == "bloch" and validation["passed"] is True
    assert "rho_ee" in (tmp_path / "derivation.md").read_text()
