"""Values with units (``--set r=10nm``): conversion to the declared unit, refusals, no code execution.

References: SI prefixes and unit definitions (1 nm = 1e-9 m, 1 deg = pi/180 rad, 1 us = 1e-6 s,
1 cm^-3 = 1e6 m^-3), omega = 2 pi f, and pint's own reading of each declared unit.
"""

import math

import pint
import pytest

from qderive import QderiveError
from qderive.derivations.registry import Registry
from qderive.derivations.units import parse_quantity
from qderive.symbolic import SI_SYMBOLS, UnitError

UREG = pint.get_application_registry()


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("10nm", "m", 10e-9),
        ("10 nm", "m", 10e-9),
        ("2*pi*1.2MHz", "rad/s", 2 * math.pi * 1.2e6),
        ("2 pi 1.2 MHz", "rad/s", 2 * math.pi * 1.2e6),
        ("2*pi*1.2MHz", "1/s", 2 * math.pi * 1.2e6),
        ("300K", "K", 300.0),
        ("1e6", "rad/s", 1e6),  # a plain number is already in the declared unit
        ("2*pi*1e6", "rad/s", 2 * math.pi * 1e6),
        ("5e6/s", "rad/s", 5e6),  # 1/s and rad/s are one unit (hbar = 1 convention)
        ("3e6 rad/s", "1/s", 3e6),
        ("90deg", "rad", math.pi / 2),
        ("pi/2 + 0.1", "rad", math.pi / 2 + 0.1),
        ("1us", "s", 1e-6),
        ("1/(2*pi*1MHz)", "s", 1 / (2 * math.pi * 1e6)),
        ("3.5e-3 T", "T", 3.5e-3),
        ("(2 mT)^2", "T^2", 4e-6),
        ("1.76e17 cm^-3", "1/m^3", 1.76e23),
        ("0.011", "", 0.011),
        ("0.5 rad", "", 0.5),
        ("-2*pi*3kHz", "rad/s", -2 * math.pi * 3e3),
        ("1kHz", "Hz", 1e3),  # a repetition rate declared in Hz takes Hz as they are
        ("1e3", "Hz", 1e3),
        ("6283.185307179586 rad/s/(2*pi)", "Hz", 1e3),
        ("4 Hz^0.5", "Hz^0.5", 4.0),
        ("planck_constant*1GHz", "J", 6.62607015e-34 * 1e9),  # exact SI value of h
        ("1e6+2e5j", "rad/s", 1e6 + 2e5j),  # complex-domain parameters
        ("2*pi*(1+2j) MHz", "rad/s", 2 * math.pi * (1e6 + 2e6j)),
    ],
)
def test_values_convert_to_the_declared_unit(text, unit, expected):
    value = parse_quantity(text, unit)
    assert value == pytest.approx(expected, rel=1e-14)
    assert isinstance(value, complex) == isinstance(expected, complex)


@pytest.mark.parametrize(
    ("text", "unit", "says"),
    [
        ("10 s", "m", "'10 s' has dimension [time] but r is declared in m ([length])"),
        ("300K", "rad/s", "dimension [temperature]"),
        ("1 nm^2", "m", "[length] ** 2"),
        ("1.2MHz", "rad/s", "cyclic frequency in Hz"),  # would be a silent factor 2 pi
        ("1.2MHz", "1/s", "write 2*pi*<value in Hz>"),
        ("1/MHz", "s", "without its 2*pi"),  # 1/f or 1/omega?
        ("2*pi*1kHz", "Hz", "declared in Hz (cycles per second)"),
        ("1e3/s", "Hz", "give it in Hz"),
        ("2*pi*1MHz + 1e6 rad/s", "rad/s", "mixes terms"),
        ("2*pi*1MHz + 1MHz", "rad/s", "mixes terms"),
        ("(pi + 1)*1MHz", "rad/s", "without its 2*pi"),
        ("10 parsecs_of_nothing", "m", "unknown unit"),
        ("27degC", "K", "cannot read"),  # offset units are ambiguous in products
        ("1/0", "1", "cannot read"),
        ("10**10**10", "1", "out of range"),
        ("1e400", "1", "not a finite number"),
        ("", "m", "cannot read"),
        ("True", "1", "not numbers"),
        ("1e400j", "1", "not a finite number"),
    ],
)
def test_bad_values_are_refused_by_name(text, unit, says):
    with pytest.raises(UnitError) as error:
        parse_quantity(text, unit, name="r")
    assert says in str(error.value) and str(error.value).startswith("r: ")
    assert isinstance(error.value, QderiveError)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch {marker}')",
        "().__class__.__bases__[0].__subclasses__()",
        "open('{marker}', 'w').write('x')",
        "exec(\"open('{marker}', 'w')\")",
        "m.__class__",
        "lambda: 1",
        "[1][0]",
        "1 if 1 else 2",
        "x := 1",
        "f'x'",
        "a" * 500,
    ],
)
def test_code_is_never_executed(text, tmp_path):
    marker = tmp_path / "executed"
    with pytest.raises(UnitError):
        parse_quantity(text.format(marker=marker), "1", name="x")
    assert not marker.exists()


def test_vocabulary_symbols_are_the_si_units_of_pint():
    """Each symbol of the vocabulary reads in pint as the coherent SI unit it names (factor exactly 1)."""
    expected = {"s": "second", "m": "meter", "kg": "kilogram", "A": "ampere", "K": "kelvin", "mol": "mole",
                "cd": "candela", "rad": "radian", "sr": "steradian", "N": "newton", "Pa": "pascal", "J": "joule",
                "W": "watt", "C": "coulomb", "V": "volt", "F": "farad", "ohm": "ohm", "S": "siemens",
                "Wb": "weber", "T": "tesla", "H": "henry", "Hz": "hertz"}
    assert set(expected) == SI_SYMBOLS
    for symbol, name in expected.items():
        assert UREG.parse_units(symbol) == UREG.parse_units(name), symbol
        assert UREG.Quantity(1.0, symbol).to_base_units().magnitude == pytest.approx(1.0, rel=1e-15)


REGISTRY = Registry.discover()


@pytest.mark.parametrize("name", REGISTRY.names())
def test_every_default_written_with_its_unit_reads_back(name):
    """What ``--set NAME=<default> <unit>`` gives is the default itself, for every parameter of every system."""
    system = REGISTRY.get(name)
    for p in system.parameters:
        default = system.defaults[p.name]
        assert parse_quantity(f"{default!r} {p.unit}", p.unit, p.name) == pytest.approx(default, rel=1e-15)
        assert parse_quantity(repr(default), p.unit, p.name) == default
