"""Re-pricing after a retroactive amendment (issue 11): N priced claims, one amendment, all re-priced.

The contract registry and the reimbursement engine run as real processes (`accord_common.devstack.Stack`)
on a real broker: SQLite files and tansu (the embedded stack, `make run`), or with `--postgres` each
service's own PostgreSQL database (the harness's local cluster) and Apache Kafka; `--tracker` adds the
obligation tracker consuming every `claim.priced` as in production (it shares the same cores). The path
a user takes:

1. a contract activated through the registry (CPT 99213 at $100.00 from a fee schedule, from
   2026-01-01), N claims of two 99213 lines ($150.00 billed each, served 2026-03-14) priced through
   `POST /v1/claims/batch`, 1,000 a request, until the engine's database holds N claims priced under
   version 1 ($200.00 each): the yardstick, claims/s of the initial pricing in the same run. The
   bench then waits until the engine's outbox holds no unpublished event (the initial claim.priced
   all relayed), so the re-pricing does not queue behind them;
2. a retroactive amendment through the registry (`POST /v1/contracts/{id}/versions`, version 2 from
   2026-01-02, the day after the contract's start, the earliest an amendment may start: the
   professional term pays 80% of billed charges instead of the fee schedule), then the time from the
   request until the engine's database holds N claims priced under version 2 (polled every 0.2 s):
   re-pricing claims/s, and its ratio to the yardstick; and the CPU seconds the engine's process and
   (PostgreSQL) its database's server processes used meanwhile (/proc: work done, which a machine
   shared with other benchmarks slows far less than the wall clock).

The engine re-prices in bounded batches, each its own transaction (handlers/repricing.py). The bench
reads what the engine recorded: the claims of one batch share one `priced_at` (the batch's clock), so
the largest group is the most claims re-priced in one transaction; and it counts the
`claim.pricing_requested` events in the engine's outbox (one per full batch), each with the time from
its commit until the engine's consumer took it and the unpublished outbox rows ahead of it then. It
exits non-zero unless every claim is priced under version 2 at $240.00 (two lines at $120.00), to the
cent, and no one transaction re-priced every claim.

    uv run --frozen python benchmarks/retro_reprice.py [--claims 100000] [--postgres] [--tracker]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from accord_common.devstack.client import AUTH
from accord_common.devstack.demo_money import active_contract
from accord_common.devstack.stack import Stack, StackConfig
from accord_common.testing import _process
from accord_common.testing.kafka import start_kafka
from reconcile_835 import BATCH, _free_offset, _post_batch, claims_body

REGISTRY, ENGINE, TRACKER = "contract-registry", "reimbursement-engine", "obligation-tracker"
BEFORE, AFTER = Decimal("200.00"), Decimal("240.00")  # a claim: 2 x $100.00, then 2 x 80% of $150.00
AMENDMENT = {
    "effective_from": "2026-01-02",
    "payment_terms": [
        {
            "name": "Professional",
            "service_category": "professional",
            "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
            "methodology": {"kind": "percent_of_charges", "percent": "80"},
        }
    ],
}
POLL = 0.2


class EngineDb:
    """Read-only queries on the engine's own database (SQLite file or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def rows(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite"):
            path = self.url.split(":///", 1)[1]
            for n in range(len(args), 0, -1):
                query = query.replace(f"${n}", "?")
            with closing(sqlite3.connect(path, timeout=30)) as conn:
                return [tuple(r) for r in conn.execute(query, args).fetchall()]
        return asyncio.run(self._pg(query, *args))

    async def _pg(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(self.url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            return [tuple(r) for r in await conn.fetch(query, *args)]
        finally:
            await conn.close()

    def priced_under(self, contract_id: str, version: int) -> int:
        found = self.rows(
            "SELECT count(*) FROM claims "
            "WHERE contract_id = $1 AND contract_version = $2 AND status = 'priced'",
            contract_id,
            version,
        )
        return int(found[0][0])

    def amounts(self, contract_id: str) -> dict[tuple[int, Decimal], int]:
        """Claims by (version, expected allowed)."""
        found = self.rows(
            "SELECT contract_version, expected_allowed, count(*) FROM claims WHERE contract_id = $1 "
            "GROUP BY contract_version, expected_allowed",
            contract_id,
        )
        return {(int(v), _cents(a)): int(n) for v, a, n in found}

    def line_amounts(self, contract_id: str) -> dict[Decimal, int]:
        found = self.rows(
            "SELECT l.expected_allowed, count(*) FROM claim_lines l JOIN claims c ON c.id = l.claim_id "
            "WHERE c.contract_id = $1 GROUP BY l.expected_allowed",
            contract_id,
        )
        return {_cents(a): int(n) for a, n in found}

    def batches(self, contract_id: str, version: int) -> list[int]:
        """Claims per re-pricing transaction (one `priced_at` per batch), largest first."""
        found = self.rows(
            "SELECT count(*) FROM claims WHERE contract_id = $1 AND contract_version = $2 "
            "GROUP BY priced_at ORDER BY count(*) DESC",
            contract_id,
            version,
        )
        return [int(r[0]) for r in found]

    def hops(self) -> list[tuple[float, int]]:
        """For each claim.pricing_requested: seconds from its commit (its outbox row) until the
        engine's consumer took it (its inbox row), i.e. the relay, the broker and the consumer's
        fetch; and how many outbox rows were still ahead of it, unpublished, when it committed."""
        found = self.rows(
            "SELECT o.created_at, i.processed_at, (SELECT count(*) FROM outbox a WHERE a.id < o.id "
            "AND a.published_at > o.created_at) FROM outbox o "
            "JOIN inbox i ON i.event_id = o.event_id WHERE o.topic = 'claim.pricing_requested'"
        )
        return [
            ((_moment(taken) - _moment(made)).total_seconds(), int(ahead)) for made, taken, ahead in found
        ]

    def unpublished(self) -> int:
        return int(self.rows("SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0])

    def pricing_requests(self) -> int:
        found = self.rows("SELECT count(*) FROM outbox WHERE topic = 'claim.pricing_requested'")
        return int(found[0][0])


class CpuClock:
    """CPU seconds (user + system, from /proc) used by the engine's process and by the PostgreSQL
    server processes serving its database (their process title names it): work done, which a
    machine shared with other benchmarks slows far less than it slows the wall clock."""

    def __init__(self, engine_pid: int, database: str | None) -> None:
        self.engine_pid, self.database = engine_pid, database
        self.tick = os.sysconf("SC_CLK_TCK")

    def _cpu(self, pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime, stime

    def _servers(self) -> list[int]:
        if self.database is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and f" {self.database} " in (entry / "cmdline").read_text():
                    found.append(int(entry.name))
            except OSError:  # gone meanwhile
                continue
        return found

    def read(self) -> dict[int, float]:
        out = {}
        for pid in (self.engine_pid, *self._servers()):
            try:
                out[pid] = self._cpu(pid)
            except OSError:
                continue
        return out

    def spent(self, before: dict[int, float]) -> tuple[float, float]:
        """(engine, its database's server processes) CPU seconds since `before` was read."""
        now = self.read()
        engine = now.get(self.engine_pid, 0.0) - before.get(self.engine_pid, 0.0)
        servers = sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items() if pid != self.engine_pid)
        return engine, servers


def _cents(amount: Any) -> Decimal:
    """An amount as stored (SQLite's text, PostgreSQL's numeric) to the cent; refuses fractions of one."""
    value = Decimal(str(amount))
    cents = value.quantize(Decimal("0.01"))
    if cents != value:
        raise ValueError(f"{value} is not a whole number of cents")
    return cents


def _moment(value: Any) -> datetime:
    """A timestamp as stored: SQLite's text or PostgreSQL's timestamptz, as an aware datetime."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def wait(what: str, check: Callable[[], bool], timeout: float) -> float:
    """Poll every POLL s until `check()`; the perf_counter when it first held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.perf_counter()
        time.sleep(POLL)
    raise TimeoutError(what)


@contextmanager
def stack(postgres: bool, tracker: bool, data_dir: Path) -> Iterator[tuple[Stack, dict[str, str]]]:
    names = (REGISTRY, ENGINE, TRACKER) if tracker else (REGISTRY, ENGINE)
    broker = start_kafka("kafka" if postgres else "tansu")
    urls: dict[str, str] = {}
    database = None
    try:
        if postgres:
            from accord_common.testing.postgres import start_postgres  # Debian's binaries

            database = start_postgres()
            suffix = uuid.uuid4().hex[:6]
            urls = {n: database.create_database(f"{n.replace('-', '_')}_{suffix}") for n in names}
        config = StackConfig(
            data_dir=data_dir,
            kafka_bootstrap=broker.bootstrap,
            smtp_port=_process.free_port(),
            start_smtp_sink=False,
            database_urls=urls,
            port_offset=_free_offset(),
            extra_env={
                "ACCORD_ENGINE_LOG_LEVEL": "WARNING",
                "ACCORD_TRACKER_LOG_LEVEL": "WARNING",
                # the hops and the count of pricing requests read published outbox rows: keep them
                "ACCORD_ENGINE_OUTBOX_RETENTION_DAYS": "1",
            },
            services=names,
        )
        running = Stack(config)
        try:
            running.start(timeout=180)
            urls = {n: urls.get(n) or f"sqlite:///{data_dir / (n + '.db')}" for n in names}
            yield running, urls
        finally:
            running.stop()
    finally:
        if database is not None:
            database.stop()
        broker.stop()


def run(claims: int, postgres: bool, tracker: bool, pause: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, stack(postgres, tracker, Path(tmp)) as (running, urls):
        try:
            return _measure(running, EngineDb(urls[ENGINE]), claims, pause)
        except (TimeoutError, RuntimeError, httpx.HTTPError):
            for log in sorted((Path(tmp) / "logs").glob("*.log")):  # what the services said, for the reader
                print(f"--- {log.name} (last lines)", file=sys.stderr)
                print("\n".join(log.read_text(errors="replace").splitlines()[-15:]), file=sys.stderr)
            raise


def _measure(running: Stack, db: EngineDb, claims: int, pause: float) -> dict[str, Any]:
    database = None if db.url.startswith("sqlite") else db.url.rsplit("/", 1)[1]
    clock = CpuClock(running.services[ENGINE].popen.pid, database)
    registry = running.services[REGISTRY].url
    engine = running.services[ENGINE].url
    patience = 240 + claims * 0.05  # seconds: generous on a busy machine, never forever
    contract_id = active_contract(registry)
    prefix = f"P{uuid.uuid4().hex[:5].upper()}"
    with httpx.Client(base_url=engine, headers=AUTH, timeout=600) as client:
        began = time.perf_counter()
        for first in range(0, claims, BATCH):
            _post_batch(client, claims_body(prefix, first, min(BATCH, claims - first), contract_id))
        priced = wait(
            "N claims priced under version 1", lambda: db.priced_under(contract_id, 1) >= claims, patience
        )
    initial_s = priced - began
    published_s = wait("the initial claim.priced published", lambda: db.unpublished() == 0, patience) - began
    if pause:
        print(f"  engine pid {running.services[ENGINE].popen.pid}; amending in {pause:.0f} s", flush=True)
        time.sleep(pause)
    with httpx.Client(base_url=registry, headers=AUTH, timeout=60) as client:
        cpu_before = clock.read()
        began = time.perf_counter()
        answer = client.post(f"/v1/contracts/{contract_id}/versions", json=AMENDMENT)
        answered = time.perf_counter()
    if answer.status_code != 201:
        raise RuntimeError(f"the amendment was refused: {answer.status_code} {answer.text[:500]}")
    version = int(answer.json()["current_version"])
    done = wait(
        "N claims re-priced under version 2",
        lambda: db.priced_under(contract_id, version) >= claims,
        patience,
    )
    engine_cpu, database_cpu = clock.spent(cpu_before)
    batches = db.batches(contract_id, version)
    return {
        "claims": claims,
        "version": version,
        "initial_s": initial_s,
        "published_s": published_s,
        "amendment_answered_s": answered - began,
        "reprice_s": done - began,
        "engine_cpu_s": engine_cpu,
        "database_cpu_s": database_cpu if database else None,
        "batches": batches,
        "pricing_requests": db.pricing_requests(),
        "hops": db.hops(),
        "amounts": db.amounts(contract_id),
        "line_amounts": db.line_amounts(contract_id),
    }


def report(r: dict[str, Any], where: str) -> list[str]:
    """The figures as printed; the list of what is wrong (empty: every claim at the new rate)."""
    n, batches = r["claims"], r["batches"]
    initial_rate, reprice_rate = n / r["initial_s"], n / r["reprice_s"]
    print(f"Re-pricing after a retroactive amendment, {where}, {n:,} claims:")
    print(
        f"  initial pricing through the batch API (yardstick): {r['initial_s']:8.1f} s = "
        f"{initial_rate:,.0f} claims/s"
    )
    print(f"  (the engine's relay had published their claim.priced after {r['published_s']:.1f} s)")
    print(f"  amendment answered by the registry:                {r['amendment_answered_s'] * 1000:8.0f} ms")
    print(
        f"  every claim re-priced under version {r['version']}:            {r['reprice_s']:8.1f} s = "
        f"{reprice_rate:,.0f} claims/s"
    )
    print(f"  re-pricing / initial pricing (time, same run):     {r['reprice_s'] / r['initial_s']:8.2f}x")
    cpu = f"  CPU during the re-pricing: engine {r['engine_cpu_s']:.1f} s"
    if r["database_cpu_s"] is not None:
        cpu += f", its database's PostgreSQL processes {r['database_cpu_s']:.1f} s"
    print(cpu)
    largest = batches[0] if batches else 0
    print(
        f"  transactions: {len(batches)} batches, largest {largest:,} claims "
        f"({largest / n:.1%} of them); claim.pricing_requested events: {r['pricing_requests']}"
    )
    if hops := r["hops"]:
        spans, median = [span for span, _ in hops], statistics.median(span for span, _ in hops)
        print(
            f"  claim.pricing_requested, commit -> consumed: median {median * 1000:,.0f} ms, "
            f"max {max(spans) * 1000:,.0f} ms, {sum(spans):.1f} s in all; outbox rows ahead of it at "
            f"commit: median {statistics.median(ahead for _, ahead in hops):,.0f}"
        )
    print(f"  claims by (version, expected allowed): {sorted(r['amounts'].items())}")
    wrong = []
    if r["amounts"] != {(r["version"], AFTER): n}:
        wrong.append(f"not every claim is priced under version {r['version']} at {AFTER}: {r['amounts']}")
    if r["line_amounts"] != {AFTER / 2: 2 * n}:
        wrong.append(f"not every line is at {AFTER / 2}: {r['line_amounts']}")
    if n > 1 and largest >= n:
        wrong.append(f"one transaction re-priced all {n} claims")
    return wrong


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument(
        "--postgres", action="store_true", help="PostgreSQL + Apache Kafka (else SQLite + tansu)"
    )
    parser.add_argument("--tracker", action="store_true", help="also run the obligation tracker")
    parser.add_argument(
        "--pause", type=float, default=0, help="seconds to wait before amending (time to attach a profiler)"
    )
    args = parser.parse_args(argv)
    where = "PostgreSQL + Apache Kafka" if args.postgres else "SQLite + tansu"
    if args.tracker:
        where += ", with the tracker"
    wrong = report(run(args.claims, args.postgres, args.tracker, args.pause), where)
    for problem in wrong:
        print(problem, file=sys.stderr)
    if wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()
