"""Check a compiled kernel against an independent 30-digit mpmath evaluation.

At seeded random points of a per-argument sampling domain, the expression is evaluated
with :func:`sympy.lambdify` on the ``mpmath`` backend at 30 significant digits, from the
exact same double-precision inputs, and compared entry by entry with the kernel's output
(the common subexpressions are evaluated once; at one point the whole expression tree is
evaluated instead, see :func:`reference_sample`).
The worst relative error is reported (:class:`CheckReport`); a point fails when
``|ours - reference| > rtol * |reference| + atol``.

The points and the reference values are kept (:class:`ReferenceSample`) so that a kernel
loaded from the disk cache can be re-verified cheaply, without SymPy or mpmath.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import mpmath
import numpy as np
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

from .emit import COMPLEX, Argument, Lowered
from .errors import InvalidArgumentsError, KernelCheckError
from .real_operands import reference_functions

#: Significant digits of the reference evaluation.
REFERENCE_DIGITS = 30
Domain = tuple[complex, complex]


@dataclass(frozen=True)
class CheckPlan:
    """Where and how densely to sample: one ``(low, high)`` domain per argument.

    A real argument is drawn uniformly from ``[low, high]`` (integers when the symbol is
    integer); a complex one uniformly from the rectangle spanned by ``low`` and ``high``.

    Examples
    --------
    >>> from qderive.codegen.emit import prepare_arguments
    >>> g, z = sp.Symbol("g", positive=True), sp.Symbol("z", complex=True)
    >>> plan = make_plan(prepare_arguments([g, z], [g * z], set()), {"g": (1.0, 3.0)}, n_points=4, seed=1)
    >>> plan.domains  # g as given, z by default_domain
    ((1.0, 3.0), ((-2-2j), (2+2j)))
    """

    domains: tuple[Domain, ...]
    n_points: int
    seed: int

    def as_json(self) -> dict:
        """A JSON-able form, also used to recognise an identical plan in the cache.

        Examples
        --------
        >>> CheckPlan(((0.5, 2.0), (-1j, 1j)), 8, 0).as_json()
        {'domains': [[[0.5, 0.0], [2.0, 0.0]], [[-0.0, -1.0], [0.0, 1.0]]], 'n_points': 8, 'seed': 0}
        """
        return {"domains": [[_pair(lo), _pair(hi)] for lo, hi in self.domains],
                "n_points": self.n_points, "seed": self.seed}


@dataclass(frozen=True)
class ReferenceSample:
    """Sample points (one row per point) and reference values (one row per point).

    Examples
    --------
    >>> from qderive.codegen.emit import lower, prepare_arguments
    >>> x = sp.Symbol("x", positive=True)
    >>> (arg,) = prepare_arguments([x], [sp.log(x)], set())
    >>> lowered = lower([sp.log(arg.local)], [arg], None, set(), (1e-10, 0.0))
    >>> points = np.array([[1.0], [np.e]])
    >>> reference_sample([arg], lowered, 1, [0], points).reference.real.ravel().tolist()  # log 1, log e
    [0.0, 1.0]
    """

    points: np.ndarray
    reference: np.ndarray
    #: Why the first dropped point was dropped (empty if none was); not stored in the cache.
    first_failure: str = ""

    def as_json(self) -> dict:
        """Lossless JSON form (floats round-trip exactly; complex as ``[re, im]``).

        Examples
        --------
        >>> sample = ReferenceSample(np.array([[0.5]]), np.array([[1 + 2j]]))
        >>> sample.as_json()["reference"]
        {'shape': [1, 1], 're': [1.0], 'im': [2.0]}
        """
        return {"points": _encode(self.points), "reference": _encode(self.reference)}

    @classmethod
    def from_json(cls, data: dict) -> ReferenceSample:
        """Inverse of :meth:`as_json`.

        Examples
        --------
        >>> sample = ReferenceSample(np.array([[0.1], [1 / 3]]), np.array([[np.pi], [np.exp(1j)]]))
        >>> again = ReferenceSample.from_json(sample.as_json())
        >>> bool(np.array_equal(again.points, sample.points) and np.array_equal(again.reference, sample.reference))
        True
        """
        return cls(_decode(data["points"]), _decode(data["reference"]))


@dataclass(frozen=True)
class CheckReport:
    """Outcome of comparing a kernel with the reference.

    Attributes
    ----------
    max_rel_error : float
        Largest ``|ours - ref| / |ref|`` over all points and entries (``inf`` where the
        reference is exactly zero and ours is not; 0 where both are zero).
    max_abs_error : float
        Largest ``|ours - ref|``.
    n_points : int
        Number of points compared.
    rtol, atol : float
        The tolerance applied.
    worst_point : dict
        Argument name -> value at the point with the largest relative error.
    worst_entry : int
        Flat (C-order) index of the array entry with the largest relative error.
    passed : bool
        Whether every point met the tolerance.

    Examples
    --------
    >>> from qderive.codegen.emit import prepare_arguments
    >>> (arg,) = prepare_arguments([sp.Symbol("x")], [sp.Symbol("x")], set())
    >>> sample = ReferenceSample(np.array([[1.0], [2.0]]), np.array([[1.0], [2.0]]))
    >>> report = compare(np.array([1.0, 2.0 + 2e-12]), sample, [arg], rtol=1e-10, atol=0.0)
    >>> report.passed, report.worst_point, f"{report.max_rel_error:.0e}"
    (True, {'x': 2.0}, '1e-12')
    """

    max_rel_error: float
    max_abs_error: float
    n_points: int
    rtol: float
    atol: float
    worst_point: dict
    worst_entry: int
    passed: bool


def default_domain(symbol: sp.Symbol, is_complex: bool) -> Domain:
    """The sampling domain used when the caller gives none.

    Examples
    --------
    >>> default_domain(sp.Symbol("g", positive=True), False)
    (0.5, 2.0)
    >>> default_domain(sp.Symbol("z", complex=True), True)
    ((-2-2j), (2+2j))
    """
    if is_complex:
        return (-2 - 2j, 2 + 2j)
    if symbol.is_integer:
        if symbol.is_positive:
            return (1.0, 4.0)
        if symbol.is_nonnegative:
            return (0.0, 4.0)
        return (-4.0, -1.0) if symbol.is_negative else (-3.0, 3.0)
    if symbol.is_nonnegative:
        return (0.5, 2.0)
    if symbol.is_nonpositive:
        return (-2.0, -0.5)
    return (-2.0, 2.0)


def make_plan(arguments: Sequence[Argument], domains: Mapping | None, n_points: int,
              seed: int) -> CheckPlan:
    """Combine the caller's ``domains`` (keyed by symbol or name) with the defaults.

    Examples
    --------
    >>> from qderive.codegen.emit import prepare_arguments
    >>> n = sp.Symbol("n", integer=True, positive=True)
    >>> args = prepare_arguments([n], [n], set())
    >>> make_plan(args, None, n_points=3, seed=0).domains
    ((1.0, 4.0),)
    >>> make_plan(args, {"m": (0, 1)}, 3, 0)
    Traceback (most recent call last):
    ...
    qderive.codegen.errors.InvalidArgumentsError: domains given for m, which are not arguments
    """
    given = dict(domains or {})
    chosen = []
    for arg in arguments:
        domain = None
        for key in (arg.symbol, arg.symbol.name):
            if key in given:
                domain = given.pop(key)
                break
        if domain is None:
            domain = default_domain(arg.symbol, arg.dtype == COMPLEX)
        low, high = domain
        if arg.dtype != COMPLEX and (complex(low).imag or complex(high).imag):
            raise InvalidArgumentsError(f"domain of real argument {arg.symbol} must be real")
        chosen.append((low, high))
    if given:
        raise InvalidArgumentsError(
            f"domains given for {', '.join(map(str, given))}, which are not arguments"
        )
    if n_points < 1:
        raise InvalidArgumentsError("n_points must be at least 1")
    return CheckPlan(tuple(chosen), n_points, seed)


def sample_points(arguments: Sequence[Argument], plan: CheckPlan) -> np.ndarray:
    """``(n_points, n_args)`` array of seeded random points (complex dtype if any arg is).

    Examples
    --------
    >>> from qderive.codegen.emit import prepare_arguments
    >>> args = prepare_arguments([sp.Symbol("g", positive=True), sp.Symbol("n", integer=True, positive=True)],
    ...                          [sp.Integer(0)], set())
    >>> points = sample_points(args, make_plan(args, None, n_points=50, seed=3))
    >>> points.shape, bool(np.all((0.5 <= points[:, 0]) & (points[:, 0] <= 2.0)))
    ((50, 2), True)
    >>> bool(np.all(points[:, 1] == np.round(points[:, 1])))  # the integer argument gets whole numbers
    True
    """
    rng = np.random.default_rng(plan.seed)
    columns = []
    for arg, (low, high) in zip(arguments, plan.domains, strict=True):
        low, high = complex(low), complex(high)
        if arg.dtype == COMPLEX:
            column = (rng.uniform(low.real, high.real, plan.n_points)
                      + 1j * rng.uniform(low.imag, high.imag, plan.n_points))
        elif arg.symbol.is_integer:
            column = rng.integers(int(low.real), int(high.real) + 1, plan.n_points).astype(float)
        else:
            column = rng.uniform(low.real, high.real, plan.n_points)
        columns.append(column)
    dtype = complex if any(a.dtype == COMPLEX for a in arguments) else float
    return np.array(columns, dtype=dtype).T if columns else np.empty((plan.n_points, 0))


def reference_sample(arguments: Sequence[Argument], lowered: Lowered, n_entries: int,
                     nonzero: Sequence[int], points: np.ndarray) -> ReferenceSample:
    """Evaluate the expressions at ``points`` with mpmath at 30 digits.

    ``nonzero`` gives the entry index of each lowered output (other entries are exactly
    zero).  Points where the reference raises or is not finite are dropped.

    At every point the CSE'd expressions (``lowered.replacements``, ``lowered.reduced``)
    are evaluated: independent of the printing and of the compiled code, cheap because
    linear in the number of operations after CSE.  At the first point where it succeeds,
    the reference is instead the expressions before CSE (``lowered.expressions``)
    evaluated over their whole tree (:func:`_tree_values`), so that an error of the
    common-subexpression elimination itself is caught too.  When SymEngine lowered the
    expressions (``lowered.symengine_expressions``, real rational functions), every point
    evaluates those whole, with MPFR at the same precision (:func:`_symengine_values`,
    in C++), and the first point the SymPy expressions' tree as above, which is
    independent of SymEngine's conversion.

    Examples
    --------
    >>> from qderive.codegen.emit import lower, prepare_arguments
    >>> x = sp.Symbol("x", real=True)
    >>> (arg,) = prepare_arguments([x], [1 / x], set())
    >>> lowered = lower([1 / arg.local], [arg], None, set(), (1e-10, 0.0))
    >>> sample = reference_sample([arg], lowered, 1, [0], np.array([[0.0], [4.0]]))  # 1/0 is dropped
    >>> sample.points.ravel().tolist(), sample.reference.real.ravel().tolist()
    ([4.0], [0.25])
    """
    functions = reference_functions()
    printer = _reference_printer(functions)
    if lowered.symengine_expressions:
        evaluate = partial(_symengine_values, lowered.symengine_expressions, [a.name for a in arguments])
    else:
        evaluate = sp.lambdify(
            [a.local for a in arguments], list(lowered.reduced), modules=[functions, "mpmath"], printer=printer,
            cse=lambda exprs: (lowered.replacements, lowered.reduced), docstring_limit=0,
        )
    kept_points, rows, failures = [], [], []
    whole_tree = False  # whether one row already comes from the expressions before CSE
    with mpmath.workdps(REFERENCE_DIGITS):
        for point in points:
            inputs = [mpmath.mpc(v) if a.dtype == COMPLEX else mpmath.mpf(float(np.real(v)))
                      for a, v in zip(arguments, point, strict=True)]
            try:
                values = [complex(v) for v in evaluate(*inputs)]
                if not whole_tree and all(np.isfinite(v) for v in values):
                    values = [complex(v) for v in _tree_values(
                        lowered.expressions, {a.local: v for a, v in zip(arguments, inputs, strict=True)},
                        functions, printer)]
                    whole_tree = True
            except (ArithmeticError, ValueError, TypeError) as error:
                failures.append(f"{type(error).__name__}: {error}")
                continue
            if not all(np.isfinite(v) for v in values):
                continue
            row = np.zeros(n_entries, dtype=complex)
            row[list(nonzero)] = values
            kept_points.append(point)
            rows.append(row)
    return ReferenceSample(
        np.array(kept_points, dtype=points.dtype).reshape(len(rows), points.shape[1]),
        np.array(rows, dtype=complex).reshape(len(rows), n_entries),
        failures[0] if failures else "",
    )


def _symengine_values(forms: Sequence, names: Sequence[str], *inputs: mpmath.mpf) -> list:
    """SymEngine expressions ``forms`` at one point, ``names`` (symbol names) bound to the
    real ``inputs``: substituted as MPFR numbers of mpmath's current precision, so SymEngine
    evaluates every node in MPFR arithmetic.

    Raises
    ------
    ValueError
        A form does not reduce to a real number there (e.g. a symbol not among ``names``).

    Examples
    --------
    >>> import symengine as se
    >>> with mpmath.workdps(30):
    ...     (value,) = _symengine_values([se.Symbol("x") / 3], ["x"], mpmath.mpf(1))
    ...     print(mpmath.nstr(value, 30))
    0.333333333333333333333333333333
    """
    import symengine as se

    # 10 more decimal digits than the precision holds: rounding them to mp.prec bits gives the input exactly
    values = {se.Symbol(name): se.RealMPFR(mpmath.nstr(value, mpmath.mp.dps + 10, strip_zeros=False), mpmath.mp.prec)
              for name, value in zip(names, inputs, strict=True)}
    results = []
    for form in forms:
        value = form.subs(values)
        if not value.is_Number or not value.is_real:
            raise ValueError(f"the SymEngine form does not evaluate to a real number: {str(value)[:80]}")
        double = float(value)
        results.append(mpmath.mpf(str(value)) if math.isfinite(double) else mpmath.mpf(double))  # inf, nan: dropped
    return results


def _reference_printer(functions: Mapping[str, Callable]) -> MpmathPrinter:
    """The printer :func:`sympy.lambdify` uses for mpmath, without sorting terms (which
    costs more than the evaluation on large expressions)."""
    return MpmathPrinter({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                          "user_functions": {name: name for name in functions}, "order": "none"})


def _tree_values(exprs: Sequence[sp.Expr], inputs: Mapping[sp.Symbol, object],
                 functions: Mapping[str, Callable], printer: MpmathPrinter) -> list:
    """``exprs`` at one point in mpmath, node by node over their own trees (no CSE).

    Sums, products, powers, symbols and numbers are evaluated here (each distinct node
    once); any other node (functions, ``Piecewise``, ...) is evaluated by
    :func:`sympy.lambdify` of that whole node, with the same mpmath functions as the
    CSE'd reference.
    """
    values: dict = dict(inputs)
    symbols = list(inputs)
    for root in exprs:
        stack = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if node in values:
                continue
            if node.is_Atom:
                values[node] = node._to_mpmath(mpmath.mp.prec)
            elif not isinstance(node, (sp.Add, sp.Mul, sp.Pow)):
                function = sp.lambdify(symbols, node, modules=[functions, "mpmath"], printer=printer,
                                       docstring_limit=0)
                values[node] = function(*inputs.values())
            elif not ready:
                stack.append((node, True))
                stack.extend((arg, False) for arg in node.args if arg not in values)
            else:
                values[node] = _combine(node, [values[arg] for arg in node.args])
    return [values[root] for root in exprs]


def _combine(node: sp.Expr, args: list):
    if isinstance(node, sp.Add):
        return mpmath.fsum(args)
    if isinstance(node, sp.Mul):
        return mpmath.fprod(args)
    base, exponent = args
    if node.exp.is_Integer:
        return base ** int(node.exp)
    if node.exp in (sp.S.Half, -sp.S.Half):  # as printed for the CSE'd reference: sqrt
        root = mpmath.sqrt(base)
        return root if node.exp.is_positive else 1 / root
    return mpmath.power(base, exponent)


def compare(ours: np.ndarray, sample: ReferenceSample, arguments: Sequence[Argument],
            rtol: float, atol: float) -> CheckReport:
    """Compare ``ours`` (one row per sample point) with the reference values.

    Examples
    --------
    >>> from qderive.codegen.emit import prepare_arguments
    >>> (arg,) = prepare_arguments([sp.Symbol("x")], [sp.Symbol("x")], set())
    >>> sample = ReferenceSample(np.array([[1.0], [2.0]]), np.array([[0.0], [2.0]]))
    >>> report = compare(np.array([1e-20, 2.0]), sample, [arg], rtol=1e-12, atol=1e-15)
    >>> report.passed, report.max_rel_error  # the reference 0 makes the relative error infinite; atol admits it
    (True, inf)
    """
    ref = sample.reference
    ours = np.asarray(ours, dtype=complex).reshape(ref.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.abs(ours - ref)
        diff = np.where(np.isfinite(ours), diff, np.inf)
        rel = np.where(ref != 0, diff / np.abs(ref), np.where(diff == 0, 0.0, np.inf))
    passed = bool(np.all(diff <= rtol * np.abs(ref) + atol)) if ref.size else True
    worst, entry = np.unravel_index(np.argmax(rel), rel.shape) if ref.size else (None, 0)
    return CheckReport(
        max_rel_error=float(rel.max()) if ref.size else 0.0,
        max_abs_error=float(diff.max()) if ref.size else 0.0,
        n_points=len(ref), rtol=rtol, atol=atol,
        worst_point={} if worst is None else {
            str(a.symbol): _plain(sample.points[worst][k]) for k, a in enumerate(arguments)},
        worst_entry=int(entry), passed=passed,
    )


def run_check(evaluate: Callable[[np.ndarray], np.ndarray], sample: ReferenceSample,
              arguments: Sequence[Argument], rtol: float, atol: float, what: str) -> CheckReport:
    """Evaluate the kernel at the sample's points, compare, and raise if it fails.

    Examples
    --------
    >>> from qderive.codegen.emit import lower, prepare_arguments
    >>> x = sp.Symbol("x", real=True)
    >>> (arg,) = prepare_arguments([x], [sp.sin(x)], set())
    >>> lowered = lower([sp.sin(arg.local)], [arg], None, set(), (1e-10, 0.0))
    >>> sample = reference_sample([arg], lowered, 1, [0], sample_points([arg], make_plan([arg], None, 20, 0)))
    >>> run_check(lambda p: np.sin(p[:, 0]), sample, [arg], 1e-13, 0.0, "sin").passed
    True
    >>> run_check(lambda p: p[:, 0], sample, [arg], 1e-13, 0.0, "sin")  # sin x = x is not accurate
    Traceback (most recent call last):
    ...
    qderive.codegen.errors.KernelCheckError: sin: compiled kernel disagrees with the 30-digit reference: ...
    """
    if len(sample.reference) == 0:
        reason = f" (first point: {sample.first_failure})" if sample.first_failure else ""
        raise KernelCheckError(
            f"{what}: the reference is not finite at any sample point{reason}; give sampling "
            "domains (domains={symbol: (low, high)}) where the expression is finite and real "
            "where it is compared, or take re()/Abs() of a complex operand of Max/Min/a comparison"
        )
    report = compare(evaluate(sample.points), sample, arguments, rtol, atol)
    if not report.passed:
        raise KernelCheckError(
            f"{what}: compiled kernel disagrees with the {REFERENCE_DIGITS}-digit reference: "
            f"max relative error {report.max_rel_error:.3g} (max absolute {report.max_abs_error:.3g})"
            f" exceeds rtol={rtol:g}, atol={atol:g}; worst point {report.worst_point}"
            f"{f', entry {report.worst_entry} (C order)' if sample.reference.shape[1] > 1 else ''}. If the "
            "expression is ill-conditioned there, loosen rtol/atol or choose other domains"
        )
    return report


def _plain(value: complex) -> float | complex:
    value = complex(value)
    return value.real if value.imag == 0 else value


def _pair(value: complex) -> list[float]:
    value = complex(value)
    return [value.real, value.imag]


def _encode(array: np.ndarray) -> dict:
    array = np.asarray(array, dtype=complex)
    return {"shape": list(array.shape), "re": array.real.ravel().tolist(),
            "im": array.imag.ravel().tolist()}


def _decode(data: dict) -> np.ndarray:
    re = np.array(data["re"], dtype=float)
    im = np.array(data["im"], dtype=float)
    return (re + 1j * im).reshape(data["shape"])
