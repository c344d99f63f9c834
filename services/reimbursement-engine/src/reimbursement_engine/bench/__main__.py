"""`python -m reimbursement_engine.bench`: see the package docstring."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from reimbursement_engine.bench import measure
from reimbursement_engine.bench import pricing as pricing_bench
from reimbursement_engine.bench.workload import CLAIMS_PER_REQUEST, environment, seed
from reimbursement_engine.config import EngineSettings


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m reimbursement_engine.bench", description=__doc__)
    parser.add_argument("lines", nargs="?", type=int, default=100_000, help="claim lines per round")
    parser.add_argument("claims_835", nargs="?", type=int, default=5_000, help="claims in the 835 file")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="uvicorn workers")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; best and median are printed")
    parser.add_argument("--postgres", action="store_true", help="a local PostgreSQL cluster, not SQLite")
    return parser.parse_args(argv)


@contextmanager
def _database(postgres: bool) -> Iterator[str]:
    if not postgres:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite+aiosqlite:///{Path(tmp) / 'engine.db'}"
        return
    from accord_common.testing.postgres import start_postgres  # Debian's postgresql binaries

    with start_postgres() as server:
        yield server.create_database("engine_bench")


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    cores = os.cpu_count() or 1
    database = "PostgreSQL (local cluster, fsync off)" if args.postgres else "SQLite"
    print(
        f"cores: {cores}; best and median of {args.rounds} rounds (a busy shared machine only slows a round)"
    )
    in_process = sorted(pricing_bench.run(args.lines) for _ in range(args.rounds))
    print(
        f"in-process pricing ({args.lines:,} generated lines, CPU time): best {in_process[-1]:,.0f}, "
        f"median {statistics.median(in_process):,.0f} lines/s per core"
    )
    with _database(args.postgres) as url:
        asyncio.run(seed(EngineSettings(database_url=url, kafka_enabled=False)))
        port = measure.free_port()
        output = Path(tempfile.mkdtemp(prefix="engine-bench-")) / "server.log"
        server = measure.serve(environment(url), port, args.workers, output)
        base = f"http://127.0.0.1:{port}"
        try:
            connections = measure.open_clients(base, args.workers)
            try:
                rounds = measure.measure_batches(connections, args.lines, args.rounds, server.pid)
            finally:
                for client in connections:
                    client.close()
            ingest_rate = measure.measure_ingest(base, args.claims_835)
        except httpx.HTTPError as error:  # say what became of the server, not only the client's side
            raise RuntimeError(f"{error}; {measure.server_state(server, output)}") from error
        finally:
            server.terminate()
            server.wait(timeout=30)
    wall = sorted(r.wall for r in rounds)
    print(
        f"batch API (POST /v1/claims/batch, {CLAIMS_PER_REQUEST} claims x 5 lines, the same claims and "
        f"contract as in process, uvicorn with {args.workers} worker(s) and as many client connections, "
        f"{database}): best {wall[-1]:,.0f}, median {statistics.median(wall):,.0f} lines/s by wall clock; "
        f"{wall[-1] / min(args.workers, cores):,.0f} lines/s per worker core"
    )
    print(
        "rounds, lines per engine CPU second:", ", ".join(f"{args.lines / r.engine_cpu:,.0f}" for r in rounds)
    )
    engine = sorted(args.lines / r.engine_cpu for r in rounds if r.engine_cpu > 0)
    if engine:  # like the in-process figure: per CPU second of the server, not the client's share
        ratio = in_process[-1] / engine[-1]
        print(
            f"batch API per engine CPU second: best {engine[-1]:,.0f}, median "
            f"{statistics.median(engine):,.0f} lines/s; in-process / batch API (best to best): {ratio:.2f}x"
        )
    if args.postgres:
        both = sorted(args.lines / (r.engine_cpu + r.database_cpu) for r in rounds)
        share = statistics.median(r.database_cpu / (r.engine_cpu + r.database_cpu) for r in rounds)
        print(
            f"engine + PostgreSQL per CPU second: best {both[-1]:,.0f}, median "
            f"{statistics.median(both):,.0f} lines/s (PostgreSQL's share of the CPU: {share:.0%})"
        )
    print(
        f"835 ingest only (POST /v1/remittances/x12, {args.claims_835:,} claims that match nothing, one "
        f"file: no reconciliation, variance or event; the path users take is benchmarks/reconcile_835.py): "
        f"{ingest_rate:,.0f} claims/s"
    )


if __name__ == "__main__":
    main()
