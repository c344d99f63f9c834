"""A large 835's claims reconciled in a worker process (`ComputePool`) give exactly what the event
loop gives: the same variances, root causes and claim.variance_detected events, to the cent.

Two throwaway SQLite databases hold the same contract (version 1: 100% of Medicare from 2025-01-01,
version 2: 120% from 2025-06-01) and the same 160 priced claims of one 99213 line ($150.00 billed;
Medicare $96.17 by the CMS formula, so $96.17 under version 1 and $115.40 under version 2). One 835
pays them in five ways, 32 claims each; one database reconciles on the event loop, the other in a
pool of one worker process (a chunk of 100 or more priced claims goes to the pool)."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accord_common.db import make_engine, make_session_factory
from accord_common.events import new_event
from accord_common.events.payloads import ContractVersionData
from accord_common.testing.outbox import outbox_events
from accord_common.uow import UnitOfWork
from reimbursement_engine.adapters import medicare_repo
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import submission
from reimbursement_engine.adapters.compute_pool import ComputePool
from reimbursement_engine.adapters.orm import metadata
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.domain.pricing import Gpci, LocalityKey, MedicareYear, RvuRow
from reimbursement_engine.handlers import reconcile
from reimbursement_engine.handlers.claims import submit_claims
from reimbursement_engine.handlers.projection import apply_contract_version
from reimbursement_engine.handlers.remittances import IngestSummary, ingest_835
from sqlalchemy import select

D = Decimal
ORG = "org-pool"
LOCALITY = LocalityKey("01112", "54")
EACH = 32  # claims paid each way
# (service date, paid, claim status, CAS group and CARC): what each fifth of the claims gets
WAYS = [
    ("2025-03-01", D("96.17"), "1", "CO*45"),  # v1 $96.17 paid in full
    ("2025-03-01", D("86.17"), "1", "CO*45"),  # v1, $10.00 short: unexplained
    ("2025-08-01", D("96.17"), "1", "CO*45"),  # v2 $115.40 paid at v1's rate: $19.23 short, other schedule
    ("2025-08-01", D("0.00"), "4", "CO*29"),  # v2, denied for timely filing: $115.40
    ("2025-08-01", D("125.40"), "1", "CO*45"),  # v2, $10.00 over
]


def contract(version: int, effective_from: str, percent: str) -> Any:
    term = {
        "name": "pro",
        "service_category": "pro",
        "matcher": {"ranges": [{"code_system": "CPT", "first": None, "last": None}]},
        "methodology": {"kind": "percent_of_medicare", "percent": percent, "basis_year": None},
    }
    data = {
        "contract_id": "c-1",
        "organization_id": ORG,
        "payer_id": "60054",
        "status": "active",
        "version": version,
        "effective_from": effective_from,
        "terms": {"effective_date": "2025-01-01"},
        "payment_terms": [term],
    }
    kind = "contract.amended" if version > 1 else "contract.created"
    return new_event(kind, source="contract-registry", subject="c-1", data=data)


def claim(pcn: str, on: str) -> Any:
    line = {"code_system": "CPT", "code": "99213", "modifiers": [], "units": D(1), "charge": D("150.00")}
    body = {
        "patient_control_number": pcn,
        "payer_id": "60054",
        "place_of_service": "11",
        "medicare_locality": "01112-54",
        "lines": [{**line, "service_date": date.fromisoformat(on)}],
    }
    return submission(body, "json", date(2025, 9, 1))


def remittance() -> bytes:
    """One 835: each claim's one line paid as WAYS says, the rest of the $150.00 adjusted."""
    claims, total = [], D(0)
    for way, (on, paid, status, cas) in enumerate(WAYS):
        for n in range(EACH):
            adjusted = D("150.00") - paid
            claims += [
                f"CLP*P{way}-{n:03d}*{status}*150.00*{paid}*0*12*PAYER{way}{n:03d}*11*1~",
                f"SVC*HC:99213*150.00*{paid}**1~",
                f"DTM*472*{on.replace('-', '')}~",
                f"CAS*{cas}*{adjusted}~",
            ]
            total += paid
    body = [
        f"BPR*I*{total}*C*ACH*CCP*01*011000015*DA*123456*1512345678**01*999988880*DA*98765*20250902~",
        "TRN*1*EFTPOOL*1512345678~",
        "N1*PR*ACME HEALTH PLAN*XV*60054~",
        "N1*PE*GENERATED MEDICAL GROUP*XX*1999999999~",
        "LX*1~",
        *claims,
    ]
    st = ["ST*835*0001~", *body]
    st.append(f"SE*{len(st) + 1}*0001~")
    isa = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *250902*1200*^*00501*"
    envelope = [isa + "000000001*0*P*:~", "GS*HP*PAYER*PROVIDER*20250902*1200*1*X*005010X221A1~", *st]
    return "\n".join([*envelope, "GE*1*1~", "IEA*1*000000001~"]).encode()


