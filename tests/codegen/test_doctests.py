"""The examples in the codegen docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["cache", "check", "cse", "emit", "errors", "kernel", "llvm_body", "machine_code", "printer", "real_operands",
           "special"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"qderive.codegen.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
