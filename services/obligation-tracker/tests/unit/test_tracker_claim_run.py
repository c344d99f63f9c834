"""A fetched run of claim events applied as a set (handlers/claim_run.py) leaves every row exactly as
applying the same events one at a time does: obligations, their history, pricings, parked events,
inbox and outbox. And it is a set: the statements it makes do not grow with the run.

The contract (tracker_claim_events): version 1 from 2026-01-01 (timely filing 90 days, appeal 180,
prompt pay 30), version 2 from 2026-07-01 (timely filing 120, appeal 60, prompt pay 45).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from accord_common.events import CloudEvent
from accord_common.messaging import ConsumerLoop
from accord_common.messaging.batch import apply_run
from aiokafka import TopicPartition
from obligation_tracker.adapters.orm import metadata
from sqlalchemy import event
from tracker_claim_events import VERSION_1, Db, everything, mixed_run, paid, priced, record, version

CONSUMER = "obligation-tracker"


async def new_db(path: Path) -> Db:
    db = Db(path)
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return db


def one_by_one(db: Db) -> ConsumerLoop:
    return ConsumerLoop(
        name=CONSUMER,
        consumer=None,  # type: ignore[arg-type]
        producer=None,  # type: ignore[arg-type]
        handlers=db.handlers,
        uow_factory=db.uow,
        max_attempts=1,
        batched=False,
    )


async def as_set(db: Db, events: list[CloudEvent]) -> int:
    """Apply the run in one transaction, as the consumer does; returns the statements it made."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        await apply_run(CONSUMER, [record(e, i) for i, e in enumerate(events)], db.handlers, db.uow)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    return len(statements)


async def test_a_mixed_run_as_a_set_writes_every_row_the_one_by_one_path_writes(tmp_path: Path) -> None:
    contract, unknown = str(uuid.uuid4()), str(uuid.uuid4())
    before, run = mixed_run(contract, unknown)
    alone, together = await new_db(tmp_path / "alone.db"), await new_db(tmp_path / "together.db")
    try:
        for db in (alone, together):
            loop = one_by_one(db)
            for offset, e in enumerate(before):
                assert await loop.process(record(e, offset)) == "applied"
        for offset, e in enumerate(run):
            await one_by_one(alone).process(record(e, offset))
        await as_set(together, run)

        expected, got = await everything(alone.sessions), await everything(together.sessions)
        for table in expected:
            assert got[table] == expected[table], table
    finally:
        await alone.engine.dispose()
        await together.engine.dispose()

    due = {
        (r["claim_id"], r["kind"]): (str(r["due_date"]), r["status"])
        for r in got["obligations"]
        if r["claim_id"]
    }
    # Timely filing (service + 90 / 120 days) and appeals (remitted + 180 / 60) move back to a
    # business day; prompt pay (received + 30 / 45 days) is calendar days.
    assert due == {
        ("A", "timely_filing"): ("2026-05-29", "completed"),  # 03-02 + 90 = Sun 05-31; filed 03-10
        ("A", "prompt_pay"): ("2026-08-20", "open"),  # re-priced under v2: received 07-06 + 45
        ("A", "appeal"): ("2026-11-10", "completed"),  # v1: 05-15 + 180 = 11-11, Veterans Day
        ("B", "timely_filing"): ("2026-05-01", "completed"),  # 02-02 + 90 = Sun 05-03
        ("B", "prompt_pay"): ("2026-03-22", "breached"),  # 02-20 + 30, paid 03-30
        ("C", "timely_filing"): ("2026-05-29", "completed"),  # 03-01 + 90 = Sat 05-30
        ("C", "prompt_pay"): ("2026-04-04", "completed"),  # 03-05 + 30, paid 04-01
        ("P", "timely_filing"): ("2026-06-30", "completed"),  # 04-01 + 90
        ("P", "prompt_pay"): ("2026-05-02", "completed"),  # 04-02 + 30, the parked payment of 04-20
        ("D", "timely_filing"): ("2026-11-06", "completed"),  # v2: 07-10 + 120 = Sat 11-07
        ("D", "prompt_pay"): ("2026-08-26", "open"),  # v2: 07-12 + 45
        ("D", "appeal"): ("2026-10-02", "cancelled"),  # v2: 08-03 + 60, written off
        ("Q", "timely_filing"): ("2026-06-30", "completed"),  # 04-01 + 90
        ("Q", "prompt_pay"): ("2026-05-03", "open"),  # 04-03 + 30
    }
    assert {(r["event_type"], r["claim_id"], r["awaiting"]) for r in got["parked"]} == {
        ("claim.variance_status_changed", "Q", "appeal"),
        ("claim.priced", "E", "contract"),
    }
    assert len(got["inbox"]) == len(before) + len(run) - 1


