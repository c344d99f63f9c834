"""`reimbursement-engine serve | migrate | issue-api-key | replay-dead-letters | load-medicare |
load-msdrg-weights | load-zip-localities | load-schedule`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from accord_common.cli import run_cli

if TYPE_CHECKING:
    from accord_common.runtime import ServiceRuntime

    from reimbursement_engine.adapters.medicare_files import LoadedRelease
    from reimbursement_engine.adapters.medicare_repo import LoadedYear
    from reimbursement_engine.handlers.reference import LoadReport

PROG = "reimbursement-engine"


def build_runtime() -> ServiceRuntime:
    """The service's runtime; the app is imported when used, not with this module: a worker
    process of the engine's compute pool imports it as its main module and needs none of it."""
    from reimbursement_engine.bootstrap import build_runtime as build

    return build()


async def _load_medicare(parsed: LoadedRelease) -> LoadedYear:
    from reimbursement_engine.handlers.medicare import store_medicare_release

    runtime = build_runtime()
    try:
        from accord_common.migrate import upgrade_async

        await upgrade_async(runtime.service_root, runtime.settings.database_url)
        return await store_medicare_release(runtime.uow(), None, parsed)
    finally:
        await runtime.engine.dispose()


async def _load_msdrg(path: Path, fiscal_year: int) -> int:
    from accord_common.migrate import upgrade_async

    from reimbursement_engine.handlers.medicare import load_msdrg_weights

    runtime = build_runtime()
    try:
        await upgrade_async(runtime.service_root, runtime.settings.database_url)
        return await load_msdrg_weights(runtime.uow(), None, path, fiscal_year)
    finally:
        await runtime.engine.dispose()


def load_msdrg_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"{PROG} load-msdrg-weights")
    parser.add_argument("--year", type=int, required=True, help="federal fiscal year, e.g. 2025")
    parser.add_argument("--file", type=Path, required=True, help="CSV with drg,weight[,description]")
    args = parser.parse_args(argv)
    try:
        count = asyncio.run(_load_msdrg(args.file, args.year))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"loaded MS-DRG weights FY{args.year}: {count} DRGs")
    return 0


async def _load_zips(path: Path) -> int:
    from accord_common.migrate import upgrade_async

    from reimbursement_engine.handlers.locations import load_zip_localities

    runtime = build_runtime()
    try:
        await upgrade_async(runtime.service_root, runtime.settings.database_url)
        return await load_zip_localities(runtime.uow(), path)
    finally:
        await runtime.engine.dispose()


def load_zip_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"{PROG} load-zip-localities")
    parser.add_argument("--file", type=Path, required=True, help="CMS ZIP5 CSV (e.g. ZIP5_JAN2026.csv)")
    args = parser.parse_args(argv)
    try:
        count = asyncio.run(_load_zips(args.file))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"loaded CMS ZIP-to-locality file: {count} ZIP codes")
    return 0


def load_medicare_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"{PROG} load-medicare")
    parser.add_argument("--year", type=int, required=True, help="calendar year, e.g. 2025")
    parser.add_argument("--dir", type=Path, required=True, help="CMS PFS release folder (pprrvu, gpci CSVs)")
    parser.add_argument(
        "--release",
        help="RVU26C, a quarter (Q3) or month (jul); default: the one the PPRRVU file name says",
    )
    args = parser.parse_args(argv)
    from reimbursement_engine.adapters.medicare_files import load_medicare_release

    try:
        parsed = load_medicare_release(args.dir, args.year, args.release)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    loaded = asyncio.run(_load_medicare(parsed))
    release = parsed.year
    print(
        f"loaded Medicare {release.label} (in force from {release.effective_on.isoformat()}, "
        f"conversion factor {release.conversion_factor or 'from the engine table'}): {loaded.rvus} RVU rows, "
        f"{loaded.localities} localities, {loaded.opps_caps} OPPS caps, "
        f"{loaded.anesthesia_localities} anesthesia conversion factors"
    )
    for report in parsed.reports:
        print(report)
    return 0


async def _load_schedule(schedule: str, part: str, on: date, path: Path) -> LoadReport:
    from accord_common.migrate import upgrade_async

    from reimbursement_engine.domain.pricing.schedules import Basis
    from reimbursement_engine.handlers.reference import load_schedule_file

    runtime = build_runtime()
    try:
        await upgrade_async(runtime.service_root, runtime.settings.database_url)
        content = await asyncio.to_thread(path.read_bytes)
        return await load_schedule_file(runtime.uow(), None, Basis(schedule), part, on, path.name, content)
    finally:
        await runtime.engine.dispose()


def load_schedule_command(argv: Sequence[str]) -> int:
    """One Medicare reference file (the same loader as POST /v1/reference/medicare/{schedule}/{part})."""
    parser = argparse.ArgumentParser(prog=f"{PROG} load-schedule")
    parser.add_argument("--schedule", required=True, choices=["ASC", "OPPS", "CLFS", "DMEPOS", "PFS"])
    parser.add_argument(
        "--part", required=True, help="AA, BB, EE, FF, wage_index, B, CLFS, DMEPOS, PEN, RVU ..."
    )
    parser.add_argument("--effective", type=date.fromisoformat, required=True, help="first day in force")
    parser.add_argument("--file", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        report = asyncio.run(_load_schedule(args.schedule, args.part, args.effective, args.file))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{report.schedule} {report.part} ({report.filename}): {report.rows_read} rows read, "
        f"{report.rows_loaded} loaded, {len(report.refused)} refused; {report.outcome}"
    )
    for refused in report.refused:
        print(f"  refused row {refused.line}: {refused.reason}")
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "load-medicare":
        sys.exit(load_medicare_command(args[1:]))
    if args and args[0] == "load-msdrg-weights":
        sys.exit(load_msdrg_command(args[1:]))
    if args and args[0] == "load-schedule":
        sys.exit(load_schedule_command(args[1:]))
    if args and args[0] == "load-zip-localities":
        sys.exit(load_zip_command(args[1:]))
    sys.exit(run_cli(PROG, build_runtime, "reimbursement_engine.bootstrap:build_app", args))


if __name__ == "__main__":
    main()
