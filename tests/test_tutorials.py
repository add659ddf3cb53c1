"""Every tutorial in docs/ executes as a notebook (jupytext + nbclient), so none can rot.

There is one tutorial per registered derivation (``docs/<name>.py``) and one for building your
own model.
"""

from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

from qderive.derivations.registry import Registry

DOCS = Path(__file__).resolve().parent.parent / "docs"
TUTORIALS = sorted(DOCS.glob("*.py"))


def test_every_registered_derivation_has_a_tutorial():
    missing = [name for name in Registry.discover().names() if not (DOCS / f"{name}.py").exists()]
    assert not missing, f"no tutorial docs/<name>.py for {missing}"


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_executes(path):
    notebook = jupytext.read(path)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(DOCS)}}).execute()
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
