r"""Lower a system of ODEs ``dz_k/dt = f_k(z, p)`` in complex unknowns to a compiled real system.

Each complex unknown ``z_k`` becomes two real components ``re_k, im_k`` (a real unknown one),
symbols standing for conjugates (``conjugates={w: z}`` means ``w = conj(z)``) are replaced by
``re - i im``, and the right-hand sides are split into real and imaginary parts:

.. math:: \dot y = F(y, p), \qquad J_{ij} = \partial F_i / \partial y_j .

``F`` and ``J`` become one generated module with two functions of fixed Numba signatures that take
arrays, ``<name>_rhs(out, y, p)`` and ``<name>_jacobian(out, y, p)`` (unpacking ``y`` and ``p``
into named locals, then the CSE'd statements, as :func:`~qderive.codegen.compile_array` prints
them), so they can be passed as first-class functions to compiled solvers. As for every kernel,
both are checked against 30-digit mpmath at seeded random points when built, cached on disk
(manifest, checksummed source, Numba's machine code) and re-checked on the stored sample when
loaded. Nothing here knows any physics.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy as sp

from .cache import KernelStore, cache_key, load_module, resolve_cache_dir, sha256_text, versions_line
from .check import CheckReport, ReferenceSample, make_plan, reference_sample, run_check, sample_points
from .emit import (
    _NJIT_OPTIONS,
    FLOAT,
    Argument,
    Lowered,
    _assemble,
    _header,
    identifier,
    is_complex_symbol,
    lower,
    prepare_arguments,
)
from .errors import CodegenError, InvalidArgumentsError
from .machine_code import compile_module, machine_code_files, vouched_machine_code
from .printer import RUNTIME_NAMES, check_supported

#: Numba signatures of the adapter functions (also the first-class function types of solvers).
RHS_SIGNATURE = "void(float64[::1], float64[::1], float64[::1])"
JACOBIAN_SIGNATURE = "void(float64[:, ::1], float64[::1], float64[::1])"


@dataclass(frozen=True)
class CompiledODE:
    """A compiled real first-order system ``dy/dt = F(y, p)`` and its Jacobian.

    Attributes
    ----------
    unknowns, parameters : tuple of sympy.Symbol
        The complex/real unknowns and the parameters, in the order of ``p``.
    components : tuple of (int, int)
        For unknown ``k``: indices of its real and imaginary parts in ``y`` (``-1``: real unknown).
    real_unknowns, real_rhs : tuple
        The real components (symbols ``re_k``, ``im_k``) and their right-hand sides.
    rhs, jacobian : numba dispatchers
        ``rhs(out, y, p)`` and ``jacobian(out, y, p)`` (``out`` C-contiguous float64), callable
        from Python and from ``@njit`` code (also as first-class functions of these signatures).
    source, source_path : str, Path
        The generated module and its file in the cache.
    checks : dict
        The accuracy reports (``"rhs"``, ``"jacobian"``) against 30-digit mpmath.
    from_cache : bool
        Whether the module was loaded from the disk cache.

    Examples
    --------
    >>> from qderive.codegen.ode import compile_ode
    >>> z, w, k = sp.Symbol("z", complex=True), sp.Symbol("w", real=True), sp.Symbol("k", positive=True)
    >>> ode = compile_ode([-(k + sp.I) * z, -k * w], [z, w], [k])  # dz/dt = -(k + i) z, dw/dt = -k w
    >>> jacobian = np.empty((3, 3))
    >>> ode.jacobian(jacobian, ode.pack([1.0, 1.0]), np.array([0.5]))
    >>> jacobian.tolist()  # d(re z, im z, w)/dt
    [[-0.5, 1.0, 0.0], [-1.0, -0.5, 0.0], [0.0, 0.0, -0.5]]
    """

    unknowns: tuple[sp.Symbol, ...]
    parameters: tuple[sp.Symbol, ...]
    components: tuple[tuple[int, int], ...]
    real_unknowns: tuple[sp.Symbol, ...]
    real_rhs: tuple[sp.Expr, ...]
    rhs: object
    jacobian: object | None
    source: str
    source_path: Path
    checks: Mapping[str, CheckReport]
    from_cache: bool

    @property
    def max_rel_error(self) -> float:
        """Worst relative error of the right-hand side and Jacobian at the check's points.

        Examples
        --------
        >>> from qderive.codegen.ode import compile_ode
        >>> z, w, k = sp.Symbol("z", complex=True), sp.Symbol("w", real=True), sp.Symbol("k", positive=True)
        >>> ode = compile_ode([-(k + sp.I) * z, -k * w], [z, w], [k])
        >>> sorted(ode.checks), ode.max_rel_error < 1e-14
        (['jacobian', 'rhs'], True)
        """
        return max(report.max_rel_error for report in self.checks.values())

    @property
    def size(self) -> int:
        """Number of real components.

        Examples
        --------
        >>> from qderive.codegen.ode import compile_ode
        >>> z, w, k = sp.Symbol("z", complex=True), sp.Symbol("w", real=True), sp.Symbol("k", positive=True)
        >>> compile_ode([-(k + sp.I) * z, -k * w], [z, w], [k]).size  # re z, im z, w
        3
        """
        return len(self.real_unknowns)

    def pack(self, values: Sequence[complex]) -> np.ndarray:
        """The real state ``y`` of complex values of the unknowns.

        Examples
        --------
        >>> from qderive.codegen.ode import compile_ode
        >>> z, w, k = sp.Symbol("z", complex=True), sp.Symbol("w", real=True), sp.Symbol("k", positive=True)
        >>> ode = compile_ode([-(k + sp.I) * z, -k * w], [z, w], [k])
        >>> ode.pack([1 + 2j, 3.0]).tolist()
        [1.0, 2.0, 3.0]
        """
        z = np.asarray(values, dtype=complex)
        if z.shape != (len(self.unknowns),):
            raise InvalidArgumentsError(f"pack takes {len(self.unknowns)} values, got shape {z.shape}")
        y = np.empty(self.size)
        for (re, im), v in zip(self.components, z, strict=True):
            y[re] = v.real
            if im >= 0:
                y[im] = v.imag
        return y

    def unpack(self, y: np.ndarray) -> np.ndarray:
        """Complex values of the unknowns from real states ``y`` (last axis: components).

        Examples
        --------
        >>> from qderive.codegen.ode import compile_ode
        >>> z, w, k = sp.Symbol("z", complex=True), sp.Symbol("w", real=True), sp.Symbol("k", positive=True)
        >>> ode = compile_ode([-(k + sp.I) * z, -k * w], [z, w], [k])
        >>> ode.unpack(ode.pack([1 + 2j, 3.0])).tolist()  # the inverse of pack
        [(1+2j), (3+0j)]
        """
        y = np.asarray(y, dtype=float)
        re = np.array([c[0] for c in self.components])
        im = np.array([c[1] for c in self.components])
        z = y[..., re].astype(complex)
        has_im = im >= 0
        z[..., has_im] += 1j * y[..., im[has_im]]
        return z

    def parameter_vector(self, values: Mapping[sp.Symbol | str, float]) -> np.ndarray:
        """``p`` in the compiled order from ``{symbol or name: value}``; missing ones are refused.

        Examples
        --------
        >>> from qderive.codegen.ode import compile_ode
        >>> z, a, b = sp.Symbol("z", complex=True), sp.Symbol("a", positive=True), sp.Symbol("b", real=True)
        >>> ode = compile_ode([-(a + sp.I * b) * z], [z], [a, b])
        >>> ode.parameter_vector({"b": 2.0, a: 1.0}).tolist()  # in the compiled order (a, b)
        [1.0, 2.0]
        >>> ode.parameter_vector({"a": 1.0})
        Traceback (most recent call last):
        ...
        qderive.codegen.errors.InvalidArgumentsError: no value for parameter(s) ['b']; the ODE needs ['a', 'b']
        """
        by_name = {str(k): v for k, v in values.items()}
        missing = [s.name for s in self.parameters if s.name not in by_name]
        if missing:
            raise InvalidArgumentsError(f"no value for parameter(s) {missing}; the ODE needs "
                                        f"{[s.name for s in self.parameters]}")
        return np.array([float(by_name[s.name]) for s in self.parameters])


def _real_symbols(unknowns: Sequence[sp.Symbol], conjugates: Mapping[sp.Symbol, sp.Symbol],
                  taken: set[str]) -> tuple[dict, list[sp.Symbol], list[tuple[int, int]]]:
    substitution: dict[sp.Symbol, sp.Expr] = {}
    real: list[sp.Symbol] = []
    components = []
    for k, u in enumerate(unknowns):
        is_real = u.is_real is True or conjugates.get(u) == u
        re = sp.Symbol(f"re_{k}", real=True)
        if re.name in taken:
            raise InvalidArgumentsError(f"parameter name {re.name} is reserved for the real part of unknown {k}")
        real.append(re)
        if is_real:
            substitution[u] = re
            components.append((len(real) - 1, -1))
            continue
        im = sp.Symbol(f"im_{k}", real=True)
        if im.name in taken:
            raise InvalidArgumentsError(f"parameter name {im.name} is reserved for the imaginary part of unknown {k}")
        real.append(im)
        substitution[u] = re + sp.I * im
        components.append((len(real) - 2, len(real) - 1))
    for image, u in conjugates.items():
        if image == u:
            continue
        if u not in substitution:
            raise InvalidArgumentsError(f"conjugates maps {image} to {u}, which is not an unknown")
        substitution[image] = sp.conjugate(substitution[u])  # re - i im: the components are real
    return substitution, real, components


def real_system(rhs: Sequence[sp.Expr], unknowns: Sequence[sp.Symbol], parameters: Sequence[sp.Symbol],
                conjugates: Mapping[sp.Symbol, sp.Symbol] | None = None
                ) -> tuple[list[sp.Symbol], list[sp.Expr], list[tuple[int, int]]]:
    """The real form of ``dz/dt = rhs``: real components, their right-hand sides, component indices.

    Raises
    ------
    InvalidArgumentsError
        Lengths differ, a parameter is complex, or a symbol is neither unknown nor parameter.
    CodegenError
        A real unknown has a right-hand side with a non-zero imaginary part.

    Examples
    --------
    >>> z, w = sp.Symbol("z", complex=True), sp.Symbol("w")
    >>> k = sp.Symbol("k", positive=True)
    >>> real, rhs, components = real_system([-k * z + w], [z], [k], conjugates={w: z})  # w = conj(z)
    >>> real, rhs, components  # d(re)/dt = (1 - k) re, d(im)/dt = -(1 + k) im
    ([re_0, im_0], [-k*re_0 + re_0, -im_0*k - im_0], [(0, 1)])
    """
    if len(rhs) != len(unknowns):
        raise InvalidArgumentsError(f"{len(rhs)} right-hand sides for {len(unknowns)} unknowns")
    conjugates = dict(conjugates or {})
    complex_parameters = [p.name for p in parameters if is_complex_symbol(p)]
    if complex_parameters:
        raise InvalidArgumentsError(f"parameters {complex_parameters} are complex; pass real and imaginary "
                                    "parts as separate real parameters")
    substitution, real, components = _real_symbols(unknowns, conjugates, {p.name for p in parameters})
    known = set(substitution) | set(parameters)
    real_rhs: list[sp.Expr | None] = [None] * len(real)
    for k, (expr, (re, im)) in enumerate(zip(rhs, components, strict=True)):
        expr = sp.sympify(expr)
        stray = sorted(map(str, expr.free_symbols - known))
        if stray:
            raise InvalidArgumentsError(f"right-hand side {k} has symbols {stray} that are neither unknowns, "
                                        "conjugates nor parameters")
        real_part, imag_part = (sp.expand(part) for part in sp.expand(expr.xreplace(substitution)).as_real_imag())
        real_rhs[re] = real_part
        if im >= 0:
            real_rhs[im] = imag_part
        elif imag_part != 0:
            raise CodegenError(f"unknown {unknowns[k]} is real but its right-hand side has the imaginary part "
                               f"{imag_part}")
    return real, real_rhs, components


@dataclass(frozen=True)
class _Emitted:
    source: str
    arguments: tuple[Argument, ...]
    parts: dict[str, tuple[Lowered, tuple[int, ...], int]]   # part -> (lowered, entry indices, n_entries)
    function_names: dict[str, str]                          # part -> function name in the source


def _emit(real_rhs: Sequence[sp.Expr], matrix: sp.Matrix | None, args: Sequence[sp.Symbol], n_real: int,
          name: str, key: str, tolerance: tuple[float, float]) -> _Emitted:
    """Source of the module: ``<name>_rhs(out, y, p)`` and ``<name>_jacobian(out, y, p)``."""
    check_supported(list(real_rhs) + (list(matrix) if matrix is not None else []))
    taken = set(RUNTIME_NAMES) | {"out", "y", "p"}
    rhs_name = identifier(f"{name}_rhs", taken)
    jacobian_name = identifier(f"{name}_jacobian", taken)
    entries = list(real_rhs) + (list(matrix) if matrix is not None else [])
    arguments = prepare_arguments(args, entries, taken)
    local = {a.symbol: a.local for a in arguments}
    unpack = [f"    {a.name} = y[{k}]" if k < n_real else f"    {a.name} = p[{k - n_real}]"
              for k, a in enumerate(arguments)]
    rhs_lowered = lower([e.xreplace(local) for e in real_rhs], arguments, FLOAT, taken, tolerance)
    body = [f"@njit({_NJIT_OPTIONS})", f"def {rhs_name}(out, y, p):",
            '    """out = F(y, p): y the real components, p the parameters (see the header)."""', *unpack,
            *(f"    {t} = {v}" for t, v in rhs_lowered.assignments),
            *(f"    out[{i}] = {text}" for i, text in enumerate(rhs_lowered.outputs))]
    parts = {"rhs": (rhs_lowered, tuple(range(len(real_rhs))), len(real_rhs))}
    if matrix is not None:
        nonzero = [(k, e) for k, e in enumerate(matrix) if e != 0]
        jacobian_lowered = lower([e.xreplace(local) for _, e in nonzero], arguments, FLOAT, taken, tolerance)
        n = matrix.shape[1]
        body += ["", "", f"@njit({_NJIT_OPTIONS})", f"def {jacobian_name}(out, y, p):",
                 f'    """out[i, j] = dF_i/dy_j at (y, p); {len(matrix) - len(nonzero)} of {len(matrix)} entries '
                 'are identically zero."""', *unpack, "    out[:, :] = 0.0",
                 *(f"    {t} = {v}" for t, v in jacobian_lowered.assignments),
                 *(f"    out[{k // n}, {k % n}] = {text}"
                   for (k, _), text in zip(nonzero, jacobian_lowered.outputs, strict=True))]
        parts["jacobian"] = (jacobian_lowered, tuple(k for k, _ in nonzero), len(matrix))
    text = "\n".join(f"d{u}/dt = {e}" for u, e in zip(args[:n_real], real_rhs, strict=False))
    header = _header("ODE right-hand side and Jacobian", name, arguments, f"float64 arrays: F ({n_real},)"
                     + (f" and J {matrix.shape}" if matrix is not None else ""), text, key, versions_line())
    header.insert(5, f"# y = ({', '.join(a.name for a in arguments[:n_real])}); p = the remaining arguments")
    names = {"rhs": rhs_name, "jacobian": jacobian_name}
    signatures = {rhs_name: RHS_SIGNATURE} | ({jacobian_name: JACOBIAN_SIGNATURE} if matrix is not None else {})
    return _Emitted(_assemble(header, body, signatures), arguments, parts, {k: names[k] for k in parts})


