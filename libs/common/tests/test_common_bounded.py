"""The bounded patterns admit exactly the values within their bound (issue 13, item 8): every plain
decimal up to the bound with at most six places, nothing above it, and, for dates, every day of the
years and no other. Checked by Python's re and by the JSON Schema validator schemathesis uses."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from decimal import Decimal

import jsonschema_rs
import pytest
from accord_common.web.bounded import bounded, date_pattern, decimal_pattern

D = Decimal


@pytest.mark.parametrize(
    ("upper", "positive", "admitted", "refused"),
    [
        # percentages: above 0 up to 1000 (a contract's MAX_PERCENT)
        (
            D(1000),
            True,
            ["1000", "1000.000000", "999.999999", "0.000001", "1", "150.5"],
            ["0", "0.0", "1000.000001", "1001", "10000", "-5", "1e3", "0150", "1.1234567", ".5", "5."],
        ),
        # a share: 0 to 100
        (
            D(100),
            False,
            ["0", "0.000000", "100", "100.0", "50", "99.999999"],
            ["100.000001", "101", "-0.5", ""],
        ),
        # money: 0 to 9999999.99 (a contract's MAX_MONEY)
        (
            D("9999999.99"),
            False,
            ["9999999.99", "9999999.990000", "9999999.989999", "9999999.9", "9999998.999999", "0"],
            ["9999999.990001", "9999999.991", "10000000", "99999999"],
        ),
    ],
)
def test_an_amount_pattern_admits_the_values_within_its_bound(
    upper: Decimal, positive: bool, admitted: list[str], refused: list[str]
) -> None:
    pattern = decimal_pattern(upper, positive=positive)
    assert [value for value in admitted if not re.search(pattern, value)] == []
    assert [value for value in refused if re.search(pattern, value)] == []


def _spellings(upper: Decimal) -> list[str]:
    """Decimals around 0, the bound and the powers of ten below it, with 0 to 7 places."""
    wholes = {0, 1, 9, 10, int(upper) - 1, int(upper), int(upper) + 1, 10 * int(upper)}
    wholes |= {10**power - 1 for power in range(len(str(int(upper))) + 1)}
    fractions = ["", "0", "00", "000000", "9", "99", "990000", "990001", "999999", "000001", "5", "0000001"]
    return [f"{whole}.{tail}" if tail else str(whole) for whole, tail in itertools.product(wholes, fractions)]


@pytest.mark.parametrize(("upper", "positive"), [(D(1000), True), (D(100), False), (D("9999999.99"), False)])
def test_an_amount_pattern_agrees_with_the_bound_for_every_spelling_near_it(
    upper: Decimal, positive: bool
) -> None:
    pattern = decimal_pattern(upper, positive=positive)
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    for text in _spellings(upper):
        value, places = D(text), len(text.partition(".")[2])
        within = (value > 0 if positive else value >= 0) and value <= upper and places <= 6
        assert bool(re.search(pattern, text)) == within, text
        assert validator.is_valid(text) == within, text


def test_the_schema_offers_a_whole_number_within_the_bound_too() -> None:
    schema = bounded(D("9999999.99"), description="Dollars").json_schema
    assert schema is not None
    assert schema["anyOf"][0] == {"type": "integer", "minimum": 0, "maximum": 9999999}
    assert bounded(D(1000), positive=True, description="%").json_schema["anyOf"][0]["minimum"] == 1  # type: ignore[index]


def test_a_date_pattern_admits_every_day_of_its_years_and_no_other() -> None:
    pattern = date_pattern(date(1990, 1, 1), date(2100, 12, 31))
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    day = date(1985, 1, 1)
    while day <= date(2105, 12, 31):
        within = date(1990, 1, 1) <= day <= date(2100, 12, 31)
        assert bool(re.search(pattern, day.isoformat())) == within, day
        day += timedelta(days=1)
    assert validator.is_valid("2096-02-29") and validator.is_valid("2000-02-29")
    for not_a_day in [
        "2100-02-29",
        "1990-02-29",
        "2026-02-30",
        "2026-04-31",
        "2026-13-01",
        "2026-00-10",
        "2026-1-1",
    ]:
        assert not re.search(pattern, not_a_day), not_a_day
        assert not validator.is_valid(not_a_day), not_a_day


def test_a_bound_the_pattern_cannot_spell_is_refused() -> None:
    with pytest.raises(ValueError, match="not a bound"):
        decimal_pattern(D("0.5"))
    with pytest.raises(ValueError, match="whole years"):
        date_pattern(date(1990, 6, 1), date(2100, 12, 31))
