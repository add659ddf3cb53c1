"""Parameters declare units in one vocabulary; anything else is refused by name when declared."""

import pytest

from qderive import QderiveError
from qderive.symbolic import Parameter, ParameterError, UnitError, check_unit, declare, unit_suffix


@pytest.mark.parametrize(
    "unit", ["rad/s", "1/s", "m", "K", "T^2", "1/m^3", "m^-3", "J/K", "kg m^2/s^2", "rad", "Hz", "Hz**0.5", "W"]
)
def test_si_units_are_accepted_unchanged(unit):
    assert check_unit(unit) == unit
    assert Parameter("x", "test", unit).unit == unit


@pytest.mark.parametrize("unit", ["", "1", " 1 "])
def test_dimensionless_is_stored_as_empty_and_shown_without_a_one(unit):
    p = Parameter("ratio", "a dimensionless ratio", unit)
    assert p.unit == "" and unit_suffix(p.unit) == "" and unit_suffix("1") == ""
    with pytest.raises(ParameterError) as error:
        p.check(-1.0)
    assert str(error.value).endswith("got -1.0")  # no trailing ' 1'
    assert unit_suffix("rad/s") == " rad/s"


@pytest.mark.parametrize(
    ("unit", "named"),
    [("MHz", "rad/s"), ("kHz", "rad/s"), ("rad/sec", "'sec'"), ("nm", "'nm'"), ("meter", "'meter'"),
     ("m^(1/2)", "cannot read"), ("m^", "cannot read")],
)
def test_units_outside_the_vocabulary_are_refused_naming_the_parameter(unit, named):
    with pytest.raises(UnitError) as error:
        declare([("r", "a length", unit)])
    message = str(error.value)
    assert message.startswith("parameter 'r':") and named in message
    assert isinstance(error.value, QderiveError) and isinstance(error.value, ParameterError)
