"""Public entry points: :func:`compile_expr` and :func:`compile_array`.

Each call hashes its request into a cache key, then either loads the kernel from the disk
cache (verifying the source checksum, executing only machine code whose checksum the
manifest records, and re-running the stored accuracy sample through every entry point)
or generates, compiles and checks it against 30-digit mpmath, storing the result for the
next process.  A cache that cannot be written (read-only, a file, an entry replaced by a
directory) gives one :class:`~qderive.codegen.errors.KernelCacheWarning` and a kernel
kept in memory.  Loaded kernels are also kept in memory, so a repeated call in the same
process is a dictionary lookup.  Every error raised here is a
:class:`~qderive.codegen.errors.CodegenError`.
"""

from __future__ import annotations

import gc
import math
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import sympy as sp

from .cache import KernelStore, cache_key, load_module, resolve_cache_dir, sha256_text, versions_line
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
from .errors import CodegenError, InvalidArgumentsError, KernelCacheWarning, KernelCallError
from .llvm_body import BodyLoop, body_address
from .machine_code import Compiled, compile_module, machine_code_files, vouched_machine_code

__all__ = ["Kernel", "ArrayKernel", "compile_expr", "compile_array", "forget_loaded_kernels"]

_LOADED: dict[tuple, object] = {}
# Smallest call that runs a parallel kernel's loop on Numba's thread pool. On the 2-core development machine a
# parallel Numba region whose cores are taken by other processes waited 25-64 ms for its threads, so a call pays
# only from ~40 ms of serial work: 1e6 points of a 40 ns point (python -m qderive.bench.threshold_bench).
PARALLEL_MIN_POINTS = 1_000_000
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
            "kind": self.kind, "expression": _expression_digest(self.expression),
            "shape": list(self.shape),
            "args": [sp.srepr(a) for a in self.args], "name": self.name,
            "dtype": self.dtype or "auto", "parallel": "serial and parallel loop" if self.parallel else False,
            "tolerance": [self.rtol, self.atol],  # decides when a compared operand counts as real
        })

    def plan(self, arguments: Sequence[Argument]) -> CheckPlan:
        return make_plan(arguments, self.domains, self.n_points, self.seed)

    def emit(self, key: str) -> EmittedModule:
        tolerance = (self.rtol, self.atol)
        if self.kind == "scalar":
            return emit_scalar_module(self.expression, self.args, name=self.name, dtype=self.dtype,
                                      parallel=self.parallel, cache_key=key, versions=versions_line(),
                                      tolerance=tolerance)
        return emit_array_module(self.entries, self.shape, self.args, name=self.name, dtype=self.dtype,
                                 cache_key=key, versions=versions_line(),
                                 expression_text=sp.sstr(self.expression, order="none"), tolerance=tolerance)


def _expression_digest(expr: sp.Basic) -> str:
    """sha256 of ``expr``'s tree: each distinct node once, as its type and the numbers of its
    arguments, atoms as :func:`sympy.srepr` (which keeps assumptions and exact numbers).

    It tells expressions apart as ``srepr(expr, order="none")`` does, in a fraction of the time
    (no printer; each shared subtree once).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> _expression_digest(sp.sin(x) + 1) == _expression_digest(1 + sp.sin(x))  # one canonical Add
    True
    >>> _expression_digest(x) == _expression_digest(sp.Symbol("x", positive=True))
    False
    """
    numbers: dict = {}
    lines = []
    stack = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        key = (type(node), node)
        if key in numbers:
            continue
        if not node.args:
            lines.append(sp.srepr(node))
        elif not ready:
            stack.append((node, True))
            stack.extend((arg, False) for arg in reversed(node.args))
            continue
        else:
            lines.append(f"{type(node).__name__}({','.join(str(numbers[type(a), a]) for a in node.args)})")
        numbers[key] = len(lines) - 1
    return sha256_text("\n".join(lines))


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

    def _entry_points(self) -> list[tuple[str, Callable[[np.ndarray], np.ndarray]]]:
        """``(label, evaluate)`` for every compiled entry point; ``evaluate(points)`` gives
        one row of values per sample point."""
        raise NotImplementedError

    def _run_check(self, sample: ReferenceSample, rtol: float, atol: float, what: str) -> CheckReport:
        """Check every entry point against ``sample``; keep the worst report."""
        reports = [run_check(evaluate, sample, self.arguments, rtol, atol, f"{what} ({label})")
                   for label, evaluate in self._entry_points()]
        return max(reports, key=lambda report: report.max_rel_error)

    def _point_values(self, point: np.ndarray) -> list[float | complex]:
        return [complex(v) if a.dtype == COMPLEX else float(np.real(v))
                for a, v in zip(self.arguments, point, strict=True)]

    def _column(self, points: np.ndarray, k: int) -> np.ndarray:
        column = points[:, k]
        return column.astype(complex) if self.arguments[k].dtype == COMPLEX else column.real.astype(float)


