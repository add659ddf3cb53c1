"""Package metadata uses the PEP 639 license form, which setuptools >= 77 reads without a deprecation warning."""

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_license_is_an_spdx_expression_read_by_the_required_setuptools():
    data = tomllib.loads(PYPROJECT.read_text())
    assert data["project"]["license"] == "MIT"  # SPDX string, not the deprecated {text = ...} table
    (setuptools,) = [r for r in data["build-system"]["requires"] if r.startswith("setuptools")]
    minimum = tuple(int(x) for x in re.search(r">=\s*([0-9.]+)", setuptools).group(1).split("."))
    assert minimum >= (77,)  # first setuptools that reads project.license as an SPDX expression
    assert not any(c.startswith("License ::") for c in data["project"].get("classifiers", []))
