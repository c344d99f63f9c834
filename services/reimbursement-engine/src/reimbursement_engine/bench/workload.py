"""The benchmark's workload: the in-process bench's contract, Medicare year and claims, as the
registry would publish them and a billing system would send them."""

from __future__ import annotations

import json
import os
from typing import Any

from accord_common.events import new_event
from accord_common.events.payloads import ContractVersionData, FeeScheduleChunkData
from accord_common.migrate import upgrade_async

from reimbursement_engine.adapters import medicare_repo
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.bench import pricing as pricing_bench
from reimbursement_engine.bootstrap import build_runtime
from reimbursement_engine.config import EngineSettings
from reimbursement_engine.domain.pricing import Claim, LocalityKey
from reimbursement_engine.handlers.projection import apply_contract_version, apply_fee_schedule_chunk

ORG = "bench-org"
KEY = "acc_benchbench0_" + "k" * 40
CLAIMS_PER_REQUEST = 1000
LOCALITY = "01112-54"


def schedule_chunk() -> dict[str, Any]:
    """The in-process bench's office-visit fee schedule as the registry publishes it."""
    rows: list[dict[str, Any]] = [
        {
            "code_system": "CPT",
            "code": code,
            "rate_kind": "amount",
            "effective_from": "2020-01-01",
            "amount": str(90 + i),
            "modifiers": [],
            "place_of_service": place,
            "unit": "unit",
        }
        for i, code in enumerate(pricing_bench.VISITS)
        for place in (None, "11", "22")
    ]
    return {
        "schedule_id": "bench",
        "organization_id": ORG,
        "content_hash": "b" * 64,
        "chunk_index": 0,
        "chunk_count": 1,
        "row_count": len(rows),
        "rows": rows,
    }


def contract(row_count: int) -> dict[str, Any]:
    """The in-process bench's contract (`bench.pricing._contract`) as a registry version:
    office visits from the fee schedule, surgery at 140% of Medicare with multiple-procedure
    reduction, both lesser of billed, 3% anniversary escalator from 2022-07-01."""
    escalators = [{"kind": "anniversary", "percent": "3"}]
    visits = {
        "name": "office visits",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
        "methodology": {"kind": "fee_schedule", "schedule_id": "bench"},
        "lesser_of_billed": True,
        "escalators": escalators,
    }
    surgery = {
        "name": "surgery",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "10000", "last": "69999"}]},
        "methodology": {"kind": "percent_of_medicare", "percent": "140"},
        "lesser_of_billed": True,
        "multiple_procedure_reduction": {"percentages": ["100", "50"]},
        "escalators": escalators,
    }
    return {
        "contract_id": "bench-contract",
        "organization_id": ORG,
        "payer_id": "60054",
        "status": "active",
        "version": 1,
        "effective_from": "2022-07-01",
        "terms": {"effective_date": "2022-07-01"},
        "payment_terms": [visits, surgery],
        "fee_schedule": {"schedule_id": "bench", "content_hash": "b" * 64, "row_count": row_count},
    }


def events() -> list[Any]:
    chunk = schedule_chunk()
    return [
        new_event("fee_schedule.published", source="bench", subject="bench", data=chunk),
        new_event(
            "contract.created", source="bench", subject="bench-contract", data=contract(len(chunk["rows"]))
        ),
    ]


async def seed(settings: EngineSettings) -> None:
    """Migrate, load the in-process bench's Medicare year, and project its contract."""
    runtime = build_runtime(settings)
    await upgrade_async(runtime.service_root, settings.database_url)
    caches = EngineCaches()
    chunk, contract = events()
    async with runtime.uow() as uow:
        for year in pricing_bench.medicare_reference().years.values():
            await medicare_repo.replace_year(uow.session, year)
        await apply_fee_schedule_chunk(uow, caches, FeeScheduleChunkData.model_validate(chunk.data))
        await apply_contract_version(
            uow, caches, contract.type, ContractVersionData.model_validate(contract.data)
        )
        await uow.commit()
    await runtime.engine.dispose()


def claims(start: int, count: int) -> list[dict[str, Any]]:
    """The in-process bench's claims (`generate_claims`) in the JSON claim shape."""
    return [
        {
            "patient_control_number": f"B{start + n}",
            "payer_id": "60054",
            "place_of_service": "11",
            "medicare_locality": LOCALITY,
            "lines": [
                {
                    "code_system": "CPT",
                    "code": line.code,
                    "charge": str(line.charge),
                    "service_date": line.service_date.isoformat(),
                }
                for line in pricing_bench.claim_lines(5 * (start + n))
            ],
        }
        for n in range(count)
    ]


def domain_claims(start: int, count: int) -> list[Claim]:
    return [
        Claim(
            f"B{start + n}",
            "60054",
            pricing_bench.SERVICE_DATE,
            pricing_bench.SERVICE_DATE,
            pricing_bench.claim_lines(5 * (start + n)),
            place_of_service="11",
            medicare_locality=LocalityKey("01112", "54"),
        )
        for n in range(count)
    ]


def bodies(first_claim: int, lines: int) -> list[bytes]:
    claim_count = lines // 5
    return [
        json.dumps({"claims": claims(first_claim + i, min(CLAIMS_PER_REQUEST, claim_count - i))}).encode()
        for i in range(0, claim_count, CLAIMS_PER_REQUEST)
    ]


def environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ACCORD_ENGINE_DATABASE_URL": url,
        "ACCORD_ENGINE_KAFKA_ENABLED": "false",
        "ACCORD_ENGINE_ENVIRONMENT": "development",
        "ACCORD_ENGINE_BOOTSTRAP_API_KEY": KEY,
        "ACCORD_ENGINE_BOOTSTRAP_ORG_ID": ORG,
        "ACCORD_ENGINE_LOG_LEVEL": "WARNING",
    }
