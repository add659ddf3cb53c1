"""Sweep grids: which parameters are swept, over which values, checked against the system's parameters.

A grid axis is given as explicit values, as ``(start, stop, num)`` or ``(start, stop, num, "log")``,
or as the command line's text ``START:STOP:NUM[:log]`` (START and STOP through the same safe
quantity parser as ``--set``: ``r=5nm:15nm:11``, ``g=2*pi*10kHz:2*pi*1MHz:30:log``). ``log``
spaces the points geometrically and needs ``start, stop > 0``. Every axis is checked once, up
front: its name must be a parameter of the system (a result or an unknown name is refused, naming
the parameters), ``NUM >= 1``, values finite and inside the parameter's domain.

Examples
--------
>>> parse_axis_text("g=0:1:3")
('g', array([0. , 0.5, 1. ]))
>>> parse_axis_text("Gamma=1e3:1e5:3:log")[1]
array([  1000.,  10000., 100000.])
>>> parse_axis_text("r=5nm:15nm:3", unit="m")[1]
array([5.0e-09, 1.0e-08, 1.5e-08])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qderive.symbolic import Parameter, ParameterError, QderiveError

MAX_POINTS = 10**10


class GridError(QderiveError):
    """A sweep grid is malformed or does not fit the system's parameters.

    Examples
    --------
    >>> from qderive import QderiveError
    >>> try:
    ...     parse_axis_text("g=1:2")
    ... except GridError as error:
    ...     print(isinstance(error, QderiveError), error)
    True --grid takes KEY=START:STOP:NUM[:log], got 'g=1:2'
    """


@dataclass(frozen=True)
class GridAxis:
    """One swept parameter: its name, the values, its unit and meaning (for the dataset's attributes).

    Examples
    --------
    >>> from qderive.symbolic import Parameter
    >>> (axis,) = build_grid({"g": (1.0, 3.0, 3)}, [Parameter("g", "coupling", "rad/s")], lambda: [], "demo")
    >>> axis.name, axis.values.tolist(), axis.unit, axis.meaning
    ('g', [1.0, 2.0, 3.0], 'rad/s', 'coupling')
    """

    name: str
    values: np.ndarray
    unit: str
    meaning: str


def spaced(name: str, start: float, stop: float, num: int, log: bool = False) -> np.ndarray:
    """``num`` points from ``start`` to ``stop`` (both included), linear or geometric (``log``).

    Examples
    --------
    >>> spaced("x", 1.0, 100.0, 3, log=True).tolist()  # geometric: equal ratios
    [1.0, 10.0, 100.0]
    >>> spaced("x", 0.0, 1.0, 0)
    Traceback (most recent call last):
    ...
    qderive.derivations.sweep_grid.GridError: grid 'x': NUM must be a positive integer, got 0
    """
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num <= 0:
        raise GridError(f"grid '{name}': NUM must be a positive integer, got {num!r}")
    if not (np.isfinite(start) and np.isfinite(stop)):
        raise GridError(f"grid '{name}': START and STOP must be finite, got {start!r}, {stop!r}")
    if log:
        if start <= 0 or stop <= 0:
            raise GridError(f"grid '{name}': a log axis needs START > 0 and STOP > 0, got {start:g}:{stop:g}")
        return np.geomspace(start, stop, int(num))
    return np.linspace(start, stop, int(num))


def split_axis_text(text: str) -> tuple[str, str]:
    """``KEY=START:STOP:NUM[:log]`` -> ``(KEY, "START:STOP:NUM[:log]")`` (the spec is read by :func:`parse_spec`).

    Examples
    --------
    >>> split_axis_text(" g = 0:1:3")
    ('g', ' 0:1:3')
    """
    key, sep, spec = text.partition("=")
    if not sep or not key.strip():
        raise GridError(f"--grid takes KEY=START:STOP:NUM[:log], got '{text}'")
    return key.strip(), spec


def parse_spec(name: str, spec: str, unit: str = "") -> np.ndarray:
    """``START:STOP:NUM[:log]`` -> values; START and STOP may carry units (``10nm``), read in ``unit``.

    Examples
    --------
    >>> bool(np.allclose(parse_spec("r", "5nm:15nm:3", unit="m"), [5e-9, 10e-9, 15e-9]))  # read in the unit
    True
    >>> parse_spec("g", "-1:1:3:log")
    Traceback (most recent call last):
    ...
    qderive.derivations.sweep_grid.GridError: grid 'g': a log axis needs START > 0 and STOP > 0, got -1:1
    """
    from .units import parse_quantity  # the command line's safe quantity parser (no code from user strings)

    fields = spec.split(":")
    if len(fields) not in (3, 4) or (len(fields) == 4 and fields[3].strip() != "log"):
        raise GridError(f"--grid takes KEY=START:STOP:NUM[:log], got '{name}={spec}'")
    ends = [parse_quantity(f.strip(), unit, name) for f in fields[:2]]
    if any(isinstance(v, complex) for v in ends):
        raise GridError(f"grid '{name}': START and STOP must be real, got {fields[0]}:{fields[1]}")
    try:
        num = int(fields[2].strip())
    except ValueError:
        raise GridError(f"grid '{name}': NUM must be a positive integer, got '{fields[2].strip()}'") from None
    return spaced(name, float(ends[0]), float(ends[1]), num, log=len(fields) == 4)


def parse_axis_text(text: str, unit: str = "") -> tuple[str, np.ndarray]:
    """``KEY=START:STOP:NUM[:log]`` -> ``(KEY, values)``; anything malformed is one :class:`GridError`.

    Examples
    --------
    >>> key, values = parse_axis_text("g=2*pi*1e3:2*pi*1e5:3:log", unit="rad/s")
    >>> key, bool(np.allclose(values / (2 * np.pi), [1e3, 1e4, 1e5]))
    ('g', True)
    >>> parse_axis_text("g=1:2:many")
    Traceback (most recent call last):
    ...
    qderive.derivations.sweep_grid.GridError: grid 'g': NUM must be a positive integer, got 'many'
    """
    key, spec = split_axis_text(text)
    return key, parse_spec(key, spec, unit)


def axis_values(name: str, spec: Any, unit: str = "") -> np.ndarray:
    """One axis from explicit values, a ``(start, stop, num[, "log"])`` tuple or ``START:STOP:NUM[:log]``.

    Examples
    --------
    >>> axis_values("g", [1, 2, 5]).tolist(), axis_values("g", (1, 4, 4)).tolist(), axis_values("g", "1:4:4").tolist()
    ([1.0, 2.0, 5.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0])
    >>> axis_values("g", [1.0, float("inf")])
    Traceback (most recent call last):
    ...
    qderive.derivations.sweep_grid.GridError: grid 'g': values must be finite
    """
    if isinstance(spec, str):
        return parse_spec(name, spec, unit)
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
    """Checked axes, in the order given; ``results()`` names the system's results (asked only to word an error).

    Examples
    --------
    >>> from qderive.symbolic import Parameter
    >>> parameters = [Parameter("g", "coupling", "rad/s"), Parameter("kappa", "cavity decay rate", "rad/s")]
    >>> [a.name for a in build_grid({"kappa": [1.0, 2.0], "g": "1:2:2"}, parameters, lambda: [], "demo")]  # order kept
    ['kappa', 'g']
    >>> for bad in ({"Gamma": [1.0]}, {"g": [-1.0, 1.0]}):  # a result is no axis; an axis stays in its domain
    ...     try:
    ...         build_grid(bad, parameters, lambda: ["Gamma"], "demo")
    ...     except GridError as error:
    ...         print(error)
    grid key 'Gamma' is a result, not a parameter of 'demo'; parameters: g, kappa
    grid 'g' leaves the parameter's domain: 'g' must be positive (coupling), got -1.0 rad/s
    """
    if not grid:
        raise GridError(f"a sweep of '{system_name}' needs at least one grid axis")
    by_name = {p.name: p for p in parameters}
    axes = []
    for name, spec in grid.items():
        if name not in by_name:
            known = ", ".join(sorted(by_name))
            what = "a result" if name in results() else "an unknown key"
            raise GridError(f"grid key '{name}' is {what}, not a parameter of '{system_name}'; parameters: {known}")
        parameter = by_name[name]
        values = axis_values(name, spec, parameter.unit)
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
