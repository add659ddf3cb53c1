"""Numeric benchmarks: qderive.numeric against QuTiP 5, side by side in one run, same tolerances.

``run(quick)`` returns ``{"benchmarks": [{"name", "ours_s", "peer", "peer_s", "ratio", ...}]}`` with
``ratio = peer_s / ours_s``; every timing is the best of several repeats after one warm-up call (the
warm-up time, which includes Numba compilation, is reported as ``ours_first_s``).
Run as ``python -m qderive.bench.numeric_bench --json``; ``--loaded`` (``qderive bench numeric --loaded``)
times every row quietly and in several fresh processes with every core kept busy (see
:mod:`qderive.bench.timing`), ``--row KEY`` one row alone (keys in :data:`ROWS`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse.linalg as spla

from qderive.bench.timing import available_cores, command_line, loaded_rows
from qderive.derivations.engine004.model import DEFAULTS as ENGINE_DEFAULTS
from qderive.derivations.engine004.model import PARAMETERS as ENGINE_PARAMETERS
from qderive.derivations.engine004.model import engine_model, numeric_values
from qderive.derivations.progress import Progress
from qderive.derivations.sps000.model import full_model
from qderive.numeric import (
    fock_model,
    liouvillian,
    mesolve,
    mesolve_batch,
    steady_state,
    steady_state_solution,
    two_time_correlation,
)
from qderive.numeric.harmonic_balance import fourier_moment_equations, harmonic_balance
from qderive.numeric.qutip_interop import state_to_qutip, to_qutip
from qderive.symbolic import BosonMode, Dissipator, Model, ParameterSet, QderiveError, declare
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


# sps000 rows: Chebyshev propagation against QuTiP's ZVODE at tolerances that give QuTiP at most our accuracy, both
# measured against a tight reference (ours at atol 1e-14, which agreed with scipy.sparse.linalg.expm_multiply on the
# compiled generator to 4.3e-14 for the d = 90 gate evolution). atol 1e-8 bounds our truncation error per output step
# (measured 3e-12 at d = 90); QuTiP's Adams at 1e-12 / 1e-10 still errs by 2.8e-10 there.
SPS_OURS = {"method": "chebyshev", "atol": 1e-10}
SPS_REFERENCE = {"method": "chebyshev", "atol": 1e-14}
SPS_PEER = {"method": "adams", "atol": 1e-12, "rtol": 1e-10, "nsteps": 10**6}  # QuTiP's 2500 steps do not suffice
SPS_TRUNCATION = 0.2  # the cooled state's top Fock levels at these cutoffs (the lead's setup, issue 14)


def _sps000_setup(rwa: bool, cutoffs: dict[str, int]):
    """The model (stated full model or its RWA), at the source's defaults, and the cooled initial state."""
    from qderive.derivations.sps000.model import DEFAULTS, full_values, rwa_model, rwa_values
    from qderive.numeric.states import prepare_state

    model, values = (rwa_model(), rwa_values(DEFAULTS)) if rwa else (full_model(), full_values(DEFAULTS))
    fock = fock_model(model, values, cutoffs)
    return fock, prepare_state(fock, hold={"s": "d"}, then={"s": "e"}, truncation_tolerance=SPS_TRUNCATION)


def _error(values: list[np.ndarray], reference: list[np.ndarray]) -> float:
    """``max |x - ref| / max |ref|`` over the arrays of a result against the tight reference."""
    return max(_relative_difference(v, r) for v, r in zip(values, reference, strict=True))


def _errors(reference: list[np.ndarray]) -> Callable[[object, object], dict]:
    """Agreement of both results with the tight reference and with each other."""
    def agree(ours, peer):
        return {"error_ours": _error(ours, reference), "error_peer": _error(peer, reference),
                "relative_difference": _error(ours, peer)}
    return agree


