r"""vbg003: selection rules, radiative orders, bright supermodes and conversion, derived stage by stage.

1. The nonlinear polarisation ``P_i = d_ijk E_j e_k`` of the WGM field ``r_hat e^{i s m phi}``
   (``s = +1`` CW, ``-1`` CCW) and the in-plane pump polarisation ``e_p = cos(alpha) r_hat +
   sin(alpha) phi_hat``, contracted with the 3m tensor of z-cut LiNbO3 and projected on circular
   components: the in-plane part carries the harmonics ``s m +- offset`` (the offset is derived).
2. The pump comb ``sum_k delta(phi - phi_k)`` and the overlap with an output ``e^{i l phi}``: the
   site sum keeps ``l = s m +- offset + q N`` for integer ``q`` (the selection rule).
3. The radiative window ``|l| < n_out k_out R`` picks the dominant order per direction.
4. Bright supermode ``B = (g_R c_R + g_L c_L) / G`` (commutators proved symbolically), the
   beam-splitter Hamiltonian ``G (A^+ B + h.c.)`` and its solution ``eta = sin^2(G t)``.
5. Far-field interference: the CW and CCW channels of one circular polarisation differ in ``l`` by
   ``2 (m - N)`` for the dominant orders, which sets the number of azimuthal lobes.
6. Write-in (SFG): the same comb and tensor with an x-polarised fibre mode, projected on the WGM.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp

from qderive.symbolic import BosonMode, Model, ParameterSet, bright_dark_modes, declare
from qderive.symbolic import heisenberg_langevin as langevin
from qderive.symbolic.reproducible import reproducible
from qderive.symbolic.selection_rules import (
    PHI,
    angular_harmonics,
    circular_components,
    d_tensor_3m,
    nonlinear_polarisation,
    site_sum,
)

from ..contract import Condition, Derivation, Discrepancy, Quantity, Step, SymbolicCache, closed_form
from .model import PARAMETERS, SYM

TITLE = "pump-written virtual Bragg grating: selection rules, bright supermodes, conversion"
DIRECTIONS = {"cw": 1, "ccw": -1}
POLARISATIONS = {"rhcp": "+", "lhcp": "-"}
WINDOW_LIMIT = 0.7  # k R / |l_next|: on the m = 21 table the far-field error is <= 2e-4 up to 0.62 and 2 % at 0.72
d22, d31, d33 = sp.symbols("d_22 d_31 d_33", real=True)
q = sp.Symbol("q", integer=True)
l_out = sp.Symbol("l", integer=True)
R_HAT = sp.Matrix([sp.cos(PHI), sp.sin(PHI), 0])
PHI_HAT = sp.Matrix([-sp.sin(PHI), sp.cos(PHI), 0])


def pump_polarisation() -> sp.Matrix:
    """``cos(alpha) r_hat + sin(alpha) phi_hat`` with ``alpha = pump_pol``.

    Examples
    --------
    >>> from qderive.derivations.vbg003.model import SYM
    >>> pump_polarisation().subs(SYM["pump_pol"], sp.pi / 2) == PHI_HAT  # pump_pol = phi: azimuthal
    True
    """
    alpha = SYM["pump_pol"]
    return sp.cos(alpha) * R_HAT + sp.sin(alpha) * PHI_HAT


def readout_harmonics() -> dict[str, dict[str, dict[sp.Expr, sp.Expr]]]:
    """``{direction: {component: {n: amplitude}}}`` of the DFG polarisation's circular and z components.

    Examples
    --------
    >>> h = readout_harmonics()
    >>> sorted(h), sorted(h["cw"])
    (['ccw', 'cw'], ['+', '-', 'z'])
    >>> list(h["cw"]["+"])  # the RHCP component of the CW polarisation carries m + 2
    [m + 2]
    """
    tensor = d_tensor_3m(d22, d31, d33)
    out = {}
    for direction, s in DIRECTIONS.items():
        field = R_HAT * sp.exp(sp.I * s * SYM["m"] * PHI)
        polarisation = nonlinear_polarisation(tensor, field, pump_polarisation())
        out[direction] = {c: angular_harmonics(v) for c, v in circular_components(polarisation).items()}
    return out


def derived_offset(harmonics: dict[str, dict[str, dict[sp.Expr, sp.Expr]]]) -> sp.Expr:
    """The shift ``n - s m`` of the RHCP harmonic, checked to be the same for both directions and opposite for LHCP.

    Examples
    --------
    >>> derived_offset(readout_harmonics())  # the 3m tensor and an in-plane pump shift the OAM by 2
    2
    """
    m = SYM["m"]
    shifts = set()
    for direction, s in DIRECTIONS.items():
        for component, sign in (("+", 1), ("-", -1)):
            (n,) = harmonics[direction][component]
            shifts.add(sp.simplify(sign * (n - s * m)))
    (offset,) = shifts
    return offset


def selection_rules(offset: sp.Expr) -> dict[str, sp.Expr]:
    """``l`` per channel from the site sum: ``sum_k e^{i (n - l) phi_k} != 0  <=>  l = n + q N``.

    Examples
    --------
    >>> rules = selection_rules(sp.Integer(2))
    >>> rules["cw_rhcp"], rules["ccw_lhcp"]
    (N*q + m + 2, N*q - m - 2)
    """
    m, N = SYM["m"], SYM["N"]
    rules = {}
    for direction, s in DIRECTIONS.items():
        for name, component in POLARISATIONS.items():
            n = s * m + (offset if component == "+" else -offset)
            survives = site_sum(n - l_out, N)  # N * KroneckerDelta(Mod(n - l, N), 0)
            assert survives.subs(l_out, n + 7 * N).simplify() == N  # one order checked symbolically
            rules[f"{direction}_{name}"] = n + q * N
    return rules


def bright_mode_solution() -> dict[str, Any]:
    """Bright supermode of the two circular channels, its algebra, and the beam-splitter conversion.

    Examples
    --------
    >>> solution = bright_mode_solution()
    >>> G, t = solution["G_symbol"], solution["tau"]
    >>> solution["eta"]  # complete conversion into the bright mode at G t = pi/2
    sin(G*t)**2
    >>> sp.simplify(solution["G"] ** 2 - (solution["g_abs"] ** 2 + sp.Abs(solution["g_l"]) ** 2))
    0
    """
    g_abs, gl_abs = sp.symbols("|g_R| |g_L|", positive=True)
    theta = sp.Symbol("theta", real=True)  # arg g_L - arg g_R: the phase of g_R is absorbed in c_R
    g_l = gl_abs * sp.exp(sp.I * theta)
    channels = (BosonMode("c_R"), BosonMode("c_L"))
    basis = bright_dark_modes([g_abs, g_l], channels, names=["B", "D"])
    wgm = BosonMode("A")
    coupling = sum((g * wgm.adag * c.a for g, c in zip((g_abs, g_l), channels, strict=True)), wgm.adag * 0)
    H = coupling + coupling.dag()
    reduced = basis.transform(H)
    G = basis.G
    # beam splitter G (A^+ B + h.c.): Heisenberg equations and their exact solution
    bright = BosonMode("B")
    G_symbol = sp.Symbol("G", positive=True)
    splitter = Model("beam_splitter", (wgm, bright), G_symbol * (wgm.adag * bright.a + bright.adag * wgm.a), (),
                     declare([("G", "bright-mode coupling", "rad/s")]))
    equations = [langevin(splitter, mode.a) for mode in (wgm, bright)]
    drift = sp.Matrix([[eq.coefficient(mode.a) for mode in (wgm, bright)] for eq in equations])
    tau = sp.Symbol("t", positive=True)
    propagator = (drift * tau).exp().applyfunc(lambda x: sp.simplify(x.rewrite(sp.cos)))
    eta = sp.simplify(sp.Abs(propagator[1, 0]) ** 2)
    return {"basis": basis, "reduced": reduced, "G": G, "eta": eta, "drift": drift, "propagator": propagator,
            "H": H, "g_abs": g_abs, "g_l": g_l, "G_symbol": G_symbol, "tau": tau}


def writein_harmonics() -> dict[sp.Expr, sp.Expr]:
    """Harmonics of ``r_hat . P`` for SFG of an x-polarised fibre mode with the pump (the WGM is along ``r_hat``).

    Examples
    --------
    >>> from qderive.derivations.vbg003.model import SYM
    >>> harmonics = writein_harmonics()
    >>> sorted(harmonics), sp.simplify(harmonics[2] - sp.conjugate(harmonics[-2]))  # r_hat . P is real
    ([-2, 2], 0)
    """
    tensor = d_tensor_3m(d22, d31, d33)
    polarisation = nonlinear_polarisation(tensor, sp.Matrix([1, 0, 0]), pump_polarisation())
    return angular_harmonics(sp.expand((R_HAT.T * polarisation)[0]))


@reproducible
def symbolic_solution() -> dict[str, Any]:
    """The parameter-free part of the derivation.

    Examples
    --------
    >>> s = symbolic_solution()
    >>> s["offset"], s["window"]  # |l| < n_out k_out R radiates
    (2, 2*pi*R*n_out/lambda_out)
    """
    harmonics = readout_harmonics()
    offset = derived_offset(harmonics)
    rules = selection_rules(offset)
    bright = bright_mode_solution()
    g_R, g_L, t = SYM["g_R"], SYM["g_L"], SYM["t"]
    G = sp.sqrt(sp.Abs(g_R) ** 2 + sp.Abs(g_L) ** 2)
    eta = bright["eta"].subs({bright["G_symbol"]: G, bright["tau"]: t})
    window = 2 * sp.pi * SYM["n_out"] * SYM["R"] / SYM["lambda_out"]
    sfg = writein_harmonics()
    return {"harmonics": harmonics, "offset": offset, "rules": rules, "bright": bright, "G": G, "eta": eta,
            "pop_R": sp.Abs(g_R) ** 2 / G**2 * eta, "pop_L": sp.Abs(g_L) ** 2 / G**2 * eta, "window": window,
            "sfg": sfg}


def dominant_order(rule: sp.Expr, values: dict[str, float], window: float) -> int | None:
    """The radiative order ``q`` (``|l| < window``) of smallest ``|q|``, None if no order radiates.

    Examples
    --------
    >>> rules = selection_rules(sp.Integer(2))
    >>> dominant_order(rules["cw_rhcp"], {"m": 21, "N": 23}, window=5.0)  # l = 23 + 23 q: q = -1 gives l = 0
    -1
    >>> dominant_order(rules["cw_rhcp"], {"m": 21, "N": 40}, window=5.0) is None  # 23 + 40 q never within 5
    True
    """
    N = int(values["N"])
    base = int(rule.subs({q: 0, SYM["m"]: int(values["m"]), SYM["N"]: N}))
    candidates = [k for k in range(-(abs(base) // N) - 2, abs(base) // N + 3) if abs(base + k * N) < window]
    return min(candidates, key=lambda k: (abs(k), k)) if candidates else None


def channel_orders(rules: dict[str, sp.Expr], values: dict[str, float], window: float) -> dict[str, Any]:
    """Dominant ``q`` per direction (shared by its two polarisations where both radiate) and each channel's ``l``.

    Examples
    --------
    >>> orders = channel_orders(selection_rules(sp.Integer(2)), {"m": 21, "N": 23}, window=9.3)
    >>> orders["q_cw"], orders["l_cw_rhcp"], orders["l_cw_lhcp"]  # on axis RHCP, and l = -4 LHCP
    (-1, 0, -4)
    """
    out: dict[str, Any] = {}
    for direction in DIRECTIONS:
        orders = {name: dominant_order(rules[f"{direction}_{name}"], values, window) for name in POLARISATIONS}
        radiating = [k for k in orders.values() if k is not None]
        q_dir = min(radiating, key=lambda k: (abs(k), k)) if radiating else None
        out[f"q_{direction}"] = q_dir
        for name in POLARISATIONS:
            rule = rules[f"{direction}_{name}"]
            l_value = None if q_dir is None else int(rule.subs({q: q_dir, SYM["m"]: int(values["m"]),
                                                                SYM["N"]: int(values["N"])}))
            out[f"l_{direction}_{name}"] = l_value if l_value is not None and abs(l_value) < window else None
    return out


def neglected_order_ratio(rules: dict[str, sp.Expr], values: dict[str, float], orders: dict[str, Any],
                          window: float) -> float:
    """``n_out k_out R / |l|`` of the neglected order (any ``n + q N`` not kept) with the smallest ``|l|``.

    Bessel amplitudes ``J_l(x <= k R)`` are evanescently small only when ``|l|`` clearly exceeds ``k R``.

    Examples
    --------
    >>> rules = selection_rules(sp.Integer(2))
    >>> values = {"m": 21, "N": 23}
    >>> orders = channel_orders(rules, values, 9.3)
    >>> round(neglected_order_ratio(rules, values, orders, 9.3), 4)  # the next orders, |l| >= 19: evanescent
    0.4895
    """
    m, N = int(values["m"]), int(values["N"])
    smallest = math.inf
    for key, rule in rules.items():
        base = int(rule.subs({q: 0, SYM["m"]: m, SYM["N"]: N}))
        kept = orders[f"l_{key}"]
        for k in range(-(abs(base) // N) - 2, abs(base) // N + 3):
            l_value = base + k * N
            if l_value != kept:
                smallest = min(smallest, abs(l_value))
    return window / max(smallest, 0.5)  # a neglected l = 0 radiates for sure


def lobe_count(orders: dict[str, Any], values: dict[str, float]) -> int:
    """Azimuthal lobes of the far field: ``|l_cw - l_ccw|`` of a circular polarisation radiating in both directions.

    ``|a J_l1 e^{i l1 phi} + b J_l2 e^{i l2 phi}|^2`` has ``|l1 - l2|`` maxima in ``phi``; RHCP and LHCP
    do not interfere. A single populated direction gives a ring (0 lobes).

    Examples
    --------
    >>> orders = channel_orders(selection_rules(sp.Integer(2)), {"m": 21, "N": 23}, window=9.3)
    >>> orders["l_cw_rhcp"], orders["l_ccw_rhcp"]
    (0, 4)
    >>> lobe_count(orders, {"p_cw": 0.5}), lobe_count(orders, {"p_cw": 1.0})  # a standing wave vs one direction
    (4, 0)
    >>> orders = channel_orders(selection_rules(sp.Integer(2)), {"m": 21, "N": 21}, window=9.3)
    >>> lobe_count(orders, {"p_cw": 0.5})  # l = 2 in both directions: a ring
    0
    """
    if values["p_cw"] in (0.0, 1.0):
        return 0
    counts = [abs(orders[f"l_cw_{p}"] - orders[f"l_ccw_{p}"]) for p in POLARISATIONS
              if orders[f"l_cw_{p}"] is not None and orders[f"l_ccw_{p}"] is not None]
    return max(counts, default=0)


def configuration_table(rules: dict[str, sp.Expr], parameters: ParameterSet, window: float,
                        span: int = 8) -> list[dict[str, Any]]:
    """Allowed orders, OAMs, on-axis and lobe count for ``N = m - span .. m + span``.

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> rows = configuration_table(selection_rules(sp.Integer(2)), system.parameter_set(), 9.3, span=2)
    >>> [(row["N"], row["on_axis"]) for row in rows]  # on axis exactly where N divides m +- 2
    [(19, 1), (20, 0), (21, 0), (22, 0), (23, 1)]
    """
    rows = []
    m = int(parameters["m"])
    for N in range(max(1, m - span), m + span + 1):
        values = {**parameters.values, "N": N}
        orders = channel_orders(rules, values, window)
        ls = [orders[f"l_{d}_{p}"] for d in DIRECTIONS for p in POLARISATIONS]
        ratio = neglected_order_ratio(rules, values, orders, window)
        rows.append({"N": N, **orders, "on_axis": int(any(v == 0 for v in ls)), "lobes": lobe_count(orders, values),
                     "in_regime": ratio <= WINDOW_LIMIT})
    return rows


def _table_latex(rows: list[dict[str, Any]]) -> str:
    def cell(v: Any) -> str:
        return "-" if v is None else str(v)

    header = r"N & q_{cw} & q_{ccw} & l_{cw}^{R} & l_{cw}^{L} & l_{ccw}^{R} & l_{ccw}^{L} & \mathrm{on\ axis} & " \
             r"\mathrm{lobes} & \mathrm{regime}"
    lines = [" & ".join([*(cell(r[k]) for k in ("N", "q_cw", "q_ccw", "l_cw_rhcp", "l_cw_lhcp", "l_ccw_rhcp",
                                                 "l_ccw_lhcp", "on_axis", "lobes")),
                         r"\mathrm{holds}" if r["in_regime"] else r"\mathrm{fails}"]) for r in rows]
    return r"\begin{array}{cccccccccc}" + header + r"\\ \hline " + r"\\ ".join(lines) + r"\end{array}"


def _steps(s: dict[str, Any], table: list[dict[str, Any]]) -> tuple[Step, ...]:
    h = s["harmonics"]["cw"]
    b = s["bright"]
    proofs = ", ".join(f"{k} = {sp.latex(v)}" for k, v in b["basis"].commutator_checks().items())
    rules = r",\ ".join(rf"l_{{{k.replace('_', ',')}}} = {sp.latex(v)}" for k, v in s["rules"].items())
    return (
        Step("Nonlinear polarisation, circular components (CW)",
             r",\ ".join(rf"P_{{{c}}} \propto {sp.latex(sum(a * sp.exp(sp.I * n * PHI) for n, a in comp.items()))}"
                         for c, comp in h.items()),
             "the in-plane d22 contraction carries e^{i(m+-offset)phi}; d31 feeds only P_z ~ d31 cos(alpha)",
             operation="contract the 3m tensor with r_hat e^{i m phi} and the pump polarisation, project on e_+-",
             before=r"P_i = d_{ijk} E_j e_k,\ E = \hat r e^{i m\varphi},\ "
                    r"e_p = \cos\alpha\,\hat r + \sin\alpha\,\hat\varphi"),
        Step("Offset inserted by the polarisation geometry", rf"\Delta l = {sp.latex(s['offset'])}",
             operation="read n - s m of the RHCP harmonic (the LHCP one is -offset)"),
        Step("Selection rule from the site sum", rules,
             r"sum_k e^{i(n-l)2 pi k/N} = N sum_q delta_{n-l,qN}",
             operation="overlap of P(phi) sum_k delta(phi - phi_k) with e^{i l phi}"),
        Step("Radiative window", rf"|l| < n_{{out}} k_{{out}} R = {sp.latex(s['window'])}",
             operation="keep the orders whose azimuthal wavevector l/R is below n_out k_out",
             relies_on=("k R/|l_next|",)),
        Step("Pump configurations (dominant orders, lobes = |l_cw - l_ccw|)", _table_latex(table),
             operation="evaluate the rules and the window for N = m - 8 .. m + 8"),
        Step("Bright supermode and its algebra",
             rf"B = {b['basis'].bright.latex()},\ D = {b['basis'].dark[0].latex()};\ {proofs}",
             "the phase of g_R is absorbed into c_R; the commutators are proved symbolically",
             operation="Householder complement of the normalised coupling vector"),
        Step("Beam-splitter Hamiltonian", rf"H = {b['reduced'].latex()}", before=rf"H = {b['H'].latex()}",
             operation="rewrite the channel operators in the bright/dark basis"),
        Step("Conversion", rf"U(t) = {sp.latex(b['propagator'])},\ \eta = |U_{{BA}}|^2 = {sp.latex(b['eta'])}",
             operation="solve the Heisenberg equations of A and B exactly (matrix exponential)",
             before=rf"\frac{{d}}{{dt}}(A, B)^T = {sp.latex(b['drift'])} (A, B)^T"),
    )


SOURCE_M = 21  # Table S5 of the seed: its ring row (N = 21) and on-axis rows (19, 23) fix m = 21


def _discrepancies(s: dict[str, Any], parameters: ParameterSet) -> tuple[Discrepancy, ...]:
    alpha = parameters["pump_pol"]
    z_amplitude = s["harmonics"]["cw"]["z"]
    window = float(parameters.evaluate(s["window"]))
    source_lobes = {N: lobe_count(channel_orders(s["rules"], {**parameters.values, "m": SOURCE_M, "N": N}, window),
                                  {**parameters.values, "N": N}) for N in (20, 22, 25, 27)}
    return (
        Discrepancy(
            "vbg003 seed Table S5 (rows N = 25, 27)",
            "N = 25: 8, 'four-lobe cloverleaf'; N = 27: 12, 'six-lobe pattern'",
            f"at m = {SOURCE_M}: lobes = |l_cw - l_ccw| = {source_lobes[25]} for N = 25 and {source_lobes[27]} "
            f"for N = 27 ({source_lobes[20]} and {source_lobes[22]} for N = 20, 22)",
            "the table's own number column is the derived lobe count |l_cw - l_ccw| = 2|m - N| (counted again on "
            "the drawn far field); its descriptions halve it for N = 25, 27 but not for N = 20, 22 ('two-lobe' "
            "at 2): the table contradicts itself.",
        ),
        Discrepancy(
            "vbg003 seed SI Eq. (S6) and text",
            "contributions from d31 and d33 vanish for this polarisation choice",
            f"P_z = {sp.sstr(sum(z_amplitude.values()))} e^(i m phi) (z-polarised, OAM m + qN)",
            "with both fields in the plane of a z-cut crystal, d31 gives P_z = d31 (r_hat . e_p): it vanishes only "
            f"for a phi-polarised pump (alpha = pi/2); here alpha = {alpha:.4g} rad"
            + (" so a z-polarised channel with d31 (|d31| ~ 2 d22 in LiNbO3) is present." if abs(math.cos(alpha))
               > 1e-12 else ", where the statement holds."),
        ),
    )


def derive(cache: SymbolicCache, parameters: ParameterSet) -> Derivation:
    """The vbg003 derivation at ``parameters``.

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> d = system.derive(system.parameter_set())
    >>> d.value("offset"), d.value("on_axis")
    (2.0, 1.0)
    >>> bool(np.isclose(d.value("eta"), np.sin(d.value("G") * system.defaults["t"]) ** 2))  # sin^2(G t)
    True
    """
    s = cache.get("symbolic", symbolic_solution)
    values = dict(parameters.values)
    window = float(parameters.evaluate(s["window"]))
    orders = channel_orders(s["rules"], values, window)
    table = configuration_table(s["rules"], parameters, window)
    ls = [orders[f"l_{d}_{p}"] for d in DIRECTIONS for p in POLARISATIONS]
    results: dict[str, Quantity] = {
        "offset": Quantity(s["offset"], "", float(s["offset"]), "angular-momentum shift of the circular components"),
        "selection_rule": Quantity(sp.Tuple(*(sp.Eq(sp.Symbol(f"l_{k}"), v) for k, v in s["rules"].items())), "",
                                   None, "output OAM per channel for pump harmonic order q"),
        "window": Quantity(s["window"], "", window, "radiative window: |l| < n_out k_out R"),
    }
    for direction in DIRECTIONS:
        qd = orders[f"q_{direction}"]
        results[f"q_{direction}"] = Quantity(sp.Integer(qd) if qd is not None else sp.nan, "",
                                             None if qd is None else float(qd),
                                             f"dominant radiative pump order, {direction.upper()}")
        for name in POLARISATIONS:
            key = f"l_{direction}_{name}"
            rule = s["rules"][key.removeprefix("l_")]
            expr = rule.subs(q, qd) if qd is not None else rule
            value = orders[key]
            results[key] = Quantity(expr, "", None if value is None else float(value),
                                    f"OAM of the {direction.upper()} {name.upper()} output channel")
    results["on_axis"] = Quantity(sp.Integer(int(any(v == 0 for v in ls))), "", float(any(v == 0 for v in ls)),
                                  "1 if some radiative channel has l = 0")
    lobes = lobe_count(orders, values)
    results["lobes"] = Quantity(sp.Integer(lobes), "", float(lobes), "azimuthal far-field lobes |l_cw - l_ccw|")
    for key in ("G", "eta", "pop_R", "pop_L"):
        results[key] = Quantity(s[key], "rad/s" if key == "G" else "", float(np.real(parameters.evaluate(s[key]))),
                                {"G": "bright-mode coupling sqrt(|g_R|^2 + |g_L|^2)", "eta": "conversion sin^2(G t)",
                                 "pop_R": "photon number in the right-circular channel",
                                 "pop_L": "photon number in the left-circular channel"}[key])
    results |= sfg_results(s, parameters)
    ratio = neglected_order_ratio(s["rules"], values, orders, window)
    conditions = {"k R/|l_next|": Condition("k R/|l_next|", sp.Symbol("kR") / sp.Symbol("l_next"), ratio,
                                            WINDOW_LIMIT, "neglected pump orders lie outside the radiative window "
                                            "(their Bessel amplitudes are evanescently small)")}
    evaluators = {k: closed_form(s[k], PARAMETERS) for k in ("G", "eta", "pop_R", "pop_L", "window")}
    assumptions = (
        "undepleted classical pump, single-photon WGM and output channels, rotating-wave approximation",
        "thin resonator: axial phase mismatch neglected; fields in the plane of a z-cut 3m crystal (d22, d31, d33)",
        "the dominant radiative pump order per direction carries the output (others evanescent outside the window)",
        "RHCP = e_+ = (x + i y)/sqrt2 component, l its orbital angular momentum about z",
        "far field of a ring of phased point dipoles (sites), no depletion, no cavity recirculation",
    )
    return Derivation("vbg003", TITLE, parameters, assumptions, _steps(s, table), results,
                      _discrepancies(s, parameters), conditions=conditions, evaluators=evaluators,
                      data={"orders": orders, "table": table, "window": window, "rules": s["rules"],
                            "polarisation_phases": polarisation_phases(s, parameters)})


def polarisation_phases(s: dict[str, Any], parameters: ParameterSet) -> dict[str, complex]:
    """Unit phase of each channel's derived polarisation harmonic at the pump angle (d22 > 0).

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> phases = polarisation_phases(symbolic_solution(), system.parameter_set())
    >>> sorted(phases), all(abs(abs(p) - 1) < 1e-12 for p in phases.values())
    (['ccw_lhcp', 'ccw_rhcp', 'cw_lhcp', 'cw_rhcp'], True)
    """
    phases = {}
    for direction in DIRECTIONS:
        for name, component in POLARISATIONS.items():
            (amplitude,) = s["harmonics"][direction][component].values()
            value = complex(amplitude.subs({d22: 1, SYM["pump_pol"]: parameters["pump_pol"]}).evalf())
            phases[f"{direction}_{name}"] = value / abs(value)
    return phases


def sfg_results(s: dict[str, Any], parameters: ParameterSet) -> dict[str, Quantity]:
    """Write-in counterparts: harmonics of r_hat . P_sfg, WGM orders written by the comb, and the conversion.

    Examples
    --------
    >>> from qderive.derivations.vbg003 import VirtualBraggGrating
    >>> system = VirtualBraggGrating()
    >>> out = sfg_results(symbolic_solution(), system.parameter_set())
    >>> out["m_cw_sfg"].value, out["m_ccw_sfg"].value  # the comb writes m = +-21 from the harmonics +-2
    (21.0, -21.0)
    """
    harmonics = sorted(s["sfg"], key=lambda n: float(n))
    m, N = int(parameters["m"]), int(parameters["N"])
    rule = sp.Tuple(*(sp.Eq(sp.Symbol("m_sfg"), n + q * SYM["N"]) for n in harmonics))
    orders = {}
    for direction, sign in DIRECTIONS.items():
        best = min(((int(n) + k * N, n, k) for n in harmonics for k in range(-3, 4)),
                   key=lambda x: abs(x[0] - sign * m))
        orders[direction] = best
    out = {
        "offset_sfg": Quantity(sp.Tuple(*harmonics), "", None, "harmonics of r_hat . P for an x-polarised fibre "
                               "mode and the pump (OAM supplied by the polarisation geometry)"),
        "selection_rule_sfg": Quantity(rule, "", None, "WGM orders written by the comb: m = n + q N"),
    }
    for direction, (order, n, k) in orders.items():
        out[f"m_{direction}_sfg"] = Quantity(n + k * SYM["N"], "", float(order),
                                             f"WGM order written {direction.upper()} (nearest to the target +-m)")
    out["G_sfg"] = Quantity(s["G"], "rad/s", float(np.real(parameters.evaluate(s["G"]))),
                            "write-in bright-mode coupling (reciprocal overlaps: the same G)")
    out["eta_sfg"] = Quantity(s["eta"], "", float(np.real(parameters.evaluate(s["eta"]))),
                              "write-in conversion sin^2(G t) into the bright WGM supermode")
    return out

