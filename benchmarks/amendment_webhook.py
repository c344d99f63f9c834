"""From an amendment to a signed webhook: `contract.amended` -> the tracker moves the renewal-notice
deadline -> `obligation.rescheduled` -> the notifier's signed webhook at the billing system.

The registry, the tracker and the notifier run as processes (the development stack's launcher) on
PostgreSQL and a real broker. An organisation subscribes a webhook receiver (a real HTTP server in
this process) to `obligation.rescheduled`; then amendments arrive at a steady rate (default 20/s), each
changing a contract's notice period by a day, so each moves one deadline to a date of its own. The
latency of an amendment is from the registry's answer (the version is committed) to the webhook's
arrival, matched by contract and new due date. Printed: throughput kept, p50/p95/p99/max, any
webhook that never came, and where the time went hop by hop (amendment_hops.py: the outbox, inbox and
delivery rows each service's database keeps, p50/p99 per hop).

Before the measured amendments, `--warmup-seconds` (default 5) of amendments at the same rate are sent
and not counted: the first requests of a fresh stack pay for opening pooled connections and
preparing statements, which is not the steady state the aim is about. The measured ones follow
without a pause.

    uv run --frozen python benchmarks/amendment_webhook.py [--rate 20] [--seconds 30] [--contracts 20]
        [--warmup-seconds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from accord_common.auth import ALL_SCOPES
from accord_common.devstack.stack import SERVICES, Stack, StackConfig
from accord_common.testing import _process
from accord_common.testing.kafka import start_kafka
from accord_common.testing.postgres import LocalCluster
from amendment_hops import hops

SERVICE_NAMES = ("contract-registry", "obligation-tracker", "notifier")
TERMINATION = date(2027, 12, 31)


class Receiver:
    """The billing system's webhook endpoint: records when each delivery arrived."""

    def __init__(self) -> None:
        self.arrived: dict[tuple[str, str], float] = {}
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                now = time.time()
                data = json.loads(body).get("data") or {}
                with lock:
                    receiver.arrived.setdefault(
                        (str(data.get("contract_id")), str(data.get("due_date"))), now
                    )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/accord"

    def close(self) -> None:
        self._server.shutdown()


def issue_key(stack: Stack, name: str, org: str) -> str:
    spec = next(s for s in SERVICES if s.name == name)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            spec.command.replace("-", "_") + ".cli",
            "issue-api-key",
            "--org",
            org,
            "--name",
            "bench",
            "--scopes",
            ",".join(sorted(ALL_SCOPES)),
        ],
        capture_output=True,
        text=True,
        env=stack.env_for(spec),
        check=True,
        timeout=300,
    )
    return done.stdout.strip().splitlines()[-1]


def client(stack: Stack, name: str, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=stack.services[name].url, headers={"Authorization": f"Bearer {key}"}, timeout=60
    )


def contracts(registry: httpx.Client, count: int) -> list[str]:
    payer = registry.post("/v1/payers", json={"name": "Acme Health Plan", "x12_payer_id": "60054"}).json()
    made = []
    for n in range(count):
        answer = registry.post(
            "/v1/contracts",
            json={
                "payer_id": payer["id"],
                "name": f"Acme PPO {n}",
                "line_of_business": "commercial",
                "effective_date": "2026-01-01",
                "termination_date": TERMINATION.isoformat(),
                "notice_days": 90,
                "payment_terms": [
                    {
                        "name": "Professional",
                        "service_category": "professional",
                        "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
                        "methodology": {"kind": "percent_of_charges", "percent": "60"},
                    }
                ],
            },
        )
        if answer.status_code != 201:
            raise RuntimeError(f"contract refused: {answer.status_code} {answer.text}")
        cid = answer.json()["id"]
        for step in ("submit", "activate"):
            registry.post(f"/v1/contracts/{cid}/{step}", json={}).raise_for_status()
        made.append(str(cid))
    return made


