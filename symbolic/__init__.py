"""Symbolic layer of qderive: operator algebra, models, equations of motion, eliminations.

Nothing here evaluates numbers; the numeric layer consumes what this layer builds.
"""

from .errors import (
    AlgebraError,
    ApproximationWarning,
    ConvergenceError,
    ModelError,
    ParameterError,
    QderiveError,
    TruncationError,
)
from .operators import Op, anticommutator, as_op, commutator
from .subsystems import BosonMode, InputField, NLevelSystem

__all__ = [
    "AlgebraError", "ApproximationWarning", "BosonMode", "ConvergenceError", "InputField",
    "ModelError", "NLevelSystem", "Op", "ParameterError", "QderiveError", "TruncationError",
    "anticommutator", "as_op", "commutator",
]

from .equations import (
    CoefficientTensors,
    adjoint_generator,
    coefficient_tensors,
    equations_of_motion,
    expectation_equation,
    first_order_operators,
    heisenberg_langevin,
)
from .expectation import Expectation, expectation
from .model import TIME, Dissipator, Model, thermal_dissipators
from .parameters import Parameter, ParameterSet, declare
from .spins import SpinOperators, spin_operators, spin_system
from .subspace import project

__all__ += [
    "CoefficientTensors", "Dissipator", "Expectation", "Model", "Parameter", "ParameterSet",
    "SpinOperators", "TIME", "adjoint_generator", "coefficient_tensors", "declare",
    "equations_of_motion", "expectation", "expectation_equation", "first_order_operators",
    "heisenberg_langevin", "project", "spin_operators", "spin_system", "thermal_dissipators",
]
