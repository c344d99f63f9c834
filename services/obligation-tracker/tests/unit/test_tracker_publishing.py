"""apply_change writes an obligation's event as its outbox row directly: the same row (topic, key,
headers and payload bytes but the event's own id and time) that publishing the CloudEvent wrote."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from accord_common.db import make_engine, make_session_factory
from accord_common.telemetry import configure_tracing, tracer
from accord_common.uow import UnitOfWork
from obligation_tracker.adapters.orm import metadata
from obligation_tracker.adapters.repository import ObligationRefs, ObligationRepository
from obligation_tracker.domain import Obligation, ObligationKey, ObligationKind
from obligation_tracker.handlers.publishing import Change, apply_change, obligation_event
from sqlalchemy import select

ORG = "org-publishing"
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def comparable(row: Any) -> tuple[str, str, dict[str, Any], list[str], dict[str, Any]]:
    """The row without what differs between any two events: the event's id and time."""
    payload = json.loads(row.payload)
    keys = list(payload)
    del payload["id"], payload["time"]
    return row.topic, row.message_key, row.headers, keys, payload


async def test_the_outbox_rows_of_a_created_and_a_breached_deadline_are_those_publish_writes(
    tmp_path: Path,
) -> None:
    configure_tracing("test", "none")
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'publishing.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    sessions = make_session_factory(engine)
    contract, claim = uuid.uuid4(), uuid.uuid4()
    key = ObligationKey(ObligationKind.PROMPT_PAY, contract, claim)
    due = Obligation.new(key, "Prompt pay", date(2026, 7, 1), NOW, "30 days from receipt")
    late = due.breach("paid on 2026-07-11, 10 days late")
    refs = ObligationRefs(ORG, str(contract), str(claim), "payer-acme", "PCN-1", "Acme Health Plan")
    changes = [
        Change(due, refs, "created", "obligation.created", due.reasons[-1]),
        Change(
            late, refs, "breached", "obligation.breached", late.reasons[-1], interest_owed=Decimal("1.23")
        ),
    ]
    with tracer().start_as_current_span("consume claim.paid"):
        async with UnitOfWork(sessions, metadata) as uow:
            repo = ObligationRepository(uow.session, ORG, ZoneInfo("UTC"))
            for change in changes:
                await apply_change(uow, repo, change, NOW)
            for change in changes:  # the events as publish wrote them, for comparison
                assert change.event_type is not None
                o = change.obligation
                description = o.reasons[0]
                uow.publish(
                    obligation_event(
                        change.event_type,
                        o,
                        refs,
                        reason=change.reason,
                        interest_owed=change.interest_owed,
                        description=description,
                    )
                )
            await uow.commit()
    outbox = metadata.tables["outbox"]
    async with sessions() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.id))).all()
    await engine.dispose()

    written, published = [comparable(r) for r in rows[:2]], [comparable(r) for r in rows[2:]]
    assert written == published
    assert [w[4]["data"]["interest_owed"] for w in written] == [None, "1.23"]
    assert [w[4]["type"] for w in written] == ["obligation.created", "obligation.breached"]
    assert all(w[4]["traceparent"] for w in written)  # the consumer span's trace continues
