"""Throughput figures: `python -m reimbursement_engine.bench [lines] [claims_835] [workers] [rounds]`
(`make bench`).

Prints the core count, in-process pricing lines/s, batch API lines/s through POST /v1/claims/batch
on a real uvicorn server (SQLite in a temp dir, Kafka disabled; `workers` uvicorn workers, default
min(2, cores), fed over as many parallel client connections) and 835 ingest claims/s. Both pricing
figures price the same generated claims under the same contract and Medicare year (checked: the
API's expected allowed equals the in-process sum), each round `lines` new lines; best and median
of `rounds` rounds are printed.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from accord_common.events import new_event
from accord_common.migrate import upgrade_async

from reimbursement_engine.adapters import medicare_repo
from reimbursement_engine.bootstrap import build_runtime
from reimbursement_engine.config import EngineSettings
from reimbursement_engine.domain.pricing import Claim, LocalityKey, price_claim
from reimbursement_engine.domain.pricing import bench as pricing_bench
from reimbursement_engine.domain.x12 import generate_835
from reimbursement_engine.handlers.projection import apply_contract_version, apply_fee_schedule_chunk

ORG = "bench-org"
KEY = "acc_benchbench0_" + "k" * 40
CLAIMS_PER_REQUEST = 1000
ROUNDS = 3
LOCALITY = "01112-54"


def _schedule_chunk() -> dict[str, Any]:
    """The in-process bench's office-visit fee schedule as the registry publishes it."""
    rows: list[dict[str, Any]] = [
        {
            "code_system": "CPT",
            "code": code,
            "rate_kind": "amount",
            "effective_from": "2020-01-01",
            "amount": str(90 + i),
            "modifiers": [],
            "place_of_service": place,
            "unit": "unit",
        }
        for i, code in enumerate(pricing_bench.VISITS)
        for place in (None, "11", "22")
    ]
    return {
        "schedule_id": "bench",
        "organization_id": ORG,
        "content_hash": "b" * 64,
        "chunk_index": 0,
        "chunk_count": 1,
        "row_count": len(rows),
        "rows": rows,
    }


def _contract(row_count: int) -> dict[str, Any]:
    """The in-process bench's contract (`domain.pricing.bench._contract`) as a registry version:
    office visits from the fee schedule, surgery at 140% of Medicare with multiple-procedure
    reduction, both lesser of billed, 3% anniversary escalator from 2022-07-01."""
    escalators = [{"kind": "anniversary", "percent": "3"}]
    visits = {
        "name": "office visits",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "99202", "last": "99499"}]},
        "methodology": {"kind": "fee_schedule", "schedule_id": "bench"},
        "lesser_of_billed": True,
        "escalators": escalators,
    }
    surgery = {
        "name": "surgery",
        "matcher": {"ranges": [{"code_system": "CPT", "first": "10000", "last": "69999"}]},
        "methodology": {"kind": "percent_of_medicare", "percent": "140"},
        "lesser_of_billed": True,
        "multiple_procedure_reduction": {"percentages": ["100", "50"]},
        "escalators": escalators,
    }
    return {
        "contract_id": "bench-contract",
        "organization_id": ORG,
        "payer_id": "60054",
        "status": "active",
        "version": 1,
        "effective_from": "2022-07-01",
        "terms": {"effective_date": "2022-07-01"},
        "payment_terms": [visits, surgery],
        "fee_schedule": {"schedule_id": "bench", "content_hash": "b" * 64, "row_count": row_count},
    }


def _events() -> list[Any]:
    chunk = _schedule_chunk()
    return [
        new_event("fee_schedule.published", source="bench", subject="bench", data=chunk),
        new_event(
            "contract.created", source="bench", subject="bench-contract", data=_contract(len(chunk["rows"]))
        ),
    ]


async def _seed(settings: EngineSettings) -> None:
    """Migrate, load the in-process bench's Medicare year, and project its contract."""
    runtime = build_runtime(settings)
    await upgrade_async(runtime.service_root, settings.database_url)
    from reimbursement_engine.adapters.caches import EngineCaches

    caches = EngineCaches()
    chunk, contract = _events()
    async with runtime.uow() as uow:
        for year in pricing_bench.medicare_reference().years.values():
            await medicare_repo.replace_year(uow.session, year)
        await apply_fee_schedule_chunk(uow, caches, chunk)
        await apply_contract_version(uow, caches, contract)
        await uow.commit()
    await runtime.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _claims(start: int, count: int) -> list[dict[str, Any]]:
    """The in-process bench's claims (`generate_claims`) in the JSON claim shape."""
    return [
        {
            "patient_control_number": f"B{start + n}",
            "payer_id": "60054",
            "place_of_service": "11",
            "medicare_locality": LOCALITY,
            "lines": [
                {
                    "code_system": "CPT",
                    "code": line.code,
                    "charge": str(line.charge),
                    "service_date": line.service_date.isoformat(),
                }
                for line in pricing_bench.claim_lines(5 * (start + n))
            ],
        }
        for n in range(count)
    ]


def _serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "reimbursement_engine.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the engine did not start")


def _check_agreement(client: httpx.Client, start: int, count: int = 20) -> None:
    """The API prices the bench's claims exactly as the in-process bench does (same contract,
    same Medicare year), so the two figures measure the same pricing work."""
    response = client.post("/v1/claims/batch", json={"claims": _claims(start, count)})
    response.raise_for_status()
    contract, medicare = pricing_bench.bench_contract(), pricing_bench.medicare_reference()
    expected = sum(
        (
            price_claim(claim, contract, medicare, date.today()).expected_allowed
            for claim in _domain(start, count)
        ),
        Decimal(0),
    )
    if Decimal(response.json()["expected_allowed"]) != expected or response.json()["priced"] != count:
        raise RuntimeError(f"the API priced {response.json()['expected_allowed']}, in process {expected}")


