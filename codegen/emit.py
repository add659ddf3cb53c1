"""Turn SymPy expressions into the text of a small, readable Numba module.

The pipeline is: validate the arguments (:func:`prepare_arguments`), give orderings real
operands (:mod:`~qderive.codegen.real_operands`), eliminate common subexpressions and
print one assignment per temporary (:func:`lower`), then wrap the assignments into
``@njit`` functions (:func:`emit_scalar_module`, :func:`emit_array_module`) whose
signatures the module lists in ``SIGNATURES``; the loader compiles exactly those
(:mod:`~qderive.codegen.machine_code`).  The module starts with a comment block naming the
kernel, its arguments and the originating expression (truncated when very long).

No user text reaches the source verbatim: arguments and functions get generated ASCII
identifiers (:func:`identifier`), and symbol names and the expression appear only in
comments, escaped to printable characters (:func:`printable`), so a name holding a
newline, a quote or a Unicode line separator cannot end the comment.

Symbols without a real/complex assumption are treated as real: their kernel argument is a
``float64``.  Symbols declared complex (``Symbol("z", complex=True)``) or non-real become
``complex128`` arguments.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .cse import eliminate_common, expression_text, symengine_form
from .errors import CodegenError, InvalidArgumentsError, MissingArgumentError
from .llvm_body import Program, parse_body
from .printer import RUNTIME_NAMES, NumbaPrinter, check_supported
from .rational_body import lower_rational
from .real_operands import with_real_operands
from .special import __all__ as SPECIAL_NAMES

FLOAT, COMPLEX = "float64", "complex128"
#: Longest originating-expression text copied into the header comment.
MAX_COMMENT_CHARS = 2000
_NJIT_OPTIONS = 'error_model="numpy"'
_INLINE = 'inline="always", '
#: Real scalar kernels with at least this many operations get their body built as LLVM IR
#: (:mod:`~qderive.codegen.llvm_body`); Numba's per-operation typing dominates above it.
LLVM_BODY_MIN_OPERATIONS = 2000
#: Name of the module constant ``{function name: Numba signature}`` that the loader compiles.
SIGNATURES = "SIGNATURES"


@dataclass(frozen=True)
class Argument:
    """One kernel argument.

    Attributes
    ----------
    symbol : sympy.Symbol
        The symbol as the caller gave it.
    name : str
        The Python identifier used for it in the generated source.
    dtype : str
        ``"float64"`` or ``"complex128"``.
    local : sympy.Symbol
        The symbol used during code generation: named ``name``, real-assumed when the
        caller's symbol had no real/complex assumption.

    Examples
    --------
    >>> x, z = sp.Symbol("x"), sp.Symbol("z", complex=True)
    >>> [(a.name, a.dtype, a.local.is_real) for a in prepare_arguments([x, z], [x * z], set())]
    [('x', 'float64', True), ('z', 'complex128', None)]
    """

    symbol: sp.Symbol
    name: str
    dtype: str
    local: sp.Symbol


@dataclass(frozen=True)
class Lowered:
    """Expressions after CSE, printed.

    Attributes
    ----------
    assignments : list of (str, str)
        ``(temporary, printed value)`` in evaluation order.
    outputs : list of str
        Printed output expressions, one per input expression, in the kernel's dtype
        (``.real`` applied where a real kernel's value may be complex at run time).
    dtype : str
        The kernel's result dtype.
    replacements, reduced :
        The result of :func:`~qderive.codegen.cse.eliminate_common` as it came (temporaries
        without assumptions), for the reference evaluation; empty when SymEngine lowered the
        expressions (:mod:`~qderive.codegen.rational_body`).
    expressions : list of sympy.Expr
        The expressions before CSE (in the local symbols), for the reference evaluation.
    symengine_expressions : tuple of symengine.Basic
        When SymEngine lowered the expressions: the same expressions before CSE, in SymEngine
        and the arguments' source names; the reference evaluates them whole, with MPFR.

    Examples
    --------
    >>> x = sp.Symbol("x", positive=True)
    >>> (arg,) = prepare_arguments([x], [sp.sin(x) ** 2 + sp.sin(x)], set())
    >>> lowered = lower([sp.sin(arg.local) ** 2 + sp.sin(arg.local)], [arg], None, set(), (1e-10, 0.0))
    >>> lowered.dtype, len(lowered.assignments)  # sin(x) is computed once
    ('float64', 1)
    """

    assignments: list[tuple[str, str]]
    outputs: list[str]
    dtype: str
    replacements: list[tuple[sp.Symbol, sp.Expr]]
    reduced: list[sp.Expr]
    expressions: list[sp.Expr]
    symengine_expressions: tuple = ()


@dataclass(frozen=True)
class EmittedModule:
    """Generated source of one kernel module plus what the loader needs to know.

    Examples
    --------
    >>> x = sp.Symbol("x", positive=True)
    >>> module = emit_scalar_module(sp.sqrt(x), [x], name="root", dtype=None, parallel=False, cache_key="k",
    ...                             versions="v")
    >>> module.dtype, module.signatures
    ('float64', {'root': 'float64(float64)', 'root_loop': "void(Array(float64, 1, 'C', readonly=True), float64[::1])"})
    """

    source: str
    dtype: str
    arguments: tuple[Argument, ...]
    function_names: dict[str, str]
    #: Numba signature of each function, in compilation order (also in the source).
    signatures: dict[str, str]
    lowered: Lowered
    #: Index (C order) of the entry each lowered output computes; other entries are zero.
    output_entries: tuple[int, ...]
    #: A large real kernel's straight-line body as parsed and checked here, for the compile in this
    #: process (``straight_line(...).adopt``); a module read from the cache parses its own text.
    body_program: Program | None = None


def is_complex_symbol(symbol: sp.Symbol) -> bool:
    """Whether a kernel argument for ``symbol`` is ``complex128`` (else ``float64``).

    Examples
    --------
    >>> is_complex_symbol(sp.Symbol("z", complex=True)), is_complex_symbol(sp.Symbol("x"))
    (True, False)
    """
    return symbol.is_real is False or (symbol.is_real is None and symbol.is_complex is True)


def identifier(name: str, taken: set[str]) -> str:
    """A fresh ASCII Python identifier resembling ``name``; it is added to ``taken``.

    Greek letters are spelled out; other invalid characters become underscores.

    Examples
    --------
    >>> identifier("\\\\kappa_{a}", set()), identifier("Δ", set()), identifier("lambda", set())
    ('kappa_a', 'Delta', 'lambda_')
    """
    spelled = "".join(_spell(ch) for ch in name)
    base = re.sub(r"\W", "_", spelled, flags=re.ASCII)
    base = re.sub(r"_+", "_", base).strip("_") or "arg"
    if base[0].isdigit():
        base = "a_" + base
    if keyword.iskeyword(base) or base in RUNTIME_NAMES:
        base += "_"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped as in a Python literal.

    Letters, digits, punctuation, symbols and the space stay (``\\kappa``, ``Δ``); line
    breaks of any kind (``\\n``, ``\\r``, U+2028, ...), other control and format
    characters and unpaired surrogates become escapes, so the result is one line that
    no tokenizer splits.

    Examples
    --------
    >>> printable("x\\nimport os"), printable("Δ\\u2028"), printable("\\\\kappa")
    ('x\\\\nimport os', 'Δ\\\\u2028', '\\\\kappa')
    """
    return "".join(ch if ch == " " or unicodedata.category(ch)[0] in "LMNPS" else ascii(ch)[1:-1]
                   for ch in text)


def _spell(ch: str) -> str:
    if ch.isascii():
        return ch
    words = unicodedata.name(ch, "").split()
    if len(words) >= 4 and words[0] == "GREEK" and words[2] == "LETTER":
        letter = words[3].lower()
        return letter.capitalize() if words[1] == "CAPITAL" else letter
    return f"u{ord(ch):x}"


def prepare_arguments(
    args: Sequence[sp.Symbol], exprs: Sequence[sp.Expr], reserved: set[str]
) -> tuple[Argument, ...]:
    """Validate ``args`` against ``exprs`` and name each argument for the source.

    Raises
    ------
    InvalidArgumentsError
        An argument is not a symbol, or appears twice.
    MissingArgumentError
        A free symbol of ``exprs`` is not among ``args``.

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> [a.name for a in prepare_arguments([x, y], [x + y], {"x"})]  # a reserved name is avoided
    ['x_2', 'y']
    >>> prepare_arguments([x], [x + y], set())
    Traceback (most recent call last):
    ...
    qderive.codegen.errors.MissingArgumentError: free symbol(s) y of the expression are not in the argument list ...
    """
    args = tuple(args)
    for arg in args:
        if not isinstance(arg, sp.Symbol):
            raise InvalidArgumentsError(
                f"argument {arg!r} is not a sympy Symbol; kernels take symbols as arguments "
                "(substitute symbols for indexed objects or functions first)"
            )
    duplicates = sorted({str(a) for a in args if args.count(a) > 1})
    if duplicates:
        raise InvalidArgumentsError(f"argument(s) {', '.join(duplicates)} listed more than once")
    free = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    missing = sorted(free - set(args), key=str)
    if missing:
        names = ", ".join(str(s) for s in missing)
        raise MissingArgumentError(
            f"free symbol(s) {names} of the expression are not in the argument list "
            f"{[str(a) for a in args]}; add them to args or substitute numbers for them"
        )
    taken = set(reserved)
    out = []
    for arg in args:
        name = identifier(arg.name, taken)
        if is_complex_symbol(arg):
            local, dtype = sp.Symbol(name, **arg.assumptions0), COMPLEX
        elif arg.is_real:
            local, dtype = sp.Symbol(name, **arg.assumptions0), FLOAT
        else:
            local, dtype = sp.Symbol(name, real=True), FLOAT
        out.append(Argument(arg, name, dtype, local))
    return tuple(out)


def _temporaries(taken: set[str]) -> Iterator[sp.Symbol]:
    n = 0
    while True:
        name = f"x{n}"
        n += 1
        if name not in taken:
            yield sp.Symbol(name)


def _facts(expr: sp.Expr, real_valued: bool, ask_sign: bool) -> dict[str, bool]:
    """The sign/realness assumptions known for ``expr`` (for CSE temporaries).

    SymPy's sign queries are asked only where the printer may need the answer
    (``ask_sign``, see :func:`_sign_queried`) and only of small expressions: on large sums
    they cost more than the whole code generation and rarely succeed.
    """
    if real_valued and ask_sign and _is_small(expr):
        if expr.is_positive:
            return {"positive": True}
        if expr.is_nonnegative:
            return {"nonnegative": True}
    return {"real": True} if real_valued else {}


#: Functions whose printing asks whether their argument is nonnegative.
_SIGN_QUERIED = frozenset({"log", "besselj", "bessely", "besseli", "besselk"})


def _sign_queried(replacements: Sequence[tuple[sp.Symbol, sp.Expr]], reduced: Sequence[sp.Expr]) -> set[sp.Symbol]:
    """The temporaries whose sign printing may ask for.

    The printer and :func:`~qderive.codegen.printer.is_real_valued` ask for a sign only of
    the base of a non-integer power and of the argument of ``log`` and the Bessel
    functions; a temporary counts when it occurs there, or in the value of a temporary
    that counts (its sign is derived from its value's).  The others need no SymPy sign
    query, which costs about a millisecond each.
    """
    values = dict(replacements)

    def temporaries_in(expr: sp.Basic) -> set[sp.Symbol]:
        return {symbol for symbol in expr.free_symbols if symbol in values}

    wanted: set[sp.Symbol] = set()
    for expr in [value for _, value in replacements] + list(reduced):
        for node in sp.preorder_traversal(expr):
            if isinstance(node, sp.Pow) and not node.exp.is_Integer:
                wanted |= temporaries_in(node.base)
            elif type(node).__name__ in _SIGN_QUERIED:
                wanted |= temporaries_in(node)
    for temp, value in reversed(replacements):
        if temp in wanted:
            wanted |= temporaries_in(value)
    return wanted


def _is_small(expr: sp.Basic, limit: int = 40) -> bool:
    for count, _ in enumerate(sp.preorder_traversal(expr)):
        if count >= limit:
            return False
    return True


def _substitute(expr: sp.Basic, mapping: dict, memo: dict) -> sp.Basic:
    """``expr.xreplace(mapping)`` without re-evaluating the rebuilt nodes.

    ``xreplace`` re-canonicalises every node it rebuilds, which on large CSE output costs
    far more than the CSE itself; the structure here is already canonical.  ``memo``
    may be shared between calls as long as ``mapping`` only grows.
    """
    if expr in memo:
        return memo[expr]
    if expr in mapping:
        result = mapping[expr]
    elif not expr.args:
        result = expr
    else:
        args = tuple(_substitute(arg, mapping, memo) for arg in expr.args)
        if args == expr.args:
            result = expr
        elif isinstance(expr, (sp.Add, sp.Mul, sp.Pow, sp.Function)):
            result = expr.func(*args, evaluate=False)
        else:
            result = expr.func(*args)
    memo[expr] = result
    return result


def _localise(exprs: Sequence[sp.Expr], arguments: Sequence[Argument]) -> list[sp.Expr]:
    """``exprs`` in the arguments' local symbols.

    A symbol without a real/complex assumption becomes a real one, and SymPy must then
    re-evaluate what that settles (``conjugate(x) -> x``); when no argument gains an
    assumption only names change, and the rebuild skips the (on large expressions, costly)
    re-evaluation, or is skipped when nothing changes at all.
    """
    mapping = {a.symbol: a.local for a in arguments if a.symbol != a.local}
    if not mapping:  # same names and assumptions: the expressions themselves
        return list(exprs)
    if any(a.symbol.assumptions0 != a.local.assumptions0 for a in arguments):
        return [e.xreplace(mapping) for e in exprs]
    memo: dict = {}
    return [_substitute(e, mapping, memo) for e in exprs]


def lower(
    exprs: Sequence[sp.Expr], arguments: Sequence[Argument], dtype: str | None, taken: set[str],
    tolerance: tuple[float, float], known: tuple[sp.Expr, object] | None = None,
) -> Lowered:
    """CSE ``exprs`` (already in terms of the arguments' local symbols) and print them.

    ``known`` is the SymEngine form of one of them if already converted
    (:func:`~qderive.codegen.cse.symengine_form`).

    ``dtype=None`` infers ``complex128`` unless every expression is real-valued
    (:func:`~qderive.codegen.printer.is_real_valued`).
    CSE temporaries carry the assumptions SymPy proves for their values, so later
    printing still knows e.g. that a temporary is nonnegative and its square root real.
    ``tolerance = (rtol, atol)`` of the accuracy check decides when an operand of ``Max``,
    ``Min`` or a comparison counts as real (:func:`~qderive.codegen.real_operands.with_real_operands`).

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> (arg,) = prepare_arguments([x], [sp.exp(sp.I * x)], set())
    >>> lowered = lower([sp.exp(sp.I * arg.local)], [arg], None, set(), (1e-10, 0.0))
    >>> lowered.dtype  # e^(i x) is complex: the kernel's dtype is inferred
    'complex128'
    >>> lower([sp.exp(sp.I * arg.local)], [arg], "float64", set(), (1e-10, 0.0)).outputs  # forced real: .real
    ['(np.exp(x*1j)).real']
    """
    printer = NumbaPrinter({"order": "none"})
    exprs = [with_real_operands(e, *tolerance, printer.is_real) for e in exprs]
    replacements, reduced = eliminate_common(exprs, _temporaries(taken | {a.name for a in arguments}), known)
    renamed: dict[sp.Symbol, sp.Symbol] = {}
    maybe_complex = {a.local for a in arguments if a.dtype == COMPLEX}
    rebuilt: dict = {}
    assignments = []
    queried = _sign_queried(replacements, reduced)
    for temp, value in replacements:
        value = _substitute(value, renamed, rebuilt)
        real_valued = printer.is_real(value)
        local = sp.Symbol(temp.name, **_facts(value, real_valued, temp in queried))
        renamed[temp] = local
        assignments.append((temp.name, printer.doprint(value)))
        if printer.promoted or not real_valued or (maybe_complex and value.free_symbols & maybe_complex):
            maybe_complex.add(local)
    final = [_substitute(e, renamed, rebuilt) for e in reduced]
    if dtype is None:
        dtype = FLOAT if all(printer.is_real(e) for e in final) else COMPLEX
    outputs = []
    for expr in final:
        text = printer.doprint(expr)
        complex_value = (printer.promoted or not printer.is_real(expr)
                         or (maybe_complex and expr.free_symbols & maybe_complex))
        if dtype == FLOAT and complex_value:
            text = f"({text}).real"
        outputs.append(text)
    return Lowered(assignments, outputs, dtype, replacements, reduced, exprs)


def _comment_block(title: str, text: str) -> list[str]:
    total = len(text)
    text = printable(text[:MAX_COMMENT_CHARS + 1])  # escaping only lengthens: the prefix decides the cut
    if len(text) > MAX_COMMENT_CHARS:
        text = (text[:MAX_COMMENT_CHARS] + f" ... [truncated: {total} characters in total; "
                "the full expression is the kernel's .expr attribute]")
    lines = [f"# {title}"]
    for line in text.splitlines() or [""]:
        lines.extend("#     " + line[i:i + 88] for i in range(0, max(len(line), 1), 88))
    return lines


def _header(kind: str, name: str, arguments: Sequence[Argument], result: str,
            expression_text: str, cache_key: str, versions: str) -> list[str]:
    lines = [
        f"# {kind} `{name}`, generated by qderive.codegen -- do not edit by hand.",
        f"# Cache key: {cache_key}",
        f"# Versions: {versions}",
        "#",
        "# Arguments, in call order (name in source: dtype <- sympy symbol):",
    ]
    lines += [f"#     {a.name}: {a.dtype} <- {printable(a.symbol.name)}{_assumption(a.symbol)}" for a in arguments] \
        or ["#     (none)"]
    lines += [f"# Result: {result}", "#"]
    lines += _comment_block("Expression (SymPy):", expression_text)
    return lines


def _assumption(symbol: sp.Symbol) -> str:
    """The strongest of a few common assumptions, for the header: ``" (positive)"``."""
    for fact in ("positive", "nonnegative", "negative", "nonpositive", "integer", "real", "complex"):
        if getattr(symbol, f"is_{fact}"):
            return f" ({fact})"
    return " (no assumptions: real argument)"


def _imports(body: str) -> list[str]:
    lines = ["import numpy as np"]
    if "math." in body:
        lines.insert(0, "import math")
    lines.append("from numba import njit, prange" if "prange(" in body else "from numba import njit")
    llvm_body = [name for name in ("call_body", "straight_line") if f"{name}(" in body]
    if llvm_body:
        lines.append(f"from qderive.codegen.llvm_body import {', '.join(llvm_body)}")
    special = [name for name in SPECIAL_NAMES if f"{name}(" in body]
    if special:
        lines.append(f"from qderive.codegen.special import {', '.join(special)}")
    return lines


def _assemble(header: list[str], body: list[str], signatures: dict[str, str]) -> str:
    text = "\n".join(body)
    listing = ["", "", "#: Numba signatures, compiled in this order when qderive.codegen loads the module.",
               f"{SIGNATURES} = {{"] + [f"    {name!r}: {sig!r}," for name, sig in signatures.items()] + ["}"]
    return "\n".join(header + [""] + _imports(text) + ["", ""] + body + listing) + "\n"


def _statements(lowered: Lowered) -> list[str]:
    return [f"    {temp} = {value}" for temp, value in lowered.assignments]


def module_names(name: str, kind: str) -> tuple[set[str], dict[str, str]]:
    """Identifiers of a module's functions, and every name arguments must avoid.

    ``kind`` is ``"scalar"`` (functions ``scalar``, ``loop`` and, in a parallel kernel's module,
    ``parallel_loop``; a large real kernel's LLVM-built ``body``) or ``"array"`` (``fill``).

    Examples
    --------
    >>> module_names("T", "scalar")[1]
    {'scalar': 'T', 'loop': 'T_loop', 'parallel_loop': 'T_loop_parallel', 'body': 'T_body'}
    """
    taken = set(RUNTIME_NAMES) | {SIGNATURES}
    if kind == "scalar":
        scalar = identifier(name, taken)
        loop = identifier(f"{scalar}_loop", taken)
        return taken, {"scalar": scalar, "loop": loop, "parallel_loop": identifier(f"{loop}_parallel", taken),
                       "body": identifier(f"{scalar}_body", taken)}
    return taken, {"fill": identifier(f"{name}_fill", taken)}


def emit_scalar_module(
    expr: sp.Expr, args: Sequence[sp.Symbol], *, name: str, dtype: str | None, parallel: bool,
    cache_key: str, versions: str, tolerance: tuple[float, float] = (1e-10, 0.0),
) -> EmittedModule:
    """Source of a module with a scalar kernel and its vectorised loop (see :func:`module_names`).

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> module = emit_scalar_module(sp.cos(x) ** 2, [x], name="c2", dtype=None, parallel=False, cache_key="k",
    ...                             versions="v")
    >>> namespace = {}
    >>> exec(compile(module.source, "<c2>", "exec"), namespace)  # the @njit functions compile lazily
    >>> import math
    >>> math.isclose(namespace["c2"].py_func(0.3), math.cos(0.3) ** 2)  # the plain-Python body, uncompiled
    True
    """
    check_supported([expr])
    taken, names = module_names(name, "scalar")
    fname, loop_name, parallel_name = names["scalar"], names["loop"], names["parallel_loop"]
    arguments = prepare_arguments(args, [expr], taken)
    (local,) = _localise([expr], arguments)
    known = symengine_form(expr)  # one conversion for the CSE and the header's text
    rational = (lower_rational(known[1], arguments, LLVM_BODY_MIN_OPERATIONS)
                if known is not None and dtype in (None, FLOAT) else None)
    if rational is None:
        lowered = lower([local], arguments, dtype, taken, tolerance, known)
    else:  # a large rational function: SymEngine's CSE and printing, the reference from its form
        lowered = Lowered(rational.assignments, [rational.output], FLOAT, [], [], [local], (rational.form,))
    params = ", ".join(a.name for a in arguments)
    scalar_sig = f"{lowered.dtype}({', '.join(a.dtype for a in arguments)})"
    loop_sig = f"void({''.join(f'{_input_array(a.dtype)}, ' for a in arguments)}{lowered.dtype}[::1])"
    call = ", ".join(f"{a.name}[i]" for a in arguments)
    definition, statements, program = _scalar_body(lowered, arguments, fname, names["body"],
                                                   rational and rational.program)
    loop_params, point_value = f"{params + ', ' if params else ''}out", f"{fname}({call})"
    body = [
        *definition,
        f"@njit({_INLINE if not definition else ''}{_NJIT_OPTIONS})",
        f"def {fname}({params}):",
        f'    """One parameter point -> one value ({scalar_sig}); '
        f'{"its body is compiled once, with the loop over points beside it" if definition else "inlined into "}'
        f'{"" if definition else loop_name}."""',
        *statements,
    ]
    signatures = {fname: scalar_sig}
    if not definition:  # a large body's serial loop is built with it (qderive.codegen.llvm_body.BodyLoop)
        body += [
            "",
            "",
            f'@njit({_NJIT_OPTIONS})',
            f"def {loop_name}({loop_params}):",
            f'    """out[i] = {fname}(...) at point i of flat, contiguous, already broadcast',
            '    argument arrays (read-only allowed)."""',
            "    for i in range(out.shape[0]):",
            f"        out[i] = {point_value}",
        ]
        signatures[loop_name] = loop_sig
    if parallel:  # the same loop over Numba's thread pool; the kernel picks it for large calls only
        doc = f"{loop_name} with its points spread over the threads (prange)."
        if definition:  # calls the one compiled copy of the body, in the scalar kernel, by its address
            address = identifier("body_address", taken)
            loop_params, point_value = f"{loop_params}, {address}", f"call_body({address}, {call})"
            loop_sig = f"{loop_sig[:-1]}, intp)"
            doc = (f"out[i] = {fname}(...) with the points spread over the threads (prange);\n    `{address}` "
                   f"is the address of the body compiled into {fname} (llvm_body.body_address).")
        body += [
            "",
            "",
            f'@njit({_NJIT_OPTIONS}, parallel=True)',
            f"def {parallel_name}({loop_params}):",
            f'    """{doc}"""',
            "    for i in prange(out.shape[0]):",
            f"        out[i] = {point_value}",
        ]
        signatures[parallel_name] = loop_sig
    header = _header("Scalar kernel", fname, arguments, lowered.dtype, expression_text(expr, known),
                     cache_key, versions)
    return EmittedModule(_assemble(header, body, signatures), lowered.dtype, arguments, names, signatures,
                         lowered, (0,), program)


def _scalar_body(lowered: Lowered, arguments: Sequence[Argument], fname: str, body_name: str,
                 parsed: Program | None = None) -> tuple[list[str], list[str], Program | None]:
    """``(lines before the scalar function, its body, the parsed body)``: the statements
    themselves, or for a large real kernel a call of an LLVM-built straight-line body
    (:mod:`~qderive.codegen.llvm_body`) holding the same statements, defined before it, and
    those statements as parsed and checked (``parsed``, when they were already)."""
    statements = [f"{temp} = {value}" for temp, value in lowered.assignments] + [f"return {lowered.outputs[0]}"]
    names = tuple(a.name for a in arguments)
    real = lowered.dtype == FLOAT and all(a.dtype == FLOAT for a in arguments)
    try:
        program = parsed or (parse_body(names, "\n".join(statements)) if real else None)
    except CodegenError:  # outside the subset: plain Numba
        program = None
    if program is None or program.n_operations < LLVM_BODY_MIN_OPERATIONS:
        return [], [f"    {line}" for line in statements], None
    definition = [
        f"#: The body of {fname}: {program.n_operations} operations, built as LLVM IR (qderive.codegen.llvm_body).",
        f"{body_name} = straight_line(",
        f"    {names!r},",
        *(f"    {line + chr(10)!r}" for line in statements[:-1]),
        f"    {statements[-1]!r},",
        ")",
        "",
        "",
    ]
    return definition, [f"    return {body_name}({', '.join(names)})"], program


def _input_array(dtype: str) -> str:
    return f"Array({dtype}, 1, 'C', readonly=True)"


def emit_array_module(
    entries: Sequence[sp.Expr], shape: tuple[int, ...], args: Sequence[sp.Symbol], *, name: str,
    dtype: str | None, cache_key: str, versions: str, expression_text: str,
    tolerance: tuple[float, float] = (1e-10, 0.0),
) -> EmittedModule:
    """Source of a module with an in-place filler ``name_fill(out, *args)``.

    ``entries`` lists the array's entries in C (row-major) order.

    Examples
    --------
    >>> x = sp.Symbol("x", real=True)
    >>> entries = [sp.cos(x), -sp.sin(x), sp.sin(x), sp.cos(x)]  # a rotation matrix
    >>> module = emit_array_module(entries, (2, 2), [x], name="R", dtype=None, cache_key="k", versions="v",
    ...                            expression_text="rotation")
    >>> namespace = {}
    >>> exec(compile(module.source, "<R>", "exec"), namespace)
    >>> out = np.empty((2, 2))
    >>> namespace["R_fill"].py_func(out, 0.4)
    >>> np.allclose(out @ out.T, np.eye(2))  # orthogonal
    True
    """
    check_supported(entries)
    taken, names = module_names(name, "array")
    fill_name = names["fill"]
    arguments = prepare_arguments(args, entries, taken)
    nonzero = [(index, e) for index, e in enumerate(entries) if e != 0]
    nonzero = list(zip([index for index, _ in nonzero], _localise([e for _, e in nonzero], arguments), strict=True))
    lowered = lower([e for _, e in nonzero], arguments, dtype, taken, tolerance)
    params = ", ".join(["out"] + [a.name for a in arguments])
    sig = f"void({lowered.dtype}[{', '.join([':'] * len(shape))}]{''.join(f', {a.dtype}' for a in arguments)})"
    body = [
        f"@njit({_NJIT_OPTIONS})",
        f"def {fill_name}({params}):",
        f'    """Overwrite every entry of `out` (shape {shape}) with its value at one point."""',
        *_statements(lowered),
    ]
    zeros = len(entries) - len(nonzero)
    if zeros:
        body.append(f"    out[:] = 0  # {zeros} of {len(entries)} entries are identically zero")
    for (flat, _), text in zip(nonzero, lowered.outputs, strict=True):
        index = ", ".join(str(i) for i in np.unravel_index(flat, shape))
        body.append(f"    out[{index}] = {text}")
    header = _header("Array filler", fill_name, arguments, f"{lowered.dtype} array of shape {shape}",
                     expression_text, cache_key, versions)
    signatures = {fill_name: sig}
    return EmittedModule(_assemble(header, body, signatures), lowered.dtype, arguments, names, signatures,
                         lowered, tuple(index for index, _ in nonzero))


def resolve_dtype(dtype: object) -> str | None:
    """Normalise a user dtype request to ``None`` (infer), ``"float64"`` or ``"complex128"``.

    Examples
    --------
    >>> resolve_dtype(None), resolve_dtype(float), resolve_dtype("complex128")
    (None, 'float64', 'complex128')
    """
    if dtype is None:
        return None
    try:
        name = np.dtype(dtype).name
    except (TypeError, ValueError) as error:
        raise CodegenError(f"dtype must be float64 or complex128 (or None to infer), got {dtype!r}") from error
    if name not in (FLOAT, COMPLEX):
        raise CodegenError(f"dtype must be float64 or complex128 (or None to infer), got {name}")
    return name
