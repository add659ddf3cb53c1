"""Human-readable renderings of a derivation: plain text, Markdown and LaTeX."""

from __future__ import annotations

import sympy as sp

from .base import Derivation, Result


def _value(result: Result) -> str:
    return "-" if result.value is None else f"{result.value:.6g} {result.units}"


def to_text(d: Derivation) -> str:
    lines = [f"{d.name}: {d.title}", "", "Assumptions:"]
    lines += [f"  - {a}" for a in d.assumptions]
    lines += ["", "Steps:"]
    for k, step in enumerate(d.steps, 1):
        lines.append(f"  {k}. {step.title}")
        lines.append(f"     {step.latex}")
        if step.note:
            lines.append(f"     ({step.note})")
    lines += ["", "Results:"]
    for key, r in d.results.items():
        lines.append(f"  {key} = {sp.sstr(r.expr)}")
        lines.append(f"      value: {_value(r)}" + (f"  -- {r.meaning}" if r.meaning else ""))
    if d.discrepancies:
        lines += ["", "Discrepancies with the source:"]
        for x in d.discrepancies:
            lines += [f"  - {x.source}: stated {x.stated}; derived {x.derived}", f"    {x.note}"]
    return "\n".join(lines)


def to_markdown(d: Derivation) -> str:
    lines = [f"# {d.name}: {d.title}", "", "## Assumptions", ""]
    lines += [f"- {a}" for a in d.assumptions]
    lines += ["", "## Steps", ""]
    for k, step in enumerate(d.steps, 1):
        lines += [f"{k}. **{step.title}**", "", f"   $${step.latex}$$", ""]
        if step.note:
            lines += [f"   {step.note}", ""]
    lines += ["## Results", "", "| key | expression | value | meaning |", "|---|---|---|---|"]
    for key, r in d.results.items():
        lines.append(f"| `{key}` | ${sp.latex(r.expr)}$ | {_value(r)} | {r.meaning} |")
    if d.discrepancies:
        lines += ["", "## Discrepancies with the source", ""]
        for x in d.discrepancies:
            lines.append(f"- **{x.source}**: stated `{x.stated}`, derived `{x.derived}`. {x.note}")
    return "\n".join(lines) + "\n"


def to_latex(d: Derivation) -> str:
    lines = [rf"\section*{{{d.name}: {d.title}}}", r"\subsection*{Assumptions}", r"\begin{itemize}"]
    lines += [rf"\item {a}" for a in d.assumptions]
    lines += [r"\end{itemize}", r"\subsection*{Steps}", r"\begin{enumerate}"]
    for step in d.steps:
        lines += [rf"\item {step.title}", r"\begin{equation*}", step.latex, r"\end{equation*}"]
    lines += [r"\end{enumerate}", r"\subsection*{Results}", r"\begin{align*}"]
    for key, r in d.results.items():
        name = key.replace("_", r"\_")
        lines.append(rf"\mathrm{{{name}}} &= {sp.latex(r.expr)} \\")
    lines += [r"\end{align*}"]
    return "\n".join(lines) + "\n"


FORMATS = {"text": to_text, "markdown": to_markdown, "latex": to_latex}
