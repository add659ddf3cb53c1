"""Compile a generated module's functions, reusing only machine code the manifest vouches for.

The generated module lists its functions' Numba signatures in ``SIGNATURES`` and carries
no ``cache=True``: :func:`compile_module` gives each function a Numba cache
(:class:`VerifiedCache`) whose files live in ``<cache dir>/__pycache__`` whatever the
permissions, compiles every listed signature eagerly and then disables further
compilation, so the set of machine code a kernel can execute is fixed and known.

Numba's cache files (an index ``.nbi`` and one data file ``.nbc`` per compiled signature)
are pickles: loading one executes it.  :class:`VerifiedCache` therefore reads a file only
when the manifest records it (by name) with the sha256 of the very bytes read, and
unpickles those bytes; anything else is a cache miss and Numba compiles from the verified
source.  New machine code is saved beside the module when the directory is writable and
kept in memory otherwise.  This relies on Numba's cache classes
(``numba.core.caching``), the extension point behind its own cache locators.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from numba.core.caching import CompileResultCacheImpl, FunctionCache, IndexDataCacheFile, _CacheLocator

#: Folder of a cache directory holding Numba's files, as the manifest names them.
MACHINE_CODE_DIR = "__pycache__"


@dataclass(frozen=True)
class Compiled:
    """What :func:`compile_module` did.

    Attributes
    ----------
    compiled : bool
        Some signature was compiled (no vouched machine code was found for it).
    saved : bool
        Everything compiled was saved to disk (``False``: kept in memory only).

    Examples
    --------
    >>> from qderive.codegen.cache import load_module
    >>> text = ('from numba import njit\\nSIGNATURES = {"twice": "float64(float64)"}\\n'
    ...         '@njit\\ndef twice(x):\\n    return 2.0 * x\\n')
    >>> module = load_module(Path("/nonexistent/demo.py"), text)
    >>> compile_module(module, None)  # in memory only: compiled, not saved
    Compiled(compiled=True, saved=False)
    >>> module.twice(2.5)
    5.0
    """

    compiled: bool
    saved: bool


class _EntryLocator(_CacheLocator):
    """Numba's files of a kernel module in ``<module dir>/__pycache__``, writable or not."""

    def __init__(self, py_func, py_file: str) -> None:
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = os.path.join(os.path.dirname(py_file), MACHINE_CODE_DIR)

    def get_cache_path(self) -> str:
        return self._cache_path

    def get_source_stamp(self) -> str:
        return hashlib.sha256(Path(self._py_file).read_bytes()).hexdigest()

    def get_disambiguator(self) -> str:
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file: str) -> _EntryLocator:
        return cls(py_func, py_file)


class _EntryCacheImpl(CompileResultCacheImpl):
    _locator_classes = [_EntryLocator]


class _VouchedFiles(IndexDataCacheFile):
    """Numba's index/data files, read only when their bytes have a vouched sha256."""

    def __init__(self, cache_path: str, filename_base: str, source_stamp: str,
                 vouched: Mapping[str, str]) -> None:
        super().__init__(cache_path, filename_base, source_stamp)
        self._vouched = vouched

    def _vouched_bytes(self, path: str) -> bytes | None:
        expected = self._vouched.get(os.path.basename(path))
        if expected is None:
            return None
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == expected else None

    def _load_index(self) -> dict:
        data = self._vouched_bytes(self._index_path)
        if data is None:
            return {}
        stream = io.BytesIO(data)
        if pickle.load(stream) != self._version:
            return {}
        stamp, overloads = pickle.loads(stream.read())
        return overloads if stamp == self._source_stamp else {}

    def _load_data(self, name: str):
        data = self._vouched_bytes(self._data_path(name))
        if data is None:
            raise OSError(f"machine code {name} is not vouched for by the manifest")  # a miss for load()
        return pickle.loads(data)


