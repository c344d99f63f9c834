"""KPI measures from contract versions' value-based terms, through the handlers the consumer loop
and the API call, on a SQLite database (the embedded default)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from accord_common.auth import Principal
from accord_common.db import make_engine, make_session_factory
from accord_common.errors import Conflict
from accord_common.events import CloudEvent, new_event
from accord_common.events.payloads import ContractVersionData
from accord_common.uow import UnitOfWork
from obligation_tracker.adapters.orm import contracts, kpi_measures, metadata, obligations
from obligation_tracker.config import TrackerSettings
from obligation_tracker.domain import Direction
from obligation_tracker.entrypoints.consumers import event_handlers
from obligation_tracker.handlers import kpis
from obligation_tracker.handlers.context import Tracker
from obligation_tracker.handlers.contract_measures import apply_contract_measures
from obligation_tracker.handlers.snapshot import MalformedTerms
from sqlalchemy import select

ORG = "org-vbc"
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
STAFF = Principal("key-1", ORG, "Quality team", frozenset({"obligations:read", "obligations:write"}))
MEASURES = [
    {
        "name": "30-day readmission rate",
        "target": "15.5",
        "direction": "lower_is_better",
        "weight": "50",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    },
    {
        "name": "HbA1c control",
        "target": "70",
        "direction": "higher_is_better",
        "weight": "30",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    },
    {
        "name": "Colorectal cancer screening",
        "target": "65",
        "direction": "higher_is_better",
        "weight": "20",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    },
]


class Db:
    def __init__(self, path: Path) -> None:
        self.engine = make_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = make_session_factory(self.engine)
        self.tracker = Tracker.from_settings(TrackerSettings(), lambda: NOW)
        self.handlers = event_handlers(self.tracker)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, metadata)

    async def deliver(self, event: CloudEvent) -> None:
        async with self.uow() as uow:
            await self.handlers[event.type](event, uow)
            await uow.commit()

    async def measures(
        self, contract_id: str, *, include_retired: bool = False, defined_by: str = "contract"
    ) -> dict[str, Any]:
        """The contract's measures as the API lists them (the contract's, or staff's), by name."""
        listed = await kpis.measures_with_status(
            self.uow(), self.tracker, STAFF, contract_id, include_retired=include_retired
        )
        return {row.name: (row, e) for row, e in listed if row.defined_by == defined_by}

    async def rows(self, table: Any) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(select(table))).all())


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Db]:
    database = Db(tmp_path / "tracker.db")
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield database
    await database.engine.dispose()


def version(
    contract_id: str, number: int, measures: list[dict[str, Any]], status: str = "active"
) -> CloudEvent:
    data = {
        "contract_id": contract_id,
        "organization_id": ORG,
        "payer_id": "payer-acme",
        "payer_name": "Acme",
        "status": status,
        "version": number,
        "effective_from": "2026-01-01",
        "terms": {"effective_date": "2026-01-01", "termination_date": "2027-12-31"},
        "value_based_terms": {"measures": copy.deepcopy(measures), "shared_savings_percent": "50"},
    }
    event_type = {1: "contract.created"}.get(number, "contract.amended")
    if status == "terminated":
        event_type = "contract.terminated"
    return new_event(event_type, source="test", subject=contract_id, data=data, organization_id=ORG)


def with_target(name: str, target: str) -> list[dict[str, Any]]:
    return [m | {"target": target} if m["name"] == name else m for m in MEASURES]


async def staff_measure(db: Db, contract_id: str) -> str:
    """The quality team's own copy of a contract measure, defined through the API."""
    definition = kpis.MeasureDefinition(
        contract_id,
        "HbA1c control",
        Direction.HIGHER_IS_BETTER,
        Decimal("72"),
        Decimal(1),
        date(2026, 1, 1),
        date(2026, 12, 31),
    )
    return await kpis.define_measure(db.uow(), db.tracker, STAFF, definition)


