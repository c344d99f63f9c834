"""837P and 837I claims: every shared example parses into what pricing and matching need."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.domain.x12 import (
    Claim837,
    ClaimKind,
    Diagnosis,
    ProcedureCode,
    X12Error,
    parse_835,
    parse_837,
)


def read(x12_examples: Path, folder: str, name: str) -> str:
    return (x12_examples / folder / name).read_text()


def test_every_shared_837p_parses(shared_837p: Path) -> None:
    claims = parse_837(shared_837p.read_bytes())

    assert claims
    for claim in claims:
        assert claim.kind is ClaimKind.PROFESSIONAL
        assert claim.place_of_service
        assert claim.billing_provider_npi
        assert claim.payer_id
        assert claim.lines
        assert all(line.procedure and line.procedure.code for line in claim.lines)
        assert sum(line.charge for line in claim.lines) == claim.total_charge


def test_every_shared_837i_parses(shared_837i: Path) -> None:
    claims = parse_837(shared_837i.read_bytes())

    assert claims
    for claim in claims:
        assert claim.kind is ClaimKind.INSTITUTIONAL
        assert claim.type_of_bill
        assert len(claim.type_of_bill) == 4
        assert claim.lines
        assert all(line.revenue_code for line in claim.lines)
        assert sum(line.charge for line in claim.lines) == claim.total_charge


@pytest.mark.parametrize(
    ("folder", "name", "pcn", "total", "facility", "type_of_bill"),
    [
        ("837p", "demo.example1.837", "26463774", "100.00", "11", None),
        ("837p", "demo.ambulance.example5.837", "051068", "766.50", "41", None),
        ("837p", "demo.example9.837", "153829140", "827.00", "22", None),
        ("837i", "institutional-claim.837i", "756048Q", "89.93", "14", "0141"),
        ("837i", "ppo-repriced-claim.837i", "456DFH43", "237.50", "13", "0131"),
    ],
)
def test_claim_identity_and_setting(
    x12_examples: Path,
    folder: str,
    name: str,
    pcn: str,
    total: str,
    facility: str,
    type_of_bill: str | None,
) -> None:
    claim = parse_837(read(x12_examples, folder, name))[0]

    assert (claim.patient_control_number, claim.total_charge) == (pcn, Decimal(total))
    assert (claim.facility_code, claim.type_of_bill) == (facility, type_of_bill)


@pytest.mark.parametrize(
    ("folder", "name", "npi", "tin", "payer_id", "member_id"),
    [
        ("837p", "demo.example1.837", "1912301953", "587654321", "999996666", "JS00111223333"),
        ("837p", "demo.ambulance.example5.837", "2366554859", "376985369", "123245", "012345678A"),
        ("837p", "demo.example9.837", "2366554859", "756473826", "05440", "123456789A"),
        ("837i", "institutional-claim.837i", "9876540809", "567891234", "00435", "030005074A"),
        ("837i", "ppo-repriced-claim.837i", "1257234346", "344232321", "7452723", "345U8423H"),
    ],
)
def test_claim_parties(
    x12_examples: Path, folder: str, name: str, npi: str, tin: str, payer_id: str, member_id: str
) -> None:
    claim = parse_837(read(x12_examples, folder, name))[0]

    assert (claim.billing_provider_npi, claim.billing_provider_tin) == (npi, tin)
    assert (claim.payer_id, claim.member_id) == (payer_id, member_id)


def test_professional_lines(x12_examples: Path) -> None:
    claim = parse_837(read(x12_examples, "837p", "demo.ambulance.example5.837"))[0]

    line = claim.lines[1]
    assert line.line_number == 2
    assert line.procedure == ProcedureCode("HC", "A0425", ("RH",))
    assert (line.charge, line.unit_basis, line.units) == (Decimal("8.20"), "UN", Decimal("21.00"))
    assert line.diagnosis_pointers == ("1", "2", "3", "4")
    assert line.service_date == date(2005, 2, 8)
    assert line.line_control_number == "1002"
    assert claim.diagnoses[0] == Diagnosis("BK", "8628")


def test_a_service_period_and_a_procedure_description(x12_examples: Path) -> None:
    claim = parse_837(read(x12_examples, "837p", "demo.drug.example10.3.837"))[0]

    line = claim.lines[3]
    assert (line.service_date, line.service_end_date) == (date(2004, 2, 1), date(2004, 2, 7))
    assert line.procedure == ProcedureCode("HC", "J3490", (), "Sod Chl 0.9%see NDC#")


def test_institutional_claim_dates_codes_and_lines(x12_examples: Path) -> None:
    claim = parse_837(read(x12_examples, "837i", "ppo-repriced-claim.837i"))[0]

    assert (claim.statement_start, claim.statement_end) == (date(2005, 7, 6), date(2005, 7, 6))
    assert claim.admission_date == date(2005, 7, 6)
    assert (claim.admission_type, claim.admission_source, claim.patient_status) == ("1", "2", "01")
    assert claim.diagnoses == (Diagnosis("BK", "38181"), Diagnosis("BF", "38900"))
    assert [(line.revenue_code, line.procedure, line.units) for line in claim.lines] == [
        ("0471", ProcedureCode("HC", "92557"), Decimal("1.00")),
        ("0471", ProcedureCode("HC", "92567"), Decimal("1.00")),
    ]
    assert claim.payer_name == "LOCAL INSURANCE COMPANY"  # not the other payer of loop 2330B


def test_two_claims_under_one_provider_keep_their_own_subscribers(x12_examples: Path) -> None:
    claims = parse_837(read(x12_examples, "837i", "two-claims-single-provider.837i"))

    assert [(c.patient_control_number, c.member_id) for c in claims] == [
        ("756048Q", "030005074"),
        ("756049Q", "123405074"),
    ]
    assert {c.billing_provider_npi for c in claims} == {"1234567890"}


def test_inpatient_drg_from_hi_dr(x12_examples: Path) -> None:
    text = read(x12_examples, "837i", "institutional-claim.837i")
    text = text.replace("HI*BG:09~", "HI*BG:09~\nHI*DR:470~").replace("SE*42*", "SE*43*")

    [claim] = parse_837(text)

    assert claim.drg_code == "470"
    assert all(d.qualifier != "DR" for d in claim.diagnoses)


def test_no_patient_names_or_birth_dates_are_kept() -> None:
    names = {f.name for f in dataclasses.fields(Claim837)}

    assert not {n for n in names if "birth" in n or "address" in n or "patient_name" in n}
    assert {n for n in names if n.endswith("_name")} == {"billing_provider_name", "payer_name"}


@pytest.mark.parametrize(
    ("original", "changed", "rule"),
    [
        ("CLM*26463774*100.00*", "CLM*26463774*1OO.00*", "CLM02 is a decimal number"),
        ("*11:B:1*", "*:B:1*", "CLM05-1 facility code is required"),
        ("SV1*HC:99213*40.00*", "SV2*HC:99213*40.00*", "professional service line LX requires SV1"),
        (
            "DTP*472*D8*20061003",
            "DTP*472*XX*20061003",
            "DTP02 is D8, RD8, DT or TM, with DTP03 in that format",
        ),
        ("005010X222A2", "004010X098A1", "837 version 005010X222A2 or X223A3"),
        ("CLM*26463774*100.00***11:B:1*Y*A*Y*I~", "", "LX belongs to a claim (loop 2300)"),
    ],
)
def test_structural_errors_in_an_837(x12_examples: Path, original: str, changed: str, rule: str) -> None:
    text = read(x12_examples, "837p", "demo.example1.837")
    assert original in text

    with pytest.raises(X12Error) as raised:
        parse_837(text.replace(original, changed))

    assert raised.value.rule == rule


def test_an_835_is_not_an_837_and_vice_versa(x12_examples: Path) -> None:
    with pytest.raises(X12Error, match="ST01 = 837"):
        parse_837(generate_835(1))
    with pytest.raises(X12Error, match="ST01 = 835"):
        parse_835(read(x12_examples, "837p", "demo.example1.837"))


def _837p(*loops: list[str]) -> str:
    """A minimal 837P: billing provider (2010AA, N4 75201), then each subscriber / patient loop with
    one claim (a CPAP rental, E0601-RR)."""
    body = [
        "ST*837*0001*005010X222A2",
        "BHT*0019*00*0001*20260212*1200*CH",
        "NM1*41*2*HOME MEDICAL SUPPLY*****46*HMS",
        "PER*IC*BILLING*TE*2145550100",
        "NM1*40*2*ACME HEALTH PLAN*****46*60054",
        "HL*1**20*1",
        "NM1*85*2*HOME MEDICAL SUPPLY*****XX*1234567893",
        "N3*1 ELM ST",
        "N4*DALLAS*TX*75201",
        "REF*EI*987654321",
    ]
    for loop in loops:
        body += loop
    isa = "ISA*00*          *00*          *ZZ*HMS            *ZZ*ACME           *260212*1200*^*00501*000000301*0*T*:"
    end = [f"SE*{len(body) + 1}*0001", "GE*1*301", "IEA*1*000000301"]
    return "~\n".join([isa, "GS*HC*HMS*ACME*20260212*1200*301*X*005010X222A2", *body, *end]) + "~\n"


def _subscriber(hl: int, member: str, zip_code: str | None, child: bool = False) -> list[str]:
    loop = [f"HL*{hl}*1*22*{1 if child else 0}", "SBR*P*18*******CI", f"NM1*IL*1*DOE*JANE****MI*{member}"]
    if zip_code:
        loop += ["N3*2 OAK ST", f"N4*BROWNWOOD*TX*{zip_code}"]
    return [*loop, "NM1*PR*2*ACME HEALTH PLAN*****PI*60054", "N4*HARTFORD*CT*06101"]


def _patient(hl: int, parent: int, zip_code: str | None) -> list[str]:
    loop = [f"HL*{hl}*{parent}*23*0", "PAT*19", "NM1*QC*1*DOE*JOHN"]
    return loop + (["N3*3 PINE ST", f"N4*MARFA*TX*{zip_code}"] if zip_code else [])


def _claim(pcn: str) -> list[str]:
    return [
        f"CLM*{pcn}*120.00***12:B:1*Y*A*Y*Y",
        "HI*ABK:G4733",
        "NM1*77*2*DALLAS DEPOT*****XX*1245319599",
        "N4*DALLAS*TX*75202",  # the service facility's N4 (2310C) is not where the patient lives
        "LX*1",
        "SV1*HC:E0601:RR*120.00*UN*1***1",
        "DTP*472*D8*20260209",
    ]


@pytest.mark.parametrize(
    ("loops", "expected"),
    [
        # the subscriber is the patient: 2010BA N403
        ([_subscriber(2, "M1", "76801"), _claim("C1")], ["76801"]),
        # a patient loop (2010CA) gives the patient's own N403, ZIP+4 as sent
        (
            [_subscriber(2, "M1", "76801", child=True), _patient(3, 2, "798431234"), _claim("C1")],
            ["798431234"],
        ),
        # a patient loop without an N4: the subscriber's
        ([_subscriber(2, "M1", "76801", child=True), _patient(3, 2, None), _claim("C1")], ["76801"]),
        # no address at all
        ([_subscriber(2, "M1", None), _claim("C1")], [None]),
        # the next subscriber does not inherit the previous one's ZIP, nor a patient's
        (
            [
                _subscriber(2, "M1", "76801", child=True),
                _patient(3, 2, "79843"),
                _claim("C1"),
                _subscriber(4, "M2", None),
                _claim("C2"),
            ],
            ["79843", None],
        ),
    ],
)
def test_the_patient_s_residence_zip_is_read_from_2010ca_else_2010ba(
    loops: list[list[str]], expected: list[str | None]
) -> None:
    claims = parse_837(_837p(*loops))

    assert [c.patient_zip for c in claims] == expected
    assert all(c.service_facility_zip == "75202" for c in claims)


def test_an_837i_reads_the_patient_s_zip_the_same_way() -> None:
    body = [
        "ST*837*0001*005010X223A3",
        "BHT*0019*00*0001*20260212*1200*CH",
        "NM1*41*2*BROWNWOOD REGIONAL*****46*BRMC",
        "PER*IC*BILLING*TE*3255550100",
        "NM1*40*2*ACME HEALTH PLAN*****46*60054",
        "HL*1**20*1",
        "NM1*85*2*BROWNWOOD REGIONAL*****XX*1234567893",
        "N3*1 MAIN ST",
        "N4*BROWNWOOD*TX*76801",
        "REF*EI*987654321",
        *_subscriber(2, "M1", "75201", child=True),
        *_patient(3, 2, "79843"),
        "CLM*OP-1*120.00***13:A:1**A*Y*Y",
        "DTP*434*RD8*20260209-20260209",
        "CL1*1*1*01",
        "HI*ABK:G4733",
        "LX*1",
        "SV2*0290*HC:E0601:RR*120.00*UN*1",
        "DTP*472*D8*20260209",
    ]
    isa = "ISA*00*          *00*          *ZZ*BRMC           *ZZ*ACME           *260212*1200*^*00501*000000302*0*T*:"
    end = [f"SE*{len(body) + 1}*0001", "GE*1*302", "IEA*1*000000302"]
    text = "~\n".join([isa, "GS*HC*BRMC*ACME*20260212*1200*302*X*005010X223A3", *body, *end]) + "~\n"

    [claim] = parse_837(text)

    assert (claim.kind, claim.patient_zip, claim.billing_provider_zip) == (
        ClaimKind.INSTITUTIONAL,
        "79843",
        "76801",
    )
