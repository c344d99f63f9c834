"""One methodology per test table, with figures an analyst can redo by hand."""

from decimal import Decimal

import pytest
from pricing_builders import D, claim, contract, cpt, line, price, rev, revenue
from reimbursement_engine.domain.pricing import (
    Capitation,
    CaseRate,
    CodeSystem,
    FeeSchedule,
    FeeScheduleRate,
    FeeScheduleRow,
    Included,
    LevelOfCare,
    LineStatus,
    LocalityKey,
    MedicareReference,
    MsDrg,
    Outlier,
    PaymentTerm,
    PercentOfCharges,
    PercentOfMedicare,
    PerDiem,
    ServiceCategory,
    StepKind,
    codes,
)

CPT = CodeSystem.CPT_HCPCS
ALL_CPT = cpt("professional", "00100-99499")
SCHEDULE = FeeSchedule(
    "commercial 2025",
    (
        FeeScheduleRow(CPT, "99213", D("85.00")),
        FeeScheduleRow(CPT, "99213", D("95.00"), place_of_service="11"),
        FeeScheduleRow(CPT, "99214", D("131.25")),
    ),
)


@pytest.mark.parametrize(
    ("code", "units", "pos", "expected", "source"),
    [
        ("99213", "1", "11", "95.00", "fee schedule row CPT/HCPCS 99213 POS 11: $95.00 x 1 unit(s)"),
        ("99213", "2", "11", "190.00", "fee schedule row CPT/HCPCS 99213 POS 11: $95.00 x 2 unit(s)"),
        ("99213", "1", "12", "85.00", "fee schedule row CPT/HCPCS 99213: $85.00 x 1 unit(s)"),
        ("99214", "3", "11", "393.75", "fee schedule row CPT/HCPCS 99214: $131.25 x 3 unit(s)"),
    ],
)
def test_fee_schedule_rate_times_units(code: str, units: str, pos: str, expected: str, source: str) -> None:
    term = PaymentTerm("E/M", ALL_CPT, FeeScheduleRate(SCHEDULE))
    priced = price(claim(line(code, units=units), pos=pos), contract(term))
    (result,) = priced.lines
    assert (result.status, result.expected_allowed) == (LineStatus.PRICED, D(expected))
    assert result.steps[1].text == source
    assert result.steps[0].text == "term E/M: professional (CPT/HCPCS 00100-99499)"


def test_fee_schedule_without_a_row_is_unpriced_not_zero_silently() -> None:
    term = PaymentTerm("E/M", ALL_CPT, FeeScheduleRate(SCHEDULE))
    (result,) = price(claim(line("99215")), contract(term)).lines
    assert result.status is LineStatus.UNPRICED
    assert "no row for CPT/HCPCS 99215 on 2025-03-14" in result.steps[-1].text


@pytest.mark.parametrize(
    ("code", "pos", "percent", "units", "expected"),
    [
        ("99213", "11", "140", "1", "129.70"),  # 140% x 92.64 (Bakersfield non-facility) = 129.696
        ("99213", "22", "140", "1", "91.08"),  # 140% x 65.06 (facility) = 91.084
        ("99213", "11", "100", "2", "185.28"),  # 100% x 92.64 x 2
        # 99214: (1.92*1.017 + 1.80*1.093 + 0.15*0.662) x 32.3465 = 130.01; x 125% = 162.5125
        ("99214", "11", "125", "1", "162.51"),
    ],
)
def test_percent_of_medicare(
    medicare: MedicareReference, code: str, pos: str, percent: str, units: str, expected: str
) -> None:
    term = PaymentTerm("pro", ALL_CPT, PercentOfMedicare(D(percent), LocalityKey("01112", "54")))
    (result,) = price(claim(line(code, units=units), pos=pos), contract(term), medicare).lines
    assert result.expected_allowed == D(expected)
    assert "Medicare CY2025 RVU25D locality 01112-54 " + code in result.steps[1].text


def test_percent_of_medicare_claim_locality_wins_and_text_reads(
    medicare: MedicareReference,
) -> None:
    term = PaymentTerm("pro", ALL_CPT, PercentOfMedicare(D(140), LocalityKey("01112", "54")))
    c = claim(line("99213"), medicare_locality=LocalityKey("13202", "01"))
    (result,) = price(c, contract(term), medicare).lines
    assert result.expected_allowed == D("141.48")  # 140% x 101.06 (Manhattan) = 141.484
    assert result.steps[1].text == (
        "140% x Medicare CY2025 RVU25D locality 13202-01 99213 non-facility $101.06 x 1 unit(s)"
    )


def test_percent_of_medicare_for_a_code_without_rvus_is_unpriced(
    medicare: MedicareReference,
) -> None:
    term = PaymentTerm("pro", cpt("all", "A0000-V9999"), PercentOfMedicare(D(140)))
    (result,) = price(claim(line("G0008")), contract(term), medicare).lines
    assert result.status is LineStatus.UNPRICED
    assert result.steps[-1].text == "G0008 has Medicare status X: no fee schedule amount"


def test_percent_of_medicare_without_a_locality_prices_nationally_with_a_flag(
    medicare: MedicareReference,
) -> None:
    term = PaymentTerm("pro", ALL_CPT, PercentOfMedicare(D(100)))
    priced = price(claim(line("99213", charge="200")), contract(term), medicare)
    assert priced.lines[0].expected_allowed == D("88.95")
    assert "national GPCIs used" in priced.flags[0]


