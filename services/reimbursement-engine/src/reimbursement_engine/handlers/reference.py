"""Loading Medicare reference files one at a time (CLI and HTTP alike), with a report of the rows
read and refused: the ASC addenda and wage index, OPPS Addendum B (and wage index), CLFS,
DMEPOS / PEN, and the physician fee schedule's files (RVU, GPCI, anesthesia, OPPS caps).

A schedule file is stored as published and replaces the same part of the same release; the year's
generation moves in the same transaction, so every process prices with it from the next claim.
The physician fee schedule loads a whole year at once (`load_medicare`): its files are held as they
arrive and the year is (re)loaded as soon as its RVU and GPCI files are both held.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePath

from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters import schedule_repo
from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.domain.pricing.schedule_files import FileReport, RefusedRow, ScheduleFileError
from reimbursement_engine.domain.pricing.schedule_releases import WAGE_INDEX, parse_part
from reimbursement_engine.domain.pricing.schedules import Basis
from reimbursement_engine.handlers.medicare import load_medicare

# the physician fee schedule's files, as the `load-medicare` folder holds them
PFS_PARTS = {
    "RVU": "PPRRVU (RVUs by HCPCS and modifier)",
    "GPCI": "GPCIs by locality",
    "ANES": "anesthesia conversion factors",
    "OPPSCAP": "OPPS payment caps",
}
_PFS_REQUIRED = ("RVU", "GPCI")


@dataclass(slots=True)
class LoadReport:
    """What one loaded file gave, and (PFS) what the year's load did."""

    schedule: str
    part: str
    effective_on: date
    filename: str
    rows_read: int
    refused: list[RefusedRow] = field(default_factory=list)
    outcome: str = ""

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - len(self.refused)


def decode(content: bytes) -> str:
    """CMS files come as UTF-8 or as Windows-1252 (the ASC addenda): try the first, then the other."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


async def load_schedule_file(
    uow: UnitOfWork,
    caches: EngineCaches | None,
    schedule: Basis,
    part: str,
    effective_on: date,
    filename: str,
    content: bytes,
) -> LoadReport:
    """Parse one file (ScheduleFileError: nothing stored) and store it as its release's part."""
    if schedule is Basis.PFS:
        return await load_pfs_file(uow, caches, part, effective_on.year, filename, content)
    if part == WAGE_INDEX:
        effective_on = date(effective_on.year, 1, 1)
    text = decode(content)
    _, report = await asyncio.to_thread(parse_part, schedule, part, effective_on, text)
    async with uow:
        await schedule_repo.replace_file(uow.session, schedule, effective_on, part, filename, text, report)
        await uow.commit()
    if caches is not None:
        caches.forget_schedule(schedule, effective_on.year)
    loaded = f"{schedule.value} {part} in force from {effective_on}: {report.loaded} rows loaded"
    return _report(schedule.value, part, effective_on, filename, report, loaded)


def _report(
    schedule: str, part: str, on: date, filename: str, report: FileReport, outcome: str
) -> LoadReport:
    return LoadReport(schedule, part, on, filename, report.read, list(report.refused), outcome)


async def load_pfs_file(
    uow: UnitOfWork, caches: EngineCaches | None, part: str, year: int, filename: str, content: bytes
) -> LoadReport:
    """Hold one PFS file of `year`; with the RVU and GPCI files held, load the whole year."""
    if part not in PFS_PARTS:
        raise ScheduleFileError(f"PFS has no part {part!r} (parts: {', '.join(PFS_PARTS)})")
    name = PurePath(filename).name
    if not name or name.startswith("."):
        raise ScheduleFileError(f"file name {filename!r} is not a CMS file name (e.g. pprrvu{year}_oct.csv)")
    on, text = date(year, 1, 1), decode(content)
    report = FileReport(part, read=text.count("\n"))
    async with uow:
        await schedule_repo.replace_file(uow.session, Basis.PFS, on, part, name, text, report)
        await uow.commit()
    held = await _held_pfs(uow, year)
    missing = [p for p in _PFS_REQUIRED if p not in held]
    if missing:
        outcome = f"held; the PFS CY{year} loads when its {' and '.join(missing)} file(s) are loaded too"
        return _report("PFS", part, on, name, report, outcome)
    with tempfile.TemporaryDirectory(prefix="accord-pfs-") as folder:
        for held_name, held_text in held.values():
            (Path(folder) / held_name).write_text(held_text, encoding="utf-8")
        loaded = await load_medicare(uow, caches, Path(folder), year)
    outcome = (
        f"loaded PFS CY{year}: {loaded.rvus} RVU rows, {loaded.localities} localities, "
        f"{loaded.opps_caps} OPPS caps, {loaded.anesthesia_localities} anesthesia conversion factors"
    )
    return _report("PFS", part, on, name, report, outcome)


async def _held_pfs(uow: UnitOfWork, year: int) -> dict[str, tuple[str, str]]:
    async with uow:
        return await schedule_repo.held_parts(uow.session, Basis.PFS, date(year, 1, 1))
