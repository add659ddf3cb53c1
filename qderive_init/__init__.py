"""qderive: symbolic-plus-numeric derivations for quantum optics and spin-photon interfaces.

The subpackages ``qderive.symbolic``, ``qderive.codegen``, ``qderive.numeric``,
``qderive.derivations`` and ``qderive.bench`` live in the top-level folders of the same names;
this package holds only what every layer shares: the root of the one error family.

Examples
--------
>>> from qderive import QderiveError
>>> issubclass(QderiveError, ValueError)
True
"""

from __future__ import annotations

from .errors import QderiveError

__all__ = ["QderiveError"]
