"""The command line every service shares: serve, migrate, issue-api-key, replay-dead-letters."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update

from accord_common.auth import ALL_SCOPES, issue_key, parse_scopes, split_key
from accord_common.errors import Problem
from accord_common.migrate import upgrade
from accord_common.runtime import ServiceRuntime


def run_cli(
    prog: str,
    build_runtime: Callable[[], ServiceRuntime],
    app_path: str,
    argv: Sequence[str] | None = None,
) -> int:
    args = build_parser(prog).parse_args(argv)
    if args.command == "serve":
        import uvicorn

        uvicorn.run(
            app_path,
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            # A worker must answer the supervisor's ping once started; on a busy host importing the
            # service takes longer than uvicorn's 5 s default and the workers would be restarted forever.
            timeout_worker_healthcheck=60,
            log_config=None,
            access_log=False,
        )
        return 0
    runtime = build_runtime()
    if args.command == "migrate":
        upgrade(runtime.service_root, runtime.settings.database_url)
        print("migrations applied")
        return 0
    if args.command == "issue-api-key":
        given = sys.stdin.readline().strip() if args.key_from_stdin else None
        if given is not None and not _well_formed(given):
            print("error: the key on standard input is not acc_<prefix>_<secret>", file=sys.stderr)
            return 2
        raw = asyncio.run(_issue(runtime, args.org, args.name, args.scopes, given))
        print(raw)
        return 0
    count = asyncio.run(_replay(runtime))
    print(f"replayed {count} dead-lettered events")
    return 0


def build_parser(prog: str) -> argparse.ArgumentParser:
    """The shared sub-commands; a service may add its own before parsing."""
    parser = argparse.ArgumentParser(prog=prog)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP API, the outbox relay and the consumers")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="apply database migrations")
    key = sub.add_parser("issue-api-key", help="issue an API key (printed once)")
    key.add_argument("--org", required=True, help="provider organisation id")
    key.add_argument("--name", required=True, help="who uses the key, e.g. 'Epic billing'")
    key.add_argument(
        "--scopes",
        required=True,
        type=_scopes,
        help=f"comma-separated, e.g. contracts:read,keys:admin; one of: {', '.join(sorted(ALL_SCOPES))}",
    )
    key.add_argument(
        "--key-from-stdin",
        action="store_true",
        help="store the key read from standard input (acc_<prefix>_<secret>) instead of a new one, "
        "so one person holds one key for every service (the console signs in with it)",
    )
    sub.add_parser("replay-dead-letters", help="re-publish dead-lettered events to their topic")
    return parser


def _well_formed(raw_key: str) -> bool:
    try:
        split_key(raw_key)
    except Problem:
        return False
    return True


def _scopes(text: str) -> set[str]:
    """argparse turns the error into `error: argument --scopes: unknown scope: ...` and exit 2."""
    try:
        return parse_scopes(text)
    except ValueError as refused:
        raise argparse.ArgumentTypeError(str(refused)) from None


async def _issue(
    runtime: ServiceRuntime, org: str, name: str, scopes: set[str], raw_key: str | None = None
) -> str:
    async with runtime.sessions() as session, session.begin():
        raw = await issue_key(
            session,
            runtime.metadata,
            organization_id=org,
            name=name,
            scopes=scopes,
            raw_key=raw_key,
        )
    await runtime.engine.dispose()
    return raw


async def _replay(runtime: ServiceRuntime) -> int:
    """Put dead letters back on their original topic; the inbox keeps replays idempotent."""
    table = runtime.metadata.tables["dead_letters"]
    producer = runtime.kafka.producer()
    await producer.start()
    try:
        async with runtime.sessions() as session, session.begin():
            rows = (await session.execute(select(table).where(table.c.replayed_at.is_(None)))).all()
            for row in rows:
                key = row.message_key.encode() if row.message_key else None
                await producer.send_and_wait(row.topic, value=row.payload, key=key)
            await session.execute(
                update(table)
                .where(table.c.id.in_([r.id for r in rows]))
                .values(replayed_at=datetime.now(UTC))
            )
    finally:
        await producer.stop()
        await runtime.engine.dispose()
    return len(rows)
