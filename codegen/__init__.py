"""qderive.codegen: SymPy expressions -> checked, cached, readable Numba kernels.

:func:`compile_expr` turns a scalar expression into a :class:`Kernel` (scalar and
vectorised evaluation); :func:`compile_array` turns a list, matrix or N-dimensional array
into an :class:`ArrayKernel` that refills a preallocated array in place.  Every kernel is
checked against 30-digit mpmath when created and cached on disk across processes.  The
package knows nothing about physics.
"""

from .cache import default_cache_dir
from .errors import (
                     CodegenError,
                     InvalidArgumentsError,
                     KernelCacheWarning,
                     KernelCallError,
                     KernelCheckError,
                     MissingArgumentError,
                     UnsupportedFunctionError,
)
from .kernel import ArrayKernel, Kernel, compile_array, compile_expr, forget_loaded_kernels

__all__ = [
    "compile_expr", "compile_array", "Kernel", "ArrayKernel", "forget_loaded_kernels",
    "default_cache_dir", "CodegenError", "UnsupportedFunctionError", "MissingArgumentError",
    "InvalidArgumentsError", "KernelCheckError", "KernelCallError", "KernelCacheWarning",
]

from .ode import CompiledODE, compile_ode, real_system

__all__ += ["CompiledODE", "compile_ode", "real_system"]