class Kernel(_CompiledModule):
    """A compiled scalar expression.

    Attributes
    ----------
    scalar : numba dispatcher
        ``scalar(p1, p2, ...)`` at one point; callable from other ``@njit`` code.
    loop : numba dispatcher or BodyLoop
        The compiled loop behind :meth:`vectorized`: ``loop(*flat_inputs, out)`` (1-D, C-contiguous).
        For a large real kernel (:data:`~qderive.codegen.emit.LLVM_BODY_MIN_OPERATIONS`) it is a
        :class:`~qderive.codegen.llvm_body.BodyLoop`, compiled beside the scalar kernel's LLVM body
        so that the body is compiled once; not callable from ``@njit`` code.
    parallel_loop : numba dispatcher or None
        For a kernel compiled with ``parallel=True``, the same loop over Numba's thread pool, which
        :meth:`vectorized` runs for calls of at least ``PARALLEL_MIN_POINTS`` points (``loop`` below);
        for a large real kernel it takes one more argument, the body's address
        (:func:`~qderive.codegen.llvm_body.body_address`).
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

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen import compile_expr
    >>> g, k = sp.symbols("g kappa", positive=True)
    >>> f = compile_expr(g**2 / (g**2 + k**2), [g, k])
    >>> float(f.scalar(1.0, 1.0)), f.dtype.name, f.check.passed  # 1/2 at g = kappa
    (0.5, 'float64', True)
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scalar = getattr(self._module, self._names["scalar"])
        self.parallel_loop = getattr(self._module, self._names["parallel_loop"], None)
        # A large real kernel's body is compiled once, in the scalar kernel, with a serial loop beside it;
        # the parallel loop calls that body by its address, an extra last argument (see emit_scalar_module).
        body = getattr(self._module, self._names["body"], None)
        if body is None:
            self.loop, self._parallel_extra = getattr(self._module, self._names["loop"]), ()
        else:
            self.loop = BodyLoop(self.scalar, body, len(self.arguments))
            self._parallel_extra = (body_address(self.scalar, body),)
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

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.codegen import compile_expr
        >>> g, k = sp.symbols("g kappa", positive=True)
        >>> f = compile_expr(g**2 / (g**2 + k**2), [g, k])
        >>> gs = np.array([[1.0], [3.0]])
        >>> values = f.vectorized(gs, np.array([1.0, 2.0, 3.0]))  # broadcast to shape (2, 3)
        >>> values.shape, bool(np.allclose(values, gs**2 / (gs**2 + np.array([1.0, 2.0, 3.0]) ** 2)))
        ((2, 3), True)
        """
        arrays = _inputs(values, self.arguments)
        shape = arrays[0].shape if arrays else ()
        if any(a.shape != shape for a in arrays):
            try:
                shape = np.broadcast_shapes(*(a.shape for a in arrays))
            except ValueError as error:
                raise KernelCallError(f"kernel arguments do not broadcast together: {error}") from None
        flat = [a.reshape(-1) if a.shape == shape and a.flags.c_contiguous
                else np.ascontiguousarray(np.broadcast_to(a, shape)).reshape(-1) for a in arrays]
        if out is None:
            out = np.empty(shape, dtype=self.dtype)
        elif (not isinstance(out, np.ndarray) or out.shape != shape or out.dtype != self.dtype
              or not out.flags.c_contiguous):
            raise KernelCallError(f"out must be a C-contiguous {self.dtype} array of shape {shape}")
        parallel = self.parallel_loop is not None and out.size >= PARALLEL_MIN_POINTS
        if parallel:
            self.parallel_loop(*flat, out.reshape(-1), *self._parallel_extra)
        else:
            self.loop(*flat, out.reshape(-1))
        return out if shape else out[()]

    __call__ = vectorized

    def _entry_points(self) -> list[tuple[str, Callable[[np.ndarray], np.ndarray]]]:
        def vectorised(points: np.ndarray) -> np.ndarray:
            columns = [self._column(points, k) for k in range(len(self.arguments))]
            return np.broadcast_to(self.vectorized(*columns), (len(points),)).reshape(-1, 1)

        def scalar(points: np.ndarray) -> np.ndarray:
            return np.array([[self.scalar(*self._point_values(p))] for p in points]).reshape(-1, 1)

        return [("vectorised loop", vectorised), ("scalar kernel", scalar)]

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

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen import compile_array
    >>> w, g = sp.symbols("omega gamma", positive=True)
    >>> h = compile_array(sp.Matrix([[w, g], [g, -w]]), [w, g])
    >>> eigenvalues = np.linalg.eigvalsh(h(3.0, 4.0))
    >>> eigenvalues.tolist()  # +- sqrt(w^2 + g^2)
    [-5.0, 5.0]
    """

    def __init__(self, request: _Request, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.shape = request.shape
        self.fill_compiled = getattr(self._module, self._names["fill"])
        self._compiled = self.fill_compiled

    def fill(self, out: np.ndarray, *params) -> np.ndarray:
        """Overwrite ``out`` with the array's values at one parameter point; return ``out``.

        ``out`` must have :attr:`shape` and :attr:`dtype` (any strides).

        Examples
        --------
        >>> import sympy as sp
        >>> from qderive.codegen import compile_array
        >>> w, g = sp.symbols("omega gamma", positive=True)
        >>> h = compile_array(sp.Matrix([[w, g], [g, -w]]), [w, g])
        >>> out = np.zeros((2, 2, 2))
        >>> _ = h.fill(out[0], 1.0, 0.5)  # any strides: fills a slice in place
        >>> out[0].tolist(), out[1].tolist()
        ([[1.0, 0.5], [0.5, -1.0]], [[0.0, 0.0], [0.0, 0.0]])
        >>> h.fill(np.empty((3, 3)), 1.0, 0.5)
        Traceback (most recent call last):
        ...
        qderive.codegen.errors.KernelCallError: out must be a float64 array of shape (2, 2), got float64 (3, 3)
        """
        if not isinstance(out, np.ndarray) or out.shape != self.shape or out.dtype != self.dtype:
            got = f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
            raise KernelCallError(f"out must be a {self.dtype} array of shape {self.shape}, got {got}")
        if len(params) != len(self.arguments):
            expected = ", ".join(a.name for a in self.arguments)
            raise KernelCallError(f"kernel takes {len(self.arguments)} argument(s) ({expected}), got {len(params)}")
        try:
            self.fill_compiled(out, *params)
        except TypeError as error:  # Numba found no matching signature
            raise KernelCallError(f"kernel arguments must be numbers of types {self._names['fill']}"
                                  f"{tuple(a.dtype for a in self.arguments)}: {error}") from None
        return out

    def __call__(self, *params) -> np.ndarray:
        """A new array with the values at one parameter point."""
        return self.fill(np.empty(self.shape, dtype=self.dtype), *params)

    def _entry_points(self) -> list[tuple[str, Callable[[np.ndarray], np.ndarray]]]:
        def fill(points: np.ndarray) -> np.ndarray:
            return np.array([self(*self._point_values(p)).ravel() for p in points])

        return [("fill", fill)]

    def __repr__(self) -> str:
        names = ", ".join(a.name for a in self.arguments)
        return (f"<ArrayKernel {self._names['fill']}(out, {names}) shape={self.shape} "
                f"{self.dtype}, max_rel_error={self.max_rel_error:.2g}>")


def _inputs(values: Sequence, arguments: Sequence[Argument]) -> list[np.ndarray]:
    if len(values) != len(arguments):
        expected = ", ".join(a.name for a in arguments)
        raise KernelCallError(f"kernel takes {len(arguments)} argument(s) ({expected}), got {len(values)}")
    arrays = []
    for value, arg in zip(values, arguments, strict=True):
        array = np.asarray(value)
        if array.dtype != _DTYPES[arg.dtype]:
            if array.dtype.kind == "c" and arg.dtype != COMPLEX:
                raise KernelCallError(
                    f"argument {arg.name} got complex values but is a real (float64) argument; "
                    f"declare its symbol complex (Symbol(..., complex=True)) to pass complex values"
                )
            if array.dtype.kind not in "biufc":
                raise KernelCallError(f"argument {arg.name} must be numbers, got {array.dtype} values")
            array = array.astype(arg.dtype)
        arrays.append(array)
    return arrays


def forget_loaded_kernels() -> None:
    """Drop the in-memory kernel table (the next call re-reads the disk cache).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.codegen import compile_expr
    >>> x = sp.Symbol("x", positive=True)
    >>> first = compile_expr(x + 1, [x])
    >>> compile_expr(x + 1, [x]) is first  # the in-memory table answers a repeated call
    True
    >>> forget_loaded_kernels()
    >>> again = compile_expr(x + 1, [x])
    >>> again is first, again.from_cache, float(again(1.0))  # re-read (and re-verified) from the disk cache
    (False, True, 2.0)
    """
    _LOADED.clear()


def _obtain(request: _Request, kernel_class: type[_CompiledModule]) -> _CompiledModule:
    try:
        key = request.key()
        memo_key = (str(request.cache_dir), key, repr(request.domains), request.n_points,
                    request.seed, request.rtol, request.atol)
        if memo_key in _LOADED:
            return _LOADED[memo_key]
        store = KernelStore(request.cache_dir)
        kernel = _load_cached(request, kernel_class, store, key)
        if kernel is None:
            with _cyclic_gc_paused():
                kernel = _build(request, kernel_class, store, key)
    except CodegenError:
        raise
    except RecursionError as error:
        raise CodegenError(f"kernel '{request.name}': the expression is nested too deeply to generate "
                           f"code for ({error}); simplify or split it") from None
    except Exception as error:  # noqa: BLE001 - one error family for callers
        raise CodegenError(f"kernel '{request.name}' could not be generated: {type(error).__name__}: "
                           f"{_first_line(error)}") from error
    _LOADED[memo_key] = kernel
    return kernel


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (as it was before, after it).

    A cold build creates millions of short-lived objects (SymPy nodes, ASTs, LLVM IR): the
    collector ran about 150 times during the 16 611-operation build, a tenth to a fifth of it,
    mostly sweeping the long-lived objects of SymPy's and Numba's caches.  Reference counting
    frees the build's objects as usual; cycles wait until the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "(no message)"


def _load_cached(request: _Request, kernel_class: type[_CompiledModule], store: KernelStore,
                 key: str) -> _CompiledModule | None:
    """The cached kernel if its manifest, source, machine code and sample all check out.

    Machine code is executed only with the sha256 the manifest records (checked on the
    bytes Numba unpickles); any other file makes Numba compile from the verified source,
    and the new files are recorded when the cache is writable.
    """
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
    vouched = vouched_machine_code(store, path.stem, manifest)
    try:
        module = load_module(path, text)
        compiled = compile_module(module, vouched)
        kernel = kernel_class(request, module, text, names, arguments, manifest["dtype"], key,
                              from_cache=True)
        sample = ReferenceSample.from_json(manifest["sample"])
        kernel.check = kernel._run_check(sample, request.rtol, request.atol, f"cached kernel {path.name}")
    except Exception:  # noqa: BLE001 - unusable entry or tampered manifest: rebuild
        store.purge_machine_code(path.stem)
        return None
    if compiled.compiled and not compiled.saved:
        _warn_in_memory(store, f"machine code of {path.stem} not saved")
    elif compiled.compiled:
        manifest["machine_code"] = machine_code_files(store.directory, path.stem)
        try:
            store.write_manifest(key, manifest)
        except OSError as error:
            _warn_in_memory(store, _reason(error))
    return kernel


def _build(request: _Request, kernel_class: type[_CompiledModule], store: KernelStore,
           key: str) -> _CompiledModule:
    """Generate, compile, check and store the kernel (in memory only if the cache is not writable)."""
    emitted = request.emit(key)
    digest = sha256_text(emitted.source)
    first_function = next(iter(emitted.function_names.values()))
    stem = f"{first_function}_{key[:12]}_{digest[:12]}"
    try:
        path = store.write_source(stem, emitted.source)
        store.purge_machine_code(stem)  # no manifest vouches for any machine code left there
        vouched: dict[str, str] | None = {}
    except OSError as error:
        path, vouched = store.directory / f"{stem}.py", None
        _warn_in_memory(store, _reason(error))
    try:
        module = load_module(path, emitted.source)
    except Exception as error:  # noqa: BLE001 - name the kernel
        raise _compile_error(stem, error) from error
    built = threading.Event()
    if emitted.body_program is not None:  # checked by the emitter: not parsed again (a cached load parses)
        getattr(module, emitted.function_names["body"]).adopt(emitted.body_program, built)
    else:
        built.set()
    plan = request.plan(emitted.arguments)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # LLVM releases the GIL while it generates machine code: the 30-digit reference is evaluated meanwhile, once
        # a large body's compile gets there (Python code run earlier would take turns with Numba's for the GIL; see
        # qderive.codegen.llvm_body._set_when_finalising).
        compiling = pool.submit(_compile_then_set, module, vouched, built)
        built.wait()
        try:
            sample = reference_sample(emitted.arguments, emitted.lowered, len(request.entries),
                                      emitted.output_entries, sample_points(emitted.arguments, plan))
        except Exception:
            _compiled(compiling, stem)  # a compile error, if any, is the one to report
            raise
        compiled = _compiled(compiling, stem)
    kernel = kernel_class(request, module, emitted.source, emitted.function_names,
                          emitted.arguments, emitted.dtype, key, from_cache=False)
    kernel.check = kernel._run_check(sample, request.rtol, request.atol, f"kernel {path.name}")
    if vouched is not None and not compiled.saved:
        _warn_in_memory(store, f"machine code of {stem} not saved")
    if vouched is not None:
        try:
            store.write_manifest(key, {
                "key": key, "source_file": path.name, "source_sha256": digest, "dtype": emitted.dtype,
                "machine_code": machine_code_files(store.directory, stem),
                "plan": plan.as_json(), "sample": sample.as_json(),
            })
        except OSError as error:
            _warn_in_memory(store, _reason(error))
    return kernel


def _compile_then_set(module: ModuleType, vouched: dict[str, str] | None, done: threading.Event) -> Compiled:
    """:func:`compile_module`, setting ``done`` when it returns or raises."""
    try:
        return compile_module(module, vouched)
    finally:
        done.set()


def _compiled(compiling: Future, stem: str) -> Compiled:
    """The result of :func:`compile_module` running in ``compiling``, its error as a :class:`CodegenError`."""
    try:
        return compiling.result()
    except Exception as error:  # noqa: BLE001 - Numba's errors are not ours; name the kernel
        raise _compile_error(stem, error) from error


def _compile_error(stem: str, error: Exception) -> CodegenError:
    return CodegenError(
        f"Numba could not compile kernel {stem}: {type(error).__name__}: {_first_line(error)}. "
        "The expression uses an operation Numba cannot type for these argument types; "
        "rewrite that subexpression or declare its symbols' domain (real=True, positive=True)"
    )


def _reason(error: OSError) -> str:
    return f"{type(error).__name__}: {error.strerror or error}"


def _warn_in_memory(store: KernelStore, reason: str) -> None:
    warnings.warn(
        f"kernel cache {store.directory} cannot be written ({reason}); the kernel is compiled in "
        "memory for this process only. Choose a writable cache with cache_dir= or $QDERIVE_CACHE_DIR",
        KernelCacheWarning, stacklevel=5,
    )


_Domains = Mapping[sp.Symbol | str, tuple[complex, complex]]


def _symbols(args: Sequence[sp.Symbol] | sp.Symbol) -> tuple[sp.Symbol, ...]:
    if isinstance(args, sp.Basic):
        return (args,)
    try:
        return tuple(args)
    except TypeError:
        raise InvalidArgumentsError(f"args must be a symbol or a sequence of symbols, got {args!r}") from None


def _check_options(name: object, rtol: object, atol: object, n_points: object, seed: object) -> None:
    """Refuse options that would make the kernel or its check meaningless."""
    if not isinstance(name, str):
        raise InvalidArgumentsError(f"name must be a string, got {type(name).__name__}")
    for label, value in (("rtol", rtol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise InvalidArgumentsError(f"{label} must be a finite number >= 0, got {value!r}")
    if rtol >= 1:
        raise InvalidArgumentsError(f"rtol must be below 1 (a relative accuracy), got {rtol!r}")
    for label, value in (("n_points", n_points), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InvalidArgumentsError(f"{label} must be an integer, got {value!r}")


def _domains(domains: object) -> Mapping | None:
    if domains is None:
        return None
    if not isinstance(domains, Mapping):
        raise InvalidArgumentsError(f"domains must be a mapping {{symbol: (low, high)}}, got {domains!r}")
    for key, domain in domains.items():
        try:
            low, high = (complex(v) for v in domain)
        except (TypeError, ValueError):
            raise InvalidArgumentsError(f"domain of {key} must be a pair (low, high) of numbers, "
                                        f"got {domain!r}") from None
        if not all(map(np.isfinite, (low, high))):
            raise InvalidArgumentsError(f"domain of {key} must be finite, got {domain!r}")
    return domains


def _cache_dir(cache_dir: object) -> Path:
    try:
        return resolve_cache_dir(cache_dir)
    except (TypeError, ValueError, OSError, RuntimeError) as error:
        raise InvalidArgumentsError(f"cache_dir must be a directory path, got {cache_dir!r} ({error})") from None


def compile_expr(
    expr: sp.Expr | float, args: Sequence[sp.Symbol] | sp.Symbol, *,
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
        Also compile the vectorised loop with ``prange`` over all cores, run for calls of at least
        ``PARALLEL_MIN_POINTS`` points (smaller calls run the serial loop: threads cost more than they save).
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
    CodegenError
        Every error is one: ``UnsupportedFunctionError``, ``MissingArgumentError``,
        ``InvalidArgumentsError``, ``KernelCheckError``, or a ``CodegenError`` naming what
        Numba or SymPy could not do.

    Warns
    -----
    KernelCacheWarning
        The cache directory cannot be written; the kernel is compiled in memory.

    Notes
    -----
    ``Max``, ``Min``, ordering comparisons and ``Piecewise`` conditions take real
    operands: an operand computed in complex arithmetic (e.g. ``sqrt`` of an argument SymPy
    cannot prove nonnegative) is replaced by its real part where its imaginary part is
    within ``rtol |Re| + atol``, and makes the value ``nan`` where it is not (SymPy cannot
    compare complex numbers either; such sample points are left out of the check).

    Examples
    --------
    >>> import sympy as sp
    >>> g, k = sp.symbols("g kappa", positive=True)
    >>> f = compile_expr(4 * g**2 / (k**2 + 4 * g**2), [g, k])
    >>> float(f(0.5, 1.0)), f.dtype.name, f.max_rel_error < 1e-14
    (0.5, 'float64', True)
    """
    if isinstance(expr, str):  # sympify would evaluate the text as Python
        raise InvalidArgumentsError(
            "compile_expr takes a SymPy expression, not a string; parse trusted text yourself "
            "(sympy.parse_expr evaluates it as Python code)"
        )
    try:
        expr = sp.sympify(expr, strict=True)
    except (sp.SympifyError, TypeError, ValueError) as error:
        raise InvalidArgumentsError(f"compile_expr cannot read the expression {expr!r}: {error}") from None
    _check_options(name, rtol, atol, n_points, seed)
    if not isinstance(expr, sp.Expr):
        raise InvalidArgumentsError(
            f"compile_expr takes one scalar expression, got {type(expr).__name__}; "
            "use compile_array for lists, matrices and arrays"
        )
    request = _Request(
        "scalar", (expr,), (), expr, _symbols(args), name, resolve_dtype(dtype), bool(parallel),
        _domains(domains), int(n_points), int(seed), float(rtol), float(atol), _cache_dir(cache_dir),
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
    >>> import sympy as sp, numpy as np
    >>> w, g = sp.symbols("omega gamma", positive=True)
    >>> H = sp.Matrix([[w, g], [g, -w]])
    >>> h = compile_array(H, [w, g])
    >>> out = np.empty(h.shape, h.dtype)
    >>> h.fill(out, 1.0, 0.25).tolist()
    [[1.0, 0.25], [0.25, -1.0]]
    """
    _check_options(name, rtol, atol, n_points, seed)
    if isinstance(array, (sp.MatrixBase, sp.NDimArray, list, tuple)):
        try:
            array = sp.ImmutableDenseNDimArray(array)
        except (sp.SympifyError, TypeError, ValueError) as error:
            raise InvalidArgumentsError(f"compile_array cannot read the array: {error}") from None
    else:
        raise InvalidArgumentsError(
            f"compile_array takes a list, Matrix or Array, got {type(array).__name__}; "
            "use compile_expr for a single expression"
        )
    if array.rank() == 0 or 0 in array.shape:
        raise InvalidArgumentsError(f"cannot compile an empty array (shape {array.shape})")
    shape = tuple(int(n) for n in array.shape)
    entries = tuple(sp.sympify(array[index]) for index in np.ndindex(*shape))
    if not all(isinstance(e, sp.Expr) for e in entries):
        raise InvalidArgumentsError("every entry of a compiled array must be a scalar expression")
    request = _Request(
        "array", entries, shape, array, _symbols(args), name, resolve_dtype(dtype), False,
        _domains(domains), int(n_points), int(seed), float(rtol), float(atol), _cache_dir(cache_dir),
    )
    return _obtain(request, ArrayKernel)
