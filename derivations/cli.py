"""The ``qderive`` command: list, derive, validate, run and bench registered derivations.

Every error is one line on stderr and a non-zero exit: 2 for bad input or a failed computation
(the :class:`qderive.QderiveError` family), 1 for a validation that ran and FAILED, 130 for Ctrl-C.
Set ``QDERIVE_DEBUG=1`` to see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import operator
import os
import sys
import warnings
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

from mpmath.libmp import NoConvergence

from qderive.symbolic import Parameter, QderiveError

from .contract import ValidationOptions
from .progress import Progress
from .registry import Registry
from .render import FORMATS, to_latex
from .report import check_folder, write_index, write_report
from .units import parse_quantity

BENCHMARKS = ("symbolic", "codegen", "numeric", "cumulant", "sweep", "transducer001")
MAX_EXPRESSION_LENGTH = 200
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
              ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}


def parse_number(text: str) -> complex | float:
    """A number from arithmetic on literals and ``pi`` (e.g. ``2*pi*1e6``, ``1e6+2e5j``), refusing anything else.

    Examples
    --------
    >>> parse_number("2*pi*1e6")
    6283185.307179586
    """

    def evaluate(node: ast.AST) -> complex | float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex)) \
                and not isinstance(node.value, bool):
            return node.value if isinstance(node.value, complex) else float(node.value)
        if isinstance(node, ast.Name) and node.id == "pi":
            return math.pi
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](evaluate(node.operand))
        raise ValueError(text)

    if len(text) > MAX_EXPRESSION_LENGTH:
        raise QderiveError(f"value '{text[:20]}...' is longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        value = evaluate(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError, MemoryError):
        raise QderiveError(f"cannot read '{text}' as a number (use digits, + - * / **, pi)") from None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        raise QderiveError(f"'{text}' is not a finite number")
    return value


def parse_settings(settings: Sequence[str], parameters: Sequence[Parameter] = ()) -> dict[str, complex | float]:
    """``KEY=VALUE`` items to a dict: a parameter's named value (``pump_pol=phi``), a value with units converted
    to the parameter's declared unit (``r=10nm``, ``g=2*pi*1.2MHz``, :func:`~.units.parse_quantity`), or a plain
    number (:func:`parse_number`) for a key that is not a parameter (refused later by name).

    Examples
    --------
    >>> from qderive.symbolic import Parameter
    >>> g = Parameter("g", "coupling", "rad/s")
    >>> settings = parse_settings(["g=2*pi*1.2MHz", "n=3"], [g])  # units converted; a non-parameter read as a number
    >>> round(settings["g"] / (2 * math.pi * 1.2e6), 12), settings["n"]
    (1.0, 3.0)
    >>> parse_settings(["g"], [g])
    Traceback (most recent call last):
    ...
    qderive.errors.QderiveError: --set takes KEY=VALUE, got 'g'
    >>> parse_settings(["n=__import__('os')"])  # user strings never become code
    Traceback (most recent call last):
    ...
    qderive.errors.QderiveError: cannot read '__import__('os')' as a number (use digits, + - * / **, pi)
    """
    by_name = {p.name: p for p in parameters}
    values = {}
    for item in settings:
        key, sep, text = item.partition("=")
        key, text = key.strip(), text.strip()
        if not sep or not key:
            raise QderiveError(f"--set takes KEY=VALUE, got '{item}'")
        if key not in by_name:
            values[key] = parse_number(text)
            continue
        parameter = by_name[key]
        named = parameter.named_value(text)
        if named is not None:
            values[key] = named
            continue
        try:
            values[key] = parse_quantity(text, parameter.unit, key)
        except QderiveError:
            if not parameter.aliases:
                raise
            names = ", ".join(name for name, _ in parameter.aliases)
            raise QderiveError(f"{key}: '{text}' is neither a value in {parameter.unit} nor one of {names}") from None
    return values


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def _cmd_list(args: argparse.Namespace, registry: Registry) -> int:
    systems = list(registry)
    if args.json:
        _print_json([{"name": s.name, "title": s.title, "summary": s.summary,
                      "parameters": {p.name: {"meaning": p.meaning, "unit": p.unit, "domain": p.domain,
                                              "default": s.defaults[p.name]} for p in s.parameters}}
                     for s in systems])
    else:
        for s in systems:
            print(f"{s.name:16s} {s.summary}")
    return 0


def _cmd_derive(args: argparse.Namespace, registry: Registry) -> int:
    system = registry.get(args.name)
    derivation = system.derive(system.parameter_set(parse_settings(args.set, system.parameters)))
    if args.json or args.format == "json":
        _print_json(derivation.to_json())
    elif args.format == "latex":
        print(to_latex(derivation, standalone=args.standalone))
    else:
        print(FORMATS[args.format](derivation))
    return 0


def _cmd_validate(args: argparse.Namespace, registry: Registry) -> int:
    system = registry.get(args.name)
    parameters = system.parameter_set(parse_settings(args.set, system.parameters))
    options = ValidationOptions(quick=args.quick, progress=not args.quiet)
    with Progress(system.name, 2, enabled=options.progress) as progress:
        progress.stage("derive")
        derivation = system.derive(parameters)
        progress.stage("validate")
        validation = system.validate(derivation, options)
    if validation is None:
        raise QderiveError(f"derivation '{args.name}' has no validation against full numerics")
    if args.json:
        _print_json(validation.to_json())
    else:
        print(f"{validation.name}: {'PASSED' if validation.passed else 'FAILED'}: {validation.reason}")
        for key, value in {**validation.metrics, **validation.scaling}.items():
            print(f"  {key} = {value:.6g}")
        if validation.details:
            print(f"  {validation.details}")
    return 0 if validation.passed else 1


def _cmd_bench(args: argparse.Namespace, registry: Registry) -> int:
    names = [args.name] if args.name else list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            raise QderiveError(f"unknown benchmark '{name}'; known: {', '.join(BENCHMARKS)}")
    modules = {name: import_module(f"qderive.bench.{name}_bench") for name in names}
    if args.loaded:
        unloadable = [name for name, module in modules.items() if not hasattr(module, "ROWS")]
        if unloadable:
            raise QderiveError(f"--loaded runs benchmarks row by row in fresh processes; "
                               f"{', '.join(unloadable)} cannot (use: qderive bench numeric --loaded)")
    results = {}
    with Progress("bench", len(names), enabled=not args.quiet) as progress:
        for name, module in modules.items():
            progress.stage(name)
            options = {"quick": args.quick}
            if hasattr(module, "ROWS"):  # row by row, each announced
                options |= {"loaded": args.loaded,
                            "progress": Progress(f"bench {name}", len(module.ROWS), enabled=not args.quiet)}
            results[name] = module.run(**options)
    if args.json:
        _print_json(results[names[0]] if len(names) == 1 else results)
    else:
        for name, result in results.items():
            print(f"[{name}]")
            for b in result["benchmarks"]:
                peer = "no peer" if b["peer_s"] is None else f"{b['peer']} {b['peer_s']:.4g} s, ratio {b['ratio']:.3g}"
                loaded = ""
                if "loaded_ratio" in b:
                    loaded = (f"; loaded ratio {b['loaded_ratio']:.3g} (worst of {len(b['loaded_ratios'])} processes)"
                              f", {'at least' if b['holds'] else 'BELOW'} half the quiet ratio")
                print(f"  {b['name']}: ours {b['ours_s']:.4g} s; {peer}{loaded}")
    return 0


def _cmd_run(args: argparse.Namespace, registry: Registry) -> int:
    run_all = args.name == "all"
    if run_all and args.set:
        raise QderiveError("--set applies to one derivation; use 'qderive run NAME --set ...'")
    names = registry.names() if run_all else [registry.get(args.name).name]
    root = Path(args.out or "reports")
    status, entries = 0, []
    for name in names:
        system = registry.get(name)
        out = check_folder(root / name if run_all or not args.out else root)
        report = system.report(system.parameter_set(parse_settings(args.set, system.parameters)),
                               ValidationOptions(quick=args.quick, progress=not args.quiet))
        summary = write_report(report, out)
        if not args.quiet:
            print(summary.text)
        if not summary.passed:
            status = 1
        entries.append((name, system.title, None if report.validation is None else report.validation.passed))
    if run_all:
        index = write_index(entries, root)
        if not args.quiet:
            print(f"index: {index}")
    return status


def _cmd_sweep(args: argparse.Namespace, registry: Registry) -> int:
    import numpy as np

    from .sweep import sweep
    from .sweep_grid import GridError, split_axis_text

    system = registry.get(args.name)
    grid: dict[str, Any] = {}
    for text in args.grid:
        key, spec = split_axis_text(text)
        if key in grid:
            raise GridError(f"--grid gives '{key}' twice")
        grid[key] = spec  # read with the parameter's unit by the sweep
    if not grid:
        raise GridError("qderive sweep needs at least one --grid KEY=START:STOP:NUM[:log]")
    try:
        dataset = sweep(system, grid, fixed=parse_settings(args.set, system.parameters), results=args.results,
                        validate=args.validate, backend=args.backend, scheduler=args.scheduler, out=args.out,
                        progress=not args.quiet, quick=not args.full, workers=args.workers)
    except KeyboardInterrupt:
        where = f"finished points are stored in {args.out}; rerun the same command to resume" if args.out else \
            "nothing was stored (no --out)"
        print(f"qderive: sweep interrupted; {where}", file=sys.stderr)
        return 130
    if args.quiet:
        return 0
    shape = " x ".join(f"{d} {n}" for d, n in dataset.sizes.items())
    print(f"{args.name}: {shape} points" + (f" -> {args.out}" if args.out else ""))
    for key, variable in dataset.data_vars.items():
        if key != "validation_status":
            values, unit = variable.values.real, variable.attrs.get("units", "")
            print(f"  {key}: {np.nanmin(values):.6g} .. {np.nanmax(values):.6g} {unit}".rstrip())
    if "validation_status" in dataset:
        status = dataset["validation_status"].values
        print(f"  validation: {(status == 1).sum()} passed, {(status == 0).sum()} failed, "
              f"{(status == -1).sum()} could not be validated")
    return 0


def _add_settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--set", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                        help="parameter values in SI units, rates in rad/s (2*pi*1e6 works); "
                             "--set a=1 b=2 and --set a=1 --set b=2 are the same")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``qderive`` command.

    Examples
    --------
    >>> args = build_parser().parse_args(["derive", "bloch", "--set", "Omega=2*pi*1e6", "Delta=0", "--json"])
    >>> args.command, args.name, args.set, args.json
    ('derive', 'bloch', ['Omega=2*pi*1e6', 'Delta=0'], True)
    >>> build_parser().parse_args(["sweep", "bloch", "--grid", "Omega=1e6:1e7:3:log"]).backend  # the default
    'serial'
    """
    parser = argparse.ArgumentParser(prog="qderive", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("list", help="list registered derivations")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_list)
    p = commands.add_parser("derive", help="derive and print steps and results")
    p.add_argument("name")
    _add_settings(p)
    p.add_argument("--format", choices=[*FORMATS, "json"], default="text")
    p.add_argument("--json", action="store_true", help="same as --format json")
    p.add_argument("--standalone", action="store_true", help="with --format latex: a complete LaTeX document")
    p.set_defaults(func=_cmd_derive)
    p = commands.add_parser("validate", help="check the derivation against the full model at these parameters")
    p.add_argument("name")
    _add_settings(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="skip the error-scaling study")
    p.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    p.set_defaults(func=_cmd_validate)
    p = commands.add_parser("run", help="derive, validate and draw figures into a report folder")
    p.add_argument("name", help="a derivation, or 'all'")
    _add_settings(p)
    p.add_argument("--out", help="report folder (default reports/NAME; with 'all', one subfolder per derivation)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--quick", action="store_true", help="quick validation")
    p.set_defaults(func=_cmd_run)
    p = commands.add_parser("sweep", help="closed forms (and validations) over a parameter grid, resumable")
    p.add_argument("name")
    p.add_argument("--grid", action="extend", nargs="+", default=[], metavar="KEY=START:STOP:NUM[:log]",
                   help="a swept parameter: NUM points from START to STOP (geometric with :log); repeatable")
    _add_settings(p)
    p.add_argument("--results", nargs="+", metavar="KEY", help="closed-form results (default: all compiled ones)")
    p.add_argument("--validate", action="store_true", help="validate against the full model at every point")
    p.add_argument("--full", action="store_true", help="full validations (default: quick)")
    p.add_argument("--backend", choices=("serial", "processes", "dask"), default="serial",
                   help="where validations run (default serial)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler, e.g. tcp://host:8786 "
                   "(with --backend dask; default: a local cluster)")
    p.add_argument("--workers", type=int, help="worker processes (default: the available cores)")
    p.add_argument("--out", metavar="FILE.zarr|FILE.nc", help="write as points finish; rerunning resumes")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(func=_cmd_sweep)
    p = commands.add_parser("bench", help="benchmarks against a peer, side by side")
    p.add_argument("name", nargs="?", help=f"one of {', '.join(BENCHMARKS)} (default: all)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    p.add_argument("--loaded", action="store_true",
                   help="each row quietly and in 4 fresh processes with every core kept busy (numeric only)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    p.set_defaults(func=_cmd_bench)
    return parser


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _warn_one_line(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"qderive: warning: {category.__name__}: {_one_line(message)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["list"])  # doctest: +ELLIPSIS
    bloch            optical Bloch equations: driven two-level atom with dephasing
    ...
    0
    >>> main(["validate", "bloch", "--quick", "--set", "Omega=1e15"])  # outside the regime: exit status 1
    bloch: FAILED: ... outside the regime of the approximation: Omega/omega_0 = 0.414 (needs <= 0.01: FAILS) ...
    1
    """
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warn_one_line
            warnings.simplefilter("error", RuntimeWarning)  # numerical overflow is a failure, not a footnote
            return args.func(args, Registry.discover())
    except QderiveError as error:
        print(f"qderive: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qderive: interrupted; nothing was left half-written", file=sys.stderr)
        return 130
    except (ArithmeticError, RecursionError, MemoryError, NoConvergence, RuntimeWarning) as error:
        print(f"qderive: error: the computation failed at these parameters ({type(error).__name__}: "
              f"{_one_line(error)}); check that the values are in a physical range", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"qderive: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except Exception as error:  # the command line never prints a traceback unless asked to
        if os.environ.get("QDERIVE_DEBUG"):
            raise
        print(f"qderive: internal error ({type(error).__name__}: {_one_line(error)}); "
              "rerun with QDERIVE_DEBUG=1 for the traceback and report it", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
