"""Fee schedule imports: CSV (streamed, validated row by row) and payers' TiC in-network files."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from accord_common.auth import Principal
from accord_common.errors import Conflict, Unprocessable
from accord_common.uow import UnitOfWork

from contract_registry.adapters.fee_schedule_repository import BATCH, FeeScheduleRepository
from contract_registry.adapters.party_repository import PartyRepository
from contract_registry.domain import (
    CsvImportReport,
    FeeScheduleRow,
    ImportPolicy,
    ProviderFilter,
    TicImport,
    import_tic_in_network,
    read_numbered_fee_schedule_csv,
)
from contract_registry.handlers.common import audit, utcnow
from contract_registry.handlers.fee_schedule_store import (
    Progress,
    SealedSchedule,
    no_progress,
    overlapping_rows,
    seal,
    store_rows,
)

Numbered = tuple[int | None, FeeScheduleRow]


@dataclass(slots=True)
class CsvImportResult:
    """The validation report and, when the file was accepted, the stored schedule."""

    report: CsvImportReport
    schedule: SealedSchedule | None = None


def _next_batch(rows: Iterator[Numbered]) -> list[Numbered]:
    return list(itertools.islice(rows, BATCH))


async def import_csv(
    uow: UnitOfWork,
    who: Principal,
    lines: Iterable[str],
    *,
    name: str,
    policy: ImportPolicy = ImportPolicy.ALL_OR_NOTHING,
    progress: Progress = no_progress,
    source: str = "csv",
) -> CsvImportResult:
    """Read, validate and insert BATCH rows at a time; keep them only if the report allows.
    `source` says what the lines came from: csv, or xlsx (a rate sheet read as CSV lines)."""
    report = CsvImportReport(policy=policy)
    rows = read_numbered_fee_schedule_csv(lines, report)
    schedule_id, now = str(uuid.uuid4()), utcnow()
    async with uow:
        repo = FeeScheduleRepository(uow.session, who.organization_id)
        await repo.add(_schedule_values(schedule_id, name, source, who, now))
        # parsing reads the upload (a file): do it off the event loop, one batch at a time
        while batch := await asyncio.to_thread(_next_batch, rows):
            await store_rows(repo, schedule_id, batch)
            progress("imported", report.rows_accepted)
        clashes = await overlapping_rows(repo, schedule_id) if report.committable else []
        for clash in clashes:
            report.record(clash)
        if clashes or not report.committable or report.rows_accepted == 0:
            return CsvImportResult(report)  # leaving the unit of work uncommitted rolls everything back
        sealed = await seal(uow, who, schedule_id, report.rows_accepted, progress)
        await _audit_import(uow, who, sealed, name, source, now)
        await uow.commit()
    return CsvImportResult(report, sealed)


async def import_tic(
    uow: UnitOfWork,
    who: Principal,
    source: IO[bytes],
    *,
    name: str,
    effective_from: date | None = None,
    only_our_providers: bool = False,
) -> tuple[SealedSchedule, TicImport]:
    """Map a TiC in-network-rates file to rows; a file that yields none is refused with the reason."""
    schedule_id, now = str(uuid.uuid4()), utcnow()
    async with uow:
        providers = await _provider_filter(uow, who) if only_our_providers else None
        result = await asyncio.to_thread(
            import_tic_in_network, source, effective_from=effective_from, providers=providers
        )
        if not result.imported:
            errors = [{"field": f"in_network[{r.item}]", "message": str(r)} for r in result.refusals]
            raise Unprocessable(f"the file was not imported: {result.refusal_reason}", errors=errors)
        repo = FeeScheduleRepository(uow.session, who.organization_id)
        await repo.add(_schedule_values(schedule_id, name, "tic", who, now))
        for start in range(0, len(result.rows), BATCH):
            await store_rows(repo, schedule_id, [(None, row) for row in result.rows[start : start + BATCH]])
        sealed = await seal(uow, who, schedule_id, len(result.rows))
        await _audit_import(uow, who, sealed, name, "tic", now)
        await uow.commit()
    return sealed, result


async def _provider_filter(uow: UnitOfWork, who: Principal) -> ProviderFilter:
    profile = await PartyRepository(uow.session, who.organization_id).profile()
    if profile is None:
        raise Unprocessable(
            "the organisation has no profile: PUT /v1/organisation with its TINs and NPIs first",
            errors=[{"field": "only_our_providers", "message": "no TINs or NPIs to filter on"}],
        )
    tins = frozenset(t["number"] for t in profile.tins)
    npis = frozenset(int(n["number"]) for n in profile.npis)
    return ProviderFilter(tins, npis)


def _schedule_values(
    schedule_id: str, name: str, source: str, who: Principal, now: datetime
) -> dict[str, Any]:
    return {
        "id": schedule_id,
        "name": name,
        "source": source,
        "content_hash": "",
        "row_count": 0,
        "created_at": now,
        "created_by": who.name,
    }


async def _audit_import(
    uow: UnitOfWork, who: Principal, sealed: SealedSchedule, name: str, source: str, now: datetime
) -> None:
    changes = {
        "name": name,
        "source": source,
        "row_count": sealed.row_count,
        "content_hash": sealed.content_hash,
    }
    await audit(
        uow,
        who,
        "fee_schedule.imported",
        entity="fee_schedule",
        entity_id=sealed.schedule_id,
        changes=changes,
        at=now,
    )


async def delete_schedule(uow: UnitOfWork, who: Principal, schedule_id: str) -> None:
    """Delete a schedule no contract version names (409 naming them otherwise): versions are
    immutable, so a schedule they name is replaced by linking a new import, never deleted."""
    now = utcnow()
    async with uow:
        repo = FeeScheduleRepository(uow.session, who.organization_id)
        schedule = await repo.get(schedule_id, for_update=True)
        if naming := await repo.versions_naming(schedule_id):
            listed = ", ".join(f"contract {row.contract_id} version {row.number}" for row in naming)
            raise Conflict(
                f"fee schedule {schedule_id} is linked to {listed}: it cannot be deleted",
                errors=[{"field": "schedule_id", "message": f"linked to {listed}"}],
            )
        await repo.delete(schedule_id)
        changes = {
            "name": schedule.name,
            "row_count": schedule.row_count,
            "content_hash": schedule.content_hash,
        }
        await audit(
            uow,
            who,
            "fee_schedule.deleted",
            entity="fee_schedule",
            entity_id=schedule_id,
            changes=changes,
            at=now,
        )
        await uow.commit()
