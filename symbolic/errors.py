"""The one family of exceptions and warnings that qderive raises.

Every message names the offending parameter, operator or subsystem and says what was expected,
so that a user can fix the input without reading the source.
"""

from __future__ import annotations

from qderive.errors import QderiveError

__all__ = ["QderiveError", "ParameterError", "ModelError", "AlgebraError", "TruncationError",
           "ConvergenceError", "ApproximationWarning"]


class ParameterError(QderiveError):
    """A parameter is missing, unknown, non-finite or outside its declared domain.

    Examples
    --------
    >>> from qderive import QderiveError
    >>> from qderive.symbolic import Parameter, ParameterSet
    >>> kappa = Parameter("kappa", "cavity energy decay rate", "rad/s")
    >>> try:
    ...     ParameterSet((kappa,), {"kappa": -1.0})
    ... except ParameterError as error:
    ...     print(isinstance(error, QderiveError), "kappa" in str(error))
    True True
    """


class ModelError(QderiveError):
    """A model is inconsistent: non-Hermitian H, negative rate, undeclared subsystem or symbol.

    Examples
    --------
    >>> from qderive.symbolic import NLevelSystem
    >>> try:
    ...     NLevelSystem("s", ("g",))
    ... except ModelError as error:
    ...     print(error)
    n-level system 's' needs at least 2 levels, got ('g',)
    """


class AlgebraError(QderiveError):
    """An operator product or rewrite the algebra cannot perform (e.g. reordering input fields).

    Examples
    --------
    >>> from qderive.symbolic import InputField
    >>> c = InputField("kappa").field
    >>> try:
    ...     c * c.dag()
    ... except AlgebraError as error:
    ...     print(str(error).split(":")[0])
    cannot reorder kappa_in kappa_in^+
    """


class TruncationError(QderiveError):
    """A truncated Fock space holds too much population in its top level.

    Examples
    --------
    >>> from qderive import QderiveError
    >>> issubclass(TruncationError, QderiveError)
    True
    """


class ConvergenceError(QderiveError):
    """A numerical method failed to converge to the requested tolerance.

    Examples
    --------
    >>> from qderive import QderiveError
    >>> issubclass(ConvergenceError, QderiveError)
    True
    """


class ApproximationWarning(UserWarning):
    """An approximation is used outside the regime where its small parameter is small.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("g/Delta = 0.5 is not small", ApproximationWarning)
    >>> caught[0].category.__name__
    'ApproximationWarning'
    """
