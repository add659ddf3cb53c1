"""The one family of exceptions and warnings that qderive raises.

Every message names the offending parameter, operator or subsystem and says what was expected,
so that a user can fix the input without reading the source.
"""

from __future__ import annotations

from qderive.errors import QderiveError

__all__ = ["QderiveError", "ParameterError", "ModelError", "AlgebraError", "TruncationError",
           "ConvergenceError", "ApproximationWarning"]


class ParameterError(QderiveError):
    """A parameter is missing, unknown, non-finite or outside its declared domain."""


class ModelError(QderiveError):
    """A model is inconsistent: non-Hermitian H, negative rate, undeclared subsystem or symbol."""


class AlgebraError(QderiveError):
    """An operator product or rewrite the algebra cannot perform (e.g. reordering input fields)."""


class TruncationError(QderiveError):
    """A truncated Fock space holds too much population in its top level."""


class ConvergenceError(QderiveError):
    """A numerical method failed to converge to the requested tolerance."""


class ApproximationWarning(UserWarning):
    """An approximation is used outside the regime where its small parameter is small."""
