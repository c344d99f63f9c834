"""Chaos under load on PostgreSQL + Apache Kafka: the four services as processes, killed again and again.

    make chaos                # = uv run --frozen python scripts/chaos.py
    python scripts/chaos.py --kills 50 --outage-seconds 60

What it does (bounded: every phase has a limit, and it stops by itself):
1. starts a PostgreSQL cluster (Debian binaries; stoppable and restartable on the same port and data),
   Apache Kafka (KRaft from the Maven jars; likewise), an SMTP sink, a webhook receiver and the four
   services on their own databases; one activated contract, a webhook subscription to claim.priced;
2. load: a billing system posts claims to the engine without pause; a claim answered 201 is an
   acknowledged write;
3. kills a random service `--kills` times (two in three with SIGKILL, one in three with SIGTERM, as a
   rolling restart does), restarting it each time; then stops the broker for `--outage-seconds`, then the
   database for as long, with the load running;
4. stops the load and waits (at most `--converge-timeout` s) until every acknowledged claim is priced,
   has its deadlines in the tracker and its claim.priced webhook delivered.

It prints acknowledged writes, lost effects, duplicate effects, duplicate webhook deliveries by cause (the
last notifier stop before the repeat), dead letters in every service's database and the time to converge.
Expected: 0 lost, 0 duplicate effects, 0 dead letters, 0 duplicate sends after SIGTERM (a SIGKILL may
repeat the sends in flight at that moment; receivers deduplicate by webhook-id). Exit code 0 when so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from accord_common.devstack.client import AUTH, post_json
from accord_common.devstack.demo_money import active_contract
from accord_common.devstack.stack import Stack, StackConfig
from accord_common.devstack.webhook_receiver import WebhookReceiver
from accord_common.testing import _kafka_jvm, _process
from accord_common.testing.kafka import wait_for_kafka
from accord_common.testing.postgres import LocalCluster

CORE = ("contract-registry", "reimbursement-engine", "obligation-tracker", "notifier")


class RestartableKafka:
    """Single-node KRaft from the Maven jars whose process can be stopped and started on the same data."""

    def __init__(self) -> None:
        pom = _kafka_jvm.find_pom()
        if pom is None or not _kafka_jvm.available():
            sys.exit("chaos needs java, mvn and deploy/kafka/pom.xml (Apache Kafka from Maven jars)")
        self.pom = pom
        self.kraft = _kafka_jvm.start_kraft(pom)
        self.bootstrap = self.kraft.bootstrap
        wait_for_kafka(self.bootstrap, 180, self.kraft.popen, self.kraft.log_path)

    def halt(self) -> None:
        _process.stop_process(self.kraft.popen, sig=signal.SIGTERM, timeout=30)

    def start(self) -> None:
        root = self.kraft.root
        java = [shutil.which("java") or "java", *_kafka_jvm._JVM_HEAP, *_kafka_jvm._jvm_opts(self.pom, root)]
        java += ["-cp", _kafka_jvm.resolve_classpath(self.pom)]
        self.kraft.popen = _process.spawn(
            [*java, "kafka.Kafka", str(root / "server.properties")], log_path=self.kraft.log_path
        )
        wait_for_kafka(self.bootstrap, 180, self.kraft.popen, self.kraft.log_path)

    def remove(self) -> None:
        self.kraft.stop()


@dataclass
class Load:
    """A billing system posting claims without pause; acknowledged = answered 201."""

    engine: str
    contract_id: str
    acknowledged: list[str] = field(default_factory=list)
    refused: Counter[int] = field(default_factory=Counter)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(headers=AUTH, timeout=10) as client:
            while not self._stop.is_set():
                pcn = f"CHAOS-{uuid.uuid4().hex[:12]}"
                claim = {
                    "patient_control_number": pcn,
                    "payer_id": "60054",
                    "contract_id": self.contract_id,
                    "place_of_service": "11",
                    "lines": [
                        {
                            "code_system": "CPT",
                            "code": "99213",
                            "units": 1,
                            "charge": "150.00",
                            "service_date": "2026-03-14",
                        }
                    ],
                }
                try:
                    answer = client.post(f"{self.engine}/v1/claims", json=claim)
                except httpx.HTTPError:
                    self.refused[0] += 1
                    time.sleep(0.2)
                    continue
                if answer.status_code == 201:
                    self.acknowledged.append(answer.json()["id"])
                else:
                    self.refused[answer.status_code] += 1
                    time.sleep(0.2)
                time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()


@dataclass
class Stop:
    at: float
    service: str
    how: str


def main() -> int:
    args = parse_args()
    began = time.monotonic()
    work = Path(_process.make_temp_dir("accord-chaos-"))
    cluster = LocalCluster()
    cluster.start()
    kafka = RestartableKafka()
    receiver = WebhookReceiver().start()
    server = cluster.server()
    urls = {name: server.create_database(name.replace("-", "_")) for name in CORE}
    stack = Stack(
        StackConfig(
            data_dir=work,
            kafka_bootstrap=kafka.bootstrap,
            smtp_port=_process.free_port(),
            database_urls=urls,
            port_offset=_process.free_port() % 20_000 + 10_000 - 8101,
            services=CORE,
            extra_env={"ACCORD_TRACKER_SCHEDULER_INTERVAL_SECONDS": "1"},
        )
    )
    stops: list[Stop] = []
    try:
        stack.start(timeout=300)
        print(f"stack up in {time.monotonic() - began:.0f} s (PostgreSQL + Apache Kafka, {work})", flush=True)
        registry, engine = (stack.services[n].url for n in ("contract-registry", "reimbursement-engine"))
        contract_id = active_contract(registry)
        post_json(
            f"{stack.services['notifier'].url}/v1/subscriptions",
            {
                "name": "priced claims to billing",
                "event_types": ["claim.priced"],
                "channel": {"kind": "webhook", "url": receiver.url},
            },
        )
        load = Load(engine, contract_id)
        loader = threading.Thread(target=load.run, daemon=True)
        loader.start()
        kill_services(stack, args.kills, stops)
        outage("broker", kafka.halt, kafka.start, args.outage_seconds, stops)
        outage("database", cluster.halt, cluster.start, args.outage_seconds, stops)
        load.stop()
        loader.join(timeout=30)
        stack.wait_ready(timeout=300, names=list(CORE))
        converge_began = time.monotonic()
        report = converge(stack, load, receiver, urls, args.converge_timeout)
        report["time to converge (s)"] = round(time.monotonic() - converge_began, 1)
        report["stops"] = dict(Counter(s.how for s in stops))
        report["writes refused during outages"] = dict(load.refused)
        report["webhook duplicates by cause"] = duplicates_by_cause(receiver, stops)
        report["total run (s)"] = round(time.monotonic() - began, 1)
        print(json.dumps(report, indent=2))
        sigterm_dups = report["webhook duplicates by cause"].get("after notifier SIGTERM", 0)
        ok = report["lost effects"] == 0 and report["duplicate effects"] == 0
        ok = ok and report["dead letters"] == 0 and sigterm_dups == 0
        print("RESULT:", "as expected" if ok else "NOT as expected")
        return 0 if ok else 1
    finally:
        stack.stop()
        receiver.stop()
        kafka.remove()
        cluster.remove()


def kill_services(stack: Stack, kills: int, stops: list[Stop]) -> None:
    rng = random.Random(16)
    for n in range(1, kills + 1):
        name = rng.choice(CORE)
        how = "SIGTERM" if n % 3 == 0 else "SIGKILL"
        stops.append(Stop(time.monotonic(), name, f"{name} {how}"))
        process = stack.services[name].popen
        process.send_signal(signal.SIGTERM if how == "SIGTERM" else signal.SIGKILL)
        try:
            process.wait(timeout=60)  # a clean stop lets the sends in flight finish (up to 25 s)
        except subprocess.TimeoutExpired:
            print(f"kill {n}: {name} did not stop within 60 s of SIGTERM; SIGKILL", flush=True)
            stops.append(Stop(time.monotonic(), name, f"{name} SIGKILL"))
            process.kill()
            process.wait(timeout=30)
        stack.start_service(name)
        try:
            stack.wait_ready(timeout=120, names=[name])
        except (TimeoutError, RuntimeError) as exc:
            print(f"kill {n}: {name} did not come back: {exc}", flush=True)
            raise
        if n % 10 == 0:
            print(f"{n} kills done", flush=True)


def outage(what: str, halt: object, start: object, seconds: float, stops: list[Stop]) -> None:
    print(f"stopping the {what} for {seconds:.0f} s", flush=True)
    stops.append(Stop(time.monotonic(), what, f"{what} outage"))
    halt()  # type: ignore[operator]
    time.sleep(seconds)
    start()  # type: ignore[operator]
    print(f"{what} back", flush=True)


def converge(
    stack: Stack, load: Load, receiver: WebhookReceiver, urls: dict[str, str], timeout: float
) -> dict[str, object]:
    engine, tracker = (stack.services[n].url for n in ("reimbursement-engine", "obligation-tracker"))
    acknowledged = set(load.acknowledged)
    deadline = time.monotonic() + timeout
    with httpx.Client(headers=AUTH, timeout=30) as client:
        while True:
            hooks = hooked_claims(receiver)
            missing_hooks = acknowledged - set(hooks)
            per_claim = deadlines_per_claim(client, tracker, acknowledged)
            missing_deadlines = {c for c in acknowledged if not per_claim.get(c)}
            if (not missing_hooks and not missing_deadlines) or time.monotonic() > deadline:
                break
            time.sleep(2)
        unpriced = [
            c for c in acknowledged if client.get(f"{engine}/v1/claims/{c}").json()["status"] != "priced"
        ]
    usual = Counter(per_claim.values()).most_common(1)[0][0] if per_claim else 0
    doubled_deadlines = [c for c, n in per_claim.items() if n > usual]
    doubled_hooks = [c for c, ids in hooks.items() if len(ids) > 1]
    return {
        "acknowledged writes": len(acknowledged),
        "lost effects": len(missing_hooks | missing_deadlines) + len(unpriced),
        "lost: not priced": len(unpriced),
        "lost: no deadlines": len(missing_deadlines),
        "lost: no webhook": len(missing_hooks),
        "duplicate effects": len(doubled_deadlines) + len(doubled_hooks),
        "deadlines per claim": usual,
        "dead letters": count_dead_letters(urls),
    }


def hooked_claims(receiver: WebhookReceiver) -> dict[str, set[str]]:
    """claim id -> the distinct webhook-ids that delivered its claim.priced."""
    seen: dict[str, set[str]] = {}
    for request in list(receiver.received):
        body = json.loads(request.body)
        seen.setdefault(body["data"]["claim_id"], set()).add(request.headers.get("webhook-id", ""))
    return seen


def deadlines_per_claim(client: httpx.Client, tracker: str, claims: set[str]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    cursor: str | None = None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{tracker}/v1/obligations", params=params).json()
        for item in page["items"]:
            if item.get("claim_id") in claims:
                counts[item["claim_id"]] += 1
        cursor = page.get("next_cursor")
        if not cursor:
            return dict(counts)


def duplicates_by_cause(receiver: WebhookReceiver, stops: list[Stop]) -> dict[str, int]:
    """Each repeat of a webhook-id, put down to the stop that came between its first delivery and the
    notifier recording it: the first notifier stop (or outage) after the first delivery arrived."""
    causes: Counter[str] = Counter()
    first_seen: dict[str, float] = {}
    for request in sorted(receiver.received, key=lambda r: r.at):
        webhook_id = request.headers.get("webhook-id", "")
        if webhook_id not in first_seen:
            first_seen[webhook_id] = request.at
            continue
        after = [
            s
            for s in stops
            if first_seen[webhook_id] - 1 <= s.at <= request.at
            and s.service in ("notifier", "broker", "database")
        ]
        causes[_cause(after[0]) if after else "no stop between the two deliveries"] += 1
    return dict(causes)


def _cause(stop: Stop) -> str:
    return f"after {stop.how}" if stop.how.endswith("outage") else f"after notifier {stop.how.split()[-1]}"


def count_dead_letters(urls: dict[str, str]) -> int:
    async def count() -> int:
        total = 0
        for url in urls.values():
            conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
            try:
                total += int(await conn.fetchval("SELECT count(*) FROM dead_letters"))
            finally:
                await conn.close()
        return total

    return asyncio.run(count())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--outage-seconds", type=float, default=60)
    parser.add_argument("--converge-timeout", type=float, default=600)
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
