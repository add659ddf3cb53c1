r"""The bath of a bosonic mode read off a model, and the number-fluctuation small parameter.

A mode ``b`` with loss channels ``r_k D[l_k b]`` and gain channels ``r_j D[l_j b^+]`` (scalar
``l``) relaxes at the energy damping rate ``kappa = sum_k r_k |l_k|^2 - sum_j r_j |l_j|^2`` towards
the thermal occupation ``N = sum_j r_j |l_j|^2 / kappa``; ``thermal_dissipators(gamma, n, b, ...)``
gives ``kappa = gamma``, ``N = n``. In Langevin form this is one input field with
``<b_in^+(t) b_in(t')> = N delta(t - t')`` (Gardiner & Zoller, Quantum Noise, ch. 3).

Its number fluctuations ``delta n = b^+ b - N`` have ``<delta n(t) delta n(0)> = N (N + 1) e^{-kappa |t|}``
(Gaussian state, ``<b^+(t) b(0)> = N e^{-kappa t/2}``). A system coupled as ``G delta n`` sees a
frequency jitter of spread ``s(G) sqrt(N (N + 1))`` with correlation time ``1/kappa``; replacing
``b^+ b`` by ``N`` (plus a motional-narrowing dephasing) needs ``s(G) sqrt(N (N + 1)) / kappa << 1``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .errors import ModelError
from .model import Dissipator, Model
from .operators import Op
from .reproducible import reproducible
from .subsystems import BosonMode, NLevelSystem


@dataclass(frozen=True)
class ModeBath:
    """Damping ``kappa``, thermal occupation ``N`` and the channels of one mode (see module docstring).

    ``loss`` and ``gain`` hold ``(dissipator, l)`` for the channels ``D[l b]`` and ``D[l b^+]``.

    Examples
    --------
    >>> from qderive.symbolic.library import thermal_oscillator
    >>> model = thermal_oscillator()
    >>> bath = mode_bath(model, model.subsystem("a"))
    >>> bath.damping, bath.occupation  # thermal_dissipators(kappa, n_th) gives kappa and N = n_th
    (kappa, n_th)
    >>> [d.channel for d, _ in bath.loss], [d.channel for d, _ in bath.gain]
    (['bath_down'], ['bath_up'])
    """

    mode: BosonMode
    damping: sp.Expr
    occupation: sp.Expr
    loss: tuple[tuple[Dissipator, sp.Expr], ...]
    gain: tuple[tuple[Dissipator, sp.Expr], ...]


@reproducible
def mode_bath(model: Model, mode: BosonMode) -> ModeBath:
    """The bath of ``mode``: every dissipator on it must be ``r D[l b]`` or ``r D[l b^+]`` with scalar ``l``.

    Raises :class:`ModelError` for any other channel on the mode or a damping that is not positive.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import BosonMode, Dissipator, Model, declare, thermal_dissipators
    >>> P = declare([("g", "damping", "rad/s"), ("G", "cold damping", "rad/s"), ("n", "occupation", "1")])
    >>> g, G, n = (p.symbol for p in P.values())
    >>> b = BosonMode("b")
    >>> jumps = (*thermal_dissipators(g, n, b.a, "m"), Dissipator(G, b.a, "cold"))
    >>> bath = mode_bath(Model("b", (b,), 0 * b.a, jumps, P), b)
    >>> bath.damping, bath.occupation
    (G + g, g*n/(G + g))
    """
    lowering, raising = ((mode, (0, 1)),), ((mode, (1, 0)),)
    loss, gain = [], []
    for d in model.dissipators:
        if mode not in d.operator.subsystems():
            continue
        monomials = set(d.operator.terms)
        if monomials == {lowering}:
            loss.append((d, d.operator.terms[lowering]))
        elif monomials == {raising}:
            gain.append((d, d.operator.terms[raising]))
        else:
            raise ModelError(
                f"channel '{d.channel}' acts on '{mode.name}' as {d.operator}; a mode bath needs D[l {mode.name}] "
                f"(loss) or D[l {mode.name}^+] (gain) with a scalar l"
            )
    down = sum((d.rate * sp.Abs(amplitude) ** 2 for d, amplitude in loss), sp.S.Zero)
    up = sum((d.rate * sp.Abs(amplitude) ** 2 for d, amplitude in gain), sp.S.Zero)
    damping = sp.factor(sp.simplify(down - up))
    if damping == 0 or damping.is_extended_nonpositive:
        raise ModelError(
            f"mode '{mode.name}' has energy damping {damping} (loss minus gain); a thermal bath needs it positive"
        )
    occupation = sp.factor(sp.simplify(up / damping))
    return ModeBath(mode, damping, occupation, tuple(loss), tuple(gain))


def operator_spread(op: Op) -> sp.Expr:
    """Spread ``max - min`` of the eigenvalues of a Hermitian operator, or the bound ``2 |op|``.

    Exact for an operator diagonal in the levels of its n-level systems (projectors and the
    identity); otherwise ``2`` times the root-sum-square of its non-identity coefficients, which
    bounds the spread from above for a sum of orthonormal-basis operators of unit norm.

    Examples
    --------
    >>> import sympy as sp
    >>> from qderive.symbolic import NLevelSystem
    >>> q = NLevelSystem("q", ("g", "e"))
    >>> operator_spread(3 * q.projector("e") - q.projector("g") + 5)
    4
    """
    systems = sorted(op.subsystems(), key=lambda s: s.sort_key)
    if systems and all(isinstance(s, NLevelSystem) for s in systems):
        expanded = op.expand_identities(systems)
        if all(f[0] == f[1] for m in expanded.terms for _, f in m):
            values = [sp.simplify(c) for c in expanded.terms.values()]
            total = 1
            for s in systems:
                total *= s.dimension
            if len(values) < total:
                values.append(sp.S.Zero)
            return sp.simplify(sp.Max(*values) - sp.Min(*values))
    return 2 * sp.sqrt(sum((sp.Abs(c) ** 2 for m, c in op.terms.items() if m), sp.S.Zero))


def number_fluctuation_parameter(
    dispersive: Op, occupation: sp.Expr, damping: sp.Expr, mode: BosonMode
) -> dict[str, sp.Expr]:
    """``{name: s(G) sqrt(N (N + 1)) / kappa}`` for a dispersive coupling ``G b^+ b`` (empty if ``G`` or ``N`` is 0).

    Examples
    --------
    >>> from qderive.symbolic import BosonMode, NLevelSystem
    >>> chi, kappa = sp.symbols("chi kappa", positive=True)
    >>> q, b = NLevelSystem("q", ("g", "e")), BosonMode("b")
    >>> (value,) = number_fluctuation_parameter(chi * q.projector("e"), sp.Integer(1), kappa, b).values()
    >>> value  # spread chi times sqrt(1 * 2), over kappa
    sqrt(2)*chi/kappa
    >>> number_fluctuation_parameter(chi * q.projector("e"), sp.Integer(0), kappa, b)  # a cold bath: nothing to average
    {}
    """
    if not dispersive.terms or occupation == 0:
        return {}
    spread = operator_spread(dispersive)
    name = f"s(G) sqrt(n(n+1))/kappa_{mode.name} (number fluctuations of {mode.name} averaged out)"
    return {name: spread * sp.sqrt(occupation * (occupation + 1)) / damping}
