"""Numeric benchmarks: qderive.numeric against QuTiP 5, side by side in one run, same tolerances.

``run(quick)`` returns ``{"benchmarks": [{"name", "ours_s", "peer", "peer_s", "ratio", ...}]}`` with
``ratio = peer_s / ours_s``; every timing is the best of several repeats after one warm-up call (the
warm-up time, which includes Numba compilation, is reported as ``ours_first_s``).
Run as ``python -m qderive.bench.numeric_bench --json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np
import scipy.sparse.linalg as spla

from qderive.bench.timing import command_line
from qderive.derivations.engine004.model import DEFAULTS as ENGINE_DEFAULTS
from qderive.derivations.engine004.model import PARAMETERS as ENGINE_PARAMETERS
from qderive.derivations.engine004.model import engine_model, numeric_values
from qderive.derivations.sps000.model import FIG3, full_model
from qderive.derivations.sps000.protocol import GATE, sps000_cooled_state
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
from qderive.symbolic import BosonMode, Dissipator, Model, ParameterSet, declare
from qderive.symbolic.library import TWO_TONE_VALUES, driven_qubit, pumped_jaynes_cummings, two_tone_three_level

QUTIP_OPTIONS = {"atol": 1e-8, "rtol": 1e-6, "progress_bar": False, "store_states": False}
OURS_OPTIONS = {"atol": 1e-8, "rtol": 1e-6}


def _best(function: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Time of the first call, best time of ``repeats`` further calls, and the last result."""
    start = time.perf_counter()
    value = function()
    first = time.perf_counter() - start
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - start)
    return first, best, value


def _relative_difference(ours: object, peer: object) -> float:
    """``max |ours - peer| / max |peer|`` over arrays of the same shape."""
    ours, peer = np.asarray(ours), np.asarray(peer)
    return float(np.abs(ours - peer).max() / np.abs(peer).max())


