"""The examples in the docstrings of the numeric safety modules run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["chebyshev", "memory", "progress", "propagator", "state_checks"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"qderive.numeric.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
