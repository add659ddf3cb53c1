"""One self-contained web page of a report: equations as MathML, figures embedded, no network.

Every equation is converted from SymPy's LaTeX by ``latex2mathml`` (a maintained converter), so
the page renders in any current browser without scripts or fonts from elsewhere. Figures are
embedded as base64 PNG. The page holds: assumptions; the conditions (small parameters) evaluated
at the report's parameters, marked as holding or not; every step as *from* equation, operation,
*to* equation and what it relies on; the results with values and units; the validation with
pass/fail; and the discrepancies with the source as a table (stated / derived / why).

Examples
--------
>>> "<math" in equation("\\\\frac{g^2}{\\\\kappa}")
True
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import sympy as sp
from latex2mathml.converter import convert

if TYPE_CHECKING:  # the contract renders itself through this module
    from .contract import Derivation, Report, Validation

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #111; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.step { margin: 1rem 0; padding: 0.5rem 1rem; border-left: 3px solid #4a6fa5; background: #fafbfd; }
.operation { font-style: italic; color: #333; }
.ok { color: #11651c; font-weight: bold; } .bad { color: #a3150f; font-weight: bold; }
math[display="block"] { overflow-x: auto; margin: 0.4rem 0; }
figure { margin: 1rem 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
"""


def _split_lines(latex: str) -> list[str]:
    r"""Top-level ``\\`` line breaks (outside braces and environments) as separate equations."""
    lines, depth, start, k = [], 0, 0, 0
    while k < len(latex):
        if latex.startswith(r"\begin{", k):
            depth += 1
        elif latex.startswith(r"\end{", k):
            depth -= 1
        elif latex[k] in "{}":
            depth += 1 if latex[k] == "{" else -1
        elif depth == 0 and latex.startswith("\\\\", k):
            lines.append(latex[start:k])
            start = k = k + 2
            continue
        k += 2 if latex[k] == "\\" else 1
    lines.append(latex[start:])
    return [line.strip() for line in lines if line.strip()]


def equation(latex: str, display: bool = True) -> str:
    """MathML of ``latex`` (one ``<math>`` element per top-level line).

    Examples
    --------
    >>> block = equation("a = b \\\\\\\\ c = d")  # two top-level lines: two <math> elements
    >>> block.count("<math"), block.count('display="block"')
    (2, 2)
    >>> equation("x^2", display=False).count('display="inline"')
    1
    """
    kind = "block" if display else "inline"
    parts = []
    for line in _split_lines(latex) if display else [latex]:
        parts.append(convert(line, display=kind))
    return "".join(parts)


def _e(text: object) -> str:
    return html.escape(str(text))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _verdict(ok: bool, yes: str = "holds", no: str = "FAILS") -> str:
    return f'<span class="{"ok" if ok else "bad"}">{yes if ok else no}</span>'


def heading(d: Derivation, level: int = 1) -> str:
    """``<hN>name: title</hN>``.

    Examples
    --------
    >>> from qderive.derivations.contract import Derivation
    >>> from qderive.symbolic import ParameterSet
    >>> heading(Derivation("demo", "a < b", ParameterSet((), {}), (), (), {}), 2)  # text is escaped
    '<h2>demo: a &lt; b</h2>'
    """
    return f"<h{level}>{_e(d.name)}: {_e(d.title)}</h{level}>"


def derivation_sections(d: Derivation) -> list[str]:
    """Assumptions, conditions, steps, results and discrepancies as HTML sections.

    Examples
    --------
    >>> from qderive.derivations.contract import Condition, Derivation, Discrepancy
    >>> from qderive.symbolic import ParameterSet
    >>> d = Derivation("demo", "demo", ParameterSet((), {}), ("<weak> coupling",), (), {},
    ...                (Discrepancy("Eq. 3", "g^2", "4 g^2", "factor 4"),),
    ...                {"g/kappa": Condition("g/kappa", sp.Symbol("g"), 0.5, 0.1)})
    >>> sections = derivation_sections(d)
    >>> [s[:s.index("</h2>")].removeprefix("<h2>") for s in sections]
    ['Assumptions', 'Conditions at these parameters', 'Steps', 'Results', 'Discrepancies with the source (1)']
    >>> "&lt;weak&gt;" in sections[0], '<span class="bad">FAILS</span>' in sections[1]
    (True, True)
    """
    out = ["<h2>Assumptions</h2><ul>" + "".join(f"<li>{_e(a)}</li>" for a in d.assumptions) + "</ul>"]
    if d.conditions:
        rows = [[equation(sp.latex(c.expr), display=False), f"{c.value:.3g}", f"{c.limit:g}", _verdict(c.holds),
                 _e(c.meaning)] for c in d.conditions.values()]
        out.append("<h2>Conditions at these parameters</h2>"
                   + _table(["small parameter", "value", "limit", "", "meaning"], rows))
    steps = []
    for k, s in enumerate(d.steps, 1):
        parts = [f"<h3>{k}. {_e(s.title)}</h3>"]
        if s.before:
            parts.append("<p>From</p>" + equation(s.before))
        if s.operation:
            relies = f" (relies on: {_e(', '.join(s.relies_on))})" if s.relies_on else ""
            parts.append(f'<p class="operation">{_e(s.operation)}{relies}</p>')
        parts.append(equation(s.latex))
        if s.note:
            parts.append(f"<p>{_e(s.note)}</p>")
        steps.append('<div class="step">' + "".join(parts) + "</div>")
    out.append("<h2>Steps</h2>" + "".join(steps))
    rows = [[f"<code>{_e(key)}</code>", equation(sp.latex(q.expr), display=False),
             "-" if q.value is None else _e(f"{q.value:.6g}"), _e(q.units), _e(q.meaning)]
            for key, q in d.results.items()]
    out.append("<h2>Results</h2>" + _table(["key", "expression", "value", "unit", "meaning"], rows))
    if d.discrepancies:
        rows = [[_e(x.source), _e(x.stated), _e(x.derived), _e(x.note)] for x in d.discrepancies]
        out.append(f"<h2>Discrepancies with the source ({len(d.discrepancies)})</h2>"
                   + _table(["source", "stated", "derived", "why"], rows))
    return out


