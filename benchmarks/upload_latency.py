"""A large 835 upload against the engine alone: does it block other requests, and what does it cost
in memory? (issue 11)

One engine (uvicorn, one worker, SQLite in a temporary folder, Kafka off) receives one generated 835
of at most `--mib` MiB (claims that match nothing: parsing, balancing, storing). While it uploads,
`GET /healthz` is timed every 50 ms on another connection. Printed: the upload's seconds, /healthz
median and worst latency, and the engine's RSS before the upload and its peak during it (VmHWM,
reset just before the upload).

    uv run --frozen python benchmarks/upload_latency.py [--mib 8]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from reimbursement_engine.bench import measure
from reimbursement_engine.bench.workload import KEY, environment, seed
from reimbursement_engine.bench.x12_835 import generate_835
from reimbursement_engine.config import EngineSettings

sys.path.insert(0, str(Path(__file__).parent))
from reconcile_835 import Probe, children, process_memory

BYTES_PER_CLAIM = 288  # generate_835's two-line claims, near enough


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mib", type=float, default=8.0, help="size of the 835 in MiB")
    parser.add_argument(
        "--engine-path",
        default=None,
        help="PYTHONPATH for the engine only (e.g. an older checkout's src folders, to compare)",
    )
    args = parser.parse_args(argv)
    remittance = remittance_of(args.mib)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'engine.db'}"
        asyncio.run(seed(EngineSettings(database_url=url, kafka_enabled=False)))
        port = measure.free_port()
        env = environment(url)
        if args.engine_path:
            env["PYTHONPATH"] = args.engine_path
        server = _serve(env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            before = process_memory(server.pid, "VmRSS", reset_peak=True)
            headers = {"Authorization": f"Bearer {KEY}"}
            with httpx.Client(base_url=base, headers=headers, timeout=600) as client, Probe(base) as probe:
                began = time.perf_counter()
                answer = client.post("/v1/remittances/x12", content=remittance)
                seconds = time.perf_counter() - began
            peak = process_memory(server.pid, "VmHWM")
            workers = sum(process_memory(child, "VmHWM") for child in children(server.pid))
            answer.raise_for_status()
        finally:
            server.terminate()
            server.wait(timeout=30)
    health = [x * 1000 for x in probe.latencies]
    print(
        f"835 upload of {len(remittance) / 2**20:.1f} MiB ({answer.json()['claims']:,} claims): "
        f"{seconds:.1f} s; "
        f"/healthz during it: {len(health)} probes, median {statistics.median(health):.1f} ms, "
        f"worst {max(health):.1f} ms; engine RSS {before:.0f} MiB before, peak {peak:.0f} MiB; "
        f"its worker processes' peak {workers:.0f} MiB"
    )


def _serve(env: dict[str, str], port: int, deadline_s: float = 300) -> subprocess.Popen[bytes]:
    """The engine (one worker), waited for up to `deadline_s`: on a loaded machine it can take
    more than the minute `measure.serve` allows to answer /healthz."""
    command = [sys.executable, "-m", "reimbursement_engine.cli", "serve", "--port", str(port)]
    server = subprocess.Popen([*command, "--workers", "1"], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the engine did not start")


def remittance_of(mib: float) -> bytes:
    """A generated 835 of at most `mib` MiB, as close to it as a whole number of claims allows (20
    MiB is the engine's default upload limit)."""
    target = int(mib * 2**20)
    claims = int(target / BYTES_PER_CLAIM)
    remittance = generate_835(claims).encode()
    while len(remittance) > target:
        claims = int(claims * target / len(remittance)) - 1
        remittance = generate_835(claims).encode()
    return remittance


if __name__ == "__main__":
    main()
