"""Where the CPU of the realistic 835 path goes: `reconcile_835.py` with each process's CPU.

Runs `benchmarks/reconcile_835.py` unchanged and adds, from /proc (Linux), the CPU seconds of each
group of processes between the upload's start and each of its milestones (answered, every claim
reconciled, every variance on the worklist, every appeal deadline open): the services, the broker
and PostgreSQL's backends counted with the database they serve (`pg:<service>`; `pg:other` is the
postmaster, its writers and autovacuum), and `bench`, this process (its polls, the /healthz
probe). What a change saves shows here first: on 2 cores the figure end to end moves only when the
machine's total CPU or the slack in it does.

Options (environment), each off by default:

- `STATEMENTS=1`: PostgreSQL's statements by server time during the upload (pg_stat_statements,
  loaded into the harness's cluster), and each outbox's events and their size by topic;
- `TIMELINE=1`: every 0.2 s, the engine's variances and unpublished outbox rows, the tracker's
  appeal deadlines and unpublished rows, and each group's CPU in the interval (the polling adds load);
- `SPY=<folder>`: `py-spy record` (raw stacks, 100 Hz) of the engine and the tracker from just
  before the upload to the last appeal deadline, one file each;
- `WORKLIST=1`: after the run, ten `GET /v1/worklist` over the file's open variances (median time
  and the engine's CPU a call).

    uv run --frozen python benchmarks/cpu_835.py [--postgres] [--claims N]
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import reconcile_835 as bench
from accord_common.devstack.client import AUTH
from accord_common.testing import postgres as harness_postgres

TICK = os.sysconf("SC_CLK_TCK")
SERVICES = ("contract-registry", "reimbursement-engine", "obligation-tracker")
MILESTONES = ("answered", "every claim reconciled", "every variance on the worklist", "every appeal deadline")
Snapshot = dict[str, float]


def group_of(command: str) -> str | None:
    """The group a process's command line belongs to (None: not counted)."""
    if command.startswith("postgres:"):  # a backend: "postgres: user database host ..."
        return next((f"pg:{s}" for s in SERVICES if s.replace("-", "_") in command), "pg:other")
    for service in SERVICES:
        if service.replace("-", "_") in command:
            return service
    if "java" in command:
        return "kafka"
    if "tansu" in command:
        return "tansu"
    if "benchmarks/" in command:  # this bench itself (its command line says --postgres)
        return "bench"
    return "pg:other" if "postgres" in command else None


