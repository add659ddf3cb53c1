"""Readable renderings of a derivation (and its validation): plain text, Markdown and LaTeX.

Examples
--------
>>> from qderive.derivations.registry import Registry
>>> system = Registry.discover().get("bloch")
>>> "rho_ee" in to_text(system.derive(system.parameter_set()))
True
"""

from __future__ import annotations

import re

import sympy as sp
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from .contract import Derivation, Quantity, Validation

_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                   "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                   "<": r"\textless{}", ">": r"\textgreater{}"}


def latex_text(text: str) -> str:
    """``text`` escaped for LaTeX text mode.

    Examples
    --------
    >>> print(latex_text("kappa_e & 50% of {g}"))
    kappa\\_e \\& 50\\% of \\{g\\}
    """
    return "".join(_LATEX_SPECIALS.get(c, c) for c in str(text))


def _value(q: Quantity) -> str:
    return "-" if q.value is None else f"{q.value:.6g} {q.units}".rstrip()


def plain(latex: str) -> str:
    """A LaTeX equation as readable Unicode text (``pylatexenc``), fractions bracketed: ``(a)/(b)``.

    Examples
    --------
    >>> plain(r"\\frac{g^{2}}{\\kappa}")
    '(g^2)/(κ)'
    >>> plain(r"\\Gamma = \\alpha \\beta")  # the space after a macro is kept (LaTeX would swallow it)
    'Γ = α β'
    """
    context = get_default_latex_context_db().filter_context()
    fractions = [MacroTextSpec(name, simplify_repl="(%s)/(%s)") for name in ("frac", "tfrac", "dfrac")]
    context.add_context_category("qderive-fractions", prepend=True, macros=fractions)
    spaced = re.sub(r"(\\[A-Za-z]+) ", r"\1{} ", latex)
    return LatexNodes2Text(math_mode="text", latex_context=context).latex_to_text(spaced).strip()


def to_text(d: Derivation, v: Validation | None = None) -> str:
    """Plain text: assumptions, conditions, steps, results, discrepancies (and the validation).

    Examples
    --------
    >>> from qderive.derivations.contract import Derivation, Quantity, Step, Validation
    >>> from qderive.symbolic import ParameterSet
    >>> g, kappa = sp.symbols("g kappa", positive=True)
    >>> step = Step("Purcell rate", r"\\Gamma = \\frac{4 g^{2}}{\\kappa}", operation="eliminate the cavity")
    >>> d = Derivation("demo", "Purcell rate", ParameterSet((), {}), ("weak coupling",), (step,),
    ...                {"Gamma": Quantity(4 * g**2 / kappa, "rad/s", 1.0, "emission rate into the cavity")})
    >>> print(to_text(d, Validation("demo", {"error": 0.01}, 0.01, 0.05, "relative error 0.01")))
    demo: Purcell rate
    <BLANKLINE>
    Assumptions:
      - weak coupling
    <BLANKLINE>
    Steps:
      1. Purcell rate
         operation: eliminate the cavity
         Γ = (4 g^2)/(κ)
    <BLANKLINE>
    Results:
      Gamma = 4*g**2/kappa
          value: 1 rad/s  -- emission rate into the cavity
    <BLANKLINE>
    Validation: PASSED: relative error 0.01
      error = 0.01
    """
    lines = [f"{d.name}: {d.title}", "", "Assumptions:"]
    lines += [f"  - {a}" for a in d.assumptions]
    if d.conditions:
        lines += ["", "Conditions at these parameters:"]
        lines += [f"  - {c.describe()}" for c in d.conditions.values()]
    lines += ["", "Steps:"]
    for k, step in enumerate(d.steps, 1):
        lines.append(f"  {k}. {step.title}")
        if step.before:
            lines.append(f"     from: {plain(step.before)}")
        if step.operation:
            lines.append(f"     operation: {step.operation}")
        lines += [f"     {line}" for line in plain(step.latex).splitlines()]
        if step.note:
            lines.append(f"     ({step.note})")
    lines += ["", "Results:"]
    for key, q in d.results.items():
        lines.append(f"  {key} = {sp.sstr(q.expr)}")
        lines.append(f"      value: {_value(q)}" + (f"  -- {q.meaning}" if q.meaning else ""))
    if d.discrepancies:
        lines += ["", f"Discrepancies with the source ({len(d.discrepancies)}):"]
        for x in d.discrepancies:
            lines += [f"  - {x.source}: stated {x.stated}; derived {x.derived}", f"    {x.note}"]
    if v is not None:
        lines += ["", f"Validation: {'PASSED' if v.passed else 'FAILED'}: {v.reason}"]
        lines += [f"  {k} = {x:.6g}" for k, x in {**v.metrics, **v.scaling}.items()]
    return "\n".join(lines)


def _md_cell(text: str) -> str:
    return str(text).replace("|", r"\|").replace("\n", " ")


