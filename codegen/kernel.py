"""Public entry points: :func:`compile_expr` and :func:`compile_array`.

Each call hashes its request into a cache key, then either loads the kernel from the disk
cache (verifying the source checksum and re-running the stored accuracy sample against
the loaded machine code) or generates, compiles and checks it against 30-digit mpmath,
storing the result for the next process.  Loaded kernels are also kept in memory, so a
repeated call in the same process is a dictionary lookup.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import sympy as sp

from .cache import (
    KernelStore,
    cache_key,
    load_module,
    numba_data_files,
    numba_data_intact,
    resolve_cache_dir,
    sha256_text,
    versions_line,
)
from .check import CheckPlan, CheckReport, ReferenceSample, make_plan, reference_sample, run_check, sample_points
from .emit import (
    COMPLEX,
    Argument,
    EmittedModule,
    emit_array_module,
    emit_scalar_module,
    module_names,
    prepare_arguments,
    resolve_dtype,
)
from .errors import InvalidArgumentsError

__all__ = ["Kernel", "ArrayKernel", "compile_expr", "compile_array", "forget_loaded_kernels"]

_LOADED: dict[tuple, object] = {}
_DTYPES = {"float64": np.dtype(np.float64), "complex128": np.dtype(np.complex128)}


@dataclass(frozen=True)
class _Request:
    """Everything that determines a kernel, plus how to check it."""

    kind: str
    entries: tuple[sp.Expr, ...]
    shape: tuple[int, ...]
    expression: sp.Basic
    args: tuple[sp.Symbol, ...]
    name: str
    dtype: str | None
    parallel: bool
    domains: Mapping | None
    n_points: int
    seed: int
    rtol: float
    atol: float
    cache_dir: Path

    def key(self) -> str:
        return cache_key({
            "kind": self.kind, "expression": sp.srepr(self.expression, order="none"),
            "shape": list(self.shape),
            "args": [sp.srepr(a) for a in self.args], "name": self.name,
            "dtype": self.dtype or "auto", "parallel": self.parallel,
        })

    def plan(self, arguments: Sequence[Argument]) -> CheckPlan:
        return make_plan(arguments, self.domains, self.n_points, self.seed)

    def emit(self, key: str) -> EmittedModule:
        if self.kind == "scalar":
            return emit_scalar_module(self.expression, self.args, name=self.name, dtype=self.dtype,
                                      parallel=self.parallel, cache_key=key, versions=versions_line())
        return emit_array_module(self.entries, self.shape, self.args, name=self.name, dtype=self.dtype,
                                 cache_key=key, versions=versions_line(),
                                 expression_text=sp.sstr(self.expression, order="none"))


class _CompiledModule:
    """What scalar and array kernels share: provenance, source and the accuracy check."""

    def __init__(self, request: _Request, module: ModuleType, source: str, names: dict[str, str],
                 arguments: tuple[Argument, ...], dtype: str, key: str, from_cache: bool) -> None:
        self.expr = request.expression
        self.args = request.args
        self.arguments = arguments
        self.dtype = np.dtype(dtype)
        self.cache_key = key
        self.from_cache = from_cache
        self.source = source
        self.source_path = Path(module.__file__)
        self._module = module
        self._names = names
        self._compiled = None  # the eagerly compiled dispatcher, set by subclasses
        self.check: CheckReport | None = None

    @property
    def max_rel_error(self) -> float:
        """Worst relative error against the 30-digit reference at the check's points."""
        return self.check.max_rel_error

    def _evaluate_sample(self, points: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _column(self, points: np.ndarray, k: int) -> np.ndarray:
        column = points[:, k]
        return column.astype(complex) if self.arguments[k].dtype == COMPLEX else column.real.astype(float)


class Kernel(_CompiledModule):
    """A compiled scalar expression.

    Attributes
    ----------
    scalar : numba dispatcher
        ``scalar(p1, p2, ...)`` at one point; callable from other ``@njit`` code.
    loop : numba dispatcher
        The compiled loop behind :meth:`vectorized` (flat 1-D inputs, 1-D output).
    dtype : numpy.dtype
        ``float64`` or ``complex128``.
    args, arguments :
        The argument symbols in call order, and their names/dtypes in the source.
    source, source_path :
        The generated module's text (exactly what was compiled) and its file in the cache.
    check : CheckReport
        The accuracy check; ``max_rel_error`` is its worst relative error.
    from_cache : bool
        Whether this kernel was loaded from the disk cache.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scalar = getattr(self._module, self._names["scalar"])
        self.loop = getattr(self._module, self._names["loop"])
        self._compiled = self.loop

    def vectorized(self, *values, out: np.ndarray | None = None):
        """Evaluate at every point of the broadcast argument arrays, in one compiled loop.

        Parameters
        ----------
        *values : array_like
            One value or array per argument, broadcast together like NumPy does.
        out : numpy.ndarray, optional
            C-contiguous array of the broadcast shape and the kernel's dtype to write into.

        Returns
        -------
        numpy.ndarray or scalar
            Array of the broadcast shape (a NumPy scalar when every input is a scalar).
        """
        arrays = _inputs(values, self.arguments)
        shape = arrays[0].shape if arrays else ()
        if any(a.shape != shape for a in arrays):
            shape = np.broadcast_shapes(*(a.shape for a in arrays))
        flat = [a.reshape(-1) if a.shape == shape and a.flags.c_contiguous
                else np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1) for a in arrays]
        if out is None:
            out = np.empty(shape, dtype=self.dtype)
        elif out.shape != shape or out.dtype != self.dtype or not out.flags.c_contiguous:
            raise ValueError(f"out must be a C-contiguous {self.dtype} array of shape {shape}")
        self.loop(*flat, out.reshape(-1))
        return out if shape else out[()]

    __call__ = vectorized

    def _evaluate_sample(self, points: np.ndarray) -> np.ndarray:
        columns = [self._column(points, k) for k in range(len(self.arguments))]
        return np.broadcast_to(self.vectorized(*columns), (len(points),)).reshape(-1, 1)

    def __repr__(self) -> str:
        names = ", ".join(a.name for a in self.arguments)
        return f"<Kernel {self._names['scalar']}({names}) -> {self.dtype}, max_rel_error={self.max_rel_error:.2g}>"


class ArrayKernel(_CompiledModule):
    """A compiled matrix/tensor of expressions, refilled in place.

    Attributes
    ----------
    fill_compiled : numba dispatcher
        ``fill_compiled(out, p1, p2, ...)`` without any checks; callable from ``@njit`` code.
    shape : tuple of int
        Shape of the array.
    dtype : numpy.dtype
        ``float64`` or ``complex128``.
    """

    def __init__(self, request: _Request, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.shape = request.shape
        self.fill_compiled = getattr(self._module, self._names["fill"])
        self._compiled = self.fill_compiled

    def fill(self, out: np.ndarray, *params) -> np.ndarray:
        """Overwrite ``out`` with the array's values at one parameter point; return ``out``.

        ``out`` must have :attr:`shape` and :attr:`dtype` (any strides).
        """
        if out.shape != self.shape or out.dtype != self.dtype:
            raise ValueError(f"out must be a {self.dtype} array of shape {self.shape}, "
                             f"got {out.dtype} {out.shape}")
        self.fill_compiled(out, *params)
        return out

    def __call__(self, *params) -> np.ndarray:
        """A new array with the values at one parameter point."""
        return self.fill(np.empty(self.shape, dtype=self.dtype), *params)

    def _evaluate_sample(self, points: np.ndarray) -> np.ndarray:
        rows = []
        for point in points:
            values = [complex(v) if a.dtype == COMPLEX else float(np.real(v))
                      for a, v in zip(self.arguments, point, strict=True)]
            rows.append(self(*values).ravel())
        return np.array(rows)

    def __repr__(self) -> str:
        names = ", ".join(a.name for a in self.arguments)
        return (f"<ArrayKernel {self._names['fill']}(out, {names}) shape={self.shape} "
                f"{self.dtype}, max_rel_error={self.max_rel_error:.2g}>")


def _inputs(values: Sequence, arguments: Sequence[Argument]) -> list[np.ndarray]:
    if len(values) != len(arguments):
        expected = ", ".join(a.name for a in arguments)
        raise TypeError(f"kernel takes {len(arguments)} argument(s) ({expected}), got {len(values)}")
    arrays = []
    for value, arg in zip(values, arguments, strict=True):
        array = np.asarray(value)
        if array.dtype != _DTYPES[arg.dtype]:
            if array.dtype.kind == "c" and arg.dtype != COMPLEX:
                raise TypeError(
                    f"argument {arg.symbol} got complex values but is a real (float64) argument; "
                    f"declare it Symbol({arg.symbol.name!r}, complex=True) to pass complex values"
                )
            array = array.astype(arg.dtype)
        arrays.append(array)
    return arrays


def forget_loaded_kernels() -> None:
    """Drop the in-memory kernel table (the next call re-reads the disk cache)."""
    _LOADED.clear()


def _obtain(request: _Request, kernel_class: type[_CompiledModule]) -> _CompiledModule:
    key = request.key()
    memo_key = (str(request.cache_dir), key, repr(request.domains), request.n_points,
                request.seed, request.rtol, request.atol)
    if memo_key in _LOADED:
        return _LOADED[memo_key]
    store = KernelStore(request.cache_dir)
    kernel = _load_cached(request, kernel_class, store, key)
    if kernel is None:
        kernel = _build(request, kernel_class, store, key)
    _LOADED[memo_key] = kernel
    return kernel


def _load_cached(request: _Request, kernel_class: type[_CompiledModule], store: KernelStore,
                 key: str) -> _CompiledModule | None:
    """The cached kernel if its manifest, source, machine code and sample all check out."""
    manifest = store.read_manifest(key)
    if manifest is None:
        return None
    taken, names = module_names(request.name, request.kind)
    arguments = prepare_arguments(request.args, request.entries, taken)
    if manifest.get("plan") != request.plan(arguments).as_json():
        return None
    verified = store.read_verified_source(manifest)
    if verified is None:
        return None
    path, text = verified
    if not numba_data_intact(manifest.get("numba_files", {})):
        store.purge_numba_cache(path.stem)  # never let Numba execute damaged machine code
    try:
        module = load_module(path, text)
        kernel = kernel_class(request, module, text, names, arguments, manifest["dtype"], key,
                              from_cache=True)
        sample = ReferenceSample.from_json(manifest["sample"])
        kernel.check = run_check(kernel._evaluate_sample, sample, arguments,
                                 request.rtol, request.atol, f"cached kernel {path.name}")
    except Exception:  # noqa: BLE001 - corrupt Numba cache or tampered manifest: rebuild
        store.purge_numba_cache(path.stem)
        return None
    if kernel._compiled.stats.cache_misses:  # Numba recompiled: record the new machine code
        manifest["numba_files"] = numba_data_files(kernel._compiled, path.stem)
        store.write_manifest(key, manifest)
    return kernel


def _build(request: _Request, kernel_class: type[_CompiledModule], store: KernelStore,
           key: str) -> _CompiledModule:
    """Generate, compile, check and store the kernel."""
    emitted = request.emit(key)
    digest = sha256_text(emitted.source)
    first_function = next(iter(emitted.function_names.values()))
    path = store.write_source(f"{first_function}_{key[:12]}_{digest[:12]}", emitted.source)
    store.purge_numba_cache(path.stem)  # no manifest vouches for any machine code left there
    module = load_module(path, emitted.source)
    kernel = kernel_class(request, module, emitted.source, emitted.function_names,
                          emitted.arguments, emitted.dtype, key, from_cache=False)
    plan = request.plan(emitted.arguments)
    sample = reference_sample(emitted.arguments, emitted.lowered, len(request.entries),
                              emitted.output_entries, sample_points(emitted.arguments, plan))
    kernel.check = run_check(kernel._evaluate_sample, sample, emitted.arguments,
                             request.rtol, request.atol, f"kernel {path.name}")
    store.write_manifest(key, {
        "key": key, "source_file": path.name, "source_sha256": digest, "dtype": emitted.dtype,
        "numba_files": numba_data_files(kernel._compiled, path.stem),
        "plan": plan.as_json(), "sample": sample.as_json(),
    })
    return kernel


_Domains = Mapping[sp.Symbol | str, tuple[complex, complex]]


def _symbols(args: Sequence[sp.Symbol] | sp.Symbol) -> tuple[sp.Symbol, ...]:
    return (args,) if isinstance(args, sp.Basic) else tuple(args)


def compile_expr(
    expr: sp.Expr | str | float, args: Sequence[sp.Symbol] | sp.Symbol, *,
    dtype: object = None, name: str = "kernel", cache_dir: str | os.PathLike | None = None,
    parallel: bool = False, domains: _Domains | None = None, rtol: float = 1e-10,
    atol: float = 0.0, n_points: int = 16, seed: int = 0,
) -> Kernel:
    """Compile a scalar SymPy expression into a checked, cached Numba kernel.

    Parameters
    ----------
    expr : sympy.Expr
        The expression.  Symbols without a real/complex assumption are real arguments.
    args : sequence of sympy.Symbol
        The kernel's arguments, in call order; every free symbol of ``expr`` must be here.
    dtype : {None, "float64", "complex128"}
        Result type; ``None`` infers ``complex128`` unless SymPy proves ``expr`` real.
    name : str
        Name of the generated function (made a valid identifier).
    cache_dir : path, optional
        Cache directory; default ``$QDERIVE_CACHE_DIR`` or the per-user cache.
    parallel : bool
        Run the vectorised loop with ``prange`` over all cores.
    domains : mapping, optional
        ``{symbol_or_name: (low, high)}`` sampling domains for the accuracy check
        (complex bounds span a rectangle for complex arguments).  Defaults:
        ``[0.5, 2]`` for nonnegative, ``[-2, -0.5]`` for nonpositive, ``[-2, 2]`` for other
        real symbols, ``[-2, 2] + [-2, 2]i`` for complex ones, small integers for integers.
    rtol, atol : float
        Tolerance of the check: each value must satisfy
        ``|ours - ref| <= rtol * |ref| + atol`` against 30-digit mpmath.
    n_points, seed : int
        Number of random sample points and the generator's seed.

    Returns
    -------
    Kernel

    Raises
    ------
    UnsupportedFunctionError, MissingArgumentError, InvalidArgumentsError, KernelCheckError

    Examples
    --------
    >>> import sympy as sp, tempfile
    >>> g, k = sp.symbols("g kappa", positive=True)
    >>> f = compile_expr(4 * g**2 / (k**2 + 4 * g**2), [g, k], cache_dir=tempfile.mkdtemp())
    >>> float(f(0.5, 1.0)), f.dtype.name, f.max_rel_error < 1e-14
    (0.5, 'float64', True)
    """
    expr = sp.sympify(expr)
    if not isinstance(expr, sp.Expr):
        raise InvalidArgumentsError(
            f"compile_expr takes one scalar expression, got {type(expr).__name__}; "
            "use compile_array for lists, matrices and arrays"
        )
    request = _Request(
        "scalar", (expr,), (), expr, _symbols(args), name, resolve_dtype(dtype), bool(parallel),
        domains, n_points, seed, rtol, atol, resolve_cache_dir(cache_dir),
    )
    return _obtain(request, Kernel)


def compile_array(
    array: sp.MatrixBase | sp.NDimArray | Sequence, args: Sequence[sp.Symbol] | sp.Symbol, *,
    dtype: object = None, name: str = "array", cache_dir: str | os.PathLike | None = None,
    domains: _Domains | None = None, rtol: float = 1e-10, atol: float = 0.0,
    n_points: int = 8, seed: int = 0,
) -> ArrayKernel:
    """Compile a list, matrix or N-dimensional array of expressions into an in-place filler.

    CSE is shared across all entries.  Parameters are as for :func:`compile_expr`; the
    result's dtype is ``complex128`` unless every entry is provably real.

    Returns
    -------
    ArrayKernel
        ``kernel.fill(out, *params)`` overwrites ``out``; ``kernel(*params)`` allocates.

    Examples
    --------
    >>> import sympy as sp, tempfile, numpy as np
    >>> w, g = sp.symbols("omega gamma", positive=True)
    >>> H = sp.Matrix([[w, g], [g, -w]])
    >>> h = compile_array(H, [w, g], cache_dir=tempfile.mkdtemp())
    >>> out = np.empty(h.shape, h.dtype)
    >>> h.fill(out, 1.0, 0.25).tolist()
    [[1.0, 0.25], [0.25, -1.0]]
    """
    if isinstance(array, (sp.MatrixBase, sp.NDimArray, list, tuple)):
        array = sp.ImmutableDenseNDimArray(array)
    else:
        raise InvalidArgumentsError(
            f"compile_array takes a list, Matrix or Array, got {type(array).__name__}; "
            "use compile_expr for a single expression"
        )
    if array.rank() == 0 or 0 in array.shape:
        raise InvalidArgumentsError(f"cannot compile an empty array (shape {array.shape})")
    shape = tuple(int(n) for n in array.shape)
    entries = tuple(sp.sympify(array[index]) for index in np.ndindex(*shape))
    request = _Request(
        "array", entries, shape, array, _symbols(args), name, resolve_dtype(dtype), False,
        domains, n_points, seed, rtol, atol, resolve_cache_dir(cache_dir),
    )
    return _obtain(request, ArrayKernel)
