"""Helpers for the engine's integration tests: app start, API keys, registry-shaped events."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from accord_common.auth import issue_key
from accord_common.events import CloudEvent, new_event
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from reimbursement_engine.bootstrap import build_app
from reimbursement_engine.config import EngineSettings
from reimbursement_engine.handlers.medicare import load_medicare

REPO_ROOT = Path(__file__).resolve().parents[4]
SHARED = Path(os.environ.get("ACCORD_SHARED_DATA", REPO_ROOT / ".." / "shared" / "data")).resolve()
CMS_PFS_2025 = SHARED / "cms-pfs-2025"
X12 = SHARED / "x12"
SCOPES = {"claims:read", "claims:write"}


@dataclass
class Engine:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    async def key(self, org: str, scopes: set[str] = SCOPES) -> dict[str, str]:
        async with self.runtime.sessions() as session, session.begin():
            raw = await issue_key(
                session, self.runtime.metadata, organization_id=org, name="test", scopes=scopes
            )
        return {"Authorization": f"Bearer {raw}"}

    async def deliver(self, event: CloudEvent) -> None:
        """Apply an event through the consumer's handler (as the consumer loop would)."""
        handler = self.runtime.handlers[event.type]
        async with self.runtime.uow() as uow:
            await handler(event, uow)
            if not uow.committed:
                await uow.commit()


@asynccontextmanager
async def start_engine(url: str, *, kafka_bootstrap: str | None, medicare: bool) -> AsyncIterator[Engine]:
    settings = EngineSettings(
        database_url=url,
        environment="test",
        kafka_enabled=kafka_bootstrap is not None,
        kafka_bootstrap=kafka_bootstrap or "127.0.0.1:9",
        relay_poll_interval_ms=50,
        consumer_backoff_ms=50,
        log_json=False,
    )
    app = build_app(settings)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=30):
        if medicare:
            await load_medicare(app.state.runtime.uow(), app.state.caches, CMS_PFS_2025, 2025)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://engine") as client:
            yield Engine(app, client)


def new_org() -> str:
    return f"org-{uuid.uuid4().hex[:10]}"


def term(
    name: str, methodology: dict[str, Any], *ranges: tuple[str, str | None, str | None], **extra: Any
) -> dict[str, Any]:
    """A payment term as the registry serialises it."""
    return {
        "name": name,
        "service_category": name,
        "matcher": {"ranges": [{"code_system": s, "first": f, "last": last} for s, f, last in ranges]},
        "methodology": methodology,
        "lesser_of_billed": False,
        "multiple_procedure_reduction": None,
        "stop_loss": None,
        "carve_outs": [],
        "escalators": [],
        "floors": [],
        **extra,
    }


def medicare_term(percent: str) -> dict[str, Any]:
    return term(
        "professional",
        {"kind": "percent_of_medicare", "percent": percent, "basis_year": None},
        ("CPT", None, None),
        ("HCPCS", None, None),
    )


def fee_row(code: str, amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "code_system": "CPT",
        "code": code,
        "rate_kind": "amount",
        "effective_from": "2020-01-01",
        "effective_to": None,
        "modifiers": [],
        "place_of_service": None,
        "setting": None,
        "unit": "unit",
        "amount": amount,
        "percentage": None,
        **extra,
    }


def contract_event(
    org: str,
    contract_id: str,
    payer_id: str,
    *,
    version: int = 1,
    effective_from: str = "2020-01-01",
    payment_terms: list[dict[str, Any]],
    fee_schedule: dict[str, Any] | None = None,
    event_type: str = "contract.created",
    retroactive: bool = False,
    status: str = "active",
    prompt_pay_days: int | None = 30,
) -> CloudEvent:
    data = {
        "contract_id": contract_id,
        "organization_id": org,
        "payer_id": payer_id,
        "status": status,
        "version": version,
        "effective_from": effective_from,
        "retroactive": retroactive,
        "terms": {"effective_date": "2020-01-01", "prompt_pay_days": prompt_pay_days},
        "payment_terms": payment_terms,
        "fee_schedule": fee_schedule,
    }
    return new_event(
        event_type, source="contract-registry", subject=contract_id, data=data, organization_id=org
    )


