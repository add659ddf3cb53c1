"""A report folder: derivation (JSON, Markdown), validation (JSON) and figures, with a summary."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from qderive.symbolic import ParameterSet

from .base import Entry
from .render import to_markdown


@dataclass(frozen=True)
class ReportSummary:
    folder: Path
    passed: bool
    text: str


def write_report(entry: Entry, parameters: ParameterSet, folder: Path) -> ReportSummary:
    """Derive, validate and draw the figures of ``entry`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    derivation = entry.derive(parameters)
    (folder / "derivation.json").write_text(json.dumps(derivation.to_json(), indent=2, default=str))
    (folder / "derivation.md").write_text(to_markdown(derivation))
    lines = [f"report of '{entry.name}' in {folder}"]
    lines += [f"  {k} = {r.value:.6g} {r.units}" for k, r in derivation.results.items() if r.value is not None]
    passed = True
    if entry.validate is not None:
        validation = entry.validate(parameters)
        (folder / "validation.json").write_text(json.dumps(validation.to_json(), indent=2, default=str))
        passed = validation.passed
        lines.append(f"  validation: {'PASSED' if passed else 'FAILED'}")
        lines += [f"    {k} = {v:.6g}" for k, v in validation.metrics.items()]
    if entry.figures is not None:
        figures = entry.figures(parameters, folder / "figures")
        lines += [f"  figure: {path}" for path in figures]
    if derivation.discrepancies:
        lines.append(f"  {len(derivation.discrepancies)} discrepancies with the source (see derivation.md)")
    return ReportSummary(folder=folder, passed=passed, text="\n".join(lines))