def compile_ode(
    rhs: Sequence[sp.Expr], unknowns: Sequence[sp.Symbol], parameters: Sequence[sp.Symbol], *,
    conjugates: Mapping[sp.Symbol, sp.Symbol] | None = None, jacobian: bool = True, name: str = "ode",
    cache_dir: str | os.PathLike | None = None, domains: Mapping | None = None,
    rtol: float = 1e-9, atol: float = 1e-12, n_points: int = 8, seed: int = 0,
) -> CompiledODE:
    """Compile ``dz_k/dt = rhs_k(z, p)`` into real, array-argument Numba functions (cached).

    Parameters
    ----------
    rhs : sequence of sympy.Expr
        One right-hand side per unknown.
    unknowns : sequence of sympy.Symbol
        Real symbols are real unknowns (one component); others are complex (two components).
    parameters : sequence of sympy.Symbol
        Real parameters, in the order of the ``p`` vector.
    conjugates : mapping, optional
        ``{w: z}``: the symbol ``w`` stands for ``conj(z)`` of the unknown ``z``; ``{z: z}``
        declares a complex-typed unknown real.
    jacobian : bool
        Also compile the Jacobian ``dF/dy``.
    name, cache_dir, domains, rtol, atol :
        As for :func:`~qderive.codegen.compile_array` (the accuracy check of both kernels;
        ``atol`` absorbs cancellation in expanded polynomials near zero).

    Returns
    -------
    CompiledODE

    Examples
    --------
    >>> import sympy as sp, numpy as np
    >>> z, w = sp.Symbol("z", complex=True), sp.Symbol("w", real=True)
    >>> k = sp.Symbol("k", positive=True)
    >>> ode = compile_ode([-(k + sp.I) * z, -k * w], [z, w], [k])
    >>> out = np.empty(ode.size)
    >>> ode.rhs(out, ode.pack([1 + 0j, 2.0]), np.array([0.5]))
    >>> out.tolist()
    [-0.5, -1.0, -1.0]
    """
    unknowns, parameters = tuple(unknowns), tuple(parameters)
    real, real_rhs, components = real_system(rhs, unknowns, parameters, conjugates)
    args = (*real, *parameters)
    matrix = sp.Matrix(real_rhs).jacobian(sp.Matrix(real)) if jacobian else None
    key = cache_key({"kind": "ode", "rhs": sp.srepr(tuple(real_rhs)), "args": [sp.srepr(a) for a in args],
                     "jacobian": None if matrix is None else sp.srepr(matrix), "name": name})
    store = KernelStore(resolve_cache_dir(cache_dir))
    loaded = _load_cached(store, key, args, matrix, domains, n_points, seed, rtol, atol)
    if loaded is None:
        loaded = _build(store, key, args, real_rhs, matrix, len(real), name, domains, n_points, seed, rtol, atol)
    module, text, path, checks, from_cache, names = loaded
    return CompiledODE(
        unknowns=unknowns, parameters=parameters, components=tuple(components), real_unknowns=tuple(real),
        real_rhs=tuple(real_rhs), rhs=getattr(module, names["rhs"]),
        jacobian=getattr(module, names["jacobian"]) if "jacobian" in names else None,
        source=text, source_path=path, checks=checks, from_cache=from_cache,
    )