class Store:
    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = make_session_factory(self.engine)
        self.caches = EngineCaches(D("1.00"))

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def prepare(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        rvu = RvuRow("99213", "", "A", D("1.30"), D("1.45"), D("0.67"), D("0.10"))
        gpci = Gpci(LOCALITY, "BAKERSFIELD", "CA", D("1.017"), D("1.093"), D("0.662"))
        async with self.uow() as uow:
            await medicare_repo.replace_year(
                uow.session, MedicareYear(2025, {("99213", ""): rvu}, {LOCALITY: gpci})
            )
            await uow.commit()
        for event in (contract(1, "2025-01-01", "100"), contract(2, "2025-06-01", "120")):
            async with self.uow() as uow:
                data = ContractVersionData.model_validate(event.data)
                await apply_contract_version(uow, self.caches, event.type, data)
                await uow.commit()
        claims = [claim(f"P{way}-{n:03d}", w[0]) for way, w in enumerate(WAYS) for n in range(EACH)]
        await submit_claims(self.uow(), self.caches, ORG, claims)

    async def variances(self) -> list[dict[str, Any]]:
        """Each variance as the worklist shows it (ids and times left out), by patient control number."""
        table = metadata.tables["variances"]
        kept = (
            "classification",
            "expected_allowed",
            "paid",
            "variance",
            "carcs",
            "primary_cause",
            "root_causes",
        )
        async with self.sessions() as session:
            rows = (await session.execute(select(table).order_by(table.c.patient_control_number))).all()
        return [{"pcn": r.patient_control_number, **{k: getattr(r, k) for k in kept}} for r in rows]

    async def events(self) -> list[dict[str, Any]]:
        table = metadata.tables["outbox"]
        async with self.sessions() as session:
            held = await outbox_events(session, table, topic="claim.variance_detected")
            found = [json.loads(e.payload)["data"] for e in held]
        for data in found:
            data.pop("variance_id"), data.pop("claim_id")  # ids differ between the two databases
        return sorted(found, key=lambda d: d["patient_control_number"])


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[tuple[Store, Store]]:
    pair = (Store(tmp_path / "loop.db"), Store(tmp_path / "pool.db"))
    for store in pair:
        await store.prepare()
    yield pair
    for store in pair:
        await store.engine.dispose()


async def test_claims_reconciled_in_a_worker_process_match_those_reconciled_on_the_loop(
    stores: tuple[Store, Store],
) -> None:
    on_loop, in_pool = stores
    pool = ComputePool(1)
    try:
        loop_summary = await ingest_835(on_loop.uow(), ORG, remittance())
        pool_summary = await ingest_835(in_pool.uow(), ORG, remittance(), pool=pool)
    finally:
        pool.close()

    expected = IngestSummary(
        loop_summary.file_id,
        transactions=1,
        claims=160,
        matched=160,
        total_paid=32 * D("403.91"),  # 32 x (96.17 + 86.17 + 96.17 + 0 + 125.40) = 12,925.12
        classifications={"paid_as_expected": 32, "underpaid": 64, "denied": 32, "overpaid": 32},
    )
    assert loop_summary == expected
    assert pool_summary == IngestSummary(**{**expected.__dict__, "file_id": pool_summary.file_id})
    loop_variances, pool_variances = await on_loop.variances(), await in_pool.variances()
    assert pool_variances == loop_variances
    assert len(loop_variances) == 160  # a claim paid as expected keeps its (closed) row
    assert pool.runs == 1  # the one chunk of 160 claims went to the worker
    by_pcn = {v["pcn"]: v for v in loop_variances}
    short, other, denied, over = by_pcn["P1-000"], by_pcn["P2-000"], by_pcn["P3-000"], by_pcn["P4-000"]
    assert (short["variance"], short["primary_cause"]) == (D("10.00"), "unexplained")
    # 120% of $96.17 = $115.404 -> $115.40; paid $96.17 = version 1's rate
    assert (other["expected_allowed"], other["variance"]) == (D("115.40"), D("19.23"))
    assert other["primary_cause"] == "other_fee_schedule"
    assert (denied["classification"], denied["variance"], denied["primary_cause"]) == (
        "denied",
        D("115.40"),
        "denied_timely_filing",
    )
    assert (over["classification"], over["variance"]) == ("overpaid", D("-10.00"))
    assert await in_pool.events() == await on_loop.events()
    assert len(await on_loop.events()) == 128


async def test_small_chunks_reconcile_as_one_and_read_the_root_cause_context_once(
    stores: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract versions, assembled schedules and Medicare reference are read with the first
    chunk of a reconciliation, not again for each: 160 claims in chunks of 30 (six chunks) give
    the variances, root causes and events of one chunk of 160."""
    whole, chunked = stores
    await ingest_835(whole.uow(), ORG, remittance())
    reads = {"versions": 0, "medicare": 0}
    version_refs, medicare = ProjectionRepository.version_refs, EngineCaches.medicare

    async def counted_versions(self: ProjectionRepository, org: str) -> Any:
        reads["versions"] += 1
        return await version_refs(self, org)

    async def counted_medicare(self: EngineCaches, *args: Any, **kwargs: Any) -> Any:
        reads["medicare"] += 1
        return await medicare(self, *args, **kwargs)

    monkeypatch.setattr(reconcile, "_CHUNK", 30)
    monkeypatch.setattr(ProjectionRepository, "version_refs", counted_versions)
    monkeypatch.setattr(EngineCaches, "medicare", counted_medicare)
    summary = await ingest_835(chunked.uow(), ORG, remittance())

    assert summary.classifications == {"paid_as_expected": 32, "underpaid": 64, "denied": 32, "overpaid": 32}
    assert await chunked.variances() == await whole.variances()
    assert await chunked.events() == await whole.events()
    assert reads == {"versions": 1, "medicare": 1}


def _double(values: list[int], *, held: dict[str, Any]) -> list[int]:
    return [v * held["factor"] for v in values]


async def test_a_killed_worker_costs_no_upload_the_pool_restarts() -> None:
    """A worker killed mid-life (out of memory, a signal) breaks a process pool for good; the pool
    answers that call in process and starts new workers for the next."""
    pool = ComputePool(1)
    try:
        factor = {"factor": 3}
        assert await pool.run(_double, [1, 2], held=factor) == [3, 6]
        broken = pool._executor
        for pid in list(broken._processes):  # the test kills the worker
            os.kill(pid, signal.SIGKILL)
        assert await pool.run(_double, [5], held=factor) == [15]  # answered here
        assert pool._executor is not broken
        assert await pool.run(_double, [7], held=factor) == [21]  # a new worker
        assert pool.runs == 3
    finally:
        pool.close()
