"""Tabular exports of any size as CSV or XLSX, streamed.

Rows come from an async iterator (the caller pages through its tables), so memory stays flat: CSV
goes out as it is written; XLSX is written with openpyxl's write-only workbook (rows go to a
temporary file as they come, never held in memory) and the finished file is streamed in chunks.
Money (Decimal) is a number to the cent in XLSX ("#,##0.00") and its exact text in CSV. Text that
a spreadsheet would run as a formula (=, +, -, @ first) is kept as text: quoted with ' in CSV, a
string cell in XLSX.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

import anyio
from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Format = Literal["csv", "xlsx"]
Row = Sequence[object]
CHUNK = 64 * 1024
BATCH = 500
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (Decimal, int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


async def csv_chunks(header: Sequence[str], rows: AsyncIterator[Row]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    async for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # openpyxl writes Decimal and date
        cell.number_format = "#,##0.00" if value.as_tuple().exponent == -2 else "General"
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # openpyxl writes Decimal and date
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        return cell
    return value


async def xlsx_chunks(
    sheet_name: str, header: Sequence[str], rows: AsyncIterator[Row]
) -> AsyncIterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    sheet.append(list(header))
    batch: list[Row] = []

    def flush(items: list[Row]) -> None:
        for item in items:
            sheet.append([_cell(sheet, v) for v in item])

    async for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            await anyio.to_thread.run_sync(flush, batch)
            batch = []
    await anyio.to_thread.run_sync(flush, batch)
    with tempfile.TemporaryFile() as out:
        await anyio.to_thread.run_sync(workbook.save, out)
        out.seek(0)
        while chunk := await anyio.to_thread.run_sync(out.read, CHUNK):
            yield chunk


def tabular_response(
    fmt: Format, name: str, header: Sequence[str], rows: AsyncIterator[Row]
) -> StreamingResponse:
    """A download named `name`.csv or `name`.xlsx (one sheet called `name`)."""
    body = csv_chunks(header, rows) if fmt == "csv" else xlsx_chunks(name, header, rows)
    disposition = f'attachment; filename="{name}.{fmt}"'
    return StreamingResponse(body, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})
