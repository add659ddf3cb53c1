"""The examples in the docstrings of the cumulant workflow run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["qderive.symbolic.cumulants", "qderive.symbolic.moments", "qderive.symbolic.regression",
           "qderive.codegen.ode", "qderive.numeric.moment_equations"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch, tmp_path):
    monkeypatch.setenv("QDERIVE_CACHE_DIR", str(tmp_path))
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
