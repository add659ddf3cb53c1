r"""Open-system models: Hamiltonian, Lindblad dissipators, parameters and input/output ports.

A model stands for the master equation

.. math:: \dot\rho = -i[H, \rho] + \sum_k \gamma_k D[L_k]\rho, \qquad
          D[L]\rho = L\rho L^\dagger - \tfrac12\{L^\dagger L, \rho\}

(hbar = 1, frequencies in rad/s). Each dissipator is one dissipation channel with its own
white-noise input field ``c_in``; a channel listed in ``ports`` is an observed input/output port
with ``c_out = c_in - i sqrt(gamma) L``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.pretty.stringpict import prettyForm

from .errors import ModelError
from .operators import Op
from .parameters import Parameter, ParameterSet
from .printing import latex_text, pretty_lines, pretty_text, repr_latex
from .reproducible import reproducible
from .subsystems import BosonMode, InputField, NLevelSystem, Subsystem

TIME = sp.Symbol("t", real=True)


@dataclass(frozen=True)
class Dissipator:
    """One Lindblad term ``rate * D[operator]`` with its dissipation channel name.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> kappa = sp.Symbol("kappa", positive=True)
    >>> d = Dissipator(kappa, BosonMode("a").a, "kappa")
    >>> print(d)
    kappa D[a]
    """

    rate: sp.Expr
    operator: Op
    channel: str

    @property
    def input_field(self) -> Op:
        """The channel's input field ``c_in`` (white noise, vacuum unless stated otherwise).

        Examples
        --------
        >>> from qderive.symbolic import BosonMode
        >>> d = Dissipator(sp.Symbol("kappa", positive=True), BosonMode("a").a, "kappa")
        >>> d.input_field
        kappa_in
        """
        return InputField(self.channel).field

    @reproducible
    def simplified(self) -> Dissipator:
        """The same Lindblad term written tidily: ``rate D[L] = (rate k^2) D[L / k]``.

        ``k`` is the positive factor common to the moduli of ``L``'s coefficients (e.g. a coupling
        ``g``); it moves into the rate, and a coefficient with a complex denominator is rewritten
        with a real one. For ``k > 0`` the dissipator and the output field
        ``c_out = c_in - i sqrt(rate) L`` are unchanged.

        Examples
        --------
        >>> from qderive.symbolic import NLevelSystem
        >>> g, kappa = sp.symbols("g kappa", positive=True)
        >>> Delta = sp.Symbol("Delta", real=True)
        >>> s_ge = NLevelSystem("s", ("g", "e")).sigma("g", "e")
        >>> phase = -g * sp.sqrt(4 * Delta**2 + kappa**2) / (2 * Delta - sp.I * kappa)
        >>> print(Dissipator(4 * kappa / (4 * Delta**2 + kappa**2), phase * s_ge, "out").simplified())
        4*g**2*kappa/(4*Delta**2 + kappa**2) D[-(2*Delta + I*kappa)/sqrt(4*Delta**2 + kappa**2) s_ge]
        """
        moduli = [sp.factor(sp.simplify(sp.Abs(c))) for c in self.operator.terms.values()]
        common = sp.gcd(moduli) if moduli and all(m.is_positive for m in moduli) else sp.S.One
        if not common.is_positive:
            common = sp.S.One
        operator = (self.operator / common).applyfunc(_real_denominator)
        return Dissipator(sp.factor(self.rate * common**2), operator, self.channel)

    def _sympystr(self, printer: Any) -> str:
        return f"{printer.parenthesize(self.rate, PRECEDENCE['Mul'], strict=True)} D[{printer._print(self.operator)}]"

    def _latex(self, printer: Any) -> str:
        rate = printer.parenthesize(self.rate, PRECEDENCE["Mul"], strict=True)
        return rf"{rate} \mathcal{{D}}\left[{printer._print(self.operator)}\right]"

    def _pretty(self, printer: Any) -> prettyForm:
        rate = printer._print(self.rate)
        if isinstance(self.rate, sp.Add):
            rate = prettyForm(*rate.parens())
        operator = prettyForm(*printer._print(self.operator).parens("[", "]"))
        return pretty_text(printer, rate, "\N{MIDDLE DOT}D" if printer._use_unicode else "*D", operator)

    def __str__(self) -> str:
        return str(sp.sstr(self))

    def _repr_latex_(self) -> str:
        return repr_latex(self)


@reproducible
def _real_denominator(coefficient: sp.Expr) -> sp.Expr:
    """``coefficient`` with a real denominator when its denominator is complex (else unchanged)."""
    if not sp.fraction(sp.together(coefficient))[1].has(sp.I):
        return coefficient
    rewritten = sp.factor(sp.expand_complex(coefficient))
    return coefficient if rewritten.has(sp.re, sp.im) else rewritten


def thermal_dissipators(
    rate: sp.Expr, occupation: sp.Expr, lowering: Op, channel: str
) -> tuple[Dissipator, Dissipator]:
    """Thermal bath pair ``rate (1 + n) D[L] + rate n D[L^+]`` for a bath of mean occupation ``n``.

    The two terms get independent vacuum inputs ``<channel>_down`` and ``<channel>_up``; for the
    linear equations this produces the same second moments as one thermal input field.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode
    >>> kappa, n = sp.symbols("kappa n", positive=True)
    >>> down, up = thermal_dissipators(kappa, n, BosonMode("a").a, "bath")
    >>> print(down, "|", up)  # emission with 1 + n, absorption with n
    kappa*(n + 1) D[a] | kappa*n D[a^+]
    >>> sp.simplify(down.rate - up.rate)  # their difference is the zero-temperature rate
    kappa
    """
    return (
        Dissipator(rate * (1 + occupation), lowering, f"{channel}_down"),
        Dissipator(rate * occupation, lowering.dag(), f"{channel}_up"),
    )


@dataclass(frozen=True)
class Model:
    """Hamiltonian + dissipators + parameters of an open quantum system, validated on creation.

    A rate may depend on the time ``t`` (e.g. ``kappa * exp(-t)``), as long as it is provably
    non-negative. Raises :class:`ModelError` for a non-Hermitian Hamiltonian, a rate that is
    infinite, negative or not provably non-negative, an operator on a subsystem not in
    ``subsystems``, a symbol that is not a declared parameter (or the time ``t``), or a port that
    names no dissipator.

    Examples
    --------
    >>> from qderive.symbolic import BosonMode, declare
    >>> p = declare([("omega", "mode frequency", "rad/s"), ("kappa", "energy decay rate", "rad/s")])
    >>> a = BosonMode("a").a
    >>> model = Model("cavity", (BosonMode("a"),), p["omega"].symbol * a.dag() * a,
    ...               (Dissipator(p["kappa"].symbol, a, "kappa"),), p)
    >>> print(model)
    Model 'cavity' of a (mode)
      H = omega a^+ a
      kappa D[a]  (channel kappa)
      parameters: omega [rad/s], kappa [rad/s]
    >>> Model("bad", (BosonMode("a"),), sp.I * a, (), p)  # i a is not Hermitian
    Traceback (most recent call last):
    ...
    qderive.symbolic.errors.ModelError: model 'bad': the Hamiltonian is not Hermitian; H - H^+ = I a + I a^+
    """

    name: str
    subsystems: tuple[Subsystem, ...]
    hamiltonian: Op
    dissipators: tuple[Dissipator, ...] = ()
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    ports: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "subsystems", tuple(self.subsystems))
        object.__setattr__(self, "dissipators", tuple(self.dissipators))
        object.__setattr__(self, "ports", tuple(self.ports))
        self._check_subsystems()
        self._check_symbols()
        self._check_hermitian()
        self._check_rates()
        channels = [d.channel for d in self.dissipators]
        duplicated = {c for c in channels if channels.count(c) > 1}
        if duplicated:
            raise ModelError(f"model '{self.name}': dissipation channel names repeat: {sorted(duplicated)}")
        for port in self.ports:
            if port not in channels:
                raise ModelError(f"model '{self.name}': port '{port}' names no dissipator; channels are {channels}")

    # -- validation -----------------------------------------------------------------------
    def _check_subsystems(self) -> None:
        names = [s.name for s in self.subsystems]
        if len(set(names)) != len(names):
            raise ModelError(f"model '{self.name}': subsystem names must be distinct, got {names}")
        for s in self.subsystems:
            if isinstance(s, InputField):
                raise ModelError(
                    f"model '{self.name}': input field '{s.name}' is not a subsystem; declare a dissipator"
                )
        declared = set(self.subsystems)
        for where, op in self._operators():
            for system in op.subsystems() - declared:
                raise ModelError(
                    f"model '{self.name}': {where} acts on subsystem '{system.name}', which the model does "
                    f"not declare; add it to subsystems (declared: {names})"
                )

    def _operators(self) -> Iterable[tuple[str, Op]]:
        yield "the Hamiltonian", self.hamiltonian
        for d in self.dissipators:
            yield f"dissipator '{d.channel}'", d.operator

    def _check_symbols(self) -> None:
        declared = {p.symbol for p in self.parameters.values()} | {TIME}
        same_name = {p.name for p in self.parameters.values()}
        used: set[sp.Symbol] = set(self.hamiltonian.free_symbols)
        for d in self.dissipators:
            used |= d.operator.free_symbols | sp.sympify(d.rate).free_symbols
        for symbol in sorted(used - declared, key=str):
            hint = (
                "its assumptions differ from the declared parameter of that name"
                if symbol.name in same_name
                else "declare it as a Parameter of the model"
            )
            raise ModelError(f"model '{self.name}': unknown symbol '{symbol}'; {hint}")

    def _check_hermitian(self) -> None:
        residual = (self.hamiltonian - self.hamiltonian.dag()).expand()
        if not residual.is_zero():
            raise ModelError(f"model '{self.name}': the Hamiltonian is not Hermitian; H - H^+ = {residual}")

    def _check_rates(self) -> None:
        for d in self.dissipators:
            rate = sp.sympify(d.rate)
            if rate.has(sp.oo, sp.zoo, sp.nan):
                raise ModelError(f"model '{self.name}': rate of channel '{d.channel}' is not finite: {rate}")
            if rate.is_extended_nonnegative:
                continue
            if rate.is_extended_negative or (rate.is_number and rate.is_real is False):
                raise ModelError(f"model '{self.name}': rate of channel '{d.channel}' is negative or complex: {rate}")
            raise ModelError(
                f"model '{self.name}': rate of channel '{d.channel}' ({rate}) is not provably non-negative; "
                "declare its parameters positive or nonnegative"
            )

    # -- accessors ------------------------------------------------------------------------
    def subsystem(self, name: str) -> Subsystem:
        """The subsystem called ``name``; a :class:`ModelError` lists the names if there is none.

        Examples
        --------
        >>> from qderive.symbolic.library import jaynes_cummings
        >>> jaynes_cummings().subsystem("s").levels
        ('g', 'e')
        """
        for s in self.subsystems:
            if s.name == name:
                return s
        raise ModelError(f"model '{self.name}' has no subsystem '{name}'; it has {[s.name for s in self.subsystems]}")

    @property
    def modes(self) -> tuple[BosonMode, ...]:
        """The bosonic modes of the model, in the order of ``subsystems``.

        Examples
        --------
        >>> from qderive.symbolic.library import optomechanical_chain
        >>> [m.name for m in optomechanical_chain().modes]
        ['a', 'b', 'c']
        """
        return tuple(s for s in self.subsystems if isinstance(s, BosonMode))

    @property
    def level_systems(self) -> tuple[NLevelSystem, ...]:
        """The n-level systems of the model, in the order of ``subsystems``.

        Examples
        --------
        >>> from qderive.symbolic.library import jaynes_cummings
        >>> [s.dimension for s in jaynes_cummings().level_systems]
        [2]
        """
        return tuple(s for s in self.subsystems if isinstance(s, NLevelSystem))

    def dissipator(self, channel: str) -> Dissipator:
        """The dissipator of one channel; a :class:`ModelError` lists the channels if there is none.

        Examples
        --------
        >>> from qderive.symbolic.library import thermal_oscillator
        >>> print(thermal_oscillator().dissipator("bath_up"))
        kappa*n_th D[a^+]
        """
        for d in self.dissipators:
            if d.channel == channel:
                return d
        raise ModelError(
            f"model '{self.name}' has no channel '{channel}'; channels: {[d.channel for d in self.dissipators]}"
        )

    def output_field(self, channel: str) -> Op:
        """``c_out = c_in - i sqrt(gamma) L`` of a port (input-output relation).

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> driven_cavity().output_field("kappa")  # c_out = c_in - i sqrt(kappa) a
        -I*sqrt(kappa) a + kappa_in
        """
        if channel not in self.ports:
            raise ModelError(f"model '{self.name}': '{channel}' is not a port; ports are {list(self.ports)}")
        d = self.dissipator(channel)
        return d.input_field - sp.I * sp.sqrt(d.rate) * d.operator

    def parameter_set(self, values: Mapping[str, complex | float]) -> ParameterSet:
        """Validated numbers for this model's parameters.

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> ps = driven_cavity().parameter_set({"Delta": 0.0, "E": 0.5, "kappa": 1.0})
        >>> ps["kappa"]
        1.0
        >>> driven_cavity().parameter_set({"Delta": 0.0, "E": 0.5, "kappa": 0.0})
        Traceback (most recent call last):
        ...
        qderive.symbolic.errors.ParameterError: 'kappa' must be positive (energy decay rate), got 0.0 rad/s
        """
        return ParameterSet(tuple(self.parameters.values()), values)

    # -- printing -------------------------------------------------------------------------
    def _subsystem_text(self) -> str:
        def describe(s: Subsystem) -> str:
            if isinstance(s, NLevelSystem):
                return f"{s.name} (levels {', '.join(map(str, s.levels))})"
            return f"{s.name} (mode)"

        return ", ".join(describe(s) for s in self.subsystems)

    def _sympystr(self, printer: Any) -> str:
        lines = [f"Model '{self.name}' of {self._subsystem_text()}", f"  H = {printer._print(self.hamiltonian)}"]
        for d in self.dissipators:
            port = ", port" if d.channel in self.ports else ""
            lines.append(f"  {printer._print(d)}  (channel {d.channel}{port})")
        if self.parameters:
            described = ", ".join(f"{p.name} [{p.unit}]" if p.unit else p.name for p in self.parameters.values())
            lines.append(f"  parameters: {described}")
        return "\n".join(lines)

    def _latex_equations(self, printer: Any) -> list[str]:
        r"""``H = ...`` and the master equation, as lines of a LaTeX ``aligned`` block (``&=`` aligned)."""
        rho = sp.Symbol("rho")
        terms = "".join(rf" + {printer._print(d)}{printer._print(rho)}" for d in self.dissipators)
        return [
            rf"H &= {printer._print(self.hamiltonian)}",
            rf"\dot{{\rho}} &= -i\left[H, \rho\right]{terms}",
        ]

    def _latex(self, printer: Any) -> str:
        title = latex_text(f"model '{self.name}'")
        return r"\begin{aligned}" + rf"&{title}\\ " + r"\\ ".join(self._latex_equations(printer)) + r"\end{aligned}"

    def _pretty_equations(self, printer: Any) -> list[prettyForm]:
        """``H = ...`` and the master equation as pretty forms, one per line."""
        rho = "\N{GREEK SMALL LETTER RHO}" if printer._use_unicode else "rho"
        equation = pretty_text(printer, f"d{rho}/dt = -i[H, {rho}]")
        for d in self.dissipators:
            equation = pretty_text(printer, equation, " + ", d, rho)
        return [pretty_text(printer, "H = ", self.hamiltonian), equation]

    def _pretty(self, printer: Any) -> prettyForm:
        title = prettyForm(f"model '{self.name}' of {self._subsystem_text()}")
        return pretty_lines([title, *self._pretty_equations(printer)])

    def __str__(self) -> str:
        return str(sp.sstr(self))

    def _repr_latex_(self) -> str:
        return repr_latex(self)

    def replace(self, **changes: object) -> Model:
        """A copy with some fields replaced (validated again).

        Examples
        --------
        >>> from qderive.symbolic.library import driven_cavity
        >>> model = driven_cavity()
        >>> closed = model.replace(name="closed_cavity", dissipators=(), ports=())
        >>> closed.name, len(closed.dissipators), len(model.dissipators)
        ('closed_cavity', 0, 1)
        """
        fields = dict(
            name=self.name,
            subsystems=self.subsystems,
            hamiltonian=self.hamiltonian,
            dissipators=self.dissipators,
            parameters=self.parameters,
            ports=self.ports,
        )
        fields.update(changes)
        return Model(**fields)  # type: ignore[arg-type]