def to_markdown(d: Derivation, v: Validation | None = None) -> str:
    """Markdown with ``$$`` LaTeX (renders on code hosts and in Jupyter).

    Examples
    --------
    >>> from qderive.derivations.contract import Derivation, Quantity
    >>> from qderive.symbolic import ParameterSet
    >>> g = sp.Symbol("g", positive=True)
    >>> d = Derivation("demo", "a | b", ParameterSet((), {}), (), (), {"g2": Quantity(g**2, "", 4.0, "x | y")})
    >>> print(to_markdown(d).splitlines()[-1])  # a '|' in a table cell is escaped
    | `g2` | $g^{2}$ | 4 | x \\| y |
    """
    lines = [f"# {d.name}: {d.title}", "", "## Assumptions", ""]
    lines += [f"- {a}" for a in d.assumptions]
    if d.conditions:
        lines += ["", "## Conditions at these parameters", "", "| small parameter | value | limit | holds | meaning |",
                  "|---|---|---|---|---|"]
        lines += [f"| ${sp.latex(c.expr)}$ | {c.value:.3g} | {c.limit:g} | {'yes' if c.holds else '**NO**'} | "
                  f"{_md_cell(c.meaning)} |" for c in d.conditions.values()]
    lines += ["", "## Steps", ""]
    for k, step in enumerate(d.steps, 1):
        lines += [f"{k}. **{step.title}**", ""]
        if step.before:
            lines += [f"   From $${step.before}$$", ""]
        if step.operation:
            relies = f" (relies on {', '.join(step.relies_on)})" if step.relies_on else ""
            lines += [f"   *{step.operation}*{relies}", ""]
        lines += [f"   $${step.latex}$$", ""]
        if step.note:
            lines += [f"   {step.note}", ""]
    lines += ["## Results", "", "| key | expression | value | meaning |", "|---|---|---|---|"]
    for key, q in d.results.items():
        lines.append(f"| `{key}` | ${sp.latex(q.expr)}$ | {_value(q)} | {_md_cell(q.meaning)} |")
    if d.discrepancies:
        lines += ["", "## Discrepancies with the source", ""]
        lines += ["| source | stated | derived | why |", "|---|---|---|---|"]
        lines += [f"| {_md_cell(x.source)} | {_md_cell(x.stated)} | {_md_cell(x.derived)} | {_md_cell(x.note)} |"
                  for x in d.discrepancies]
    if v is not None:
        lines += ["", "## Validation", "", f"**{'PASSED' if v.passed else 'FAILED'}**: {v.reason}", "",
                  "| metric | value |", "|---|---|"]
        lines += [f"| `{k}` | {x:.6g} |" for k, x in {**v.metrics, **v.scaling}.items()]
        if v.details:
            lines += ["", v.details]
    return "\n".join(lines) + "\n"


def to_latex(d: Derivation, v: Validation | None = None, standalone: bool = False) -> str:
    """A LaTeX section (``standalone``: a complete document) with text escaped.

    Examples
    --------
    >>> from qderive.derivations.contract import Derivation
    >>> from qderive.symbolic import ParameterSet
    >>> d = Derivation("demo_1", "50% & more", ParameterSet((), {}), ("a_b",), (), {})
    >>> print(to_latex(d).splitlines()[0])
    \\section*{demo\\_1: 50\\% \\& more}
    >>> document = to_latex(d, standalone=True)
    >>> document.startswith("\\\\documentclass{article}"), document.rstrip().endswith("\\\\end{document}")
    (True, True)
    """
    lines = [rf"\section*{{{latex_text(d.name)}: {latex_text(d.title)}}}", r"\subsection*{Assumptions}",
             r"\begin{itemize}"]
    lines += [rf"\item {latex_text(a)}" for a in d.assumptions]
    lines += [r"\end{itemize}"]
    if d.conditions:
        lines += [r"\subsection*{Conditions at these parameters}", r"\begin{itemize}"]
        lines += [rf"\item ${sp.latex(c.expr)} = {c.value:.3g}$ (limit {c.limit:g}: "
                  rf"{'holds' if c.holds else 'FAILS'}) {latex_text(c.meaning)}" for c in d.conditions.values()]
        lines += [r"\end{itemize}"]
    lines += [r"\subsection*{Steps}", r"\begin{enumerate}"]
    for step in d.steps:
        lines.append(rf"\item {latex_text(step.title)}")
        if step.operation:
            lines.append(rf"\emph{{{latex_text(step.operation)}}}")
        lines += [r"\begin{equation*}", r"\begin{aligned}", step.latex,
                  r"\end{aligned}", r"\end{equation*}"]
        if step.note:
            lines.append(latex_text(step.note))
    lines += [r"\end{enumerate}", r"\subsection*{Results}", r"\begin{itemize}"]
    for key, q in d.results.items():
        value = "" if q.value is None else rf" $= {q.value:.6g}$ {latex_text(q.units)}"
        lines.append(rf"\item \texttt{{{latex_text(key)}}}: ${sp.latex(q.expr)}${value}. {latex_text(q.meaning)}")
    lines += [r"\end{itemize}"]
    if d.discrepancies:
        lines += [r"\subsection*{Discrepancies with the source}", r"\begin{itemize}"]
        lines += [rf"\item \textbf{{{latex_text(x.source)}}}: stated \texttt{{{latex_text(x.stated)}}}; derived "
                  rf"\texttt{{{latex_text(x.derived)}}}. {latex_text(x.note)}" for x in d.discrepancies]
        lines += [r"\end{itemize}"]
    if v is not None:
        lines += [r"\subsection*{Validation}", latex_text(f"{'PASSED' if v.passed else 'FAILED'}: {v.reason}")]
    body = "\n".join(lines) + "\n"
    if not standalone:
        return body
    return ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage[margin=2cm]{geometry}\n\\allowdisplaybreaks\n\\begin{document}\n" + body
            + "\\end{document}\n")


FORMATS = {"text": to_text, "markdown": to_markdown, "latex": to_latex}