class VerifiedCache(FunctionCache):
    """A Numba function cache beside the kernel module that executes only vouched files.

    Parameters
    ----------
    py_func : function
        The Python function of the dispatcher.
    vouched : mapping
        File name (in ``__pycache__``) -> sha256 of the files the manifest vouches for.

    Examples
    --------
    >>> import tempfile
    >>> from qderive.codegen.cache import KernelStore, load_module
    >>> text = ('from numba import njit\\nSIGNATURES = {"twice": "float64(float64)"}\\n'
    ...         '@njit\\ndef twice(x):\\n    return 2.0 * x\\n')
    >>> store = KernelStore(Path(tempfile.mkdtemp()))
    >>> path = store.write_source("demo", text)
    >>> compile_module(load_module(path, text), {})  # nothing vouched: compile and save
    Compiled(compiled=True, saved=True)
    >>> files = machine_code_files(store.directory, "demo")
    >>> compile_module(load_module(path, text), vouched_names(files))  # vouched files are reused
    Compiled(compiled=False, saved=True)
    >>> compile_module(load_module(path, text), {})  # the same files, not vouched: never read
    Compiled(compiled=True, saved=True)
    """

    _impl_class = _EntryCacheImpl

    def __init__(self, py_func, vouched: Mapping[str, str]) -> None:
        super().__init__(py_func)
        self._cache_file = _VouchedFiles(self._cache_path, self._impl.filename_base,
                                         self._impl.locator.get_source_stamp(), vouched)
        self.saved = True

    def load_overload(self, sig, target_context):
        """Numba's hook: the machine code of ``sig`` from vouched files, or ``None`` (a miss, so Numba compiles).

        Examples
        --------
        >>> import tempfile
        >>> from qderive.codegen.cache import KernelStore, load_module
        >>> text = ('from numba import njit\\nSIGNATURES = {"twice": "float64(float64)"}\\n'
        ...         '@njit\\ndef twice(x):\\n    return 2.0 * x\\n')
        >>> store = KernelStore(Path(tempfile.mkdtemp()))
        >>> module = load_module(store.write_source("demo", text), text)
        >>> _ = compile_module(module, {})
        >>> signature = module.SIGNATURES["twice"]  # as compile_module asked for it
        >>> VerifiedCache(module.twice.py_func, {}).load_overload(signature, module.twice.targetctx) is None
        True
        >>> vouched = vouched_names(machine_code_files(store.directory, "demo"))
        >>> VerifiedCache(module.twice.py_func, vouched).load_overload(signature, module.twice.targetctx) is None
        False
        """
        try:
            return super().load_overload(sig, target_context)
        except Exception:  # noqa: BLE001 - vouched bytes Numba cannot use: compile instead
            return None

    def save_overload(self, sig, data) -> None:
        """Numba's hook: save new machine code beside the module; on :class:`OSError` keep it in memory.

        An :class:`OSError` sets ``saved`` to False.

        Examples
        --------
        >>> import tempfile
        >>> from qderive.codegen.cache import KernelStore, load_module
        >>> text = ('from numba import njit\\nSIGNATURES = {"twice": "float64(float64)"}\\n'
        ...         '@njit\\ndef twice(x):\\n    return 2.0 * x\\n')
        >>> store = KernelStore(Path(tempfile.mkdtemp()))
        >>> module = load_module(store.write_source("demo", text), text)
        >>> compile_module(module, {}).saved, module.twice._cache.saved
        (True, True)
        >>> sorted(name.rsplit(".", 1)[1] for name in machine_code_files(store.directory, "demo"))  # index + data
        ['nbc', 'nbi']
        """
        try:
            super().save_overload(sig, data)
        except OSError:  # read-only or replaced cache directory: keep the code in memory
            self.saved = False


