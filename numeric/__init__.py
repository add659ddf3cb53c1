"""Numeric layer of qderive: full numerical solutions of symbolic models."""

from .fock import FockModel, fock_model
from .liouvillian import liouvillian
from .measures import concurrence, fidelity, partial_trace, purity, von_neumann_entropy
from .steady_state import steady_state

__all__ = [
    "FockModel", "concurrence", "fidelity", "fock_model", "liouvillian", "partial_trace", "purity",
    "steady_state", "von_neumann_entropy",
]
