"""`contract-registry serve | migrate | issue-api-key | replay-dead-letters | import-fee-schedule`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Sequence

from accord_common.auth import Principal
from accord_common.cli import run_cli
from accord_common.migrate import upgrade_async

from contract_registry.bootstrap import build_runtime
from contract_registry.domain import ImportPolicy
from contract_registry.handlers.fee_schedules import CsvImportResult, import_csv

IMPORT = "import-fee-schedule"


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == IMPORT:
        sys.exit(import_fee_schedule(args[1:]))
    sys.exit(run_cli("contract-registry", build_runtime, "contract_registry.bootstrap:build_app", args))


def import_fee_schedule(argv: Sequence[str]) -> int:
    """Import a fee schedule CSV straight into the database, printing progress to stderr."""
    parser = argparse.ArgumentParser(prog=f"contract-registry {IMPORT}")
    parser.add_argument("file", help="the CSV (columns as in docs/registry.md)")
    parser.add_argument("--org", required=True, help="provider organisation id")
    parser.add_argument("--name", help="schedule name (default: the file name)")
    parser.add_argument("--actor", default="contract-registry CLI", help="who, for the audit trail")
    parser.add_argument("--skip-invalid-rows", action="store_true", help="keep the good rows")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8-sig", newline="") as lines:
        result = asyncio.run(_import(args, lines))
    for error in result.report.errors:
        print(f"  {error}", file=sys.stderr)
    if result.schedule is None:
        print(f"refused: {result.report.error_count} error(s); nothing was written", file=sys.stderr)
        return 1
    schedule = result.schedule
    print(
        f"imported {schedule.row_count} rows as fee schedule {schedule.schedule_id} ({schedule.content_hash})"
    )
    return 0


async def _import(args: argparse.Namespace, lines: Iterable[str]) -> CsvImportResult:
    runtime = build_runtime()
    await upgrade_async(runtime.service_root, runtime.settings.database_url)
    who = Principal("cli", args.org, args.actor, frozenset({"contracts:write"}))
    policy = ImportPolicy.SKIP_INVALID_ROWS if args.skip_invalid_rows else ImportPolicy.ALL_OR_NOTHING

    def progress(phase: str, count: int) -> None:
        print(f"\r{phase} {count:,} rows", end="", file=sys.stderr, flush=True)

    name = args.name or args.file.rsplit("/", 1)[-1]
    try:
        result = await import_csv(runtime.uow(), who, lines, name=name, policy=policy, progress=progress)
    finally:
        print(file=sys.stderr)
        await runtime.engine.dispose()
    return result


if __name__ == "__main__":
    main()
