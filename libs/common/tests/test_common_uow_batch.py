"""UnitOfWork.publish_batch: a batch's events land in the outbox in order, interleaved correctly
with single events, as the same envelopes `publish` writes; a payload off the catalogue is refused
before anything is written."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from accord_common.db import make_engine, make_session_factory, new_metadata
from accord_common.events import CloudEvent, new_event
from accord_common.outbox_bundles import events_of
from accord_common.tables import add_infra_tables
from accord_common.uow import UnitOfWork
from sqlalchemy import select

metadata = new_metadata()
add_infra_tables(metadata)
outbox = metadata.tables["outbox"]


def _paid(claim_id: str) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "organization_id": "org-1",
        "patient_control_number": f"PCN-{claim_id}",
        "payer_id": "60054",
        "contract_id": "k-1",
        "contract_version": 1,
        "service_date": "2025-03-14",
        "received_date": "2025-03-20",
        "total_charge": "250.00",
        "expected_allowed": "95.48",
        "lines": [{"line_number": 1, "code": "99213", "status": "priced", "expected_allowed": "95.48"}],
    }


async def _run(tmp_path: Path, items: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], Exception | None]:
    """The outbox's rows after the unit of work, and the error it raised (None when it committed)."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/uow.db")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    error = None
    try:
        async with UnitOfWork(make_session_factory(engine), metadata) as uow:
            single = new_event("claim.priced", source="accord.test", subject="first", data=_paid("first"))
            uow.publish(single)
            uow.publish_batch("claim.priced", source="accord.test", organization_id="org-1", items=items)
            await uow.commit()
    except ValueError as exc:
        error = exc
    async with engine.connect() as connection:
        rows = (await connection.execute(select(outbox).order_by(outbox.c.id))).all()
    await engine.dispose()
    return list(rows), error


def test_batch_events_follow_single_events_in_the_outbox_as_cloud_events(tmp_path: Path) -> None:
    items = [(f"c-{n}", _paid(f"c-{n}")) for n in range(3)]
    rows, error = asyncio.run(_run(tmp_path, items))
    assert error is None
    # one topic, one trace: the four events share a row, in the order published
    (row,) = rows
    assert (row.topic, row.event_count, row.message_key) == ("claim.priced", 4, "first")
    assert row.headers == {"content-type": "application/cloudevents+json; charset=UTF-8"}
    written = list(events_of(row.topic, row.message_key, row.payload, row.event_count))
    assert [e.key for e in written] == [b"first", b"c-0", b"c-1", b"c-2"]
    events = [CloudEvent.from_bytes(e.payload) for e in written]
    assert [event.data for event in events[1:]] == [data for _, data in items]
    assert {event.type for event in events} == {"claim.priced"}
    assert row.event_id == events[0].id
    assert {event.organizationid for event in events[1:]} == {"org-1"}
    assert len({event.id for event in events}) == 4


def test_a_payload_off_the_catalogue_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    bad = {**_paid("c-0"), "surprise": 1}
    rows, error = asyncio.run(_run(tmp_path, [("c-0", bad), ("c-1", _paid("c-1"))]))
    assert isinstance(error, ValueError)
    assert "surprise" in str(error)
    assert rows == []  # not even the single event published before the batch


def test_every_payload_of_a_batch_is_checked_not_only_the_first(tmp_path: Path) -> None:
    wrong_amount = {**_paid("c-2"), "expected_allowed": "ninety"}
    items = [("c-0", _paid("c-0")), ("c-1", _paid("c-1")), ("c-2", wrong_amount)]
    rows, error = asyncio.run(_run(tmp_path, items))
    assert isinstance(error, ValueError)
    assert "expected_allowed" in str(error)
    assert rows == []


def test_flushed_events_are_written_in_the_transaction_and_roll_back_with_it(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int]:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/flush.db")
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        async with UnitOfWork(make_session_factory(engine), metadata) as uow:
            for n in range(3):
                uow.publish(new_event("claim.priced", source="t", subject=f"c-{n}", data=_paid(f"c-{n}")))
                await uow.flush_events()
            inside = len((await uow.session.execute(select(outbox))).all())
            # leaving without commit: rolled back
        async with engine.connect() as connection:
            after = len((await connection.execute(select(outbox))).all())
        await engine.dispose()
        return inside, after

    assert asyncio.run(scenario()) == (3, 0)