def wait_for(what: str, check: Any, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise TimeoutError(what)


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its descendants (uvicorn workers), from /proc."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            child = int(stat.parent.name)
            parents[child] = int(fields[1])
            times[child] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    family, total = {pid}, 0.0
    grew = True  # a child's pid may be lower than its parent's: walk until nothing joins
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    for member in family:
        total += times.get(member, 0.0)
    return total


def services_cpu(stack: Stack) -> dict[str, float]:
    return {name: tree_cpu_s(stack.services[name].popen.pid) for name in SERVICE_NAMES}


def run(stack: Stack, urls: dict[str, str], rate: float, seconds: float, count: int, warmup: float) -> None:
    org = f"org-bench-{uuid.uuid4().hex[:6]}"
    keys = {name: issue_key(stack, name, org) for name in SERVICE_NAMES}
    registry, tracker, notifier = (client(stack, name, keys[name]) for name in SERVICE_NAMES)
    receiver = Receiver()
    subscription = {
        "name": "billing system",
        "event_types": ["obligation.rescheduled"],
        "channel": {"kind": "webhook", "url": receiver.url},
    }
    notifier.post("/v1/subscriptions", json=subscription).raise_for_status()
    ids = contracts(registry, count)

    def notice_open(cid: str) -> bool:
        items = tracker.get("/v1/obligations", params={"contract_id": cid, "kind": "renewal_notice"}).json()
        return any(o["status"] == "open" for o in items["items"])

    wait_for("every contract's renewal notice", lambda: all(notice_open(cid) for cid in ids))
    total, unmeasured = int(rate * seconds), int(rate * warmup)
    answered: dict[tuple[str, str], float] = {}
    sent: dict[tuple[str, str], float] = {}
    refused = 0

    def amend(n: int) -> None:
        nonlocal refused
        cid, k = ids[n % count], n // count + 1
        notice = 90 + k
        body = {"effective_from": (date(2027, 1, 1) + timedelta(days=k)).isoformat(), "notice_days": notice}
        key, began = (cid, (TERMINATION - timedelta(days=notice)).isoformat()), time.time()
        answer = registry.post(f"/v1/contracts/{cid}/versions", json=body)
        if n < unmeasured:
            return
        if answer.status_code != 201:
            refused += 1
            return
        sent[key], answered[key] = began, time.time()

    print(
        f"{count} contracts, {total} amendments at {rate:.0f}/s after {unmeasured} not measured "
        f"(warm-up, {warmup:.0f} s) (stack: {', '.join(SERVICE_NAMES)})"
    )
    cpu_before, began = services_cpu(stack), time.monotonic()
    measured_from = began
    with ThreadPoolExecutor(max_workers=16) as pool:
        for n in range(unmeasured + total):  # a steady rate: amendment n is sent at began + n / rate
            time.sleep(max(0.0, began + n / rate - time.monotonic()))
            if n == unmeasured:
                cpu_before, measured_from = services_cpu(stack), time.monotonic()
            pool.submit(amend, n)
    sent_for = time.monotonic() - measured_from
    with contextlib.suppress(TimeoutError):  # a webhook that never comes is counted below
        wait_for("every webhook", lambda: all(k in receiver.arrived for k in answered), timeout=180)
    arrived = dict(receiver.arrived)
    cpu_after = services_cpu(stack)
    latencies = sorted((arrived[k] - t) * 1000 for k, t in answered.items() if k in arrived)
    missing = len(answered) - len(latencies)
    receiver.close()
    p = lambda q: latencies[max(0, int(len(latencies) * q) - 1)]  # noqa: E731
    print(
        f"amendments answered: {len(answered)} in {sent_for:.1f} s ({len(answered) / sent_for:.1f}/s), "
        f"refused {refused}; webhooks missing: {missing}"
    )
    print(
        f"amendment answered -> signed webhook received: p50 {statistics.median(latencies):.0f} ms  "
        f"p95 {p(0.95):.0f} ms  p99 {p(0.99):.0f} ms  max {latencies[-1]:.0f} ms"
    )
    done = max(1, len(answered))
    per_amendment = {name: (cpu_after[name] - cpu_before[name]) * 1000 / done for name in SERVICE_NAMES}
    print(
        "CPU per amendment (ms, each service's processes, amendments sent to last webhook): "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in per_amendment.items())
        + f"; load average {os.getloadavg()[0]:.1f}"
    )
    client_side = {
        key: {"sent": sent[key], "answered": at, **({"arrived": arrived[key]} if key in arrived else {})}
        for key, at in answered.items()
    }
    print("\n".join(hops(urls, TERMINATION, client_side)))


def main(rate: float, seconds: float, count: int, warmup: float) -> None:
    cluster = LocalCluster()
    cluster.start()
    broker = start_kafka()
    stack: Stack | None = None
    try:
        suffix = uuid.uuid4().hex[:6]
        urls = {
            name: cluster.server().create_database(f"{name.replace('-', '_')}_{suffix}")
            for name in SERVICE_NAMES
        }
        config = StackConfig(
            data_dir=Path(tempfile.mkdtemp(prefix="accord-bench-")),
            kafka_bootstrap=broker.bootstrap,
            smtp_port=_process.free_port(),
            database_urls=urls,
            port_offset=random.randrange(10, 290) * 100,
            extra_env={
                "ACCORD_LOG_LEVEL": "WARNING",
                # the hop breakdown reads published outbox rows (amendment_hops.py): keep them
                "ACCORD_REGISTRY_OUTBOX_RETENTION_DAYS": "1",
                "ACCORD_TRACKER_OUTBOX_RETENTION_DAYS": "1",
            },
            services=SERVICE_NAMES,
        )
        stack = Stack(config)
        stack.start(timeout=300)
        run(stack, urls, rate, seconds, count, warmup)
    finally:
        if stack is not None:
            stack.stop()
        broker.stop()
        cluster.remove()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--contracts", type=int, default=20)
    parser.add_argument("--warmup-seconds", type=float, default=5)
    args = parser.parse_args()
    main(args.rate, args.seconds, args.contracts, args.warmup_seconds)
