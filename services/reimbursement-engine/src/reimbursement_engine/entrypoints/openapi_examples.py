"""Request body documentation for the endpoints that read raw bodies (X12 files, CSV), with
examples that parse and balance (tests/unit/service/test_engine_openapi.py checks both)."""

from __future__ import annotations

from typing import Any

X835 = (
    "ISA*00*          *00*          *ZZ*PAYERID        *ZZ*PROVIDERID     "
    "*250402*1200*^*00501*000000001*0*P*:~"
    "GS*HP*PAYERID*PROVIDERID*20250402*1200*1*X*005010X221A1~"
    "ST*835*0001~"
    "BPR*I*88.95*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999999999*DA*654321*20250402~"
    "TRN*1*EFT-0001*1512345678~"
    "N1*PR*EXAMPLE PAYER*XV*60054~"
    "N1*PE*EXAMPLE CLINIC*XX*1234567893~"
    "CLP*PCN-000123*1*150.00*88.95*0*12*PAYERCCN1~"
    "SVC*HC:99213:25*150.00*88.95**1~"
    "DTM*472*20250314~"
    "CAS*CO*45*61.05~"
    "SE*10*0001~GE*1*1~IEA*1*000000001~"
)
X837 = (
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       "
    "*250320*1200*^*00501*000000002*0*P*:~"
    "GS*HC*SUBMITTER*RECEIVER*20250320*1200*2*X*005010X222A1~"
    "ST*837*0001*005010X222A1~"
    "BHT*0019*00*BATCH1*20250320*1200*CH~"
    "NM1*41*2*EXAMPLE CLINIC*****46*SUBMITTER~"
    "PER*IC*BILLING*TE*5555550100~"
    "NM1*40*2*EXAMPLE PAYER*****46*60054~"
    "HL*1**20*1~"
    "NM1*85*2*EXAMPLE CLINIC*****XX*1234567893~"
    "N3*1 MAIN ST~N4*BAKERSFIELD*CA*93301~REF*EI*123456789~"
    "HL*2*1*22*0~SBR*P*18*******CI~"
    "NM1*IL*1*DOE*JANE****MI*MEMBER1~"
    "NM1*PR*2*EXAMPLE PAYER*****PI*60054~"
    "CLM*PCN-000123*150.00***11:B:1*Y*A*Y*Y~"
    "HI*ABK:J209~"
    "LX*1~SV1*HC:99213:25*150.00*UN*1***1~DTP*472*D8*20250314~"
    "SE*20*0001~GE*1*2~IEA*1*000000002~"
)
COSTS_CSV = "code_system,code,cost\nCPT,99213,61.40\nCPT,27447,14250.00\n"


def raw_body(media_type: str, example: str, description: str, *also: str) -> dict[str, Any]:
    """`openapi_extra` for an operation whose body is a file read from the request stream (whatever
    its Content-Type: `also` names the other types clients send it as)."""
    content = {kind: {"schema": {"type": "string"}, "example": example} for kind in (media_type, *also)}
    return {"requestBody": {"required": True, "description": description, "content": content}}


X12_835_BODY = raw_body(
    "application/edi-x12",
    X835,
    "An X12 835 (005010X221A1) as sent by the payer; separators are read from its ISA segment.",
    "text/plain",
)
X12_837_BODY = raw_body(
    "application/edi-x12",
    X837,
    "An X12 837P (005010X222A1) or 837I (005010X223A2) file, one or more interchanges; CLM05-3 7 "
    "replaces, 8 voids. Refused (422) with every breach listed: segment, segment_index, rule.",
    "text/plain",
)
COSTS_BODY = raw_body("text/csv", COSTS_CSV, "Cost of service per code: code_system,code,cost.")

_EMPTY_SECTION: dict[str, Any] = {"items": [], "total_amount": "0", "group_count": 0, "variance_count": 0}
WORKLIST_EXAMPLE: dict[str, Any] = {
    "items": [
        {
            "payer_id": "60054",
            "contract_id": "0b1c5f7e-3d2a-4c55-9a57-1f0d4e6b8a21",
            "code": "claim-level",
            "carc": "CO-45",
            "amount": "19500.00",
            "expected_allowed": "19500.00",
            "paid": "0.00",
            "claim_count": 1,
            "line_count": 1,
            "oldest_remittance": "2025-04-02",
        },
        {
            "payer_id": "60054",
            "contract_id": "0b1c5f7e-3d2a-4c55-9a57-1f0d4e6b8a21",
            "code": "99213",
            "carc": "CO-45",
            "amount": "19.75",
            "expected_allowed": "444.75",
            "paid": "425.00",
            "claim_count": 5,
            "line_count": 5,
            "oldest_remittance": "2025-04-02",
        },
    ],
    "total_amount": "19519.75",
    "group_count": 2,
    "variance_count": 6,
    "overpaid": _EMPTY_SECTION,
    "needs_review": _EMPTY_SECTION,
}
