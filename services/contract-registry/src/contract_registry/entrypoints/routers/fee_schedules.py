"""Fee schedules: CSV import (streamed) and export, TiC import, rows with pagination."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import Unprocessable
from accord_common.web.deps import (
    Cursor,
    Limit,
    Requires,
    Runtime,
    decode_cursor,
    encode_cursor,
)
from accord_common.web.types import IsoDate
from fastapi import APIRouter, File, Form, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from contract_registry.adapters.fee_schedule_codec import row_from_db, row_to_json
from contract_registry.adapters.fee_schedule_repository import FeeScheduleRepository
from contract_registry.domain import ImportPolicy, write_fee_schedule_csv
from contract_registry.entrypoints.deps import ScheduleId
from contract_registry.entrypoints.schemas.common import Page
from contract_registry.entrypoints.schemas.fee_schedules import (
    CSV_UPLOAD_EXAMPLE,
    TIC_UPLOAD_EXAMPLE,
    CsvReportOut,
    FeeScheduleOut,
    FeeScheduleRowOut,
    TicImportOut,
    multipart_example,
)
from contract_registry.handlers import fee_schedules

router = APIRouter(prefix="/v1/fee-schedules", tags=["fee schedules"])
Upload = Annotated[UploadFile, File(description="The file")]
Name = Annotated[str, Form(min_length=1, max_length=200)]
MAX_REPORTED = 200


async def _schedule(rt: Runtime, org: str, schedule_id: str) -> dict[str, Any]:
    async with rt.sessions() as session:
        return dict((await FeeScheduleRepository(session, org).get(schedule_id))._asdict())


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CsvReportOut,
    summary="Import a fee schedule CSV",
    openapi_extra=multipart_example(CSV_UPLOAD_EXAMPLE),
    responses={422: {"description": "Bad rows (row, column, message): nothing was written"}},
)
async def import_csv(
    file: Upload,
    name: Name,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
    policy: Annotated[ImportPolicy, Form()] = ImportPolicy.ALL_OR_NOTHING,
) -> Any:
    """Streamed from the upload, validated row by row, inserted in batches; all or nothing by
    default. Publishes the rows as fee_schedule.published chunk events in the same transaction."""
    lines = codecs.iterdecode(file.file, "utf-8-sig")
    try:
        result = await fee_schedules.import_csv(rt.uow(), who, lines, name=name, policy=policy)
    except UnicodeDecodeError:
        raise Unprocessable("the file is not UTF-8 text", errors=[{"field": "file", "message": "not UTF-8"}])
    return await import_report(rt, who.organization_id, result)


async def import_report(rt: Runtime, org: str, result: fee_schedules.CsvImportResult) -> dict[str, Any]:
    """The row-level report of a CSV or XLSX import; 422 naming each bad cell when nothing was kept."""
    report = result.report
    errors = [
        {"row": e.row_number, "column": e.column, "field": e.column, "message": e.message}
        for e in report.errors
    ]
    if result.schedule is None:
        shown = f" (the first {MAX_REPORTED} are listed)" if report.error_count > MAX_REPORTED else ""
        detail = f"{report.error_count} error(s) in {report.rows_read} row(s){shown}: nothing was imported"
        errors = errors[:MAX_REPORTED]
        raise Unprocessable(detail, errors=errors or [{"field": "file", "message": "no rows"}])
    return {
        "imported": True,
        "policy": report.policy.value,
        "rows_read": report.rows_read,
        "rows_accepted": report.rows_accepted,
        "error_count": report.error_count,
        "errors": [{"row": e["row"], "column": e["column"], "message": e["message"]} for e in errors],
        "schedule": await _schedule(rt, org, result.schedule.schedule_id),
    }


@router.post(
    "/tic",
    status_code=status.HTTP_201_CREATED,
    response_model=TicImportOut,
    summary="Import a TiC in-network-rates file",
    openapi_extra=multipart_example(TIC_UPLOAD_EXAMPLE),
)
async def import_tic(
    file: Upload,
    name: Name,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
    effective_from: Annotated[IsoDate | None, Form()] = None,
    only_our_providers: Annotated[bool, Form()] = False,
) -> Any:
    """A payer's Transparency in Coverage JSON (schema v2): rates become rows, or the file is
    refused with 422 and the reason (XML v1 files, capitation, unsupported code types ...)."""
    sealed, result = await fee_schedules.import_tic(
        rt.uow(),
        who,
        file.file,
        name=name,
        effective_from=effective_from,
        only_our_providers=only_our_providers,
    )
    return {
        "schedule": await _schedule(rt, who.organization_id, sealed.schedule_id),
        "reporting_entity_name": result.reporting_entity_name,
        "last_updated_on": result.last_updated_on,
        "skipped_other_providers": result.skipped_other_providers,
        "refusals": [str(r) for r in result.refusals],
    }


@router.get("", response_model=Page[FeeScheduleOut], summary="List fee schedules")
async def list_schedules(
    who: Annotated[Principal, Requires("contracts:read")],
    rt: Runtime,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Any:
    """The organisation's fee schedules."""
    after = (decode_cursor(cursor, {"after": str}) or {}).get("after")
    async with rt.sessions() as session:
        rows = await FeeScheduleRepository(session, who.organization_id).schedules(after, limit)
    next_cursor = encode_cursor({"after": rows[-1].id}) if len(rows) == limit else None
    return {"items": [r._asdict() for r in rows], "next_cursor": next_cursor}


