"""Handlers on a throwaway SQLite database (no server, no broker): the outbox stands in for Kafka."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from accord_common.db import make_engine, make_session_factory
from accord_common.events import CloudEvent, new_event
from accord_common.events.payloads import ContractVersionData
from accord_common.testing.outbox import outbox_events
from accord_common.uow import UnitOfWork
from reimbursement_engine.adapters import medicare_repo
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.claims_mapping import submission
from reimbursement_engine.adapters.orm import metadata
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.domain.pricing import Gpci, LocalityKey, MedicareYear, RvuRow
from reimbursement_engine.handlers.claims import submit_claims
from reimbursement_engine.handlers.projection import apply_contract_version
from reimbursement_engine.handlers.remittances import ingest_835

D = Decimal
ORG = "org-unit"
LOCALITY = LocalityKey("01112", "54")


class Store:
    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = make_session_factory(self.engine)
        self.caches = EngineCaches(D("1.00"))

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def outbox(self, topic: str) -> list[dict]:
        table = metadata.tables["outbox"]
        async with self.sessions() as session:
            return [json.loads(e.payload)["data"] for e in await outbox_events(session, table, topic=topic)]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
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


def contract(version: int, effective_from: str, percent: str) -> CloudEvent:
    term = {
        "name": "pro",
        "service_category": "pro",
        "matcher": {"ranges": [{"code_system": "CPT", "first": None, "last": None}]},
        "methodology": {"kind": "percent_of_medicare", "percent": percent, "basis_year": None},
    }
    return new_event(
        "contract.amended" if version > 1 else "contract.created",
        source="contract-registry",
        subject="c-1",
        data={
            "contract_id": "c-1",
            "organization_id": ORG,
            "payer_id": "60054",
            "status": "active",
            "version": version,
            "effective_from": effective_from,
            "terms": {"effective_date": "2025-01-01"},
            "payment_terms": [term],
        },
    )


def claim(pcn: str, on: str) -> object:
    return submission(
        {
            "patient_control_number": pcn,
            "payer_id": "60054",
            "place_of_service": "11",
            "medicare_locality": "01112-54",
            "lines": [
                {
                    "code_system": "CPT",
                    "code": "99213",
                    "modifiers": [],
                    "units": D(1),
                    "charge": D("150.00"),
                    "service_date": date.fromisoformat(on),
                }
            ],
        },
        "json",
        date(2025, 4, 1),
    )


async def apply(store: Store, event: CloudEvent) -> None:
    async with store.uow() as uow:
        await apply_contract_version(
            uow, store.caches, event.type, ContractVersionData.model_validate(event.data)
        )
        await uow.commit()


async def test_a_claim_is_priced_exactly_on_sqlite_and_published(store: Store) -> None:
    await apply(store, contract(1, "2025-01-01", "100"))
    (stored,) = await submit_claims(store.uow(), store.caches, ORG, [claim("PCN-1", "2025-03-01")])  # type: ignore[list-item]
    # CMS formula: (1.30*1.017 + 1.45*1.093 + 0.10*0.662) * 32.3465 = 96.17
    assert stored.result.priced is not None and stored.result.priced.expected_allowed == D("96.17")
    (event,) = await store.outbox("claim.priced")
    assert (event["patient_control_number"], D(event["expected_allowed"])) == ("PCN-1", D("96.17"))


async def test_a_later_version_reprices_only_the_claims_it_governs(store: Store) -> None:
    await apply(store, contract(1, "2025-01-01", "100"))
    await submit_claims(
        store.uow(), store.caches, ORG, [claim("PCN-A", "2025-02-01"), claim("PCN-B", "2025-08-01")]
    )  # type: ignore[list-item]
    await apply(store, contract(2, "2025-06-01", "200"))
    priced = {
        e["patient_control_number"]: D(e["expected_allowed"]) for e in await store.outbox("claim.priced")
    }
    assert priced == {"PCN-A": D("96.17"), "PCN-B": D("192.34")}


async def test_an_835_for_unknown_claims_is_stored_unmatched(store: Store) -> None:
    summary = await ingest_835(store.uow(), ORG, generate_835(20).encode())
    assert (summary.claims, summary.matched, summary.classifications) == (20, 0, {})
    assert len(await store.outbox("claim.paid")) == 20
    again = await ingest_835(store.uow(), ORG, generate_835(20).encode())
    assert again.duplicate


def revised(version: int, effective_from: str, percent: str, revision: int, **data: object) -> object:
    """contract() as the registry publishes it today: with its revision (and any other field)."""
    event = contract(version, effective_from, percent)
    event.data.update(revision=revision, **data)  # type: ignore[attr-defined]
    return event


async def priced(store: Store) -> dict[str, Decimal]:
    return {e["patient_control_number"]: D(e["expected_allowed"]) for e in await store.outbox("claim.priced")}


async def test_a_draft_edit_and_its_activation_replace_the_version_held(store: Store) -> None:
    await apply(store, revised(1, "2025-01-01", "120", 1, status="draft"))
    await apply(store, revised(1, "2025-01-01", "150", 2, status="draft"))  # edited while a draft
    await apply(store, revised(1, "2025-01-01", "150", 3, status="active"))  # approved, activated
    await apply(store, revised(1, "2025-01-01", "120", 1, status="draft"))  # redelivered late: stale
    await submit_claims(store.uow(), store.caches, ORG, [claim("PCN-150", "2025-03-01")])  # type: ignore[list-item]
    # 150% of Medicare's 96.17 (see above) = 144.255, rounded half up to the cent
    assert await priced(store) == {"PCN-150": D("144.26")}


async def test_a_withdrawn_version_is_dropped_and_the_one_before_governs_again(store: Store) -> None:
    await apply(store, revised(1, "2025-01-01", "100", 1))
    await apply(store, revised(2, "2025-06-01", "200", 2))  # a future version entered by mistake
    await apply(store, revised(1, "2025-01-01", "100", 3, withdrawn_version=2))
    await submit_claims(store.uow(), store.caches, ORG, [claim("PCN-AUG", "2025-08-01")])  # type: ignore[list-item]
    assert await priced(store) == {"PCN-AUG": D("96.17")}
