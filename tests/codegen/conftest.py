"""Shared fixtures: every test compiles into a private cache directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory):
    """One cache directory shared by tests that do not test the cache itself."""
    return tmp_path_factory.mktemp("kernels")


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, session_cache):
    """Never touch the user's real cache: default QDERIVE_CACHE_DIR to the session dir."""
    monkeypatch.setenv("QDERIVE_CACHE_DIR", str(session_cache))


def _run(command: list[str], cache_dir, timeout: float) -> subprocess.CompletedProcess:
    env = dict(os.environ, QDERIVE_CACHE_DIR=str(cache_dir))
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def _run_python(code: str, cache_dir, timeout: float = 180) -> dict:
    done = _run([sys.executable, "-c", code], cache_dir, timeout)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def run_python():
    """``run_python(code, cache_dir)``: run ``code`` in a fresh interpreter using that cache
    directory; the code must print one JSON line, which is returned decoded."""
    return _run_python


def _read_only_runner(code: str, cache_dir: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter that cannot write ``cache_dir`` (or anything in it).

    An ordinary user gets the permission bits removed (restored afterwards); root, whom
    permission bits do not stop, gets a read-only bind mount in a private mount namespace.
    """
    command = [sys.executable, "-c", code]
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root without unshare: cannot make a directory read-only")
        probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
        if probe.returncode != 0:
            pytest.skip(f"running as root and unshare -m is not permitted: {probe.stderr.decode().strip()}")
        script = 'mount --bind -o ro "$1" "$1" && shift && exec "$@"'
        return _run(["unshare", "-m", "sh", "-c", script, "sh", str(cache_dir), *command], cache_dir, timeout)
    paths = [cache_dir, *cache_dir.rglob("*")]
    modes = {path: path.stat().st_mode for path in paths}
    try:
        for path in paths:
            path.chmod(modes[path] & ~0o222)
        return _run(command, cache_dir, timeout)
    finally:
        for path in reversed(paths):
            path.chmod(modes[path])


@pytest.fixture
def run_read_only():
    """``run_read_only(code, cache_dir)``: like ``run_python`` with ``cache_dir`` read-only;
    returns the completed process (stdout, stderr, returncode)."""
    return _read_only_runner
