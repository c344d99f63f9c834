"""Medicare ASC payment from the CMS addenda (rows in data/cms/asc): national rates, releases by
quarter, wage adjustment, device-intensive procedures, modifiers, packaging, exclusions and
multiple procedure discounting. Figures checked by hand (see each table)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.pricing import LineStatus
from reimbursement_engine.domain.pricing.asc import ASC_CONVERSION_FACTORS
from reimbursement_engine.domain.pricing.schedules import in_force
from schedule_builders import line, price, reference, schedules

D = Decimal
MEDICARE = reference()


@pytest.mark.parametrize(
    ("on", "code", "weight", "rate"),
    [
        # CMS's published national rates = round(weight x conversion factor, 2)
        (date(2025, 3, 14), "0101T", "2.3486", "128.93"),  # 2.3486 x 54.895 = 128.927
        (date(2025, 3, 14), "45378", "8.9164", "489.47"),  # 8.9164 x 54.895 = 489.466
        (date(2026, 3, 10), "31626", "43.5180", "2451.02"),  # 43.5180 x 56.322 = 2,451.017
        (date(2026, 3, 10), "27447", "166.7760", "9393.16"),
    ],
)
def test_national_rate_is_weight_times_conversion_factor(on: date, code: str, weight: str, rate: str) -> None:
    release = in_force(schedules().asc, on)
    assert release is not None
    row = release.codes[code]
    assert (row.weight, row.rate) == (D(weight), D(rate))
    cf = ASC_CONVERSION_FACTORS[on.year]
    assert (D(weight) * cf).quantize(D("0.01")) == D(rate)
    priced = price([line(1, code, on)], "ASC", MEDICARE)  # no CBSA: the national rate
    assert priced.lines[0].expected_allowed == D(rate)


def test_conversion_factors() -> None:
    assert {2025: D("54.895"), 2026: D("56.322")} == ASC_CONVERSION_FACTORS


@pytest.mark.parametrize(
    ("on", "code", "expected", "release"),
    [
        # 0446T: $981.09 in January 2025, $1,744.96 from the April 2025 release on
        (date(2025, 3, 31), "0446T", "981.09", "ASC January 2025 release"),
        (date(2025, 4, 1), "0446T", "1744.96", "ASC April 2025 release"),
        (date(2025, 8, 5), "0446T", "1744.96", "ASC July 2025 release"),
        # 0950T first appears on the July 2025 Addendum AA
        (date(2025, 8, 5), "0950T", "7281.67", "ASC July 2025 release"),
    ],
)
def test_a_later_quarter_supersedes_from_its_effective_date(
    on: date, code: str, expected: str, release: str
) -> None:
    priced = price([line(1, code, on)], "ASC", MEDICARE)
    assert priced.lines[0].expected_allowed == D(expected)
    assert release in priced.explain()


def test_a_code_not_yet_on_the_addenda_is_unpriced_with_the_release() -> None:
    priced = price([line(1, "0950T", date(2025, 3, 14))], "ASC", MEDICARE)
    assert priced.lines[0].status is LineStatus.UNPRICED
    assert (
        priced.lines[0].unpriced_reason == "0950T is not on Addendum AA or BB of the ASC January 2025 release"
    )


# CY2026 ASC wage index, CBSA 19124 (Dallas-Plano-Irving): 0.9639 -> factor 0.5 x 0.9639 + 0.5 = 0.98195
@pytest.mark.parametrize(
    ("code", "modifiers", "expected", "why"),
    [
        ("45378", (), "501.28", "510.49 x 0.98195 = 501.275"),
        # device-intensive J8: device portion 5,594.25 not adjusted: 5,594.25 + 3,798.91 x 0.98195
        ("27447", (), "9324.59", "5,594.25 + 3,730.34"),
        ("27447", ("FB",), "3730.34", "9,324.59 - the device offset 5,594.25"),
        ("27447", ("FC",), "6527.46", "9,324.59 - 50% of 5,594.25 (2,797.13)"),
        ("27447", ("73",), "1865.17", "(9,324.59 - 5,594.25) x 50%"),
        ("27447", ("74",), "9324.59", "discontinued after anesthesia: full"),
        ("45378", ("73",), "250.64", "501.28 x 50%"),
        ("45378", ("52",), "250.64", "501.28 x 50%"),
    ],
)
def test_wage_adjustment_device_portion_and_modifiers(
    code: str, modifiers: tuple[str, ...], expected: str, why: str
) -> None:
    priced = price([line(1, code, date(2026, 3, 10), *modifiers)], "ASC", MEDICARE, site_cbsa="19124")
    assert priced.lines[0].expected_allowed == D(expected), why


def test_two_discountable_procedures_and_a_device_intensive_one_at_180_percent() -> None:
    on = date(2026, 3, 10)
    lines = [line(1, "29881", on), line(2, "27447", on), line(3, "64483", on)]
    priced = price(lines, "ASC", MEDICARE, percent="180", site_cbsa="19124")
    # Medicare: 27447 9,324.59 (#1, 100%); 29881 1,615.18 - 807.59 (#2, 50%); 64483 476.75 - 238.38
    amounts = [(p.code, p.expected_allowed) for p in priced.lines]
    assert amounts == [("29881", D("1453.66")), ("27447", D("16784.26")), ("64483", D("429.07"))]
    assert priced.expected_allowed == D("18666.99")
    text = priced.explain()
    assert (
        "CY2026 ASC wage index 0.9639 (CBSA 19124): $5,594.25 + $3,798.91 x (0.5 x 0.9639 + 0.5) = $9,324.59"
        in text
    )
    assert "ranked #2 at 50% (-$807.59)" in text
    assert (
        "180% x Medicare ASC payment $807.59 (ASC January 2026 release: $1,615.18 x 1 unit(s) - $807.59"
        in text
    )


def test_packaged_items_are_zero_with_the_reason_and_excluded_codes_are_refused() -> None:
    on = date(2026, 3, 10)
    lines = [line(1, "29881", on), line(2, "0214T", on), line(3, "33533", on)]
    priced = price(lines, "ASC", MEDICARE, site_cbsa="19124")
    packaged, excluded = priced.lines[1], priced.lines[2]
    assert (packaged.status, packaged.expected_allowed) == (LineStatus.INCLUDED, D("0"))
    assert "payment indicator N1 (Addendum AA): packaged, no separate payment" in priced.explain()
    assert excluded.status is LineStatus.NOT_COVERED
    assert excluded.unpriced_reason == "33533 is on Addendum EE: not payable in an ASC"


def test_an_ambiguous_cbsa_of_the_2025_wage_index_is_not_guessed() -> None:
    priced = price([line(1, "45378", date(2025, 3, 14))], "ASC", MEDICARE, site_cbsa="01")
    assert priced.lines[0].status is LineStatus.UNPRICED
    assert priced.lines[0].unpriced_reason == (
        "CBSA 01 is listed 2 times in the CY2025 ASC wage index with different values (0.6471, 0.7158): not guessed"
    )


def test_without_a_cbsa_the_national_rate_is_used_and_said() -> None:
    priced = price([line(1, "45378", date(2025, 3, 14))], "ASC", MEDICARE)
    assert priced.lines[0].expected_allowed == D("489.47")
    assert "no CBSA for the surgery center: national rate, not wage-adjusted" in priced.explain()


@pytest.mark.parametrize(
    ("units", "expected", "text"),
    [
        # the second unit of a discountable procedure is another procedure: 489.47 + 50% (244.74)
        ("2", "734.20", "$489.47 x 2 unit(s) - $244.74 discounting"),
        ("1.00", "489.47", "$489.47 x 1 unit(s))"),  # units as stored read the same
    ],
)
def test_units(units: str, expected: str, text: str) -> None:
    priced = price([line(1, "45378", date(2025, 3, 14), units=units)], "ASC", MEDICARE)
    assert priced.lines[0].expected_allowed == D(expected)
    assert text in priced.explain()
