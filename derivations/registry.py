"""Which derivations exist: the packages under ``qderive.derivations`` and third-party entry points.

A system is registered by writing a package ``derivations/<name>/`` whose ``__init__`` exports
``SYSTEM`` (a :class:`~qderive.derivations.contract.System` subclass), or, from another
distribution, by an entry point in the group ``qderive.derivations``::

    [project.entry-points."qderive.derivations"]
    mymodel = "mypackage.mymodel:MyModel"

Nothing else needs to change: ``qderive list/derive/validate/run/sweep`` find it.

Examples
--------
>>> registry = Registry.discover()
>>> "engine004" in registry.names()
True
"""

from __future__ import annotations

import pkgutil
from collections.abc import Iterable
from importlib import import_module
from importlib.metadata import entry_points

from qderive.symbolic import QderiveError

from .contract import System

ENTRY_POINT_GROUP = "qderive.derivations"
PACKAGE = "qderive.derivations"


def _instance(candidate: object, origin: str) -> System:
    if isinstance(candidate, type) and issubclass(candidate, System):
        return candidate()
    if isinstance(candidate, System):
        return candidate
    raise QderiveError(f"{origin} does not name a qderive System (subclass of qderive.derivations.contract.System)")


def builtin_systems() -> list[System]:
    """The systems of the packages under ``qderive.derivations`` that export ``SYSTEM``.

    Examples
    --------
    >>> names = [system.name for system in builtin_systems()]
    >>> names == sorted(names), {"bloch", "engine004", "sps000"} <= set(names)  # one per package, in name order
    (True, True)
    """
    package = import_module(PACKAGE)
    systems = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.ispkg:
            module = import_module(f"{PACKAGE}.{info.name}")
            if hasattr(module, "SYSTEM"):
                systems.append(_instance(module.SYSTEM, f"{PACKAGE}.{info.name}.SYSTEM"))
    return systems


def plugin_systems() -> list[System]:
    """The systems that installed distributions register under the ``qderive.derivations`` entry-point group.

    Examples
    --------
    >>> all(isinstance(system, System) for system in plugin_systems())  # whatever is installed is a System
    True
    """
    systems = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = point.load()
        except Exception as error:  # a broken plug-in must not break the command line
            raise QderiveError(f"entry point '{point.name}' ({point.value}) failed to load: {error}") from None
        systems.append(_instance(loaded, f"entry point '{point.name}' ({point.value})"))
    return systems


class Registry:
    """Registered systems by name; built by :meth:`discover` or from an explicit list (tests).

    Examples
    --------
    >>> from qderive.derivations.bloch import Bloch
    >>> registry = Registry([Bloch()])
    >>> registry.names(), [s.name for s in registry]
    (['bloch'], ['bloch'])
    >>> Registry([Bloch(), Bloch()])
    Traceback (most recent call last):
    ...
    qderive.errors.QderiveError: two derivations are registered as 'bloch'
    """

    def __init__(self, systems: Iterable[System]) -> None:
        self._systems: dict[str, System] = {}
        for system in systems:
            if system.name in self._systems:
                raise QderiveError(f"two derivations are registered as '{system.name}'")
            self._systems[system.name] = system

    @classmethod
    def discover(cls) -> Registry:
        """Built-in packages, then entry-point plug-ins.

        Examples
        --------
        >>> registry = Registry.discover()
        >>> set(registry.names()) >= {s.name for s in builtin_systems()}
        True
        """
        return cls([*builtin_systems(), *plugin_systems()])

    def names(self) -> list[str]:
        """The registered names, sorted.

        Examples
        --------
        >>> from qderive.derivations.bloch import Bloch
        >>> from qderive.derivations.purcell import Purcell
        >>> Registry([Purcell(), Bloch()]).names()
        ['bloch', 'purcell']
        """
        return sorted(self._systems)

    def get(self, name: str) -> System:
        """The system ``name``; unknown names raise with the list of known ones.

        Examples
        --------
        >>> from qderive.derivations.bloch import Bloch
        >>> Registry([Bloch()]).get("blotch")
        Traceback (most recent call last):
        ...
        qderive.errors.QderiveError: unknown derivation 'blotch'; known derivations: bloch
        """
        if name not in self._systems:
            raise QderiveError(f"unknown derivation '{name}'; known derivations: {', '.join(self.names())}")
        return self._systems[name]

    def __iter__(self):
        return iter(self._systems[name] for name in self.names())
