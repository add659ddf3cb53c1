"""``qderive derive NAME --format latex --standalone`` compiles with pdflatex for every registered derivation.

pdflatex comes from Debian's TeX packages (``.ci/run`` installs them); outside CI the test is
skipped when pdflatex is missing, in CI (``CI`` set) that is a failure.
"""

import os
import shutil
import subprocess

import pytest

from qderive.derivations.registry import Registry
from qderive.derivations.render import latex_text, to_latex

REGISTRY = Registry.discover()
PDFLATEX = shutil.which("pdflatex")


def test_text_is_escaped():
    assert latex_text("a_b^c & 50% #1 {x} \\") == r"a\_b\textasciicircum{}c \& 50\% \#1 \{x\} \textbackslash{}"


@pytest.mark.parametrize("name", REGISTRY.names())
def test_standalone_latex_compiles(name, tmp_path):
    if PDFLATEX is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide pdflatex (Debian texlive-latex-base, see .ci/run)")
        pytest.skip("pdflatex not installed")
    system = REGISTRY.get(name)
    (tmp_path / f"{name}.tex").write_text(to_latex(system.derive(system.parameter_set()), standalone=True))
    run = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", f"{name}.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
