"""The sweep facility: backends agree, killed workers and interruptions lose nothing, bad grids are refused.

References: the closed forms at each grid point against the derivation's own SymPy evaluation
(``Derivation.value``, 17-digit evalf, not the compiled kernel); validation metrics across backends
against the serial run to the sparse solver's accuracy; the closed-form Purcell rate against the
full Liouvillian (the validation metric) to the tolerance the derivation promises.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

import numpy as np
import pytest
import zarr

from qderive import QderiveError
from qderive.derivations.cli import main
from qderive.derivations.purcell import Purcell
from qderive.derivations.sweep import sweep
from qderive.derivations.sweep_grid import GridError
from qderive.derivations.sweep_store import DONE
from qderive.derivations.sweep_workers import WorkerDiedWarning

distributed = pytest.importorskip("distributed")

# Purcell regime (g, gamma << kappa): the closed form holds to ~(g/kappa)^2; each validation takes ~30 ms.
GRID = {"g": (1e6, 4e6, 3), "gamma": (2e8, 1e9, 2, "log")}
FIXED = {"kappa": 3e11}
CLOSED = ("Gamma_P", "Purcell_factor", "total_decay_rate")
SOLVER_RTOL = 1e-9  # sparse steady state / Liouvillian eigenvalue accuracy between runs
SYSTEM = Purcell()  # one instance: its symbolic work is done once for every serial sweep here
KILL_GRID = {"g": (1e6, 4e6, 8), "gamma": (2e8, 1e9, 8, "log")}  # 64 points: ~2 s of work per worker


@pytest.fixture(scope="module")
def serial():
    return sweep(SYSTEM, GRID, fixed=FIXED, validate=True, progress=False)


@pytest.fixture(scope="module")
def kill_reference():
    return sweep(SYSTEM, KILL_GRID, fixed=FIXED, validate=True, progress=False)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as local:
        yield local


def _metrics(ds):
    return [name for name in ds.data_vars if name.startswith("validation_") and name != "validation_status"]


def _assert_same(ds, reference):
    for key in CLOSED:  # closed forms: the same compiled kernel on the same inputs, bit for bit
        np.testing.assert_array_equal(ds[key].values, reference[key].values)
    for key in _metrics(reference):
        np.testing.assert_allclose(ds[key].values, reference[key].values, rtol=SOLVER_RTOL, atol=1e-300)
    np.testing.assert_array_equal(ds["validation_status"].values, reference["validation_status"].values)


def test_serial_closed_forms_against_sympy_and_full_model(serial):
    system = SYSTEM
    assert serial["g"].attrs["units"] == "rad/s" and serial.attrs["derivation"] == "purcell"
    assert serial.attrs["fixed_kappa"] == FIXED["kappa"] and "qderive_version" in serial.attrs
    for g in serial["g"].values[[0, -1]]:
        for gamma in serial["gamma"].values:
            derivation = system.derive(system.parameter_set({**FIXED, "g": g, "gamma": gamma}))
            point = serial.sel(g=g, gamma=gamma)
            for key in CLOSED:
                assert float(point[key]) == pytest.approx(derivation.value(key), rel=1e-12)
    # the closed-form total decay rate against the full Liouvillian, within the promised tolerance
    full = serial["validation_rate_full"].values
    assert np.all(np.abs(serial["total_decay_rate"].values - full) / full <= serial["validation_tolerance"].values)
    assert np.all(serial["validation_status"].values == 1)


def _kill_one_when_started(out, pids, killed):
    """Kill (SIGKILL) one worker process once the sweep has stored its first points."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            done = int(np.asarray(zarr.open_group(str(out), mode="r")[DONE][...]).sum())
        except Exception:  # the store is not created yet
            done = 0
        candidates = pids()
        if done >= 1 and candidates:
            os.kill(candidates[0], signal.SIGKILL)
            killed.append((candidates[0], done))
            return
        time.sleep(0.02)


def test_processes_agree_with_serial_and_a_killed_worker_loses_nothing(tmp_path, kill_reference):
    out, killed = tmp_path / "killed.zarr", []
    children = lambda: [p.pid for p in multiprocessing.active_children() if "Dask" not in p.name]  # noqa: E731
    killer = threading.Thread(target=_kill_one_when_started, args=(out, children, killed))
    killer.start()
    with pytest.warns(WorkerDiedWarning):
        ds = sweep(SYSTEM, KILL_GRID, fixed=FIXED, validate=True, backend="processes", workers=2, out=out,
                   progress=False)
    killer.join()
    assert killed and killed[0][1] < 64  # killed mid-sweep
    _assert_same(ds, kill_reference)


