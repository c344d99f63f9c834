"""Consumer throughput on the path users take: claim.priced events into the obligation tracker.

Real PostgreSQL (Debian binaries, the test harness's local cluster) and a real broker (Apache Kafka from
Maven jars when java and mvn exist, else tansu). For each mode -- one transaction per event, then a
fetched run per transaction (the default) -- a fresh, migrated tracker database gets one active
contract (timely filing 90 days, appeal window 60, prompt pay 30), then N claim.priced events for it are
produced to a fresh 3-partition topic and one ConsumerLoop with the tracker's own handlers applies them
(each makes the claim's timely-filing and prompt-pay deadlines). The figure is events applied per
second of wall clock, from the moment the consumer has joined its group (the broker delays a new
group's first assignment by its initial rebalance delay, printed apart) until every event's offset is
committed; the ratio of the two modes in the same run is the comparison to trust on a shared machine.

    uv run --frozen python benchmarks/consumer_throughput.py [--events 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import Any

from accord_common.events import CloudEvent, new_event
from accord_common.messaging import ConsumerLoop
from accord_common.migrate import upgrade_async
from accord_common.testing.kafka import start_kafka
from accord_common.testing.postgres import LocalCluster
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from obligation_tracker.bootstrap import SERVICE_ROOT, build_runtime
from obligation_tracker.config import TrackerSettings
from sqlalchemy import func, select

ORG = "org-bench"


def contract_created(contract_id: str) -> CloudEvent:
    data = {
        "contract_id": contract_id,
        "organization_id": ORG,
        "payer_id": "payer-acme",
        "payer_name": "Acme Health Plan",
        "status": "active",
        "version": 1,
        "effective_from": "2026-01-01",
        "terms": {
            "effective_date": "2026-01-01",
            "timely_filing_days": 90,
            "appeal_window_days": 60,
            "prompt_pay_days": 30,
        },
    }
    return new_event("contract.created", source="bench", subject=contract_id, data=data, organization_id=ORG)


def claim_priced(contract_id: str, n: int) -> CloudEvent:
    claim_id = f"CLM-{n:06d}"
    data = {
        "claim_id": claim_id,
        "organization_id": ORG,
        "patient_control_number": f"PCN-{n:06d}",
        "payer_id": "payer-acme",
        "contract_id": contract_id,
        "contract_version": 1,
        "service_date": "2026-05-01",
        "received_date": "2026-05-05",
        "total_charge": "1200.00",
        "expected_allowed": "950.00",
    }
    return new_event("claim.priced", source="bench", subject=claim_id, data=data, organization_id=ORG)


async def run_mode(cluster: LocalCluster, bootstrap: str, events: int, batched: bool) -> dict[str, Any]:
    name = f"tracker_bench_{uuid.uuid4().hex[:6]}"
    url = await cluster.server().create_database_async(name)
    await upgrade_async(SERVICE_ROOT, url)
    runtime = build_runtime(
        TrackerSettings(database_url=url, kafka_bootstrap=bootstrap, scheduler_enabled=False)
    )
    contract_id = str(uuid.uuid4())
    async with runtime.uow() as uow:
        await runtime.handlers["contract.created"](contract_created(contract_id), uow)
        if not uow.committed:
            await uow.commit()

    topic = f"bench.claims.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 3, 1)])
    finally:
        await admin.close()
    producer = runtime.kafka.producer()
    await producer.start()
    try:
        for n in range(events):
            event = claim_priced(contract_id, n)
            await producer.send(topic, event.to_bytes(), key=event.subject.encode())
        await producer.flush()
    finally:
        await producer.stop()

    consumer = runtime.kafka.consumer(topic, group_id=f"bench-{uuid.uuid4().hex[:8]}")
    dead_letters = runtime.kafka.producer()
    await consumer.start()
    await dead_letters.start()
    loop = ConsumerLoop(
        name="obligation-tracker",
        consumer=consumer,
        producer=dead_letters,
        handlers=runtime.handlers,
        uow_factory=runtime.uow,
        batched=batched,
    )
    parts = [TopicPartition(topic, p) for p in range(3)]
    began = time.perf_counter()
    loop.start()
    try:
        for _ in range(12_000):  # joining the group (the broker's initial rebalance delay), at most 60 s
            if consumer.assignment():
                break
            await asyncio.sleep(0.005)
        joined = time.perf_counter()
        while True:
            committed = sum([await consumer.committed(tp) or 0 for tp in parts])
            if committed >= events:
                break
            await asyncio.sleep(0.05)
        seconds = time.perf_counter() - joined
    finally:
        await loop.stop()
        await consumer.stop()
        await dead_letters.stop()
    async with runtime.sessions() as session:
        obligations = runtime.metadata.tables["obligations"]
        made = await session.scalar(select(func.count()).select_from(obligations))
    await runtime.engine.dispose()
    return {
        "events_per_s": events / seconds,
        "seconds": seconds,
        "join_s": joined - began,
        "obligations": made,
    }


async def main(events: int, yardstick_events: int) -> None:
    cluster = LocalCluster()
    await asyncio.to_thread(cluster.start)
    broker = await asyncio.to_thread(start_kafka)
    try:
        print(f"broker: {broker.describe()}; database: PostgreSQL (local cluster)")
        results = {}
        for label, batched, count in (
            ("one transaction per event", False, min(events, yardstick_events)),
            ("one transaction per fetched run", True, events),
        ):
            results[label] = await run_mode(cluster, broker.bootstrap, count, batched)
            r = results[label]
            print(
                f"{label:34s} {r['events_per_s']:>9,.0f} events/s  "
                f"({count:,} events in {r['seconds']:.1f} s after "
                f"{r['join_s']:.1f} s joining the group, "
                f"{r['obligations']:,} obligations made)"
            )
        one, run = (results[k]["events_per_s"] for k in results)
        print(f"ratio (fetched run / per event): {run / one:.1f}x")
    finally:
        await asyncio.to_thread(broker.stop)
        await asyncio.to_thread(cluster.remove)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument(
        "--yardstick-events",
        type=int,
        default=2_000,
        help="events for the one-transaction-per-event yardstick (it runs at tens of events/s)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.events, args.yardstick_events))
