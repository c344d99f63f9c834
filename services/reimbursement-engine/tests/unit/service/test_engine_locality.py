"""Where a claim was rendered decides its GPCIs (issue 10 item 8): NPI, then ZIP, then national."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from accord_common.events.payloads import ClaimData
from reimbursement_engine.adapters.claims_mapping import claim_from_837, claim_route, service_site, submission
from reimbursement_engine.domain.contract_match import ClaimRoute, ClaimType
from reimbursement_engine.domain.locality import OrgLocation, ServiceSite, derive_place
from reimbursement_engine.domain.pricing import Claim, ClaimLine, LocalityKey
from reimbursement_engine.domain.x12 import parse_837
from reimbursement_engine.domain.zip5 import parse_zip5
from reimbursement_engine.entrypoints.consumers import claim_in
from reimbursement_engine.entrypoints.schemas_claims import ClaimIn

SF = LocalityKey("01112", "05")
LA = LocalityKey("01182", "18")
BAKERSFIELD = LocalityKey("01112", "54")
LOCATIONS = [
    OrgLocation("San Francisco campus", SF, frozenset({"1555555550"}), "94110", "41884"),
    OrgLocation("Los Angeles clinic", LA, frozenset({"1666666668"}), "90017"),
]
ZIPS = {"90012": LA, "93301": BAKERSFIELD, "94110": SF}


@pytest.mark.parametrize(
    ("site", "locality", "cbsa", "how"),
    [
        (
            ServiceSite(stated_locality=BAKERSFIELD, service_facility_npi="1555555550"),
            BAKERSFIELD,
            None,
            "stated",
        ),
        (
            ServiceSite(service_facility_npi="1555555550", billing_npi="1666666668"),
            SF,
            "41884",
            "location 'San Francisco campus' by the service facility NPI 1555555550",
        ),
        (
            ServiceSite(service_facility_npi="1999999999", billing_npi="1666666668"),
            LA,
            None,
            "location 'Los Angeles clinic' by the billing provider NPI 1666666668",
        ),
        (
            ServiceSite(service_facility_zip="900121234", billing_zip="93301"),
            LA,
            None,
            "service facility ZIP 90012 in CMS's ZIP-to-locality file",
        ),
        (ServiceSite(billing_zip="94110-0001"), SF, "41884", "billing provider ZIP 94110"),
        (ServiceSite(billing_zip="10001"), None, None, "no location of the organisation matches"),
    ],
)
def test_the_locality_comes_from_the_location_that_rendered_the_service(
    site: ServiceSite, locality: LocalityKey | None, cbsa: str | None, how: str
) -> None:
    place = derive_place(site, LOCATIONS, ZIPS)
    assert (place.locality, place.cbsa) == (locality, cbsa)
    assert how in place.how


def test_the_explanation_names_locality_and_cbsa_for_facility_claims() -> None:
    place = derive_place(ServiceSite(service_facility_npi="1555555550"), LOCATIONS, ZIPS)
    assert place.describe(facility=True) == (
        "Medicare locality 01112-05: location 'San Francisco campus' by the service facility NPI "
        "1555555550; CBSA 41884"
    )
    nowhere = derive_place(ServiceSite(), LOCATIONS, ZIPS)
    assert nowhere.describe(facility=False).startswith("national GPCIs: no location")


ZIP5_HEADER = (
    "STATE,ZIP CODE,CARRIER,LOCALITY,RURAL IND,LAB CB LOCALITY,RURAL IND2,PLUS 4 FLAG,"
    "PART B DRUG INDICATOR,YEAR/QTR\n"
)


def test_the_cms_zip5_file_reads_zip_carrier_locality_and_rural_indicator() -> None:
    # rows of ZIP5_JAN2026.csv: Los Angeles and Anchorage urban, Brownwood TX rural, Marfa TX super rural
    text = ZIP5_HEADER + (
        "CA,90012,01182,18,,Z9,,0,A,20261\nAK,99501,02102,1,,Z9,,0,A,20261\n"
        "TX,76801,04412,99,R,Z9,R,0,A,20261\nTX,79843,04412,99,B,Z9,B,0,A,20261\n"
    )
    rows = list(parse_zip5(io.StringIO(text)))
    assert [(r.zip_code, r.state, r.locality, r.year_quarter, r.rural_indicator) for r in rows] == [
        ("90012", "CA", LA, "20261", ""),
        ("99501", "AK", LocalityKey("02102", "01"), "20261", ""),
        ("76801", "TX", LocalityKey("04412", "99"), "20261", "R"),
        ("79843", "TX", LocalityKey("04412", "99"), "20261", "B"),
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (ZIP5_HEADER + "CA,9001,01182,18,,Z9,,0,A,20261\n", "row 2: ZIP '9001'"),
        (ZIP5_HEADER + "TX,76801,04412,99,X,Z9,R,0,A,20261\n", "row 2: RURAL IND 'X' is not blank, R or B"),
        (
            "STATE,ZIP CODE,CARRIER,LOCALITY,YEAR/QTR\nCA,90012,01182,18,20261\n",
            "missing column.s. RURAL IND",
        ),
    ],
)
def test_a_zip5_file_that_is_not_cms_s_is_refused_naming_the_row(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        list(parse_zip5(io.StringIO(text)))


def test_a_claim_without_a_place_of_service_names_its_lines() -> None:
    day = date(2025, 3, 14)
    lines = (
        ClaimLine(1, "99213", Decimal(1), Decimal(200), day),
        ClaimLine(2, "99214", Decimal(1), Decimal(250), day, place_of_service="11"),
    )
    claim = Claim("PCN-1", "60054", day, day, lines)
    assert claim.lines_without_place == (1,)
    assert Claim("PCN-1", "60054", day, day, lines, place_of_service="11").lines_without_place == ()


PROFESSIONAL_837 = (
    "ISA*00*          *00*          *ZZ*STMARY         *ZZ*ACME           *250320*1200*^*00501*000000101*0*T*:~"
    "GS*HC*STMARY*ACME*20250320*1200*101*X*005010X222A2~ST*837*0001*005010X222A2~"
    "BHT*0019*00*0001*20250320*1200*CH~NM1*41*2*ST MARY*****46*STMARY~NM1*40*2*ACME*****46*60054~"
    "HL*1**20*1~NM1*85*2*ST MARY*****XX*1777777776~N3*1 MAIN ST~N4*BAKERSFIELD*CA*93301~REF*EI*123456789~"
    "HL*2*1*22*0~SBR*P*18*******16~NM1*IL*1*DOE*JANE****MI*M1~N3*9 ELM ST~N4*OAKLAND*CA*94601~"
    "NM1*PR*2*ACME*****PI*60054~N3*PO BOX 1~N4*DALLAS*TX*75201~"
    "CLM*PCN-1*200.00***11:B:1*Y*A*Y*Y~HI*ABK:J020~NM1*77*2*LA SUITE*****XX*1666666668~N3*300 S GRAND~"
    "N4*LOS ANGELES*CA*900121234~LX*1~SV1*HC:99213*200.00*UN*1***1~DTP*472*D8*20250314~"
    "SE*26*0001~GE*1*101~IEA*1*000000101~"
)


def test_an_837p_carries_billing_zip_service_facility_and_line_of_business() -> None:
    (claim,) = parse_837(PROFESSIONAL_837)
    assert (claim.billing_provider_zip, claim.service_facility_npi, claim.service_facility_zip) == (
        "93301",
        "1666666668",
        "900121234",
    )
    assert claim.line_of_business == "medicare_advantage"  # SBR09 16: Medicare Advantage (HMO Medicare risk)
    shaped = claim_from_837(claim)
    assert shaped["service_facility"] == {"npi": "1666666668", "zip_code": "900121234"}
    assert shaped["billing_provider"]["zip_code"] == "93301"
    assert shaped["claim_type"] == "professional"


def test_a_claim_submitted_on_kafka_carries_its_site_and_line_of_business() -> None:
    data = {
        "claim_id": "c-1",
        "organization_id": "org-1",
        "patient_control_number": "PCN-K1",
        "payer_id": "60054",
        "service_date": "2025-03-14",
        "place_of_service": "11",
        "billing_provider_npi": "1666666668",
        "billing_provider_zip": "93301",
        "service_facility_npi": "1555555550",
        "service_facility_zip": "94110",
        "line_of_business": "medicare_advantage",
        "plan_id": "plan-ma",
        "total_charge": "200.00",
        "lines": [{"code_system": "CPT", "code": "99213", "charge": "200.00", "service_date": "2025-03-14"}],
    }
    claim = ClaimIn.model_validate(claim_in(ClaimData.model_validate(data)))
    header = submission(claim.model_dump(), "kafka", date(2025, 3, 20)).header
    assert claim_route(header) == ClaimRoute(
        payer_id="60054",
        claim_type=ClaimType.PROFESSIONAL,
        line_of_business="medicare_advantage",
        plan_id="plan-ma",
        billing_npi="1666666668",
    )
    assert service_site(header) == ServiceSite(
        service_facility_npi="1555555550",
        service_facility_zip="94110",
        billing_npi="1666666668",
        billing_zip="93301",
    )
