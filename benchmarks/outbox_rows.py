"""What 20,000 events cost PostgreSQL in the outbox: a row each, or rows of a run of events
(`accord_common/outbox_bundles.py`), their payload compressed with pglz (PostgreSQL's default), lz4
(what migration `outbox_0001` sets where the server has it) or not at all.

For each layout: the events written by COPY in transactions of 1,000 events, as a unit of work
writes them; then read back and deleted in passes of 1,000 events, as the relay does. Printed: wall
time and the CPU of the PostgreSQL backend that did it (from /proc: Linux, and a local server), and
the table's size once written. The events are claim.variance_detected-sized (~1.2 KB).

    uv run --frozen python benchmarks/outbox_rows.py [--events 20000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from accord_common.db import new_metadata
from accord_common.outbox_bundles import bundled
from accord_common.tables import add_infra_tables
from accord_common.testing.postgres import start_postgres
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

LAYOUTS = (("a row each", None), ("runs, pglz", "pglz"), ("runs, lz4", "lz4"), ("runs, uncompressed", "none"))
TICK = os.sysconf("SC_CLK_TCK")
_READ = "SELECT topic, message_key, payload, headers::text FROM outbox WHERE id = ANY($1::bigint[])"
COLUMNS = ("event_id", "topic", "message_key", "payload", "headers", "created_at", "event_count")


def _ddl() -> list[str]:
    metadata = new_metadata()
    add_infra_tables(metadata)
    outbox = metadata.tables["outbox"]
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return [str(CreateTable(outbox).compile(dialect=dialect))] + [
        str(CreateIndex(index).compile(dialect=dialect)) for index in outbox.indexes
    ]


def _event(n: int) -> dict[str, Any]:
    event_id = str(uuid.uuid4())
    data = {
        "claim_id": str(uuid.uuid4()),
        "organization_id": "org-1",
        "payer_id": "60054",
        "contract_id": str(uuid.uuid4()),
        "variance_id": str(uuid.uuid4()),
        "classification": "underpaid",
        "expected_allowed": "200.00",
        "paid_amount": "160.00",
        "patient_responsibility": "20.00",
        "variance": "20.00",
        "remittance_date": "2026-11-30",
        "patient_control_number": f"PCN{n:08d}",
        "root_causes": [{"kind": "fee_schedule", "detail": "paid below the fee schedule by 20.00"}],
        "lines": [
            {"line_number": i, "code": "99213", "expected_allowed": "100.00", "paid": "80.00"} for i in (1, 2)
        ],
    }
    envelope = {"specversion": "1.0", "id": event_id, "type": "claim.variance_detected", "data": data}
    return {
        "event_id": event_id,
        "topic": "claim.variance_detected",
        "message_key": data["claim_id"],
        "payload": json.dumps(envelope).encode(),
        "headers": {"content-type": "application/cloudevents+json; charset=UTF-8"},
        "created_at": datetime.now(UTC),
    }


async def _measure(url: str, compression: str | None, events: list[dict[str, Any]]) -> tuple[float, ...]:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DROP TABLE IF EXISTS outbox")
        for statement in _ddl():
            await connection.execute(statement)
        if compression == "none":
            await connection.execute("ALTER TABLE outbox ALTER COLUMN payload SET STORAGE EXTERNAL")
        elif compression is not None:
            await connection.execute(f"ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION {compression}")
        pid = await connection.fetchval("SELECT pg_backend_pid()")

        def cpu() -> float:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / TICK

        began, cpu_began = time.perf_counter(), cpu()
        for start in range(0, len(events), 1000):
            run = events[start : start + 1000]
            rows = [{**r, "event_count": 1} for r in run] if compression is None else bundled(run)
            records = [tuple(json.dumps(r[c]) if c == "headers" else r[c] for c in COLUMNS) for r in rows]
            async with connection.transaction():
                await connection.copy_records_to_table("outbox", records=records, columns=COLUMNS)
        written, cpu_written = time.perf_counter(), cpu()
        size = await connection.fetchval("SELECT pg_total_relation_size('outbox')")
        while True:
            async with connection.transaction():
                ids = await connection.fetch(
                    "SELECT id, event_count FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1000"
                )
                taken, total = [], 0
                for row in ids:
                    if taken and total + row["event_count"] > 1000:
                        break
                    taken.append(row["id"])
                    total += row["event_count"]
                if not taken:
                    break
                await connection.fetch(_READ, taken)
                await connection.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", taken)
        read, cpu_read = time.perf_counter(), cpu()
        return written - began, cpu_written - cpu_began, read - written, cpu_read - cpu_written, size / 1e6
    finally:
        await connection.close()


async def main(count: int, rounds: int) -> None:
    events = [_event(n) for n in range(count)]
    with start_postgres() as server:
        print(
            f"{count:,} events of ~{sum(len(e['payload']) for e in events) // count} B, {server.describe()}"
        )
        url = server.admin_url.replace("postgresql+asyncpg://", "postgresql://")
        print(
            f"{'round, layout':<28}{'write ms':>10}{'its CPU':>10}{'read+delete':>13}{'its CPU':>10}{'MB':>7}"
        )
        for round_ in range(1, rounds + 1):
            for name, compression in LAYOUTS:
                w, wc, r, rc, mb = await _measure(url, compression, events)
                ms = "".join(f"{v * 1000:>{n}.0f}" for v, n in ((w, 10), (wc, 10), (r, 13), (rc, 10)))
                print(f"{round_} {name:<26}{ms}{mb:>7.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rounds))
