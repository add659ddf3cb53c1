"""The ``qderive`` command: list, derive, validate, bench and run registered derivations."""

from __future__ import annotations

import argparse
import ast
import json
import math
import operator
import sys
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

from qderive.symbolic import QderiveError

from . import registry
from .render import FORMATS
from .report import write_report

BENCHMARKS = ("symbolic", "codegen", "numeric")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
              ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}


def parse_number(text: str) -> float:
    """A number from arithmetic on literals and ``pi`` (e.g. ``2*pi*1e6``), refusing anything else."""

    def evaluate(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id == "pi":
            return math.pi
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](evaluate(node.operand))
        raise ValueError(text)

    try:
        return evaluate(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError):
        raise QderiveError(f"cannot read '{text}' as a number (use digits, + - * / **, pi)") from None


def parse_settings(settings: Sequence[str]) -> dict[str, float]:
    values = {}
    for item in settings:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise QderiveError(f"--set takes KEY=VALUE, got '{item}'")
        values[key.strip()] = parse_number(text.strip())
    return values


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def _cmd_list(args: argparse.Namespace) -> int:
    entries = [registry.entry(name) for name in registry.names()]
    if args.json:
        _print_json([{"name": e.name, "summary": e.summary, "validate": e.validate is not None,
                      "parameters": {p.name: {"meaning": p.meaning, "unit": p.unit, "default": e.defaults[p.name]}
                                     for p in e.parameters}} for e in entries])
    else:
        for e in entries:
            print(f"{e.name:16s} {e.summary}")
    return 0


def _cmd_derive(args: argparse.Namespace) -> int:
    entry = registry.entry(args.name)
    derivation = entry.derive(entry.parameter_set(parse_settings(args.set)))
    if args.json or args.format == "json":
        _print_json(derivation.to_json())
    else:
        print(FORMATS[args.format](derivation))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    entry = registry.entry(args.name)
    if entry.validate is None:
        raise QderiveError(f"derivation '{args.name}' has no validation against full numerics yet")
    validation = entry.validate(entry.parameter_set(parse_settings(args.set)))
    if args.json:
        _print_json(validation.to_json())
    else:
        print(f"{validation.name}: {'PASSED' if validation.passed else 'FAILED'}")
        for key, value in validation.metrics.items():
            print(f"  {key} = {value:.6g}")
        if validation.details:
            print(f"  {validation.details}")
    return 0 if validation.passed else 1


def _cmd_bench(args: argparse.Namespace) -> int:
    names = [args.name] if args.name else list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            raise QderiveError(f"unknown benchmark '{name}'; known: {', '.join(BENCHMARKS)}")
    results = {name: import_module(f"qderive.bench.{name}_bench").run(quick=args.quick) for name in names}
    if args.json:
        _print_json(results[names[0]] if len(names) == 1 else results)
    else:
        for name, result in results.items():
            print(f"[{name}]")
            for b in result["benchmarks"]:
                peer = "no peer" if b["peer_s"] is None else f"{b['peer']} {b['peer_s']:.4g} s, ratio {b['ratio']:.3g}"
                print(f"  {b['name']}: ours {b['ours_s']:.4g} s; {peer}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    entry = registry.entry(args.name)
    out = Path(args.out) if args.out else Path("reports") / args.name
    summary = write_report(entry, entry.parameter_set(parse_settings(args.set)), out)
    if not args.quiet:
        print(summary.text)
    return 0 if summary.passed else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qderive", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("list", help="list registered derivations")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_list)
    for name, func, helptext in (("derive", _cmd_derive, "derive and print results"),
                                 ("validate", _cmd_validate, "compare with full numerics"),
                                 ("run", _cmd_run, "derive, validate and draw figures into a report folder")):
        p = commands.add_parser(name, help=helptext)
        p.add_argument("name")
        p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="parameter value (SI, rad/s)")
        p.set_defaults(func=func)
        if name == "derive":
            p.add_argument("--format", choices=[*FORMATS, "json"], default="text")
            p.add_argument("--json", action="store_true", help="same as --format json")
        elif name == "validate":
            p.add_argument("--json", action="store_true")
        else:
            p.add_argument("--out", help="report folder (default reports/NAME)")
            p.add_argument("--quiet", action="store_true")
    p = commands.add_parser("bench", help="benchmarks against a peer, side by side")
    p.add_argument("name", nargs="?", help=f"one of {', '.join(BENCHMARKS)} (default: all)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke test")
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except QderiveError as error:
        print(f"qderive: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
