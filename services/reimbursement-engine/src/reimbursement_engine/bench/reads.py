"""`python -m reimbursement_engine.bench.reads [claims] [--requests N] [--rounds N]`: reading claims.

A real uvicorn server (one worker, SQLite in a temporary folder, Kafka off) holding `claims` of the
bench's claims (5 lines each, posted through /v1/claims/batch), then, each round, `requests` of:
- `GET /v1/claims?limit=100` (a page of summaries, following next_cursor and starting over);
- `GET /v1/claims/{id}` (one claim with its explanation: text and steps), ids spread over all.
Prints requests/s by wall clock and milliseconds of engine CPU a request, best and median of rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from reimbursement_engine.bench import measure
from reimbursement_engine.bench.workload import KEY, bodies, environment, seed
from reimbursement_engine.config import EngineSettings


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m reimbursement_engine.bench.reads", description=__doc__)
    parser.add_argument("claims", nargs="?", type=int, default=5_000, help="claims stored first")
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind a round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; best and median are printed")
    return parser.parse_args(argv)


def _timed(server_pid: int, requests: int, call: Callable[[int], None]) -> tuple[float, float]:
    """(requests/s by wall clock, engine CPU ms a request)."""
    cpu, started = measure.server_cpu_seconds(server_pid), time.perf_counter()
    for n in range(requests):
        call(n)
    wall = time.perf_counter() - started
    return requests / wall, (measure.server_cpu_seconds(server_pid) - cpu) * 1000 / requests


def _report(name: str, rounds: list[tuple[float, float]]) -> None:
    rates, cpu = sorted(r for r, _ in rounds), sorted(c for _, c in rounds)
    print(
        f"{name}: best {rates[-1]:,.0f}, median {statistics.median(rates):,.0f} requests/s; "
        f"engine CPU best {cpu[0]:.2f}, median {statistics.median(cpu):.2f} ms a request"
    )


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'engine.db'}"
        asyncio.run(seed(EngineSettings(database_url=url, kafka_enabled=False)))
        port = measure.free_port()
        server = measure.serve(environment(url), port, 1, Path(tmp) / "server.log")
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=300) as client:
                ids: list[str] = []
                for body in bodies(0, args.claims * 5):
                    reply = client.post("/v1/claims/batch", content=body).raise_for_status().json()
                    ids.extend(claim["id"] for claim in reply["claims"])
                cursor: list[str | None] = [None]

                def page(_: int) -> None:
                    params = {"limit": "100", **({"cursor": cursor[0]} if cursor[0] else {})}
                    cursor[0] = (
                        client.get("/v1/claims", params=params).raise_for_status().json()["next_cursor"]
                    )

                def one(n: int) -> None:
                    claim = client.get(f"/v1/claims/{ids[n * 7919 % len(ids)]}").raise_for_status().json()
                    assert claim["explanation"]

                pages = [_timed(server.pid, args.requests, page) for _ in range(args.rounds)]
                singles = [_timed(server.pid, args.requests, one) for _ in range(args.rounds)]
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{args.claims:,} claims of 5 lines stored; {args.requests} requests a round, {args.rounds} rounds")
    _report("GET /v1/claims?limit=100", pages)
    _report("GET /v1/claims/{id}", singles)


if __name__ == "__main__":
    main()
