"""How fast the console's pages answer with N open variances (docs/benchmarks.md, Console).

    uv run python services/console/bench/pages.py [--variances 10000] [--rounds 20]

Starts a real reimbursement engine (uvicorn subprocess, SQLite in a temporary folder, Kafka off)
seeded with the engine bench's contract (reimbursement_engine.bench.workload), posts N claims
(5 lines each, in batches) and one JSON remittance paying $1.00 on each: N open underpaid variances.
Then starts the console (uvicorn subprocess) with every service URL pointing at that engine (the
pages measured read the engine only; whoami answers the same everywhere), signs in with the
bench's key and times each page over HTTP: median and worst of `rounds` requests, wall clock,
client on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from reimbursement_engine.bench import measure
from reimbursement_engine.bench.workload import KEY, claims, environment, seed
from reimbursement_engine.config import EngineSettings

BUDGET_MS = 300.0


def remittance(first: int, count: int) -> dict[str, Any]:
    """Pays $1.00 on each claim B<first>..: every one underpaid against its expected amount."""
    paid = [
        {
            "patient_control_number": f"B{first + n}",
            "status_code": "1",
            "charge": str(sum(Decimal(line["charge"]) for line in claim["lines"])),
            "paid": "1.00",
            "patient_responsibility": "0.00",
            "adjustments": [
                {
                    "group_code": "CO",
                    "reason_code": "45",
                    "amount": str(sum(Decimal(line["charge"]) for line in claim["lines"]) - 1),
                }
            ],
        }
        for n, claim in enumerate(claims(first, count))
    ]
    return {
        "payer_id": "60054",
        "payer_name": "Bench Health Plan",
        "payment_date": "2026-04-02",
        "total_paid": str(Decimal(count)),
        "trace_number": f"EFT-BENCH-{first}",
        "claims": paid,
    }


def start_engine(folder: Path) -> tuple[Any, str]:
    url = f"sqlite+aiosqlite:///{folder / 'engine.db'}"
    asyncio.run(seed(EngineSettings(database_url=url, kafka_enabled=False)))
    port = measure.free_port()
    command = [sys.executable, "-m", "reimbursement_engine.cli", "serve", "--port", str(port)]
    return started(command, environment(url), f"http://127.0.0.1:{port}")


def started(command: list[str], env: dict[str, str], base: str) -> tuple[Any, str]:
    """A server process once it answers /healthz (a busy machine can take a minute or more)."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.3)
    process.terminate()
    raise TimeoutError(f"{command[2]} did not start")


def start_console(engine: str) -> tuple[Any, str]:
    port = measure.free_port()
    env = os.environ | {
        "ACCORD_CONSOLE_COOKIE_SECURE": "false",
        "ACCORD_CONSOLE_LOG_LEVEL": "WARNING",
        **{f"ACCORD_CONSOLE_{name}_URL": engine for name in ("REGISTRY", "ENGINE", "TRACKER", "NOTIFIER")},
    }
    command = [sys.executable, "-m", "console.cli", "serve", "--port", str(port)]
    return started(command, env, f"http://127.0.0.1:{port}")


def load(engine: str, variances: int) -> None:
    with httpx.Client(base_url=engine, headers={"Authorization": f"Bearer {KEY}"}, timeout=600) as client:
        for first in range(0, variances, 1000):
            count = min(1000, variances - first)
            body = json.dumps({"claims": claims(first, count)})
            client.post(
                "/v1/claims/batch", content=body, headers={"content-type": "application/json"}
            ).raise_for_status()
            client.post("/v1/remittances/json", json=remittance(first, count)).raise_for_status()
        opened = client.get("/v1/worklist").json()
    print(
        f"loaded {variances} claims and their remittances; worklist: {opened['group_count']} groups, "
        f"${opened['total_amount']} open"
    )


def time_pages(console: str, rounds: int) -> list[tuple[str, float, float]]:
    with httpx.Client(base_url=console, timeout=60) as client:
        signed = client.post("/sign-in", data={"api_key": KEY, "next": "/"})
        assert signed.status_code == 303, signed.text
        first = client.get("/variances", params={"status": "open"})
        variance_id = first.text.split('href="/variances/', 1)[1].split('"', 1)[0]
        claim_id = client.get(f"/variances/{variance_id}").text.split('href="/claims/', 1)[1].split('"', 1)[0]
        pages = [
            "/worklist",
            "/worklist?by=code",
            "/variances?status=open",
            f"/variances/{variance_id}",
            f"/claims/{claim_id}",
            "/analytics?until=2026-04-30",
        ]
        results = []
        for page in pages:
            client.get(page).raise_for_status()  # warm
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                client.get(page).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
            results.append((page, statistics.median(times), max(times)))
        return results


def time_engine(engine: str, rounds: int) -> list[tuple[str, float, float]]:
    """The engine's own answer time for what the slowest pages read (the console's share is the rest)."""
    results = []
    with httpx.Client(base_url=engine, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as client:
        for path in ("/v1/worklist?limit=500", "/v1/variances?status=open&limit=50"):
            client.get(path).raise_for_status()
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                client.get(path).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
            results.append((f"engine {path}", statistics.median(times), max(times)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variances", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        engine_process, engine = start_engine(Path(folder))
        console_process = None
        try:
            load(engine, args.variances)
            console_process, console = start_console(engine)
            print(f"load average before measuring: {os.getloadavg()[0]:.1f}")
            print(f"{'page':40} {'median ms':>10} {'worst ms':>10}")
            timings = time_pages(console, args.rounds) + time_engine(engine, args.rounds)
            for page, median, worst in timings:
                verdict = "" if page.startswith("engine") else "ok" if median < BUDGET_MS else "OVER BUDGET"
                print(f"{page:40} {median:10.1f} {worst:10.1f}  {verdict}")
        finally:
            for process in (console_process, engine_process):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)


if __name__ == "__main__":
    main()