def compile_module(module: ModuleType, vouched: Mapping[str, str] | None) -> Compiled:
    """Compile every signature in ``module.SIGNATURES``, then forbid further compilation.

    ``vouched=None`` compiles in memory without touching any cache.

    Examples
    --------
    >>> from qderive.codegen.cache import load_module
    >>> text = ('from numba import njit\\nSIGNATURES = {"twice": "float64(float64)"}\\n'
    ...         '@njit\\ndef twice(x):\\n    return 2.0 * x\\n')
    >>> module = load_module(Path("/nonexistent/demo.py"), text)
    >>> _ = compile_module(module, None)
    >>> module.twice(1)  # an int converts to the one compiled signature
    2.0
    >>> module.twice(1j)  # no other signature may be compiled
    Traceback (most recent call last):
    ...
    TypeError: No matching definition for argument type(s) complex128
    """
    compiled, saved = False, True
    for name, signature in module.SIGNATURES.items():
        dispatcher = getattr(module, name)
        if vouched is not None:
            cache = VerifiedCache(dispatcher.py_func, vouched)
            dispatcher._cache = cache
        dispatcher.compile(signature)
        dispatcher.disable_compile()
        if dispatcher.stats.cache_misses:
            compiled = True
            saved = saved and vouched is not None and cache.saved
    return Compiled(compiled, saved)


def machine_code_files(directory: Path, stem: str) -> dict[str, str]:
    """``{"__pycache__/<name>": sha256}`` of every Numba file of module ``<stem>.py``.

    These are all the files Numba may read for the module; paths are relative to the cache
    directory, so a moved or copied cache still verifies.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / MACHINE_CODE_DIR).mkdir()
    >>> _ = (folder / MACHINE_CODE_DIR / "k.f-3.py311.nbi").write_bytes(b"")
    >>> machine_code_files(folder, "k")  # sha256 of the empty file
    {'__pycache__/k.f-3.py311.nbi': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'}
    """
    root = directory / MACHINE_CODE_DIR
    files = {}
    for pattern in (f"{stem}.*.nbi", f"{stem}.*.nbc"):
        for path in sorted(root.glob(pattern)):
            try:
                files[f"{MACHINE_CODE_DIR}/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
    return files


def vouched_names(recorded: Mapping[str, str]) -> dict[str, str]:
    """File name -> sha256 for the manifest's entries that lie in ``__pycache__``.

    Examples
    --------
    >>> vouched_names({"__pycache__/k.nbi": "ab", "../escape.nbi": "cd", "__pycache__/sub/k.nbc": "ef"})
    {'k.nbi': 'ab'}
    """
    prefix = f"{MACHINE_CODE_DIR}/"
    return {path[len(prefix):]: digest for path, digest in recorded.items()
            if isinstance(path, str) and isinstance(digest, str) and path.startswith(prefix)
            and "/" not in path[len(prefix):]}


def vouched_machine_code(store, stem: str, manifest: Mapping) -> dict[str, str]:
    """The machine-code files of ``stem`` that the manifest vouches for (name -> sha256).

    Files on disk whose bytes the manifest does not record are never read; they are removed when
    the cache is writable (``store.purge_machine_code``).

    Examples
    --------
    >>> import tempfile
    >>> from qderive.codegen.cache import KernelStore
    >>> store = KernelStore(Path(tempfile.mkdtemp()))
    >>> (store.directory / MACHINE_CODE_DIR).mkdir()
    >>> _ = (store.directory / MACHINE_CODE_DIR / "k.f-3.py311.nbi").write_bytes(b"planted")
    >>> vouched_machine_code(store, "k", {"machine_code": {}})  # not recorded: not vouched, and removed
    {}
    >>> list((store.directory / MACHINE_CODE_DIR).iterdir())
    []
    """
    recorded = manifest.get("machine_code")
    recorded = recorded if isinstance(recorded, dict) else {}
    on_disk = machine_code_files(store.directory, stem)
    intact = {name: digest for name, digest in on_disk.items() if recorded.get(name) == digest}
    if intact != on_disk:  # damaged or foreign files: never read; removed if we may
        store.purge_machine_code(stem, keep=intact)
    return vouched_names(intact)