async def test_a_version_defines_its_measures_and_applying_it_again_changes_nothing(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    first = version(contract_id, 1, MEASURES)
    await db.deliver(first)
    before = await db.rows(kpi_measures)

    measures = await db.measures(contract_id)
    assert sorted(measures) == ["30-day readmission rate", "Colorectal cancer screening", "HbA1c control"]
    row, evaluation = measures["HbA1c control"]
    assert (row.defined_by, row.contract_version, row.direction, row.target) == (
        "contract",
        1,
        "higher_is_better",
        Decimal("70"),
    )
    assert row.changes == [
        "defined by contract version 1: target 70 (higher is better), weight 30, 2026-01-01 to 2026-12-31"
    ]
    assert evaluation.status.value == "at_risk" and evaluation.reason == "no values recorded"

    await db.deliver(first)  # redelivered
    async with db.uow() as uow:  # and applied once more past the projection's version check
        plan = await apply_contract_measures(
            uow, db.tracker, ContractVersionData.model_validate(first.data), terminated=False
        )
        await uow.commit()
    assert plan.is_empty
    assert await db.rows(kpi_measures) == before


async def test_an_amendment_updates_a_target_keeps_its_readings_and_retires_a_removed_term(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, MEASURES))
    own = await staff_measure(db, contract_id)
    hba1c, _ = (await db.measures(contract_id))["HbA1c control"]
    await kpis.record_reading(db.uow(), db.tracker, STAFF, hba1c.id, Decimal("74"), date(2026, 5, 31))

    amended = [m for m in with_target("HbA1c control", "80") if m["name"] != "Colorectal cancer screening"]
    await db.deliver(version(contract_id, 2, amended))

    measures = await db.measures(contract_id)
    assert sorted(measures) == ["30-day readmission rate", "HbA1c control"]
    updated, evaluation = measures["HbA1c control"]
    assert (updated.id, updated.target, updated.contract_version) == (hba1c.id, Decimal("80"), 2)
    assert updated.changes[-1] == "contract version 2 changed target 70 -> 80"
    assert (evaluation.latest, evaluation.status.value) == (Decimal("74"), "at_risk")  # 74 kept, now short
    staff_row, _ = (await db.measures(contract_id, defined_by="staff"))["HbA1c control"]
    assert (staff_row.id, staff_row.target, staff_row.retired_at, staff_row.changes) == (
        own,
        Decimal("72"),
        None,
        [],
    )

    everything = await db.measures(contract_id, include_retired=True)
    screening, _ = everything["Colorectal cancer screening"]
    assert screening.retired_reason == "no longer in contract version 2"
    assert screening.retired_at is not None and screening.contract_version == 2
    with pytest.raises(Conflict, match="retired"):
        await kpis.record_reading(db.uow(), db.tracker, STAFF, screening.id, Decimal("66"), date(2026, 6, 1))

    await db.deliver(version(contract_id, 3, MEASURES))  # the term is back, the target back to 70
    restored, _ = (await db.measures(contract_id))["Colorectal cancer screening"]
    assert (restored.id, restored.retired_at, restored.retired_reason) == (screening.id, None, None)
    assert restored.changes[-1].startswith("in contract version 3 again: target 65")


async def test_termination_retires_the_contracts_measures_but_not_staffs(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    await db.deliver(version(contract_id, 1, MEASURES))
    own = await staff_measure(db, contract_id)
    await db.deliver(version(contract_id, 1, MEASURES, status="terminated"))

    assert await db.measures(contract_id) == {}
    staff = await db.measures(contract_id, include_retired=True, defined_by="staff")
    assert [(row.id, row.retired_at) for row, _ in staff.values()] == [(own, None)]
    retired = [row for row, _ in (await db.measures(contract_id, include_retired=True)).values()]
    assert len(retired) == 3
    assert {row.retired_reason for row in retired} == {"contract terminated (version 1)"}


async def test_a_malformed_measure_fails_the_contract_event_and_writes_nothing(db: Db) -> None:
    contract_id = str(uuid.uuid4())
    with pytest.raises(MalformedTerms, match=r"value_based_terms\.measures\[1\]\.target"):
        await db.deliver(version(contract_id, 1, with_target("HbA1c control", "seventy")))
    assert await db.rows(kpi_measures) == []
    assert await db.rows(contracts) == []
    assert await db.rows(obligations) == []