def _entry(name: str, ours: Callable, peer_name: str, peer: Callable, repeats: int,
           agreement: Callable[[object, object], dict] | None = None, **extra: object) -> dict:
    """One row; ``agreement(ours_value, peer_value)`` adds how closely the two results agree."""
    first, ours_s, ours_value = _best(ours, repeats)
    _, peer_s, peer_value = _best(peer, repeats)
    compared = agreement(ours_value, peer_value) if agreement else {}
    return {"name": name, "ours_s": ours_s, "ours_first_s": first, "peer": peer_name, "peer_s": peer_s,
            "ratio": peer_s / ours_s, **compared, **extra}


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
                 "options": {"method": "iterative", "tolerance": 1e-10, "preconditioner": "triangular-no-energies",
                             "check_uniqueness": False}}
        ours, rho = _fresh(chain, directory)
        rows.append({"name": f"steady state, three Kerr cavities {CHAIN_CUTOFF}^3 = {CHAIN_CUTOFF**3} (GMRES, "
                             "1e-10, fresh process)", "ours_s": ours["seconds"],
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


def run(quick: bool = False) -> dict:
    """Time every benchmark; ``quick`` shrinks sizes so that the whole run takes seconds."""
    import qutip

    repeats = 1 if quick else 3
    small_repeats = 5 if quick else 300  # sub-millisecond runs: best of many, both sides alike
    out = []
    qubit = fock_model(driven_qubit(), {"Delta": 0.3, "Omega": 1.0, "gamma": 0.2})
    e = driven_qubit().subsystems[0].projector("e")
    out.append(_evolution(qubit, np.diag([1.0, 0.0]), np.linspace(0, 20, 101), [e], small_repeats,
                          "driven qubit evolution"))
    engine = engine_model()
    engine_point = ParameterSet(tuple(ENGINE_PARAMETERS.values()),
                                {**ENGINE_DEFAULTS, "g": 2 * np.pi * 40e3, "pR": 0.98})
    left, right = engine.subsystems
    ops = [left.projector("e"), left.sigma("e", "g") * right.sigma("g", "e")]
    rho0 = np.diag([0.1, 0.2, 0.3, 0.4]).astype(complex)
    times = np.linspace(0, 20e-6, 101)
    engine_fock = fock_model(engine, numeric_values(engine_point))
    out.append(_evolution(engine_fock, rho0, times, ops, small_repeats, "engine004 evolution"))
    n_batch = 50 if quick else 1000
    rng = np.random.default_rng(0)
    batch = [numeric_values(engine_point.replace(g=engine_point["g"] * x, pR=0.97 + 0.03 * y))
             for x, y in rng.random((n_batch, 2))]
    focks = [fock_model(engine, v) for v in batch]
    qobjs = [to_qutip(f) for f in focks]
    q_ops = [state_to_qutip(focks[0], focks[0].operator(o).toarray()) for o in ops]
    q_rho = state_to_qutip(focks[0], rho0)
    out.append(_entry(f"engine004 batch of {n_batch}", lambda: mesolve_batch(engine, batch, rho0, times, ops),
                      "loop of qutip.mesolve",
                      lambda: [qutip.mesolve(h, q_rho, times, c, e_ops=q_ops, options=QUTIP_OPTIONS) for h, c in qobjs],
                      1, lambda o, p: {"relative_difference": _relative_difference(o, [r.expect for r in p])}))
    # sps000 at cutoffs whose top Fock levels stay below 1e-4 over the gate (checked on our side)
    cutoffs = {"a": 2, "b": 3, "c": 3} if quick else {"a": 4, "b": 6, "c": 4}
    tolerance = 5e-2 if quick else 1e-4
    sps = fock_model(full_model(), dict(FIG3), cutoffs)
    d = sps.dimension
    rho_sps = sps000_cooled_state(dict(FIG3), cutoffs, tolerance)
    n = full_model().subsystem("a").adag * full_model().subsystem("a").a
    gate = GATE if not quick else (1e-6, 2e-6)
    sps_options = {**OURS_OPTIONS, "truncation_tolerance": tolerance, "method": "adams"}
    h, c_ops = to_qutip(sps)
    q_n = state_to_qutip(sps, sps.operator(n).toarray())
    t_grid = np.linspace(0, gate[1], 23)
    out.append(_entry("sps000 evolution over the gate",
                      lambda: mesolve(sps, rho_sps, t_grid, e_ops=[n], options=sps_options), "qutip.mesolve",
                      lambda: qutip.mesolve(h, state_to_qutip(sps, rho_sps), t_grid, c_ops, e_ops=[q_n],
                                            options=QUTIP_OPTIONS), 1, _same_expectations, dimension=d))
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

    out.append(_entry(f"sps000 two-time grid {len(grid)}x{len(grid)} (G1 and G2)", ours_corr,
                      "qutip.correlation_2op_2t + correlation_3op_2t", peer_corr, 1, same_correlations, dimension=d))
    out.append(sps000_validation_row(quick))
    out.extend(steady_state_rows(quick))
    v = TWO_TONE_VALUES
    tones = fock_model(two_tone_three_level(), v)
    t_long = np.linspace(0, 600.0, 6001)
    h_t, c_t = to_qutip(tones)
    out.append(_entry("two-tone harmonic balance, 5 harmonics each (3-level)",
                      lambda: harmonic_balance(fourier_moment_equations(tones, [v["mu_d"], v["mu_s"]]), 5),
                      "qutip.mesolve to t=600 (long-time average; QuTiP 5 has no multi-tone steady state)",
                      lambda: qutip.mesolve(h_t, qutip.fock_dm(3, 0), t_long, c_t, e_ops=[qutip.fock_dm(3, 2)],
                                            options=QUTIP_OPTIONS), repeats))
    return {"benchmarks": out}


def main(argv: list[str] | None = None) -> None:
    """Command line; see :func:`~qderive.bench.timing.command_line`."""
    command_line(run, __doc__, argv)


if __name__ == "__main__":
    main()
