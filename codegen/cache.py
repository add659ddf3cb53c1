"""On-disk kernel cache: keys, atomic writes, verified loads.

Layout of a cache directory::

    <key>.json                      manifest: sha256 of the source and of every Numba
                                    machine-code file (paths relative to the directory),
                                    the check's sample points and references
    <name>_<key12>_<src12>.py       generated module (content-addressed, never rewritten)
    __pycache__/<stem>.*.nbi/.nbc   Numba's files for the module (:mod:`.machine_code`)

Every file is written to a temporary name and moved into place with :func:`os.replace`,
so a reader never sees a partial file and concurrent writers cannot interleave.  Source
files are named by their content hash and get a fixed modification time, so two processes
writing the same kernel at once produce byte-identical files with identical ``stat``
stamps and Numba's cache index stays valid for both.  A manifest is trusted only if the
source it names exists with the recorded sha256; anything unreadable is treated as a miss
and rebuilt.  Numba's files are read only with the sha256 the manifest records
(:mod:`.machine_code`), so damaged machine code is recompiled rather than executed.

Files are created with mode ``0o666 & ~umask`` and directories ``0o777 & ~umask``, as
any program's, so a group-writable directory with a shared umask (``002``) gives a
cache every member can read and extend.  Writing may fail (read-only cache, a path
that is a file, an entry replaced by a directory): the writers raise :class:`OSError` and
the caller keeps the kernel in memory.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import secrets
import sys
import types
from collections.abc import Collection, Mapping
from pathlib import Path

import llvmlite
import numba
import numpy
import scipy
import sympy

from .machine_code import MACHINE_CODE_DIR

#: Environment variable naming the cache directory.
CACHE_ENV = "QDERIVE_CACHE_DIR"
#: Modification time given to every generated source (see module docstring).
SOURCE_MTIME = 946_684_800.0  # 2000-01-01T00:00:00Z
_FORMAT = 2


def default_cache_dir() -> Path:
    """The per-user cache directory for kernels on this platform.

    ``$XDG_CACHE_HOME/qderive/kernels`` (default ``~/.cache/...``) on Linux and other
    POSIX systems, ``~/Library/Caches/qderive/kernels`` on macOS and
    ``%LOCALAPPDATA%\\qderive\\Cache\\kernels`` on Windows.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "qderive" / "Cache" / "kernels"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "qderive" / "kernels"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "qderive" / "kernels"


def resolve_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """``cache_dir`` if given, else ``$QDERIVE_CACHE_DIR``, else :func:`default_cache_dir`."""
    chosen = cache_dir or os.environ.get(CACHE_ENV) or default_cache_dir()
    return Path(chosen).expanduser().resolve()


@functools.lru_cache(maxsize=1)
def toolkit_fingerprint() -> str:
    """sha256 of this package's own source files: any change to the generator changes keys."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    """Versions that affect generated code or compiled machine code."""
    return {
        "qderive.codegen": toolkit_fingerprint()[:16],
        "python": sys.version.split()[0] + "-" + sys.implementation.cache_tag,
        "numba": numba.__version__, "llvmlite": llvmlite.__version__,
        "numpy": numpy.__version__, "scipy": scipy.__version__, "sympy": sympy.__version__,
        "symengine": importlib.metadata.version("symengine"),  # its CSE shapes the code; not imported here
        "cache_format": str(_FORMAT),
    }


def versions_line() -> str:
    """:func:`versions` as one line for the generated file's header."""
    return ", ".join(f"{k} {v}" for k, v in versions().items())


def cache_key(payload: Mapping) -> str:
    """sha256 of ``payload`` (JSON-serialised with sorted keys) plus :func:`versions`.

    >>> len(cache_key({"expr": "Symbol('x')"}))
    64
    """
    text = json.dumps({"payload": payload, "versions": versions()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def sha256_text(text: str) -> str:
    """Hex sha256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode()).hexdigest()


def atomic_write(path: Path, data: bytes, mtime: float | None = None) -> None:
    """Write ``data`` to ``path`` via a temporary file and :func:`os.replace`.

    The file gets mode ``0o666 & ~umask`` (unlike :func:`tempfile.mkstemp`'s ``0o600``),
    so a group-shared cache stays readable by the group.  Raises :class:`OSError` when the
    directory cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class KernelStore:
    """Manifests and generated sources in one cache directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def manifest_path(self, key: str) -> Path:
        """Where the manifest of ``key`` lives."""
        return self.directory / f"{key}.json"

    def read_manifest(self, key: str) -> dict | None:
        """The manifest of ``key``, or ``None`` when absent, unreadable or inconsistent."""
        try:
            manifest = json.loads(self.manifest_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(manifest, dict) or manifest.get("key") != key:
            return None
        return manifest

    def read_verified_source(self, manifest: dict) -> tuple[Path, str] | None:
        """The source a manifest names, if it exists and matches the recorded sha256."""
        try:
            path = self.directory / Path(manifest["source_file"]).name
            text = path.read_bytes().decode("utf-8")
        except (OSError, KeyError, TypeError, UnicodeDecodeError):
            return None
        if sha256_text(text) != manifest.get("source_sha256"):
            return None
        return path, text

    def write_source(self, stem: str, text: str) -> Path:
        """Store ``text`` as ``<stem>.py`` unless an identical file is already there."""
        path = self.directory / f"{stem}.py"
        try:
            if path.read_bytes() == text.encode():
                return path
        except OSError:
            pass
        atomic_write(path, text.encode(), mtime=SOURCE_MTIME)
        return path

    def write_manifest(self, key: str, manifest: dict) -> None:
        """Store ``manifest`` for ``key`` (atomically)."""
        atomic_write(self.manifest_path(key), json.dumps(manifest, indent=1).encode())

    def purge_machine_code(self, stem: str, keep: Collection[str] = ()) -> bool:
        """Delete Numba's files of module ``<stem>.py`` except those in ``keep`` (paths
        relative to the directory); whether that succeeded."""
        root = self.directory / MACHINE_CODE_DIR
        try:
            for pattern in (f"{stem}.*.nbi", f"{stem}.*.nbc"):
                for path in root.glob(pattern):
                    if f"{MACHINE_CODE_DIR}/{path.name}" not in keep:
                        path.unlink(missing_ok=True)
        except OSError:
            return False
        return True


def load_module(path: Path, text: str) -> types.ModuleType:
    """Execute verified source ``text`` as a fresh module whose ``__file__`` is ``path``.

    The text is compiled directly (no ``.pyc``), so exactly the checksummed bytes run;
    functions keep ``path`` as their file, which is where Numba puts its cache.
    """
    name = f"_qderive_kernel_{path.stem}"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    sys.modules[name] = module
    try:
        exec(compile(text, str(path), "exec"), module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
