"""Consumer throughput on the path users take: claim.priced events into the obligation tracker.

Real PostgreSQL (Debian binaries, the test harness's local cluster) and a real broker (Apache Kafka from
Maven jars when java and mvn exist, else tansu). For each mode -- one transaction per event, then a
fetched run per transaction with a fetch's partitions one after another, then with them at once (the
services' default on PostgreSQL) -- a fresh, migrated tracker database gets one active
contract (timely filing 90 days, appeal window 60, prompt pay 30), then N claim.priced events for it are
produced to a fresh 3-partition topic and one ConsumerLoop with the tracker's own handlers applies them
(each makes the claim's timely-filing and prompt-pay deadlines). The figure is events applied per
second of wall clock, from the moment the consumer has joined its group (the broker delays a new
group's first assignment by its initial rebalance delay, printed apart) until every event's offset is
committed; the ratios of the modes in the same run are the comparison to trust on a shared machine.

With `--upload`, the events are those of an 835 upload instead: N claims are priced first (N
claim.priced events through the same loop, not timed), then N claim.paid and N
claim.variance_detected (underpaid) are produced, interleaved per claim as the engine publishes them,
all with the one traceparent of the upload's request; the figure is those 2N events applied per
second (each payment completes the claim's timely filing and prompt pay, each variance opens its
appeal deadline). Tracing is configured as in the service (a tracer provider, exporter "none"), so
the consumer's spans cost what they cost there.

    uv run --frozen python benchmarks/consumer_throughput.py [--events 20000] [--upload]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from pathlib import Path
from typing import Any

from accord_common.events import CloudEvent, new_event
from accord_common.messaging import ConsumerLoop
from accord_common.migrate import upgrade_async
from accord_common.telemetry import configure_tracing, current_traceparent, tracer
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


def claim_id_of(n: int) -> str:
    """A claim id as the engine makes them (a UUID)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-claim-{n}"))


def claim_priced(contract_id: str, n: int) -> CloudEvent:
    claim_id = claim_id_of(n)
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


def database_cpu_s(cluster: LocalCluster) -> float:
    """CPU seconds (user + system) of the cluster's server processes (the postmaster's children,
    Linux /proc): what the database spent, beside the consumer's own CPU."""
    postmaster = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
    ticks, total = os.sysconf("SC_CLK_TCK"), 0
    for proc in Path("/proc").iterdir():
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == postmaster:  # field 4: the parent's pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def upload_events(contract_id: str, n: int, traceparent: str | None) -> list[CloudEvent]:
    """The claim's claim.paid ($900.00 of $950.00 expected) and its claim.variance_detected."""
    claim_id, pcn = claim_id_of(n), f"PCN-{n:06d}"
    common = {"claim_id": claim_id, "organization_id": ORG, "patient_control_number": pcn}
    common |= {"payer_id": "payer-acme", "contract_id": contract_id}
    paid = common | {"paid_amount": "900.00", "paid_date": "2026-06-20", "remittance_id": "rem-1"}
    variance = common | {
        "classification": "underpaid",
        "expected_allowed": "950.00",
        "paid_amount": "900.00",
        "patient_responsibility": "0.00",
        "variance": "50.00",
        "remittance_date": "2026-06-20",
        "carcs": ["CO-45"],
        "variance_id": str(uuid.uuid4()),
    }
    return [
        new_event(t, source="bench", subject=claim_id, data=d, organization_id=ORG).model_copy(
            update={"traceparent": traceparent}
        )
        for t, d in (("claim.paid", paid), ("claim.variance_detected", variance))
    ]


async def produce(runtime: Any, bootstrap: str, events: list[CloudEvent]) -> str:
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
        for event in events:
            headers = [("traceparent", event.traceparent.encode())] if event.traceparent else []
            await producer.send(topic, event.to_bytes(), key=event.subject.encode(), headers=headers)
        await producer.flush()
    finally:
        await producer.stop()
    return topic


async def consume(
    runtime: Any, topic: str, events: int, batched: bool, cluster: LocalCluster, concurrent: bool = False
) -> tuple[float, float, float, float]:
    """(seconds joining the group, seconds applying `events` once joined, the process's CPU seconds
    meanwhile: the consumer's own cost, which a busy machine changes far less than wall clock, and
    the database's CPU seconds meanwhile)."""
    consumer = await runtime.kafka.started_consumer(topic, group_id=f"bench-{uuid.uuid4().hex[:8]}")
    dead_letters = runtime.kafka.producer()
    await dead_letters.start()
    loop = ConsumerLoop(
        name="obligation-tracker",
        consumer=consumer,
        producer=dead_letters,
        handlers=runtime.handlers,
        uow_factory=runtime.uow,
        batched=batched,
        concurrent_partitions=concurrent,
    )
    parts = [TopicPartition(topic, p) for p in range(3)]
    began = time.perf_counter()
    loop.start()
    try:
        for _ in range(12_000):  # joining the group (the broker's initial rebalance delay), at most 60 s
            if consumer.assignment():
                break
            await asyncio.sleep(0.005)
        joined, cpu, db_cpu = time.perf_counter(), time.process_time(), database_cpu_s(cluster)
        while True:
            committed = sum([await consumer.committed(tp) or 0 for tp in parts])
            if committed >= events:
                break
            await asyncio.sleep(0.05)
        seconds, cpu = time.perf_counter() - joined, time.process_time() - cpu
        return joined - began, seconds, cpu, database_cpu_s(cluster) - db_cpu
    finally:
        await loop.stop()
        await consumer.stop()
        await dead_letters.stop()