def sps000_gate_row(rwa: bool, cutoffs: dict[str, int], duration: float = 22e-6,
                    alternatives: tuple[dict, ...] = ()) -> dict:
    """Evolution of the cooled state over ``[0, duration]`` (23 output times, all states compared).

    ``alternatives``: further QuTiP configurations timed once each (``peer_alternatives``), to show
    that QuTiP's default (Adams at 1e-8 / 1e-6) or BDF is not faster at the accuracy reached.
    """
    import qutip

    fock, rho0 = _sps000_setup(rwa, cutoffs)
    times = np.linspace(0, duration, 23)
    stored = {"truncation_tolerance": SPS_TRUNCATION, "store_states": True}
    reference = [mesolve(fock, rho0, times, options={**SPS_REFERENCE, **stored}).states]
    h, c_ops = to_qutip(fock)
    q_rho = state_to_qutip(fock, rho0)

    def peer(options=SPS_PEER):
        result = qutip.mesolve(h, q_rho, times, c_ops, options={**options, "progress_bar": False, "store_states": True})
        return [np.array([state.full() for state in result.states])]

    row = _entry(f"sps000 {'RWA' if rwa else 'full'} model gate evolution {cutoffs}, 0-{duration * 1e6:.3g} us",
                 lambda: [mesolve(fock, rho0, times, options={**SPS_OURS, **stored}).states],
                 f"qutip.mesolve {SPS_PEER}", peer, 1, _errors(reference), dimension=fock.dimension)
    row["peer_alternatives"] = []
    for options in alternatives:
        start = time.perf_counter()
        value = peer(options)
        row["peer_alternatives"].append({"options": options, "peer_s": time.perf_counter() - start,
                                         "error_peer": _error(value, reference)})
    return row


def sps000_two_time_row(rwa: bool, cutoffs: dict[str, int], n_points: int) -> dict:
    """G1 and G2 over the source's gate on an ``n_points x n_points`` grid from the state at ``tl`` (validation)."""
    import qutip

    from qderive.derivations.sps000.model import DEFAULTS, PHOTON
    from qderive.derivations.sps000.validation import OPTIONS, _at_gate_start

    fock, rho0 = _sps000_setup(rwa, cutoffs)
    rho_tl = _at_gate_start(fock, rho0, DEFAULTS["tl"], {**OPTIONS, "truncation_tolerance": SPS_TRUNCATION})
    grid = np.linspace(0, DEFAULTS["tu"] - DEFAULTS["tl"], n_points)
    a = fock.operator(PHOTON.a)
    ad = a.conj().T.tocsr()
    h, c_ops = to_qutip(fock)
    q_rho = state_to_qutip(fock, rho_tl)

    def q(matrix):
        return state_to_qutip(fock, matrix.toarray())

    def ours(options=SPS_OURS):
        options = {**options, "truncation_tolerance": SPS_TRUNCATION}
        return (two_time_correlation(fock, rho_tl, grid, grid, ad, a, options=options),
                two_time_correlation(fock, rho_tl, grid, grid, ad, ad @ a, a, options=options))

    q_opts = {key: SPS_PEER[key] for key in ("atol", "rtol", "nsteps")}

    def peer():
        return (qutip.correlation_2op_2t(h, q_rho, grid, grid, c_ops, q(ad), q(a), options=q_opts),
                qutip.correlation_3op_2t(h, q_rho, grid, grid, c_ops, q(ad), q(ad @ a), q(a), options=q_opts))

    return _entry(f"sps000 {'RWA' if rwa else 'full'} model two-time grid {cutoffs}, {n_points}x{n_points} (G1, G2)",
                  ours, f"qutip.correlation_2op_2t + correlation_3op_2t {q_opts}", peer, 1,
                  _errors(list(ours(SPS_REFERENCE))), dimension=fock.dimension)


