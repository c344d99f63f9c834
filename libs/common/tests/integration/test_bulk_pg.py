"""Bulk inserts on PostgreSQL go by binary COPY inside the session's transaction: the rows read
back exactly as a Core insert's do, a constraint violation is SQLAlchemy's IntegrityError with
nothing kept, and the outbox rows a batch of events makes are whole."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from accord_common.bulk import insert_rows
from accord_common.db import Money, make_engine, make_session_factory, new_metadata
from accord_common.events import CloudEvent
from accord_common.tables import add_infra_tables
from accord_common.testing.outbox import outbox_events
from accord_common.testing.postgres import PostgresServer
from accord_common.uow import UnitOfWork
from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    UniqueConstraint,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

metadata = new_metadata()
add_infra_tables(metadata)


def _table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(20), nullable=True),
        Column("amount", Money, nullable=True),
        Column("on_day", Date, nullable=True),
        Column("at", DateTime(timezone=True), nullable=True),
        Column("doc", JSON, nullable=True),
        UniqueConstraint("name", name=f"uq_{name}_name"),
    )


core_rows, copied_rows = _table("core_rows"), _table("copied_rows")
NOW = datetime(2026, 11, 23, 14, 5, 6, 789, tzinfo=UTC)


def _rows() -> list[dict[str, Any]]:
    values = [
        (Decimal("150.00"), NOW, {"lines": [1, 2], "text": "é"}),
        (Decimal("0.123456"), NOW, []),
        (Decimal("-12.5"), datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=-5))), {"n": None}),
        (None, None, None),
    ]
    return [
        {"id": n + 1, "name": f"row {n}", "amount": amount, "on_day": date(2024, 2, 29), "at": at, "doc": doc}
        for n, (amount, at, doc) in enumerate(values)
    ]


@pytest.fixture
async def sessions(postgres_server: PostgresServer) -> Any:
    url = await postgres_server.create_database_async(f"bulk_{uuid.uuid4().hex[:8]}")
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield make_session_factory(engine)
    await engine.dispose()


async def test_copied_rows_read_back_as_core_inserted_rows(sessions: Any) -> None:
    async with sessions() as session:
        await session.execute(insert(core_rows), _rows())
        await insert_rows(session, copied_rows, _rows())
        await session.commit()
        core = (await session.execute(select(core_rows).order_by(core_rows.c.id))).all()
        copied = (await session.execute(select(copied_rows).order_by(copied_rows.c.id))).all()
        as_text = "SELECT amount::text, doc::text, at::text FROM {} ORDER BY id"
        core_text = (await session.execute(text(as_text.format("core_rows")))).all()
        copied_text = (await session.execute(text(as_text.format("copied_rows")))).all()
    assert copied == core
    assert copied_text == core_text
    assert copied[0].amount == Decimal("150.00") and copied[2].at == datetime(2026, 1, 1, 14, tzinfo=UTC)
    assert copied_text[3] == (None, "null", None)  # JSON None is JSON null, as the Core insert writes it


async def test_a_constraint_violation_is_an_integrity_error_and_nothing_is_kept(sessions: Any) -> None:
    async with sessions() as session:
        await insert_rows(session, copied_rows, _rows()[:1])
        await session.commit()
    async with sessions() as session:
        clash = [{**_rows()[1], "id": 10}, {**_rows()[0], "id": 11}]  # row 0's name again
        with pytest.raises(IntegrityError):
            await insert_rows(session, copied_rows, clash)
        await session.rollback()
        count = (await session.execute(text("SELECT count(*) FROM copied_rows"))).scalar_one()
    assert count == 1


async def test_a_batch_of_events_lands_in_the_outbox_whole(sessions: Any) -> None:
    payload = {
        "claim_id": "c",
        "organization_id": "org-1",
        "patient_control_number": "P",
        "payer_id": "60054",
        "contract_id": "k",
        "contract_version": 1,
        "service_date": "2025-03-14",
        "received_date": "2025-03-20",
        "total_charge": "250.00",
        "expected_allowed": "95.48",
        "lines": [{"line_number": 1, "code": "99213", "status": "priced", "expected_allowed": "95.48"}],
    }
    items = [(f"c-{n}", {**payload, "claim_id": f"c-{n}"}) for n in range(1200)]
    async with UnitOfWork(sessions, metadata) as uow:
        uow.publish_batch("claim.priced", source="accord.test", organization_id="org-1", items=items)
        await uow.commit()
    outbox = metadata.tables["outbox"]
    async with sessions() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.id))).all()
        events = await outbox_events(session, outbox)
    assert [row.event_count for row in rows] == [500, 500, 200]  # rows of up to MAX_EVENTS
    assert [row.message_key for row in rows] == ["c-0", "c-500", "c-1000"]  # each row's first event's
    assert [e.key.decode() for e in events] == [subject for subject, _ in items]
    assert [CloudEvent.from_bytes(e.payload).data["claim_id"] for e in events] == [s for s, _ in items]
    assert rows[0].id < rows[-1].id and rows[0].headers["content-type"].startswith(
        "application/cloudevents+json"
    )


async def test_copy_as_the_first_statement_is_inside_the_transaction(sessions: Any) -> None:
    async with sessions() as session:
        await insert_rows(session, copied_rows, _rows())  # nothing ran before it in this transaction
        await session.rollback()
    async with sessions() as session:
        count = (await session.execute(text("SELECT count(*) FROM copied_rows"))).scalar_one()
    assert count == 0