@router.get("/{schedule_id}", response_model=FeeScheduleOut, summary="Get a fee schedule")
async def get_schedule(
    schedule_id: ScheduleId, who: Annotated[Principal, Requires("contracts:read")], rt: Runtime
) -> Any:
    """Name, source, content hash and row count."""
    return await _schedule(rt, who.organization_id, schedule_id)


@router.delete(
    "/{schedule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a fee schedule",
    responses={409: {"description": "A contract version names the schedule (they are listed)"}},
)
async def delete_schedule(
    schedule_id: ScheduleId, who: Annotated[Principal, Requires("contracts:write")], rt: Runtime
) -> Response:
    """Delete a schedule and its rows when no contract version names it (audited). To replace a
    linked schedule, import the new one and link it from a date (POST /v1/contracts/{id}/fee-schedule)."""
    await fee_schedules.delete_schedule(rt.uow(), who, schedule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{schedule_id}/rows", response_model=Page[FeeScheduleRowOut], summary="List rows")
async def rows(
    schedule_id: ScheduleId,
    who: Annotated[Principal, Requires("contracts:read")],
    rt: Runtime,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Any:
    """The schedule's rows in import order, a page at a time."""
    after = (decode_cursor(cursor, {"after": int}) or {}).get("after")
    async with rt.sessions() as session:
        repo = FeeScheduleRepository(session, who.organization_id)
        await repo.get(schedule_id)
        page = await repo.rows_page(schedule_id, after, limit)
    next_cursor = encode_cursor({"after": page[-1].id}) if len(page) == limit else None
    return {"items": [row_to_json(row_from_db(r)) for r in page], "next_cursor": next_cursor}


@router.get(
    "/{schedule_id}/export.csv",
    summary="Export as CSV",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The import's CSV format"}},
)
async def export(
    schedule_id: ScheduleId, who: Annotated[Principal, Requires("contracts:read")], rt: Runtime
) -> StreamingResponse:
    """Streamed in batches, in the format the CSV import reads (it round-trips)."""
    await _schedule(rt, who.organization_id, schedule_id)
    filename = f"fee-schedule-{schedule_id}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(
        _csv_lines(rt, who.organization_id, schedule_id), media_type="text/csv", headers=headers
    )


async def _csv_lines(rt: Runtime, org: str, schedule_id: str) -> AsyncIterator[str]:
    header_sent = False
    async with rt.sessions() as session:
        async for batch in FeeScheduleRepository(session, org).batches(schedule_id):
            lines = write_fee_schedule_csv(row_from_db(r) for r in batch)
            first = next(lines)
            if not header_sent:
                yield first
                header_sent = True
            yield "".join(lines)
    if not header_sent:
        yield next(write_fee_schedule_csv([]))
