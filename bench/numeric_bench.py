"""Numeric benchmarks: qderive.numeric against QuTiP 5, side by side in one run, same tolerances.

``run(quick)`` returns ``{"benchmarks": [{"name", "ours_s", "peer", "peer_s", "ratio", ...}]}`` with
``ratio = peer_s / ours_s``; every timing is the best of several repeats after one warm-up call (the
warm-up time, which includes Numba compilation, is reported as ``ours_first_s``).
Run as ``python -m qderive.bench.numeric_bench --json``; ``--loaded`` (``qderive bench numeric --loaded``)
times every row quietly and in several fresh processes with every core kept busy (see
:mod:`qderive.bench.timing`), ``--row KEY`` one row alone (keys in :data:`ROWS`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse.linalg as spla

from qderive.bench.timing import available_cores, command_line, loaded_rows
from qderive.derivations.engine004.model import DEFAULTS as ENGINE_DEFAULTS
from qderive.derivations.engine004.model import PARAMETERS as ENGINE_PARAMETERS
from qderive.derivations.engine004.model import engine_model, numeric_values
from qderive.derivations.sps000.model import FIG3, full_model
from qderive.derivations.sps000.protocol import GATE, sps000_cooled_state
from qderive.numeric import fock_model, liouvillian, mesolve, mesolve_batch, steady_state, two_time_correlation
from qderive.numeric.harmonic_balance import fourier_moment_equations, harmonic_balance
from qderive.numeric.qutip_interop import state_to_qutip, to_qutip
from qderive.symbolic import ParameterSet, QderiveError
from qderive.symbolic.library import TWO_TONE_VALUES, driven_qubit, pumped_jaynes_cummings, two_tone_three_level

QUTIP_OPTIONS = {"atol": 1e-8, "rtol": 1e-6, "progress_bar": False, "store_states": False}
OURS_OPTIONS = {"atol": 1e-8, "rtol": 1e-6}


def _best(function: Callable[[], object], repeats: int) -> tuple[float, float, float, object]:
    """Time of the first call, best and median time of ``repeats`` further calls, and the last result."""
    start = time.perf_counter()
    value = function()
    first = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return first, min(times), float(np.median(times)), value


def _relative_difference(ours: object, peer: object) -> float:
    """``max |ours - peer| / max |peer|`` over arrays of the same shape."""
    ours, peer = np.asarray(ours), np.asarray(peer)
    return float(np.abs(ours - peer).max() / np.abs(peer).max())


def _entry(name: str, ours: Callable, peer_name: str, peer: Callable, repeats: int,
           agreement: Callable[[object, object], dict] | None = None, **extra: object) -> dict:
    """One row; ``agreement(ours_value, peer_value)`` adds how closely the two results agree.

    ``ratio`` compares the best times; ``median_ratio`` the median ones (where threads that wait for a
    busy core show even when the best call escaped them)."""
    first, ours_s, ours_median_s, ours_value = _best(ours, repeats)
    _, peer_s, peer_median_s, peer_value = _best(peer, repeats)
    compared = agreement(ours_value, peer_value) if agreement else {}
    return {"name": name, "ours_s": ours_s, "ours_first_s": first, "peer": peer_name, "peer_s": peer_s,
            "ratio": peer_s / ours_s, "ours_median_s": ours_median_s, "peer_median_s": peer_median_s,
            "median_ratio": peer_median_s / ours_median_s, **compared, **extra}


def _same_expectations(ours: object, peer: object) -> dict:
    return {"relative_difference": _relative_difference(np.array(ours.expect), np.array(peer.expect))}


def _evolution(fock, rho0, times, ops, repeats, name):
    h, c_ops = to_qutip(fock)
    import qutip

    q_rho = state_to_qutip(fock, rho0)
    q_ops = [state_to_qutip(fock, fock.operator(o).toarray()) for o in ops]
    ops = [fock.operator(o) for o in ops]  # both sides get prebuilt matrices
    return _entry(name, lambda: mesolve(fock, rho0, times, e_ops=ops, options=OURS_OPTIONS), "qutip.mesolve",
                  lambda: qutip.mesolve(h, q_rho, times, c_ops, e_ops=q_ops, options=QUTIP_OPTIONS), repeats,
                  _same_expectations, dimension=fock.dimension)


def sps000_validation_row(quick: bool) -> dict:
    """The full-model part of ``qderive validate sps000``: G1 and G2 over the gate grid of the RWA model.

    Same cooled initial state at ``tl`` and the same ``t x tau`` grid on both sides (the quick
    validation's cutoffs and grid; the converged validation repeats this at larger cutoffs).
    """
    import qutip

    from qderive.derivations.sps000.model import DEFAULTS, PHOTON, rwa_model, rwa_values
    from qderive.derivations.sps000.validation import OPTIONS, QUICK, _at_gate_start
    from qderive.numeric.states import prepare_state

    cutoffs = QUICK["cutoffs"] if quick else {"a": 3, "b": 5, "c": 3}
    n_points = 5 if quick else QUICK["n_points"]
    fock = fock_model(rwa_model(), rwa_values(DEFAULTS), cutoffs)
    options = {**OPTIONS, "truncation_tolerance": QUICK["truncation_tolerance"], "method": "adams"}
    rho0 = prepare_state(fock, hold={"s": "d"}, then={"s": "e"}, truncation_tolerance=QUICK["truncation_tolerance"])
    rho_tl = _at_gate_start(fock, rho0, DEFAULTS["tl"], options)
    grid = np.linspace(0, DEFAULTS["tu"] - DEFAULTS["tl"], n_points)
    a = fock.operator(PHOTON.a)
    ad = a.conj().T.tocsr()
    h, c_ops = to_qutip(fock)
    q_rho = state_to_qutip(fock, rho_tl)

    def q(matrix):
        return state_to_qutip(fock, matrix.toarray())

    q_opts = {"atol": OPTIONS["atol"], "rtol": OPTIONS["rtol"]}

    def ours():
        return (two_time_correlation(fock, rho_tl, grid, grid, ad, a, options=options),
                two_time_correlation(fock, rho_tl, grid, grid, ad, ad @ a, a, options=options))

    def peer():
        return (qutip.correlation_2op_2t(h, q_rho, grid, grid, c_ops, q(ad), q(a), options=q_opts),
                qutip.correlation_3op_2t(h, q_rho, grid, grid, c_ops, q(ad), q(ad @ a), q(a), options=q_opts))

    def agree(o, p):
        return {"relative_difference_G1": _relative_difference(o[0], p[0]),
                "relative_difference_G2": _relative_difference(o[1], p[1])}

    return _entry(f"sps000 validation, RWA full model {cutoffs}, gate grid {n_points}x{n_points} (G1 and G2)", ours,
                  "qutip.correlation_2op_2t + correlation_3op_2t", peer, 1, agree, dimension=fock.dimension)


def _driven_qubit_row(quick: bool) -> dict:
    qubit = fock_model(driven_qubit(), {"Delta": 0.3, "Omega": 1.0, "gamma": 0.2})
    e = driven_qubit().subsystems[0].projector("e")
    return _evolution(qubit, np.diag([1.0, 0.0]), np.linspace(0, 20, 101), [e], _small_repeats(quick),
                      "driven qubit evolution") | {"small_model": True}


def _small_repeats(quick: bool) -> int:
    return 5 if quick else 300  # sub-millisecond runs: best of many, both sides alike


def _engine() -> tuple:
    """engine004 (two driven, coupled, decaying qubits, d = 4) at a fixed point, its observables and ``rho0``."""
    engine = engine_model()
    point = ParameterSet(tuple(ENGINE_PARAMETERS.values()), {**ENGINE_DEFAULTS, "g": 2 * np.pi * 40e3, "pR": 0.98})
    left, right = engine.subsystems
    ops = [left.projector("e"), left.sigma("e", "g") * right.sigma("g", "e")]
    return engine, point, ops, np.diag([0.1, 0.2, 0.3, 0.4]).astype(complex), np.linspace(0, 20e-6, 101)


def _engine_row(quick: bool) -> dict:
    engine, point, ops, rho0, times = _engine()
    fock = fock_model(engine, numeric_values(point))
    return _evolution(fock, rho0, times, ops, _small_repeats(quick), "engine004 evolution") | {"small_model": True}


def _engine_batch_row(quick: bool) -> dict:
    import qutip

    engine, point, ops, rho0, times = _engine()
    n_batch = 50 if quick else 1000
    rng = np.random.default_rng(0)
    batch = [numeric_values(point.replace(g=point["g"] * x, pR=0.97 + 0.03 * y)) for x, y in rng.random((n_batch, 2))]
    focks = [fock_model(engine, v) for v in batch]
    qobjs = [to_qutip(f) for f in focks]
    q_ops = [state_to_qutip(focks[0], focks[0].operator(o).toarray()) for o in ops]
    q_rho = state_to_qutip(focks[0], rho0)
    return _entry(f"engine004 batch of {n_batch}", lambda: mesolve_batch(engine, batch, rho0, times, ops),
                  "loop of qutip.mesolve",
                  lambda: [qutip.mesolve(h, q_rho, times, c, e_ops=q_ops, options=QUTIP_OPTIONS) for h, c in qobjs],
                  1, lambda o, p: {"relative_difference": _relative_difference(o, [r.expect for r in p])},
                  small_model=True)


def _sps000(quick: bool) -> tuple:
    """sps000's full model at cutoffs whose top Fock levels stay below 1e-4 over the gate (checked on our side)."""
    cutoffs = {"a": 2, "b": 3, "c": 3} if quick else {"a": 4, "b": 6, "c": 4}
    tolerance = 5e-2 if quick else 1e-4
    sps = fock_model(full_model(), dict(FIG3), cutoffs)
    rho_sps = sps000_cooled_state(dict(FIG3), cutoffs, tolerance)
    gate = GATE if not quick else (1e-6, 2e-6)
    return sps, rho_sps, gate, {**OURS_OPTIONS, "truncation_tolerance": tolerance, "method": "adams"}


def _sps000_gate_row(quick: bool) -> dict:
    import qutip

    sps, rho_sps, gate, sps_options = _sps000(quick)
    n = full_model().subsystem("a").adag * full_model().subsystem("a").a
    h, c_ops = to_qutip(sps)
    q_n = state_to_qutip(sps, sps.operator(n).toarray())
    t_grid = np.linspace(0, gate[1], 23)
    return _entry("sps000 evolution over the gate",
                  lambda: mesolve(sps, rho_sps, t_grid, e_ops=[n], options=sps_options), "qutip.mesolve",
                  lambda: qutip.mesolve(h, state_to_qutip(sps, rho_sps), t_grid, c_ops, e_ops=[q_n],
                                        options=QUTIP_OPTIONS), 1, _same_expectations, dimension=sps.dimension)


def _sps000_two_time_row(quick: bool) -> dict:
    import qutip

    sps, rho_sps, gate, sps_options = _sps000(quick)
    h, c_ops = to_qutip(sps)
    a = sps.operator(full_model().subsystem("a").a)
    ad = a.conj().T.tocsr()
    grid = np.linspace(0, gate[1] - gate[0], 5 if quick else 7)

    def q(matrix):
        return state_to_qutip(sps, matrix.toarray())

    q_opts = {"atol": 1e-8, "rtol": 1e-6}

    def ours_corr():
        return (two_time_correlation(sps, rho_sps, grid, grid, ad, a, options=sps_options),
                two_time_correlation(sps, rho_sps, grid, grid, ad, ad @ a, a, options=sps_options))

    def peer_corr():
        return (qutip.correlation_2op_2t(h, state_to_qutip(sps, rho_sps), grid, grid, c_ops, q(ad), q(a),
                                         options=q_opts),
                qutip.correlation_3op_2t(h, state_to_qutip(sps, rho_sps), grid, grid, c_ops, q(ad), q(ad @ a), q(a),
                                         options=q_opts))

    def same_correlations(ours, peer):
        return {"relative_difference_G1": _relative_difference(ours[0], peer[0]),
                "relative_difference_G2": _relative_difference(ours[1], peer[1])}

    return _entry(f"sps000 two-time grid {len(grid)}x{len(grid)} (G1 and G2)", ours_corr,
                  "qutip.correlation_2op_2t + correlation_3op_2t", peer_corr, 1, same_correlations,
                  dimension=sps.dimension)


def _steady_state_row(quick: bool) -> dict:
    import qutip

    laser = fock_model(pumped_jaynes_cummings(), {"g": 1.0, "kappa": 0.5, "gamma": 0.05, "P": 3.0},
                       {"a": 100 if quick else 1000})
    h_l, c_l = to_qutip(laser)
    generator = liouvillian(laser.hamiltonian, laser.jump_operators)

    def residuals(ours, peer):
        # |L vec(rho)|_1 / |L|_1 of each solution: the accuracy of a steady state
        size = spla.norm(generator, 1)
        return {"residual_ours": float(np.abs(generator @ ours.reshape(-1, order="F")).sum() / size),
                "residual_peer": float(np.abs(generator @ peer.full().reshape(-1, order="F")).sum() / size),
                "relative_difference": _relative_difference(ours, peer.full())}

    return _entry(f"steady state, dimension {laser.dimension}", lambda: steady_state(laser), "qutip.steadystate",
                  lambda: qutip.steadystate(h_l, c_l), 1, residuals, dimension=laser.dimension)


def _harmonic_balance_row(quick: bool) -> dict:
    import qutip

    v = TWO_TONE_VALUES
    tones = fock_model(two_tone_three_level(), v)
    t_long = np.linspace(0, 600.0, 6001)
    h_t, c_t = to_qutip(tones)
    return _entry("two-tone harmonic balance, 5 harmonics each (3-level)",
                  lambda: harmonic_balance(fourier_moment_equations(tones, [v["mu_d"], v["mu_s"]]), 5),
                  "qutip.mesolve to t=600 (long-time average; QuTiP 5 has no multi-tone steady state)",
                  lambda: qutip.mesolve(h_t, qutip.fock_dm(3, 0), t_long, c_t, e_ops=[qutip.fock_dm(3, 2)],
                                        options=QUTIP_OPTIONS), 1 if quick else 3)


#: Every row, by the key that ``--row`` and :func:`run` take, in the order of the report.
ROWS: dict[str, Callable[[bool], dict]] = {
    "driven_qubit": _driven_qubit_row,
    "engine004": _engine_row,
    "engine004_batch": _engine_batch_row,
    "sps000_gate": _sps000_gate_row,
    "sps000_two_time": _sps000_two_time_row,
    "sps000_validation": sps000_validation_row,
    "steady_state": _steady_state_row,
    "harmonic_balance": _harmonic_balance_row,
}
SMALL_MODEL_LOADED_TARGET = 10.0  # the small-model rows stay at least this many times faster than QuTiP under load


def run(quick: bool = False, loaded: bool = False, processes: int = 4, rows: Sequence[str] | None = None) -> dict:
    """Time every benchmark (or the rows named in ``rows``); ``quick`` shrinks sizes so that the whole run takes
    seconds.

    With ``loaded`` each row runs once quietly and in ``processes`` fresh processes while every core is
    kept busy (:func:`~qderive.bench.timing.loaded_rows`); the small-model rows also report whether their
    worst loaded ratio reaches ``SMALL_MODEL_LOADED_TARGET`` (``target_met``).
    """
    keys = list(ROWS) if rows is None else list(rows)
    unknown = [key for key in keys if key not in ROWS]
    if unknown:
        raise QderiveError(f"unknown numeric benchmark row(s) {unknown}; known: {', '.join(ROWS)}")
    if not loaded:
        return {"benchmarks": [ROWS[key](quick) for key in keys]}
    out = loaded_rows("numeric_bench", keys, quick, processes)
    for row in out:
        if row.get("small_model"):
            row["target"] = f"loaded ratio >= {SMALL_MODEL_LOADED_TARGET:g}"
            row["target_met"] = row["loaded_ratio"] >= SMALL_MODEL_LOADED_TARGET
    return {"benchmarks": out, "machine": {"cores": available_cores(), "processes_per_row": processes}}


def main(argv: list[str] | None = None) -> None:
    """Command line; see :func:`~qderive.bench.timing.command_line` (with ``--row KEY`` and ``--loaded``)."""
    command_line(run, __doc__, argv, rows=ROWS)


if __name__ == "__main__":
    main()
