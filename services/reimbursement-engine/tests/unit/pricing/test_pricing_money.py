from decimal import Decimal

import pytest
from reimbursement_engine.domain.pricing import round_half_up, to_cents
from reimbursement_engine.domain.pricing.money import dec, fmt_money, fmt_percent, percent_of


@pytest.mark.parametrize(
    ("amount", "places", "expected"),
    [
        ("88.952875", 2, "88.95"),
        ("63.722605", 2, "63.72"),
        ("0.005", 2, "0.01"),  # half goes up, not to even
        ("0.015", 2, "0.02"),
        ("0.025", 2, "0.03"),
        ("-0.005", 2, "-0.01"),  # half away from zero
        ("1.23456", 4, "1.2346"),
        ("2.5", 0, "3"),
    ],
)
def test_round_half_up(amount: str, places: int, expected: str) -> None:
    assert round_half_up(Decimal(amount), places) == Decimal(expected)


def test_to_cents_rounds_half_up() -> None:
    assert to_cents(Decimal("129.696")) == Decimal("129.70")
    assert to_cents(Decimal("21.995")) == Decimal("22.00")


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [("92.64", "140", "129.696"), ("1234.56", "60", "740.736"), ("100", "40.5", "40.5")],
)
def test_percent_of_takes_whole_number_percentages(amount: str, percent: str, expected: str) -> None:
    assert percent_of(Decimal(amount), Decimal(percent)) == Decimal(expected)


def test_dec_refuses_float() -> None:
    assert dec("1.10") == Decimal("1.10")
    assert dec(3) == Decimal(3)
    with pytest.raises(TypeError):
        dec(1.1)  # type: ignore[arg-type]


@pytest.mark.parametrize(("amount", "text"), [("1234.5", "$1,234.50"), ("-12", "-$12.00"), ("0", "$0.00")])
def test_fmt_money(amount: str, text: str) -> None:
    assert fmt_money(Decimal(amount)) == text


def test_fmt_percent() -> None:
    assert fmt_percent(Decimal("140")) == "140%"
    assert fmt_percent(Decimal("3.50")) == "3.5%"
    assert fmt_percent(Decimal("3.5")) == "3.5%"  # the same value, remembered
    assert fmt_percent(Decimal("1E+2")) == "100%"
    assert fmt_percent(Decimal("100")) == "100%"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("95.48", "$95.48"),
        ("95.480000", "$95.48"),  # equal values read the same, whichever was formatted first
        ("-386.13", "-$386.13"),
        ("1234567", "$1,234,567.00"),
        ("-0.00", "$0.00"),
        ("0.1", "$0.10"),
    ],
)
def test_fmt_money_reads_like_an_analyst_writes(amount: str, expected: str) -> None:
    assert fmt_money(Decimal(amount)) == expected
