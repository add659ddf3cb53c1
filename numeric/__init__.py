"""Numeric layer of qderive: full numerical solutions of symbolic models."""

from .fock import FockModel, fock_model
from .liouvillian import liouvillian
from .steady_state import steady_state

__all__ = ["FockModel", "fock_model", "liouvillian", "steady_state"]
