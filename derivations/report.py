"""Write a :class:`~qderive.derivations.contract.Report` into a folder, safely.

The folder receives ``report.html`` (one self-contained page, equations as MathML, see
:mod:`.html`), ``report.md`` (Markdown with ``$$`` LaTeX), ``results.json`` (the ``derive``
and ``validate`` JSON in one file, with the parameters and the package version), the figures as
PNG under ``figures/``, and a manifest ``.qderive-report.json`` naming the files the report owns.

Safety rules:

* everything is written first into a fresh temporary folder beside the target, and moved into place
  only when complete: a run that fails or is interrupted leaves the previous report untouched;
* a file in the target that the previous report's manifest does not list is never overwritten or
  deleted (the run is refused, naming it);
* symbolic links are never followed: a target folder or file that is a link is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from qderive.symbolic import QderiveError

from .contract import Report
from .html import index_page, write_html
from .plotting import draw
from .render import to_markdown

MANIFEST = ".qderive-report.json"


class ReportError(QderiveError):
    """The report folder cannot be written safely.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as a_file:
    ...     try:
    ...         check_folder(a_file.name)
    ...     except ReportError as error:
    ...         print(isinstance(error, QderiveError), str(error).endswith("exists and is not a folder"))
    True True
    """


@dataclass(frozen=True)
class ReportSummary:
    """Where the report went, whether its validation passed, and a printable summary.

    Examples
    --------
    >>> import tempfile
    >>> import sympy as sp
    >>> from qderive.derivations.contract import Derivation, Quantity, Report, Validation
    >>> from qderive.symbolic import ParameterSet
    >>> derivation = Derivation("demo", "demo", ParameterSet((), {}), (), (), {"x": Quantity(sp.Integer(2), "", 2.0)})
    >>> failed = Validation("demo", {}, 0.3, 0.1, "error 0.3")
    >>> with tempfile.TemporaryDirectory() as parent:
    ...     summary = write_report(Report(derivation, failed, ()), Path(parent) / "r")
    >>> summary.passed, summary.files, summary.folder.name
    (False, ('report.md', 'results.json', 'report.html'), 'r')
    """

    folder: Path
    passed: bool
    text: str
    files: tuple[str, ...]


def package_version() -> str:
    """The installed version of the ``qderive`` distribution, or ``"unknown"`` in an uninstalled source tree.

    Examples
    --------
    >>> from importlib.metadata import version
    >>> package_version() == version("qderive")  # installed here (editable)
    True
    """
    try:
        return version("qderive")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def results_json(report: Report) -> dict[str, Any]:
    """``{"derivation": derive JSON, "validation": validate JSON or None, "version"}``.

    Examples
    --------
    >>> import json
    >>> from qderive.derivations.contract import Derivation, Report
    >>> from qderive.symbolic import ParameterSet
    >>> data = results_json(Report(Derivation("demo", "demo", ParameterSet((), {}), (), (), {}), None, ()))
    >>> sorted(data), data["validation"], data["derivation"]["name"]
    (['derivation', 'validation', 'version'], None, 'demo')
    >>> json.loads(json.dumps(data)) == data
    True
    """
    return {
        "derivation": report.derivation.to_json(),
        "validation": None if report.validation is None else report.validation.to_json(),
        "version": package_version(),
    }


Writer = Callable[[Report, Path], list[str]]


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_markdown_and_json(report: Report, folder: Path) -> list[str]:
    """``report.md`` and ``results.json``.

    Examples
    --------
    >>> import json, tempfile
    >>> from qderive.derivations.contract import Derivation, Report
    >>> from qderive.symbolic import ParameterSet
    >>> report = Report(Derivation("demo", "demo", ParameterSet((), {}), ("an assumption",), (), {}), None, ())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     names = write_markdown_and_json(report, Path(folder))
    ...     print(names, json.loads((Path(folder) / "results.json").read_text())["derivation"]["assumptions"])
    ['report.md', 'results.json'] ['an assumption']
    """
    _write_text(folder / "report.md", to_markdown(report.derivation, report.validation))
    _write_text(folder / "results.json", json.dumps(results_json(report), indent=2, default=str))
    return ["report.md", "results.json"]


def write_figures(report: Report, folder: Path) -> list[str]:
    """Every figure as ``figures/<name>.png``.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from qderive.derivations.contract import Derivation, Report
    >>> from qderive.derivations.plotting import Axis, CurvePanel, Figure, Series
    >>> from qderive.symbolic import ParameterSet
    >>> x = np.linspace(0, 1, 3)
    >>> figure = Figure("line", "", (CurvePanel(Axis("x"), Axis("y"), (Series(x, x),)),))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(write_figures(Report(Derivation("d", "d", ParameterSet((), {}), (), (), {}), None, (figure,)),
    ...                         Path(folder)))
    ['figures/line.png']
    """
    return [str(draw(figure, folder / "figures").relative_to(folder)) for figure in report.figures]


WRITERS: tuple[Writer, ...] = (write_figures, write_markdown_and_json, write_html)


def _owned_files(folder: Path) -> set[str]:
    manifest = folder / MANIFEST
    if manifest.is_symlink():
        raise ReportError(f"{manifest} is a symbolic link; refusing to read or replace it")
    if not manifest.exists():
        return set()
    try:
        return set(json.loads(manifest.read_text(encoding="utf-8"))["files"]) | {MANIFEST}
    except (ValueError, KeyError, TypeError):
        raise ReportError(f"{manifest} is not a qderive report manifest; move the folder aside") from None


def _check_target(target: Path, new_files: list[str]) -> set[str]:
    """The files of the previous report in ``target``; refuse links and foreign files in the way."""
    if target.is_symlink():
        raise ReportError(f"report folder {target} is a symbolic link; give a real folder")
    if target.exists() and not target.is_dir():
        raise ReportError(f"report folder {target} exists and is not a folder")
    if not target.exists():
        return set()
    owned = _owned_files(target)
    for name in [*new_files, MANIFEST]:
        path = target / name
        if path.is_symlink():
            raise ReportError(f"{path} is a symbolic link; refusing to replace it")
        if path.exists() and name not in owned:
            raise ReportError(f"{path} exists and was not written by a qderive report; move it aside or use --out")
    return owned


def _install(staging: Path, target: Path, files: list[str], owned: set[str]) -> None:
    """Move the staged report into ``target``: one rename when the folder holds only report files."""
    if not target.exists():
        os.replace(staging, target)
        return
    foreign = [p for p in target.rglob("*") if p.is_file() and str(p.relative_to(target)) not in owned]
    if not foreign:
        backup = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        os.replace(target, backup / target.name)
        os.replace(staging, target)
        shutil.rmtree(backup)
        return
    for name in owned - {*files, MANIFEST}:  # the previous report's files the new one no longer has
        (target / name).unlink(missing_ok=True)
    for name in [*files, MANIFEST]:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target / name)
    shutil.rmtree(staging)


def check_folder(folder: Path | str) -> Path:
    """Refuse, before any work is done, a report folder that cannot be written (a file, a link, no permission).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as parent:
    ...     target = check_folder(Path(parent) / "new" / "report")  # its parent is created, the folder is not
    ...     print(target.parent.is_dir(), target.exists())
    True False
    """
    target = Path(folder).absolute()
    if target.is_symlink():
        raise ReportError(f"report folder {target} is a symbolic link; give a real folder")
    if target.exists() and not target.is_dir():
        raise ReportError(f"report folder {target} exists and is not a folder")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(f"cannot create the report folder {target}: {error.strerror or error}") from None
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise ReportError(f"cannot write into {target.parent} (permission denied)")
    return target


def write_report(report: Report, folder: Path | str, writers: tuple[Writer, ...] = WRITERS) -> ReportSummary:
    """Write ``report`` into ``folder`` (see the module docstring for the safety rules).

    Examples
    --------
    >>> import tempfile
    >>> from qderive.derivations.contract import Derivation, Report
    >>> from qderive.symbolic import ParameterSet
    >>> report = Report(Derivation("demo", "demo", ParameterSet((), {}), (), (), {}), None, ())
    >>> with tempfile.TemporaryDirectory() as parent:
    ...     target = Path(parent) / "out"
    ...     target.mkdir()
    ...     _ = (target / "report.md").write_text("my own notes")  # not written by a report
    ...     try:
    ...         write_report(report, target)
    ...     except ReportError as error:
    ...         print("refused:", "was not written by a qderive report" in str(error))
    ...     (target / "report.md").unlink()
    ...     _ = (target / "notes.txt").write_text("mine")
    ...     _ = write_report(report, target)
    ...     _ = write_report(report, target)  # a report replaces its own previous files ...
    ...     print((target / "notes.txt").read_text(), sorted(p.name for p in target.iterdir()))  # ... and no others
    refused: True
    mine ['.qderive-report.json', 'notes.txt', 'report.html', 'report.md', 'results.json']
    """
    target = Path(folder).absolute()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; a report folder is for reading
    except OSError as error:
        raise ReportError(f"cannot create the report folder {target}: {error.strerror or error}") from None
    try:
        files: list[str] = []
        for writer in writers:
            files += writer(report, staging)
        derivation = report.derivation
        manifest = {"files": files, "name": derivation.name, "version": package_version(),
                    "parameters": derivation.to_json()["parameters"]}
        _write_text(staging / MANIFEST, json.dumps(manifest, indent=2))
        owned = _check_target(target, files)
        _install(staging, target, files, owned)
    except OSError as error:
        raise ReportError(f"cannot write the report into {target}: {error.strerror or error}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return ReportSummary(target, _passed(report), summary_text(report, target), tuple(files))


def _passed(report: Report) -> bool:
    return report.validation is None or report.validation.passed


def summary_text(report: Report, folder: Path) -> str:
    """The lines ``qderive run`` prints.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.derivations.contract import Derivation, Discrepancy, Quantity, Report
    >>> from qderive.symbolic import ParameterSet
    >>> results = {"Gamma": Quantity(sp.Symbol("G"), "rad/s", 2.5e6)}
    >>> d = Derivation("demo", "demo", ParameterSet((), {}), (), (), results, (Discrepancy("s", "a", "b", "c"),))
    >>> print(summary_text(Report(d, None, ()), Path("/reports/demo")))
    report of 'demo' in /reports/demo
      Gamma = 2.5e+06 rad/s
      1 discrepancies with the source (see report.md)
    """
    d, v = report.derivation, report.validation
    lines = [f"report of '{d.name}' in {folder}"]
    lines += [f"  {k} = {q.value:.6g} {q.units}".rstrip() for k, q in d.results.items() if q.value is not None]
    if v is not None:
        lines.append(f"  validation: {'PASSED' if v.passed else 'FAILED'}: {v.reason}")
    lines += [f"  figure: {folder / 'figures' / (f.name + '.png')}" for f in report.figures]
    if d.discrepancies:
        lines.append(f"  {len(d.discrepancies)} discrepancies with the source (see report.md)")
    return "\n".join(lines)


def write_index(entries: list[tuple[str, str, bool | None]], folder: Path | str) -> Path:
    """``index.html`` linking the report folders ``folder/<name>/`` (written by rename; never over a foreign file).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = write_index([("bloch", "Bloch", True)], folder)
    ...     print(path.name, 'href="bloch/report.html"' in path.read_text())
    ...     _ = path.write_text("<html>someone else's page</html>")
    ...     try:
    ...         write_index([], folder)
    ...     except ReportError as error:
    ...         print(str(error).endswith("move it aside or use --out"))
    index.html True
    True
    """
    folder = Path(folder)
    path = folder / "index.html"
    if path.is_symlink():
        raise ReportError(f"{path} is a symbolic link; refusing to replace it")
    if path.exists() and "<title>qderive reports</title>" not in path.read_text(encoding="utf-8", errors="replace"):
        raise ReportError(f"{path} exists and was not written by qderive; move it aside or use --out")
    handle, temporary = tempfile.mkstemp(prefix=".index-", suffix=".html", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(index_page(entries))
    os.replace(temporary, path)
    return path
