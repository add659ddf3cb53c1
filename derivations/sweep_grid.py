"""Sweep grids: which parameters are swept, over which values, checked against the system's parameters.

A grid axis is given as explicit values, as ``(start, stop, num)`` or ``(start, stop, num, "log")``,
or as the command line's text ``START:STOP:NUM[:log]`` (numbers through the same safe parser as
``--set``). ``log`` spaces the points geometrically and needs ``start, stop > 0``. Every axis is
checked once, up front: its name must be a parameter of the system (a result or an unknown name
is refused, naming the parameters), ``NUM >= 1``, values finite and inside the parameter's domain.

Examples
--------
>>> parse_axis_text("g=0:1:3")
('g', array([0. , 0.5, 1. ]))
>>> parse_axis_text("Gamma=1e3:1e5:3:log")[1]
array([  1000.,  10000., 100000.])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qderive.symbolic import Parameter, ParameterError, QderiveError

MAX_POINTS = 10**10


class GridError(QderiveError):
    """A sweep grid is malformed or does not fit the system's parameters."""


@dataclass(frozen=True)
class GridAxis:
    """One swept parameter: its name, the values, its unit and meaning (for the dataset's attributes)."""

    name: str
    values: np.ndarray
    unit: str
    meaning: str


def spaced(name: str, start: float, stop: float, num: int, log: bool = False) -> np.ndarray:
    """``num`` points from ``start`` to ``stop`` (both included), linear or geometric (``log``)."""
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num <= 0:
        raise GridError(f"grid '{name}': NUM must be a positive integer, got {num!r}")
    if not (np.isfinite(start) and np.isfinite(stop)):
        raise GridError(f"grid '{name}': START and STOP must be finite, got {start!r}, {stop!r}")
    if log:
        if start <= 0 or stop <= 0:
            raise GridError(f"grid '{name}': a log axis needs START > 0 and STOP > 0, got {start:g}:{stop:g}")
        return np.geomspace(start, stop, int(num))
    return np.linspace(start, stop, int(num))


def parse_axis_text(text: str) -> tuple[str, np.ndarray]:
    """``KEY=START:STOP:NUM[:log]`` -> ``(KEY, values)``; anything else is one :class:`GridError`."""
    from .cli import parse_number  # the command line's safe number parser (no code from user strings)

    key, sep, spec = text.partition("=")
    fields = spec.split(":")
    if not sep or not key.strip() or len(fields) not in (3, 4) or (len(fields) == 4 and fields[3].strip() != "log"):
        raise GridError(f"--grid takes KEY=START:STOP:NUM[:log], got '{text}'")
    key = key.strip()
    start, stop = (parse_number(f.strip()) for f in fields[:2])
    try:
        num = int(fields[2].strip())
    except ValueError:
        raise GridError(f"grid '{key}': NUM must be a positive integer, got '{fields[2].strip()}'") from None
    return key, spaced(key, start, stop, num, log=len(fields) == 4)


def axis_values(name: str, spec: Any) -> np.ndarray:
    """One axis from explicit values, a ``(start, stop, num[, "log"])`` tuple or ``START:STOP:NUM[:log]``."""
    if isinstance(spec, str):
        return parse_axis_text(f"{name}={spec}")[1]
    if isinstance(spec, tuple) and len(spec) in (3, 4) and not any(isinstance(s, (list, np.ndarray)) for s in spec):
        if len(spec) == 4 and spec[3] != "log":
            raise GridError(f"grid '{name}': the fourth entry of (start, stop, num, 'log') must be 'log', "
                            f"got {spec[3]!r}")
        return spaced(name, float(spec[0]), float(spec[1]), spec[2], log=len(spec) == 4)
    try:
        values = np.asarray(spec, dtype=float)
    except (TypeError, ValueError):
        raise GridError(f"grid '{name}': expected real values, (start, stop, num[, 'log']) or 'START:STOP:NUM[:log]', "
                        f"got {spec!r}") from None
    if values.ndim != 1 or values.size == 0:
        raise GridError(f"grid '{name}': expected a non-empty 1-D list of values, got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise GridError(f"grid '{name}': values must be finite")
    return values


def build_grid(grid: Mapping[str, Any], parameters: Sequence[Parameter], results: Callable[[], Sequence[str]],
               system_name: str) -> tuple[GridAxis, ...]:
    """Checked axes, in the order given; ``results()`` names the system's results (asked only to word an error)."""
    if not grid:
        raise GridError(f"a sweep of '{system_name}' needs at least one grid axis")
    by_name = {p.name: p for p in parameters}
    axes = []
    for name, spec in grid.items():
        if name not in by_name:
            known = ", ".join(sorted(by_name))
            what = "a result" if name in results() else "an unknown key"
            raise GridError(f"grid key '{name}' is {what}, not a parameter of '{system_name}'; parameters: {known}")
        values = axis_values(name, spec)
        parameter = by_name[name]
        for end in (values.min(), values.max()):
            try:
                parameter.check(float(end))
            except ParameterError as error:
                raise GridError(f"grid '{name}' leaves the parameter's domain: {error}") from None
        axes.append(GridAxis(name, values, parameter.unit, parameter.meaning))
    size = int(np.prod([len(a.values) for a in axes], dtype=float))
    if size > MAX_POINTS:
        raise GridError(f"the grid has {size:.3g} points; more than {MAX_POINTS:.0e} is refused (split the sweep)")
    return tuple(axes)
