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

from .bath import ModeBath, mode_bath, operator_spread
from .bright_dark import BrightDarkBasis, bright_dark_modes
from .effective import EffectiveModel
from .elimination import adiabatic_eliminate, effective_operators, far_detuned_eliminate, second_order_hamiltonian
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
from .rates import maximise, solve_condition, transition_rates
from .selection_rules import allowed_channels, angular_harmonics, angular_overlap, circular_components, site_sum
from .spins import SpinOperators, spin_operators, spin_system
from .subspace import project
from .thermal_elimination import thermal_eliminate
from .transform import substitute_modes

__all__ += [
    "BrightDarkBasis", "EffectiveModel", "adiabatic_eliminate", "allowed_channels", "angular_harmonics",
    "angular_overlap", "bright_dark_modes", "circular_components", "effective_operators", "far_detuned_eliminate",
    "maximise", "second_order_hamiltonian", "site_sum", "solve_condition", "substitute_modes", "transition_rates",
    "CoefficientTensors", "Dissipator", "Expectation", "Model", "Parameter", "ParameterSet",
    "SpinOperators", "TIME", "adjoint_generator", "coefficient_tensors", "declare",
    "equations_of_motion", "expectation", "expectation_equation", "first_order_operators",
    "heisenberg_langevin", "project", "spin_operators", "spin_system", "thermal_dissipators",
    "ModeBath", "mode_bath", "operator_spread", "thermal_eliminate",
]
