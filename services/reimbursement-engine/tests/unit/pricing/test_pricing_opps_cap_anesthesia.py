"""CY2025 OPPS caps and anesthesia conversion factors from the CMS files in ../shared/data.

Figures an analyst can redo by hand (Bakersfield, locality 01112-54: GPCIs 1.017 / 1.093 / 0.662,
CF 32.3465):
- 70496 (CT angiography, head), non-facility: RVUs 1.75 work + 6.55 PE + 0.11 MP ->
  (1.75 x 1.017 + 6.55 x 1.093 + 0.11 x 0.662) x 32.3465 = $291.85 by the fee schedule; the
  OPPS cap file says $275.94 for 70496 in 01112-54, so Medicare pays $275.94.
- CMS lists a code and locality in the cap file only where the cap is below the fee schedule.
- 00100 (anesthesia, salivary glands) is status J: Bakersfield's anesthesia CF is $20.45 a unit.
"""

from decimal import Decimal

import pytest
from pricing_builders import DOS, claim, contract, cpt, line, price
from reimbursement_engine.domain.pricing import (
    LocalityKey,
    MedicareQuote,
    MedicareReference,
    MedicareYear,
    OppsCap,
    PaymentTerm,
    PercentOfMedicare,
    Setting,
)
from reimbursement_engine.domain.pricing.medicare_files import (
    MedicareFileError,
    parse_anesthesia,
    parse_opps_caps,
)

BAKERSFIELD = LocalityKey("01112", "54")


def test_the_cap_file_and_the_anesthesia_file_are_loaded_with_the_year(cms_2025: MedicareYear) -> None:
    assert len(cms_2025.opps_caps) == 16100  # the file's last line is empty (,,,,,,)
    cap = cms_2025.opps_caps[("70496", "", BAKERSFIELD)]
    assert (cap.facility, cap.non_facility) == (Decimal("275.94"), Decimal("275.94"))
    assert cms_2025.opps_caps[("70496", "TC", BAKERSFIELD)].non_facility == Decimal("194.39")
    assert len(cms_2025.anesthesia_cfs) == 109
    assert cms_2025.anesthesia_cfs[BAKERSFIELD] == Decimal("20.45")
    assert cms_2025.anesthesia_national_cf == Decimal("20.3178")


def _quote(medicare: MedicareReference, code: str, modifiers: tuple[str, ...] = ()) -> MedicareQuote:
    quote = medicare.quote(code, modifiers, BAKERSFIELD, Setting.NON_FACILITY, DOS)
    assert isinstance(quote, MedicareQuote), quote
    return quote


def test_the_opps_cap_pays_less_than_the_fee_schedule_when_it_is_lower(medicare: MedicareReference) -> None:
    quote = _quote(medicare, "70496")
    assert (quote.amount, quote.capped_from) == (Decimal("275.94"), Decimal("291.85"))
    assert "OPPS cap, below the fee schedule's $291.85" in quote.source
    technical = _quote(medicare, "70496", ("TC",))
    assert technical.amount == Decimal("194.39") and technical.rvu.modifier == "TC"


def test_the_fee_schedule_stands_where_no_cap_is_lower(
    medicare: MedicareReference, cms_2025: MedicareYear
) -> None:
    # CMS lists a code and locality only where the cap binds; 99213 has none
    assert _quote(medicare, "99213").capped_from is None
    national = medicare.quote("70496", (), None, Setting.NON_FACILITY, DOS)
    assert isinstance(national, MedicareQuote) and national.capped_from is None  # caps are by locality
    # a cap above the fee schedule amount changes nothing (Medicare pays the lesser)
    generous = {**cms_2025.opps_caps, ("70496", "", BAKERSFIELD): OppsCap(Decimal("999"), Decimal("999"))}
    year = MedicareYear(2025, cms_2025.rvus, cms_2025.gpcis, generous)
    quote = MedicareReference(years={2025: year}).quote("70496", (), BAKERSFIELD, Setting.NON_FACILITY, DOS)
    assert isinstance(quote, MedicareQuote) and (quote.amount, quote.capped_from) == (Decimal("291.85"), None)


def test_a_percent_of_medicare_term_prices_a_capped_code_from_the_cap(medicare: MedicareReference) -> None:
    imaging = PaymentTerm("imaging", cpt("radiology", "70010-79999"), PercentOfMedicare(Decimal(120)))
    priced = price(claim(line("70496", "900.00"), medicare_locality=BAKERSFIELD), contract(imaging), medicare)
    assert priced.lines[0].expected_allowed == Decimal("331.13")  # 120% x 275.94 = 331.128
    assert "OPPS cap" in priced.explain()


def test_anesthesia_is_priced_per_unit_at_the_locality_conversion_factor(medicare: MedicareReference) -> None:
    quote = _quote(medicare, "00100")
    assert quote.amount == Decimal("20.45")
    assert "anesthesia conversion factor locality 01112-54 00100 per anesthesia unit" in quote.source
    national = medicare.quote("00100", (), None, Setting.FACILITY, DOS)
    assert isinstance(national, MedicareQuote) and national.amount == Decimal("20.3178")
    anesthesia = PaymentTerm("anesthesia", cpt("anesthesia", "00100-01999"), PercentOfMedicare(Decimal(150)))
    # 5 base + 4 time units billed as 9 anesthesia units: 150% x $20.45 x 9 = $276.075 -> $276.08
    priced = price(
        claim(line("00100", "1200.00", units="9"), medicare_locality=BAKERSFIELD),
        contract(anesthesia),
        medicare,
    )
    assert priced.lines[0].expected_allowed == Decimal("276.08")


def test_an_unknown_locality_has_no_anesthesia_factor(cms_2025: MedicareYear) -> None:
    medicare = MedicareReference(years={2025: cms_2025})
    reason = medicare.quote("00100", (), LocalityKey("99999", "99"), Setting.FACILITY, DOS)
    assert reason == "Medicare locality 99999-99 is not in the CY2025 GPCI file"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("HCPCS,MOD,CARRIER\n70496,,01112\n", "lacks columns"),
        (
            "HCPCS,MOD,PROCSTAT,CARRIER,LOCALITY,FACILITY PRICE,NON-FACILTY PRICE\n70496,,A,01112,54,x,1\n",
            "OPPS cap line 2 \\(70496\\): 'x' is not a number",
        ),
    ],
)
def test_a_malformed_cap_file_is_refused_naming_the_problem(text: str, message: str) -> None:
    import io

    with pytest.raises(MedicareFileError, match=message):
        list(parse_opps_caps(io.StringIO(text)))


def test_a_malformed_anesthesia_file_is_refused() -> None:
    import io

    with pytest.raises(MedicareFileError, match="no locality rows"):
        parse_anesthesia(io.StringIO("Contractor,Locality,Locality Name,National Anes CF of 20.3178\n"))
    with pytest.raises(MedicareFileError, match="anesthesia line 2"):
        parse_anesthesia(io.StringIO("Contractor,Locality,Name,CF\n01112 ,54 ,BAKERSFIELD,abc\n"))