def _domain(start: int, count: int) -> list[Claim]:
    return [
        Claim(
            f"B{start + n}",
            "60054",
            pricing_bench.SERVICE_DATE,
            pricing_bench.SERVICE_DATE,
            pricing_bench.claim_lines(5 * (start + n)),
            place_of_service="11",
            medicare_locality=LocalityKey("01112", "54"),
        )
        for n in range(count)
    ]


def _clients(base: str, connections: int) -> list[httpx.Client]:
    """One client per connection; each is warmed up (and reaches a worker) with a checked batch."""
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    clients = [httpx.Client(base_url=base, headers=headers, timeout=300) for _ in range(connections)]
    for n, client in enumerate(clients):
        _check_agreement(client, 10**9 + 100 * n)
    return clients


def _post_all(clients: list[httpx.Client], bodies: list[bytes]) -> float:
    """POST every body to /v1/claims/batch, one connection per client in parallel; seconds."""
    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        work = [
            pool.submit(lambda c, b: c.post("/v1/claims/batch", content=b).raise_for_status(), client, body)
            for client, body in zip(itertools.cycle(clients), bodies, strict=False)
        ]
        for done in work:
            done.result()
    return time.perf_counter() - started


def _server_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server and its worker processes (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _bodies(first_claim: int, lines: int) -> list[bytes]:
    claim_count = lines // 5
    return [
        json.dumps({"claims": _claims(first_claim + i, min(CLAIMS_PER_REQUEST, claim_count - i))}).encode()
        for i in range(0, claim_count, CLAIMS_PER_REQUEST)
    ]


def _measure_batches(
    clients: list[httpx.Client], lines: int, rounds: int, server_pid: int
) -> list[tuple[float, float | None]]:
    """Per round (`lines` new lines each): lines/s by wall clock, lines per server CPU second."""
    out = []
    for round_number in range(rounds):
        bodies = _bodies(round_number * (lines // 5), lines)
        cpu_before = _server_cpu_seconds(server_pid)
        wall = lines / _post_all(clients, bodies)
        cpu = _server_cpu_seconds(server_pid) - cpu_before
        out.append((wall, lines / cpu if cpu > 0 else None))
    return out


def _measure_ingest(base: str, claims_835: int) -> float:
    remittance = generate_835(claims_835).encode()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=300) as client:
        started = time.perf_counter()
        client.post("/v1/remittances/x12", content=remittance).raise_for_status()
        return claims_835 / (time.perf_counter() - started)


def _environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ACCORD_ENGINE_DATABASE_URL": url,
        "ACCORD_ENGINE_KAFKA_ENABLED": "false",
        "ACCORD_ENGINE_ENVIRONMENT": "development",
        "ACCORD_ENGINE_BOOTSTRAP_API_KEY": KEY,
        "ACCORD_ENGINE_BOOTSTRAP_ORG_ID": ORG,
        "ACCORD_ENGINE_LOG_LEVEL": "WARNING",
    }


def main(argv: list[str]) -> None:
    lines = int(argv[0]) if argv else 100_000
    claims_835 = int(argv[1]) if len(argv) > 1 else 5_000
    cores = os.cpu_count() or 1
    workers = int(argv[2]) if len(argv) > 2 else min(2, cores)
    rounds = int(argv[3]) if len(argv) > 3 else ROUNDS
    print(f"cores: {cores}; best and median of {rounds} rounds (a busy shared machine only slows a round)")
    in_process = sorted(pricing_bench.run(lines) for _ in range(rounds))
    print(
        f"in-process pricing ({lines:,} generated lines, CPU time): best {in_process[-1]:,.0f}, "
        f"median {statistics.median(in_process):,.0f} lines/s per core"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'engine.db'}"
        asyncio.run(_seed(EngineSettings(database_url=url, kafka_enabled=False)))
        port = _free_port()
        server = _serve(_environment(url), port, workers)
        base = f"http://127.0.0.1:{port}"
        try:
            clients = _clients(base, workers)
            try:
                results = _measure_batches(clients, lines, rounds, server.pid)
            finally:
                for client in clients:
                    client.close()
            ingest_rate = _measure_ingest(base, claims_835)
        finally:
            server.terminate()
            server.wait(timeout=30)
    wall = sorted(r[0] for r in results)
    per_cpu = sorted(r[1] for r in results if r[1])
    print(
        f"batch API (POST /v1/claims/batch, {CLAIMS_PER_REQUEST} claims x 5 lines, the same claims and "
        f"contract as in process, uvicorn with {workers} worker(s) and as many client connections, "
        f"SQLite): best {wall[-1]:,.0f}, median {statistics.median(wall):,.0f} lines/s by wall clock; "
        f"{wall[-1] / min(workers, cores):,.0f} lines/s per worker core"
    )
    if per_cpu:  # like the in-process figure: per CPU second of the server, not the client's share
        print(
            f"batch API per server CPU second: best {per_cpu[-1]:,.0f}, median "
            f"{statistics.median(per_cpu):,.0f} lines/s; in-process / batch API (best to best): "
            f"{in_process[-1] / per_cpu[-1]:.2f}x"
        )
    print(
        f"835 ingest (POST /v1/remittances/x12, {claims_835:,} claims, one file): {ingest_rate:,.0f} claims/s"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