def _evaluator(module, names: Mapping[str, str], part: str, n_real: int, shape: tuple[int, ...]):
    """``points -> rows`` of one compiled function, for the accuracy check."""
    function = getattr(module, names[part])

    def evaluate(points: np.ndarray) -> np.ndarray:
        rows = []
        for point in np.real(points):
            out = np.empty(shape)
            function(out, np.ascontiguousarray(point[:n_real]), np.ascontiguousarray(point[n_real:]))
            rows.append(out.ravel())
        return np.array(rows).reshape(len(points), -1)

    return evaluate


def _shapes(n_real: int, matrix: sp.Matrix | None) -> dict[str, tuple[int, ...]]:
    return {"rhs": (n_real,)} | ({} if matrix is None else {"jacobian": (n_real, n_real)})


def _build(store: KernelStore, key: str, args, real_rhs, matrix, n_real: int, name: str, domains, n_points: int,
           seed: int, rtol: float, atol: float):
    emitted = _emit(real_rhs, matrix, args, n_real, name, key, (rtol, atol))
    digest = sha256_text(emitted.source)
    path = store.write_source(f"{identifier(name, set())}_ode_{key[:12]}_{digest[:12]}", emitted.source)
    store.purge_machine_code(path.stem)  # no manifest vouches for any machine code left there
    module = load_module(path, emitted.source)
    compile_module(module, {})
    plan = make_plan(emitted.arguments, domains, n_points, seed)
    points = sample_points(emitted.arguments, plan)
    checks, samples = {}, {}
    for part, (lowered, entries, n_entries) in emitted.parts.items():
        sample = reference_sample(emitted.arguments, lowered, n_entries, entries, points)
        evaluate = _evaluator(module, emitted.function_names, part, n_real, _shapes(n_real, matrix)[part])
        checks[part] = run_check(evaluate, sample, emitted.arguments, rtol, atol, f"ODE {part} {path.name}")
        samples[part] = sample.as_json()
    store.write_manifest(key, {"key": key, "source_file": path.name, "source_sha256": digest,
                               "functions": emitted.function_names,
                               "machine_code": machine_code_files(store.directory, path.stem), "plan": plan.as_json(),
                               "samples": samples, "n_real": n_real})
    return module, emitted.source, path, checks, False, emitted.function_names