async def test_a_run_makes_as_many_statements_for_forty_claims_as_for_four(tmp_path: Path) -> None:
    contract = str(uuid.uuid4())
    counts = []
    for size in (4, 40):
        db = await new_db(tmp_path / f"run-{size}.db")
        try:
            await one_by_one(db).process(record(version(contract, 1, **VERSION_1), 0))
            run = []
            for n in range(size):
                run += [priced(f"S{n}", contract, 1, "2026-02-02", "2026-02-20"), paid(f"S{n}", "2026-03-01")]
            counts.append(await as_set(db, run))
            made = [r for r in (await everything(db.sessions))["obligations"] if r["claim_id"]]
            assert [r["status"] for r in made].count("completed") == 2 * size
        finally:
            await db.engine.dispose()
    assert counts[0] == counts[1]
    assert counts[0] < 30


class Partition:
    """The consumer's side the loop talks to, scripted: one partition, offsets committed noted."""

    def __init__(self) -> None:
        self.commits: list[int] = []
        self.tp = TopicPartition("claims", 0)

    def assignment(self) -> set[TopicPartition]:
        return {self.tp}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        pass

    def highwater(self, tp: TopicPartition) -> int:
        return 100

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(offsets[self.tp])


class DeadLetters:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_and_wait(self, topic: str, **_: Any) -> None:
        self.sent.append(topic)


async def test_a_run_with_an_event_that_cannot_apply_goes_one_by_one_and_only_it_is_dead_lettered(
    tmp_path: Path,
) -> None:
    contract = str(uuid.uuid4())
    db, partition, dead = await new_db(tmp_path / "fallback.db"), Partition(), DeadLetters()
    try:
        first = version(contract, 1, **VERSION_1)
        await one_by_one(db).process(record(first, 0))
        bad = priced("Z", contract, 1, "2026-02-02", "2026-02-20")
        bad = bad.model_copy(update={"data": bad.data | {"service_date": "not a date"}})
        run = [priced("S", contract, 1, "2026-02-02", "2026-02-20"), bad, paid("S", "2026-03-01")]
        loop = ConsumerLoop(
            name=CONSUMER,
            consumer=partition,  # type: ignore[arg-type]
            producer=dead,  # type: ignore[arg-type]
            handlers=db.handlers,
            uow_factory=db.uow,
            max_attempts=1,
            backoff_s=0,
        )
        await loop.process_batches({partition.tp: [record(e, i) for i, e in enumerate(run)]})
        rows = await everything(db.sessions)
    finally:
        await db.engine.dispose()
    assert partition.commits == [3]
    assert dead.sent == ["claim.priced.dlq"]
    assert {(r["claim_id"], r["kind"], r["status"]) for r in rows["obligations"] if r["claim_id"]} == {
        ("S", "timely_filing", "completed"),
        ("S", "prompt_pay", "completed"),  # received 02-20 + 30 = 03-22, paid 03-01
    }
    assert {r["event_id"] for r in rows["inbox"]} == {first.id, run[0].id, run[2].id}  # not the bad one
