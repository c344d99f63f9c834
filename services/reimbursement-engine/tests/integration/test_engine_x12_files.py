"""X12 uploads over HTTP on PostgreSQL: 837s and 835s refused with every breach listed, nothing stored;
837s as senders write them (several interchanges, indentation, CRLF) taken; flags answered."""

from __future__ import annotations

from engine_helpers import Engine, new_org
from reimbursement_engine.adapters.orm import claim_payments, claims, remittance_files
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.bench.x12_837 import Envelope837, generate_837
from sqlalchemy import func, select
from sqlalchemy.sql import Selectable

# Two claims: PCN00000001 (CLM at segment 16, lines 554.94 + 601.25) and PCN00000002 (CLM at 28);
# SE at 36, GE 37, IEA 38.
TWO_CLAIMS = generate_837(2)


async def _count(engine: Engine, table: Selectable, org: str) -> int:
    async with engine.runtime.sessions() as session:
        found = await session.scalar(
            select(func.count()).select_from(table).where(table.c.organization_id == org)  # type: ignore[attr-defined]
        )
    return int(found or 0)


def _where(problem: dict[str, object]) -> list[tuple[object, ...]]:
    errors = problem["errors"]
    assert isinstance(errors, list)
    return [(e["rule"], e["segment"], e["segment_index"]) for e in errors]


async def test_an_837_is_refused_with_every_breach_and_nothing_is_stored(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    broken = (
        TWO_CLAIMS.replace("CLM*PCN00000001*1156.19", "CLM*PCN00000001*1156.00")
        .replace("CLM*PCN00000002*", "CLM*PCN00000001*")
        .replace("SE*35*", "SE*34*")
        .replace("GE*1*1~", "GE*1*2~")
    )

    response = await engine.client.post("/v1/claims/x12", content=broken, headers=headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert _where(problem) == [
        ("837 CLM02 = sum of the service line charges (SV102 / SV203)", "CLM", 16),
        ("837 CLM01 is unique within the file", "CLM", 28),
        ("SE01 = number of segments from ST to SE", "SE", 36),
        ("GE02 = GS06", "GE", 37),
    ]
    assert problem["detail"].startswith("837 refused, nothing stored: 4 rule breach(es)")
    assert await _count(engine, claims, org) == 0


async def test_an_837_with_two_indented_interchanges_is_taken_whole(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    second = generate_837(1, envelope=Envelope837(interchange_control_number=2, pcn_prefix="B"))
    upload = "\r\n".join("   " + s for s in (TWO_CLAIMS + second).splitlines()) + "\r\n\r\n"

    response = await engine.client.post("/v1/claims/x12", content=upload, headers=headers)

    assert response.status_code == 200, response.text
    out = response.json()
    assert sorted(c["patient_control_number"] for c in out["claims"]) == [
        "B00000001",
        "PCN00000001",
        "PCN00000002",
    ]
    assert {str(c["total_charge"]) for c in out["claims"]} == {"1156.19", "1407.04"}
    assert (out["refused"], out["flags"]) == ([], [])
    assert await _count(engine, claims, org) == 3


async def test_an_837_taken_with_a_flag_names_the_rule_and_the_claim(engine: Engine) -> None:
    headers = await engine.key(new_org())
    flagged = generate_837(1).replace("HI*ABK:J209", "HI*ABK>J209")

    out = (await engine.client.post("/v1/claims/x12", content=flagged, headers=headers)).json()

    assert [c["patient_control_number"] for c in out["claims"]] == ["PCN00000001"]
    assert out["flags"] == [
        {
            "segment": "HI",
            "segment_index": 17,
            "rule": "composites use the ISA16 component separator",
            "message": "HI01 'ABK>J209' uses '>'; ISA16 is ':'",
            "patient_control_number": "PCN00000001",
        }
    ]


async def test_an_835_lists_every_envelope_breach_and_stores_nothing(engine: Engine) -> None:
    org = new_org()
    headers = await engine.key(org)
    remittance = generate_835(1)  # ST at 2, SE at 22, GE 23, IEA 24
    broken = remittance.replace("SE*21*0001", "SE*20*0002").replace("IEA*1*000000001", "IEA*2*000000009")

    response = await engine.client.post("/v1/remittances/x12", content=broken, headers=headers)

    assert response.status_code == 422, response.text
    assert _where(response.json()) == [
        ("SE01 = number of segments from ST to SE", "SE", 22),
        ("SE02 = ST02", "SE", 22),
        ("IEA01 = number of GS", "IEA", 24),
        ("IEA02 = ISA13", "IEA", 24),
    ]
    assert await _count(engine, remittance_files, org) == 0
    assert await _count(engine, claim_payments, org) == 0