def test_percent_of_medicare_flags_a_non_facility_na_code(medicare: MedicareReference) -> None:
    term = PaymentTerm("pro", ALL_CPT, PercentOfMedicare(D(100)))
    priced = price(claim(line("27447", charge="9000")), contract(term), medicare)
    assert priced.lines[0].expected_allowed == D("1257.63")
    assert priced.flags[-1] == "line 1 27447: Medicare has no non-facility rate (NA)"


@pytest.mark.parametrize(
    ("charge", "percent", "expected"),
    [("1234.56", "60", "740.74"), ("1000.00", "45.5", "455.00"), ("0.01", "50", "0.01")],
)
def test_percent_of_billed_charges(charge: str, percent: str, expected: str) -> None:
    term = PaymentTerm("outpatient", revenue("all", "0001-0999"), PercentOfCharges(D(percent)))
    (result,) = price(claim(rev("0450", charge)), contract(term)).lines
    assert result.expected_allowed == D(expected)


PER_DIEM = PerDiem(
    (
        LevelOfCare("med/surg", codes("0110-0179"), D("2100.00")),
        LevelOfCare("ICU", codes("0200-0209"), D("4500.00")),
    )
)


def test_per_diem_by_level_of_care_with_ancillaries_included() -> None:
    terms = contract(
        PaymentTerm("inpatient days", revenue("room and board", "0100-0219"), PER_DIEM),
        PaymentTerm("ancillaries", revenue("ancillary", "0220-0999"), Included("the per diem")),
    )
    c = claim(rev("0120", "9000", units="3"), rev("0200", "12000", units="2"), rev("0250", "800"), pos=None)
    priced = price(c, terms)
    assert [ln.expected_allowed for ln in priced.lines] == [D("6300.00"), D("9000.00"), D(0)]
    assert priced.lines[2].status is LineStatus.INCLUDED
    assert priced.expected_allowed == D("15300.00")
    assert priced.lines[1].steps[1].text.startswith("per diem ICU (revenue code 0200)")


def test_per_diem_without_a_level_is_unpriced() -> None:
    terms = contract(PaymentTerm("days", revenue("r&b", "0100-0219"), PER_DIEM))
    (result,) = price(claim(rev("0190", units="2"), pos=None), terms).lines
    assert result.status is LineStatus.UNPRICED


@pytest.mark.parametrize(
    ("charges", "expected_case"),
    [
        (("40000", "3000"), "18000.00"),  # under the outlier threshold
        (("52000", "8000"), "22000.00"),  # 18,000 + 40% x (60,000 - 50,000)
    ],
)
def test_case_rate_one_payment_for_the_claim(charges: tuple[str, str], expected_case: str) -> None:
    term = PaymentTerm(
        "knee replacement case",
        cpt("TKA", "27447"),
        CaseRate(D("18000.00"), Outlier(D("50000"), D(40))),
    )
    c = claim(line("27447", charges[0]), line("01402", charges[1]), pos="22")
    priced = price(c, contract(term))
    assert [ln.status for ln in priced.lines] == [LineStatus.INCLUDED] * 2
    assert [ln.expected_allowed for ln in priced.lines] == [D(0), D(0)]
    (case,) = priced.cases
    assert case.expected_allowed == D(expected_case)
    assert priced.expected_allowed == D(expected_case)


@pytest.mark.parametrize(
    ("drg", "charges", "expected"),
    [
        ("470", "60000", "12350.00"),  # 1.9000 x 6,500.00
        ("470", "130000", "27350.00"),  # + 50% x (130,000 - 100,000)
        ("291", "20000", "8671.00"),  # 1.3340 x 6,500.00
    ],
)
def test_ms_drg_weight_times_base_rate_plus_outlier(drg: str, charges: str, expected: str) -> None:
    term = PaymentTerm(
        "inpatient DRG",
        ServiceCategory("inpatient", CodeSystem.MS_DRG),
        MsDrg(D("6500.00"), {"470": D("1.9000"), "291": D("1.3340")}, Outlier(D(100000), D(50))),
    )
    priced = price(claim(rev("0120", charges, units="3"), pos=None, drg=drg), contract(term))
    assert priced.lines[0].status is LineStatus.INCLUDED
    assert priced.expected_allowed == D(expected)
    assert priced.cases[0].steps[1].text.startswith(f"MS-DRG {drg} relative weight")


def test_ms_drg_without_a_weight_is_flagged() -> None:
    term = PaymentTerm("DRG", ServiceCategory("inpatient", CodeSystem.MS_DRG), MsDrg(D("6500"), {}))
    priced = price(claim(rev("0120", "100"), pos=None, drg="999"), contract(term))
    assert priced.expected_allowed == 0
    assert priced.flags == ("DRG: no relative weight for MS-DRG 999",)


def test_capitated_lines_price_at_zero_with_a_reason() -> None:
    term = PaymentTerm("primary care capitation", cpt("E/M", "99202-99215"), Capitation(D("42.50")))
    (result,) = price(claim(line("99213", "150")), contract(term)).lines
    assert (result.status, result.expected_allowed) == (LineStatus.CAPITATED, Decimal(0))
    assert result.steps[-1].kind is StepKind.CAPITATED
    assert result.steps[-1].text == "capitated: paid $42.50 PMPM outside claims, 0 per claim"
