"""Fee schedules as spreadsheets: a payer's rate sheet (XLSX, first sheet, the CSV import's columns)
read as the CSV import's lines, so it gets the same row-level report with the sheet's own row
numbers; and a schedule written as XLSX (write-only: constant memory, any size)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from accord_common.exports import cell_text
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from contract_registry.domain.fee_schedule import FeeScheduleRow, row_cells
from contract_registry.domain.fee_schedule_csv import COLUMNS


class NotAWorkbook(ValueError):
    """The upload is not an XLSX workbook."""


def open_rate_sheet(file: IO[bytes]) -> Any:
    """The workbook's first sheet, read streaming (read-only mode); NotAWorkbook if it is none."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise NotAWorkbook(f"the file is not an XLSX workbook ({type(exc).__name__})")
    if not workbook.worksheets:
        raise NotAWorkbook("the workbook has no sheet")
    return workbook.worksheets[0]


def rate_sheet_lines(sheet: Any) -> Iterator[str]:
    """One CSV line per sheet row (blank rows kept, so the report's row numbers are the sheet's)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    width = 0
    for values in sheet.iter_rows(values_only=True):
        cells = [cell_text(v) for v in values]
        if not width:  # the header: its last named column sets the width
            width = max((i + 1 for i, c in enumerate(cells) if c), default=0)
        writer.writerow(cells[:width] if width else cells)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


class RateSheetWriter:
    """A schedule written as XLSX, the import's columns (it round-trips), amounts as numbers; rows
    go to a temporary file as they are appended (openpyxl write-only: constant memory)."""

    def __init__(self) -> None:
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet("fee schedule")
        self._sheet.append(list(COLUMNS))
        self._numeric = (COLUMNS.index("amount"), COLUMNS.index("percentage"))

    def append(self, rows: Iterable[FeeScheduleRow]) -> None:
        for row in rows:
            cells: list[object] = list(row_cells(row))
            for i in self._numeric:
                cells[i] = Decimal(str(cells[i])) if cells[i] else None
            self._sheet.append(cells)

    def save(self, out: IO[bytes]) -> None:
        self._workbook.save(out)
