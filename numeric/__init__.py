"""Numeric layer of qderive: full numerical solutions of symbolic models."""

from . import qutip_interop
from .batch import mesolve_batch
from .correlations import two_time_correlation
from .evolution import LindbladSolver, Result, check_options, mesolve
from .fock import FockModel, fock_model
from .harmonic_balance import (
    HarmonicSolution,
    MomentEquations,
    Tone,
    density_matrix_harmonic,
    fourier_moment_equations,
    harmonic_balance,
    small_signal_expansion,
)
from .liouvillian import liouvillian
from .measures import concurrence, fidelity, partial_trace, purity, von_neumann_entropy
from .memory import InsufficientMemoryError
from .moment_equations import (
    MomentSpectrum,
    MomentSystem,
    RegressionSystem,
    evolve_moments,
    lower_moments,
    moment_spectrum,
    moment_steady_state,
    regression_system,
    steady_state_sweep,
)
from .photon_source import PhotonSourceFigures, photon_source_figures
from .ports import OutputFlux, drive_strength, harmonic_output_flux, input_amplitude, output_flux
from .spectrum import Spectrum, spectrum
from .state_checks import UnphysicalStateError
from .states import as_array, factor_state, ket, prepare_state, product_state, reduced_state
from .steady_state import SteadyState, steady_state, steady_state_solution

__all__ = [
    "FockModel", "HarmonicSolution", "InsufficientMemoryError", "LindbladSolver", "MomentEquations",
    "PhotonSourceFigures", "Result", "Spectrum", "Tone", "UnphysicalStateError",
    "check_options", "concurrence", "density_matrix_harmonic", "fidelity", "fock_model", "fourier_moment_equations",
    "harmonic_balance", "liouvillian", "mesolve", "mesolve_batch", "partial_trace", "photon_source_figures", "purity",
    "qutip_interop", "small_signal_expansion", "spectrum", "steady_state", "steady_state_solution", "SteadyState",
    "two_time_correlation",
    "von_neumann_entropy",
    "OutputFlux", "as_array", "drive_strength", "factor_state", "harmonic_output_flux", "input_amplitude", "ket",
    "output_flux", "prepare_state", "product_state", "reduced_state",
]

__all__ += [
    "MomentSpectrum", "MomentSystem", "RegressionSystem", "evolve_moments", "lower_moments", "moment_spectrum",
    "moment_steady_state", "regression_system", "steady_state_sweep",
]
