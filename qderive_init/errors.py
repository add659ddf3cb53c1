"""The root of qderive's one error family.

Every error that qderive raises on purpose, in every layer, derives from :class:`QderiveError`
(itself a :class:`ValueError`), so the command line catches the whole family once and prints one
line.
"""

from __future__ import annotations


class QderiveError(ValueError):
    """Base class of every qderive error."""