def test_local_cluster_agrees_with_serial_and_a_killed_worker_loses_nothing(tmp_path, kill_reference, cluster):
    out, killed = tmp_path / "killed_dask.zarr", []
    with distributed.Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
    killer = threading.Thread(target=_kill_one_when_started, args=(out, lambda: pids, killed))
    killer.start()
    ds = sweep(SYSTEM, KILL_GRID, fixed=FIXED, validate=True, backend="dask", scheduler=cluster.scheduler_address,
               out=out, progress=False)
    killer.join()
    assert killed and killed[0][1] < 64
    _assert_same(ds, kill_reference)


class CountingPurcell(Purcell):
    """Purcell that counts its validations and raises KeyboardInterrupt (a Ctrl-C) at call ``stop``."""

    def __init__(self, stop: int | None = None) -> None:
        super().__init__()
        self.cache = SYSTEM.cache  # the same symbolic work, done once
        self.calls, self.stop = 0, stop

    def validate(self, derivation, options):
        self.calls += 1
        if self.calls == self.stop:
            raise KeyboardInterrupt
        return super().validate(derivation, options)


def test_interrupted_sweep_resumes_with_only_the_missing_points(tmp_path, serial):
    out, total, before = tmp_path / "resume.zarr", 6, 4
    with pytest.raises(KeyboardInterrupt):
        sweep(CountingPurcell(stop=before + 1), GRID, fixed=FIXED, validate=True, out=out, progress=False)
    resumed = CountingPurcell()
    ds = sweep(resumed, GRID, fixed=FIXED, validate=True, out=out, progress=False)
    assert resumed.calls == total - before == ds.attrs["points_validated_this_run"]
    _assert_same(ds, serial)
    again = CountingPurcell()
    sweep(again, GRID, fixed=FIXED, validate=True, out=out, progress=False)
    assert again.calls == 0


def test_netcdf_output_is_written_at_the_end_and_reused(tmp_path, serial):
    out = tmp_path / "sweep.nc"
    first = sweep(SYSTEM, GRID, fixed=FIXED, validate=True, out=out, progress=False)
    assert out.exists() and not (tmp_path / "sweep.nc.partial.zarr").exists()
    _assert_same(first, serial)
    counting = CountingPurcell()
    _assert_same(sweep(counting, GRID, fixed=FIXED, validate=True, out=out, progress=False), serial)
    assert counting.calls == 0


@pytest.mark.parametrize("change, word", [({"grid": {"g": (1e6, 4e6, 4), "gamma": (2e8, 1e9, 2, "log")}}, "grid"),
                                          ({"fixed": {"kappa": 3e11}}, "fixed")])
def test_a_changed_sweep_is_refused(tmp_path, change, word):
    out = tmp_path / "refuse.zarr"
    sweep(SYSTEM, GRID, results=["Gamma_P"], out=out, progress=False)
    with pytest.raises(QderiveError, match=word) as error:
        sweep(SYSTEM, change.get("grid", GRID), fixed=change.get("fixed"), results=["Gamma_P"], out=out,
              progress=False)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("grid, message", [
    ({"g": (0.0, 1.0, 0)}, "NUM must be a positive integer"),
    ({"g": (-1.0, 1.0, 3, "log")}, "log axis needs START > 0"),
    ({"g": "0:1e6:-2"}, "NUM must be a positive integer"),
    ({"frobnicate": (1.0, 2.0, 3)}, "'frobnicate' is an unknown key"),
    ({"Purcell_factor": (1.0, 2.0, 3)}, "'Purcell_factor' is a result, not a parameter"),
    ({"kappa": (-1.0, 1.0, 3)}, "leaves the parameter's domain"),
])
def test_bad_grids_are_refused_in_one_line(grid, message):
    with pytest.raises(GridError, match=message) as error:
        sweep(SYSTEM, grid, progress=False)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("argument", ["g=0:1:0", "g=-1:1:3:log", "frobnicate=0:1:3", "Purcell_factor=1:2:3", "g=0:1"])
def test_bad_grids_on_the_command_line_are_one_line_errors(argument, capsys):
    assert main(["sweep", "purcell", "--grid", argument, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qderive: error:") and err.count("\n") == 1


def test_command_line_sweep_writes_and_resumes(tmp_path, capsys):
    out = tmp_path / "cli.zarr"
    arguments = ["sweep", "purcell", "--grid", "g=1e6:4e6:3", "--set", "kappa=3e11", "gamma=1e9",
                 "--results", "Purcell_factor", "--out", str(out)]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert "purcell: g 3 points" in printed and "Purcell_factor" in printed
    expected = SYSTEM.derive(SYSTEM.parameter_set({"g": 4e6, "kappa": 3e11, "gamma": 1e9})).value("Purcell_factor")
    stored = zarr.open_group(str(out), mode="r")["Purcell_factor"][...]
    assert stored[-1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", ["sweep", "sweep_grid"])
def test_docstring_examples(name):
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module(f"qderive.derivations.{name}")).failed == 0
