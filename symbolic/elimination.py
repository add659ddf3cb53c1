r"""Adiabatic elimination, three ways: Langevin steady state, second-order (James / Schrieffer-Wolff)
perturbation theory, and the effective operator formalism of Reiter & Sorensen.

1. :func:`adiabatic_eliminate` — a fast, damped mode ``a`` with ``H = Delta a^+a + a^+X + X^+a + ...``:
   the Langevin equation ``da/dt = -(i Delta + kappa/2) a - i X - i sum_k sqrt(kappa_k) a_in,k`` is set
   to zero and substituted, giving ``H_eff = Re(beta) X^+X`` and, for every loss channel ``k`` of the
   mode, ``kappa_k |beta|^2 D[X]`` with ``beta = -i / (i Delta + kappa/2)``. The output field of each
   channel is kept: ``c_out,k = c_in,k - i sqrt(kappa_k) beta X`` (the phase of ``beta`` is put in the
   effective jump operator).
2. :func:`far_detuned_eliminate` — ``H = H_0 + V + H_slow`` with ``V = sum_m v_m``, ``[H_0, v_m] = e_m v_m``
   and every ``|e_m|`` large: the Schrieffer-Wolff generator ``S = sum_m v_m / e_m`` gives
   ``H_eff = H_slow + sum_{e_m + e_n = 0} [v_m, v_n] / (2 e_m)`` (James' effective Hamiltonian, Stark
   shifts included) and jump operators ``L -> L + [S, L]``; the eliminated level is then projected out,
   or the eliminated mode traced over its thermal state.
3. :func:`effective_operators` — Reiter & Sorensen, PRA 85, 032111 (2012):
   ``H_eff = -1/2 V_- [H_NH^-1 + (H_NH^-1)^+] V_+ + H_g``, ``L_eff,k = L_k H_NH^-1 V_+``,
   ``H_NH = H_e - i/2 sum_k L_k^+ L_k``, with the excited manifold given as explicit states.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from math import factorial

import sympy as sp

from .bath import mode_bath, number_fluctuation_parameter
from .effective import EffectiveModel
from .equations import heisenberg_langevin
from .errors import ModelError
from .model import Dissipator, Model
from .operators import Monomial, Op, commutator
from .reproducible import reproducible
from .subsystems import BosonMode, NLevelSystem, Subsystem


def _real_imag(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    re, im = sp.expand_complex(expr).as_real_imag()
    return sp.factor(sp.simplify(re)), sp.factor(sp.simplify(im))


def _mode_free(op: Op, mode: Subsystem) -> Op:
    return Op({m: c for m, c in op.terms.items() if all(s != mode for s, _ in m)})


def _coupling_operator(model: Model, mode: BosonMode) -> tuple[sp.Expr, Op]:
    """``(Delta, X)`` from ``H = Delta a^+a + a^+ X + X^+ a + (terms without a)``; refuses anything else."""
    detuning = sp.S.Zero
    X = Op()
    for monomial, c in model.hamiltonian.terms.items():
        factors = dict(monomial)
        if mode not in factors:
            continue
        rest = tuple(f for f in monomial if f[0] != mode)
        if factors[mode] == (1, 1) and not rest:
            detuning += c
        elif factors[mode] == (1, 0):
            X = X + Op({rest: c})
        elif factors[mode] != (0, 1):
            raise ModelError(
                f"adiabatic elimination of '{mode.name}' needs H linear in {mode.name} apart from "
                f"Delta {mode.name}^+ {mode.name}; found the term {Op({monomial: c})}"
            )
    return detuning, X


@reproducible
def adiabatic_eliminate(model: Model, mode: BosonMode) -> EffectiveModel:
    """Eliminate a fast damped mode from the Heisenberg-Langevin equations (method 1).

    Every dissipator that acts on the mode must be ``rate D[l a]`` with a scalar ``l`` (zero-temperature
    loss channels); each becomes ``rate |l beta|^2 D[(l beta / |l beta|) X]`` under its own name, so
    internal and external ports stay separate. Small parameter: ``|X| / |i Delta + kappa/2|`` with
    ``|X|`` the root-sum-square of ``X``'s coefficients.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, NLevelSystem, declare, transition_rates
    >>> P = declare([("Delta", "cavity detuning", "rad/s", "real"), ("g", "coupling", "rad/s"),
    ...              ("kappa", "cavity decay rate", "rad/s")])
    >>> Delta, g, kappa = (p.symbol for p in P.values())
    >>> mode, s = BosonMode("a"), NLevelSystem("s", ("g", "e"))
    >>> H = Delta * mode.adag * mode.a + g * (mode.adag * s.sigma("g", "e") + s.sigma("e", "g") * mode.a)
    >>> reduced = adiabatic_eliminate(Model("jc", (s, mode), H, (Dissipator(kappa, mode.a, "kappa"),), P), mode)
    >>> rate = transition_rates(reduced.model, s, "e")["kappa"]
    >>> sp.simplify(rate - g**2 * kappa / (Delta**2 + kappa**2 / 4))  # the Purcell rate
    0
    """
    detuning, X = _coupling_operator(model, mode)
    if not X.terms:
        raise ModelError(f"mode '{mode.name}' is not coupled to anything; nothing to eliminate")
    rhs = heisenberg_langevin(model, mode.a)
    c_a = rhs.coefficient(mode.a)
    beta = sp.I / c_a  # a_ss = beta X + noise
    re_beta, _ = _real_imag(beta)
    abs2 = sp.factor(sp.simplify(sum(part**2 for part in _real_imag(beta))))
    dissipators = []
    for d in model.dissipators:
        if mode not in d.operator.subsystems():
            dissipators.append(d)
            continue
        if set(d.operator.terms) != {((mode, (0, 1)),)}:
            raise ModelError(
                f"channel '{d.channel}' acts on '{mode.name}' as {d.operator}; method 1 needs D[l {mode.name}] "
                "(zero-temperature loss); use far_detuned_eliminate for thermal baths"
            )
        amplitude = d.operator.coefficient(mode.a) * beta
        amplitude_abs2 = sp.factor(sp.simplify(sp.Abs(d.operator.coefficient(mode.a)) ** 2 * abs2))
        phase = sp.simplify(amplitude / sp.sqrt(amplitude_abs2))
        dissipators.append(Dissipator(sp.factor(d.rate * amplitude_abs2), X * phase, d.channel).simplified())
    H = _mode_free(model.hamiltonian, mode) + re_beta * X.dag() * X
    subsystems = tuple(s for s in model.subsystems if s != mode)
    reduced = Model(f"{model.name} without {mode.name}", subsystems, H, dissipators, model.parameters, model.ports)
    norm = sp.sqrt(sum(sp.Abs(c) ** 2 for m, c in X.terms.items() if m))
    kappa_half = -_real_imag(c_a)[0]
    small = {
        f"|X|/|i Delta_{mode.name} + kappa_{mode.name}/2|": sp.simplify(norm / sp.sqrt(detuning**2 + kappa_half**2))
    }
    assumptions = (
        f"mode '{mode.name}' follows the rest adiabatically: da/dt = 0 in its Langevin equation",
        f"coupling to '{mode.name}' weak compared with |i Delta + kappa/2| and the other subsystems slow on 1/kappa",
        f"zero-temperature (vacuum) input noise on '{mode.name}'",
    )
    return EffectiveModel(reduced, "adiabatic elimination (Langevin)", assumptions, small)


# -- method 2 -------------------------------------------------------------------------------------
def transition_energy(free: Op, monomial: Monomial) -> sp.Expr:
    """``e`` with ``[H_0, m] = e m`` for a diagonal ``H_0`` (number operators and projectors).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import NLevelSystem
    >>> D = sp.Symbol("D", real=True)
    >>> s = NLevelSystem("s", ("g", "e"))
    >>> transition_energy(D * s.projector("e"), next(iter(s.sigma("e", "g").terms)))  # [H0, s_eg] = D s_eg
    D
    """
    m = Op.monomial(monomial)
    bracket = commutator(free, m).expand()
    if not bracket.terms:
        return sp.S.Zero
    if set(bracket.terms) != {monomial}:
        raise ModelError(f"the free Hamiltonian {free} is not diagonal: [H_0, {m}] = {bracket}")
    return sp.simplify(bracket.terms[monomial])


def second_order_hamiltonian(
    free: Op, coupling: Op, kept: Callable[[Monomial, Monomial], bool] | None = None
) -> tuple[Op, Op, dict[Monomial, sp.Expr]]:
    r"""``(H_2, S, energies)`` of second-order (Schrieffer-Wolff / Loewdin) perturbation theory.

    With ``[H_0, v_m] = e_m v_m`` (``energies``) and ``S = sum_m v_m / e_m``,

    .. math:: H_2 = \tfrac14 \sum_{(m,n)\ \mathrm{kept}} \Big(\frac{1}{e_m} - \frac{1}{e_n}\Big) [v_m, v_n],

    the symmetrised ``[S, V]/2``. On a pair with ``e_m + e_n = 0`` (secular) this is James'
    ``[v_m, v_n] / (2 e_m)``; on a quasi-secular pair (``e_m + e_n = epsilon`` small) it is the
    quasi-degenerate (Loewdin / Winkler) form ``V_il V_lj [1/(E_i - E_l) + 1/(E_j - E_l)] / 2``,
    i.e. the average of the two energy denominators (James & Jerke, Can. J. Phys. 85, 625 (2007)).
    ``kept(m, n)`` says which pairs to keep (default: the exactly secular ones, ``e_m + e_n = 0``).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import NLevelSystem
    >>> D, O = sp.symbols("D O", positive=True)
    >>> s = NLevelSystem("s", ("g", "e"))
    >>> V = O / 2 * (s.sigma("e", "g") + s.sigma("g", "e"))
    >>> H2, S, energies = second_order_hamiltonian(D * s.projector("e"), V)
    >>> sp.simplify(H2.coefficient(s.projector("g")) + O**2 / (4 * D))  # AC Stark shift -O^2/(4 D) of |g>
    0
    """
    energies = {m: transition_energy(free, m) for m in coupling.terms}
    for m, e in energies.items():
        if e == 0:
            raise ModelError(f"coupling term {Op.monomial(m)} is resonant with H_0; it cannot be eliminated")
    if kept is None:
        kept = lambda m, n: sp.simplify(energies[m] + energies[n]) == 0  # noqa: E731
    parts = {m: Op({m: c}) for m, c in coupling.terms.items()}
    S = sum((parts[m] / e for m, e in energies.items()), Op())
    H2 = Op()
    for m, em in energies.items():
        for n, en in energies.items():
            if kept(m, n):
                H2 = H2 + commutator(parts[m], parts[n]) * ((1 / em - 1 / en) / 4)
    return H2.expand(), S, energies


def _touches_level(monomial: Monomial, system: NLevelSystem, index: int) -> bool:
    return any(s == system and index in f for s, f in monomial)


def _project_out_level(op: Op, system: NLevelSystem, level: Hashable) -> Op:
    index = system.index(level)
    return Op({m: c for m, c in op.terms.items() if not _touches_level(m, system, index)})


def _thermal_average(op: Op, mode: BosonMode, occupation: sp.Expr) -> Op:
    """Trace a mode over its thermal state: ``<(a^+)^p a^q> = delta_pq p! n^p``."""
    terms: dict[Monomial, sp.Expr] = {}
    for m, c in op.terms.items():
        factors = dict(m)
        p, q = factors.get(mode, (0, 0))
        if p != q:
            continue
        rest = tuple(f for f in m if f[0] != mode)
        terms[rest] = terms.get(rest, 0) + c * factorial(p) * occupation**p
    return Op({m: c for m, c in terms.items() if c != 0})


def _norm(op: Op) -> sp.Expr:
    """Root-sum-square of the coefficients of the non-identity monomials of ``op``."""
    return sp.sqrt(sum((sp.Abs(c) ** 2 for m, c in op.terms.items() if m), sp.S.Zero))


@reproducible
def far_detuned_eliminate(
    model: Model,
    free: Op,
    coupling: Op,
    eliminate: BosonMode | tuple[NLevelSystem, Hashable],
    occupation: sp.Expr = sp.S.Zero,
) -> EffectiveModel:
    r"""Second-order (Raman) elimination of a far-detuned level or mode (method 2).

    ``H = free + coupling + H_slow``: ``free`` is diagonal (number operators and projectors) and
    holds the large detunings of the eliminated level or mode; ``coupling = sum_m v_m`` connects
    the eliminated level or mode to the rest; the remainder ``H_slow`` is kept as it is and must
    not act on the eliminated level or mode (a :class:`ModelError` names any term that does).

    Secularity is decided exactly by the part of ``free`` that acts on the eliminated level or
    mode (``H_0^big``): a pair ``(v_m, v_n)`` is kept when ``e_m^big + e_n^big = 0``. The rest of
    ``free`` (the energies of the remaining levels, e.g. a two-photon detuning ``delta s_22``) is
    kept in the energy denominators: such quasi-secular pairs (``e_m + e_n = epsilon != 0``) get
    the averaged denominator of :func:`second_order_hamiltonian`, and their small parameter
    ``|e_m + e_n| / min(|e_m|, |e_n|)`` is stated (it must be small: the remaining energies are
    slow on the scale of the detunings; work in a rotating frame). A detuning may equally be put
    in ``H_slow``; the two placements differ by ``O(epsilon Omega^2 / Delta^2)``.

    ``eliminate`` is a mode, traced over its thermal state of mean occupation ``occupation``
    (``b^+ b`` replaced by ``n``: valid only while the number fluctuations average out, see
    :func:`~qderive.symbolic.thermal_eliminate`), or ``(system, level)`` for an empty level,
    projected out. Jump operators become ``L + [S, L]`` and are reduced the same way.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import Model, NLevelSystem, declare
    >>> P = declare([("O", "Rabi", "rad/s"), ("D", "detuning", "rad/s"), ("d", "two-photon detuning", "rad/s")])
    >>> O, D, d = (p.symbol for p in P.values())
    >>> s = NLevelSystem("s", (1, 2, "e"))
    >>> free, V = D * s.projector("e") + d * s.projector(2), O / 2 * (s.sigma("e", 1) + s.sigma("e", 2))
    >>> model = Model("lambda", (s,), free + V + V.dag(), (), P)
    >>> H = far_detuned_eliminate(model, free, V + V.dag(), (s, "e")).model.hamiltonian
    >>> sp.simplify(H.coefficient(s.sigma(1, 2)) + O**2 / 8 * (1 / D + 1 / (D - d)))  # averaged denominators
    0
    """
    if isinstance(eliminate, BosonMode):
        mode = eliminate
        touches = lambda m: any(s == mode for s, _ in m)  # noqa: E731
        reduce = lambda op: _thermal_average(op, mode, occupation)  # noqa: E731
        subsystems = tuple(s for s in model.subsystems if s != mode)
        label = mode.name
    else:
        system, level = eliminate
        index = system.index(level)
        touches = lambda m: _touches_level(m, system, index)  # noqa: E731
        reduce = lambda op: _project_out_level(op, system, level)  # noqa: E731
        subsystems = model.subsystems
        label = f"{system.name}_{level}"
    slow = (model.hamiltonian - free - coupling).expand()
    for m in slow.terms:
        if touches(m):
            raise ModelError(
                f"the slow Hamiltonian acts on the eliminated '{label}' through {Op.monomial(m)}; put diagonal "
                "terms (detunings) in `free` and couplings in `coupling`"
            )
    big = Op({m: c for m, c in free.terms.items() if touches(m)})
    big_energies = {m: transition_energy(big, m) for m in coupling.terms}
    for m, e in big_energies.items():
        if e == 0:
            raise ModelError(
                f"coupling term {Op.monomial(m)} does not change the energy of '{label}' under `free`; "
                "it cannot be eliminated (put it in the slow Hamiltonian)"
            )
    secular = lambda m, n: sp.simplify(big_energies[m] + big_energies[n]) == 0  # noqa: E731
    H2, S, energies = second_order_hamiltonian(free, coupling, secular)
    H = (reduce(slow) + reduce(free) + reduce(H2)).expand().applyfunc(sp.factor)
    dissipators = []
    for d in model.dissipators:
        transformed = (d.operator + commutator(S, d.operator)).expand()
        if isinstance(eliminate, BosonMode):
            transformed = Op({m: c for m, c in transformed.terms.items() if not touches(m)})
        else:
            transformed = reduce(transformed)
        if transformed.terms:
            dissipators.append(Dissipator(d.rate, transformed, d.channel))
    reduced = Model(
        f"{model.name} without {label}",
        subsystems,
        H,
        dissipators,
        model.parameters,
        tuple(p for p in model.ports if p in {d.channel for d in dissipators}),
    )
    small = {f"|v/e| of {Op.monomial(m)}": sp.Abs(coupling.terms[m] / e) for m, e in energies.items()}
    smallest_detuning = sp.Min(*(sp.Abs(e) for e in energies.values()))
    quasi = {}
    for m in energies:
        for n in energies:
            epsilon = sp.simplify(energies[m] + energies[n])
            if secular(m, n) and epsilon != 0:
                key = f"|e_m + e_n|/min(|e_m|, |e_n|) of {Op.monomial(m)}, {Op.monomial(n)}"
                ratio = sp.Abs(epsilon) / sp.Min(sp.Abs(energies[m]), sp.Abs(energies[n]))
                quasi.setdefault(sp.Abs(epsilon), (key, ratio))
    small.update(dict(quasi.values()))
    if slow.terms:
        small["|H_slow|/min|e_m|"] = _norm(slow) / smallest_detuning
    if isinstance(eliminate, BosonMode) and occupation != 0:
        n = sp.Dummy("n")
        dispersive = _thermal_average(H2, mode, n).applyfunc(lambda c: sp.diff(c, n).subs(n, occupation))
        small.update(number_fluctuation_parameter(dispersive, occupation, mode_bath(model, mode).damping, mode))
        small[f"|V| sqrt(2 n + 1)/min|e_m| (thermal field of {label})"] = (
            _norm(coupling) * sp.sqrt(2 * occupation + 1) / smallest_detuning
        )
    assumptions = (
        f"'{label}' far detuned: every coupling |v_m| << |e_m| (second-order Schrieffer-Wolff / James)",
        "pairs kept when secular for the eliminated part of H_0 (e_m + e_n = 0 there); their remaining "
        "detuning e_m + e_n (quasi-secular, e.g. a two-photon detuning) kept in averaged denominators and small",
        "slow Hamiltonian slow on the scale of the detunings; jump operators transformed to first order in v/e",
        "eliminated mode traced over a thermal state of the given occupation (number fluctuations neglected)"
        if isinstance(eliminate, BosonMode)
        else f"level '{label}' empty (projected out)",
    )
    return EffectiveModel(reduced, "far-detuned elimination (second order)", assumptions, small)


# -- method 3 -------------------------------------------------------------------------------------
State = Mapping[Subsystem, Hashable]


def _element(monomial: Monomial, bra: State, ket: State) -> sp.Expr:
    """``<bra| m |ket>`` for product states (n-level: level label; mode: Fock number)."""
    value: sp.Expr = sp.S.One
    factors = dict(monomial)
    for system in set(bra) | set(ket):
        factor = factors.get(system)
        b, k = bra[system], ket[system]
        if isinstance(system, NLevelSystem):
            if factor is None:
                if b != k:
                    return sp.S.Zero
            elif (system.levels[factor[0]], system.levels[factor[1]]) != (b, k):
                return sp.S.Zero
        else:
            p, q = factor or (0, 0)
            if k < q or b != k - q + p:
                return sp.S.Zero
            value *= sp.sqrt(sp.factorial(k) / sp.factorial(k - q) * sp.factorial(b) / sp.factorial(k - q))
    for system, _ in monomial:
        if system not in bra:
            raise ModelError(f"state does not give the level or Fock number of '{system.name}'")
    return value


def matrix(op: Op, bras: Sequence[State], kets: Sequence[State]) -> sp.Matrix:
    """Matrix elements ``<bra_i| op |ket_j>`` between product states.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import BosonMode
    >>> mode = BosonMode("a")
    >>> kets = [{mode: n} for n in range(3)]
    >>> matrix(mode.a, kets, kets)  # <m|a|n> = sqrt(n) delta_(m, n-1)
    Matrix([
    [0, 1,       0],
    [0, 0, sqrt(2)],
    [0, 0,       0]])
    """
    return sp.Matrix(
        len(bras),
        len(kets),
        lambda i, j: sum((c * _element(m, bras[i], kets[j]) for m, c in op.terms.items()), sp.S.Zero),
    )


def _operator_on(system: NLevelSystem, block: sp.Matrix, ground: Sequence[State]) -> Op:
    """A ground-manifold matrix written back as ``sum_ij M_ij sigma_(g_i g_j)`` on ``system``."""
    return sum(
        (
            block[i, j] * system.sigma(ground[i][system], ground[j][system])
            for i in range(block.rows)
            for j in range(block.cols)
            if block[i, j] != 0
        ),
        Op(),
    )


def effective_operators(
    model: Model, ground: Sequence[State], excited: Sequence[State], perturbation: Op, system: NLevelSystem
) -> EffectiveModel:
    """Reiter-Sorensen effective operators (method 3) on the ground states of ``system``.

    ``ground`` and ``excited`` are product states (every subsystem given); the ground states may
    differ only in the level of ``system`` (other subsystems, e.g. modes in vacuum, are fixed).
    ``perturbation`` is the weak part ``V = V_+ + V_-`` of the Hamiltonian.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import Dissipator, Model, NLevelSystem, declare, transition_rates
    >>> P = declare([("Delta", "detuning", "rad/s", "real"), ("Omega", "Rabi frequency", "rad/s"),
    ...              ("gamma", "decay rate e -> f", "rad/s")])
    >>> Delta, Omega, gamma = (p.symbol for p in P.values())
    >>> s = NLevelSystem("s", ("g", "f", "e"))
    >>> V = Omega / 2 * (s.sigma("e", "g") + s.sigma("g", "e"))
    >>> model = Model("lambda", (s,), Delta * s.projector("e") + V, (Dissipator(gamma, s.sigma("f", "e"), "gamma"),), P)
    >>> reduced = effective_operators(model, [{s: "g"}, {s: "f"}], [{s: "e"}], V, s)
    >>> rate = transition_rates(reduced.model, s, "g")["gamma"]
    >>> sp.simplify(rate - gamma * Omega**2 / 4 / (Delta**2 + gamma**2 / 4))  # optical pumping g -> f
    0
    """
    unperturbed = model.hamiltonian - perturbation
    dissipation = sum((d.rate * d.operator.dag() * d.operator for d in model.dissipators), Op())
    H_NH = matrix(unperturbed - sp.I / 2 * dissipation, excited, excited)
    inverse = sp.simplify(H_NH.inv())
    V_plus = matrix(perturbation, excited, ground)
    V_minus = matrix(perturbation, ground, excited)
    H_g = matrix(unperturbed, ground, ground)
    H_eff = sp.simplify(-(V_minus * (inverse + inverse.H) * V_plus) / 2 + H_g)
    dissipators = []
    for d in model.dissipators:
        L = matrix(sp.sqrt(d.rate) * d.operator, ground, excited)
        L_eff = sp.simplify(L * inverse * V_plus)
        if any(x != 0 for x in L_eff):
            dissipators.append(Dissipator(sp.S.One, _operator_on(system, L_eff, ground), d.channel))
    H = _operator_on(system, H_eff, ground)
    reduced = Model(
        f"{model.name} (effective operators)",
        (system,),
        H,
        dissipators,
        model.parameters,
        tuple(p for p in model.ports if p in {d.channel for d in dissipators}),
    )
    scale = sp.sqrt(sum(sp.Abs(x) ** 2 for x in V_plus))
    small = {"|V_+| |H_NH^-1|": sp.simplify(scale * sp.sqrt(sum(sp.Abs(x) ** 2 for x in inverse)))}
    assumptions = (
        "weak perturbation V: excited states only virtually populated (Reiter & Sorensen 2012)",
        "ground states stable except through V; excited manifold decays by the model's jumps",
    )
    return EffectiveModel(reduced, "effective operator formalism", assumptions, small)


__all__ = [
    "adiabatic_eliminate",
    "effective_operators",
    "far_detuned_eliminate",
    "matrix",
    "second_order_hamiltonian",
    "transition_energy",
]
