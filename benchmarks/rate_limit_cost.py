"""What counting rate limits in PostgreSQL (shared by a service's workers) costs a request, against
counting them in the process (issue 13).

One app on one local PostgreSQL database, called in process (httpx's ASGI transport: no sockets, so
the figure is the server's own work): `GET /v1/ping` with a valid key, which authenticates (the
address check, the key lookup, the key's count) and answers. Rounds alternate between the database
counters and in-process token buckets on the same app and database, so both see the same machine.
Printed: requests a second for each, and the added milliseconds a request.

    uv run --frozen python benchmarks/rate_limit_cost.py [--requests 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import time
from pathlib import Path

import httpx
from accord_common.auth import issue_key
from accord_common.db import new_metadata
from accord_common.keys.counters import Counters, DatabaseCounters, InProcessCounters
from accord_common.runtime import ServiceRuntime
from accord_common.settings import ServiceSettings
from accord_common.tables import add_infra_tables
from accord_common.testing.postgres import start_postgres
from accord_common.web.app import create_app
from accord_common.web.deps import CurrentPrincipal
from asgi_lifespan import LifespanManager
from fastapi import APIRouter

metadata = new_metadata()
add_infra_tables(metadata)
router = APIRouter()


@router.get("/v1/ping")
async def ping(who: CurrentPrincipal) -> dict[str, str]:
    return {"org": who.organization_id}


async def _rate(client: httpx.AsyncClient, key: str, requests: int) -> float:
    auth = {"Authorization": f"Bearer {key}"}
    started = time.perf_counter()
    for _ in range(requests):
        answer = await client.get("/v1/ping", headers=auth)
        assert answer.status_code == 200, answer.text
    return requests / (time.perf_counter() - started)


async def run(requests: int, rounds: int) -> None:
    with start_postgres() as server:
        url = await server.create_database_async("rate_limit_bench")
        settings = ServiceSettings(
            service_name="bench",
            database_url=url,
            kafka_enabled=False,
            rate_limit_per_key_per_minute=1_000_000,
        )
        runtime = ServiceRuntime(
            settings=settings, metadata=metadata, service_root=Path("."), migrate_on_start=False
        )
        async with runtime.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        async with runtime.sessions() as session, session.begin():
            key = await issue_key(session, metadata, organization_id="org-a", name="bench", scopes=set())
        app = create_app(runtime, [router], title="bench", description="bench")
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line a request would be the bench
        kinds: dict[str, Counters] = {
            "in process": InProcessCounters(),
            "PostgreSQL": DatabaseCounters(metadata.tables["rate_limit_hits"]),
        }
        rates: dict[str, list[float]] = {name: [] for name in kinds}
        async with LifespanManager(app, startup_timeout=120):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await _rate(client, key, 200)  # warm the pool and the caches
                for _ in range(rounds):
                    for name, counters in kinds.items():
                        runtime.key_guard.counters = counters
                        rates[name].append(await _rate(client, key, requests))
        await runtime.engine.dispose()
    local, shared = (statistics.median(rates[name]) for name in kinds)
    for name in kinds:
        print(
            f"{name:>11}: {statistics.median(rates[name]):7.0f} requests/s (rounds: "
            + ", ".join(f"{r:.0f}" for r in rates[name])
            + ")"
        )
    print(
        f"added per request: {1000 / shared - 1000 / local:.2f} ms"
        f" ({100 * (1 - shared / local):.0f}% fewer requests/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.rounds))


if __name__ == "__main__":
    main()