def _load_cached(store: KernelStore, key: str, args, matrix, domains, n_points: int, seed: int,
                 rtol: float, atol: float):
    """The cached module if manifest, source, machine code and stored samples all check out."""
    manifest = store.read_manifest(key)
    if manifest is None:
        return None
    arguments = prepare_arguments(args, [], set(RUNTIME_NAMES) | {"out", "y", "p"})
    if manifest.get("plan") != make_plan(arguments, domains, n_points, seed).as_json():
        return None
    verified = store.read_verified_source(manifest)
    if verified is None:
        return None
    path, text = verified
    vouched = vouched_machine_code(store, path.stem, manifest)
    try:
        n_real = int(manifest["n_real"])
        names = dict(manifest["functions"])
        module = load_module(path, text)
        compiled = compile_module(module, vouched)
        checks = {}
        for part, data in manifest["samples"].items():
            evaluate = _evaluator(module, names, part, n_real, _shapes(n_real, matrix)[part])
            checks[part] = run_check(evaluate, ReferenceSample.from_json(data), arguments, rtol, atol,
                                     f"cached ODE {part} {path.name}")
    except Exception:  # noqa: BLE001 - unusable entry or tampered manifest: rebuild
        store.purge_machine_code(path.stem)
        return None
    if compiled.compiled:  # Numba recompiled: record the new machine code
        manifest["machine_code"] = machine_code_files(store.directory, path.stem)
        store.write_manifest(key, manifest)
    return module, text, path, checks, True, names


__all__ = ["CompiledODE", "JACOBIAN_SIGNATURE", "RHS_SIGNATURE", "compile_ode", "real_system"]
