r"""Sweeps: a derivation's closed forms and validations over a parameter grid, as a labelled dataset.

:func:`sweep` is the one place where derivations, figures and validity maps go over many parameter
points. It returns an :class:`xarray.Dataset` with one dimension per swept parameter (coordinate
attributes ``units`` and ``long_name``), one variable per closed-form result and, with
``validate=True``, one variable per validation metric (``validation_<metric>``) with the error,
tolerance and verdict of each point (``validation_error``, ``validation_tolerance``,
``validation_status``: 1 passed, 0 failed, -1 the comparison could not be carried out at that point —
the reason of the first such points is in the attribute ``validation_failures``). Attributes name the
derivation, the package version and every fixed parameter value.

How the work is done:

* closed-form results go through the derivation's compiled :class:`~qderive.derivations.contract.Evaluator`
  kernels in this process, block by block over the broadcast grid (one compiled loop per block,
  no per-point Python);
* validations are per point (derive at the point, then validate that derivation with
  ``ValidationOptions(quick=quick)``) and fan out over ``backend`` (see
  :mod:`qderive.derivations.sweep_workers`); the first point runs here first, to fail fast on bad
  parameters and to warm the kernel disk cache the workers load from;
* with ``out`` (``*.zarr``, or ``*.nc`` written at the end) finished points are written in batches
  as they arrive; rerunning the same call resumes, computing only the points not on disk, and a
  call with another grid, other fixed values or other outputs is refused.

Examples
--------
>>> ds = sweep("purcell", {"g": (1e6, 4e6, 4)}, results=["Purcell_factor"], progress=False)
>>> ds["Purcell_factor"].dims, ds["g"].attrs["units"]
(('g',), 'rad/s')
>>> bool((ds["Purcell_factor"].diff("g") > 0).all())
True
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qderive.codegen.grid import GridDrivers, evaluate_on_grid
from qderive.symbolic import QderiveError

from .contract import Derivation, System
from .progress import Progress
from .registry import Registry
from .report import package_version
from .sweep_grid import GridAxis, build_grid
from .sweep_store import SweepStore, SweepStoreError, finished_netcdf
from .sweep_workers import BACKENDS, PointResult, run_points, validate_with

BLOCK_POINTS = 2**15  # closed forms on small grids: points per vectorised call (inputs stay in cache)
DRIVER_POINTS = 2**20  # closed forms on grids this large: a compiled loop nest (its compile pays off)
GRID_DRIVERS = GridDrivers()  # this process's compiled loop nests, by pattern (explicit, like the kernel table)
FLUSH_INTERVAL_S = 2.0  # validations: finished points are written at least this often
STATUS = {True: 1, False: 0}
MAX_FAILURES_KEPT = 5


def _resolve(system_or_name: System | Derivation | str) -> tuple[System | None, Derivation | None]:
    if isinstance(system_or_name, str):
        return Registry.discover().get(system_or_name), None
    if isinstance(system_or_name, System):
        return system_or_name, None
    if isinstance(system_or_name, Derivation):
        return None, system_or_name
    raise QderiveError(f"sweep takes a System, a Derivation or a registered name, got {type(system_or_name).__name__}")


def _axes_coords(axes: Sequence[GridAxis]) -> dict[str, xr.Variable]:
    return {a.name: xr.Variable((a.name,), a.values, {"units": a.unit or "1", "long_name": a.meaning}) for a in axes}


def _grid_point(axes: Sequence[GridAxis], shape: tuple[int, ...], flat: int) -> dict[str, float]:
    return {a.name: float(a.values[i]) for a, i in zip(axes, np.unravel_index(flat, shape), strict=True)}


def _closed_forms(derivation: Derivation, keys: Sequence[str], axes: Sequence[GridAxis],
                  fixed: Mapping[str, Any], store: SweepStore) -> None:
    """Evaluate every result in ``keys`` over the grid into ``store``.

    Grids of :data:`DRIVER_POINTS` points or more go through a compiled loop nest over the axes
    (:func:`qderive.codegen.grid.evaluate_on_grid`: no materialised grid, compiled once per process
    and kernel); smaller ones through the kernel's vectorised loop, rows of the first axis at a time.
    """
    shape = tuple(len(a.values) for a in axes)
    position = {a.name: d for d, a in enumerate(axes)}
    if int(np.prod(shape)) >= DRIVER_POINTS:
        for key in keys:
            evaluator = derivation.evaluators[key]
            dims = [position.get(name) for name in evaluator.arguments]
            values = [axes[d].values if d is not None else fixed[name] for name, d in zip(evaluator.arguments, dims,
                                                                                           strict=True)]
            store.write_block(slice(None), {key: evaluate_on_grid(GRID_DRIVERS, evaluator.kernel, values, dims, shape)})
        return
    per_row = int(np.prod(shape[1:], dtype=np.int64))
    rows_per_block = max(1, BLOCK_POINTS // max(per_row, 1))
    for start in range(0, shape[0], rows_per_block):
        rows = slice(start, min(start + rows_per_block, shape[0]))
        block_shape = (rows.stop - rows.start, *shape[1:])
        grid = {}
        for k, a in enumerate(axes):
            values = a.values[rows] if k == 0 else a.values
            grid[a.name] = values.reshape([-1 if j == k else 1 for j in range(len(axes))])
        values = {}
        for key in keys:
            evaluator = derivation.evaluators[key]
            inputs = [grid[name] if name in grid else fixed[name] for name in evaluator.arguments]
            kernel = evaluator.kernel
            value = kernel.vectorized(*inputs) if inputs else kernel.scalar()
            values[key] = np.broadcast_to(value, block_shape)  # a result may not depend on every swept parameter
        store.write_block(rows, values)


def _signature(name: str, axes: Sequence[GridAxis], fixed: Mapping[str, Any], results: Sequence[str],
               metrics: Sequence[str] | None, validate: bool, quick: bool) -> dict[str, Any]:
    return {
        "derivation": name, "version": package_version(),
        "grid": {a.name: [float(v).hex() for v in a.values] for a in axes},
        "fixed": {k: repr(v) for k, v in sorted(fixed.items())},
        "results": list(results), "metrics": None if metrics is None else list(metrics),
        "validate": bool(validate), "quick": bool(quick),
    }


class _PointWriter:
    """Collects finished points and writes them to the store in batches."""

    def __init__(self, store: SweepStore, metric_names: Sequence[str], progress: Progress) -> None:
        self.store, self.metric_names, self.progress = store, list(metric_names), progress
        self.batch: list[PointResult] = []
        self.failures: list[str] = []
        self.computed = 0
        self._last = 0.0

    def __call__(self, result: PointResult) -> None:
        self.batch.append(result)
        self.computed += 1
        self.progress.update(1)
        if result.failure and len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append(f"point {result.index}: {result.failure}")
        if time.perf_counter() - self._last >= FLUSH_INTERVAL_S:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        flat = np.array([r.index for r in self.batch])
        values = {f"validation_{m}": np.array([r.metrics.get(m, np.nan) for r in self.batch])
                  for m in self.metric_names}
        values["validation_error"] = np.array([r.error for r in self.batch])
        values["validation_tolerance"] = np.array([r.tolerance for r in self.batch])
        values["validation_status"] = np.array([-1 if r.failure else STATUS[r.passed] for r in self.batch], dtype="i1")
        self.store.write_points(flat, values)
        self.batch = []
        self._last = time.perf_counter()


def _metric_names(first: PointResult, metrics: Sequence[str] | None, system_name: str) -> list[str]:
    if first.failure:
        raise QderiveError(f"validation of '{system_name}' at the first grid point failed: {first.failure}")
    if metrics is None:
        return list(first.metrics)
    unknown = [m for m in metrics if m not in first.metrics]
    if unknown:
        raise QderiveError(f"'{system_name}' validation has no metric {unknown}; metrics: {', '.join(first.metrics)}")
    return list(metrics)


def sweep(
    system_or_name: System | Derivation | str,
    grid: Mapping[str, Any],
    *,
    fixed: Mapping[str, float] | None = None,
    results: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    validate: bool = False,
    backend: str = "serial",
    scheduler: str | None = None,
    out: str | Path | None = None,
    progress: bool = True,
    quick: bool = True,
    workers: int | None = None,
) -> xr.Dataset:
    """Closed-form results (and optionally full-model validations) of a derivation over a parameter grid.

    Parameters
    ----------
    system_or_name : System, Derivation or str
        A system, a registered name, or a derivation (closed forms only; its parameters are the
        fixed values).
    grid : mapping
        Swept parameter -> values, ``(start, stop, num)``, ``(start, stop, num, "log")`` or
        ``"START:STOP:NUM[:log]"``. Dimensions follow the mapping's order.
    fixed : mapping, optional
        Values of parameters that are not swept (defaults otherwise).
    results : sequence of str, optional
        Closed-form results to evaluate (default: every result with a compiled evaluator; ``[]``: none).
    metrics : sequence of str, optional
        Validation metrics to keep (default: all); only with ``validate``.
    validate : bool
        Also validate against the full model at every grid point.
    backend : {"serial", "processes", "dask"}
        Where validations run; ``scheduler`` is a Dask scheduler address (default: a new ``LocalCluster``).
    out : path, optional
        ``*.zarr`` (written as points finish) or ``*.nc`` (written at the end); rerunning resumes.
    progress : bool
        Progress bar on a terminal, plain lines otherwise; ``False`` is silent.
    quick : bool
        Quick validations (no error-scaling studies).
    workers : int, optional
        Worker processes (default: the cores available to this process).

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    QderiveError
        Bad grid (unknown key, ``NUM <= 0``, ``log`` over non-positive values, values outside a
        parameter's domain), unknown results or metrics, or ``out`` holding another sweep.

    Examples
    --------
    >>> ds = sweep("bloch", {"Delta": "-5e7:5e7:5"}, results=["rho_ee"], progress=False)
    >>> float(ds["rho_ee"].sel(Delta=0.0)) > float(ds["rho_ee"].isel(Delta=0))
    True
    """
    system, given = _resolve(system_or_name)
    if backend not in BACKENDS:
        raise QderiveError(f"unknown backend '{backend}'; choose one of {', '.join(BACKENDS)}")
    if metrics is not None and not validate:
        raise QderiveError("metrics are validation metrics; pass validate=True")
    overrides = dict(fixed or {})
    if given is not None:
        if validate or overrides:
            raise QderiveError("a derivation has fixed parameters and no validation; sweep its system instead")
        name, parameters = given.name, given.parameters.parameters
        axes = build_grid(grid, parameters, lambda: list(given.results), name)
        derivation = given
        fixed_values = {k: v for k, v in given.parameters.values.items() if k not in grid}
    else:
        name, parameters = system.name, system.parameters
        axes = build_grid(grid, parameters, lambda: list(system.derive(system.parameter_set(overrides)).results),
                          name)
        both = sorted(set(overrides) & set(grid))
        if both:
            raise QderiveError(f"{both} are both swept and fixed; give each parameter one role")
        base = system.parameter_set({**overrides, **{a.name: float(a.values[0]) for a in axes}})
        fixed_values = {k: v for k, v in base.values.items() if k not in grid}
        derivation = system.derive(base)
    keys = [k for k in derivation.results if k in derivation.evaluators] if results is None else list(results)
    for key in keys:
        if key not in derivation.results:
            raise QderiveError(f"'{name}' has no result '{key}'; results: {', '.join(derivation.results)}")
        if key not in derivation.evaluators:
            raise QderiveError(f"result '{key}' of '{name}' has no compiled closed form to sweep; results with one: "
                               f"{', '.join(derivation.evaluators)}")

    shape = tuple(len(a.values) for a in axes)
    coords = _axes_coords(axes)
    attrs = {"derivation": name, "title": derivation.title, "qderive_version": package_version(),
             **{f"fixed_{k}": v for k, v in fixed_values.items()}}
    specs: dict[str, tuple[np.dtype, dict[str, str]]] = {}
    for key in keys:
        quantity = derivation.results[key]
        specs[key] = (derivation.evaluators[key].kernel.dtype, {
            "units": quantity.units or "1", "long_name": quantity.meaning, "source": "closed form (compiled)"})
    signature = _signature(name, axes, fixed_values, keys, metrics, validate, quick)
    path = None if out is None else Path(out)
    if path is not None and path.suffix not in (".zarr", ".nc"):
        raise SweepStoreError(f"--out must end in .zarr or .nc, got '{path}'")
    if path is not None:
        finished = finished_netcdf(path, signature)
        if finished is not None:
            return finished.assign_attrs(points_validated_this_run=0)

    first: PointResult | None = None
    metric_names: list[str] = []
    if validate:
        metric_names = _stored_metric_names(path, signature)
        if metric_names is None:
            first = validate_with(system, 0, {**fixed_values, **_grid_point(axes, shape, 0)}, quick)
            metric_names = _metric_names(first, metrics, name)
        specs.update({f"validation_{m}": (np.dtype(float), {"long_name": f"validation metric {m} (full model)"})
                      for m in metric_names})
        specs["validation_error"] = (np.dtype(float), {"long_name": "error judged by the validation"})
        specs["validation_tolerance"] = (np.dtype(float), {"long_name": "tolerance promised at the point"})
        specs["validation_status"] = (np.dtype("i1"), {"long_name": "1 passed, 0 failed, -1 could not be validated"})
    skeleton = _skeleton(coords, attrs, specs, shape)
    store = SweepStore(skeleton, signature, path)

    _closed_forms(derivation, keys, axes, fixed_values, store)
    computed, failures = 0, []
    if validate:
        total = int(np.prod(shape))
        bar = Progress(f"sweep {name}", total, int(store.done.sum()), enabled=progress, unit="points")
        writer = _PointWriter(store, metric_names, bar)
        try:
            if first is not None:
                writer(first)
            missing = np.flatnonzero(~store.done.ravel())
            missing = missing[~np.isin(missing, [r.index for r in writer.batch])]
            run_points(system, ((int(i), {**fixed_values, **_grid_point(axes, shape, int(i))}) for i in missing),
                       quick, writer, backend, workers, scheduler)
        finally:
            writer.flush()
            bar.close()
        computed, failures = writer.computed, writer.failures
        if failures:
            warnings.warn(f"{name}: validation could not be carried out at some points (status -1): {failures[0]}",
                          PointFailureWarning, stacklevel=2)
    dataset = store.finish()
    dataset.attrs["points_validated_this_run"] = computed
    if failures:
        dataset.attrs["validation_failures"] = "; ".join(failures)
    return dataset


class PointFailureWarning(UserWarning):
    """A validation could not be carried out at some grid points (they are marked ``validation_status = -1``)."""


def _skeleton(coords: Mapping[str, xr.Variable], attrs: Mapping[str, Any],
              specs: Mapping[str, tuple[np.dtype, Mapping[str, str]]], shape: tuple[int, ...]) -> xr.Dataset:
    """The dataset's layout: coordinates, attributes and lazy (Dask, nothing allocated) variables."""
    import dask.array as da

    dims = tuple(coords)
    variables = {name: xr.Variable(dims, da.zeros(shape, dtype=dtype, chunks=shape), dict(var_attrs))
                 for name, (dtype, var_attrs) in specs.items()}
    return xr.Dataset(variables, coords=dict(coords), attrs=dict(attrs))


def _stored_metric_names(path: Path | None, signature: Mapping[str, Any]) -> list[str] | None:
    """The metric variables of an existing store of this sweep (``None``: no store yet, ask the first point)."""
    if path is None:
        return None
    zarr_path = path.with_name(path.name + ".partial.zarr") if path.suffix == ".nc" else path
    if not zarr_path.exists():
        return None
    import json

    import zarr

    from .sweep_store import SIGNATURE, describe_change

    group = zarr.open_group(str(zarr_path), mode="r")
    stored = json.loads(group.attrs.get(SIGNATURE, "null"))
    wanted = json.loads(json.dumps(signature))
    if stored != wanted:
        change = describe_change(stored, wanted) if stored else "not a qderive sweep"
        raise SweepStoreError(f"{zarr_path} holds another sweep ({change}); rerun with the same arguments to resume, "
                              "or choose another --out")
    fixed = {"validation_error", "validation_tolerance", "validation_status"}
    return [n[len("validation_"):] for n in group.array_keys() if n.startswith("validation_") and n not in fixed]
