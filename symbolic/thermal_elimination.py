r"""Elimination of a far-detuned (or fast) mode that carries a thermal bath, from its Langevin equation.

For ``H = Delta b^+ b + b^+ X + X^+ b + H_rest`` (``X`` acting on the remaining systems) and a mode
bath of damping ``kappa`` and occupation ``N`` (:mod:`.bath`), the Langevin equation

.. math:: \dot b = -(i\Delta + \kappa/2)\, b - iX - \sqrt{\kappa}\, b_{in},
          \qquad \langle b_{in}^\dagger(t) b_{in}(t')\rangle = N\,\delta(t - t')

gives ``b(t) = beta X(t) + b_0(t)`` with ``beta = -i / (i Delta + kappa/2)`` (adiabatic following,
``|X| << |i Delta + kappa/2|``) and the free thermal field ``b_0``, a coloured noise of spectrum
``N kappa / ((w - Delta)^2 + kappa^2/4)``. Substituted into the equations of the remaining system
operators, the ``beta X`` part gives the coherent terms and the noise ``b_0``, treated to second
order (Born-Markov: its spectrum is flat over the system's frequencies, which are small next to
``|i Delta + kappa/2|``), gives the thermal Stark shift and the noise rates:

.. math:: H_{eff} = H_{rest} + \mathrm{Re}\,\beta\,\big[(N + 1) X^\dagger X - N X X^\dagger\big],

          \sum_{k\ \mathrm{loss}} r_k |l_k\beta|^2 D[X] + \sum_{j\ \mathrm{gain}} r_j |l_j\beta|^2 D[X^\dagger]
          \quad (\text{total } \kappa (N + 1) |\beta|^2 D[X] + \kappa N |\beta|^2 D[X^\dagger]),

          \frac{2 N (N + 1)}{\kappa} D[G], \qquad G = \mathrm{Re}\,\beta\, [X^\dagger, X] .

The last term is the fourth-order (intensity-noise) contribution of the thermal field: the
dispersive coupling ``G b^+ b`` (the ``b^+ b``-dependent Stark shift) with number fluctuations
``<dn(t) dn(0)> = N (N + 1) e^{-kappa |t|}``, in the motional-narrowing limit
``s(G) sqrt(N (N + 1)) << kappa``; it is the leading fourth-order term when ``kappa << |Delta|``
(the others are smaller by ``(kappa/Delta)^2``). Replacing ``b^+ b`` by ``N`` is valid only in that
limit; where it fails the small parameter says so (:meth:`EffectiveModel.check`).

The damping of ``b`` enters at two frequencies: at the remaining system's frequency, ``|Delta|``
away from the mode's resonance (through ``beta``: coherent terms and noise rates), and at the
mode's resonance (occupation ``N``, number fluctuations). The Lindblad bath of the model is flat, so
both are the same ``kappa`` here. A damping that comes from eliminating another mode resonant with
``b`` (optical cooling through a mode ``c`` of width ``k_c``) is not flat over ``Delta``: it is
``4 g_c^2 / k_c`` at resonance but ``g_c^2 k_c / (Delta^2 + k_c^2/4)`` at the system's frequency, so
such a cold loss channel must be entered with the rate that applies where it is used.

Cross-check: for ``kappa -> 0`` this is the second-order (Schrieffer-Wolff) result of
:func:`~qderive.symbolic.far_detuned_eliminate` traced over the thermal state, whose jump
operators ``L + [S, L]`` give the same ``D[X]``, ``D[X^+]`` rates.
"""

from __future__ import annotations

import sympy as sp

from .bath import mode_bath, number_fluctuation_parameter
from .effective import EffectiveModel
from .elimination import _coupling_operator, _mode_free, _norm, _real_imag
from .equations import heisenberg_langevin
from .errors import ModelError
from .model import Dissipator, Model
from .operators import Op, commutator
from .reproducible import reproducible
from .subsystems import BosonMode


def _without_identity(op: Op) -> Op:
    return Op({m: c for m, c in op.terms.items() if m})