def schedule_events(
    org: str, schedule_id: str, rows: list[dict[str, Any]], chunk_size: int = 2
) -> tuple[dict[str, Any], list[CloudEvent]]:
    """fee_schedule.published chunks of `rows` and the FeeScheduleRef a version names them by."""
    content_hash = uuid.uuid4().hex + uuid.uuid4().hex
    chunks = [rows[i : i + chunk_size] for i in range(0, len(rows), chunk_size)]
    events = [
        new_event(
            "fee_schedule.published",
            source="contract-registry",
            subject=schedule_id,
            organization_id=org,
            data={
                "schedule_id": schedule_id,
                "organization_id": org,
                "content_hash": content_hash,
                "chunk_index": i,
                "chunk_count": len(chunks),
                "row_count": len(rows),
                "rows": chunk,
            },
        )
        for i, chunk in enumerate(chunks)
    ]
    return {"schedule_id": schedule_id, "content_hash": content_hash, "row_count": len(rows)}, events


def claim_json(pcn: str, payer_id: str, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A professional claim; POS 22 (outpatient hospital, a facility setting) unless given: a
    professional claim without a place of service is held for review, never priced."""
    claim = {"patient_control_number": pcn, "payer_id": payer_id, "lines": list(lines), **extra}
    if "type_of_bill" not in extra:
        claim.setdefault("place_of_service", "22")
    return claim


def line(code: str, charge: str, service_date: str = "2025-03-14", **extra: Any) -> dict[str, Any]:
    system = "HCPCS" if code[0].isalpha() else "CPT"
    return {"code_system": system, "code": code, "charge": charge, "service_date": service_date, **extra}


def clp(
    pcn: str,
    charge: str,
    paid: str,
    *,
    status: str = "1",
    cas: list[tuple[str, str, str]] | None = None,
    svc: list[tuple[str, str, str, list[tuple[str, str, str]]]] | None = None,
    pccn: str = "PCCN1",
) -> list[str]:
    """One claim loop (CAS as (group, carc, amount); lines as (code, charge, paid, their CAS))."""
    segs = [f"CLP*{pcn}*{status}*{charge}*{paid}*0*12*{pccn}*11*1"]
    segs += [f"CAS*{g}*{c}*{a}" for g, c, a in cas or []]
    for number, (code, line_charge, line_paid, line_cas) in enumerate(svc or [], start=1):
        segs += [f"SVC*HC:{code}*{line_charge}*{line_paid}**1", "DTM*472*20250314"]
        segs += [f"CAS*{g}*{c}*{a}" for g, c, a in line_cas]
        segs.append(f"REF*6R*{number}")
    return segs


def remit_835(trace: str, *claims: list[str], plb: str | None = None) -> bytes:
    """A balanced 835: BPR02 = sum(CLP04) - PLB."""
    paid = sum((Decimal(c[0].split("*")[4]) for c in claims), Decimal(0))
    plb_amount = Decimal(plb.split("*")[-1]) if plb else Decimal(0)
    segs = [
        "ST*835*0001",
        f"BPR*I*{paid - plb_amount}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20250401",
        f"TRN*1*{trace}*1512345678",
        "DTM*405*20250401",
        "N1*PR*ACME HEALTH*XV*60054",
        "N1*PE*CLINIC*XX*1234567893",
        "LX*1",
        *[s for c in claims for s in c],
        *([plb] if plb else []),
    ]
    segs.append(f"SE*{len(segs) + 1}*0001")
    isa = "ISA*00*          *00*          *ZZ*ACME           *ZZ*CLINIC         *250401*1200*^*00501*000000001*0*T*:"
    body = [isa, "GS*HP*ACME*CLINIC*20250401*1200*1*X*005010X221A1", *segs, "GE*1*1", "IEA*1*000000001"]
    return ("~\n".join(body) + "~\n").encode()