async def run_upload(
    cluster: LocalCluster, bootstrap: str, claims: int, batched: bool, concurrent: bool
) -> dict[str, Any]:
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
    priced = await produce(runtime, bootstrap, [claim_priced(contract_id, n) for n in range(claims)])
    await consume(runtime, priced, claims, True, cluster)  # not measured: the claims' pricings and deadlines
    with tracer().start_as_current_span("POST /v1/remittances/835"):
        traceparent = current_traceparent()
    count = 2 * claims  # the events are not kept: a service holds none of them while it consumes
    topic = await produce(
        runtime, bootstrap, [e for n in range(claims) for e in upload_events(contract_id, n, traceparent)]
    )
    join_s, seconds, cpu_s, db_cpu_s = await consume(runtime, topic, count, batched, cluster, concurrent)
    async with runtime.sessions() as session:
        obligations = runtime.metadata.tables["obligations"]
        made = await session.scalar(
            select(func.count()).select_from(obligations).where(obligations.c.kind == "appeal")
        )
    await runtime.engine.dispose()
    return {
        "events_per_s": count / seconds,
        "events_per_cpu_s": count / cpu_s,
        "events_per_db_cpu_s": count / max(db_cpu_s, 1e-9),
        "seconds": seconds,
        "join_s": join_s,
        "obligations": made,
    }


async def run_mode(
    cluster: LocalCluster, bootstrap: str, events: int, batched: bool, concurrent: bool
) -> dict[str, Any]:
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

    topic = await produce(runtime, bootstrap, [claim_priced(contract_id, n) for n in range(events)])
    join_s, seconds, cpu_s, db_cpu_s = await consume(runtime, topic, events, batched, cluster, concurrent)
    async with runtime.sessions() as session:
        obligations = runtime.metadata.tables["obligations"]
        made = await session.scalar(select(func.count()).select_from(obligations))
    await runtime.engine.dispose()
    return {
        "events_per_s": events / seconds,
        "events_per_cpu_s": events / cpu_s,
        "events_per_db_cpu_s": events / max(db_cpu_s, 1e-9),
        "seconds": seconds,
        "join_s": join_s,
        "obligations": made,
    }


# (label, a fetched run per transaction, a fetch's partitions at once): the last is the services'
# default on PostgreSQL
MODES = (
    ("one transaction per event", False, False),
    ("one transaction per fetched run", True, False),
    ("fetched runs, partitions at once", True, True),
)


async def main(events: int, yardstick_events: int, upload: bool) -> None:
    configure_tracing("obligation-tracker", "none")
    cluster = LocalCluster()
    await asyncio.to_thread(cluster.start)
    broker = await asyncio.to_thread(start_kafka)
    try:
        print(f"broker: {broker.describe()}; database: PostgreSQL (local cluster)")
        results = {}
        for label, batched, concurrent in MODES:
            count = events if batched else min(events, yardstick_events)
            if count == 0:
                continue  # --yardstick-events 0: the fetched-run mode alone
            if upload:
                results[label] = await run_upload(
                    cluster, broker.bootstrap, max(count // 2, 1), batched, concurrent
                )
            else:
                results[label] = await run_mode(cluster, broker.bootstrap, count, batched, concurrent)
            r = results[label]
            what = "appeal deadlines" if upload else "obligations"
            print(
                f"{label:34s} {r['events_per_s']:>9,.0f} events/s, "
                f"{r['events_per_cpu_s']:,.0f} per consumer CPU second, "
                f"{r['events_per_db_cpu_s']:,.0f} per database CPU second  "
                f"({2 * max(count // 2, 1) if upload else count:,} events in {r['seconds']:.1f} s after "
                f"{r['join_s']:.1f} s joining the group, "
                f"{r['obligations']:,} {what} made)"
            )
        rates = {label: r["events_per_s"] for label, r in results.items()}
        one, run, at_once = (rates.get(label) for label, _, _ in MODES)
        if one and run:
            print(f"ratio (fetched run / per event): {run / one:.1f}x")
        if run and at_once:
            print(f"ratio (partitions at once / one after another): {at_once / run:.2f}x")
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
    parser.add_argument(
        "--upload",
        action="store_true",
        help="an 835 upload's claim.paid and claim.variance_detected (events/2 claims priced first)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.events, args.yardstick_events, args.upload))
