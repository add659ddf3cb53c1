"""Grids of the reduced model's figures of merit, as labelled ``xarray.Dataset`` objects.

Same shape as the sweep facility of issue 15 (dimensions named after the swept parameters with their
units as attributes, one variable per metric, the derivation's name and fixed parameters as
attributes); when ``qderive.derivations.sweep`` lands, :func:`metric_grid` is replaced by one call to it.
Each point evaluates the compiled rate evaluators and the compiled tensor filler, then one
small-signal harmonic-balance solve (:func:`~.conversion.figures_of_merit`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from ..contract import Derivation
from . import conversion

METRICS = ("P_tot", "P_coh", "R_d", "theta")
UNITS = {"P_tot": "", "P_coh": "", "R_d": "1/s", "theta": "rad"}


def metric_grid(derivation: Derivation, axes: Mapping[str, np.ndarray]) -> xr.Dataset:
    """``P_tot, P_coh, R_d, theta`` on the outer product of ``axes`` (parameter name -> values).

    Examples
    --------
    Below the optimum pump (~27 pW) more pump converts more, and always adds dark counts:

    >>> import numpy as np
    >>> from qderive.derivations.transducer001 import Transducer001
    >>> from qderive.derivations.transducer001.sweeps import metric_grid
    >>> system = Transducer001()
    >>> derivation = system.derive(system.parameter_set())
    >>> grid = metric_grid(derivation, {"P_pump": np.array([1e-12, 3e-12, 1e-11])})
    >>> grid["P_coh"].dims, grid["P_pump"].attrs["units"], grid["R_d"].attrs["units"]
    (('P_pump',), 'W', '1/s')
    >>> bool(np.all(np.diff(grid["P_coh"].values) > 0) and np.all(np.diff(grid["R_d"].values) > 0))
    True
    >>> grid.attrs["derivation"], "P_pump" in grid.attrs, grid.attrs["dmu_s"]  # fixed parameters as attributes
    ('transducer001', False, 0.0)
    """
    names = list(axes)
    units = {p.name: p.unit for p in derivation.parameters.parameters}
    shape = tuple(len(axes[n]) for n in names)
    data = {k: np.empty(shape) for k in METRICS}
    for index in np.ndindex(*shape):
        overrides = {n: float(axes[n][i]) for n, i in zip(names, index, strict=True)}
        merit = conversion.figures_of_merit(conversion.operating_point(derivation, overrides))
        for key in METRICS:
            data[key][index] = merit[key]
    coords = {n: xr.Variable(n, np.asarray(axes[n]), {"units": units[n]}) for n in names}
    variables = {k: xr.Variable(names, v, {"units": UNITS[k]}) for k, v in data.items()}
    fixed = {k: float(np.real(v)) for k, v in derivation.parameters.values.items() if k not in axes}
    return xr.Dataset(variables, coords, attrs={"derivation": derivation.name, **fixed})
