"""`GET /v1/contracts/{id}?as_of=` as billing systems call it: the registry served by uvicorn with N
workers on PostgreSQL, one contract with three versions, concurrent clients asking for the version in
force on dates spread over two years.

Real PostgreSQL (the test harness's local cluster) and a real broker (for the registry's relay). The
load comes from `wrk` (Debian's package, a compiled load generator; installed by
scripts/ensure-system-deps.sh, or by this bench when it can: see wrk_load.py), with
benchmarks/as_of.lua sending the API key and a random `as_of` day of the two years on every request.
Without wrk (or with `--python-client`) it falls back to one httpx AsyncClient in this process and
says so: that client, not the service, is then the limit. Either way the load generator runs on the
same cores as the service: the figures to trust on a shared machine are the ratios printed within
one run (the same requests against `/healthz`, which does no authentication and no query, are the
ceiling of the HTTP stack here).

    uv run --frozen python benchmarks/contract_as_of.py [--workers 2] [--seconds 15] [--concurrency 32]
        [--python-client] [--rounds 1]

With `--rounds N` the as-of load runs N times (`--seconds` each) against the same server and each
figure's median over the rounds is printed (each round's first): on a shared 2-core machine a
neighbour's burst lands in one round's tail (`make bench` runs 3).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from accord_common.testing import _process
from accord_common.testing.kafka import start_kafka
from accord_common.testing.postgres import LocalCluster
from wrk_load import find_wrk, run_wrk

ORG = "org-bench-as-of"
FIRST_DAY = date(2026, 1, 1)


def registry_env(database_url: str, bootstrap: str) -> dict[str, str]:
    return os.environ | {
        "ACCORD_REGISTRY_DATABASE_URL": database_url,
        "ACCORD_REGISTRY_KAFKA_BOOTSTRAP": bootstrap,
        "ACCORD_REGISTRY_LOG_LEVEL": "WARNING",
        # one billing system's key asks for everything: lift the per-key limit for the measurement
        "ACCORD_REGISTRY_RATE_LIMIT_PER_KEY_PER_MINUTE": "1000000",
        "ACCORD_REGISTRY_RATE_LIMIT_FAILED_AUTH_PER_ADDRESS_PER_MINUTE": "1000000",
    }


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "contract_registry.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return done.stdout.strip()


def seed(client: httpx.Client) -> str:
    """A payer and an active contract with versions from 2026-01-01, 2026-07-01 and 2027-01-01."""
    payer = client.post("/v1/payers", json={"name": "Acme Health Plan", "x12_payer_id": "60054"}).json()
    contract = client.post(
        "/v1/contracts",
        json={
            "payer_id": payer["id"],
            "name": "Acme PPO professional",
            "line_of_business": "commercial",
            "effective_date": "2026-01-01",
            "termination_date": "2027-12-31",
            "notice_days": 90,
            "appeal_window_days": 180,
            "prompt_pay_days": 30,
            "payment_terms": [
                {
                    "name": "Professional",
                    "service_category": "professional",
                    "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
                    "methodology": {"kind": "percent_of_medicare", "percent": "140"},
                }
            ],
        },
    )
    contract.raise_for_status()
    cid = contract.json()["id"]
    for step in ("submit", "activate"):
        client.post(f"/v1/contracts/{cid}/{step}", json={}).raise_for_status()
    for effective_from, timely in (("2026-07-01", 120), ("2027-01-01", 150)):
        version = client.post(
            f"/v1/contracts/{cid}/versions",
            json={"effective_from": effective_from, "timely_filing_days": timely},
        )
        version.raise_for_status()
    return str(cid)


def wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the registry exited with {server.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer in {timeout:.0f} s")


async def hammer(base: str, key: str, path_for: Any, seconds: float, concurrency: int) -> dict[str, float]:
    """Requests answered per second and latency percentiles (ms) over `seconds`."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, limits=limits, headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as c:
        stop_at = time.perf_counter() + seconds

        async def one_client() -> None:
            nonlocal errors
            while time.perf_counter() < stop_at:
                began = time.perf_counter()
                try:
                    answer = await c.get(path_for())
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - began)
                errors += answer.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "per_s": len(ordered) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "errors": errors,
        "requests": len(ordered),
    }