def cpu_by_group() -> Snapshot:
    """CPU seconds so far of every counted process, by group; a process not counted itself (a
    uvicorn worker, a compute pool worker) counts with its nearest counted parent."""
    found: dict[int, tuple[str | None, int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        found[int(entry.name)] = (
            group_of(command.strip()),
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / TICK,
        )
    out: Snapshot = {}
    for group, parent, seconds in found.values():
        while group is None and parent in found:
            group, parent = found[parent][0], found[parent][1]
        if group is not None:
            out[group] = out.get(group, 0.0) + seconds
    return out


def spent(before: Snapshot, after: Snapshot) -> str:
    used = {g: after[g] - before.get(g, 0.0) for g in after}
    groups = ", ".join(f"{g} {s:.2f}" for g, s in sorted(used.items()) if s >= 0.005)
    return f"total {sum(used.values()):.2f} = {groups}"


class Recorder:
    """Hooks around the bench: marks its milestones, and runs the options."""

    def __init__(self) -> None:
        self.marks: dict[str, tuple[float, Snapshot]] = {}
        self.urls: dict[str, str] = {}
        self.spies: list[subprocess.Popen[bytes]] = []
        self.timeline: list[tuple[float, tuple[int, ...], Snapshot]] = []
        self.timeline_done = threading.Event()

    def install(self) -> None:
        if os.environ.get("STATEMENTS"):
            harness_postgres._SETTINGS = (  # type: ignore[attr-defined]
                *harness_postgres._SETTINGS,  # type: ignore[attr-defined]
                "shared_preload_libraries=pg_stat_statements",
                "pg_stat_statements.track=all",
            )
        post, wait, measure = httpx.Client.post, bench.wait, bench._measure
        recorder = self

        def timed_post(client: httpx.Client, url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
            if "remittances/x12" not in str(url):
                return post(client, url, *args, **kwargs)
            if os.environ.get("TIMELINE"):
                threading.Thread(target=lambda: asyncio.run(recorder.follow()), daemon=True).start()
            recorder.marks["start"] = (time.time(), cpu_by_group())
            response = post(client, url, *args, **kwargs)
            recorder.marks["answered"] = (time.time(), cpu_by_group())
            return response

        def timed_wait(what: str, check: Callable[[], bool], timeout: float, *every_s: float) -> float:
            held = wait(what, check, timeout, *every_s)
            recorder.marks[what] = (time.time(), cpu_by_group())
            if what == "the claims' prompt-pay deadlines":  # the upload is next
                recorder.start_spies()
                if os.environ.get("STATEMENTS"):
                    asyncio.run(recorder.statements(reset=True))
            if what == "every appeal deadline":
                recorder.stop_spies()
                recorder.timeline_done.set()
            return held

        def recorded_measure(running: Any, urls: dict[str, str], *args: Any) -> dict[str, Any]:
            recorder.urls.update(urls)
            result: dict[str, Any] = measure(running, urls, *args)
            if os.environ.get("STATEMENTS"):
                asyncio.run(recorder.statements(reset=False))
            if os.environ.get("WORKLIST"):
                recorder.worklist(running.services["reimbursement-engine"])
            recorder.report()
            return result

        httpx.Client.post = timed_post  # type: ignore[method-assign]
        bench.wait = timed_wait
        bench._measure = recorded_measure

    def report(self) -> None:
        began, before = self.marks["start"]
        for what in MILESTONES:
            at, after = self.marks[what]
            print(f"CPU to '{what}' ({at - began:.2f} s): {spent(before, after)}", flush=True)
        previous: Snapshot | None = None
        for at, counts, snapshot in self.timeline:
            used = spent(previous, snapshot) if previous is not None else ""
            variances, engine_backlog, appeals, tracker_backlog = counts
            print(
                f"t={at:5.2f} variances {variances:6d} engine unpublished {engine_backlog:6d} "
                f"appeals {appeals:6d} tracker unpublished {tracker_backlog:6d} | {used}"
            )
            previous = snapshot

    def start_spies(self) -> None:
        folder = os.environ.get("SPY")
        spy = shutil.which("py-spy") or str(Path.home() / ".local/bin/py-spy")
        if not folder:
            return
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            for module in ("reimbursement_engine", "obligation_tracker"):
                if f"-m {module}.cli serve" in command:
                    out = Path(folder) / f"{module}.txt"
                    args = [spy, "record", "--rate", "100", "--subprocesses", "-f", "raw", "-o", str(out)]
                    self.spies.append(subprocess.Popen([*args, "-p", entry.name], stdout=subprocess.DEVNULL))
        time.sleep(1.5)  # py-spy attaches

    def stop_spies(self) -> None:
        for spy in self.spies:
            spy.send_signal(signal.SIGINT)
        for spy in self.spies:
            spy.wait(timeout=60)

    def dsn(self, service: str) -> str:
        return self.urls[service].replace("postgresql+asyncpg://", "postgresql://")

    async def follow(self) -> None:
        if not self.urls["reimbursement-engine"].startswith("postgresql"):
            return
        engine, tracker = (
            await asyncpg.connect(self.dsn(SERVICES[1])),
            await asyncpg.connect(self.dsn(SERVICES[2])),
        )
        unpublished = "SELECT coalesce(sum(event_count), 0) FROM outbox WHERE published_at IS NULL"
        began = time.time()
        try:
            while not self.timeline_done.is_set():
                counts = (
                    await engine.fetchval("SELECT count(*) FROM variances"),
                    await engine.fetchval(unpublished),
                    await tracker.fetchval("SELECT count(*) FROM obligations WHERE kind = 'appeal'"),
                    await tracker.fetchval(unpublished),
                )
                self.timeline.append((time.time() - began, counts, cpu_by_group()))
                await asyncio.sleep(0.2)
        finally:
            await engine.close()
            await tracker.close()

    async def statements(self, *, reset: bool) -> None:
        for service, url in self.urls.items():
            if not url.startswith("postgresql"):
                continue
            conn = await asyncpg.connect(self.dsn(service))
            try:
                if reset:
                    await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                    await conn.execute("SELECT pg_stat_statements_reset()")
                    continue
                print(f"--- {service}: outbox events by topic; statements by server time (ms, calls, rows)")
                sizes = (
                    "SELECT topic, sum(event_count), sum(length(payload)) / sum(event_count) FROM outbox "
                    "GROUP BY topic ORDER BY topic"
                )
                for topic, events, size in await conn.fetch(sizes):
                    print(f"  outbox {topic}: {events} events, {size:.0f} B each")
                top = (
                    "SELECT total_exec_time, calls, rows, query FROM pg_stat_statements s JOIN pg_database d "
                    "ON d.oid = s.dbid WHERE d.datname = current_database() "
                    "ORDER BY total_exec_time DESC LIMIT 14"
                )
                for ms, calls, rows, query in await conn.fetch(top):
                    print(f"  {ms:8.1f} {calls:6d} {rows:7d}  {' '.join(query.split())[:140]}")
            finally:
                await conn.close()

    @staticmethod
    def worklist(engine: Any) -> None:
        with httpx.Client(base_url=engine.url, headers=AUTH, timeout=60) as client:
            times, before = [], bench.process_cpu_s(engine.popen.pid)
            for _ in range(10):
                began = time.perf_counter()
                client.get("/v1/worklist").raise_for_status()
                times.append(time.perf_counter() - began)
            cpu_ms = (bench.process_cpu_s(engine.popen.pid) - before) * 100
        print(
            f"GET /v1/worklist x10: median {statistics.median(times) * 1000:.0f} ms, "
            f"engine CPU {cpu_ms:.0f} ms a call"
        )


if __name__ == "__main__":
    Recorder().install()
    bench.main(sys.argv[1:])