def sps000_rows(quick: bool) -> list[dict]:
    """Gate evolution and two-time grid of both sps000 models (full as stated, and RWA)."""
    if quick:
        small = {"a": 2, "b": 3, "c": 2}
        return [sps000_gate_row(False, small, 2e-6), sps000_gate_row(True, small, 2e-6),
                sps000_two_time_row(False, small, 3), sps000_two_time_row(True, small, 3)]
    medium, large = {"a": 3, "b": 5, "c": 3}, {"a": 4, "b": 6, "c": 4}
    alternatives = ({"method": "adams", "atol": 1e-8, "rtol": 1e-6, "nsteps": 10**6},
                    {"method": "bdf", "atol": 1e-12, "rtol": 1e-10, "nsteps": 10**6})
    return [sps000_gate_row(False, medium, alternatives=alternatives), sps000_gate_row(False, large),
            sps000_gate_row(True, medium), sps000_two_time_row(False, medium, 9), sps000_two_time_row(True, medium, 9)]


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


LASER = {"g": 1.0, "kappa": 0.5, "gamma": 0.05, "P": 3.0}
CHAIN = {"Delta": 0.5, "U": 0.2, "J": 0.8, "E": 0.6, "kappa": 1.0}
CHAIN_CUTOFF = 17  # d = 17^3 = 4913
# QuTiP 5 configurations tried for the laser (steadystate(H, c_ops, **options)); the fastest is the peer
QUTIP_STEADY = {"default (direct, spsolve)": {}, "direct, spsolve, use_rcm": {"use_rcm": True},
                "direct, lgmres + ILU, use_rcm": {"solver": "lgmres", "use_precond": True, "use_rcm": True,
                                                  "atol": 1e-12, "rtol": 1e-12},
                "power, spsolve, use_rcm": {"method": "power", "use_rcm": True}}


def kerr_chain() -> Model:
    """Three Kerr cavities in a chain with hopping ``J``, the first driven: no excitation number is conserved.

    ``H = sum_m (Delta m^+ m + U m^+ m^+ m m) + J (a^+ b + b^+ c + h.c.) + E (a + a^+)``, ``kappa D[m]`` each.
    """
    p = declare([("Delta", "detuning", "rad/s", "real"), ("U", "Kerr shift", "rad/s", "real"),
                 ("J", "hopping", "rad/s", "real"), ("E", "drive", "rad/s", "real"), ("kappa", "decay", "rad/s")])
    delta, kerr, hop, drive, kappa = (q.symbol for q in p.values())
    modes = tuple(BosonMode(name) for name in "abc")
    a, b, c = (m.a for m in modes)
    h = sum(delta * m.a.dag() * m.a + kerr * m.a.dag() * m.a.dag() * m.a * m.a for m in modes)
    h = h + hop * (a.dag() * b + b.dag() * a + b.dag() * c + c.dag() * b) + drive * (a + a.dag())
    return Model("kerr_chain", modes, h, tuple(Dissipator(kappa, m.a, f"kappa_{m.name}") for m in modes), p)


def _steady_model(name: str, cutoff: int):
    if name == "laser":
        return fock_model(pumped_jaynes_cummings(), LASER, {"a": cutoff})
    return fock_model(kerr_chain(), CHAIN, dict.fromkeys("abc", cutoff))


def steady_child(spec: dict) -> None:
    """Run one steady-state solve in this (fresh) process; print time, peak RSS and the residual as JSON.

    ``spec``: ``model`` ("laser" or "chain"), ``cutoff``, ``side`` ("ours" or "qutip"), ``options``
    and ``out`` (file for the state, written to a temporary name and renamed).
    """
    import qutip

    fock = _steady_model(spec["model"], spec["cutoff"])
    report = {}
    if spec["side"] == "ours":
        # load the compiled kernels outside the timing
        steady_state_solution(_steady_model(spec["model"], 3), **{**spec["options"], "truncation_tolerance": 0.5})
        start = time.perf_counter()
        solution = steady_state_solution(fock, **spec["options"])
        seconds = time.perf_counter() - start
        rho = solution.rho
        report = {"residual": solution.residual, "method": solution.method, "products": solution.products,
                  "unknowns": solution.unknowns}
    else:
        h, c_ops = to_qutip(fock)
        start = time.perf_counter()
        rho = qutip.steadystate(h, c_ops, **spec["options"]).full()
        seconds = time.perf_counter() - start
    directory = os.path.dirname(spec["out"])
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".npy", delete=False) as handle:
        np.save(handle, rho)
    os.replace(handle.name, spec["out"])
    print(json.dumps({"seconds": seconds, "peak_bytes": _peak_resident_bytes(), **report}))


