"""Claims that arrive before their contract is in force are priced once it is (issue 10 item 2),
in bounded batches: each batch its own transaction, a full one asks for the next."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accord_common.db import make_engine, make_session_factory
from accord_common.events import CloudEvent, new_event
from accord_common.testing.outbox import outbox_events
from accord_common.uow import UnitOfWork
from reimbursement_engine.adapters import medicare_repo
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import ClaimSubmission, submission
from reimbursement_engine.adapters.orm import claims, metadata
from reimbursement_engine.domain.pricing import Gpci, LocalityKey, MedicareYear, RvuRow
from reimbursement_engine.entrypoints.consumers import build_handlers
from reimbursement_engine.handlers import claims as claims_handlers
from reimbursement_engine.handlers import repricing
from reimbursement_engine.handlers.claims import submit_claims
from sqlalchemy import delete, select

D = Decimal
ORG = "org-pending"
LOCALITY = LocalityKey("01112", "54")


class Store:
    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = make_session_factory(self.engine)
        self.caches = EngineCaches(D("1.00"))

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def outbox(self, topic: str) -> list[dict[str, Any]]:
        table = metadata.tables["outbox"]
        async with self.sessions() as session:
            return [json.loads(e.payload)["data"] for e in await outbox_events(session, table, topic=topic)]


@pytest.fixture
async def engine_store(tmp_path: Path) -> AsyncIterator[Store]:
    """SQLite with one Medicare code (99213 in Bakersfield: $96.17 at 100%)."""
    s = Store(tmp_path / "engine.db")
    async with s.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    year = MedicareYear(
        2025,
        {("99213", ""): RvuRow("99213", "", "A", D("1.30"), D("1.45"), D("0.67"), D("0.10"))},
        {LOCALITY: Gpci(LOCALITY, "BAKERSFIELD", "CA", D("1.017"), D("1.093"), D("0.662"))},
    )
    async with s.uow() as uow:
        await medicare_repo.replace_year(uow.session, year)
        await uow.commit()
    yield s
    await s.engine.dispose()


def contract_data(status: str) -> dict[str, Any]:
    term = {
        "name": "pro",
        "service_category": "pro",
        "matcher": {"ranges": [{"code_system": "CPT", "first": None, "last": None}]},
        "methodology": {"kind": "percent_of_medicare", "percent": "100", "basis_year": None},
    }
    return {
        "contract_id": "c-1",
        "organization_id": ORG,
        "payer_id": "payer-record-1",
        "payer_x12_id": "60054",
        "status": status,
        "version": 1,
        "effective_from": "2025-01-01",
        "terms": {"effective_date": "2025-01-01"},
        "payment_terms": [term],
    }


def claim(pcn: str) -> ClaimSubmission:
    line = {
        "code_system": "CPT",
        "code": "99213",
        "modifiers": [],
        "units": D(1),
        "charge": D("150.00"),
        "service_date": date(2025, 3, 1),
    }
    header = {
        "patient_control_number": pcn,
        "payer_id": "60054",
        "place_of_service": "11",
        "medicare_locality": "01112-54",
        "lines": [line],
    }
    return submission(header, "json", date(2025, 4, 1))


def approved_then(event_type: str) -> tuple[CloudEvent, CloudEvent]:
    """contract.created while approved (not in force for claims), then `event_type`, same version."""
    source = "contract-registry"
    draft = new_event("contract.created", source=source, subject="c-1", data=contract_data("approved"))
    later = new_event(event_type, source=source, subject="c-1", data=contract_data("active"))
    return draft, later


async def deliver(store: Store, event: CloudEvent) -> None:
    handler = build_handlers(store.caches)[event.type]
    async with store.uow() as uow:
        await handler(event, uow)
        await uow.commit()


async def statuses(store: Store) -> dict[str, str]:
    async with store.sessions() as session:
        rows = await session.execute(select(claims.c.patient_control_number, claims.c.status))
        return {pcn: status for pcn, status in rows}


async def claim_ids(store: Store) -> dict[str, str]:
    async with store.sessions() as session:
        rows = await session.execute(select(claims.c.patient_control_number, claims.c.id))
        return {pcn: claim_id for pcn, claim_id in rows}


async def take_requests(store: Store) -> list[CloudEvent]:
    """The claim.pricing_requested events waiting in the outbox (taken, as the relay would)."""
    table = metadata.tables["outbox"]
    async with store.sessions() as session, session.begin():
        found = await outbox_events(session, table, topic="claim.pricing_requested")
        await session.execute(delete(table).where(table.c.topic == "claim.pricing_requested"))
    return [CloudEvent.model_validate(json.loads(e.payload)) for e in found]


async def test_a_claim_pending_while_the_contract_is_approved_is_priced_when_it_is_activated(
    engine_store: Store,
) -> None:
    draft, activated = approved_then("contract.activated")
    await deliver(engine_store, draft)
    await submit_claims(engine_store.uow(), engine_store.caches, ORG, [claim("PCN-1")])
    assert await statuses(engine_store) == {"PCN-1": "pending"}
    await deliver(engine_store, activated)
    assert await statuses(engine_store) == {"PCN-1": "priced"}
    (event,) = await engine_store.outbox("claim.priced")
    assert (event["expected_allowed"], event["pricing_completeness"]) == ("96.17", "fully_priced")


async def test_pending_claims_are_priced_in_bounded_batches(
    engine_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repricing, "REPRICE_BATCH", 2)
    draft, activated = approved_then("contract.activated")
    await deliver(engine_store, draft)
    subs = [claim(f"PCN-{i}") for i in range(5)]
    await submit_claims(engine_store.uow(), engine_store.caches, ORG, subs)
    await deliver(engine_store, activated)
    batches = [list((await statuses(engine_store)).values()).count("priced")]
    planned = await take_requests(engine_store)  # the first full batch planned the rest at once
    ids = sorted((await claim_ids(engine_store)).values())
    assert [(r.data["scope"], r.data["after_claim_id"], r.data["until_claim_id"]) for r in planned] == [
        ("pending", ids[1], ids[3]),  # claims 3 and 4 of five, by id
        ("pending", ids[3], None),  # and on past them (claim 5, and any that came since)
    ]
    for request in planned:
        await deliver(engine_store, request)
        batches.append(list((await statuses(engine_store)).values()).count("priced"))
    assert await take_requests(engine_store) == []  # the last batch was not full: the walk ended
    assert batches == [2, 4, 5]
    assert len(await engine_store.outbox("claim.priced")) == 5


def fee_schedule_contract() -> tuple[CloudEvent, CloudEvent]:
    """An active contract paying from a fee schedule whose rows (99213 $100.00) arrive later."""
    data = contract_data("active")
    data["fee_schedule"] = {"schedule_id": "fs-1", "content_hash": "h" * 64, "row_count": 1}
    data["payment_terms"][0]["methodology"] = {"kind": "fee_schedule"}
    row = {
        "code_system": "CPT",
        "code": "99213",
        "rate_kind": "amount",
        "effective_from": "2025-01-01",
        "effective_to": None,
        "modifiers": [],
        "place_of_service": None,
        "setting": None,
        "unit": "unit",
        "amount": "100.00",
        "percentage": None,
    }
    chunk = {
        "schedule_id": "fs-1",
        "organization_id": ORG,
        "content_hash": "h" * 64,
        "chunk_index": 0,
        "chunk_count": 1,
        "row_count": 1,
        "rows": [row],
    }
    source = "contract-registry"
    return (
        new_event("contract.created", source=source, subject="c-1", data=data),
        new_event("fee_schedule.published", source=source, subject="fs-1", data=chunk),
    )


@pytest.mark.parametrize(
    ("before", "then", "expected"),
    [
        ("approved", "contract.activated", "96.17"),  # signed after its claims came in
        (None, "contract.created", "96.17"),  # no contract at all, then an active one
        ("approved", "contract.renewed", "96.17"),  # any contract.* that says it is in force
        ("fee schedule", "fee_schedule.published", "100.00"),  # the last chunk of its schedule
    ],
)
async def test_whatever_brings_a_contract_into_force_prices_the_waiting_claims(
    engine_store: Store, before: str | None, then: str, expected: str
) -> None:
    if before == "fee schedule":
        first, later = fee_schedule_contract()
    else:
        first, later = approved_then(then)
    if before is not None:
        await deliver(engine_store, first)
    await submit_claims(engine_store.uow(), engine_store.caches, ORG, [claim("PCN-1")])
    assert await statuses(engine_store) == {"PCN-1": "pending"}
    await deliver(engine_store, later)
    assert await statuses(engine_store) == {"PCN-1": "priced"}
    (event,) = await engine_store.outbox("claim.priced")
    assert event["expected_allowed"] == expected


async def test_a_retroactive_version_reprices_its_claims_in_bounded_batches(
    engine_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repricing, "REPRICE_BATCH", 2)
    source = "contract-registry"
    await deliver(
        engine_store,
        new_event("contract.created", source=source, subject="c-1", data=contract_data("active")),
    )
    await submit_claims(engine_store.uow(), engine_store.caches, ORG, [claim(f"PCN-{i}") for i in range(3)])
    amended = {**contract_data("active"), "version": 2, "retroactive": True}
    amended["payment_terms"] = [
        {
            **amended["payment_terms"][0],
            "methodology": {"kind": "percent_of_medicare", "percent": "150", "basis_year": None},
        }
    ]
    await deliver(engine_store, new_event("contract.amended", source=source, subject="c-1", data=amended))
    rounds = [1]
    while requests := await take_requests(engine_store):
        (request,) = requests  # two claims and one more: no range to plan, one open-ended request
        assert (request.data["scope"], request.data["contract_version"]) == ("version", 2)
        assert request.data["until_claim_id"] is None
        await deliver(engine_store, request)
        rounds.append(len(requests))
    assert len(rounds) == 2  # 2 claims, then the third
    latest: dict[str, str] = {}
    for event in await engine_store.outbox("claim.priced"):
        latest[event["patient_control_number"]] = event["expected_allowed"]
    assert latest == {
        "PCN-0": "144.26",
        "PCN-1": "144.26",
        "PCN-2": "144.26",
    }  # 150% x $96.17 = $144.255


async def test_a_version_whose_fee_schedule_arrives_later_reprices_the_claims_priced_before(
    engine_store: Store,
) -> None:
    """v1 pays 100% of Medicare ($96.17); a retroactive v2 pays from a fee schedule ($100.00) whose
    rows arrive after the amendment: until then the claims keep v1's pricing, then v2's."""
    source = "contract-registry"
    v1 = new_event("contract.created", source=source, subject="c-1", data=contract_data("active"))
    await deliver(engine_store, v1)
    await submit_claims(engine_store.uow(), engine_store.caches, ORG, [claim(f"PCN-{i}") for i in range(2)])
    amendment, chunk = fee_schedule_contract()
    v2 = {**amendment.data, "version": 2, "retroactive": True}
    await deliver(engine_store, new_event("contract.amended", source=source, subject="c-1", data=v2))
    kept = {
        e["patient_control_number"]: e["expected_allowed"] for e in await engine_store.outbox("claim.priced")
    }
    assert kept == {"PCN-0": "96.17", "PCN-1": "96.17"}  # v2 cannot price yet: v1's pricing stands
    await deliver(engine_store, chunk)
    latest: dict[str, tuple[str, int]] = {}
    for event in await engine_store.outbox("claim.priced"):
        latest[event["patient_control_number"]] = (event["expected_allowed"], event["contract_version"])
    assert latest == {"PCN-0": ("100.00", 2), "PCN-1": ("100.00", 2)}
    assert await statuses(engine_store) == {"PCN-0": "priced", "PCN-1": "priced"}


@pytest.mark.parametrize("then", ["contract.activated", "fee_schedule.published"])
async def test_a_contract_arriving_while_claims_are_being_priced_never_leaves_them_pending(
    engine_store: Store, monkeypatch: pytest.MonkeyPatch, then: str
) -> None:
    """The race of the 835 bench: the batch read no contract in force, the contract arrived and looked
    for waiting claims before the batch had written them. The arrival now waits for the batch."""
    if then == "fee_schedule.published":
        first, later = fee_schedule_contract()
    else:
        first, later = approved_then(then)
    await deliver(engine_store, first)
    read, go_on = asyncio.Event(), asyncio.Event()
    price = claims_handlers._priced

    async def priced_then_pause(*args: Any) -> Any:
        stored = await price(*args)  # the contract read: not in force yet, so pending
        read.set()
        await go_on.wait()
        return stored

    monkeypatch.setattr(claims_handlers, "_priced", priced_then_pause)
    batch = asyncio.create_task(submit_claims(engine_store.uow(), engine_store.caches, ORG, [claim("PCN-1")]))
    await asyncio.wait_for(read.wait(), 10)
    arrival = asyncio.create_task(deliver(engine_store, later))
    await asyncio.sleep(0.5)
    assert not arrival.done(), "the contract was applied while the batch was still pricing"
    go_on.set()
    await asyncio.wait_for(asyncio.gather(batch, arrival), 30)
    assert await statuses(engine_store) == {"PCN-1": "priced"}
