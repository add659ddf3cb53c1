"""Every docstring example of the four library packages runs as written, and every public
function, method and class carries one.

The modules are discovered with :func:`pkgutil.walk_packages` over ``qderive.symbolic``,
``qderive.codegen``, ``qderive.numeric`` and ``qderive.derivations`` (the per-system subpackages
included), so a new module is tested without being listed here. Kernels compile into one private
cache directory for the session, never the user's.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from types import ModuleType

import pytest

PACKAGES = ("qderive.symbolic", "qderive.codegen", "qderive.numeric", "qderive.derivations")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
EXAMPLES_HEADER = re.compile(r"^\s*Examples\n\s*-{8,}\s*$", re.MULTILINE)

# Public callables that cannot carry a runnable example, each with the reason. Empty: every one has
# an example (the console entry point ``cli.main`` too, called with explicit arguments).
ALLOWED_WITHOUT_EXAMPLES: set[str] = set()

# Examples shown but not run, each with the reason; a ``# doctest: +SKIP`` anywhere else fails the audit below,
# so a skipped example cannot pass for a checked one.
SKIPPED_EXAMPLES: dict[str, str] = {
    "qderive.derivations.sweep_workers.run_dask": "starts a local Dask cluster (about 10 s); "
                                                  "tests/derivations/test_sweep.py runs it with a worker killed",
}


def library_module_names() -> list[str]:
    """The dotted names of every module of the four packages, the packages themselves included."""
    names = []
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        names += [info.name for info in pkgutil.walk_packages(package.__path__, package_name + ".")]
    return sorted(names)


MODULES = library_module_names()


def public_callables(module: ModuleType) -> Iterator[tuple[str, object]]:
    """``(dotted name, object)`` for each public function and class defined in ``module`` and for
    each public method, classmethod, staticmethod and property defined in such a class."""
    for name, obj in vars(module).items():
        if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        yield f"{module.__name__}.{name}", obj
        if not inspect.isclass(obj):
            continue
        for method_name, member in vars(obj).items():
            function = member.__func__ if isinstance(member, staticmethod | classmethod) else member
            function = function.fget if isinstance(function, property) else function
            if method_name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__qualname__.split(".")[0] != obj.__name__:
                continue  # an attribute bound to a function defined elsewhere
            yield f"{module.__name__}.{name}.{method_name}", function


def lacking_examples() -> set[str]:
    """Dotted names of the public callables whose docstring has no ``Examples`` section."""
    missing = set()
    for module_name in MODULES:
        for name, obj in public_callables(importlib.import_module(module_name)):
            # a class's own docstring; a function's, or for an undocumented override the docstring of
            # the method it overrides (what help() and Sphinx show for it)
            own_doc = vars(obj).get("__doc__") if inspect.isclass(obj) else inspect.getdoc(obj)
            if not own_doc or not EXAMPLES_HEADER.search(own_doc):
                missing.add(name)
    return missing


@pytest.fixture(scope="module")
def kernel_cache(tmp_path_factory):
    """One private kernel cache for all the examples of this file."""
    return tmp_path_factory.mktemp("doctest-kernels")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, kernel_cache, monkeypatch):
    monkeypatch.setenv("QDERIVE_CACHE_DIR", str(kernel_cache))
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS, verbose=False)
    assert result.failed == 0


def test_every_public_callable_has_examples():
    missing = lacking_examples() - ALLOWED_WITHOUT_EXAMPLES
    assert not missing, "public callables without an Examples section:\n" + "\n".join(sorted(missing))


def test_allow_list_is_still_needed():
    unneeded = ALLOWED_WITHOUT_EXAMPLES - lacking_examples()
    assert not unneeded, "these have Examples now; remove them from the allow-list: " + ", ".join(sorted(unneeded))


def test_discovery_reaches_the_system_subpackages():
    """The walk finds the per-system modules and the audit sees a known public function."""
    assert "qderive.derivations.sps000.model" in MODULES
    names = {name for name, _ in public_callables(importlib.import_module("qderive.symbolic.operators"))}
    assert "qderive.symbolic.operators.commutator" in names and "qderive.symbolic.operators.Op.dag" in names


def test_only_the_listed_examples_are_skipped():
    finder = doctest.DocTestFinder()
    skipping = set()
    for module_name in MODULES:
        for test in finder.find(importlib.import_module(module_name)):
            if any(example.options.get(doctest.SKIP) for example in test.examples):
                skipping.add(test.name)
    assert skipping == set(SKIPPED_EXAMPLES), f"skipped examples not listed (or listed, no longer skipped): " \
        f"{sorted(skipping ^ set(SKIPPED_EXAMPLES))}"
