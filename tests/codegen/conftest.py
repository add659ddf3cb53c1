"""Shared fixtures: every test compiles into a private cache directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory):
    """One cache directory shared by tests that do not test the cache itself."""
    return tmp_path_factory.mktemp("kernels")


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch, session_cache):
    """Never touch the user's real cache: default QDERIVE_CACHE_DIR to the session dir."""
    monkeypatch.setenv("QDERIVE_CACHE_DIR", str(session_cache))


def _run_python(code: str, cache_dir, timeout: float = 180) -> dict:
    env = dict(os.environ, QDERIVE_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def run_python():
    """``run_python(code, cache_dir)``: run ``code`` in a fresh interpreter using that cache
    directory; the code must print one JSON line, which is returned decoded."""
    return _run_python
