"""Benchmark: one 40 x 40 map of transducer001's P_coh (dephasing rates), ours against QuTiP, side by side.

Ours: compiled rate evaluators and tensor filler, then one small-signal harmonic-balance solve per point
(:func:`qderive.derivations.transducer001.sweeps.metric_grid`). QuTiP: what a QuTiP user would write for
the same reduced model — the rotating frame in which only the far off-resonant ``|0>-|2>`` pump term
(at ``mu_s ~ 2 pi 10 GHz``) stays time dependent, that term dropped (rotating-wave approximation; it
only feeds the dark counts), a weak finite signal, and ``qutip.steadystate`` per point;
``P_coh = gamma20_e |<sigma_02>|^2 / |alpha_s|^2``. ``steadystate_fourier`` does not apply: it needs a
Hermitian ``O cos(w t)`` term, and the pump term is ``O e^{i w t} + h.c.``.

``run(quick)`` returns ``{"benchmarks": [{"name", "ours_s", "peer", "peer_s", "ratio", "max_rel_difference"}]}``.
"""

from __future__ import annotations

import time

import numpy as np

from qderive.bench.timing import command_line
from qderive.derivations.registry import Registry
from qderive.derivations.transducer001 import conversion
from qderive.derivations.transducer001.sweeps import metric_grid

SIGNAL_FLUX = 1e2  # photons/s: saturation ~1e-5, far below the difference between the two models


def _qutip_map(derivation, gamma1, gamma2) -> np.ndarray:
    import qutip

    out = np.empty((len(gamma1), len(gamma2)))
    p = derivation.parameters
    basis = [qutip.basis(3, k) for k in range(3)]
    s = {(i, j): basis[i] * basis[j].dag() for i in range(3) for j in range(3)}
    alpha_s = np.sqrt(SIGNAL_FLUX)
    for i, g1 in enumerate(gamma1):
        for j, g2 in enumerate(gamma2):
            point = conversion.operating_point(derivation, {"gamma1_phi": g1, "gamma2_phi": g2})
            r = point.rates
            H = ((p["dw10"] + r["delta1"] - p["dmu_s"]) * s[1, 1] + (p["dw20"] + r["delta2"] - p["dmu_s"]) * s[2, 2]
                 + np.sqrt(r["gamma10_e"]) * alpha_s * (s[1, 0] + s[0, 1])
                 + np.sqrt(r["gamma21_e"]) * point.alpha_d * (s[2, 1] + s[1, 2]))
            c_ops = [np.sqrt(r["gamma10_i"] + r["gamma10_e"]) * s[0, 1],
                     np.sqrt(r["gamma20_i"] + r["gamma20_e"]) * s[0, 2],
                     np.sqrt(r["gamma21_i"] + r["gamma21_e"]) * s[1, 2], np.sqrt(2 * g1) * s[1, 1],
                     np.sqrt(2 * g2) * s[2, 2]]
            rho = qutip.steadystate(H, c_ops)
            out[i, j] = r["gamma20_e"] * abs(qutip.expect(s[0, 2], rho)) ** 2 / SIGNAL_FLUX
    return out


def run(quick: bool = False) -> dict:
    """Time the map both ways (``quick``: 6 x 6 instead of 40 x 40)."""
    system = Registry.discover().get("transducer001")
    derivation = system.derive(system.parameter_set())
    n = 6 if quick else 40
    gamma1 = 2 * np.pi * np.geomspace(1e4, 1e7, n)
    gamma2 = 2 * np.pi * np.geomspace(1e5, 1e8, n)
    conversion.figures_of_merit(conversion.operating_point(derivation))  # kernels loaded before timing
    start = time.perf_counter()
    ours = metric_grid(derivation, {"gamma1_phi": gamma1, "gamma2_phi": gamma2})["P_coh"].values
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    peer = _qutip_map(derivation, gamma1, gamma2)
    peer_s = time.perf_counter() - start
    difference = float(np.max(np.abs(ours - peer) / np.abs(peer)))
    return {"benchmarks": [{"name": f"transducer001 P_coh map {n}x{n} (dephasing)", "ours_s": ours_s,
                            "peer": "qutip.steadystate (RWA rotating frame)", "peer_s": peer_s,
                            "ratio": peer_s / ours_s, "max_rel_difference": difference}]}


def main(argv: list[str] | None = None) -> None:
    """Command line; see :func:`~qderive.bench.timing.command_line`."""
    command_line(run, __doc__, argv)


if __name__ == "__main__":
    main()
