"""Symbolic benchmarks: our operator algebra against ``sympy.physics.quantum`` on the same derivation.

1. Heisenberg equations ``dX/dt = -i[X, H]`` of ``s-, a, b, c`` for the full sps000 Hamiltonian
   (spin + three modes, no RWA). Peer: ``Commutator`` products expanded, ``normal_ordered_form``
   and ``qsimplify_pauli``. The peer does not know that operators of different subsystems
   commute, so its result keeps uncancelled terms; the row reports both term counts.
2. The 81-entry drift tensor of a driven, decaying, dephased three-level lambda system. Peer:
   ``OuterProduct`` transition operators reduced by ``qapply``, inner products ``<m|k>`` and the
   powers ``(|m><k|)^p`` it leaves reduced by hand; the test suite checks that both give the same 81 entries.

Run: ``qderive bench symbolic --json`` or ``python -m qderive.bench.symbolic_bench --json``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import sympy as sp
from sympy.core.cache import clear_cache

from qderive.derivations.sps000.model import full_model
from qderive.symbolic import (
    Dissipator,
    Model,
    NLevelSystem,
    coefficient_tensors,
    commutator,
    declare,
    equations_of_motion,
)

from .timing import best_time, command_line, record


def _sps000_ours() -> dict[str, Any]:
    model = full_model()
    spin, photon, phonon, cooling = model.subsystems
    targets = [spin.sigma("d", "e"), photon.a, phonon.a, cooling.a]
    return {str(x): (-sp.I * commutator(x, model.hamiltonian)).expand() for x in targets}


def _sps000_peer() -> dict[str, Any]:
    from sympy.physics.quantum import Dagger
    from sympy.physics.quantum.boson import BosonOp
    from sympy.physics.quantum.operatorordering import normal_ordered_form
    from sympy.physics.quantum.pauli import SigmaMinus, SigmaPlus, qsimplify_pauli

    P = {name: p.symbol for name, p in full_model().parameters.items()}
    a, b, c = BosonOp("a"), BosonOp("b"), BosonOp("c")
    s_minus, s_plus = SigmaMinus("s"), SigmaPlus("s")
    coupling = (P["lam"] * s_minus + P["g_sp"] * a + P["g_c"] * c) * (b + Dagger(b))
    H = P["w_q"] * (s_plus * s_minus + Dagger(a) * a) + P["w_m"] * (Dagger(b) * b + Dagger(c) * c) \
        + coupling + Dagger(coupling)
    out = {}
    for x in (s_minus, a, b, c):
        expr = normal_ordered_form(sp.expand(-sp.I * (x * H - H * x)), independent=True)
        out[str(x)] = sp.expand(qsimplify_pauli(sp.expand(expr)))
    return out


def _lambda_system() -> tuple[Model, NLevelSystem]:
    P = declare([("Omega1", "Rabi 1", "rad/s"), ("Omega2", "Rabi 2", "rad/s"), ("Delta", "detuning", "rad/s", "real"),
                 ("delta", "two-photon detuning", "rad/s", "real"), ("Gamma1", "decay 1", "rad/s"),
                 ("Gamma2", "decay 2", "rad/s"), ("gamma_phi", "dephasing", "rad/s")])
    O1, O2, D, d, G1, G2, gp = (p.symbol for p in P.values())
    s = NLevelSystem("s", (1, 2, "e"))
    H = -D * s.sigma("e", "e") - d * s.sigma(2, 2) + O1 / 2 * (s.sigma("e", 1) + s.sigma(1, "e")) \
        + O2 / 2 * (s.sigma("e", 2) + s.sigma(2, "e"))
    jumps = (Dissipator(G1, s.sigma(1, "e"), "G1"), Dissipator(G2, s.sigma(2, "e"), "G2"),
             Dissipator(gp, s.sigma("e", "e"), "phi"))
    return Model("lambda", (s,), H, jumps, P), s


def _tensor_ours() -> sp.Array:
    model, system = _lambda_system()
    return coefficient_tensors(model, system).drift


def _tensor_peer() -> list:
    from sympy.physics.quantum import Bra, InnerProduct, Ket, OuterProduct, qapply

    model, system = _lambda_system()
    n = system.dimension

    def to_outer(op):  # our operator -> sum of OuterProducts (input data only)
        return sp.Add(*(c * OuterProduct(Ket(m[0][1][0]), Bra(m[0][1][1])) for m, c in op.terms.items()))

    H = to_outer(model.hamiltonian)
    jumps = [(d.rate, to_outer(d.operator), to_outer(d.operator.dag())) for d in model.dissipators]
    entries = []
    for i in range(n):
        for j in range(n):
            s = OuterProduct(Ket(i), Bra(j))
            rhs = sp.I * (H * s - s * H)
            for rate, L, Ld in jumps:
                rhs += rate * (Ld * s * L - (Ld * L * s + s * Ld * L) / 2)
            reduced = qapply(sp.expand(rhs)).replace(  # orthonormal levels: <m|k> = delta_mk
                InnerProduct, lambda bra, ket: sp.KroneckerDelta(bra.label[0], ket.label[0]))
            reduced = reduced.replace(  # qapply leaves (|m><k|)^p unreduced: it is delta_mk^(p-1) |m><k|
                lambda e: e.is_Pow and isinstance(e.base, OuterProduct),
                lambda e: sp.KroneckerDelta(e.base.ket.label[0], e.base.bra.label[0]) ** (e.exp - 1) * e.base)
            reduced = sp.expand(reduced)
            entries.append([reduced.coeff(OuterProduct(Ket(m), Bra(k))) for m in range(n) for k in range(n)])
    return entries


def run(quick: bool = False) -> dict[str, Any]:
    """Each derivation timed best-of-N with SymPy's cache cleared before every call (cold algebra)."""
    repeats = 2 if quick else 5
    timed = partial(best_time, setup=clear_cache)
    ours_eqs, peer_eqs = _sps000_ours(), _sps000_peer()
    ours_terms = sum(len(v) for v in ours_eqs.values())
    peer_terms = sum(len(sp.Add.make_args(v)) for v in peer_eqs.values())
    full = full_model()
    rows = [
        record("sps000 Heisenberg equations -i[X,H], X = s-, a, b, c", timed(_sps000_ours, repeats),
               "sympy.physics.quantum", timed(_sps000_peer, repeats),
               notes=f"ours {ours_terms} canonical terms; peer {peer_terms} terms (does not cancel products of "
                     "commuting subsystems)"),
        record("sps000 all first-order Langevin equations (7 operators, with noise)",
               timed(lambda: equations_of_motion(full), repeats), "none (peer has no Langevin equations)", None),
        record("three-level lambda drift tensor (81 entries)", timed(_tensor_ours, repeats),
               "sympy.physics.quantum OuterProduct + qapply", timed(_tensor_peer, 1 if quick else 3)),
    ]
    return {"benchmarks": rows}


if __name__ == "__main__":
    command_line(run, __doc__)
