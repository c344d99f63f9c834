"""Measuring the engine over HTTP: a real uvicorn server, parallel client connections, CPU
seconds of the server's processes (and of PostgreSQL's, when it is the database)."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx

from reimbursement_engine.bench import pricing as pricing_bench
from reimbursement_engine.bench.workload import KEY, bodies, claims, domain_claims
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.domain.pricing import price_claim


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(env: dict[str, str], port: int, workers: int, output: Path) -> subprocess.Popen[bytes]:
    """The engine under uvicorn, its output (warnings and errors: the bench's log level) in `output`."""
    command = [sys.executable, "-m", "reimbursement_engine.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    with output.open("ab") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300  # a busy shared machine starts slowly
    while time.monotonic() < deadline:
        if server.poll() is not None:  # not another process's answer on the port: this server's
            raise RuntimeError(server_state(server, output))
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"the engine did not start; {server_state(server, output)}")


def server_state(server: subprocess.Popen[bytes], output: Path, lines: int = 20) -> str:
    """Whether the server runs, and the end of its output: what a failed measurement reports."""
    state = "is running" if server.poll() is None else f"has exited with {server.returncode}"
    tail = output.read_text(errors="replace").splitlines()[-lines:] if output.exists() else []
    return f"the engine server (pid {server.pid}) {state}; its last output: " + (
        "\n".join(tail) if tail else "(none)"
    )


def check_agreement(client: httpx.Client, start: int, count: int = 20) -> None:
    """The API prices the bench's claims exactly as the in-process bench does (same contract,
    same Medicare year), so the two figures measure the same pricing work."""
    response = client.post("/v1/claims/batch", json={"claims": claims(start, count)})
    response.raise_for_status()
    contract, medicare = pricing_bench.bench_contract(), pricing_bench.medicare_reference()
    expected = sum(
        (
            price_claim(claim, contract, medicare, date.today()).expected_allowed
            for claim in domain_claims(start, count)
        ),
        Decimal(0),
    )
    if Decimal(response.json()["expected_allowed"]) != expected or response.json()["priced"] != count:
        raise RuntimeError(f"the API priced {response.json()['expected_allowed']}, in process {expected}")


def open_clients(base: str, connections: int) -> list[httpx.Client]:
    """One client per connection; each is warmed up (and reaches a worker) with a checked batch."""
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    opened = [httpx.Client(base_url=base, headers=headers, timeout=300) for _ in range(connections)]
    for n, client in enumerate(opened):
        check_agreement(client, 10**9 + 100 * n)
    return opened


def post_all(connections: list[httpx.Client], payloads: list[bytes]) -> float:
    """POST every payload to /v1/claims/batch, one connection per client in parallel; seconds."""
    started = time.perf_counter()
    with ThreadPoolExecutor(len(connections)) as pool:
        work = [
            pool.submit(lambda c, b: c.post("/v1/claims/batch", content=b).raise_for_status(), client, body)
            for client, body in zip(itertools.cycle(connections), payloads, strict=False)
        ]
        for done in work:
            done.result()
    return time.perf_counter() - started


def _cpu_seconds(include: Callable[[int, int, str], bool]) -> float:
    """CPU seconds (user + system) used so far by the processes `include(pid, ppid, name)` picks."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue
        name, fields = raw.split("(", 1)[1].rsplit(")", 1)[0], raw.rsplit(")", 1)[1].split()
        if include(int(stat.parent.name), int(fields[1]), name):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def server_cpu_seconds(pid: int) -> float:
    """The engine server and its uvicorn worker processes (Linux)."""
    return _cpu_seconds(lambda p, parent, _: pid in (p, parent))


def postgres_cpu_seconds() -> float:
    """Every PostgreSQL process on the machine (the benchmark's own cluster)."""
    return _cpu_seconds(lambda _p, _parent, name: name == "postgres")


@dataclass(frozen=True)
class Round:
    wall: float  # lines/s by wall clock
    engine_cpu: float  # CPU seconds of the engine's processes
    database_cpu: float  # CPU seconds of PostgreSQL's (0 on SQLite: it runs inside the engine)


def measure_batches(connections: list[httpx.Client], lines: int, rounds: int, server_pid: int) -> list[Round]:
    """Rounds of `lines` new lines each."""
    out = []
    for round_number in range(rounds):
        payloads = bodies(round_number * (lines // 5), lines)
        engine_before, database_before = server_cpu_seconds(server_pid), postgres_cpu_seconds()
        wall = lines / post_all(connections, payloads)
        engine = server_cpu_seconds(server_pid) - engine_before
        out.append(Round(wall, engine, postgres_cpu_seconds() - database_before))
    return out


def measure_ingest(base: str, claims_835: int) -> float:
    remittance = generate_835(claims_835).encode()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=300) as client:
        started = time.perf_counter()
        client.post("/v1/remittances/x12", content=remittance).raise_for_status()
        return claims_835 / (time.perf_counter() - started)
