"""Where a sweep's numbers live while it runs: in memory, or a Zarr store on disk that a rerun resumes.

The store holds one array per output variable over the grid, a ``point_done`` mask of the points
whose per-point work (validation) is finished, and the sweep's *signature* (derivation, package
version, grid values, fixed parameters, requested outputs, validation options) as a JSON attribute.
Reopening with another signature is refused with one line naming what differs, so a changed grid or
parameter set is never mixed into old results. Points are written in batches (values first, then
their ``done`` flags); Zarr replaces each chunk file atomically, so an interrupted or killed run
leaves only complete points marked done. ``FILE.nc`` output keeps its Zarr store beside it
(``FILE.nc.partial.zarr``) until the sweep is complete, then writes the NetCDF file under a
temporary name, renames it into place and removes the partial store.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qderive.symbolic import QderiveError

SIGNATURE = "qderive_sweep_signature"
DONE = "point_done"
CHUNK_POINTS = 2**16


class SweepStoreError(QderiveError):
    """A sweep's output file exists with other contents, or cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> skeleton = xr.Dataset({"f": (("x",), np.zeros(3))}, coords={"x": [0.0, 1.0, 2.0]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = SweepStore(skeleton, {"grid": {"x": [0, 1, 2]}}, Path(folder) / "s.zarr")
    ...     try:
    ...         SweepStore(skeleton, {"grid": {"x": [0, 1, 3]}}, Path(folder) / "s.zarr")  # another grid
    ...     except SweepStoreError as error:
    ...         print(str(error).split("(")[1].split(")")[0])
    grid differs in x
    """


def describe_change(stored: Mapping[str, Any], wanted: Mapping[str, Any]) -> str:
    """The first difference between two signatures, in words.

    Examples
    --------
    >>> describe_change({"name": "bloch", "fixed": {"g": 1, "k": 2}}, {"name": "bloch", "fixed": {"g": 1, "k": 3}})
    'fixed differs in k'
    >>> describe_change({"version": "1"}, {"version": "2"}), describe_change({"a": 1}, {"a": 1})
    ("version differs ('1' stored, '2' now)", 'nothing differs')
    """
    for key in sorted(set(stored) | set(wanted)):
        old, new = stored.get(key), wanted.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            return f"{key} differs in {', '.join(map(str, changed))}"
        return f"{key} differs ({old!r} stored, {new!r} now)"
    return "nothing differs"


def chunks_for(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Chunks of about :data:`CHUNK_POINTS` points, split along the leading dimension.

    Examples
    --------
    >>> chunks_for((10, 20)), chunks_for((10**6,)), chunks_for((4, 2**17))  # about 2^16 points, whole trailing rows
    ((10, 20), (65536,), (1, 131072))
    """
    trailing = int(np.prod(shape[1:], dtype=np.int64)) if len(shape) > 1 else 1
    return (max(1, min(shape[0], CHUNK_POINTS // max(trailing, 1))), *shape[1:])


class SweepStore:
    """The output arrays of one sweep (``path=None``: in memory only).

    Parameters
    ----------
    skeleton : xarray.Dataset
        Coordinates, attributes and one (lazy) variable per output, without the done mask.
    signature : mapping
        JSON-serialisable description of the sweep; must match an existing store's.
    path : Path, optional
        ``*.zarr`` or ``*.nc``; ``None`` keeps everything in memory.

    Examples
    --------
    >>> skeleton = xr.Dataset({"f": (("x", "y"), np.zeros((2, 3)))}, coords={"x": [0.0, 1.0], "y": [0.0, 1.0, 2.0]})
    >>> store = SweepStore(skeleton, {"name": "demo"})  # in memory
    >>> store.write_points(np.array([0, 5]), {"f": np.array([1.5, 2.5])})
    >>> store.done.tolist()
    [[True, False, False], [False, False, True]]
    >>> float(store.finish()["f"].values[1, 2]), store.resumed
    (2.5, False)
    """

    def __init__(self, skeleton: xr.Dataset, signature: Mapping[str, Any], path: Path | None = None) -> None:
        self.path = path
        self.signature = json.loads(json.dumps(signature))
        self.shape = tuple(skeleton.sizes[d] for d in skeleton.dims)
        self.dims = tuple(skeleton.dims)
        self.order = list(skeleton.data_vars)
        self.resumed = False
        if path is None:
            self._skeleton = skeleton
            self._arrays: dict[str, np.ndarray] = {}
            self._done = np.zeros(self.shape, dtype=bool)
            return
        self.zarr_path = path.with_name(path.name + ".partial.zarr") if path.suffix == ".nc" else path
        if self.zarr_path.exists():
            self._open_existing()
        else:
            self._create(skeleton)
        import zarr

        self._group = zarr.open_group(str(self.zarr_path), mode="r+")
        self._done = np.asarray(self._group[DONE][...], dtype=bool)

    # -- opening -------------------------------------------------------------------------------
    def _open_existing(self) -> None:
        try:
            import zarr

            stored = json.loads(zarr.open_group(str(self.zarr_path), mode="r").attrs.get(SIGNATURE, "null"))
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as error:
            raise SweepStoreError(f"{self.zarr_path} exists but is not a qderive sweep store ({error}); "
                                  "choose another --out or remove it") from None
        if stored is None:
            raise SweepStoreError(f"{self.zarr_path} exists but is not a qderive sweep store; choose another --out")
        if stored != self.signature:
            raise SweepStoreError(f"{self.zarr_path} holds another sweep ({describe_change(stored, self.signature)}); "
                                  "rerun with the same arguments to resume, or choose another --out")
        self.resumed = True

    def _create(self, skeleton: xr.Dataset) -> None:
        import dask.array as da

        chunks = chunks_for(self.shape)
        lazy = skeleton.copy()
        lazy[DONE] = (self.dims, da.zeros(self.shape, dtype="u1", chunks=chunks))
        for name, variable in skeleton.data_vars.items():
            lazy[name] = (self.dims, da.full(self.shape, np.nan, dtype=variable.dtype, chunks=chunks), variable.attrs)
        lazy.attrs[SIGNATURE] = json.dumps(self.signature, sort_keys=True)
        encoding = {name: {"_FillValue": np.nan} for name, v in lazy.data_vars.items() if v.dtype.kind == "f"}
        self.zarr_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{self.zarr_path.name}-", dir=self.zarr_path.parent))
        try:
            lazy.to_zarr(str(temporary), mode="w", compute=False, consolidated=False, encoding=encoding)
            os.replace(temporary, self.zarr_path)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise

    # -- writing -------------------------------------------------------------------------------
    @property
    def done(self) -> np.ndarray:
        """Boolean mask over the grid of points whose per-point work is stored.

        Examples
        --------
        >>> import tempfile
        >>> skeleton = xr.Dataset({"f": (("x",), np.zeros(4))}, coords={"x": np.arange(4.0)})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     first = SweepStore(skeleton, {"name": "demo"}, Path(folder) / "s.zarr")
        ...     first.write_points(np.array([1, 2]), {"f": np.array([10.0, 20.0])})
        ...     again = SweepStore(skeleton, {"name": "demo"}, Path(folder) / "s.zarr")  # a rerun resumes
        ...     print(again.resumed, again.done.tolist())
        True [False, True, True, False]
        """
        return self._done

    def write_block(self, rows: slice, values: Mapping[str, np.ndarray]) -> None:
        """Store whole rows ``rows`` (along the first dimension) of some variables.

        Examples
        --------
        >>> skeleton = xr.Dataset({"f": (("x", "y"), np.zeros((3, 2)))}, coords={"x": np.arange(3.0), "y": [0.0, 1.0]})
        >>> store = SweepStore(skeleton, {"name": "demo"})
        >>> store.write_block(slice(0, 2), {"f": np.ones((2, 2))})
        >>> store.dataset()["f"].values.tolist()  # the rows not written are still NaN
        [[1.0, 1.0], [1.0, 1.0], [nan, nan]]
        >>> bool(store.done.any())  # closed-form rows are not per-point work: nothing marked done
        False
        """
        for name, array in values.items():
            if self.path is None and rows == slice(None):
                self._arrays[name] = array  # the whole variable: kept as computed, no copy
            elif self.path is None:
                self._memory_array(name)[rows] = array
            else:
                self._group[name][rows] = array

    def write_points(self, flat: np.ndarray, values: Mapping[str, np.ndarray]) -> None:
        """Store per-point values at flat grid indices ``flat`` and mark those points done.

        Examples
        --------
        >>> skeleton = xr.Dataset({"f": (("x",), np.zeros(3))}, coords={"x": np.arange(3.0)})
        >>> store = SweepStore(skeleton, {"name": "demo"})
        >>> store.write_points(np.array([2]), {"f": np.array([7.0])})
        >>> store.dataset()["f"].values.tolist(), store.done.tolist()
        ([nan, nan, 7.0], [False, False, True])
        """
        if len(flat) == 0:
            return
        index = np.unravel_index(np.asarray(flat, dtype=np.int64), self.shape)
        for name, array in values.items():
            if self.path is None:
                self._memory_array(name)[index] = array
            else:
                self._group[name].vindex[index] = np.asarray(array)
        if self.path is not None:
            self._group[DONE].vindex[index] = np.ones(len(flat), dtype="u1")
        self._done[index] = True

    def _memory_array(self, name: str) -> np.ndarray:
        """The in-memory array of ``name``, created (NaN, or 0 for integers) on first use."""
        if name not in self._arrays:
            dtype = self._skeleton[name].dtype
            self._arrays[name] = np.full(self.shape, np.nan if dtype.kind in "fc" else 0, dtype=dtype)
        return self._arrays[name]

    # -- finishing -----------------------------------------------------------------------------
    def dataset(self) -> xr.Dataset:
        """Everything stored, loaded into memory, without the done mask and the signature.

        Examples
        --------
        >>> import tempfile
        >>> skeleton = xr.Dataset({"f": (("x",), np.zeros(2), {"units": "rad/s"})}, coords={"x": [0.0, 1.0]})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     store = SweepStore(skeleton, {"name": "demo"}, Path(folder) / "s.zarr")
        ...     store.write_block(slice(None), {"f": np.array([1.0, 2.0])})
        ...     ds = store.dataset()
        >>> list(ds.data_vars), ds["f"].attrs["units"], SIGNATURE in ds.attrs  # no done mask, no signature
        (['f'], 'rad/s', False)
        """
        if self.path is None:
            result = self._skeleton.copy(data={name: self._memory_array(name) for name in self.order})
        else:
            with xr.open_zarr(str(self.zarr_path), consolidated=False) as opened:
                result = opened.load()
            result = result[self.order]
            for name in result.data_vars:
                result[name].encoding = {}
        result.attrs.pop(SIGNATURE, None)
        return result

    def finish(self) -> xr.Dataset:
        """The complete dataset; for ``*.nc`` output, the NetCDF file is written and the partial store removed.

        Examples
        --------
        >>> import tempfile
        >>> skeleton = xr.Dataset({"f": (("x",), np.zeros(2))}, coords={"x": [0.0, 1.0]})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     store = SweepStore(skeleton, {"name": "demo"}, Path(folder) / "out.nc")
        ...     store.write_block(slice(None), {"f": np.array([3.0, 4.0])})
        ...     _ = store.finish()
        ...     print(sorted(p.name for p in Path(folder).iterdir()))  # the partial Zarr store is gone
        ['out.nc']
        """
        result = self.dataset()
        if self.path is not None and self.path.suffix == ".nc":
            write_netcdf(result.assign_attrs({SIGNATURE: json.dumps(self.signature, sort_keys=True)}), self.path)
            shutil.rmtree(self.zarr_path)
        return result


def finished_netcdf(path: Path, signature: Mapping[str, Any]) -> xr.Dataset | None:
    """The finished sweep in ``path`` (a ``.nc`` without a partial store) if it is this sweep; else refused.

    ``None`` when there is nothing finished to reuse.

    Examples
    --------
    >>> import tempfile
    >>> dataset = xr.Dataset({"f": (("x",), [1.0, 2.0])}, coords={"x": [0.0, 1.0]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "done.nc"
    ...     write_netcdf(dataset.assign_attrs({SIGNATURE: json.dumps({"name": "demo"})}), path)
    ...     print(finished_netcdf(path, {"name": "demo"})["f"].values.tolist())
    ...     print(finished_netcdf(Path(folder) / "none.nc", {}))  # nothing finished to reuse
    ...     try:
    ...         finished_netcdf(path, {"name": "other"})
    ...     except SweepStoreError as error:
    ...         print("holds another sweep (name differs ('demo' stored, 'other' now))" in str(error))
    [1.0, 2.0]
    None
    True
    """
    partial = path.with_name(path.name + ".partial.zarr")
    if path.suffix != ".nc" or not path.exists() or partial.exists():
        return None
    try:
        with xr.open_dataset(path) as opened:
            stored = json.loads(opened.attrs.get(SIGNATURE, "null"))
            result = opened.load() if stored == json.loads(json.dumps(signature)) else None
    except (OSError, ValueError, json.JSONDecodeError) as error:
        raise SweepStoreError(f"{path} exists but is not a qderive sweep ({error}); choose another --out") from None
    if result is None:
        change = describe_change(stored, json.loads(json.dumps(signature))) if stored else "not a qderive sweep"
        raise SweepStoreError(f"{path} holds another sweep ({change}); choose another --out or remove it")
    result.attrs.pop(SIGNATURE, None)
    return result


def write_netcdf(dataset: xr.Dataset, path: Path) -> None:
    """Write ``dataset`` to ``path`` through a temporary file in the same folder, renamed into place.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_netcdf(xr.Dataset({"z": (("x",), [1j])}), Path(folder) / "c.nc")
    Traceback (most recent call last):
    ...
    qderive.derivations.sweep_store.SweepStoreError: ...: NetCDF cannot hold the complex results ['z']; write a .zarr
    """
    if any(v.dtype.kind == "c" for v in dataset.data_vars.values()):
        raise SweepStoreError(f"{path}: NetCDF cannot hold the complex results "
                              f"{[n for n, v in dataset.data_vars.items() if v.dtype.kind == 'c']}; write a .zarr")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".nc", dir=path.parent)
    os.close(handle)
    try:
        dataset.to_netcdf(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

