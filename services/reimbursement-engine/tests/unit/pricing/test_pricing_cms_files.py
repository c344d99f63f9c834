"""CY2025 CMS files: parsing, and Medicare allowed amounts an analyst can check on the CMS site."""

import io
from datetime import date
from decimal import Decimal

import pytest
from reimbursement_engine.domain.pricing import (
    LocalityKey,
    MedicareQuote,
    MedicareReference,
    MedicareYear,
    Setting,
    conversion_factor_for,
)
from reimbursement_engine.domain.pricing.medicare_files import (
    MedicareFileError,
    parse_gpci,
    parse_pprrvu,
)

CY2025 = date(2025, 6, 1)


def test_rvu_file_has_99213_with_its_published_rvus(cms_2025: MedicareYear) -> None:
    row = cms_2025.rvus[("99213", "")]
    assert (row.status, row.work, row.pe_non_facility, row.pe_facility, row.mp) == (
        "A",
        Decimal("1.30"),
        Decimal("1.35"),
        Decimal("0.57"),
        Decimal("0.10"),
    )
    assert len(cms_2025.rvus) == 19090
    assert cms_2025.rvus[("71046", "26")].work == Decimal("0.22")
    assert cms_2025.rvus[("27447", "")].non_facility_na


def test_gpci_file_has_109_localities_and_skips_preamble_and_footnotes(
    cms_2025: MedicareYear,
) -> None:
    assert len(cms_2025.gpcis) == 109
    bakersfield = cms_2025.gpcis[LocalityKey("01112", "54")]
    assert (bakersfield.name, bakersfield.work, bakersfield.pe, bakersfield.mp) == (
        "BAKERSFIELD",
        Decimal("1.017"),
        Decimal("1.093"),
        Decimal("0.662"),
    )


def _quote(
    medicare: MedicareReference,
    code: str,
    locality: LocalityKey | None,
    pos_setting: Setting,
    modifiers: tuple[str, ...] = (),
) -> MedicareQuote:
    quote = medicare.quote(code, modifiers, locality, pos_setting, CY2025)
    assert isinstance(quote, MedicareQuote), quote
    return quote


@pytest.mark.parametrize(
    ("code", "modifiers", "setting", "expected"),
    [
        ("99213", (), Setting.NON_FACILITY, "88.95"),  # 2.75 RVU x 32.3465
        ("99213", (), Setting.FACILITY, "63.72"),  # 1.97 RVU x 32.3465
        ("99214", (), Setting.NON_FACILITY, "125.18"),  # 3.87 RVU
        ("27447", (), Setting.FACILITY, "1257.63"),  # 38.88 RVU
        ("71046", (), Setting.NON_FACILITY, "32.67"),  # global 1.01 RVU
        ("71046", ("26",), Setting.NON_FACILITY, "10.03"),  # professional component 0.31 RVU
        ("71046", ("TC",), Setting.NON_FACILITY, "22.64"),  # technical component 0.70 RVU
        ("71046", ("LT", "26"), Setting.NON_FACILITY, "10.03"),  # 26 found among other modifiers
    ],
)
def test_national_amounts(
    medicare: MedicareReference,
    code: str,
    modifiers: tuple[str, ...],
    setting: Setting,
    expected: str,
) -> None:
    assert _quote(medicare, code, None, setting, modifiers).amount == Decimal(expected)


@pytest.mark.parametrize(
    ("mac", "locality", "non_facility", "facility"),
    [
        # (1.30*wGPCI + 1.35|0.57*peGPCI + 0.10*mpGPCI) * 32.3465, rounded half-up
        ("01112", "54", "92.64", "65.06"),  # Bakersfield 1.017 / 1.093 / 0.662
        ("13202", "01", "101.06", "71.64"),  # Manhattan 1.065 / 1.166 / 1.656
        ("02102", "01", "112.20", "84.92"),  # Alaska, work GPCI floor 1.5
        ("10112", "00", "81.86", "59.93"),  # Alabama 1 / 0.869 / 0.575
        ("06102", "16", "93.54", "67.73"),  # Chicago 1.007 / 1.023 / 2.018
        ("03602", "21", "88.11", "62.88"),  # Wyoming, PE GPCI frontier floor 1.0
    ],
)
def test_99213_by_locality(
    medicare: MedicareReference, mac: str, locality: str, non_facility: str, facility: str
) -> None:
    key = LocalityKey(mac, locality)
    assert _quote(medicare, "99213", key, Setting.NON_FACILITY).amount == Decimal(non_facility)
    assert _quote(medicare, "99213", key, Setting.FACILITY).amount == Decimal(facility)


def test_99213_for_all_109_localities(medicare: MedicareReference, cms_2025: MedicareYear) -> None:
    cf = Decimal("32.3465")
    amounts = {}
    for key, gpci in cms_2025.gpcis.items():
        quote = _quote(medicare, "99213", key, Setting.NON_FACILITY)
        expected = (
            (Decimal("1.30") * gpci.work + Decimal("1.35") * gpci.pe + Decimal("0.10") * gpci.mp) * cf
        ).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert quote.amount == expected
        assert quote.source == f"Medicare CY2025 RVU25D locality {key} 99213 non-facility"
        amounts[key] = quote.amount
    assert len(amounts) == 109
    # lowest: Arkansas 07102-13 (1 / 0.86 / 0.518): 2.5128 x 32.3465 = 81.28; highest: Alaska
    assert min(amounts.values()) == amounts[LocalityKey("07102", "13")] == Decimal("81.28")
    assert max(amounts.values()) == amounts[LocalityKey("02102", "01")] == Decimal("112.20")


def test_file_conversion_factor_matches_cy2025(cms_2025: MedicareYear) -> None:
    period = conversion_factor_for(date(2025, 6, 1))
    assert period is not None
    assert period.value == Decimal("32.3465")


GPCI_TEXT = """ADDENDUM E. FINAL CY 2025 GPCIs,,,,,,
,,,,,,
Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,W,PE,MP
10112,AL,00,ALABAMA,1,0.869,0.575
 01112 ,CA,54,BAKERSFIELD,1.017,1.093,0.662
"MAC Assignments as of November 22, 2023",,,,,,
*Work GPCI reflects a 1.5 floor in Alaska established by the MIPPA.,,,,,,
"""


def test_parse_gpci_from_a_text_stream() -> None:
    rows = list(parse_gpci(io.StringIO(GPCI_TEXT)))
    assert [str(r.locality) for r in rows] == ["10112-00", "01112-54"]


def test_parse_pprrvu_rejects_a_file_without_the_rvu_columns() -> None:
    with pytest.raises(MedicareFileError):
        list(parse_pprrvu(io.StringIO("HCPCS,MOD\n99213,\n")))


def test_parse_pprrvu_reports_a_bad_number() -> None:
    text = "HCPCS,MOD,STATUS_CODE,WORK_RVU,NON_FAC_PE_RVU,FAC_PE_RVU,MP_RVU\n99213,,A,x,1,1,1\n"
    with pytest.raises(MedicareFileError, match="99213"):
        list(parse_pprrvu(io.StringIO(text)))