@reproducible
def thermal_eliminate(model: Model, mode: BosonMode) -> EffectiveModel:
    r"""Eliminate a thermally damped mode coupled linearly to the rest (Langevin route, see module docstring).

    Parameters
    ----------
    model : Model
        ``H = Delta b^+ b + b^+ X + X^+ b + H_rest``; every dissipator on ``b`` is a loss
        ``r D[l b]`` or a gain ``r D[l b^+]`` (e.g. :func:`~qderive.symbolic.thermal_dissipators`).
    mode : BosonMode
        The mode ``b`` to eliminate.

    Returns
    -------
    EffectiveModel
        Without ``b``: Hamiltonian ``H_rest + Re(beta) [(N + 1) X^+X - N X X^+]``; each loss channel
        becomes ``r |l beta|^2 D[X]`` and each gain channel ``r |l beta|^2 D[X^+]`` under its own
        name; the channel ``<b>_number`` is the motional-narrowing dephasing ``2N(N+1)/kappa D[G]``.
        Small parameters: ``|X| sqrt(2N+1)/|i Delta + kappa/2|`` (adiabatic following and a
        perturbative thermal Stark shift), ``|H_rest|/|i Delta + kappa/2|`` (noise white over the
        system's frequencies), ``s(G) sqrt(N(N+1))/kappa`` (number fluctuations averaged out) and
        ``|[G, H_eff]|/(|G| kappa)`` (the number noise white over the frequencies ``G`` connects).

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import BosonMode, Model, NLevelSystem, declare, thermal_dissipators, transition_rates
    >>> P = declare([("lam", "coupling", "rad/s"), ("delta", "detuning", "rad/s"),
    ...              ("gamma_m", "damping", "rad/s"), ("n_th", "occupation", "1")])
    >>> lam, delta, gm, n = (p.symbol for p in P.values())
    >>> q, b = NLevelSystem("q", ("g", "e")), BosonMode("b")
    >>> H = delta * b.adag * b.a + lam * (b.adag * q.sigma("g", "e") + b.a * q.sigma("e", "g"))
    >>> eff = thermal_eliminate(Model("qb", (q, b), H, thermal_dissipators(gm, n, b.a, "m"), P), b).model
    >>> transition_rates(eff, q, "g")["m_up"]  # thermal excitation lam^2 gamma_m n / (delta^2 + gamma_m^2/4)
    4*gamma_m*lam**2*n_th/(4*delta**2 + gamma_m**2)
    """
    detuning, X = _coupling_operator(model, mode)
    if not X.terms:
        raise ModelError(f"mode '{mode.name}' is not coupled to anything; nothing to eliminate")
    bath = mode_bath(model, mode)
    kappa, N = bath.damping, bath.occupation
    c_b = heisenberg_langevin(model, mode.a).coefficient(mode.a)  # -(i Delta + kappa/2)
    beta = sp.I / c_b
    re_beta, _ = _real_imag(beta)
    abs2 = sp.factor(sp.simplify(sum(part**2 for part in _real_imag(beta))))
    Xd = X.dag()
    H = _mode_free(model.hamiltonian, mode) + re_beta * ((N + 1) * Xd * X - N * X * Xd)
    dissipators = [d for d in model.dissipators if mode not in d.operator.subsystems()]
    for channels, operator, conjugate in ((bath.loss, X, False), (bath.gain, Xd, True)):
        for d, amplitude in channels:
            weight = amplitude * (sp.conjugate(beta) if conjugate else beta)
            weight_abs2 = sp.factor(sp.simplify(sp.Abs(amplitude) ** 2 * abs2))
            phase = sp.simplify(weight / sp.sqrt(weight_abs2))
            dissipators.append(Dissipator(sp.factor(d.rate * weight_abs2), operator * phase, d.channel).simplified())
    dispersive = _without_identity((re_beta * commutator(Xd, X)).expand())
    if dispersive.terms and N != 0:
        dissipators.append(Dissipator(sp.factor(2 * N * (N + 1) / kappa), dispersive, f"{mode.name}_number"))
    H = H.expand().applyfunc(sp.factor)
    subsystems = tuple(s for s in model.subsystems if s != mode)
    ports = tuple(p for p in model.ports if p in {d.channel for d in dissipators})
    reduced = Model(f"{model.name} without {mode.name}", subsystems, H, dissipators, model.parameters, ports)
    scale = sp.sqrt(detuning**2 + kappa**2 / 4)
    rest = _without_identity(_mode_free(model.hamiltonian, mode))
    name = mode.name
    small = {f"|X| sqrt(2 n + 1)/|i Delta_{name} + kappa_{name}/2|": _norm(X) * sp.sqrt(2 * N + 1) / scale}
    if rest.terms:
        small[f"|H_rest|/|i Delta_{name} + kappa_{name}/2| (thermal noise white)"] = _norm(rest) / scale
    small.update(number_fluctuation_parameter(dispersive, N, kappa, mode))
    if dispersive.terms and N != 0:
        motion = commutator(dispersive, _without_identity(H)).expand()
        if motion.terms:
            small[f"|[G, H_eff]|/(|G| kappa_{name}) (number noise white)"] = _norm(motion) / (_norm(dispersive) * kappa)
    assumptions = (
        f"'{name}' follows the rest adiabatically: b = beta X + b_0 with the free thermal field b_0",
        f"thermal input noise of '{name}' (occupation N) to second order (Born-Markov): its spectrum is flat over "
        "the remaining system's frequencies and the thermal Stark shift is perturbative",
        f"number fluctuations of '{name}' averaged out by its damping (motional narrowing): b^+b -> N plus the "
        "dephasing 2N(N+1)/kappa D[G]; fourth-order terms smaller by (kappa/Delta)^2 neglected",
    )
    return EffectiveModel(reduced, "thermal-mode elimination (Langevin)", assumptions, small)


__all__ = ["thermal_eliminate"]
