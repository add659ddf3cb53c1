"""Names of the registered derivations and the modules that define them (imported on demand)."""

from __future__ import annotations

from importlib import import_module

from qderive.symbolic import QderiveError

from .base import Entry

MODULES: dict[str, str] = {
    "bloch": "qderive.derivations.bloch",
    "engine004": "qderive.derivations.engine004",
    "purcell": "qderive.derivations.purcell",
    "raman": "qderive.derivations.raman",
}


def names() -> list[str]:
    return sorted(MODULES)


def entry(name: str) -> Entry:
    """The registered derivation ``name``; unknown names raise with the list of known ones."""
    if name not in MODULES:
        raise QderiveError(f"unknown derivation '{name}'; known derivations: {', '.join(names())}")
    return import_module(MODULES[name]).ENTRY
