r"""Lower a system of ODEs ``dz_k/dt = f_k(z, p)`` in complex unknowns to a compiled real system.

Each complex unknown ``z_k`` becomes two real components ``re_k, im_k`` (a real unknown one),
symbols standing for conjugates (``conjugates={w: z}`` means ``w = conj(z)``) are replaced by
``re - i im``, and the right-hand sides are split into real and imaginary parts:

.. math:: \dot y = F(y, p), \qquad J_{ij} = \partial F_i / \partial y_j .

``F`` and ``J`` are compiled with :func:`~qderive.codegen.compile_array` (checked against
30-digit mpmath, cached on disk) and wrapped in a small generated adapter module whose functions
take arrays, ``rhs(out, y, p)`` and ``jacobian(out, y, p)``, with fixed Numba signatures, so they
can be passed as first-class functions to compiled solvers and loaded from Numba's cache in a
new process. Nothing here knows any physics.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
)
from .emit import is_complex_symbol
from .errors import CodegenError, InvalidArgumentsError
from .kernel import ArrayKernel, compile_array

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
        from Python and from ``@njit`` code.
    rhs_kernel, jacobian_kernel : ArrayKernel
        The underlying checked kernels (sources, accuracy reports, cache provenance).
    """

    unknowns: tuple[sp.Symbol, ...]
    parameters: tuple[sp.Symbol, ...]
    components: tuple[tuple[int, int], ...]
    real_unknowns: tuple[sp.Symbol, ...]
    real_rhs: tuple[sp.Expr, ...]
    rhs: object
    jacobian: object | None
    rhs_kernel: ArrayKernel
    jacobian_kernel: ArrayKernel | None

    @property
    def size(self) -> int:
        """Number of real components."""
        return len(self.real_unknowns)

    def pack(self, values: Sequence[complex]) -> np.ndarray:
        """The real state ``y`` of complex values of the unknowns."""
        values = np.asarray(values, dtype=complex)
        if values.shape != (len(self.unknowns),):
            raise InvalidArgumentsError(f"pack takes {len(self.unknowns)} values, got shape {values.shape}")
        y = np.empty(self.size)
        for (re, im), v in zip(self.components, values, strict=True):
            y[re] = v.real
            if im >= 0:
                y[im] = v.imag
        return y

    def unpack(self, y: np.ndarray) -> np.ndarray:
        """Complex values of the unknowns from real states ``y`` (last axis: components)."""
        y = np.asarray(y, dtype=float)
        re = np.array([c[0] for c in self.components])
        im = np.array([c[1] for c in self.components])
        z = y[..., re].astype(complex)
        has_im = im >= 0
        z[..., has_im] += 1j * y[..., im[has_im]]
        return z

    def parameter_vector(self, values: Mapping[sp.Symbol | str, float]) -> np.ndarray:
        """``p`` in the compiled order from ``{symbol or name: value}``; missing ones are refused."""
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


def _adapter_source(rhs_kernel: ArrayKernel, jacobian_kernel: ArrayKernel | None, n: int, n_params: int) -> str:
    """Text of the adapter module (built from integers and checksummed kernel names only)."""
    args = ", ".join([f"y[{i}]" for i in range(n)] + [f"p[{i}]" for i in range(n_params)])
    lines = [
        "# ODE adapter generated by qderive.codegen.ode -- do not edit by hand.",
        f"# Right-hand side kernel: {rhs_kernel.source_path.name} (cache key {rhs_kernel.cache_key})",
    ]
    if jacobian_kernel is not None:
        lines.append(f"# Jacobian kernel: {jacobian_kernel.source_path.name} (cache key {jacobian_kernel.cache_key})")
    lines += ["# y holds the real components, p the parameters, in the order of the kernels' arguments.", "",
              "import sys", "", "from numba import njit", "",
              f"_rhs_fill = sys.modules[{rhs_kernel.fill_compiled.py_func.__module__!r}]"
              f".{rhs_kernel.fill_compiled.py_func.__name__}"]
    if jacobian_kernel is not None:
        lines.append(f"_jacobian_fill = sys.modules[{jacobian_kernel.fill_compiled.py_func.__module__!r}]"
                     f".{jacobian_kernel.fill_compiled.py_func.__name__}")
    lines += ["", "", f'@njit("{RHS_SIGNATURE}", cache=True)', "def rhs(out, y, p):",
              '    """out = F(y, p)."""', f"    _rhs_fill(out, {args})"]
    if jacobian_kernel is not None:
        lines += ["", "", f'@njit("{JACOBIAN_SIGNATURE}", cache=True)', "def jacobian(out, y, p):",
                  '    """out[i, j] = dF_i/dy_j at (y, p)."""', f"    _jacobian_fill(out, {args})"]
    return "\n".join(lines) + "\n"