def validation_section(v: Validation) -> str:
    """The validation verdict, reason and metrics.

    Examples
    --------
    >>> from qderive.derivations.contract import Validation
    >>> section = validation_section(Validation("demo", {"error": 0.2}, 0.2, 0.05, "error 0.2 > 0.05"))
    >>> '<span class="bad">FAILED</span>' in section, "<code>error</code>" in section
    (True, True)
    """
    rows = [[f"<code>{_e(k)}</code>", _e(f"{x:.6g}")] for k, x in {**v.metrics, **v.scaling}.items()]
    return (f"<h2>Validation: {_verdict(v.passed, 'PASSED', 'FAILED')}</h2><p>{_e(v.reason)}</p>"
            + _table(["metric", "value"], rows) + (f"<p>{_e(v.details)}</p>" if v.details else ""))


def figure_section(pngs: Sequence[tuple[str, str, bytes]]) -> str:
    """Figures ``(name, title, png bytes)`` embedded as data URLs.

    Examples
    --------
    >>> import base64
    >>> section = figure_section([("fig1", "A & B", b"PNG")])
    >>> base64.b64encode(b"PNG").decode() in section, "A &amp; B" in section
    (True, True)
    >>> figure_section([])  # nothing to show: no section
    ''
    """
    items = [f'<figure><img alt="{_e(title)}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'
             f"<figcaption>{_e(title)}</figcaption></figure>" for name, title, data in pngs]
    return "<h2>Figures</h2>" + "".join(items) if items else ""


def page(title: str, body: Sequence[str]) -> str:
    """A complete HTML document with the shared style and no external resources.

    Examples
    --------
    >>> document = page("t", ["<p>body</p>"])
    >>> document.startswith("<!DOCTYPE html>"), "default-src 'none'" in document  # no external resources
    (True, True)
    """
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
            f"style-src 'unsafe-inline'\"><style>{STYLE}</style></head><body>" + "".join(body) + "</body></html>")


def report_page(report: Report, figures: Sequence[tuple[str, str, bytes]] = ()) -> str:
    """The report page of ``report`` with the drawn figures.

    Examples
    --------
    >>> from qderive.derivations.contract import Derivation, Report
    >>> from qderive.symbolic import ParameterSet
    >>> report = Report(Derivation("demo", "demo", ParameterSet((), {}), (), (), {}), None, ())
    >>> document = report_page(report)
    >>> "<title>qderive report: demo</title>" in document, "Validation" in document  # no validation: no section
    (True, False)
    """
    d = report.derivation
    body = [heading(d)]
    parameters = [[f"<code>{_e(k)}</code>", _e(f"{v:.6g}" if isinstance(v, float) else v)]
                  for k, v in d.parameters.values.items()]
    body.append("<h2>Parameters</h2>" + _table(["parameter", "value (SI, rad/s)"], parameters))
    if report.validation is not None:
        body.append(validation_section(report.validation))
    body += derivation_sections(d)
    body.append(figure_section(figures))
    return page(f"qderive report: {d.name}", body)


def index_page(entries: Sequence[tuple[str, str, bool | None]]) -> str:
    """An index linking report folders: ``(name, title, passed)``.

    Examples
    --------
    >>> document = index_page([("bloch", "Bloch", True), ("demo", "no model", None)])
    >>> 'href="bloch/report.html"' in document, '<span class="ok">PASSED</span>' in document
    (True, True)
    """
    rows = [[f'<a href="{_e(name)}/report.html">{_e(name)}</a>', _e(title),
             "-" if passed is None else _verdict(passed, "PASSED", "FAILED")] for name, title, passed in entries]
    return page("qderive reports", ["<h1>qderive reports</h1>", _table(["derivation", "title", "validation"], rows)])


def write_html(report: Report, folder: Path) -> list[str]:
    """``report.html`` beside the drawn figures (``figures/<name>.png``), which it embeds.

    Examples
    --------
    >>> import tempfile
    >>> from qderive.derivations.contract import Derivation, Report
    >>> from qderive.symbolic import ParameterSet
    >>> report = Report(Derivation("demo", "demo", ParameterSet((), {}), (), (), {}), None, ())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_html(report, Path(folder))
    ...     print(written, (Path(folder) / "report.html").read_text().count("<h1>"))
    ['report.html'] 1
    """
    pngs = [(f.name, f.title, (folder / "figures" / f"{f.name}.png").read_bytes()) for f in report.figures]
    (folder / "report.html").write_text(report_page(report, pngs), encoding="utf-8")
    return ["report.html"]