def workers_cpu_s(server_pid: int) -> float:
    """CPU seconds (user + system) the uvicorn workers (the server's children) have used (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def measure(
    base: str,
    key: str,
    cid: str,
    seconds: float,
    concurrency: int,
    wrk: str | None,
    server_pid: int,
    rounds: int = 1,
) -> None:
    path = f"/v1/contracts/{cid}"

    def as_of() -> str:
        day = FIRST_DAY + timedelta(days=random.randrange(730))
        return f"{path}?as_of={day.isoformat()}"

    def run(target: str, spread: bool, duration: float) -> dict[str, float]:
        used = workers_cpu_s(server_pid)
        if wrk is not None:
            r = run_wrk(wrk, base, key, target, as_of=spread, seconds=duration, concurrency=concurrency)
        else:
            r = asyncio.run(hammer(base, key, as_of if spread else lambda: target, duration, concurrency))
        r["cpu_ms"] = (workers_cpu_s(server_pid) - used) * 1000 / max(1.0, r["requests"])
        return r

    run(path, True, 3)  # warm-up: connections, caches
    ceiling = run("/healthz", False, seconds)
    measured_rounds = []
    for number in range(1, rounds + 1):
        r = run(path, True, seconds)
        measured_rounds.append(r)
        if rounds > 1:
            figures = f"{r['per_s']:,.0f} req/s  p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms"
            print(f"  round {number}: {figures}", flush=True)
    measured = median_round(measured_rounds)
    for label, r in (
        ("GET /healthz (no auth, no query)", ceiling),
        ("GET /v1/contracts/{id}?as_of=", measured),
    ):
        print(
            f"{label:34s} {r['per_s']:>8,.0f} req/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  "
            f"({r['requests']:,} requests, {r['errors']} not 200; "
            f"workers' CPU {r['cpu_ms']:.2f} ms a request = {1000 / r['cpu_ms']:,.0f} req/s a core)"
        )
    if rounds > 1:
        print(f"(the as-of line: the median of {rounds} rounds of {seconds:.0f} s, each figure on its own)")
    print(f"as-of / healthz throughput: {measured['per_s'] / ceiling['per_s']:.2f}")
    print(f"load average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def median_round(rounds: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds (the lower middle of an even count): a round a
    neighbour on the shared machine stalls moves the median by one place, not to its tail. The
    requests and the errors are counted over every round: no failed request is left out."""

    def middle(values: list[float]) -> float:
        return sorted(values)[(len(values) - 1) // 2]

    counted = ("requests", "errors")
    merged = {name: middle([r[name] for r in rounds]) for name in rounds[0] if name not in counted}
    return merged | {name: sum(r[name] for r in rounds) for name in counted}


def load_generator(python_client: bool) -> str | None:
    """wrk's path, or None for the Python client (with a note saying why)."""
    if python_client:
        return None
    wrk = find_wrk()
    if wrk is None:
        print(
            "NOTE: wrk is not installed and could not be (apt-get as root or sudo): falling back to "
            "the Python client in this process, which is itself the limit (see docs/benchmarks.md)"
        )
    return wrk


def main(workers: int, seconds: float, concurrency: int, python_client: bool, rounds: int = 1) -> None:
    wrk = load_generator(python_client)
    cluster = LocalCluster()
    cluster.start()
    broker = start_kafka()
    server: subprocess.Popen[bytes] | None = None
    try:
        url = cluster.server().create_database(f"registry_bench_{uuid.uuid4().hex[:6]}")
        env = registry_env(url, broker.bootstrap)
        cli(env, "migrate")
        scopes = "contracts:read,contracts:write"
        key = cli(env, "issue-api-key", "--org", ORG, "--name", "bench billing system", "--scopes", scopes)
        key = key.splitlines()[-1]
        port = _process.free_port()
        command = [sys.executable, "-m", "contract_registry.cli", "serve", "--port", str(port)]
        server = subprocess.Popen([*command, "--workers", str(workers)], env=env)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", server)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            cid = seed(client)
            august = client.get(f"/v1/contracts/{cid}", params={"as_of": "2026-08-01"}).json()
            assert august["version"]["version"] == 2, august
        print(
            f"registry: {workers} worker(s) on PostgreSQL (uvicorn pid {server.pid}); "
            f"broker: {broker.describe()}; "
            f"{concurrency} concurrent clients, {seconds:.0f} s each, "
            f"load from {'wrk (' + wrk + ')' if wrk else 'the Python client in this process'}; "
            f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        measure(base, key, cid, seconds, concurrency, wrk, server.pid, rounds)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        broker.stop()
        cluster.remove()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--python-client", action="store_true", help="load from httpx, not wrk")
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds of --seconds each; each figure's median is printed"
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    main(args.workers, args.seconds, args.concurrency, args.python_client, args.rounds)