def _load_adapter(text: str, directory) -> object:
    """Load (or store and load) the adapter, refusing damaged Numba cache files."""
    store = KernelStore(directory)
    key = cache_key({"kind": "ode-adapter", "source": sha256_text(text)})
    stem = f"ode_adapter_{key[:12]}"
    manifest = store.read_manifest(key)
    path = store.write_source(stem, text)
    if manifest is None or manifest.get("source_sha256") != sha256_text(text) \
            or not numba_data_intact(manifest.get("numba_files", {})):
        store.purge_numba_cache(stem)
        manifest = None
    module = load_module(path, text)
    compiled = [module.rhs] + ([module.jacobian] if hasattr(module, "jacobian") else [])
    if manifest is None or any(f.stats.cache_misses for f in compiled):
        files: dict[str, str] = {}
        for f in compiled:
            files |= numba_data_files(f, stem)
        store.write_manifest(key, {"key": key, "source_file": path.name, "source_sha256": sha256_text(text),
                                   "numba_files": files})
    return module


def compile_ode(
    rhs: Sequence[sp.Expr], unknowns: Sequence[sp.Symbol], parameters: Sequence[sp.Symbol], *,
    conjugates: Mapping[sp.Symbol, sp.Symbol] | None = None, jacobian: bool = True, name: str = "ode",
    cache_dir: str | os.PathLike | None = None, domains: Mapping | None = None,
    rtol: float = 1e-9, atol: float = 1e-12,
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
    >>> import sympy as sp, tempfile, numpy as np
    >>> z, w = sp.Symbol("z", complex=True), sp.Symbol("w", real=True)
    >>> k = sp.Symbol("k", positive=True)
    >>> ode = compile_ode([-(k + sp.I) * z, -k * w], [z, w], [k], cache_dir=tempfile.mkdtemp())
    >>> out = np.empty(ode.size)
    >>> ode.rhs(out, ode.pack([1 + 0j, 2.0]), np.array([0.5]))
    >>> out.tolist()
    [-0.5, -1.0, -1.0]
    """
    unknowns = tuple(unknowns)
    parameters = tuple(parameters)
    real, real_rhs, components = real_system(rhs, unknowns, parameters, conjugates)
    args = [*real, *parameters]
    options = dict(cache_dir=cache_dir, domains=domains, rtol=rtol, atol=atol, dtype="float64")
    rhs_kernel = compile_array(real_rhs, args, name=f"{name}_rhs", **options)
    jacobian_kernel = None
    if jacobian:
        matrix = sp.Matrix(real_rhs).jacobian(sp.Matrix(real))
        jacobian_kernel = compile_array(matrix, args, name=f"{name}_jacobian", **options)
    text = _adapter_source(rhs_kernel, jacobian_kernel, len(real), len(parameters))
    module = _load_adapter(text, resolve_cache_dir(cache_dir))
    return CompiledODE(
        unknowns=unknowns, parameters=parameters, components=tuple(components), real_unknowns=tuple(real),
        real_rhs=tuple(real_rhs), rhs=module.rhs, jacobian=getattr(module, "jacobian", None),
        rhs_kernel=rhs_kernel, jacobian_kernel=jacobian_kernel,
    )


__all__ = ["CompiledODE", "JACOBIAN_SIGNATURE", "RHS_SIGNATURE", "compile_ode", "real_system"]
