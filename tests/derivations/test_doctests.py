"""The examples in the derivation layer's docstrings run as written."""

import doctest
import importlib

import pytest

MODULES = ["contract", "registry", "plotting", "html", "progress", "render", "cli"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"qderive.derivations.{name}")
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
