"""The examples in the docstrings of the printing, equation, model and unit modules run as shown."""

import doctest
import importlib

import pytest

MODULES = [
    "qderive.symbolic.printing", "qderive.symbolic.operators", "qderive.symbolic.expectation",
    "qderive.symbolic.equations", "qderive.symbolic.model", "qderive.symbolic.parameters",
    "qderive.symbolic.units", "qderive.derivations.units",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
