"""Fee schedules as spreadsheets: import a payer's XLSX rate sheet (same columns and the same
row-level report as the CSV import), export a schedule as XLSX."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from typing import Annotated, Any

from accord_common.auth import Principal
from accord_common.errors import Unprocessable
from accord_common.web.deps import Requires, Runtime
from fastapi import APIRouter, Form, status
from fastapi.responses import StreamingResponse

from contract_registry.adapters.fee_schedule_codec import row_from_db
from contract_registry.adapters.fee_schedule_repository import FeeScheduleRepository
from contract_registry.adapters.fee_schedule_xlsx import (
    NotAWorkbook,
    RateSheetWriter,
    open_rate_sheet,
    rate_sheet_lines,
)
from contract_registry.domain import ImportPolicy
from contract_registry.entrypoints.deps import ScheduleId
from contract_registry.entrypoints.routers.fee_schedules import Name, Upload, _schedule, import_report
from contract_registry.entrypoints.schemas.fee_schedules import CsvReportOut, multipart_example
from contract_registry.handlers import fee_schedules

router = APIRouter(prefix="/v1/fee-schedules", tags=["fee schedules"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


@router.post(
    "/xlsx",
    status_code=status.HTTP_201_CREATED,
    response_model=CsvReportOut,
    summary="Import a fee schedule from an XLSX rate sheet",
    openapi_extra=multipart_example(
        {"name": "Acme 2027 rate sheet", "policy": "all_or_nothing", "file": "(an .xlsx workbook)"}
    ),
    responses={422: {"description": "Not a workbook, or bad rows (row, column, message): nothing written"}},
)
async def import_xlsx(
    file: Upload,
    name: Name,
    who: Annotated[Principal, Requires("contracts:write")],
    rt: Runtime,
    policy: Annotated[ImportPolicy, Form()] = ImportPolicy.ALL_OR_NOTHING,
) -> Any:
    """The first sheet, with the CSV import's header row (code_system, code, ..., effective_to), read
    streaming; each error names the sheet's row number and the column, as for CSV."""
    try:
        sheet = await asyncio.to_thread(open_rate_sheet, file.file)
    except NotAWorkbook as exc:
        raise Unprocessable(str(exc), errors=[{"field": "file", "message": str(exc)}])
    lines = rate_sheet_lines(sheet)
    result = await fee_schedules.import_csv(rt.uow(), who, lines, name=name, policy=policy, source="xlsx")
    return await import_report(rt, who.organization_id, result)


@router.get(
    "/{schedule_id}/export.xlsx",
    summary="Export as XLSX",
    response_class=StreamingResponse,
    responses={200: {"content": {XLSX: {}}, "description": "The import's columns; amounts as numbers"}},
)
async def export_xlsx(
    schedule_id: ScheduleId, who: Annotated[Principal, Requires("contracts:read")], rt: Runtime
) -> StreamingResponse:
    """Written write-only (constant memory) to a temporary file, then streamed; the XLSX import reads
    it back to the same rows."""
    await _schedule(rt, who.organization_id, schedule_id)
    headers = {"Content-Disposition": f'attachment; filename="fee-schedule-{schedule_id}.xlsx"'}
    return StreamingResponse(_written(rt, who.organization_id, schedule_id), media_type=XLSX, headers=headers)


async def _written(rt: Runtime, org: str, schedule_id: str) -> AsyncIterator[bytes]:
    writer = RateSheetWriter()
    async with rt.sessions() as session:
        async for batch in FeeScheduleRepository(session, org).batches(schedule_id):
            await asyncio.to_thread(writer.append, [row_from_db(r) for r in batch])
    with tempfile.TemporaryFile() as out:
        await asyncio.to_thread(writer.save, out)
        out.seek(0)
        while chunk := await asyncio.to_thread(out.read, CHUNK):
            yield chunk