def _peak_resident_bytes() -> int:
    """Peak resident memory of this process since its ``exec`` (``VmHWM``; ``ru_maxrss`` on Linux also counts
    the parent's pages at ``fork``)."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _fresh(spec: dict, directory: str) -> tuple[dict, np.ndarray]:
    """``steady_child(spec)`` in a new Python process (its own peak memory); its report and state."""
    path = os.path.join(directory, f"rho_{spec['side']}_{abs(hash(json.dumps(spec, sort_keys=True)))}.npy")
    code = ("import json, sys; from qderive.bench.numeric_bench import steady_child; "
            "steady_child(json.loads(sys.argv[1]))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps({**spec, "out": path})], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), np.load(path)


def _residual(generator, size: float, rho: np.ndarray) -> float:
    """``||L vec(rho)||_1 / ||L||_1`` for ``Tr rho = 1``."""
    return float(np.abs(generator @ (rho / np.trace(rho)).reshape(-1, order="F")).sum() / size)


def steady_state_rows(quick: bool) -> list[dict]:
    """Steady states against ``qutip.steadystate``; the full rows run every solve in a fresh process (peak RSS).

    Laser (pumped Jaynes-Cummings, d = 2000): every configuration in ``QUTIP_STEADY`` is timed and the
    fastest is the peer. Three-mode Kerr chain (d = 4913, no conserved excitation number): ours only
    (matrix-free GMRES to residual 1e-10); QuTiP's needs are estimated from its Liouvillian's stored
    entries (its CSR: 16-byte values and 8-byte indices, built through ~3 copies) and the LU fill
    bound (envelope of the banded Liouvillian; SuperLU's COLAMD order fills comparably on this lattice).
    """
    if quick:
        laser = _steady_model("laser", 100)
        h_l, c_l = to_qutip(laser)
        generator = liouvillian(laser.hamiltonian, laser.jump_operators)
        size = spla.norm(generator, 1)

        def agree(ours, peer):
            return {"residual_ours": _residual(generator, size, ours), "residual_peer": _residual(generator, size,
                                                                                                   peer.full()),
                    "relative_difference": _relative_difference(ours, peer.full())}

        import qutip

        return [_entry(f"steady state, laser dimension {laser.dimension}", lambda: steady_state(laser),
                       "qutip.steadystate (default)", lambda: qutip.steadystate(h_l, c_l), 1, agree,
                       dimension=laser.dimension)]
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        laser = _steady_model("laser", 1000)
        generator = liouvillian(laser.hamiltonian, laser.jump_operators)
        size = spla.norm(generator, 1)
        base = {"model": "laser", "cutoff": 1000}
        ours, rho = _fresh({**base, "side": "ours", "options": {}}, directory)
        peers = {}
        for label, options in QUTIP_STEADY.items():
            report, peer_rho = _fresh({**base, "side": "qutip", "options": options}, directory)
            peers[label] = {**report, "residual": _residual(generator, size, peer_rho),
                            "relative_difference": _relative_difference(rho, peer_rho)}
        best = min(peers, key=lambda label: peers[label]["seconds"])
        rows.append({"name": f"steady state, laser dimension {laser.dimension} (fresh processes)",
                     "ours_s": ours["seconds"], "peer": f"qutip.steadystate, {best}", "peer_s": peers[best]["seconds"],
                     "ratio": peers[best]["seconds"] / ours["seconds"], "target": ">= 8",
                     "ours_peak_bytes": ours["peak_bytes"], "peer_peak_bytes": peers[best]["peak_bytes"],
                     "residual_ours": _residual(generator, size, rho), "residual_peer": peers[best]["residual"],
                     "relative_difference": peers[best]["relative_difference"], "ours_method": ours["method"],
                     "peers": peers, "dimension": laser.dimension})
        chain = {"model": "chain", "cutoff": CHAIN_CUTOFF, "side": "ours",
                 "options": {"method": "iterative", "tolerance": 1e-10, "preconditioner": "excitation",
                             "check_uniqueness": False}}
        ours, rho = _fresh(chain, directory)
        rows.append({"name": f"steady state, three Kerr cavities {CHAIN_CUTOFF}^3 = {CHAIN_CUTOFF**3} (GMRES with the "
                             "excitation-block preconditioner, 1e-10, fresh process)", "ours_s": ours["seconds"],
                     "peer": "qutip.steadystate (estimated)",
                     "peer_s": None, "ratio": None, "target": "<= 600 s, <= 12 GB, residual <= 1e-10",
                     "ours_peak_bytes": ours["peak_bytes"], "residual_ours": ours["residual"],
                     "products": ours["products"], **_qutip_needs(_steady_model("chain", CHAIN_CUTOFF)),
                     "dimension": CHAIN_CUTOFF**3})
    return rows


def _qutip_needs(fock) -> dict:
    """What ``qutip.steadystate`` (direct) would hold for this model: its Liouvillian and the LU fill bound."""
    from qderive.numeric.liouville_block import LindbladPattern, population_block
    from qderive.numeric.steady_state import SPARSE_ENTRY_BYTES

    pattern = LindbladPattern.of(fock)
    block = population_block(pattern)
    d = fock.dimension
    entries = 2 * d * pattern.k.nnz + sum(j.nnz**2 for j in pattern.jumps)  # upper bound on nnz(L)
    return {"peer_liouvillian_entries": entries, "peer_liouvillian_bytes": 3 * 24 * entries,
            "peer_lu_fill_entries": block.envelope, "peer_lu_bytes": SPARSE_ENTRY_BYTES * block.envelope,
            "peer_unknowns": d * d}


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


def _single(row: Callable[[bool], dict]) -> Callable[[bool], list[dict]]:
    """A one-row function as a group of rows."""
    return lambda quick: [row(quick)]


#: Every group of rows, by the key that ``--row`` and :func:`run` take, in the order of the report.
ROWS: dict[str, Callable[[bool], list[dict]]] = {
    "driven_qubit": _single(_driven_qubit_row),
    "engine004": _single(_engine_row),
    "engine004_batch": _single(_engine_batch_row),
    "sps000": sps000_rows,
    "steady_state": steady_state_rows,
    "harmonic_balance": _single(_harmonic_balance_row),
}
SMALL_MODEL_LOADED_TARGET = 10.0  # the small-model rows stay at least this many times faster than QuTiP under load


def run(quick: bool = False, loaded: bool = False, processes: int = 4, rows: Sequence[str] | None = None,
        progress: Progress | None = None) -> dict:
    """Time every benchmark (or the rows named in ``rows``); ``quick`` shrinks sizes so that the whole run takes
    seconds.

    With ``loaded`` each row runs once quietly and in ``processes`` fresh processes while every core is
    kept busy (:func:`~qderive.bench.timing.loaded_rows`); the small-model rows also report whether their
    worst loaded ratio reaches ``SMALL_MODEL_LOADED_TARGET`` (``target_met``). ``progress`` announces
    each row as it starts.
    """
    keys = list(ROWS) if rows is None else list(rows)
    unknown = [key for key in keys if key not in ROWS]
    if unknown:
        raise QderiveError(f"unknown numeric benchmark row(s) {unknown}; known: {', '.join(ROWS)}")
    progress = progress or Progress("bench numeric", enabled=False)
    out = []
    for key in keys:
        progress.stage(key)
        out += ROWS[key](quick) if not loaded else loaded_rows("numeric_bench", [key], quick, processes)
    if not loaded:
        return {"benchmarks": out}
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
