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
import zipfile
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Literal

import anyio
from fastapi.responses import StreamingResponse
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Format = Literal["csv", "xlsx"]
Row = Sequence[object]
CHUNK = 64 * 1024
BATCH = 500
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The OpenAPI answer of an export route: `@router.get(..., response_class=StreamingResponse,
# responses=TABULAR_RESPONSES)`, so clients and validators know a CSV or XLSX file comes back.
TABULAR_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, streamed: CSV (UTF-8, a header row) or XLSX (one sheet), per the path.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
        },
    }
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
    if isinstance(value, str):  # control characters XML cannot hold (text from anywhere): shown as U+FFFD
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
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


class NotASpreadsheet(ValueError):
    """An upload that is not an XLSX workbook."""


def cell_text(value: object) -> str:
    """A spreadsheet cell as text, as a CSV of it would read: numbers as typed (99213, 100.5, not
    99213.0), dates ISO (2026-01-01), empty as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def xlsx_text_rows(file: IO[bytes]) -> Iterator[list[str]]:
    """The first sheet's rows as text cells, read streaming (blank rows kept, so row numbers are the
    sheet's); NotASpreadsheet when the file is no workbook."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise NotASpreadsheet(f"the file is not an XLSX workbook ({type(exc).__name__})")
    if not workbook.worksheets:
        raise NotASpreadsheet("the workbook has no sheet")
    return ([cell_text(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True))
